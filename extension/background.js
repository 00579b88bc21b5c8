// Watchword background: hosts the Go core and answers the extension's pages.
//
// Chrome runs this file as a classic service worker; Firefox runs it as an
// event page after wasm_exec.js and messages.js (the manifest lists them). The
// browser may stop it at any moment, so:
//   - listeners are registered synchronously at top level (a worker woken by a
//     message or an alarm only delivers events to listeners that exist by the
//     end of the first turn), and nothing awaits at top level;
//   - the Go core starts lazily on first need and is disposable: everything it
//     holds is rebuilt from storage (the vault header in storage.local, the
//     unlocked vault key in storage.session) on the next call;
//   - the unlocked vault key lives only in storage.session, which the browser
//     keeps in memory and clears when it closes. The master password is never
//     stored.
//
// This file renders no decisions about vault data: policy checks, crypto, the
// schema, merge and matching are the core's.
'use strict';

if (typeof importScripts === 'function') {
  importScripts('messages.js', 'wasm_exec.js', 'autofill.js');
}

// kdf.js runs master-password derivations in a disposable instance.
if (typeof importScripts === 'function') importScripts('kdf.js');

const { MSG, CODE, WatchwordError, toError } = globalThis.WW;

// The global object the core installs when it starts.
const CORE_GLOBAL = 'watchwordCore';
const DEFAULT_SERVER = 'http://127.0.0.1:8080';
const DEFAULT_SETTINGS = Object.freeze({
  serverUrl: DEFAULT_SERVER,
  syncEnabled: true,
  autoLockMinutes: 15,
  clipboardClearSeconds: 30,
});
const ALARM_LOCK = 'watchword-autolock';
const ALARM_SYNC = 'watchword-sync';
const SYNC_PERIOD_MINUTES = 5;
const ACCOUNT_POLICY_PATH = '/api/v1/policy/account';
// The connect reminder for local-only vaults: shown at most this often, and
// not again for a while once dismissed.
const REMINDER_EVERY_MS = 3 * 24 * 3600 * 1000;
const REMINDER_SNOOZE_MS = 14 * 24 * 3600 * 1000;
// Pages of this extension allowed to send ui-bg-* messages.
const UI_PAGES = ['/popup.html', '/options.html'];

// storage.session exists in Chrome 102+ and Firefox 115+. Where it is
// missing, the key is held only in this context's memory: the vault then
// locks whenever the background is unloaded, which errs on the safe side.
const sessionArea = chrome.storage.session || memoryArea();
if (chrome.storage.session && chrome.storage.session.setAccessLevel) {
  // Content scripts must never read the vault key.
  chrome.storage.session.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});
}

function memoryArea() {
  const m = new Map();
  return {
    async get(keys) {
      const out = {};
      for (const k of [].concat(keys)) if (m.has(k)) out[k] = m.get(k);
      return out;
    },
    async set(items) {
      for (const [k, v] of Object.entries(items)) m.set(k, v);
    },
    async remove(keys) {
      for (const k of [].concat(keys)) m.delete(k);
    },
  };
}

// ---------------------------------------------------------------------------
// The Go core

// phase marks the steps of an unlock on the worker's performance timeline
// (ww:<step>), so the benchmarks can say where its time goes. A mark costs
// a microsecond or two and is never read by the product itself.
function phase(step) {
  if (globalThis.performance && performance.mark) performance.mark(`ww:${step}`);
}

// The files the core loads the first time a call needs one (the
// common-password list, the passphrase words, the public suffix list that
// autofill's matching reads): shipped beside core.wasm
// rather than inside it, so every wake of the worker starts a smaller core.
// The core names a file, pins its contents by hash and parses it; this only
// fetches and decompresses (wasm/bridge/resources.go).
const RESOURCE_FILES = Object.freeze({
  'common-passwords': 'lists/common_passwords.txt.gz',
  words: 'lists/eff_large_wordlist.txt.gz',
  'public-suffixes': 'lists/public_suffix_list.txt.gz',
});

// A shipped file comes from the extension's own package and never takes
// long. One not read after this long is a stuck read: failing it lets the
// next call that needs the file try again, where waiting would hold every
// such call (the core loads each file once, under a lock).
let resourceTimeoutMs = 20000;

// withDeadline settles as promise does, or rejects with late() once ms have
// passed: for the waits that must end even when what they wait on never does.
function withDeadline(promise, ms, late) {
  promise.catch(() => {}); // settled by the race either way
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

globalThis.watchwordResource = async (name) => {
  const file = Object.hasOwn(RESOURCE_FILES, name) ? RESOURCE_FILES[name] : null;
  if (!file) throw new Error(`no shipped resource ${name}`);
  const ms = resourceTimeoutMs;
  const read = (async () => {
    const res = await fetch(chrome.runtime.getURL(file));
    if (!res.ok) throw new Error(`${file}: ${res.status}`);
    const plain = res.body.pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(plain).arrayBuffer());
  })();
  return withDeadline(read, ms, () => new Error(`${file}: not read in ${ms} ms`));
};

let corePromise = null; // resolves to the core object while the Go instance runs
let coreExit = null; // rejects when that instance's Go program exits
let armedVault = null; // the vault id the running instance was given (vaultLoad/unlock)

// Compiling and starting the core takes well under a second, a few on a
// loaded machine. A start still unfinished after this long is stuck:
// failing it lets the next call start afresh, where waiting would hold
// every call.
let coreStartTimeoutMs = 30000;

function startCore() {
  if (corePromise) return corePromise;
  corePromise = (async () => {
    const go = new Go();
    const ms = coreStartTimeoutMs;
    const { instance } = await withDeadline(
      WebAssembly.instantiateStreaming(fetch(chrome.runtime.getURL('core.wasm')), go.importObject),
      ms,
      () => new WatchwordError(CODE.INTERNAL, `The Watchword core did not start in ${ms / 1000} s. Try again.`),
    );
    // go.run returns when the Go program exits; its main blocks forever, so
    // an exit means a crash: forget the instance and start afresh next time.
    // The calls still waiting on it would never settle: coreExit fails them.
    let exited;
    coreExit = new Promise((_, reject) => { exited = reject; });
    coreExit.catch(() => {});
    go.run(instance).finally(() => {
      corePromise = null;
      armedVault = null;
      delete globalThis[CORE_GLOBAL];
      exited(new WatchwordError(CODE.INTERNAL, 'The Watchword core stopped. Try again.'));
    });
    const core = globalThis[CORE_GLOBAL];
    if (!core) throw new WatchwordError(CODE.INTERNAL, 'The Watchword core did not start.');
    phase('core-ready');
    return core;
  })();
  corePromise.catch(() => {
    corePromise = null;
  });
  return corePromise;
}

// call runs one core method. A rejection from Go is {code, message}; it is
// turned into a WatchwordError so handlers can branch on the code.
async function call(method, ...args) {
  const core = await startCore();
  if (typeof core[method] !== 'function') {
    throw new WatchwordError(CODE.UNSUPPORTED, `This build of the core has no ${method}.`);
  }
  try {
    return await Promise.race([core[method](...args), coreExit]);
  } catch (err) {
    throw toError(err);
  }
}

// unlockedCall runs a method that needs the unlocked vault, first re-arming a
// freshly started core from storage.session.
async function unlockedCall(method, ...args) {
  await arm();
  return call(method, ...args);
}

let arming = null;
// arm makes the running core hold the current namespace's unlocked vault
// (the key from storage.session) and its sync engine over the entries in
// storage.local. One arming at a time.
async function arm() {
  const ns = await currentNamespace();
  const { [sessionKeyName(ns)]: key } = ns ? await sessionArea.get(sessionKeyName(ns)) : {};
  if (!ns || !key) throw new WatchwordError(CODE.LOCKED, 'The vault is locked.');
  await startCore();
  if (armedVault === ns) return;
  if (!arming) {
    arming = (async () => {
      // A lock while this runs (the popup's Lock soon after it opened,
      // which arms ahead) must not leave the key loaded in the core.
      const epoch = lockEpoch;
      const lockedMeanwhile = async () => {
        if (epoch === lockEpoch) return;
        await call('vaultLock').catch(() => {});
        throw new WatchwordError(CODE.LOCKED, 'The vault is locked.');
      };
      const header = await getLocal(vaultKey(ns, 'header'));
      await call('vaultLoad', JSON.stringify(header), key);
      await lockedMeanwhile();
      phase('vault-loaded');
      await startEngine(ns, header);
      await lockedMeanwhile();
      phase('engine-started');
      armedVault = ns;
      // The list index outlives the worker in storage.session; it is built
      // here only when missing (just unlocked, or lost).
      const { [listKey(ns)]: have } = await sessionArea.get(listKey(ns));
      if (!have) await rebuildList(ns);
      else resumeListCache(ns).catch(() => {});
      phase('armed');
    })().finally(() => {
      arming = null;
    });
  }
  await arming;
  if (armedVault !== ns) return arm(); // the account changed meanwhile
}

