// Watchword popup: a small view router. Each flow is a screen; the background
// answers every question about accounts and the vault (through the Go core),
// and this file only renders and routes.
'use strict';

const { MSG } = globalThis.WW;

const $ = (sel, root = document) => root.querySelector(sel);

// h builds an element. Text is always set as text, never as HTML, so nothing
// from the vault or the server can inject markup.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// svg icons used in the screens (paths only; stroke styling comes from CSS).
function icon(name) {
  const paths = {
    copy: 'M9 9h10v10H9zM5 15V5h10',
    eye: 'M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
    eyeOff: 'M3 3l18 18M10.6 5.1A10 10 0 0 1 12 5c6 0 10 7 10 7a17 17 0 0 1-3.2 3.9M6.6 6.6C3.8 8.4 2 12 2 12s4 7 10 7a9.6 9.6 0 0 0 5.4-1.6M9.9 9.9a3 3 0 0 0 4.2 4.2',
    check: 'M5 12.5l4.5 4.5L19 7.5',
    mail: 'M3 6h18v12H3zM3 7l9 6 9-6',
    dice: 'M4 4h16v16H4zM8.5 8.5h.01M15.5 15.5h.01M15.5 8.5h.01M8.5 15.5h.01M12 12h.01',
    download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
    star: 'M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9z',
  };
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  p.setAttribute('d', paths[name]);
  svg.append(p);
  return svg;
}

// ---------------------------------------------------------------------------
// Talking to the background

class UIError extends Error {
  constructor(e) {
    super(e.message);
    this.code = e.code;
    this.details = e.details;
  }
}

async function send(type, payload = {}) {
  let res;
  try {
    res = await chrome.runtime.sendMessage({ type, ...payload });
  } catch {
    throw new UIError({ code: 'internal', message: 'Watchword is restarting. Try again in a moment.' });
  }
  if (!res) throw new UIError({ code: 'internal', message: 'Watchword did not answer. Try again.' });
  if (!res.ok) throw new UIError(res.error);
  return res.value;
}

// Words for error codes where the core's or server's own message is not the
// best thing to show a person.
function errorText(err) {
  switch (err && err.code) {
    case 'network':
      return 'Can’t reach the Watchword server. Check your connection and try again.';
    case 'rate_limited':
      return 'Too many attempts. Wait a moment, then try again.';
    case 'wrong_password':
      return 'That master password is not right. Check it and try again.';
    case 'unauthorized':
      return sentence(err.message) || 'The email address or password is not right.';
    case 'internal':
      return 'Something went wrong inside Watchword. Try again.';
    default:
      return sentence(err && err.message) || 'Something went wrong. Try again.';
  }
}

// sentence shows a message from the server or the core (written as Go
// errors are: lower case, no full stop) as a sentence.
function sentence(msg) {
  const m = typeof msg === 'string' ? msg.trim() : '';
  if (!m) return '';
  return m[0].toUpperCase() + m.slice(1) + (/[.!?…]$/.test(m) ? '' : '.');
}

// ---------------------------------------------------------------------------
// Router

const app = {
  state: null, // the background's answer to UI_BG_STATE
  screen: null,
  stack: [], // screens Back returns to
  draft: {}, // data carried between the screens of one flow (never persisted)
  list: null, // the list index (or its head) read before the vault screen renders (sessionList)
  listRest: null, // when list is its head: reads the whole index (a Promise)
};

const screens = {};

function announce(text) {
  const el = $('#announce');
  el.textContent = '';
  setTimeout(() => {
    el.textContent = text;
  }, 30);
}

// go shows a screen. Options: {replace} drops the current screen from the
// Back history; {reset} empties it.
async function go(name, params = {}, opts = {}) {
  const def = screens[name];
  if (!def) throw new Error(`no screen ${name}`);
  if (opts.reset) app.stack = [];
  else if (app.screen && !opts.replace && !opts.back) app.stack.push(app.screen);
  app.screen = { name, params };
  const main = $('#screen');
  closeStatusMenu();
  const node = await def.render(params);
  main.replaceChildren(node);
  main.scrollTop = 0;
  document.body.dataset.screen = name;
  // The header always names the product; the screen's own heading says where you are.
  document.title = def.title ? `${def.title} – Watchword` : 'Watchword';
  $('#back').hidden = app.stack.length === 0 || def.noBack;
  const unlocked = app.state && app.state.vault.unlocked;
  $('#lock').hidden = !unlocked;
  $('#settings').hidden = !(unlocked || (app.state && app.state.account && def.showSettings));
  announce(def.title || 'Watchword');
  const first = main.querySelector('[autofocus]') || main.querySelector('h1');
  if (first) {
    if (first.tagName === 'H1') first.setAttribute('tabindex', '-1');
    first.focus({ preventScroll: true });
  }
}

function back() {
  const prev = app.stack.pop();
  if (prev) go(prev.name, prev.params, { back: true });
}

async function refreshState() {
  app.state = await send(MSG.UI_BG_STATE);
  renderStatus();
  return app.state;
}

// LIST_KEY_HINT names, in the popup's localStorage, the list key of the
// last open.
const LIST_KEY_HINT = 'watchword.listKey';

// sessionList reads the unlocked vault's list index straight from
// storage.session (the background keeps it there while the vault is
// unlocked, see flushList in background.js), so the list shows without
// waiting for the background to wake. It answers {head, full, account,
// settings}: head is the index's first rows and counts (null when there is
// none), read first because it is a few kilobytes where the whole index is
// megabytes; full() reads the whole index. With a head, the vault screen
// asks for the whole index only once the head is on screen: handing the
// page 1.5 MB meanwhile would hold up drawing it. null when the vault is
// locked or the index is missing.
async function sessionList() {
  if (!chrome.storage.session) return null;
  const get = (k) => chrome.storage.session.get(k).then((got) => got[k]).catch(() => undefined);
  // A damaged index reads as none: the background's own is asked for.
  const parse = (json) => {
    try {
      return typeof json === 'string' ? JSON.parse(json) : null;
    } catch {
      return null;
    }
  };
  const read = (key) => {
    let whole = null;
    return { head: get(`${key}/head`), full: () => (whole = whole || get(key).then(parse)) };
  };
  // The list's key from the last open (not secret: it names the account),
  // so the list's reads start at once instead of after the account's. They
  // are used only when the account read confirms the key.
  let hint = null;
  try {
    hint = localStorage.getItem(LIST_KEY_HINT);
  } catch {
    hint = null;
  }
  const early = hint ? read(hint) : null;
  const { account, settings } = await chrome.storage.local.get(['account', 'settings']);
  if (!account) return null;
  const key = `list/${account.local ? 'local' : account.id}`;
  if (key !== hint) {
    try {
      localStorage.setItem(LIST_KEY_HINT, key);
    } catch {
      // No hint next time: the reads run one after the other.
    }
  }
  const reads = key === hint ? early : read(key);
  const { full } = reads;
  let head = null;
  const headJSON = await reads.head;
  if (typeof headJSON === 'string' && headJSON) {
    try {
      head = JSON.parse(headJSON);
    } catch {
      head = null; // a damaged head: the whole index is read anyway
    }
    if (!head || !Array.isArray(head.entries)) head = null;
  }
  if (!head && !(await full())) return null;
  return { head, full, account, settings: settings || {} };
}

// home picks the screen that fits the current state. With the list index in
// storage.session the vault is unlocked: its list is shown at once, and the
// background's state (sync status, banners) follows.
async function home() {
  const quick = await sessionList().catch(() => null);
  if (quick && !app.state) {
    const a = quick.account;
    app.state = {
      account: { local: !!a.local, email: a.email || null, activated: !!a.activated },
      vault: { exists: true, unlocked: true },
      sync: { state: a.local ? 'local' : 'pending', pending: 0 },
      settings: { clipboardClearSeconds: 30, ...quick.settings },
      reminder: false,
    };
    // The head is drawn first and the whole index follows (the vault
    // screen takes it from app.listRest).
    app.list = quick.head || (await quick.full());
    app.listRest = quick.head ? quick.full : null;
    await go('vault', {}, { reset: true });
    // Asked once the list is on screen: waking the background would compete
    // with drawing it.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    const s = await refreshState();
    if (!s.vault.unlocked) return home();
    // Banners the quick state could not know.
    if (s.reminder || (s.account && !s.account.local && !s.account.activated)) await refreshVault({ whole: true });
    return openAsked();
  }
  const s = await refreshState();
  if (!s.account) return go('welcome', {}, { reset: true });
  if (!s.vault.exists) return go('masterCreate', {}, { reset: true });
  if (!s.vault.unlocked) return go('unlock', {}, { reset: true });
  await go('vault', {}, { reset: true });
  return openAsked();
}

// openAsked shows the screen a tab of the popup was opened for
// (?screen=transfer), over the vault.
async function openAsked() {
  if (new URLSearchParams(location.search).get('screen') === 'transfer' && app.screen && app.screen.name === 'vault') await go('transfer');
}

// ---------------------------------------------------------------------------
// Shared pieces

