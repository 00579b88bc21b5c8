// The WebAssembly modules start from the copy of this build kept in the
// extension's CacheStorage (extension/wasmcache.js), where Chromium keeps
// their compiled code. Tried here in real Chromium against the built
// package: the first start reads the package and keeps a copy keyed by the
// module's digest from wasmbuild.js; the next start of a stopped worker
// compiles the copy; a copy that is not a module (corrupt storage) and a
// copy of an older build are replaced from the package without the call
// failing; a CacheStorage that refuses to open leaves the package; kdf.wasm
// is kept the same way by an unlock-path derivation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, launchChromium, openPopup, screen, send, waitFor } from './harness.mjs';

const PKG = join(DIST, 'chrome');
const CACHE = 'watchword-wasm';
const KEY_ORIGIN = 'https://modules.watchword.invalid/';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// The digests build.sh wrote, as the extension reads them.
function buildDigests() {
  const src = readFileSync(join(PKG, 'wasmbuild.js'), 'utf8');
  const sandbox = {};
  new Function('globalThis', src)(sandbox); // eslint-disable-line no-new-func
  return sandbox.WW_WASM_BUILD;
}

let ext;
after(async () => {
  await ext?.close();
});

const isWorker = (t) => t.type() === 'service_worker' && t.url().startsWith(ext.base);

// inWorker runs fn in the service worker and answers its value. The
// session is closed afterwards: a driver attached to the worker would keep
// it from stopping.
async function inWorker(fn) {
  const target = await ext.browser.waitForTarget(isWorker);
  const cdp = await target.createCDPSession();
  try {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression: `(${fn})()`, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(`in the worker: ${exceptionDetails.exception?.description || exceptionDetails.text}`);
    return result.value;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

// stopWorker stops the service worker, as the browser does when it idles,
// and waits until its target is gone.
async function stopWorker(page) {
  const cdp = await page.createCDPSession();
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  await waitFor(() => !ext.browser.targets().some(isWorker), { what: 'the worker to stop' });
}

// wakeAndWatch wakes the worker with a message that starts no core, then
// has it record where each module it instantiates comes from: the package's
// URL, or "(cache)" for a copy from CacheStorage (which has no URL).
async function wakeAndWatch(page, before = () => {}) {
  await send(page, 'ui-bg-state');
  assert.equal(await inWorker(() => typeof globalThis.watchwordCore), 'undefined', 'the wake started no core');
  await inWorker(before);
  await inWorker(() => {
    const real = WebAssembly.instantiateStreaming;
    globalThis.startedFrom = [];
    WebAssembly.instantiateStreaming = (res, imports) => Promise.resolve(res).then((r) => {
      globalThis.startedFrom.push(r.url || '(cache)');
      return real.call(WebAssembly, r, imports);
    });
  });
}

const startedFrom = () => inWorker(() => globalThis.startedFrom);

async function generate(page) {
  const res = await send(page, 'ui-bg-generate', { options: { kind: 'password', length: 20, lower: true, upper: true, digits: true } });
  assert.equal(res.password.length, 20);
}

// cacheState answers each cached entry's key and the SHA-256 of its bytes.
function cacheState(page) {
  return page.evaluate(async (name) => {
    const cache = await caches.open(name);
    const out = {};
    for (const req of await cache.keys()) {
      const bytes = await (await cache.match(req)).arrayBuffer();
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      out[req.url] = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    }
    return out;
  }, CACHE);
}

test('build.sh records the digest of every module it ships', () => {
  const digests = buildDigests();
  for (const file of ['core.wasm', 'kdf.wasm', 'strength.wasm']) {
    assert.equal(digests[file], sha256(readFileSync(join(PKG, file))), `${file}'s digest`);
  }
});

test('the core starts from the cached copy of this build, and a bad or old copy is replaced from the package', async () => {
  const digests = buildDigests();
  const coreKey = `${KEY_ORIGIN}${digests['core.wasm']}/core.wasm`;
  ext = await launchChromium();
  const page = await openPopup(ext);
  await screen(page, 'welcome');

  // First start: nothing is cached; the package is read and a copy kept.
  await wakeAndWatch(page);
  await generate(page);
  assert.deepEqual(await startedFrom(), [`${ext.base}/core.wasm`]);
  await waitFor(async () => (await cacheState(page))[coreKey] === digests['core.wasm'], { what: 'the copy of core.wasm' });

  // A stopped worker's next start compiles the copy.
  await stopWorker(page);
  await wakeAndWatch(page);
  await generate(page);
  assert.deepEqual(await startedFrom(), ['(cache)']);

  // Corrupt storage: the copy is not a module, and an older build's copy
  // lingers. The call still answers, from the package; both are replaced.
  const oldKey = `${KEY_ORIGIN}${'0'.repeat(64)}/core.wasm`;
  await page.evaluate(async (name, key, old) => {
    const cache = await caches.open(name);
    const headers = { 'content-type': 'application/wasm' };
    await cache.put(key, new Response(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x63, 0xff]), { headers }));
    await cache.put(old, new Response(new Uint8Array([1, 2, 3]), { headers }));
  }, CACHE, coreKey, oldKey);
  await stopWorker(page);
  await wakeAndWatch(page);
  await generate(page);
  assert.deepEqual(await startedFrom(), ['(cache)', `${ext.base}/core.wasm`], 'the bad copy was tried, then the package');
  await waitFor(async () => {
    const state = await cacheState(page);
    return state[coreKey] === digests['core.wasm'] && !(oldKey in state);
  }, { what: 'the good copy back and the old build\'s copy gone' });

  // A CacheStorage that cannot be opened: the package, and no error.
  await stopWorker(page);
  await wakeAndWatch(page, () => {
    Object.defineProperty(caches, 'open', { value: () => Promise.reject(new DOMException('storage is disabled', 'SecurityError')) });
  });
  await generate(page);
  assert.deepEqual(await startedFrom(), [`${ext.base}/core.wasm`]);
});

test('kdf.wasm is kept the same way by the derivation of a new vault', async () => {
  const digests = buildDigests();
  const page = await openPopup(ext);
  await stopWorker(page); // the last test left it without CacheStorage
  await send(page, 'ui-bg-use-local');
  await send(page, 'ui-bg-vault-create', { password: 'correct horse battery staple' });
  const kdfKey = `${KEY_ORIGIN}${digests['kdf.wasm']}/kdf.wasm`;
  await waitFor(async () => (await cacheState(page))[kdfKey] === digests['kdf.wasm'], { what: 'the copy of kdf.wasm' });
});