// ---------------------------------------------------------------------------
// Storage layout (storage.local unless said otherwise)
//
//   settings                  user settings (DEFAULT_SETTINGS)
//   account                   {id, email, activated, refreshToken} of the signed-in
//                             account, or {local: true} for a local-only vault
//   reminder                  {lastShown, snoozedUntil} for the connect reminder
//   vault/<ns>/header         the vault header (wrapped key, KDF settings)
//   cache/<ns>/list           the list index sealed under the vault key (the
//                             core's vaultSealLocal): shown at the next unlock
//                             as soon as the key is derived, see "The list cache"
//   ww/<ns>/…                 the sync engine's encrypted entries, journal and
//                             state (the core's vaultsync package; one key per
//                             entry, written before a change is called saved)
//   sync/<ns>/status          the engine's last status {state, at, pending, message}
//   session: key/<ns>         the unlocked vault key (base64), storage.session only
//   session: list/<ns>        the list index of the unlocked vault (rows from the core),
//                             storage.session only, removed on lock
//   session: list/<ns>/head   the index's first rows and counts, written with it: the
//                             popup shows them while it reads the whole index
//   session: cache-due/<ns>   set while cache/<ns>/list is older than list/<ns>:
//                             a restarted worker writes the cache from it
//   session: access           {token, expires} the account's access token
//
// <ns> is the account id, or "local" for a vault not bound to an account, so
// two accounts used in turn never see each other's entries.

const vaultKey = (ns, part) => `vault/${ns}/${part}`;
const syncKey = (ns) => `sync/${ns}/status`;
const sessionKeyName = (ns) => `key/${ns}`;
const listKey = (ns) => `list/${ns}`;
const listHeadKey = (ns) => `list/${ns}/head`;
const listCacheKey = (ns) => `cache/${ns}/list`;
const listCacheDue = (ns) => `cache-due/${ns}`;

async function getLocal(key, fallback = null) {
  const got = await chrome.storage.local.get(key);
  return got[key] === undefined ? fallback : got[key];
}

async function settings() {
  return { ...DEFAULT_SETTINGS, ...(await getLocal('settings', {})) };
}

async function currentAccount() {
  return getLocal('account');
}

async function currentNamespace() {
  const acct = await currentAccount();
  if (!acct) return null;
  return acct.local ? 'local' : acct.id;
}

// ---------------------------------------------------------------------------
// Talking to the server

async function serverFetch(path, { method = 'GET', body, auth = false } = {}) {
  const { serverUrl } = await settings();
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth) headers.Authorization = `Bearer ${await accessToken()}`;
  let res;
  try {
    res = await fetch(new URL(path, serverUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new WatchwordError(CODE.NETWORK, 'The Watchword server could not be reached.');
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new WatchwordError(CODE.BAD_SERVER_ANSWER, 'The server answered something unexpected.');
    }
  }
  if (!res.ok) {
    const e = data && data.error;
    if (e && typeof e.code === 'string') throw toError(e);
    throw new WatchwordError(CODE.BAD_SERVER_ANSWER, `The server answered ${res.status}.`);
  }
  return data;
}

async function accessToken() {
  const { access } = await sessionArea.get('access');
  if (access && access.expires > Date.now() + 10_000) return access.token;
  const acct = await currentAccount();
  if (!acct || !acct.refreshToken) throw new WatchwordError(CODE.UNAUTHORIZED, 'Sign in to sync.');
  const res = await serverFetch('/api/v1/sessions/refresh', { method: 'POST', body: { refresh_token: acct.refreshToken } });
  await saveTokens(res.tokens || res);
  return (res.tokens || res).access_token;
}

// saveTokens keeps the access token in session storage (gone when the
// browser closes) and the refresh token, the device's credential, in local
// storage under the account.
async function saveTokens(t) {
  const expires = t.access_expires_at ? Date.parse(t.access_expires_at) : Date.now() + 300_000;
  await sessionArea.set({ access: { token: t.access_token, expires } });
  if (t.refresh_token) {
    const acct = (await currentAccount()) || {};
    await chrome.storage.local.set({ account: { ...acct, refreshToken: t.refresh_token, activated: acct.activated || !!t.activated } });
  }
}

// ---------------------------------------------------------------------------
// Locking

async function lock() {
  await flushListCache();
  lockEpoch++;
  const ns = await currentNamespace();
  const keys = ['access'];
  if (ns) keys.push(sessionKeyName(ns));
  // Forget every vault key this session held, not only the current one.
  const all = chrome.storage.session ? await chrome.storage.session.get(null) : {};
  for (const k of Object.keys(all)) if (k.startsWith('key/') || k.startsWith('list/') || k.startsWith('cache-due/')) keys.push(k);
  if (ns) keys.push(listKey(ns));
  list = null;
  listStored = null;
  await sessionArea.remove(keys.filter((k) => k !== 'access'));
  if (corePromise) {
    const core = await corePromise.catch(() => null);
    if (core && typeof core.vaultLock === 'function') await core.vaultLock().catch(() => {});
  }
  armedVault = null;
  stopWatching();
  await chrome.alarms.clear(ALARM_LOCK);
  notify('lock');
}

// touch restarts the idle timer. Alarms have a one-minute floor in Chrome
// release builds, which matches the coarsest auto-lock setting's precision.
async function touch() {
  const { autoLockMinutes } = await settings();
  if (!autoLockMinutes) {
    await chrome.alarms.clear(ALARM_LOCK);
    return;
  }
  chrome.alarms.create(ALARM_LOCK, { delayInMinutes: Math.max(1, autoLockMinutes) });
}

// ---------------------------------------------------------------------------
// Sync
//
// The core's sync engine keeps the vault's entries, the journal of unsent
// changes and the merge base in storage.local (engineStorage) and talks to
// the server through engineRequest. The background starts it when the vault
// is unlocked (arm), connected once the account's address is confirmed, and
// triggers it: at start, after a change (the engine debounces), periodically
// (the engine's timer while the worker lives, ALARM_SYNC when it slept), on
// the server's change stream (watchChanges), on "Sync now", and when the
// setting is switched back on (the engine catches up).

// engineStorage is storage.local as the engine sees it. A write is one
// storage.local.set, which the browser applies in one database transaction:
// deleted keys ride in it as null (the engine reads null as absent) and are
// removed afterwards, so a write is all-or-nothing and durable when the
// Promise resolves.
const engineStorage = {
  async get(key) {
    const v = (await chrome.storage.local.get(key))[key];
    return typeof v === 'string' ? v : null;
  },
  // scan answers every key under prefix as one string, key and value
  // joined by U+0001 (wasm/bridge/storedscan.go): it crosses into the core
  // far faster than an object. A key or value holding U+0001 (never one the
  // core wrote) is answered as a plain object instead.
  async scan(prefix) {
    const all = await takePrefetch() || await chrome.storage.local.get(null);
    const parts = [];
    let framed = true;
    for (const [k, v] of Object.entries(all)) {
      if (!k.startsWith(prefix) || typeof v !== 'string') continue;
      if (framed && (k.includes(SCAN_SEPARATOR) || v.includes(SCAN_SEPARATOR))) framed = false;
      parts.push(k, v);
    }
    if (framed) return parts.join(SCAN_SEPARATOR);
    const out = {};
    for (let i = 0; i < parts.length; i += 2) out[parts[i]] = parts[i + 1];
    return out;
  },
  async write(puts, deletes) {
    prefetched = null; // a read from before this write would be stale
    const items = { ...puts };
    for (const k of deletes) items[k] = null;
    await chrome.storage.local.set(items);
    if (deletes.length) await chrome.storage.local.remove(deletes).catch(() => {});
    const changed = [...Object.keys(puts), ...deletes].filter((k) => ENTRY_RECORD.test(k));
    if (!changed.length) return;
    // The popup's own saves and deletes patch the list index themselves
    // (patchList, before they answer); the rows of what anything else wrote
    // (a sync round, autofill's saves) are patched in shortly after.
    const ids = changed.map((k) => k.replace(ENTRY_RECORD, ''));
    if (localOps > 0) for (const id of ids) localSeen.add(id);
    else changedEntries(ids);
  },
};
const ENTRY_RECORD = /^ww\/[^/]+\/e\//;

// Unlocking reads the whole of storage.local for the engine (a browser's
// storage can only list everything). prefetchStorage starts that read while
// the key derivation runs, so the two overlap; the engine's first scan takes
// it, and a write in between drops it.
let prefetched = null;
function prefetchStorage() {
  const p = chrome.storage.local.get(null);
  p.catch(() => {});
  prefetched = p;
}
function takePrefetch() {
  const p = prefetched;
  prefetched = null;
  return p && p.catch(() => null);
}
const SCAN_SEPARATOR = '\u0001';