function field({ label, id, type = 'text', value = '', autocomplete, hint, required, autofocus, oninput, attrs = {} }) {
  const input = h('input', { id, name: id, type, value, autocomplete: autocomplete || 'off', required, autofocus, spellcheck: 'false', oninput, ...attrs });
  const kids = [h('label', { for: id, text: label })];
  if (type === 'password') {
    const toggle = h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Show ${label.toLowerCase()}`, 'aria-pressed': 'false' }, icon('eye'));
    toggle.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      toggle.setAttribute('aria-pressed', String(show));
      toggle.setAttribute('aria-label', `${show ? 'Hide' : 'Show'} ${label.toLowerCase()}`);
      toggle.replaceChildren(icon(show ? 'eyeOff' : 'eye'));
    });
    kids.push(h('div', { class: 'input-wrap' }, input, toggle));
  } else {
    kids.push(input);
  }
  if (hint) {
    input.setAttribute('aria-describedby', `${id}-hint`);
    kids.push(h('div', { class: 'hint', id: `${id}-hint`, text: hint }));
  }
  return h('div', { class: 'field' }, kids);
}

function errorBox() {
  const box = h('div', { class: 'notice error', role: 'alert', hidden: true });
  box.show = (err) => {
    box.replaceChildren(h('p', { text: typeof err === 'string' ? err : errorText(err) }));
    box.hidden = false;
  };
  box.clear = () => {
    box.hidden = true;
  };
  return box;
}

// busy disables a button while work runs and restores it after.
async function busy(button, label, work) {
  const old = button.textContent;
  button.disabled = true;
  button.textContent = label;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = old;
    button.removeAttribute('aria-busy');
  }
}

// checklist renders the core's policy result: one line per rule, and the
// strength meter with its rating and one piece of advice when the result
// has them. The rating and the advice keep their lines (CSS), so an estimate
// arriving, or changing as the password is typed, does not move the fields
// and the button below.
function checklist(id) {
  const list = h('ul', { class: 'checklist', id, 'aria-live': 'polite', 'aria-label': 'Password requirements' });
  const meter = h('div', { class: 'meter', dataset: { score: '0', rated: 'false' }, role: 'img', 'aria-label': 'Strength: not rated' }, h('span'), h('span'), h('span'), h('span'));
  const rating = h('div', { class: 'rating' });
  const advice = h('div', { class: 'advice' });
  let touched = false;
  const wrap = h('div', { class: 'policy' }, list, meter, h('div', { class: 'hint strength', 'aria-live': 'polite' }, rating, advice));
  wrap.update = (res, typed) => {
    touched = touched || typed;
    list.replaceChildren(
      ...res.rules.map((r) =>
        h('li', { class: `${r.status}${touched ? ' touched' : ''}`, dataset: { rule: r.id } },
          r.label,
          h('span', { class: 'sr-only', text: r.status === 'pass' ? ' — met' : r.status === 'unchecked' ? ' — checked when you submit' : ' — not met yet' })),
      ),
    );
    const st = typed ? res.strength : null;
    const score = st ? st.score : 0;
    const words = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'];
    meter.dataset.score = String(score);
    meter.dataset.rated = st ? 'true' : 'false';
    meter.setAttribute('aria-label', `Strength: ${st ? words[score] : 'not rated'}`);
    rating.replaceChildren(...(st ? [h('strong', { text: words[score] }), st.crack_time ? ` · could take ${st.crack_time} to guess` : ''] : []));
    advice.textContent = adviceFor(res, st);
  };
  return wrap;
}

// adviceFor picks the one thing most worth saying about a password: that it
// is on the shipped list of common passwords (which makes the estimator's
// own "similar to a common password" redundant; said here only when no rule
// of the checklist already says it), else the estimator's first warning,
// else, for a password not yet rated good, its first suggestion.
function adviceFor(res, st) {
  const first = (l) => (l && l.length ? l[0].message : '');
  if (res.common) {
    if (!res.rules.some((r) => r.kind === 'not_common')) return 'This password is on a list of commonly used passwords.';
    return st ? first(st.suggestions) : '';
  }
  if (!st) return '';
  return first(st.warnings) || (st.score < 3 ? first(st.suggestions) : '');
}

async function runCheck(kind, password, list, typed) {
  try {
    const res = await send(MSG.UI_BG_POLICY_CHECK, { kind, password });
    list.update(res, typed);
    addStrength(list, res, password, typed);
    return res;
  } catch (err) {
    list.update({ rules: [], ok: false }, typed);
    throw err;
  }
}

// addStrength adds the strength estimate to a checklist once strength.wasm
// (meter.js, loaded on first use) has it, unless the password changed
// meanwhile. The checklist never waits for it.
function addStrength(list, res, password, typed) {
  if (res.strength || !globalThis.WWMeter) return;
  const seq = (list.seq = (list.seq || 0) + 1);
  const typedEmail = $('#email');
  const email = (typedEmail && typedEmail.value) || (app.state && app.state.account && app.state.account.email) || '';
  globalThis.WWMeter.estimate(password, email).then((strength) => {
    if (strength && list.seq === seq) list.update({ ...res, strength }, typed);
  }, () => {});
}

function debounce(fn, ms) {
  let t;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

// ---------------------------------------------------------------------------
// Screens: first run and account

screens.welcome = {
  title: 'Welcome',
  noBack: true,
  render() {
    return h('div', { class: 'hero' },
      h('img', { src: 'icons/icon-128.png', alt: '' }),
      h('h1', { text: 'Your passwords, safe and everywhere' }),
      h('p', { class: 'lead', text: 'Watchword keeps your passwords encrypted on your devices and in sync between them. Only you hold the key.' }),
      h('div', { class: 'actions' },
        h('button', { class: 'btn block', type: 'button', id: 'new', autofocus: true, onclick: () => go('register') }, 'I’m new'),
        h('button', { class: 'btn secondary block', type: 'button', id: 'have', onclick: () => go('signIn') }, 'I have an account'),
      ),
      h('p', { class: 'muted', style: 'margin-top:16px' },
        h('button', { class: 'link', type: 'button', id: 'local', onclick: useLocal }, 'Use without an account'),
      ),
    );
  },
};

async function useLocal() {
  try {
    app.state = await send(MSG.UI_BG_USE_LOCAL);
    go('masterCreate', { local: true }, { reset: true });
  } catch (err) {
    alertScreenError(err);
  }
}

function alertScreenError(err) {
  const box = errorBox();
  box.show(err);
  $('#screen').prepend(box);
}

screens.register = {
  title: 'Create account',
  render() {
    const d = (app.draft.register ||= { email: '', password: '', marketing: false });
    const err = errorBox();
    const list = checklist('account-rules');
    let last = null;
    const check = debounce(async (typed) => {
      try {
        last = await runCheck('account', pw.value, list, typed);
      } catch (e) {
        err.show(e);
      }
    }, 120);
    const form = h('form', { novalidate: true, 'aria-describedby': 'account-rules' },
      h('h1', { text: 'Create your account' }),
      h('p', { text: 'Your account connects your devices. Your vault stays encrypted with a separate master password.' }),
      err,
      field({ label: 'Email', id: 'email', type: 'email', value: d.email, autocomplete: 'email', autofocus: true, required: true }),
      field({ label: 'Account password', id: 'password', type: 'password', value: d.password, autocomplete: 'new-password', required: true, oninput: () => check(true) }),
      list,
      field({ label: 'Confirm password', id: 'confirm', type: 'password', value: d.password, autocomplete: 'new-password', required: true }),
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', id: 'marketing', checked: d.marketing }),
        h('span', { text: 'Send me product news and offers by email' })),
      h('div', { class: 'actions' }, h('button', { class: 'btn block', type: 'submit', id: 'create' }, 'Create account')),
    );
    const pw = $('#password', form);
    check(!!d.password);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.clear();
      const email = $('#email', form).value.trim();
      const confirm = $('#confirm', form).value;
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        $('#email', form).setAttribute('aria-invalid', 'true');
        $('#email', form).focus();
        return err.show('Enter a valid email address.');
      }
      $('#email', form).removeAttribute('aria-invalid');
      try {
        last = await runCheck('account', pw.value, list, true);
      } catch (e) {
        return err.show(e);
      }
      if (!last.ok && !last.rules.some((r) => r.status === 'unchecked')) {
        pw.focus();
        return err.show('Your account password doesn’t meet every requirement yet.');
      }
      if (confirm !== pw.value) {
        $('#confirm', form).setAttribute('aria-invalid', 'true');
        $('#confirm', form).focus();
        return err.show('The two passwords are different.');
      }
      Object.assign(d, { email, password: pw.value, marketing: $('#marketing', form).checked });
      go('statement');
    });
    return form;
  },
};

// The statement's version is the server's; this text is what the server
// publishes with that version.
screens.statement = {
  title: 'Your data',
  render() {
    const err = errorBox();
    const choose = (statement) => async (ev) => {
      err.clear();
      const d = app.draft.register;
      if (!d || !d.email) return go('register', {}, { replace: true });
      await busy(ev.currentTarget, 'Creating your account…', async () => {
        try {
          app.state = await send(MSG.UI_BG_REGISTER, { email: d.email, password: d.password, marketing: d.marketing, statement });
          app.draft.registered = { email: d.email };
          delete app.draft.register;
          go('registered', {}, { reset: true });
        } catch (e) {
          err.show(e);
        }
      });
    };
    return h('div', {},
      h('h1', { text: 'Data for product news' }),
      err,
      h('div', { class: 'section' },
        h('p', { text: 'With your permission, Watchword uses your email address and the way you use your account (never your vault, which we cannot read) to choose which product news and offers to send you.' }),
        h('p', { text: 'You can withdraw this permission at any time in your account settings. Skipping changes nothing else about your account.' }),
      ),
      h('div', { class: 'actions' },
        h('button', { class: 'btn block', type: 'button', id: 'accept', autofocus: true, onclick: choose('accepted') }, 'Accept'),
        h('button', { class: 'btn secondary block', type: 'button', id: 'skip', onclick: choose('skipped') }, 'Skip'),
      ),
    );
  },
};

screens.registered = {
  title: 'Registered',
  noBack: true,
  render() {
    return h('div', { class: 'hero' },
      h('div', { class: 'big-icon' }, icon('check')),
      h('h1', { text: 'You’re registered' }),
      h('p', { class: 'lead', text: 'Your Watchword account is ready.' }),
      h('div', { class: 'actions' }, h('button', { class: 'btn block', type: 'button', id: 'done', autofocus: true, onclick: () => go('confirmEmail', {}, { reset: true }) }, 'Done')),
    );
  },
};

screens.confirmEmail = {
  title: 'Confirm your email',
  noBack: true,
  async render() {
    const s = await refreshState();
    const email = (s.account && s.account.email) || (app.draft.registered && app.draft.registered.email) || 'your address';
    const err = errorBox();
    const ok = h('div', { class: 'notice ok', role: 'status', hidden: true });
    const resend = h('button', { class: 'btn secondary block', type: 'button', id: 'resend' }, 'Resend the email');
    resend.addEventListener('click', () =>
      busy(resend, 'Sending…', async () => {
        err.clear();
        try {
          await send(MSG.UI_BG_RESEND_ACTIVATION);
          ok.replaceChildren(h('p', { text: `We sent a new link to ${email}.` }));
          ok.hidden = false;
        } catch (e) {
          err.show(e);
        }
      }),
    );
    const next = () => (s.vault.exists ? home() : go('masterCreate', {}, { reset: true }));
    return h('div', { class: 'hero' },
      h('div', { class: 'big-icon info' }, icon('mail')),
      h('h1', { text: 'Confirm your email' }),
      h('p', {}, 'We sent a link to ', h('strong', { text: email }), '. Open it to confirm the address — then your vault starts syncing.'),
      h('p', { class: 'muted', text: 'You can use Watchword on this device in the meantime. Nothing you save is lost.' }),
      err, ok,
      h('div', { class: 'actions' },
        h('button', { class: 'btn block', type: 'button', id: 'continue', autofocus: true, onclick: next }, s.vault.exists ? 'Continue' : 'Set up my vault'),
        resend,
      ),
    );
  },
};

screens.signIn = {
  title: 'Sign in',
  async render() {
    const err = errorBox();
    const auto = h('div', { hidden: true });
    const providers = h('div', { hidden: true });
    // External providers are the ones this server has set up.
    send(MSG.UI_BG_PROVIDERS).then((res) => {
      const list = (res && res.providers) || [];
      if (!list.length) return;
      providers.replaceChildren(
        h('div', { class: 'muted', style: 'text-align:center;margin:16px 0 8px', text: 'or continue with' }),
        h('div', { class: 'actions row' }, ...list.map((p) =>
          h('button', { class: 'btn secondary', type: 'button', dataset: { provider: p.id }, onclick: (ev) => provider(ev.currentTarget, p, err) }, p.name))));
      providers.hidden = false;
    }, () => {});
    const form = h('form', { novalidate: true },
      h('h1', { text: 'Sign in' }),
      auto,
      err,
      field({ label: 'Email', id: 'email', type: 'email', autocomplete: 'username', autofocus: true, required: true }),
      field({ label: 'Account password', id: 'password', type: 'password', autocomplete: 'current-password', required: true }),
      h('div', { class: 'actions' }, h('button', { class: 'btn block', type: 'submit', id: 'sign-in' }, 'Sign in')),
      providers,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.clear();
      const email = $('#email', form).value.trim();
      const password = $('#password', form).value;
      if (!email || !password) return err.show('Enter your email address and account password.');
      await busy($('#sign-in', form), 'Signing in…', async () => {
        try {
          const res = await send(MSG.UI_BG_SIGN_IN, { email, password });
          if (res.twoStep) return go('twoStep', res.twoStep, { replace: true });
          await home();
        } catch (e) {
          err.show(e);
          $('#password', form).select();
        }
      });
    });
    // Auto-connect: offered when the portal is signed in in this browser.
    send(MSG.UI_BG_AUTO_CONNECT, { confirm: false }).then((res) => {
      if (!res || !res.available) return;
      const btn = h('button', { class: 'btn block', type: 'button', id: 'auto-connect' }, `Continue as ${res.email}`);
      btn.addEventListener('click', () =>
        busy(btn, 'Connecting…', async () => {
          try {
            const r = await send(MSG.UI_BG_AUTO_CONNECT, { confirm: true });
            if (r.twoStep) return go('twoStep', r.twoStep, { replace: true });
            await home();
          } catch (e) {
            err.show(e);
          }
        }),
      );
      auto.replaceChildren(h('div', { class: 'notice info' }, h('div', { class: 'grow' }, h('p', { text: 'You’re signed in to Watchword in this browser.' }), h('div', { style: 'margin-top:8px' }, btn))));
      auto.hidden = false;
    }, () => {});
    return form;
  },
};

// provider signs in through p in the browser's sign-in window; the button
// says what is being waited for until the window comes back or is closed.
async function provider(button, p, err) {
  err.clear();
  await busy(button, `Waiting for ${p.name}…`, async () => {
    try {
      const res = await send(MSG.UI_BG_SIGN_IN_PROVIDER, { provider: p.id });
      if (res.twoStep) return go('twoStep', res.twoStep, { replace: true });
      await home();
    } catch (e) {
      err.show(e);
    }
  });
}

const METHOD_WORDS = {
  totp: { label: 'your authenticator app', resend: false },
  email: { label: 'an email', resend: true },
  sms: { label: 'a text message', resend: true },
  recovery: { label: 'a recovery code', resend: false },
};

screens.twoStep = {
  title: 'Security code',
  render(p) {
    const err = errorBox();
    const info = h('div', { class: 'notice ok', role: 'status', hidden: true });
    const method = p.method || 'totp';
    const words = METHOD_WORDS[method] || METHOD_WORDS.totp;
    const form = h('form', { novalidate: true },
      h('h1', { text: 'Enter your security code' }),
      h('p', { text: method === 'recovery' ? 'Enter one of your recovery codes.' : method === 'totp' ? 'Enter the 6-digit code from your authenticator app.' : `We sent a code in ${words.label}${p.target ? ` to ${p.target}` : ''}.` }),
      err, info,
      field({ label: 'Security code', id: 'code', autocomplete: 'one-time-code', autofocus: true, attrs: { inputmode: method === 'recovery' ? 'text' : 'numeric' } }),
      h('div', { class: 'actions' }, h('button', { class: 'btn block', type: 'submit', id: 'verify' }, 'Verify')),
      h('p', { style: 'margin-top:16px' }, h('button', { class: 'link', type: 'button', id: 'no-code', onclick: () => go('noCode', p) }, 'I didn’t get a code')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.clear();
      await busy($('#verify', form), 'Checking…', async () => {
        try {
          await send(MSG.UI_BG_TWO_STEP_VERIFY, { code: $('#code', form).value, method });
          await home();
        } catch (e) {
          err.show(e && e.code === 'unauthorized' ? 'That code is not right or has expired. Check it, or get a new one with “I didn’t get a code”.' : e);
          $('#code', form).select();
        }
      });
    });
    return form;
  },
};

// again names the resend a button counts down to.
const again = (m) => (m === 'sms' ? 'Send the text message again' : 'Send the email again');

screens.noCode = {
  title: 'Other ways',
  render(p) {
    const err = errorBox();
    const ok = h('div', { class: 'notice ok', role: 'status', hidden: true });
    const methods = (p.methods || []).filter((m) => METHOD_WORDS[m]);
    // The server says when a new code may be sent; until then the button counts down.
    const resendAt = p.resendAfter ? Date.parse(p.resendAfter) : 0;
    const rows = [];
    for (const m of methods) {
      const w = METHOD_WORDS[m];
      const b = h('button', { class: 'btn secondary block', type: 'button', dataset: { method: m } }, w.resend ? `Send a code by ${m === 'sms' ? 'text message' : 'email'}` : `Use ${w.label}`);
      if (w.resend) {
        const wait = Math.ceil((resendAt - Date.now()) / 1000);
        if (wait > 0) {
          b.disabled = true;
          b.textContent = `${again(m)} in ${wait} s`;
          const t = setInterval(() => {
            const left = Math.ceil((resendAt - Date.now()) / 1000);
            if (!b.isConnected || left <= 0) {
              clearInterval(t);
              b.disabled = false;
              b.textContent = `Send a code by ${m === 'sms' ? 'text message' : 'email'}`;
            } else b.textContent = `${again(m)} in ${left} s`;
          }, 1000);
        }
      }
      b.addEventListener('click', async () => {
        err.clear();
        if (!w.resend) return go('twoStep', { ...p, method: m }, { replace: true });
        await busy(b, 'Sending…', async () => {
          try {
            const next = await send(MSG.UI_BG_TWO_STEP_RESEND, { method: m });
            go('twoStep', { ...p, ...next, method: m }, { replace: true });
          } catch (e) {
            err.show(e);
          }
        });
      });
      rows.push(b);
    }
    return h('div', {},
      h('h1', { text: 'Didn’t get a code?' }),
      h('p', { text: 'Codes can take a minute to arrive. Check your spam folder, or choose another way.' }),
      err, ok,
      h('div', { class: 'actions' }, rows.length ? rows : h('p', { text: 'No other way is set up for this account. Contact support from the portal.' })),
    );
  },
};

// ---------------------------------------------------------------------------
// Screens: master password

screens.masterCreate = {
  title: 'Master password',
  showSettings: true,
  noBack: true,
  render() {
    const err = errorBox();
    const list = checklist('master-rules');
    const local = app.state && app.state.account && app.state.account.local;
    const check = debounce(async (typed) => {
      try {
        await runCheck('master', pw.value, list, typed);
      } catch (e) {
        err.show(e);
      }
    }, 120);
    const form = h('form', { novalidate: true },
      h('h1', { text: 'Create your master password' }),
      h('p', { text: 'It encrypts your vault on this device. Watchword never sees it and cannot reset it — choose one you will remember. A few random words work well.' }),
      local ? h('div', { class: 'notice info' }, h('p', { text: 'Your vault will stay on this device only. You can connect an account later to sync it.' })) : null,
      err,
      field({ label: 'Master password', id: 'master', type: 'password', autocomplete: 'new-password', autofocus: true, oninput: () => check(true) }),
      list,
      field({ label: 'Confirm master password', id: 'master-confirm', type: 'password', autocomplete: 'new-password' }),
      h('div', { class: 'actions' }, h('button', { class: 'btn block', type: 'submit', id: 'create-vault' }, 'Create vault')),
      h('div', { class: 'progress', hidden: true, role: 'progressbar', 'aria-label': 'Creating your vault' }, h('span')),
      h('p', { class: 'muted', id: 'kdf-note', hidden: true, text: 'Deriving your key from the master password — this takes a moment on purpose, to slow down guessing.' }),
    );
    const pw = $('#master', form);
    check(false);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.clear();
      let res;
      try {
        res = await runCheck('master', pw.value, list, true);
      } catch (e) {
        return err.show(e);
      }
      if (!res.ok) {
        pw.focus();
        return err.show('Your master password doesn’t meet every requirement yet.');
      }
      if ($('#master-confirm', form).value !== pw.value) {
        $('#master-confirm', form).focus();
        return err.show('The two passwords are different.');
      }
      const bar = $('.progress', form);
      bar.hidden = false;
      $('#kdf-note', form).hidden = false;
      await busy($('#create-vault', form), 'Creating your vault…', async () => {
        try {
          app.state = await send(MSG.UI_BG_VAULT_CREATE, { password: pw.value });
          pw.value = '';
          $('#master-confirm', form).value = '';
          await home();
        } catch (e) {
          err.show(e);
        } finally {
          bar.hidden = true;
          $('#kdf-note', form).hidden = true;
        }
      });
    });
    return form;
  },
};

screens.unlock = {
  title: 'Unlock',
  noBack: true,
  showSettings: true,
  render() {
    const err = errorBox();
    const acct = app.state && app.state.account;
    const form = h('form', { novalidate: true, class: 'hero', style: 'text-align:left' },
      h('div', { style: 'text-align:center' }, h('img', { src: 'icons/icon-128.png', alt: '' })),
      h('h1', { style: 'text-align:center', text: 'Unlock your vault' }),
      acct && acct.email ? h('p', { style: 'text-align:center', text: acct.email }) : h('p', { style: 'text-align:center', text: 'Vault on this device' }),
      err,
      field({ label: 'Master password', id: 'master', type: 'password', autocomplete: 'current-password', autofocus: true }),
      h('div', { class: 'progress', hidden: true, role: 'progressbar', 'aria-label': 'Unlocking' }, h('span')),
      h('p', { class: 'muted', id: 'kdf-note', hidden: true, text: 'Deriving your key — this takes a moment on purpose, to slow down guessing.' }),
      h('div', { class: 'actions' }, h('button', { class: 'btn block', type: 'submit', id: 'unlock' }, 'Unlock')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.clear();
      const pw = $('#master', form);
      if (!pw.value) return err.show('Enter your master password.');
      $('.progress', form).hidden = false;
      $('#kdf-note', form).hidden = false;
      await busy($('#unlock', form), 'Unlocking…', async () => {
        try {
          app.state = await send(MSG.UI_BG_VAULT_UNLOCK, { password: pw.value });
          pw.value = '';
          await home();
        } catch (e) {
          err.show(e);
          pw.setAttribute('aria-invalid', 'true');
          pw.select();
        } finally {
          $('.progress', form).hidden = true;
          $('#kdf-note', form).hidden = true;
        }
      });
    });
    return form;
  },
};

// ---------------------------------------------------------------------------
// Screens: vault

const TYPES = [
  { id: 'login', label: 'Logins', one: 'Login' },
  { id: 'card', label: 'Cards', one: 'Payment card' },
  { id: 'identity', label: 'Identities', one: 'Identity' },
  { id: 'note', label: 'Notes', one: 'Secure note' },
  { id: 'document', label: 'Documents', one: 'Document' },
];
const MAX_DOCUMENT_BYTES = 512 * 1024; // well under the core's per-entry limit once encrypted
const DEFAULT_GEN = { kind: 'password', length: 20, lower: true, upper: true, digits: true, symbols: true, words: 5, separator: '-', capitalize: false, number: false };
const typeWord = (t) => (TYPES.find((x) => x.id === t) || { one: 'Entry' }).one;

function avatar(e) {
  const letter = ((e.name || '?').trim()[0] || '?').toUpperCase();
  return h('span', { class: `avatar ${e.type}`, 'aria-hidden': 'true', text: letter });
}

// virtualList renders a long list into ul, keeping in the document only the
// rows in view in the popup's scrolling area (plus a few either side), so
// 10,000 entries open and filter as fast as 10. Rows have one fixed height,
// measured from the first one drawn. Up and Down move between rows; the
// list scrolls the next one in.
function virtualList(ul, renderRow, keyOf) {
  const OVERSCAN = 8;
  let items = [];
  let rowHeight = 0;
  let drawn = '';
  // Rows drawn last time, by what they show: a list refreshed by sync keeps
  // the nodes of rows that did not change, so a row being clicked or
  // focused is never swapped out from under the pointer.
  let rowsByKey = new Map();
  const scroller = $('#screen');
  ul.classList.add('virtual');
  const paint = () => {
    if (!items.length || !ul.isConnected) return;
    if (!rowHeight) {
      const probe = renderRow(items[0], 0, items.length);
      ul.replaceChildren(probe);
      rowHeight = probe.getBoundingClientRect().height || 48;
    }
    const top = scroller.scrollTop - ul.offsetTop;
    const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
    const last = Math.min(items.length, Math.ceil((top + scroller.clientHeight) / rowHeight) + OVERSCAN);
    const key = `${first}:${last}:${items.length}`;
    if (key === drawn) return;
    drawn = key;
    ul.style.height = `${items.length * rowHeight}px`;
    const out = [];
    const kept = new Map();
    for (let i = first; i < last; i++) {
      const key = keyOf(items[i]);
      let li = rowsByKey.get(key);
      if (li) {
        // The same row at a new place: only its position changes.
        li.setAttribute('aria-setsize', items.length);
        li.setAttribute('aria-posinset', i + 1);
        const idx = li.querySelector('[data-index]');
        if (idx) idx.dataset.index = i;
      } else {
        li = renderRow(items[i], i, items.length);
      }
      li.style.top = `${i * rowHeight}px`;
      kept.set(key, li);
      out.push(li);
    }
    rowsByKey = kept;
    const same = out.length === ul.children.length && out.every((li, i) => ul.children[i] === li);
    if (!same) ul.replaceChildren(...out);
  };
  scroller.addEventListener('scroll', paint, { passive: true });
  ul.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    const cur = ev.target.closest('[data-index]');
    if (!cur) return;
    const next = Number(cur.dataset.index) + (ev.key === 'ArrowDown' ? 1 : -1);
    if (next < 0 || next >= items.length) return;
    ev.preventDefault();
    const y = ul.offsetTop + next * rowHeight;
    if (y < scroller.scrollTop) scroller.scrollTop = y;
    else if (y + rowHeight > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = y + rowHeight - scroller.clientHeight;
    paint();
    const el = ul.querySelector(`[data-index="${next}"]`);
    if (el) el.focus();
  });
  return {
    set(next) {
      items = next;
      drawn = '';
      if (!items.length) {
        ul.style.height = '';
        rowsByKey = new Map();
        ul.replaceChildren();
        return;
      }
      // The list is in the document only after the screen is shown.
      if (ul.isConnected) paint();
      else requestAnimationFrame(paint);
    },
  };
}

// ---------------------------------------------------------------------------
// Filling the page the popup was opened over
//
// The background asks the core which logins may be filled into the form the
// tab would fill (the popup decides nothing itself) and which need the
// person to confirm first; Fill sends the one chosen, and a confirmation
// comes back as the consent for exactly what was named.

const FILL_CONFIRM = {
  cross_origin_frame: (o) => ({ text: `This form is inside a frame from ${o}. Fill it anyway?`, consent: { frameOrigin: o } }),
  insecure_page: (o) => ({ text: `${o} is not secure (http). This login was saved for https. Fill it anyway?`, consent: { insecure: true } }),
  form_action: (o) => ({ text: `This form sends what you type to ${o}. Fill it anyway?`, consent: { formAction: true } }),
};

// fillTabId is the tab the Fill buttons act on: the active tab of the
// popup's window, or — for the popup opened in a tab of its own — the tab
// named by ?tab=.
async function fillTabId() {
  const named = new URLSearchParams(location.search).get('tab');
  if (named && /^\d+$/.test(named)) return Number(named);
  const own = chrome.tabs.getCurrent ? await chrome.tabs.getCurrent() : null;
  if (own) return null; // a popup in a tab fills only the tab it names
  const [t] = await chrome.tabs.query({ active: true, currentWindow: true });
  return t && Number.isInteger(t.id) ? t.id : null;
}

// pageFill answers the "This page" box of the vault screen, filled in when
// the background has answered (the list does not wait for it).
function pageFill() {
  const box = h('section', { id: 'page-fill', 'aria-label': 'Logins for this page', hidden: true });
  const status = h('div', { 'aria-live': 'polite' });
  let tabId = null;
  const say = (cls, text, ...actions) => status.replaceChildren(
    h('div', { class: `notice ${cls}` }, h('p', { class: 'grow', text }), ...actions));
  async function fill(button, m, consent) {
    let res;
    button.disabled = true;
    try {
      res = await send(MSG.UI_BG_FILL, { tabId, id: m.id, consent });
    } catch (err) {
      say('error', errorText(err));
      return;
    } finally {
      button.disabled = false;
    }
    if (res.confirm) {
      const c = (FILL_CONFIRM[res.confirm.reason] || (() => null))(res.confirm.origin);
      if (!c) return say('warn', 'Watchword will not fill this form here.');
      const yes = h('button', { class: 'btn small', type: 'button', id: 'fill-confirm', onclick: () => fill(yes, m, c.consent) }, 'Fill anyway');
      const no = h('button', { class: 'btn small secondary', type: 'button', onclick: () => say('info', 'Nothing was filled.') }, 'Cancel');
      return say('warn', c.text, yes, no);
    }
    if (res.filled > 0) {
      say('ok', 'Filled.');
      if (!new URLSearchParams(location.search).has('tab')) setTimeout(() => window.close(), 300);
      return;
    }
    say('warn', 'Watchword will not fill this form here.');
  }
  // Asked after the list's first paint, which it must not delay.
  requestAnimationFrame(() => setTimeout(async () => {
    tabId = await fillTabId().catch(() => null);
    if (tabId === null) return;
    let res;
    try {
      res = await send(MSG.UI_BG_FILL_MATCHES, { tabId });
    } catch {
      return; // no page to fill: the box stays hidden
    }
    if (!res.matches.length) return;
    box.replaceChildren(
      h('ul', { class: 'list', id: 'page-fill-list' }, ...res.matches.map((m) =>
        h('li', {}, h('div', { class: 'item' },
          avatar({ name: m.name || m.username, type: 'login' }),
          h('span', { class: 'text' }, h('div', { class: 'name', text: m.name || 'Login' }), h('div', { class: 'sub', text: m.username || '' })),
          h('button', { class: 'btn small', type: 'button', dataset: { fill: m.id }, onclick: (ev) => fill(ev.currentTarget, m, {}) }, 'Fill'))))),
      status);
    box.hidden = false;
  }));
  return box;
}

screens.vault = {
  title: 'Vault',
  noBack: true,
  async render() {
    const s = app.state;
    const err = errorBox();
    const banners = h('div');
    if (s.account && !s.account.local && !s.account.activated) {
      banners.append(h('div', { class: 'notice warn' },
        h('p', { class: 'grow', text: 'Confirm your email to start syncing.' }),
        h('button', { class: 'btn small secondary', type: 'button', onclick: () => go('confirmEmail') }, 'Details')));
    }
    if (s.reminder) {
      const dismiss = h('button', { class: 'btn small ghost', type: 'button', id: 'reminder-dismiss' }, 'Not now');
      const box = h('div', { class: 'notice info', id: 'reminder' },
        h('div', { class: 'grow' }, h('p', { text: 'Your vault is only on this device. Connect an account to keep it safe if this device is lost.' }),
          h('div', { style: 'margin-top:8px;display:flex;gap:8px' },
            h('button', { class: 'btn small', type: 'button', onclick: () => go('welcomeConnect') }, 'Connect'), dismiss)));
      dismiss.addEventListener('click', async () => {
        await send(MSG.UI_BG_REMINDER_DISMISS).catch(() => {});
        box.remove();
      });
      banners.append(box);
    }
    const search = h('input', { type: 'search', id: 'search', placeholder: 'Search your vault', 'aria-label': 'Search your vault', autofocus: true, autocomplete: 'off' });
    let filter = app.draft.filter || 'all';
    const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Show' },
      ...[{ id: 'all', label: 'All' }, { id: 'fav', label: '★ Favourites' }, ...TYPES].map((t) =>
        h('button', { type: 'button', class: 'chip', 'aria-pressed': String(filter === t.id), dataset: { filter: t.id }, onclick: (ev) => {
          filter = t.id;
          app.draft.filter = filter;
          for (const c of chips.children) c.setAttribute('aria-pressed', String(c.dataset.filter === filter));
          draw();
        } }, t.label)));
    const list = h('ul', { class: 'list', id: 'entries', 'aria-label': 'Entries' });
    const footnote = h('div');
    const node = h('div', {}, banners, err, pageFill(),
      h('div', { class: 'toolbar' }, search),
      chips, list, footnote,
      h('button', { class: 'fab', type: 'button', id: 'add', 'aria-label': 'Add an entry', title: 'Add an entry', onclick: () => go('addType') }, '+'));
    let data = { entries: [], failed: 0, unknown: 0 };
    try {
      data = app.list;
      if (!data) {
        const quick = await sessionList();
        if (quick && quick.head) {
          data = quick.head;
          app.listRest = quick.full;
        } else {
          data = (quick && (await quick.full())) || (await send(MSG.UI_BG_LIST));
        }
      }
      app.list = null;
    } catch (e) {
      if (e.code === 'locked') {
        setTimeout(home);
        return node;
      }
      err.show(e);
    }
    // The index lists no entries of types this version does not know (they
    // are kept, and counted). Its rows come sorted as shown (favourites
    // first, then by name) and each carries its lower-cased search text, so
    // a keystroke only filters.
    // A search looks in the name, the subtitle and find (the core's
    // lower-cased extra words: addresses, username, email).
    const toRows = (d) => d.entries.map((e) => ({
      id: e.id, type: e.type, name: e.name, favorite: !!e.fav, archived: !!e.archived, subtitle: e.sub,
      haystack: `${e.name} ${e.sub}`.toLowerCase() + (e.find ? ` ${e.find}` : ''),
    }));
    let rows = toRows(data);
    const vlist = virtualList(list, (e, i, n) =>
      h('li', { 'aria-setsize': n, 'aria-posinset': i + 1 }, h('button', { type: 'button', class: 'item', dataset: { id: e.id, index: i }, onclick: () => go('entry', { id: e.id }) },
        avatar(e),
        h('span', { class: 'text' }, h('div', { class: 'name', text: e.name || 'Untitled' }), h('div', { class: 'sub', text: e.subtitle || typeWord(e.type) })),
        e.archived ? h('span', { class: 'badge', text: 'Archived' }) : null,
        e.favorite ? h('span', { class: 'star', 'aria-label': 'Favourite', text: '★' }) : null)),
    (e) => JSON.stringify([e.id, e.type, e.name, e.subtitle, e.favorite, e.archived]));
    const draw = () => {
      const q = search.value.trim().toLowerCase();
      const shown = rows.filter((e) =>
        (filter === 'all' || (filter === 'fav' ? e.favorite : e.type === filter)) && (!q || e.haystack.includes(q)));
      if (!shown.length) {
        vlist.set([]);
        list.replaceChildren(h('li', { class: 'empty' }, rows.length ? 'Nothing matches.' : 'Your vault is empty. Add your first login with +.'));
        return;
      }
      vlist.set(shown);
    };
    search.addEventListener('input', draw);
    draw();
    const counts = (d) => {
      const notes = [];
      const unknown = d.unknown || 0;
      if (unknown > 0) {
        notes.push(h('div', { class: 'notice info', id: 'hidden-count' },
          h('p', { text: `${unknown} ${unknown === 1 ? 'entry needs' : 'entries need'} a newer version of Watchword.` })));
      }
      if (d.failed) {
        notes.push(h('div', { class: 'notice warn', id: 'failed-count' },
          h('p', { text: `${d.failed} ${d.failed === 1 ? 'entry' : 'entries'} could not be opened: the stored copy is damaged or was changed by someone else.` })));
      }
      footnote.replaceChildren(...notes);
      footnote.style.marginTop = notes.length ? '12px' : '';
    };
    counts(data);
    // A change from sync or another window updates the list where it
    // stands: the search text, filter, scroll position, focus and the rows
    // that did not change stay as they are.
    app.vaultView = {
      node,
      update(next) {
        rows = toRows(next);
        draw();
        counts(next);
      },
    };
    // Drawn from the head: once its rows are on screen the whole index is
    // read and replaces it (where the list stands, as a sync update
    // would), or the background's index when storage.session has none
    // after all.
    const rest = app.listRest;
    app.listRest = null;
    if (rest) {
      new Promise((r) => requestAnimationFrame(() => setTimeout(r))).then(rest).then((full) => full || send(MSG.UI_BG_LIST)).then((full) => {
        if (app.vaultView && app.vaultView.node === node) {
          app.vaultView.update(full);
          performance.mark('ww:list-whole');
        }
      }, (e) => (e.code === 'locked' ? setTimeout(home) : err.show(e)));
    }
    return node;
  },
};

screens.welcomeConnect = {
  title: 'Connect an account',
  render() {
    return h('div', {},
      h('h1', { text: 'Connect an account' }),
      h('p', { text: 'Your vault will be uploaded, still encrypted with your master password, and kept in sync on every device you sign in on.' }),
      h('div', { class: 'actions' },
        h('button', { class: 'btn block', type: 'button', autofocus: true, onclick: () => go('register') }, 'Create an account'),
        h('button', { class: 'btn secondary block', type: 'button', onclick: () => go('signIn') }, 'I have an account')),
    );
  },
};

screens.addType = {
  title: 'Add',
  render() {
    return h('div', {},
      h('h1', { text: 'What do you want to add?' }),
      h('ul', { class: 'list' }, ...TYPES.map((t, i) =>
        h('li', {}, h('button', { type: 'button', class: 'item', autofocus: i === 0, dataset: { type: t.id }, onclick: () => go('edit', { type: t.id }, { replace: true }) },
          avatar({ name: t.one, type: t.id }), h('span', { class: 'text' }, h('div', { class: 'name', text: t.one })))))),
    );
  },
};

// The fields the popup shows per type, named as the core's schema names
// them. The core decides what is stored and keeps the fields it does not
// know; this is only the form layout.
const FORMS = {
  login: [
    { k: 'username', label: 'Username or email' },
    { k: 'password', label: 'Password', secret: true, gen: true },
    { k: 'urls', label: 'Websites', urls: true, hint: 'One address per line' },
    { k: 'totp', label: 'Authenticator key (TOTP)', secret: true, hint: 'The setup key or otpauth:// link the site shows' },
    { k: 'notes', label: 'Notes', multiline: true },
  ],
  card: [
    { k: 'cardholder', label: 'Name on card' },
    { k: 'number', label: 'Card number', secret: true, inputmode: 'numeric' },
    { k: 'expiry', label: 'Expiry (MM/YY)' },
    { k: 'securityCode', label: 'Security code', secret: true, inputmode: 'numeric' },
    { k: 'pin', label: 'PIN', secret: true, inputmode: 'numeric' },
    { k: 'notes', label: 'Notes', multiline: true },
  ],
  identity: [
    { k: 'givenName', label: 'First name' },
    { k: 'familyName', label: 'Last name' },
    { k: 'company', label: 'Company' },
    { k: 'email', label: 'Email' },
    { k: 'phone', label: 'Phone' },
    { k: 'street', label: 'Street' },
    { k: 'city', label: 'City' },
    { k: 'region', label: 'State or region' },
    { k: 'postalCode', label: 'Postal code' },
    { k: 'country', label: 'Country or region' },
    { k: 'notes', label: 'Notes', multiline: true },
  ],
  note: [{ k: 'notes', label: 'Note', multiline: true }],
  document: [
    { k: 'data', label: 'File', file: true },
    { k: 'notes', label: 'Notes', multiline: true },
  ],
};

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    return announce('Could not copy.');
  }
  const secs = (app.state && app.state.settings.clipboardClearSeconds) || 30;
  announce(`${what} copied. The clipboard clears in ${secs} seconds.`);
  toast(`${what} copied — clears in ${secs} s`);
  // The background clears it after secs if it still holds this text; it
  // gets only a digest of it.
  sha256Hex(text).then((digest) => send(MSG.UI_BG_CLIPBOARD_CLEAR, { after: secs, digest })).catch(() => {});
}

async function sha256Hex(text) {
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('');
}

// download saves a document's file (base64, as the core answers it) under
// the entry's name. The bytes go from this page straight to the browser's
// download; nothing else sees them.
function download(base64, mimeType, name) {
  let bytes;
  try {
    const bin = atob(base64);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  } catch {
    return announce('This file cannot be read.');
  }
  saveBlob(new Blob([bytes], { type: mimeType || 'application/octet-stream' }), (name || 'document').replace(/[\\/:*?"<>|]+/g, '_'));
}

// saveBlob hands blob to the browser's download as a file called name.
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function toast(text) {
  const t = h('div', { class: 'notice ok', role: 'status', style: 'position:absolute;left:16px;right:16px;bottom:48px;z-index:5;box-shadow:0 6px 20px rgba(0,0,0,.15)', text });
  $('#app').append(t);
  setTimeout(() => t.remove(), 2200);
}

screens.entry = {
  title: 'Entry',
  async render({ id }) {
    const err = errorBox();
    let e;
    try {
      e = await send(MSG.UI_BG_ENTRY_GET, { id });
    } catch (x) {
      err.show(x);
      return h('div', {}, err);
    }
    const rows = [];
    const ef = e.fields || {};
    for (const f of FORMS[e.type] || []) {
      let v = ef[f.k];
      if (f.urls) v = (v || []).map((u) => u.url).join('\n');
      if (f.file && v) v = `${Math.ceil((v.length * 3) / 4 / 1024)} KB${ef.mimeType ? ` · ${ef.mimeType}` : ''}`;
      if (!v || f.k === 'totp') continue;
      // A card number keeps its last four digits in view, as the list shows it.
      const masked = e.type === 'card' && f.k === 'number' && /\d{4}/.test(v) ? `•••• ${v.replace(/\D/g, '').slice(-4)}` : '••••••••••';
      const val = h('div', { class: `v${f.secret ? ' mono' : ''}${f.multiline || f.urls ? ' lines' : ''}`, text: f.secret ? masked : v, dataset: { field: f.k } });
      const actions = [];
      if (f.secret) {
        const eye = h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Show ${f.label.toLowerCase()}`, 'aria-pressed': 'false' }, icon('eye'));
        eye.addEventListener('click', () => {
          const show = eye.getAttribute('aria-pressed') !== 'true';
          val.textContent = show ? v : masked;
          eye.setAttribute('aria-pressed', String(show));
          eye.setAttribute('aria-label', `${show ? 'Hide' : 'Show'} ${f.label.toLowerCase()}`);
          eye.replaceChildren(icon(show ? 'eyeOff' : 'eye'));
        });
        actions.push(eye);
      }
      if (!f.multiline && !f.file && !f.urls) {
        actions.push(h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Copy ${f.label.toLowerCase()}`, dataset: { copy: f.k }, onclick: () => copy(v, f.label) }, icon('copy')));
      }
      if (f.file) {
        const data = ef[f.k];
        actions.push(h('button', { type: 'button', class: 'icon-btn', id: 'download', 'aria-label': 'Download the file', title: 'Download', onclick: () => download(data, ef.mimeType, ef.name) }, icon('download')));
      }
      rows.push(h('div', { class: 'row' }, h('div', { class: 'grow' }, h('div', { class: 'k', text: f.label }), val), ...actions));
    }
    const totpRow = h('div', { class: 'row', hidden: true, id: 'totp-row' });
    if (ef.totp) {
      const codeEl = h('div', { class: 'v totp mono', 'aria-live': 'off' });
      const left = h('div', { class: 'k' });
      const tick = async () => {
        if (!totpRow.isConnected && totpRow.dataset.started) return;
        totpRow.dataset.started = '1';
        try {
          const t = await send(MSG.UI_BG_TOTP, { id });
          codeEl.textContent = `${t.code.slice(0, 3)} ${t.code.slice(3)}`;
          codeEl.dataset.code = t.code;
          left.textContent = `One-time code · ${t.remaining} s`;
          totpRow.hidden = false;
          setTimeout(tick, 1000);
        } catch {
          totpRow.hidden = true;
        }
      };
      totpRow.append(h('div', { class: 'grow' }, left, codeEl),
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Copy one-time code', onclick: () => copy(codeEl.dataset.code || '', 'Code') }, icon('copy')));
      tick();
    }
    const notices = [];
    if (e.readOnly) notices.push(h('div', { class: 'notice warn', id: 'archived' }, h('p', { class: 'grow', text: 'This kind of entry is archived: you can view and copy it, but not change it. An encrypted export keeps it as it is.' }),
      h('button', { class: 'btn small secondary', type: 'button', id: 'archived-export', onclick: () => go('transfer') }, 'Export')));
    if (e.hiddenFields) notices.push(h('div', { class: 'notice info', id: 'hidden-data' }, h('p', { text: 'Some data in this entry can’t be shown by this version of Watchword. It is kept unchanged.' })));
    const history = (ef.history || []).slice().reverse();
    const name = ef.name || 'Untitled';
    return h('div', {},
      h('div', { class: 'detail-head' }, avatar({ name, type: e.type }),
        h('div', { class: 'grow' }, h('h1', { text: name }), h('div', { class: 'muted', text: typeWord(e.type) })),
        ef.favourite ? h('span', { class: 'star', 'aria-label': 'Favourite', text: '★' }) : null),
      ...notices, err,
      h('div', { class: 'kv' }, ef.totp ? totpRow : null, ...rows),
      history.length
        ? h('details', {}, h('summary', { text: `History (${history.length})` }),
          h('ul', { class: 'history' }, ...history.map((x) => h('li', {}, h('span', { class: 'mono', text: x.value }), ` · ${x.field || 'field'} · ${new Date(x.time).toLocaleString()}`))))
        : null,
      e.readOnly ? null : h('div', { class: 'actions row' },
        h('button', { class: 'btn secondary', type: 'button', id: 'edit', onclick: () => go('edit', { id, type: e.type, entry: e }) }, 'Edit'),
        h('button', { class: 'btn secondary', type: 'button', id: 'delete', onclick: () => go('confirmDelete', { id, name }) }, 'Delete')),
    );
  },
};

screens.confirmDelete = {
  title: 'Delete',
  render({ id, name }) {
    const err = errorBox();
    return h('div', {},
      h('h1', { text: `Delete “${name || 'Untitled'}”?` }),
      h('p', { text: 'It is removed from this device and, when you sync, from your other devices.' }),
      err,
      h('div', { class: 'actions row' },
        h('button', { class: 'btn secondary', type: 'button', autofocus: true, onclick: back }, 'Cancel'),
        h('button', { class: 'btn danger', type: 'button', id: 'confirm-delete', onclick: async () => {
          try {
            await send(MSG.UI_BG_ENTRY_DELETE, { id });
            go('vault', {}, { reset: true });
          } catch (e) {
            err.show(e);
          }
        } }, 'Delete')),
    );
  },
};

screens.edit = {
  title: 'Edit',
  render({ id, type, entry }) {
    const e = entry || { type, fields: {} };
    const ef = e.fields || {};
    const err = errorBox();
    const inputs = {};
    let file = null; // {data (base64), mimeType} chosen for a document
    const fields = (FORMS[type] || []).map((f) => {
      const fid = `f-${f.k}`;
      let control;
      if (f.file) {
        control = h('input', { id: fid, name: f.k, type: 'file' });
        control.addEventListener('change', () => {
          const picked = control.files[0];
          if (!picked) return;
          if (picked.size > MAX_DOCUMENT_BYTES) {
            control.value = '';
            return err.show(`That file is too large: documents can be up to ${MAX_DOCUMENT_BYTES / 1024} KB.`);
          }
          const r = new FileReader();
          r.onload = () => {
            const url = String(r.result);
            file = { data: url.slice(url.indexOf(',') + 1), mimeType: picked.type || 'application/octet-stream' };
            if (!$('#f-name', form).value) $('#f-name', form).value = picked.name;
          };
          r.readAsDataURL(picked);
        });
      } else if (f.multiline || f.urls) {
        control = h('textarea', { id: fid, name: f.k, spellcheck: 'false' });
        control.value = f.urls ? (ef.urls || []).map((u) => u.url).join('\n') : ef[f.k] || '';
      } else {
        control = h('input', { id: fid, name: f.k, type: f.secret ? 'password' : 'text', value: ef[f.k] || '', autocomplete: 'off', spellcheck: 'false', inputmode: f.inputmode });
      }
      inputs[f.k] = control;
      const kids = [h('label', { for: fid, text: f.label })];
      if (f.gen) {
        const gen = h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Generate a password', title: 'Generate', id: 'gen' }, icon('dice'));
        gen.addEventListener('click', async () => {
          try {
            const r = await send(MSG.UI_BG_GENERATE, { options: app.draft.genOptions || DEFAULT_GEN });
            control.value = r.password;
            control.type = 'text';
            announce('New password generated.');
          } catch (x) {
            err.show(x);
          }
        });
        kids.push(h('div', { class: 'input-wrap' }, control, gen));
      } else if (f.secret) {
        const eye = h('button', { class: 'icon-btn', type: 'button', 'aria-label': `Show ${f.label.toLowerCase()}`, 'aria-pressed': 'false' }, icon('eye'));
        eye.addEventListener('click', () => {
          const show = control.type === 'password';
          control.type = show ? 'text' : 'password';
          eye.setAttribute('aria-pressed', String(show));
          eye.replaceChildren(icon(show ? 'eyeOff' : 'eye'));
        });
        kids.push(h('div', { class: 'input-wrap' }, control, eye));
      } else kids.push(control);
      if (f.hint) kids.push(h('div', { class: 'hint', text: f.hint }));
      return h('div', { class: 'field' }, kids);
    });
    const form = h('form', { novalidate: true },
      h('h1', { text: id ? `Edit ${typeWord(type).toLowerCase()}` : `New ${typeWord(type).toLowerCase()}` }),
      e.hiddenFields ? h('div', { class: 'notice info' }, h('p', { text: 'Some data in this entry can’t be shown by this version of Watchword. It will be kept unchanged.' })) : null,
      err,
      field({ label: 'Name', id: 'f-name', value: ef.name || '', autofocus: true }),
      ...fields,
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'f-favourite', checked: !!ef.favourite }), h('span', { text: 'Favourite' })),
      h('div', { class: 'actions row' },
        h('button', { class: 'btn secondary', type: 'button', onclick: back }, 'Cancel'),
        h('button', { class: 'btn', type: 'submit', id: 'save' }, 'Save')),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.clear();
      const name = $('#f-name', form).value.trim();
      if (!name) {
        $('#f-name', form).focus();
        return err.show('Give the entry a name.');
      }
      // Only the fields this form shows are sent; the core keeps the rest.
      const out = { id, type, fields: { name, favourite: $('#f-favourite', form).checked } };
      for (const [k, el] of Object.entries(inputs)) {
        if (k === 'urls') {
          // Keep each address's matching rule when the address is unchanged.
          const old = new Map((ef.urls || []).map((u) => [u.url, u.match]));
          out.fields.urls = el.value.split('\n').map((x) => x.trim()).filter(Boolean).map((url) => (old.has(url) ? { url, match: old.get(url) } : { url }));
        } else if (k === 'data') {
          if (file) Object.assign(out.fields, file);
        } else out.fields[k] = el.value;
      }
      await busy($('#save', form), 'Saving…', async () => {
        try {
          const r = await send(MSG.UI_BG_ENTRY_SAVE, { entry: out });
          app.stack = [{ name: 'vault', params: {} }];
          go('entry', { id: r.id }, { replace: true });
        } catch (x) {
          err.show(x);
        }
      });
    });
    return form;
  },
};

screens.generator = {
  title: 'Generator',
  render() {
    const o = (app.draft.genOptions ||= { ...DEFAULT_GEN });
    const out = h('div', { class: 'gen-out', id: 'generated', 'aria-live': 'polite' });
    const err = errorBox();
    const opts = h('div');
    const run = async () => {
      err.clear();
      try {
        const r = await send(MSG.UI_BG_GENERATE, { options: o });
        out.textContent = r.password;
      } catch (e) {
        err.show(e);
      }
    };
    const seg = h('div', { class: 'seg', role: 'group', 'aria-label': 'Kind' },
      ...[['password', 'Password'], ['passphrase', 'Passphrase']].map(([k, l]) =>
        h('button', { type: 'button', 'aria-pressed': String(o.kind === k), onclick: () => {
          o.kind = k;
          for (const b of seg.children) b.setAttribute('aria-pressed', String(b.textContent === l));
          drawOpts();
          run();
        } }, l)));
    const toggle = (k, label) => h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: !!o[k], onchange: (ev) => {
      o[k] = ev.target.checked;
      run();
    } }), h('span', { text: label }));
    const drawOpts = () => {
      if (o.kind === 'password') {
        const len = h('input', { type: 'range', id: 'len', min: 8, max: 64, value: o.length });
        const lab = h('label', { for: 'len', text: `Length: ${o.length}` });
        len.addEventListener('input', () => {
          o.length = Number(len.value);
          lab.textContent = `Length: ${o.length}`;
          run();
        });
        opts.replaceChildren(h('div', { class: 'field' }, lab, len), toggle('upper', 'Uppercase (A–Z)'), toggle('lower', 'Lowercase (a–z)'), toggle('digits', 'Digits (0–9)'), toggle('symbols', 'Symbols (!@#…)'));
      } else {
        const n = h('input', { type: 'range', id: 'words', min: 3, max: 12, value: o.words });
        const lab = h('label', { for: 'words', text: `Words: ${o.words}` });
        n.addEventListener('input', () => {
          o.words = Number(n.value);
          lab.textContent = `Words: ${o.words}`;
          run();
        });
        opts.replaceChildren(h('div', { class: 'field' }, lab, n), toggle('capitalize', 'Capitalise words'), toggle('number', 'Add a digit'));
      }
    };
    drawOpts();
    run();
    return h('div', {}, h('h1', { text: 'Password generator' }), err, out,
      h('div', { class: 'actions row', style: 'margin:0 0 16px' },
        h('button', { class: 'btn secondary', type: 'button', id: 'regenerate', onclick: run }, 'New'),
        h('button', { class: 'btn', type: 'button', id: 'copy-generated', autofocus: true, onclick: () => copy(out.textContent, 'Password') }, 'Copy')),
      seg, opts);
  },
};

// ---------------------------------------------------------------------------
// Settings

screens.settings = {
  title: 'Settings',
  async render() {
    const s = await refreshState();
    const err = errorBox();
    const set = async (patch) => {
      err.clear();
      try {
        app.state = await send(MSG.UI_BG_SETTINGS_SET, { settings: patch });
        renderStatus();
      } catch (e) {
        err.show(e);
      }
    };
    const acct = s.account;
    const lockSel = h('select', { id: 'autolock', onchange: (ev) => set({ autoLockMinutes: Number(ev.target.value) }) },
      ...[[1, '1 minute'], [5, '5 minutes'], [15, '15 minutes'], [60, '1 hour'], [240, '4 hours'], [0, 'Only when the browser closes']].map(([v, l]) =>
        h('option', { value: v, selected: s.settings.autoLockMinutes === v }, l)));
    const sync = h('input', { type: 'checkbox', id: 'sync-enabled', checked: s.settings.syncEnabled, disabled: !acct || acct.local, onchange: (ev) => set({ syncEnabled: ev.target.checked }) });
    return h('div', {},
      h('h1', { text: 'Settings' }), err,
      h('div', { class: 'section' },
        h('h2', { text: 'General' }),
        h('h3', { class: 'sr-only', text: 'Synchronization' }),
        h('div', { class: 'k', style: 'font-weight:600;margin-bottom:4px', text: 'Synchronization' }),
        h('label', { class: 'check' }, sync, h('span', { text: 'Synchronize passwords and data across all your devices' })),
        !acct || acct.local ? h('p', { class: 'muted', text: 'Connect an account to sync.' }) : null,
        h('div', { class: 'field' }, h('label', { for: 'autolock', text: 'Lock automatically after' }), lockSel),
        h('div', { class: 'actions row', style: 'margin-top:0' },
          h('button', { class: 'btn secondary', type: 'button', id: 'open-generator', onclick: () => go('generator') }, 'Password generator'),
          s.vault.unlocked ? h('button', { class: 'btn secondary', type: 'button', id: 'open-transfer', onclick: () => go('transfer') }, 'Import and export') : null),
      ),
      h('div', { class: 'section' },
        h('h2', { text: 'Account' }),
        acct && !acct.local
          ? h('div', {},
            h('p', {}, 'Signed in as ', h('strong', { text: acct.email || '' })),
            h('div', { class: 'actions row' },
              h('button', { class: 'btn secondary', type: 'button', id: 'switch-account', onclick: () => signOut('signIn') }, 'Switch account'),
              h('button', { class: 'btn secondary', type: 'button', id: 'sign-out', onclick: () => signOut('welcome') }, 'Sign out')))
          : h('div', {},
            h('p', { text: 'Your vault is on this device only.' }),
            h('div', { class: 'actions' }, h('button', { class: 'btn secondary block', type: 'button', onclick: () => go('welcomeConnect') }, 'Connect an account'))),
      ),
      h('p', { class: 'muted' }, 'Server: ', h('span', { text: s.settings.serverUrl }), ' · ',
        h('a', { href: chrome.runtime.getURL('options.html'), target: '_blank', text: 'Change' })),
    );
  },
};

// Import and export. Firefox closes its toolbar popup when a file chooser
// opens, so there the screen sends people to the same screen in a tab.

function inToolbarPopup() {
  const q = new URLSearchParams(location.search);
  return !q.has('screen') && !q.has('tab');
}

const FIREFOX = typeof navigator !== 'undefined' && /\bFirefox\//.test(navigator.userAgent);

function datedName(prefix, ext) {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${prefix}-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.${ext}`;
}


function plural(n, one, many) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

// act runs one action of the Import and export screen: its button busy
// with label, the action's error box and result cleared, then the nodes
// work answers shown as the result, or what it throws (an error, or a
// sentence for the person) in the error box.
async function act(button, label, err, out, work) {
  await busy(button, label, async () => {
    err.clear();
    out.replaceChildren();
    try {
      out.replaceChildren(...(await work()).filter(Boolean));
    } catch (e) {
      err.show(e);
    }
  });
}

screens.transfer = {
  title: 'Import and export',
  render() {
    const importErr = errorBox();
    const importOut = h('div', { id: 'import-result', 'aria-live': 'polite' });
    const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,text/csv', 'aria-describedby': 'import-help' });
    const importBtn = h('button', { class: 'btn', type: 'button', id: 'import', disabled: true }, 'Import');
    file.addEventListener('change', () => {
      importBtn.disabled = !file.files.length;
      importErr.clear();
      importOut.replaceChildren();
    });
    importBtn.addEventListener('click', async () => {
      await act(importBtn, 'Importing…', importErr, importOut, async () => {
        const f = file.files[0];
        if (!f) return [];
        if (f.size > 16 << 20) throw 'The file is larger than 16 MB.';
        const r = await send(MSG.UI_BG_IMPORT_CSV, { text: await f.text() });
        file.value = '';
        const lines = [r.imported ? `Imported ${plural(r.imported, 'login', 'logins')}.` : 'No new logins in this file.'];
        if (r.duplicates) lines.push(`${plural(r.duplicates, 'login was', 'logins were')} already in your vault.`);
        return [
          h('div', { class: `notice stack ${r.imported ? 'ok' : 'info'}`, id: 'import-done' },
            ...lines.map((t) => h('p', { text: t })),
            h('p', { text: 'Delete the CSV file now: it holds your passwords in plain text.' })),
          r.skipped.length
            ? h('div', { class: 'notice stack warn', id: 'import-skipped' },
              h('p', { text: `${plural(r.skipped.length, 'row was', 'rows were')} left out:` }),
              h('ul', {}, ...r.skipped.slice(0, 20).map((k) => h('li', { text: `Line ${k.line}: ${k.reason}.` }))),
              r.skipped.length > 20 ? h('p', { text: `and ${r.skipped.length - 20} more.` }) : null)
            : null,
        ];
      });
      importBtn.disabled = !file.files.length;
    });
    const inTab = (id) => h('button', { class: 'btn secondary', type: 'button', id, onclick: () => {
      chrome.tabs.create({ url: chrome.runtime.getURL('popup.html?screen=transfer') });
      window.close();
    } }, 'Open in a tab');

    const exportErr = errorBox();
    const exportOut = h('div', { id: 'export-result', 'aria-live': 'polite' });
    const ack = h('input', { type: 'checkbox', id: 'export-ack' });
    const exportBtn = h('button', { class: 'btn secondary', type: 'button', id: 'export', disabled: true }, 'Export CSV');
    ack.addEventListener('change', () => {
      exportBtn.disabled = !ack.checked;
    });
    exportBtn.addEventListener('click', async () => {
      await act(exportBtn, 'Exporting…', exportErr, exportOut, async () => {
        const r = await send(MSG.UI_BG_EXPORT_CSV);
        saveBlob(new Blob([r.csv], { type: 'text/csv;charset=utf-8' }), datedName('watchword-logins', 'csv'));
        return [h('div', { class: 'notice stack ok', id: 'export-done' },
          h('p', { text: `Exported ${plural(r.logins, 'login', 'logins')}.` }),
          r.others ? h('p', { text: `${plural(r.others, 'entry', 'entries')} of other kinds (cards, identities, notes, documents) cannot go in a CSV file and stayed out.` }) : null)];
      });
      ack.checked = false; // asked again for the next file
      exportBtn.disabled = true;
    });
    const needsTab = FIREFOX && inToolbarPopup();
    const chooser = (id, ...kids) => (needsTab
      ? h('div', {}, h('p', { text: 'Firefox closes this window while you choose a file.' }), h('div', { class: 'actions' }, inTab(id)))
      : h('div', {}, ...kids));

    // Restore: an encrypted Watchword export and its password.
    const restoreErr = errorBox();
    const restoreOut = h('div', { id: 'restore-result', 'aria-live': 'polite' });
    const restoreFile = h('input', { type: 'file', id: 'restore-file', accept: '.json,application/json' });
    const restoreForm = h('form', { novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'restore-file', text: 'Export file' }), restoreFile),
      field({ label: 'Password of the file', id: 'restore-password', type: 'password', autocomplete: 'off' }),
      h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'submit', id: 'restore' }, 'Restore')));
    restoreForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const pw = $('#restore-password', restoreForm);
      await act($('#restore', restoreForm), 'Opening the file…', restoreErr, restoreOut, async () => {
        const f = restoreFile.files[0];
        if (!f) throw 'Choose the export file first.';
        let r;
        try {
          r = await send(MSG.UI_BG_IMPORT_SEALED, { text: await f.text(), password: pw.value });
        } catch (e) {
          pw.focus();
          throw e.code === 'wrong_password' ? 'This password does not open the file.' : e;
        }
        pw.value = '';
        restoreFile.value = '';
        const lines = [r.imported ? `Restored ${plural(r.imported, 'entry', 'entries')}.` : 'Nothing new in this file.'];
        if (r.duplicates) lines.push(`${plural(r.duplicates, 'entry was', 'entries were')} already in your vault.`);
        if (r.damaged) lines.push(`${plural(r.damaged, 'entry', 'entries')} in the file could not be read and stayed out.`);
        return [h('div', { class: `notice stack ${r.imported ? 'ok' : 'info'}`, id: 'restore-done' }, ...lines.map((t) => h('p', { text: t })))];
      });
    });

    // The encrypted export: a password chosen for the file, checked like a
    // master password.
    const sealedErr = errorBox();
    const sealedOut = h('div', { id: 'export-sealed-result', 'aria-live': 'polite' });
    const rules = checklist('export-rules');
    const sealedForm = h('form', { novalidate: true },
      field({ label: 'Password for the file', id: 'export-password', type: 'password', autocomplete: 'new-password', oninput: () => check(true) }),
      rules,
      field({ label: 'Confirm the password', id: 'export-password-confirm', type: 'password', autocomplete: 'new-password' }),
      h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'submit', id: 'export-sealed' }, 'Export encrypted')));
    const epw = $('#export-password', sealedForm);
    const check = debounce(() => runCheck('master', epw.value, rules, true).catch((e) => sealedErr.show(e)), 120);
    runCheck('master', '', rules, false).catch(() => {});
    sealedForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const confirm = $('#export-password-confirm', sealedForm);
      await act($('#export-sealed', sealedForm), 'Encrypting…', sealedErr, sealedOut, async () => {
        if (epw.value !== confirm.value) throw 'The two passwords are not the same.';
        const r = await send(MSG.UI_BG_EXPORT_SEALED, { password: epw.value });
        saveBlob(new Blob([r.file], { type: 'application/json' }), datedName('watchword-export', 'json'));
        epw.value = '';
        confirm.value = '';
        return [h('div', { class: 'notice stack ok', id: 'export-sealed-done' },
          h('p', { text: `Exported ${plural(r.entries, 'entry', 'entries')}, encrypted.` }),
          h('p', { text: 'Keep the password somewhere safe: without it nobody, Watchword included, can open the file.' }),
          r.damaged ? h('p', { text: `${plural(r.damaged, 'entry', 'entries')} could not be read and stayed out.` }) : null)];
      });
    });

    return h('div', {},
      h('h1', { text: 'Import and export' }),
      h('div', { class: 'section' },
        h('h2', { text: 'Import logins' }),
        h('p', { class: 'muted', id: 'import-help', text: 'From a CSV file another browser or password manager exported: in Chrome, Password Manager › Settings › Export passwords; in Firefox, about:logins › ⋯ › Export logins. Logins already in your vault are not added twice.' }),
        importErr,
        chooser('import-in-tab', h('div', { class: 'field' }, h('label', { for: 'import-file', text: 'CSV file' }), file), h('div', { class: 'actions' }, importBtn)),
        importOut),
      h('div', { class: 'section' },
        h('h2', { text: 'Restore a Watchword export' }),
        h('p', { class: 'muted', text: 'Every entry of an encrypted export goes into this vault; entries already in it are not added twice.' }),
        restoreErr,
        chooser('restore-in-tab', restoreForm),
        restoreOut),
      h('div', { class: 'section' },
        h('h2', { text: 'Export' }),
        h('p', { class: 'muted', text: 'An encrypted export holds every entry — logins, cards, identities, notes, documents — and opens only with the password you choose for it, in Watchword on any device.' }),
        sealedErr,
        sealedForm,
        sealedOut,
        h('h3', { text: 'Logins as CSV' }),
        h('p', { class: 'muted', text: 'For another browser or password manager.' }),
        h('div', { class: 'notice warn' }, h('p', { text: 'A CSV file is not encrypted: anyone who can open it can read every password in it. Keep it only as long as you need it.' })),
        exportErr,
        h('label', { class: 'check' }, ack, h('span', { text: 'I understand' })),
        h('div', { class: 'actions' }, exportBtn),
        exportOut));
  },
};

