// Benchmarks that run inside one page: the Go core (core.wasm through its
// JavaScript bridge) against a JavaScript reference on the same input in the
// same page. Each function returns plain numbers; bench/rows/*.mjs call them
// through puppeteer and take medians.
'use strict';

// startCore instantiates core.wasm (or another module that installs the same
// global) the way the extension does and resolves with the milliseconds from
// the start of instantiation to a ready core.
async function startCore(url = '/core.wasm') {
  const go = new Go();
  const t0 = performance.now();
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
  go.run(instance); // settles only if the core exits
  while (!globalThis.watchwordCore) await new Promise((r) => setTimeout(r, 0));
  return performance.now() - t0;
}

async function ensureCore() {
  if (!globalThis.watchwordCore) await startCore();
  return globalThis.watchwordCore;
}

function b64ToBytes(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// The vault's default Argon2id cost (api.DefaultKDF*): 64 MiB, 3 passes,
// 4 lanes.
const KDF = { m: 64 * 1024, t: 3, p: 4 };

// The master password becomes a key in kdf.wasm only (the core never takes
// it), one instance per derivation, as the extension runs it. kdfModule is
// compiled once; kdfCall starts an instance, then times the derivation
// alone: the call into it until it answers (Argon2id, then HKDF and one
// 72-byte unwrap, which are negligible next to it), as a JavaScript
// library's call would be timed.
let kdfModule = null;

async function kdfCall(request) {
  if (!kdfModule) kdfModule = await WebAssembly.compileStreaming(fetch('/kdf.wasm'));
  const go = new Go();
  const instance = await WebAssembly.instantiate(kdfModule, go.importObject);
  const exited = go.run(instance);
  while (!globalThis.watchwordKDF) await new Promise((r) => setTimeout(r, 0));
  const t0 = performance.now();
  const [json] = await globalThis.watchwordKDF(JSON.stringify(request));
  const ms = performance.now() - t0;
  await exited; // the one instance the global's name allows is gone
  return { result: JSON.parse(json), ms };
}

// createVault makes a vault through kdf.wasm and arms the core with it, as
// the extension does after the first unlock.
async function createVault(password, kdf) {
  const core = await ensureCore();
  const { result } = await kdfCall({ op: 'create', password, kdf });
  await core.vaultLoad(JSON.stringify(result.header), result.vaultKey);
  return result.header;
}

// argon2Setup creates a vault with the default cost once, so that
// argon2Go can time unlocking it.
async function argon2Setup() {
  const header = await createVault('benchmark master password', KDF);
  globalThis.benchHeader = header;
  return header.kdf;
}

async function argon2Go() {
  const { ms } = await kdfCall({ op: 'unlock', password: 'benchmark master password', header: globalThis.benchHeader });
  return ms;
}

// argon2Ref is hash-wasm's Argon2id at the cost given (the vault's default
// unless told). In a fresh page it also compiles hash-wasm's module and
// grows its memory, as a JavaScript extension's worker would after a
// restart.
async function argon2Ref(cost = KDF) {
  const salt = new Uint8Array(16);
  crypto.getRandomValues(salt);
  const t0 = performance.now();
  await hashwasm.argon2id({
    password: 'benchmark master password',
    salt,
    parallelism: cost.p,
    iterations: cost.t,
    memorySize: cost.m,
    hashLength: 32,
    outputType: 'binary',
  });
  return performance.now() - t0;
}

// openSetup makes n login entries: sealed by the core (for entriesOpen, as
// one binary batch) and the same entries' JSON encrypted with AES-256-GCM
// (for the WebCrypto reference).
async function openSetup(n) {
  const core = await ensureCore();
  await createVault('benchmark', { m: 16 * 1024, t: 2, p: 1 });
  const sealed = [];
  for (let i = 0; i < n; i++) {
    const form = {
      type: 'login',
      fields: {
        name: `Site ${i}`,
        username: `user${i}@example.org`,
        password: `pw-${i}-${Math.random().toString(36).slice(2)}`,
        urls: [{ url: `https://site${i}.example.com/login`, match: 'domain' }],
        notes: i % 10 === 0 ? 'Security questions: first pet, street you grew up on.' : '',
      },
    };
    const { id, ct } = await core.entrySeal(JSON.stringify(form));
    sealed.push({ id, ct: b64ToBytes(ct) });
  }
  // The binary batch: version byte, then id (32 ASCII bytes), big-endian
  // u32 length and ciphertext per entry.
  let size = 1;
  for (const s of sealed) size += 36 + s.ct.length;
  const batch = new Uint8Array(size);
  const view = new DataView(batch.buffer);
  batch[0] = 1;
  let off = 1;
  const enc = new TextEncoder();
  for (const s of sealed) {
    enc.encodeInto(s.id, batch.subarray(off, off + 32));
    view.setUint32(off + 32, s.ct.length);
    batch.set(s.ct, off + 36);
    off += 36 + s.ct.length;
  }
  globalThis.benchBatch = batch;

  // The reference: each entry as the JSON the core hands the popup,
  // AES-256-GCM encrypted under one key with a random 96-bit IV.
  const opened = await core.entriesOpen(batch);
  if (opened.entries.length !== n) throw new Error(`opened ${opened.entries.length} of ${n}`);
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const refs = [];
  for (const e of opened.entries) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, enc.encode(JSON.stringify(e))));
    refs.push({ iv, ct });
  }
  globalThis.benchRef = { key, refs };
  return { batchBytes: batch.length, jsonBytes: refs.reduce((a, r) => a + r.ct.length, 0) };
}

// refExport hands the reference's key and ciphertexts to another page
// (refImport), so a fresh page can run the reference cold without making
// the entries again.
async function refExport() {
  const { key, refs } = globalThis.benchRef;
  const b64 = (u) => {
    let s = '';
    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
    return btoa(s);
  };
  return { key: b64(new Uint8Array(await crypto.subtle.exportKey('raw', key))), refs: refs.map((r) => [b64(r.iv), b64(r.ct)]) };
}

async function refImport(data) {
  const key = await crypto.subtle.importKey('raw', b64ToBytes(data.key), 'AES-GCM', false, ['decrypt']);
  globalThis.benchRef = { key, refs: data.refs.map(([iv, ct]) => ({ iv: b64ToBytes(iv), ct: b64ToBytes(ct) })) };
}

async function openGo() {
  const core = await ensureCore();
  const t0 = performance.now();
  const r = await core.entriesOpen(globalThis.benchBatch);
  const ms = performance.now() - t0;
  if (r.failed.length) throw new Error(`${r.failed.length} entries failed`);
  return ms;
}

// openRef decrypts every entry with WebCrypto (all requests in flight at
// once, the fastest way to drive it) and parses each entry's JSON.
async function openRef() {
  const { key, refs } = globalThis.benchRef;
  const dec = new TextDecoder();
  const t0 = performance.now();
  const pts = await Promise.all(refs.map((r) => crypto.subtle.decrypt({ name: 'AES-GCM', iv: r.iv }, key, r.ct)));
  const entries = pts.map((pt) => JSON.parse(dec.decode(pt)));
  const ms = performance.now() - t0;
  if (entries.length !== refs.length) throw new Error('reference lost entries');
  return ms;
}