// ---------------------------------------------------------------------------
// The list index
//
// The popup shows the vault's list from storage.session (list/<ns>) without
// waking this worker or the core: one row per entry with what the list shows
// and searches, never a password, TOTP key, card number or security code.
// The core builds the rows (vault.Schema.AppendListRowJSON), so opening a
// vault never brings its secrets into this worker. storage.session is
// memory-only and closed to content scripts (TRUSTED_CONTEXTS), the same
// place the vault key lives, and the index is removed with the key on lock.
// Secrets are asked of the core when an entry is opened.
//
// The index is built when the vault is unlocked (arm) and then patched:
// at once for each save and delete from the popup, and shortly after the
// sync engine wrote entries for any other reason. A patch asks the core for
// the rows of the entries written, so a sync round that brought one entry
// does not open the other 9,999. The index records which entries it counts
// as failed or unknown (never listed), so a patch keeps those counts exact.

// list is {ns, rows: Map id → row, failed: Set id, unknown: Set id}, the
// index as last built or patched. Every change to it runs in turn
// (listTurn), so a rebuild that started before a patch cannot land after it
// with older rows; writing it to storage.session (flushList) comes after the
// turn and coalesces.
let list = null;
let listTurn = Promise.resolve();
let listStored = null; // {ns, json, head}: what storage.session holds for ns (head: its head too), when known
let listWrite = null; // the pending write of list to storage.session
let localOps = 0; // popup saves and deletes running
const localSeen = new Set(); // entry ids written while they ran

// inListTurn runs work after every list change asked for before it.
function inListTurn(work) {
  const run = listTurn.then(work, work);
  listTurn = run.catch(() => {});
  return run;
}

// rebuildList asks the core for the rows of every entry (the vault is armed
// for ns; the core builds them, so no secret comes out) and writes the
// index. Entries of types this version does not know are counted, not
// listed.
async function rebuildList(ns) {
  await inListTurn(() => buildList(ns));
  await flushList();
}

// buildList makes list the index of every entry of ns (in the list's turn).
async function buildList(ns) {
  const res = await call('syncListIndex');
  phase('list-rows');
  list = { ns, rows: new Map(res.entries.map((r) => [r.id, r])), failed: new Set(res.failed), unknown: new Set(res.unknown) };
}

// patchList replaces what the index holds for ids with what the core
// answers for them now (a row, a failed or unknown entry, or nothing: gone)
// and writes the index.
async function patchList(ns, ids) {
  await inListTurn(async () => {
    const l = await loadList(ns);
    const res = await call('syncListIndex', JSON.stringify(ids));
    if (list !== l) return; // replaced meanwhile (locked, another vault)
    for (const id of ids) {
      l.rows.delete(id);
      l.failed.delete(id);
      l.unknown.delete(id);
    }
    for (const r of res.entries) l.rows.set(r.id, r);
    for (const id of res.failed) l.failed.add(id);
    for (const id of res.unknown) l.unknown.add(id);
  });
  await flushList();
}

// listValue is the index as storage.session (and the sealed list cache)
// hold it: the rows, the counts the popup shows, and the ids behind them
// that a later worker needs to go on patching.
function listValue(l, entries = [...l.rows.values()]) {
  return { entries, failed: l.failed.size, unknown: l.unknown.size, failedIds: [...l.failed], unknownIds: [...l.unknown] };
}

// flushList writes the index; writes asked for meanwhile are coalesced into
// one. A write sorts and stores every row, so writes are at least
// LIST_WRITE_GAP_MS apart: a lone save is written at once, and a burst (an
// import, a sync round, many saves from pages) writes the index a few times
// a second instead of once per save, which made saving n entries cost n².
// The rows are stored in the order the list shows them (favourites first,
// then by name), and as one JSON string: the browser hands a page one string
// far faster than 10,000 objects, and JSON.parse is quicker still.
// With the index goes its head: the first LIST_HEAD_ROWS rows (more than
// the popup's first screen shows) and the counts, a few kilobytes the popup
// reads and draws while the whole index (1.5 MB for 10,000 entries) is
// still on its way. Both are written in one set, so they never disagree.
const listOrder = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const LIST_WRITE_GAP_MS = 250;
const LIST_HEAD_ROWS = 40;
let listWrittenAt = 0;
function flushList() {
  if (listWrite) return listWrite;
  const wait = Math.max(0, listWrittenAt + LIST_WRITE_GAP_MS - Date.now());
  listWrite = new Promise((resolve) => (wait ? setTimeout(resolve, wait) : resolve())).then(async () => {
    listWrite = null;
    listWrittenAt = Date.now();
    const l = list;
    if (!l || armedVault !== l.ns) return;
    const entries = [...l.rows.values()].sort((a, b) => (!!b.fav - !!a.fav) || listOrder.compare(a.name, b.name));
    const json = JSON.stringify(listValue(l, entries));
    // A rebuild that changed nothing (the usual case behind the list
    // cache) writes nothing, or only the head the unlock left out.
    const same = listStored && listStored.ns === l.ns && listStored.json === json;
    if (same && listStored.head) return;
    const head = JSON.stringify({ entries: entries.slice(0, LIST_HEAD_ROWS), total: entries.length, failed: l.failed.size, unknown: l.unknown.size });
    if (same) {
      // The index as the unlock stored it, still without its head.
      await sessionArea.set({ [listHeadKey(l.ns)]: head });
      listStored = { ns: l.ns, json, head: true };
      return;
    }
    await sessionArea.set({ [listKey(l.ns)]: json, [listHeadKey(l.ns)]: head });
    listStored = { ns: l.ns, json, head: true };
    phase('list-stored');
    await scheduleListCache(l.ns, json);
  });
  return listWrite;
}

// ---------------------------------------------------------------------------
// The list cache
//
// Opening every entry of a large vault to build its list takes the core a
// while after the key is derived. So the index is also kept sealed under the
// vault key in storage.local (cache/<ns>/list, the core's vaultSealLocal:
// bound to this vault and to this use, so it never opens as anything else),
// and kdf.wasm opens it in the same call that derives the key. Unlocking
// then shows the list at once, while the core opens the entries behind it
// and rebuilds the index from them, which replaces the cached one; until
// then, opening an entry waits for the core.
//
// The cache is written a second after the index last changed. The worker
// can be stopped within that second (it sleeps when idle), so a write due
// is also marked in storage.session (cache-due/<ns>): a later worker that
// arms the vault, or locks it, writes the cache from the index in
// storage.session, which is already current. Only a browser closed within
// the second (storage.session goes with it) leaves the next unlock an older
// list, for the moment the rebuild takes; a cache that does not open
// (damaged, another vault's) is ignored and the index built as without one.
const LIST_CACHE_DELAY_MS = 1000;
let listCacheTimer = null;
let listCachePending = null; // {ns, json} waiting for the timer
let listCached = null; // {ns, json}: what cache/<ns>/list holds, when known
let lockEpoch = 0; // counts locks: work begun before one must not write after it

// scheduleListCache answers once the write is marked due.
function scheduleListCache(ns, json) {
  clearTimeout(listCacheTimer);
  listCacheTimer = null;
  listCachePending = null;
  if (listCached && listCached.ns === ns && listCached.json === json) return Promise.resolve();
  listCachePending = { ns, json };
  const epoch = lockEpoch;
  listCacheTimer = setTimeout(() => {
    listCacheTimer = null;
    listCachePending = null;
    saveListCache(ns, json, epoch).catch(() => {});
  }, LIST_CACHE_DELAY_MS);
  return sessionArea.set({ [listCacheDue(ns)]: true }).catch(() => {});
}

// flushListCache writes a pending cache now: locking must not leave the
// next unlock an older list than the one shown. The write may have been
// due in a worker that was stopped since: then it is armed (the key is
// still in storage.session) and writes the index storage.session holds.
async function flushListCache() {
  const p = listCachePending;
  clearTimeout(listCacheTimer);
  listCacheTimer = null;
  listCachePending = null;
  if (p) {
    await saveListCache(p.ns, p.json, lockEpoch).catch(() => {});
    return;
  }
  const ns = await currentNamespace();
  const json = ns && (await dueListCache(ns));
  if (!json) return;
  try {
    await arm();
    await saveListCache(ns, json, lockEpoch);
  } catch {
    // Locking goes on: the next unlock rebuilds the index behind the older list.
  }
}

// resumeListCache, when a worker arms a vault, takes over a cache write a
// stopped worker left due.
async function resumeListCache(ns) {
  const json = await dueListCache(ns);
  if (json) scheduleListCache(ns, json);
}

// dueListCache answers the index in storage.session when a cache write of
// it is marked due, or null.
async function dueListCache(ns) {
  const { [listCacheDue(ns)]: due, [listKey(ns)]: json } = await sessionArea.get([listCacheDue(ns), listKey(ns)]);
  return due && typeof json === 'string' ? json : null;
}