async function signOut(next) {
  try {
    app.state = await send(MSG.UI_BG_SIGN_OUT);
    app.draft = {};
    renderStatus();
    go(next, {}, { reset: true });
  } catch (e) {
    alertScreenError(e);
  }
}

// ---------------------------------------------------------------------------
// Status corner

function statusWords(st) {
  const at = st.at ? new Date(st.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
  switch (st.state) {
    case 'synced':
      return `Synced${at ? ` ${at}` : ''}`;
    case 'syncing':
      return 'Syncing…';
    case 'paused':
      return st.pending ? `Sync paused · ${st.pending} to send` : 'Sync paused';
    case 'offline':
      return st.pending ? `Offline · ${st.pending} to send` : 'Offline';
    case 'pending':
      return st.pending ? `${st.pending} change${st.pending === 1 ? '' : 's'} to send` : 'Waiting to sync';
    case 'attention':
      return 'Sync needs attention';
    case 'unconfirmed':
      return 'Confirm your email to sync';
    case 'local':
      return 'On this device only';
    default:
      return 'Not signed in';
  }
}

function renderStatus() {
  const s = app.state;
  const st = (s && s.account && s.sync) || { state: 'none' };
  const btn = $('#status');
  btn.dataset.state = st.state;
  $('#status-text').textContent = statusWords(st);
  btn.setAttribute('aria-label', `Sync status: ${statusWords(st)}`);
}

function closeStatusMenu() {
  $('#status-menu').hidden = true;
  $('#status').setAttribute('aria-expanded', 'false');
}

function openStatusMenu() {
  const s = app.state || {};
  const st = (s.account && s.sync) || { state: 'none' };
  const menu = $('#status-menu');
  const items = [];
  const text = {
    synced: 'Everything on this device is saved to your account.',
    syncing: 'Sending and fetching changes…',
    paused: 'Sync is off. Changes stay on this device until you turn it on.',
    offline: 'The server can’t be reached. Your changes are kept and sent when it can.',
    pending: 'Some changes haven’t reached your account yet.',
    attention: st.message || 'Something stopped sync. Try again, or sign in again.',
    unconfirmed: 'Open the link we emailed you to start syncing.',
    local: 'Connect an account to sync this vault to your other devices.',
    none: 'Sign in to sync your vault between devices.',
  }[st.state] || '';
  items.push(h('p', { text }));
  if (st.state === 'paused') {
    items.push(h('button', { class: 'btn small block', type: 'button', id: 'enable-sync', onclick: async () => {
      closeStatusMenu();
      app.state = await send(MSG.UI_BG_SETTINGS_SET, { settings: { syncEnabled: true } }).catch(() => app.state);
      renderStatus();
    } }, 'Enable sync'));
  } else if (['synced', 'offline', 'pending', 'attention'].includes(st.state)) {
    items.push(h('button', { class: 'btn small block', type: 'button', id: 'sync-now', onclick: async () => {
      closeStatusMenu();
      // The corner answers the click at once; the background's own state
      // replaces this when the round trip ends.
      app.state.sync = { ...app.state.sync, state: 'syncing' };
      renderStatus();
      // Entries the round brings reach the list through the background's
      // 'entries' notice, once their rows are built.
      await send(MSG.UI_BG_SYNC_NOW).catch(() => {});
      await refreshState().catch(() => {});
    } }, 'Sync now'));
  } else if (st.state === 'unconfirmed') {
    items.push(h('button', { class: 'btn small block', type: 'button', onclick: () => go('confirmEmail') }, 'Details'));
  } else if (st.state === 'local' && s.vault && s.vault.unlocked) {
    items.push(h('button', { class: 'btn small block', type: 'button', onclick: () => go('welcomeConnect') }, 'Connect an account'));
  }
  menu.replaceChildren(...items);
  menu.hidden = false;
  $('#status').setAttribute('aria-expanded', 'true');
  const first = menu.querySelector('button');
  if (first) first.focus();
}

// ---------------------------------------------------------------------------
// Start

$('#back').addEventListener('click', back);
$('#lock').addEventListener('click', async () => {
  await send(MSG.UI_BG_LOCK).catch(() => {});
  home();
});
$('#settings').addEventListener('click', () => go('settings'));
$('#status').addEventListener('click', () => ($('#status-menu').hidden ? openStatusMenu() : closeStatusMenu()));
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') {
    if (!$('#status-menu').hidden) {
      closeStatusMenu();
      $('#status').focus();
    } else if (!$('#back').hidden) back();
  }
});
document.addEventListener('click', (ev) => {
  if (!$('#status-menu').hidden && !ev.target.closest('.statusbar')) closeStatusMenu();
});

