// Watchword portal: the live password checklist and the registration
// proof-of-work. The server checks both again; this only helps people.
"use strict";

(function () {
  const classes = {
    digit: /\p{Nd}/u,
    lower_latin: /(?=\p{Script=Latin})\p{Ll}/u,
    upper_latin: /(?=\p{Script=Latin})\p{Lu}/u,
    letter: /\p{L}/u,
    symbol: /[\p{P}\p{S}]/u,
  };

  function count(pw, re) {
    let n = 0;
    for (const ch of pw) if (re.test(ch)) n++;
    return n;
  }

  // passes mirrors the rule kinds the checklist can judge locally; others
  // stay neutral until the server answers.
  function passes(li, pw) {
    const min = Number(li.dataset.min || 0);
    switch (li.dataset.kind) {
      case "min_length": return [...pw].length >= min;
      case "char_class": {
        const re = classes[li.dataset.class];
        return re ? count(pw, re) >= Math.max(min, 1) : null;
      }
      case "no_space": return !/\s/u.test(pw);
      default: return null;
    }
  }

  function checklist() {
    const pw = document.getElementById("password");
    const list = document.getElementById("password-rules");
    if (!pw || !list) return;
    const update = () => {
      for (const li of list.querySelectorAll("li[data-kind]")) {
        const ok = pw.value === "" ? null : passes(li, pw.value);
        li.classList.toggle("ok", ok === true);
        li.classList.toggle("bad", ok === false);
      }
    };
    pw.addEventListener("input", update);
    update();
    const confirm = document.getElementById("confirm");
    if (confirm) {
      const same = () => confirm.setCustomValidity(confirm.value === pw.value ? "" : "The passwords do not match.");
      confirm.addEventListener("input", same);
      pw.addEventListener("input", same);
    }
  }

  function zeroBits(bytes) {
    let n = 0;
    for (const b of bytes) {
      if (b === 0) { n += 8; continue; }
      return n + Math.clz32(b) - 24;
    }
    return n;
  }

  // solve finds a decimal nonce with SHA-256(token || nonce) starting with
  // `bits` zero bits, hashing a batch at a time so the page stays responsive.
  async function solve(token, bits) {
    const enc = new TextEncoder();
    for (let i = 0; ; i += 256) {
      const batch = [];
      for (let j = i; j < i + 256; j++) {
        batch.push(crypto.subtle.digest("SHA-256", enc.encode(token + j)).then((d) => [j, d]));
      }
      for (const [j, d] of await Promise.all(batch)) {
        if (zeroBits(new Uint8Array(d)) >= bits) return String(j);
      }
    }
  }

  function proofOfWork() {
    const form = document.getElementById("register-form");
    if (!form) return;
    const token = form.dataset.pow;
    const bits = Number(form.dataset.powDifficulty);
    const nonce = form.querySelector("input[name=pow_nonce]");
    const button = form.querySelector("button[type=submit]");
    const work = solve(token, bits).then((n) => { nonce.value = n; });
    form.addEventListener("submit", (ev) => {
      if (nonce.value) return;
      ev.preventDefault();
      button.disabled = true;
      button.textContent = "Checking…";
      work.then(() => form.submit());
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    checklist();
    proofOfWork();
  });
})();