async function saveListCache(ns, json, epoch) {
  if (epoch !== lockEpoch || armedVault !== ns) return;
  const sealed = await call('vaultSealLocal', json);
  if (epoch !== lockEpoch || armedVault !== ns) return;
  await chrome.storage.local.set({ [listCacheKey(ns)]: sealed });
  listCached = { ns, json };
  // A newer write due keeps the mark.
  if (!listCachePending) await sessionArea.remove(listCacheDue(ns));
}

// armBehindCache arms the core after an unlock that showed the cached list,
// then rebuilds the index from the entries themselves and tells open pages.
async function armBehindCache(ns, epoch) {
  await arm();
  if (epoch !== lockEpoch || armedVault !== ns) return;
  list = null;
  await rebuildList(ns);
  phase('verified');
  notify('entries');
}

// loadList makes list the index of ns (in the list's turn): read back from
// storage.session when the worker was restarted, or built when
// storage.session has none, or one that cannot be patched (written before
// the index recorded its failed and unknown ids).
async function loadList(ns) {
  if (list && list.ns === ns) return list;
  const { [listKey(ns)]: got } = await sessionArea.get(listKey(ns));
  const v = parseList(got);
  if (v && Array.isArray(v.entries) && Array.isArray(v.failedIds) && Array.isArray(v.unknownIds)) {
    list = { ns, rows: new Map(v.entries.map((r) => [r.id, r])), failed: new Set(v.failedIds), unknown: new Set(v.unknownIds) };
  } else {
    await buildList(ns);
  }
  return list;
}

// parseList reads a stored index, or answers null for none or a damaged one.
function parseList(json) {
  if (typeof json !== 'string') return null;
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

// localChange runs one popup save or delete, then tells whether the engine
// wrote other entries meanwhile (a sync round), which rebuilds the index.
async function localChange(work) {
  localOps++;
  try {
    return await work();
  } finally {
    localOps--;
    if (localOps === 0 && localSeen.size) {
      const ids = [...localSeen];
      localSeen.clear();
      changedEntries(ids);
    }
  }
}

// changedEntries patches the index with the entries the engine wrote, then
// tells open pages, at most every 300 ms. Beyond LIST_PATCH_MAX entries
// (a first sync, an import) building it afresh is as quick.
const LIST_PATCH_MAX = 2000;
let entriesTimer = null;
let entriesChanged = new Set();
function changedEntries(ids) {
  for (const id of ids) entriesChanged.add(id);
  if (entriesTimer) return;
  entriesTimer = setTimeout(async () => {
    entriesTimer = null;
    const changed = [...entriesChanged];
    entriesChanged = new Set();
    const ns = armedVault;
    if (ns) await (changed.length > LIST_PATCH_MAX ? rebuildList(ns) : patchList(ns, changed)).catch(() => {});
    notify('entries');
  }, 300);
}

// engineRequest sends one sync API request for the signed-in account with
// the device's access token. A 401 means the token expired: it is refreshed
// through the refresh token once and the request sent again. Status 0 means
// the server could not be reached.
async function engineRequest(method, path, body) {
  const { serverUrl } = await settings();
  for (let attempt = 0; ; attempt++) {
    let token;
    try {
      token = await accessToken();
    } catch (err) {
      const e = toError(err);
      if (e.code === CODE.NETWORK) return { status: 0, body: '' };
      return { status: 401, body: JSON.stringify({ error: e.toJSON() }) };
    }
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(new URL(path, serverUrl), {
        method, headers, body, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(60_000),
      });
    } catch {
      return { status: 0, body: '' };
    }
    if (res.status === 401 && attempt === 0) {
      await sessionArea.remove('access');
      continue;
    }
    try {
      return { status: res.status, body: await res.text() };
    } catch {
      return { status: 0, body: '' };
    }
  }
}

// startEngine starts the core's sync engine for namespace ns (the vault
// must be loaded in the core). It syncs with the server only for a
// confirmed account; before that, changes stay in the journal.
async function startEngine(ns, header) {
  const acct = await currentAccount();
  const s = await settings();
  const connected = ns !== 'local' && !!acct && !acct.local && acct.id === ns && !!acct.activated;
  const st = await call('syncStart', JSON.stringify({ account: ns, header, enabled: s.syncEnabled, connected }), {
    storage: engineStorage,
    request: engineRequest,
    onStatus: (json) => saveEngineStatus(ns, JSON.parse(json)).catch(() => {}),
  });
  await saveEngineStatus(ns, st);
  if (connected && s.syncEnabled) watchChanges();
}

// saveEngineStatus keeps the engine's last status where the popup finds it
// even while the vault is locked or the worker was stopped.
async function saveEngineStatus(ns, st) {
  if ((await currentNamespace()) !== ns) return; // an engine being replaced
  const at = st.synced_at ? Date.parse(st.synced_at) : 0;
  const state = st.state === 'idle' ? 'pending' : st.state;
  await chrome.storage.local.set({
    [syncKey(ns)]: { state, at, pending: st.pending || 0, damaged: st.damaged || 0, message: st.reason || '', code: st.code || '' },
  });
  notify('sync');
}

async function syncStatus(ns) {
  if (!ns || ns === 'local') return { state: 'local' };
  const s = await settings();
  const acct = await currentAccount();
  const st = { state: 'pending', pending: 0, ...(await getLocal(syncKey(ns), {})) };
  if (!s.syncEnabled) return { ...st, state: 'paused' };
  if (acct && !acct.activated) return { ...st, state: 'unconfirmed' };
  if (st.state === 'local') return { ...st, state: 'pending' }; // the engine has not connected yet
  if (st.state === 'synced' && st.pending > 0) return { ...st, state: 'pending' };
  return st;
}

let syncing = null;
// syncNow runs one sync round through the core's sync engine. One round at a
// time: a second request while one runs waits for it. A locked vault does
// not sync: merging needs the vault key.
function syncNow(reason) {
  if (syncing) return syncing;
  syncing = (async () => {
    const ns = await currentNamespace();
    const s = await settings();
    const acct = await currentAccount();
    if (!ns || ns === 'local' || !s.syncEnabled || !acct) return syncStatus(ns);
    if (!acct.activated) {
      await refreshActivation().catch(() => {});
      if (!(await currentAccount()).activated) return syncStatus(ns);
    }
    const { [sessionKeyName(ns)]: key } = await sessionArea.get(sessionKeyName(ns));
    if (!key) return syncStatus(ns);
    try {
      await arm();
      await call('syncNow');
      watchChanges();
    } catch (err) {
      const e = toError(err);
      if (e.code !== CODE.LOCKED) await saveEngineStatus(ns, { state: 'attention', reason: e.message, code: e.code });
    }
    return syncStatus(ns);
  })().finally(() => {
    syncing = null;
  });
  return syncing;
}

// The server's change stream (GET /api/v1/vault/events, server-sent events:
// "event: revision" / "data: <n>"). EventSource does not exist in service
// workers, so it is read with fetch streaming. It reconnects with backoff
// while the vault is unlocked, the account confirmed and sync on; a stopped
// worker loses it, and the periodic alarm covers the gap.
let watcher = null;
const WATCH_MAX_LINE = 4096;

function stopWatching() {
  if (watcher) watcher.abort();
  watcher = null;
}

function watchChanges() {
  if (watcher) return;
  const ctrl = new AbortController();
  watcher = ctrl;
  (async () => {
    let delay = 1000;
    while (!ctrl.signal.aborted) {
      const ns = await currentNamespace();
      const acct = await currentAccount();
      const s = await settings();
      const { [sessionKeyName(ns)]: key } = ns ? await sessionArea.get(sessionKeyName(ns)) : {};
      if (!ns || ns === 'local' || !acct || !acct.activated || !s.syncEnabled || !key) break;
      try {
        await readChanges(s.serverUrl, ctrl.signal);
        delay = 1000; // the stream ended normally (the server restarts it)
      } catch {
        if (ctrl.signal.aborted) break;
      }
      const wait = delay * (0.75 + Math.random() / 2);
      delay = Math.min(delay * 2, 60_000);
      await new Promise((r) => setTimeout(r, wait));
    }
    if (watcher === ctrl) watcher = null;
  })();
}

async function readChanges(serverUrl, signal) {
  const token = await accessToken();
  const res = await fetch(new URL('/api/v1/vault/events', serverUrl), {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    credentials: 'omit',
    cache: 'no-store',
    signal,
  });
  if (res.status === 401) {
    await sessionArea.remove('access');
    throw new WatchwordError(CODE.UNAUTHORIZED, 'The change stream needs a new token.');
  }
  if (!res.ok || !res.body) throw new WatchwordError(CODE.NETWORK, `The change stream answered ${res.status}.`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let event = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (line === '') event = '';
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:') && event === 'revision') {
        const rev = Number(line.slice(5).trim());
        if (Number.isSafeInteger(rev) && rev >= 0) onRevision(rev);
      }
    }
    if (buf.length > WATCH_MAX_LINE) throw new WatchwordError(CODE.BAD_SERVER_ANSWER, 'The change stream sent an overlong line.');
  }
}