chrome.runtime.onMessage.addListener((msg, sender) => {
  if (sender.id !== chrome.runtime.id || !msg || msg.type !== MSG.BG_UI_CHANGED) return;
  refreshState().then((s) => {
    if (msg.what === 'lock' && !s.vault.unlocked && app.screen && !['unlock', 'welcome', 'masterCreate'].includes(app.screen.name) && s.vault.exists) home();
    if (msg.what === 'entries' && app.screen && app.screen.name === 'vault') refreshVault();
  }, () => {});
});

// refreshVault shows entries that changed underneath the list (a sync
// brought them) without losing what the search box holds or its focus.
// whole redraws the screen too (its banners), not only the list.
async function refreshVault({ whole = false } = {}) {
  const view = app.vaultView;
  if (view && view.node.isConnected && !whole) {
    try {
      view.update(await send(MSG.UI_BG_LIST));
      return;
    } catch (e) {
      if (e.code !== 'locked') throw e;
    }
  }
  const search = $('#search');
  const q = search ? search.value : '';
  const focused = !!search && document.activeElement === search;
  await go('vault', {}, { replace: true });
  const next = $('#search');
  if (!next) return;
  if (q) {
    next.value = q;
    next.dispatchEvent(new Event('input'));
  }
  if (!focused && document.activeElement === next) next.blur();
}

home().catch((err) => {
  $('#screen').replaceChildren(h('div', { class: 'notice error', role: 'alert' }, h('p', { text: errorText(err) })));
  renderStatus();
});
