// The worker reads core.wasm from a copy in the extension's Cache Storage
// after its first start (extension/wasmload.js), keyed by the module's
// SHA-256 from wasm-ids.js. Tried here in real Chromium: the copy is made
// and used; a copy left by another build is removed; a damaged copy, and
// Cache Storage refusing to open, still start the core, from the shipped
// file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openPopup, screen, DIST } from './harness.mjs';

let ext;
after(async () => {
  await ext?.close();
});

const CORE_ID = createHash('sha256').update(readFileSync(join(DIST, 'chrome', 'core.wasm'))).digest('hex');
const KEY = `https://wasm.watchword.invalid/${CORE_ID}/core.wasm`;
const OLD_KEY = `https://wasm.watchword.invalid/${'0'.repeat(64)}/core.wasm`;

async function worker() {
  const target = await ext.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(ext.base));
  return target.worker();
}

// stopWorker stops the service worker, as the browser does when it is idle,
// so the next message starts a new worker and a new core.
async function stopWorker(page) {
  const cdp = await page.createCDPSession();
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

// generate asks the worker for something only the core answers.
const generate = (page) => page.evaluate(() => chrome.runtime.sendMessage({ type: 'ui-bg-generate', options: { kind: 'password', length: 24, lower: true, digits: true } }));

const cacheKeys = (page) => page.evaluate(async () => (await (await caches.open('watchword-wasm')).keys()).map((r) => r.url).sort());

// restartCore makes the worker's next call start a new core, as after the
// Go program exited, without stopping the worker (a worker stopped while
// the test holds a debugger session on it would wait for the debugger).
const restartCore = (w) => w.evaluate(() => {
  corePromise = null; // eslint-disable-line no-undef
});

test('core.wasm is kept in Cache Storage under its hash and read from there; a damaged or unreachable copy falls back to the shipped file', async () => {
  ext = await launchChromium();
  const page = await openPopup(ext);
  await screen(page, 'welcome');
  assert.ok((await page.evaluate(async () => (await fetch('wasm-ids.js')).text())).includes(`'core.wasm': '${CORE_ID}'`), 'wasm-ids.js names the SHA-256 of the shipped core.wasm');

  // A copy another build left behind.
  await page.evaluate(async (key) => {
    const c = await caches.open('watchword-wasm');
    await c.put(key, new Response(new Uint8Array([0, 97, 115, 109]), { headers: { 'content-type': 'application/wasm' } }));
  }, OLD_KEY);

  // First start: read from the shipped file, copy kept, the other build's
  // copy removed.
  let res = await generate(page);
  assert.equal(res.ok, true, JSON.stringify(res));
  await page.waitForFunction(async (key) => {
    const urls = (await (await caches.open('watchword-wasm')).keys()).map((r) => r.url);
    return urls.length === 1 && urls[0] === key;
  }, { timeout: 10000 }, KEY).catch(async () => assert.fail(`cache holds ${JSON.stringify(await cacheKeys(page))}`));
  const copy = await page.evaluate(async (key) => (await (await (await caches.open('watchword-wasm')).match(key)).arrayBuffer()).byteLength, KEY);
  assert.equal(copy, readFileSync(join(DIST, 'chrome', 'core.wasm')).length, 'the copy is the whole module');

  // The next worker reads the copy, not the file.
  await stopWorker(page);
  await page.evaluate(() => chrome.runtime.sendMessage({ type: 'ui-bg-state' }));
  const w = await worker();
  await w.evaluate(() => {
    const real = globalThis.fetch;
    globalThis.coreFileReads = 0;
    globalThis.fetch = (url, opts) => {
      if (String(url).endsWith('/core.wasm')) globalThis.coreFileReads++;
      return real(url, opts);
    };
  });
  res = await generate(page);
  assert.equal(res.ok, true, JSON.stringify(res));
  assert.equal(await w.evaluate(() => globalThis.coreFileReads), 0, 'the core came from the copy');

  // A damaged copy (here: half the module) does not compile: the core
  // starts from the shipped file and the copy is made again.
  await page.evaluate(async (key) => {
    const c = await caches.open('watchword-wasm');
    const bytes = new Uint8Array(await (await c.match(key)).arrayBuffer());
    await c.put(key, new Response(bytes.slice(0, bytes.length >> 1), { headers: { 'content-type': 'application/wasm' } }));
  }, KEY);
  await restartCore(w);
  res = await generate(page);
  assert.equal(res.ok, true, `a damaged copy still starts the core: ${JSON.stringify(res)}`);
  assert.equal(await w.evaluate(() => globalThis.coreFileReads), 1, 'the core came from the shipped file');
  await page.waitForFunction(async (key) => {
    const r = await (await caches.open('watchword-wasm')).match(key);
    return r && (await r.arrayBuffer()).byteLength > 1e6;
  }, { timeout: 10000 }, KEY);

  // Cache Storage that refuses to open: the shipped file, as before.
  await w.evaluate(() => {
    Object.defineProperty(globalThis, 'caches', { value: { open: () => Promise.reject(new DOMException('refused', 'SecurityError')) }, configurable: true });
  });
  await restartCore(w);
  res = await generate(page);
  assert.equal(res.ok, true, `no Cache Storage still starts the core: ${JSON.stringify(res)}`);
  assert.equal(await w.evaluate(() => globalThis.coreFileReads), 2, 'the core came from the shipped file');
  assert.deepEqual(page.errors, []);
});