// onRevision passes the server's announcement to the engine, which syncs
// when the revision is newer than what the device has.
function onRevision(rev) {
  arm()
    .then(() => call('syncNotify', rev))
    .catch(() => {});
}

// ---------------------------------------------------------------------------
// Messaging

// notify tells open extension pages that something changed. No page open is
// not an error.
function notify(what) {
  chrome.runtime.sendMessage({ type: MSG.BG_UI_CHANGED, what }).catch(() => {});
}

// fromExtensionPage reports whether a message came from one of this
// extension's own pages (not a content script, not another extension).
function fromExtensionPage(sender) {
  if (!sender || sender.id !== chrome.runtime.id || !sender.url) return false;
  let u;
  try {
    u = new URL(sender.url);
  } catch {
    return false;
  }
  const own = new URL(chrome.runtime.getURL('/'));
  return u.origin === own.origin && UI_PAGES.includes(u.pathname);
}

// fromContentScript reports whether a message came from this extension's
// content script in a web page. Handlers read the page's origin from
// sender.origin / sender.url and sender.frameId, never from the payload.
function fromContentScript(sender) {
  return !!sender && sender.id === chrome.runtime.id && !!sender.tab && typeof sender.frameId === 'number';
}

// One table for every message the background answers. Each handler gets the
// message and the sender (already checked against `from`).
const handlers = {
  [MSG.UI_BG_STATE]: { from: 'ui', fn: handleState },
  [MSG.UI_BG_SETTINGS_SET]: { from: 'ui', fn: handleSettingsSet },
  [MSG.UI_BG_ACTIVITY]: { from: 'ui', fn: () => touch() },
  [MSG.UI_BG_REMINDER_DISMISS]: { from: 'ui', fn: handleReminderDismiss },

  [MSG.UI_BG_POLICY]: { from: 'ui', fn: handlePolicy },
  [MSG.UI_BG_POLICY_CHECK]: { from: 'ui', fn: handlePolicyCheck },
  [MSG.UI_BG_REGISTER]: { from: 'ui', fn: handleRegister },
  [MSG.UI_BG_RESEND_ACTIVATION]: { from: 'ui', fn: handleResendActivation },
  [MSG.UI_BG_SIGN_IN]: { from: 'ui', fn: handleSignIn },
  [MSG.UI_BG_TWO_STEP_VERIFY]: { from: 'ui', fn: handleTwoStepVerify },
  [MSG.UI_BG_TWO_STEP_RESEND]: { from: 'ui', fn: handleTwoStepResend },
  [MSG.UI_BG_SIGN_IN_PROVIDER]: { from: 'ui', fn: handleProvider },
  [MSG.UI_BG_PROVIDERS]: { from: 'ui', fn: handleProviders },
  [MSG.UI_BG_AUTO_CONNECT]: { from: 'ui', fn: handleAutoConnect },
  [MSG.UI_BG_USE_LOCAL]: { from: 'ui', fn: handleUseLocal },
  [MSG.UI_BG_SIGN_OUT]: { from: 'ui', fn: handleSignOut },

  [MSG.UI_BG_VAULT_CREATE]: { from: 'ui', fn: handleVaultCreate },
  [MSG.UI_BG_VAULT_UNLOCK]: { from: 'ui', fn: handleVaultUnlock },
  [MSG.UI_BG_LOCK]: { from: 'ui', fn: () => lock() },
  [MSG.UI_BG_ENTRIES]: { from: 'ui', fn: handleEntries },
  [MSG.UI_BG_LIST]: { from: 'ui', fn: handleList },
  [MSG.UI_BG_ENTRY_GET]: { from: 'ui', fn: handleEntryGet },
  [MSG.UI_BG_ENTRY_SAVE]: { from: 'ui', fn: handleEntrySave },
  [MSG.UI_BG_ENTRY_DELETE]: { from: 'ui', fn: handleEntryDelete },
  [MSG.UI_BG_GENERATE]: { from: 'ui', fn: handleGenerate },
  [MSG.UI_BG_TOTP]: { from: 'ui', fn: handleTotp },
  [MSG.UI_BG_CLIPBOARD_CLEAR]: { from: 'ui', fn: handleClipboardClear },
  [MSG.UI_BG_IMPORT_CSV]: { from: 'ui', fn: handleImportCSV },
  [MSG.UI_BG_EXPORT_CSV]: { from: 'ui', fn: handleExportCSV },
  [MSG.UI_BG_EXPORT_SEALED]: { from: 'ui', fn: handleExportSealed },
  [MSG.UI_BG_IMPORT_SEALED]: { from: 'ui', fn: handleImportSealed },

  [MSG.UI_BG_SYNC_NOW]: { from: 'ui', fn: () => syncNow('user') },
};
// Autofill's handlers (autofill.js) join the same table.
Object.assign(handlers, globalThis.autofill.handlers);

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const h = msg && typeof msg.type === 'string' && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (!h) return false; // not ours (bg-ui-* broadcasts also arrive here in Firefox)
  const allowed = h.from === 'ui' ? fromExtensionPage(sender) : h.from === 'cs' ? fromContentScript(sender) : false;
  if (!allowed) {
    sendResponse({ ok: false, error: { code: CODE.FORBIDDEN, message: 'Not allowed from here.' } });
    return false;
  }
  Promise.resolve()
    .then(() => h.fn(msg, sender))
    .then(
      (value) => sendResponse({ ok: true, value: value === undefined ? null : value }),
      (err) => sendResponse({ ok: false, error: toError(err).toJSON() }),
    );
  return true; // the answer comes asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM_LOCK) lock();
  else if (alarm.name === ALARM_SYNC) syncNow('periodic');
  else if (alarm.name === ALARM_CLIPBOARD) clearClipboard().catch(() => {});
});

chrome.runtime.onInstalled.addListener(() => {
  chrome.alarms.create(ALARM_SYNC, { periodInMinutes: SYNC_PERIOD_MINUTES });
});
chrome.runtime.onStartup.addListener(() => {
  chrome.alarms.create(ALARM_SYNC, { periodInMinutes: SYNC_PERIOD_MINUTES });
  syncNow('start');
});
// A worker that was stopped and woken by the popup or a content script
// reconnects to the change stream on the first sync; the alarm makes sure
// the periodic sync exists even if onInstalled was missed.
chrome.alarms.get(ALARM_SYNC).then((a) => {
  if (!a) chrome.alarms.create(ALARM_SYNC, { periodInMinutes: SYNC_PERIOD_MINUTES });
}, () => {});

// ---------------------------------------------------------------------------
// Handlers: state and settings

async function handleState() {
  const acct = await currentAccount();
  const ns = await currentNamespace();
  if (acct && !acct.local && acct.activated && !(await getLocal(vaultKey(ns, 'header')))) await fetchHeader().catch(() => {});
  const header = ns ? await getLocal(vaultKey(ns, 'header')) : null;
  const key = ns ? (await sessionArea.get(sessionKeyName(ns)))[sessionKeyName(ns)] : null;
  const s = await settings();
  if (key) {
    touch();
    // A page asking while the vault is unlocked is most likely the popup
    // over the list: the core starts and loads the vault now, so the entry
    // opened next shows at once instead of after the core's start and the
    // engine's load (about 300 ms for 10,000 entries).
    setTimeout(() => arm().catch(() => {}), 0);
  } else if (header) {
    // Locked: most likely the popup's unlock screen. kdf.wasm compiles
    // while the password is typed.
    globalThis.watchwordPrepareKDF();
  }
  return {
    account: acct ? { local: !!acct.local, email: acct.email || null, activated: !!acct.activated } : null,
    vault: { exists: !!header, unlocked: !!header && !!key },
    sync: await syncStatus(ns),
    settings: { syncEnabled: s.syncEnabled, autoLockMinutes: s.autoLockMinutes, serverUrl: s.serverUrl, clipboardClearSeconds: s.clipboardClearSeconds },
    reminder: acct && acct.local ? await reminderDue() : false,
  };
}

async function handleSettingsSet({ settings: patch }) {
  if (!patch || typeof patch !== 'object') throw new WatchwordError(CODE.BAD_REQUEST, 'No settings given.');
  const cur = await getLocal('settings', {});
  const next = { ...cur };
  if ('syncEnabled' in patch) next.syncEnabled = !!patch.syncEnabled;
  if ('autoLockMinutes' in patch) {
    const m = Number(patch.autoLockMinutes);
    if (!Number.isInteger(m) || m < 0 || m > 24 * 60) throw new WatchwordError(CODE.INVALID, 'Choose an auto-lock time from the list.');
    next.autoLockMinutes = m;
  }
  if ('clipboardClearSeconds' in patch) {
    const n = Number(patch.clipboardClearSeconds);
    if (!Number.isInteger(n) || n < 0 || n > 600) throw new WatchwordError(CODE.INVALID, 'Choose a clipboard time from the list.');
    next.clipboardClearSeconds = n;
  }
  if ('serverUrl' in patch) {
    let u;
    try {
      u = new URL(String(patch.serverUrl));
    } catch {
      throw new WatchwordError(CODE.INVALID, 'Enter the server address, like https://vault.example.org.');
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
      throw new WatchwordError(CODE.INVALID, 'The server address must start with https:// (http:// only for this computer).');
    }
    next.serverUrl = u.origin;
  }
  await chrome.storage.local.set({ settings: next });
  await touch();
  if ('syncEnabled' in patch) await applySyncEnabled(next.syncEnabled);
  notify('sync');
  return handleState();
}

// applySyncEnabled pauses the engine (nothing is sent; changes stay in the
// journal) or resumes it (it catches up at once).
async function applySyncEnabled(on) {
  if (!on) stopWatching();
  if (armedVault && corePromise) {
    const st = await call('syncSetEnabled', on).catch(() => null);
    if (st) await saveEngineStatus(armedVault, st);
  }
  if (on) await syncNow('enabled');
}

async function reminderDue() {
  const r = await getLocal('reminder', { lastShown: 0, snoozedUntil: 0 });
  const now = Date.now();
  if (now < r.snoozedUntil || now - r.lastShown < REMINDER_EVERY_MS) return false;
  await chrome.storage.local.set({ reminder: { ...r, lastShown: now } });
  return true;
}

async function handleReminderDismiss() {
  const r = await getLocal('reminder', { lastShown: 0, snoozedUntil: 0 });
  await chrome.storage.local.set({ reminder: { ...r, snoozedUntil: Date.now() + REMINDER_SNOOZE_MS } });
}

// ---------------------------------------------------------------------------
// Handlers: account

// The account-password policy is the one the server publishes; it is cached
// for this worker's life (a restarted worker fetches it again).
let accountPolicy = null;

async function handlePolicy() {
  if (!accountPolicy) accountPolicy = await serverFetch(ACCOUNT_POLICY_PATH);
  return accountPolicy;
}

// The checklist (and strength, when the core estimates it) come from the
// core. The policy is fetched here, so a page cannot substitute its own.
async function handlePolicyCheck({ kind, password, email }) {
  if (typeof password !== 'string') throw new WatchwordError(CODE.BAD_REQUEST, 'No password given.');
  let policy;
  if (kind === 'account') policy = JSON.stringify(await handlePolicy());
  else if (kind === 'master') policy = JSON.stringify(await call('policyDefault', 'master'));
  else throw new WatchwordError(CODE.BAD_REQUEST, 'Unknown policy.');
  return call('policyCheck', policy, password, typeof email === 'string' ? email : undefined);
}

function checkEmail(email) {
  if (typeof email !== 'string' || !email.trim()) throw new WatchwordError(CODE.INVALID, 'Enter your email address.');
  return email.trim();
}

// The version of the marketing statement text the popup shows; the server
// stores it with the choice.
const STATEMENT_VERSION = '2026-01';

// Registration answers "check your email" whatever happened (so nobody can
// learn which addresses are registered). The extension then signs in with the
// same credentials: a new account gets a session at once, unconfirmed, and
// its vault works locally until the address is confirmed.
async function handleRegister({ email, password, marketing, statement }) {
  email = checkEmail(email);
  if (typeof password !== 'string' || !password) throw new WatchwordError(CODE.INVALID, 'Enter an account password.');
  const challenge = await serverFetch('/api/v1/pow');
  const nonce = await solvePoW(challenge);
  await serverFetch('/api/v1/accounts', {
    method: 'POST',
    body: {
      email,
      password,
      marketing_consent: !!marketing,
      statement: { decision: statement === 'accepted' ? 'accepted' : 'skipped', version: STATEMENT_VERSION },
      pow: { challenge: challenge.challenge, nonce },
    },
  });
  try {
    await signIn(email, password);
  } catch (err) {
    // The address was registered before: its owner got an email instead,
    // and this password is not theirs. Say only what the server said.
    const e = toError(err);
    if (e.code === CODE.UNAUTHORIZED) {
      throw new WatchwordError(CODE.CONFLICT, 'Check your email to continue. If this address already has an account, sign in instead.');
    }
    throw e;
  }
  return handleState();
}

// solvePoW finds the proof-of-work nonce. The core does it when it offers
// powSolve; otherwise WebCrypto counts up in decimal as the server expects
// (SHA-256(challenge || nonce) with `difficulty` leading zero bits).
async function solvePoW(ch) {
  const core = await startCore().catch(() => null);
  if (core && typeof core.powSolve === 'function') return call('powSolve', ch.challenge);
  const enc = new TextEncoder();
  const prefix = enc.encode(ch.challenge);
  const d = Number(ch.difficulty);
  if (!Number.isInteger(d) || d < 1 || d > 32) throw new WatchwordError(CODE.BAD_SERVER_ANSWER, 'The server asked for an impossible check.');
  for (let i = 0; i < 2 ** 32; i++) {
    const n = enc.encode(String(i));
    const buf = new Uint8Array(prefix.length + n.length);
    buf.set(prefix);
    buf.set(n, prefix.length);
    const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
    if (leadingZeroBits(sum) >= d) return String(i);
  }
  throw new WatchwordError(CODE.INTERNAL, 'The registration check could not be solved.');
}

function leadingZeroBits(b) {
  let n = 0;
  for (const x of b) {
    if (x === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(x) - 24;
  }
  return n;
}

async function handleResendActivation() {
  const acct = await currentAccount();
  if (!acct || acct.local || !acct.email) throw new WatchwordError(CODE.BAD_REQUEST, 'No account to confirm.');
  await serverFetch('/api/v1/accounts/resend', { method: 'POST', body: { email: acct.email } });
}

// refreshActivation asks the server whether the address was confirmed.
async function refreshActivation() {
  const acct = await currentAccount();
  if (!acct || acct.local || acct.activated) return;
  const info = await serverFetch('/api/v1/account', { auth: true });
  if (info && info.activated) {
    await chrome.storage.local.set({ account: { ...(await currentAccount()), activated: true } });
    armedVault = null; // the engine starts again, connected
    await fetchHeader().catch(() => {});
    notify('account');
  }
}

// adoptAccount makes the account of tokens current. A local-only vault is
// carried over to the account when the account has no vault yet (see
// connectLocalVault). Another account's vault is never shown: vaults are
// namespaced by account id, and the previous account's stay sealed.
async function adoptAccount(tokens) {
  const prev = await currentAccount();
  if (prev && !prev.local && prev.id !== tokens.account_id) await lock();
  const next = { id: tokens.account_id, email: tokens.email, activated: !!tokens.activated };
  await chrome.storage.local.set({ account: next });
  await saveTokens(tokens);
  if (prev && prev.local) await connectLocalVault(next);
  armedVault = null;
  await fetchHeader().catch(() => {});
  notify('account');
  syncNow('signed-in');
}

// connectLocalVault carries the local-only vault over to acct: the sync
// engine's records change namespace as they are (entries are bound to the
// vault id, not to the account, so nothing is re-encrypted) and its first
// sync uploads the header and every entry. When the server already holds a
// vault for the account, the local one stays on this device, sealed, under
// "local": two vaults are never merged.
async function connectLocalVault(acct) {
  const header = await getLocal(vaultKey('local', 'header'));
  if (!header || (await getLocal(vaultKey(acct.id, 'header')))) return;
  if (acct.activated) {
    const remote = await serverFetch('/api/v1/vault', { auth: true }).catch(() => null);
    if (remote && remote.vault_id) return;
  }
  if (corePromise) await call('syncStop').catch(() => {});
  await call('syncConnectLocal', acct.id, engineStorage);
  const { [sessionKeyName('local')]: key } = await sessionArea.get(sessionKeyName('local'));
  await chrome.storage.local.set({ [vaultKey(acct.id, 'header')]: header });
  if (key) await sessionArea.set({ [sessionKeyName(acct.id)]: key });
  await chrome.storage.local.remove([vaultKey('local', 'header'), syncKey('local'), listCacheKey('local')]);
  await sessionArea.remove([sessionKeyName('local'), listKey('local'), listHeadKey('local')]);
  list = null;
  listStored = null;
}

// fetchHeader downloads the account's vault header when this device has
// none (a new device signing in to an account with a vault): the popup then
// asks for the master password to unlock it.
async function fetchHeader() {
  const acct = await currentAccount();
  if (!acct || acct.local || !acct.activated || (await getLocal(vaultKey(acct.id, 'header')))) return;
  let h;
  try {
    h = await serverFetch('/api/v1/vault', { auth: true });
  } catch (err) {
    if (toError(err).code === CODE.NOT_FOUND) return; // no vault yet: this device creates it
    throw err;
  }
  if (!h || typeof h.vault_id !== 'string' || !/^[0-9a-f]{32}$/.test(h.vault_id)) {
    throw new WatchwordError(CODE.BAD_SERVER_ANSWER, 'The server sent a malformed vault header.');
  }
  if ((await currentAccount())?.id === acct.id) await chrome.storage.local.set({ [vaultKey(acct.id, 'header')]: h });
}

async function signIn(email, password) {
  const res = await serverFetch('/api/v1/sessions', { method: 'POST', body: { email, password, device_name: deviceName() } });
  if (res.two_step) {
    await sessionArea.set({ twoStep: { ...res.two_step, email } });
    return { twoStep: twoStepView(res.two_step) };
  }
  await adoptAccount(res.tokens);
  return { signedIn: true };
}

function twoStepView(t) {
  return { method: t.method, methods: t.methods || [t.method], resendAfter: t.resend_after || null, target: t.masked_target || '' };
}

async function handleSignIn({ email, password }) {
  email = checkEmail(email);
  if (typeof password !== 'string' || !password) throw new WatchwordError(CODE.INVALID, 'Enter your account password.');
  return signIn(email, password);
}

async function handleTwoStepVerify({ code, method }) {
  const { twoStep } = await sessionArea.get('twoStep');
  if (!twoStep) throw new WatchwordError(CODE.NOT_FOUND, 'Start signing in again.');
  if (typeof code !== 'string' || !code.trim()) throw new WatchwordError(CODE.INVALID, 'Enter the security code.');
  const res = await serverFetch('/api/v1/sessions/verify', {
    method: 'POST',
    body: { challenge_id: twoStep.challenge_id, method: method || twoStep.method, code: code.replace(/\s+/g, '') },
  });
  await sessionArea.remove('twoStep');
  await adoptAccount(res.tokens);
  return { signedIn: true };
}

async function handleTwoStepResend({ method }) {
  const { twoStep } = await sessionArea.get('twoStep');
  if (!twoStep) throw new WatchwordError(CODE.NOT_FOUND, 'Start signing in again.');
  const m = method || twoStep.method;
  const res = await serverFetch('/api/v1/sessions/resend', { method: 'POST', body: { challenge_id: twoStep.challenge_id, method: m } });
  const next = { ...twoStep, ...(res || {}), method: m };
  await sessionArea.set({ twoStep: next });
  return twoStepView(next);
}

async function handleProviders() {
  return serverFetch('/api/v1/oidc/providers').catch(() => ({ providers: [] }));
}

// Sign-in with an identity provider: the server's start URL leads to the
// provider and back to this extension's identity redirect with a one-time
// code, exchanged for device tokens.
async function handleProvider({ provider }) {
  if (!chrome.identity || !chrome.identity.launchWebAuthFlow) {
    throw new WatchwordError(CODE.UNSUPPORTED, 'This browser cannot sign in with another provider.');
  }
  const { providers } = await handleProviders();
  const p = (providers || []).find((x) => x.id === provider);
  if (!p) throw new WatchwordError(CODE.NOT_FOUND, 'That sign-in provider is not set up on this server.');
  const { serverUrl } = await settings();
  const start = new URL(p.start_url, serverUrl);
  start.searchParams.set('redirect_uri', chrome.identity.getRedirectURL('oidc'));
  let final;
  try {
    final = await chrome.identity.launchWebAuthFlow({ url: start.href, interactive: true });
  } catch {
    throw new WatchwordError(CODE.UNAUTHORIZED, 'Signing in with that provider did not finish.');
  }
  const params = final ? new URL(final).searchParams : new URLSearchParams();
  const code = params.get('code');
  if (!code) {
    // The server sends a refused sign-in back here with its reason (its
    // own words, never the provider's).
    const why = params.get('error') ? (params.get('error_description') || '').replace(/[\u0000-\u001f]/g, ' ').slice(0, 200) : '';
    throw new WatchwordError(CODE.UNAUTHORIZED, why ? `${p.name} did not sign you in: ${why}` : 'Signing in with that provider did not finish.');
  }
  return exchange(code);
}

async function exchange(code) {
  const res = await serverFetch('/api/v1/sessions/exchange', { method: 'POST', body: { token: code, device_name: deviceName() } });
  if (res.two_step) {
    await sessionArea.set({ twoStep: { ...res.two_step } });
    return { twoStep: twoStepView(res.two_step) };
  }
  await adoptAccount(res.tokens);
  return { signedIn: true };
}

// Auto-connect: when this browser is signed in to the portal, the portal
// hands the extension a one-time code for "Continue as <email>". The portal's
// cookie is sent for this one call only.
async function handleAutoConnect({ confirm }) {
  const { serverUrl } = await settings();
  let data = null;
  try {
    const res = await fetch(new URL('/api/v1/portal/auto-connect', serverUrl), { credentials: 'include', headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (res.ok) data = await res.json();
  } catch {
    data = null;
  }
  if (!data || !data.code || !data.email) return { available: false };
  if (!confirm) return { available: true, email: data.email };
  return exchange(data.code);
}

async function handleUseLocal() {
  const acct = await currentAccount();
  if (acct && !acct.local) throw new WatchwordError(CODE.CONFLICT, 'Sign out first to use a vault on this device only.');
  await chrome.storage.local.set({ account: { local: true }, reminder: { lastShown: Date.now(), snoozedUntil: 0 } });
  return handleState();
}

async function handleSignOut() {
  const acct = await currentAccount();
  if (acct && !acct.local && acct.refreshToken) {
    await serverFetch('/api/v1/sessions/current', { method: 'DELETE', auth: true }).catch(() => {});
    await sessionArea.remove('access');
  }
  await lock();
  await sessionArea.remove(['access', 'twoStep']);
  await chrome.storage.local.remove('account');
  notify('account');
  return handleState();
}

function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : 'Chrome';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : 'Linux';
  return `${browser} on ${os}`;
}

// ---------------------------------------------------------------------------
// Handlers: vault

async function needNamespace() {
  const ns = await currentNamespace();
  if (!ns) throw new WatchwordError(CODE.BAD_REQUEST, 'Sign in or choose to use Watchword on this device only first.');
  return ns;
}

async function handleVaultCreate({ password }) {
  const ns = await needNamespace();
  if (await getLocal(vaultKey(ns, 'header'))) throw new WatchwordError(CODE.CONFLICT, 'This account already has a vault here.');
  if (typeof password !== 'string' || !password) throw new WatchwordError(CODE.INVALID, 'Enter a master password.');
  // The popup shows the checklist while the password is typed; the rules
  // are enforced here as well, where the vault is made, so no page skips them.
  const acct = await currentAccount();
  const check = await handlePolicyCheck({ kind: 'master', password, email: (acct && acct.email) || undefined });
  if (!check || !check.ok) throw new WatchwordError(CODE.INVALID, 'Choose a master password that meets every rule in the list.');
  // The derivation runs in kdf.wasm (kdf.js); the core then loads the key.
  const res = await globalThis.watchwordRunKDF({ op: 'create', password });
  await chrome.storage.local.set({ [vaultKey(ns, 'header')]: res.header });
  await sessionArea.set({ [sessionKeyName(ns)]: res.vaultKey });
  armedVault = null; // arm starts the sync engine, which uploads the header
  await arm();
  await touch();
  notify('lock');
  return handleState();
}

async function handleVaultUnlock({ password }) {
  const ns = await needNamespace();
  const stored = await chrome.storage.local.get([vaultKey(ns, 'header'), listCacheKey(ns)]);
  const header = stored[vaultKey(ns, 'header')];
  const cached = typeof stored[listCacheKey(ns)] === 'string' ? stored[listCacheKey(ns)] : '';
  if (!header) throw new WatchwordError(CODE.NOT_FOUND, 'There is no vault to unlock yet.');
  if (typeof password !== 'string' || !password) throw new WatchwordError(CODE.INVALID, 'Enter your master password.');
  phase('unlock');
  // Without a list cache the core and the vault's records load while the
  // key is derived. With one, the list shows as soon as the key is derived,
  // and the core starts after: its start-up would only delay the derivation
  // on this one thread.
  if (!cached) {
    startCore().catch(() => {});
    prefetchStorage();
  }
  let res;
  try {
    res = await globalThis.watchwordRunKDF({ op: 'unlock', password, header, list: cached || undefined });
    phase('kdf-done');
  } catch (err) {
    prefetched = null; // not unlocked: nothing will take it
    throw err;
  }
  armedVault = null;
  list = null;
  if (!res.list) {
    await sessionArea.set({ [sessionKeyName(ns)]: res.vaultKey });
    await arm();
    phase('verified');
    await touch();
    notify('lock');
    return handleState();
  }
  // No head yet (an empty one): the popup reads the whole index until the
  // rebuild behind the cache (armBehindCache) writes the head.
  await sessionArea.set({ [sessionKeyName(ns)]: res.vaultKey, [listKey(ns)]: res.list, [listHeadKey(ns)]: '' });
  phase('list-stored');
  listCached = { ns, json: res.list };
  listStored = { ns, json: res.list, head: false };
  await touch();
  notify('lock');
  const state = await handleState();
  // The core starts once the answer is on its way: starting it runs on
  // this thread and would hold the answer back by its start-up time.
  // Errors surface on the next call that needs the core, which arms again.
  const epoch = lockEpoch;
  setTimeout(() => armBehindCache(ns, epoch).catch(() => {}), 0);
  return state;
}

// handleEntries opens every entry of the sync engine's local copy for the
// list. The core's answer is passed on as it is: entries (each flagged
// unknown/archived/readOnly/hiddenFields by the schema), failed (entries that
// did not decrypt), and the report counts.
async function handleEntries() {
  await needNamespace();
  const res = await unlockedCall('syncEntries');
  touch();
  return res;
}

// handleList answers the list index (the popup reads it from
// storage.session itself and asks here only when it is missing).
async function handleList() {
  const ns = await needNamespace();
  await arm();
  const l = await inListTurn(() => loadList(ns));
  await flushList();
  touch();
  // As stored: sorted as the list shows it. (list itself may be gone by now:
  // a lock or an account switch meanwhile.)
  const read = async () => parseList((await sessionArea.get(listKey(ns)))[listKey(ns)]);
  let stored = await read();
  if (!stored) {
    // None or a damaged one: written again from the index.
    listStored = null;
    await flushList();
    stored = await read();
  }
  return stored || listValue(l);
}

async function handleEntryGet({ id }) {
  await needNamespace();
  if (typeof id !== 'string') throw new WatchwordError(CODE.BAD_REQUEST, 'No entry given.');
  return unlockedCall('syncEntry', id);
}

// handleEntrySave hands the popup's edit form to the core, which applies it
// to the entry (fields the form does not show, and fields of other versions,
// are kept; a changed password goes into the history) and writes the change
// to the sync journal in storage.local before answering: "saved" means
// saved. The engine sends it after a short pause, so a burst of edits goes
// out in one push.
async function handleEntrySave({ entry }) {
  await needNamespace();
  if (!entry || typeof entry !== 'object') throw new WatchwordError(CODE.BAD_REQUEST, 'No entry given.');
  const ns = await needNamespace();
  const form = JSON.stringify({ id: entry.id || '', type: entry.id ? '' : entry.type, fields: entry.fields || {} });
  const res = await localChange(async () => {
    const r = await unlockedCall('syncSave', form);
    localSeen.delete(r.id);
    // The index is patched before the answer, so the list the popup shows
    // next has the change.
    await patchList(ns, [r.id]);
    return r;
  });
  notify('entries');
  return { id: res.id };
}

// Import and export. A CSV file is read in the page that picked it and its
// text handed to the core here; an import saves every login in one journal
// write and then updates the list the way a large sync round does.
const IMPORT_MAX_BYTES = 16 << 20;

async function handleImportCSV({ text }) {
  if (typeof text !== 'string') throw new WatchwordError(CODE.BAD_REQUEST, 'No file given.');
  if (text.length > IMPORT_MAX_BYTES) throw new WatchwordError(CODE.TOO_LARGE, 'The file is larger than 16 MB.');
  return importing('transferImportCSV', text);
}

// importing runs one of the core's imports (method, args) and brings the
// list up to date with the entries it saved before answering what it did
// (without their ids).
async function importing(method, ...args) {
  const ns = await needNamespace();
  const res = await localChange(async () => {
    const r = await unlockedCall(method, ...args);
    for (const id of r.ids) localSeen.delete(id);
    if (r.ids.length) await (r.ids.length > LIST_PATCH_MAX ? rebuildList(ns) : patchList(ns, r.ids));
    return r;
  });
  if (res.imported) notify('entries');
  delete res.ids;
  return res;
}

async function handleExportCSV() {
  await needNamespace();
  return unlockedCall('transferExportCSV');
}

// An encrypted export is sealed under a key kdf.wasm derives from the
// password chosen for the file (the core never takes a password). That
// password guards every secret of the vault wherever the file goes, so it
// must pass the master-password policy.
async function handleExportSealed({ password }) {
  if (typeof password !== 'string' || !password) throw new WatchwordError(CODE.INVALID, 'Choose a password for the file.');
  await needNamespace();
  const check = await call('policyCheck', JSON.stringify(await call('policyDefault', 'master')), password);
  if (!check.ok) throw new WatchwordError(CODE.INVALID, 'Choose a stronger password for the file: at least 12 characters, not a commonly used one.');
  const { params, exportKey } = await globalThis.watchwordRunKDF({ op: 'export-key', password });
  return unlockedCall('transferExportSealed', exportKey, JSON.stringify(params));
}

// An import reads the file's settings first, so a file that is not an
// export is refused before a derivation is spent on it.
async function handleImportSealed({ text, password }) {
  if (typeof text !== 'string') throw new WatchwordError(CODE.BAD_REQUEST, 'No file given.');
  if (typeof password !== 'string' || !password) throw new WatchwordError(CODE.INVALID, 'Enter the password of the file.');
  if (text.length > IMPORT_MAX_BYTES * 24) throw new WatchwordError(CODE.TOO_LARGE, 'The file is too large.');
  await needNamespace();
  const info = await unlockedCall('transferExportInfo', text);
  const { exportKey } = await globalThis.watchwordRunKDF({ op: 'export-key', password, params: info.kdf });
  return importing('transferImportSealed', text, exportKey);
}

// handleEntryDelete deletes through the journal; the core refuses read-only
// entries (archived, or of a newer type).
async function handleEntryDelete({ id }) {
  await needNamespace();
  if (typeof id !== 'string') throw new WatchwordError(CODE.BAD_REQUEST, 'No entry given.');
  const ns = await needNamespace();
  await localChange(async () => {
    await unlockedCall('syncDelete', id);
    localSeen.delete(id);
    await patchList(ns, [id]);
  });
  notify('entries');
}

async function handleGenerate({ options }) {
  const o = options || {};
  const spec = o.kind === 'passphrase'
    ? { passphrase: { words: o.words, separator: o.separator ?? '-', capitalize: !!o.capitalize, number: !!o.number } }
    : { password: { length: o.length, lower: !!o.lower, upper: !!o.upper, digits: !!o.digits, symbols: !!o.symbols } };
  return { password: await call('generate', JSON.stringify(spec)) };
}

async function handleTotp({ id }) {
  await needNamespace();
  if (typeof id !== 'string') throw new WatchwordError(CODE.BAD_REQUEST, 'No entry given.');
  return unlockedCall('totpCode', id, String(Date.now()));
}

// Clipboard clearing. The popup copies a secret and hands over the SHA-256
// digest of what it copied (never the text) and the delay; after it, the
// clipboard is emptied if it still holds that text (clipboard.js), so
// something the user copied since is left alone. The request is kept in
// storage.session, so a worker stopped meanwhile still clears on the alarm.
// Firefox's event page has a document and clears from here; Chrome's
// service worker has no clipboard and opens an offscreen document for it.
const ALARM_CLIPBOARD = 'watchword-clipboard';

async function handleClipboardClear({ after, digest }) {
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) throw new WatchwordError(CODE.BAD_REQUEST, 'No clipboard digest given.');
  const secs = Math.max(5, Math.min(600, Number(after) || 30));
  const due = Date.now() + secs * 1000;
  await sessionArea.set({ clipboard: { digest, due } });
  // The timer clears on time while the worker lives; the alarm (30 s at the
  // soonest in Chrome) covers a worker that was stopped.
  setTimeout(() => clearClipboard().catch(() => {}), secs * 1000);
  chrome.alarms.create(ALARM_CLIPBOARD, { when: Math.max(due, Date.now() + 30_000) });
  return { scheduled: true };
}

// clearClipboard carries out the pending request once it is due. It answers
// 'cleared', 'changed', 'empty', or null when nothing was due.
async function clearClipboard() {
  const { clipboard } = await sessionArea.get('clipboard');
  if (!clipboard || Date.now() < clipboard.due - 500) return null;
  await sessionArea.remove('clipboard');
  await chrome.alarms.clear(ALARM_CLIPBOARD);
  if (typeof document !== 'undefined' && globalThis.WWClipboard) return globalThis.WWClipboard.clearIfStill(clipboard.digest);
  if (!chrome.offscreen) return null;
  if (!(await chrome.offscreen.hasDocument())) {
    await chrome.offscreen.createDocument({
      url: 'offscreen.html',
      reasons: [chrome.offscreen.Reason.CLIPBOARD],
      justification: 'Clear a copied password from the clipboard after the chosen time.',
    });
  }
  try {
    const res = await chrome.runtime.sendMessage({ type: MSG.BG_OS_CLIPBOARD_CLEAR, digest: clipboard.digest });
    if (!res || !res.ok) throw toError(res && res.error);
    return res.value.result;
  } finally {
    await chrome.offscreen.closeDocument().catch(() => {});
  }
}
