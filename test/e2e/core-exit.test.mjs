// The Go instance in the worker is disposable: when its program exits (a
// crash, an out-of-memory abort), the calls still waiting on it fail with a
// clear error instead of leaving the popup waiting for ever, and the next
// call starts a fresh instance. Tried here in real Chromium: a call held on
// a shipped file that never arrives, then the Go program's exit; a shipped
// file whose read never ends; a start of the core that never finishes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPopup, screen } from './harness.mjs';

let ext;
after(async () => {
  await ext?.close();
});

async function workerTarget() {
  const target = await ext.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(ext.base));
  return target.worker();
}

test('a call waiting on a core that exits fails, and the next call starts a new core', async () => {
  ext = await launchChromium();
  const page = await openPopup(ext);
  await screen(page, 'welcome');
  const worker = await workerTarget();
  assert.equal(await worker.evaluate(() => typeof globalThis.watchwordCore), 'undefined', 'the welcome screen starts no core');

  // Keep the Go object the worker makes, and let the common-password list
  // (which a master-password check loads first) never arrive.
  await worker.evaluate(() => {
    const run = Go.prototype.run;
    Go.prototype.run = function (instance) {
      globalThis.testGo = this;
      return run.call(this, instance);
    };
    globalThis.realResource = globalThis.watchwordResource;
    globalThis.watchwordResource = () => new Promise(() => {});
  });
  await page.evaluate(() => {
    globalThis.held = chrome.runtime.sendMessage({ type: 'ui-bg-policy-check', kind: 'master', password: 'correct horse battery staple' });
    globalThis.heldDone = false;
    globalThis.held.finally(() => { globalThis.heldDone = true; });
  });
  await worker.evaluate(async () => {
    while (!globalThis.watchwordCore || !globalThis.testGo) await new Promise((r) => setTimeout(r, 10));
  });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await page.evaluate(() => globalThis.heldDone), false, 'the check waits for the list');

  // The Go program exits, as wasm_exec.js reports an exit.
  await worker.evaluate(() => {
    globalThis.testGo.exited = true;
    globalThis.testGo._resolveExitPromise();
  });
  const res = await page.evaluate(() => Promise.race([globalThis.held, new Promise((r) => setTimeout(() => r('still waiting'), 10000))]));
  assert.notEqual(res, 'still waiting', 'the held call is answered once the core exits');
  assert.equal(res.ok, false, 'the held call fails');
  assert.equal(res.error.code, 'internal');
  assert.match(res.error.message, /stopped/);

  // The next call gets a new instance.
  await worker.evaluate(() => { delete globalThis.testGo; });
  const gen = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'ui-bg-generate', options: { kind: 'password', length: 24, lower: true, upper: true, digits: true } }));
  assert.equal(gen.ok, true, JSON.stringify(gen));
  assert.equal(gen.value.password.length, 24);
  assert.equal(await worker.evaluate(() => !!globalThis.testGo), true, 'a new Go instance answered');
});

test('a shipped file that is never read fails the call that needs it, and the next call reads it', async () => {
  // The worker's own resource reader again, and the core the last test
  // started, which has not loaded the common-password list; reads of the
  // lists hang until told otherwise.
  const page = await openPopup(ext);
  const worker = await workerTarget();
  await worker.evaluate(() => {
    globalThis.watchwordResource = globalThis.realResource;
    const fetchReal = globalThis.fetch;
    globalThis.hangLists = true;
    globalThis.fetch = (url, opts) => (globalThis.hangLists && String(url).includes('/lists/') ? new Promise(() => {}) : fetchReal(url, opts));
    resourceTimeoutMs = 300; // eslint-disable-line no-undef
  });
  const check = () => page.evaluate(() => Promise.race([
    chrome.runtime.sendMessage({ type: 'ui-bg-policy-check', kind: 'master', password: 'plover anchor velvet 91' }),
    new Promise((r) => setTimeout(() => r('still waiting'), 10000)),
  ]));
  const stuck = await check();
  assert.notEqual(stuck, 'still waiting', 'a stuck read ends the call');
  assert.equal(stuck.ok, false);
  assert.equal(stuck.error.code, 'internal');

  await worker.evaluate(() => { globalThis.hangLists = false; });
  const res = await check();
  assert.equal(res.ok, true, `the next call reads the list: ${JSON.stringify(res)}`);
  const rule = res.value.rules.find((r) => r.kind === 'not_common');
  assert.equal(rule && rule.status, 'pass', 'the list was loaded and consulted');
});

test('a core whose start never finishes fails the call, and the next call starts one', async () => {
  const page = await openPopup(ext);
  const worker = await workerTarget();
  // The running instance goes away (as in the first test), and the next
  // compilation never finishes.
  await worker.evaluate(() => {
    globalThis.testGo.exited = true;
    globalThis.testGo._resolveExitPromise();
    globalThis.realInstantiate = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = () => new Promise(() => {});
    coreStartTimeoutMs = 300; // eslint-disable-line no-undef
  });
  const generate = () => page.evaluate(() => Promise.race([
    chrome.runtime.sendMessage({ type: 'ui-bg-generate', options: { kind: 'password', length: 20, lower: true } }),
    new Promise((r) => setTimeout(() => r('still waiting'), 10000)),
  ]));
  const stuck = await generate();
  assert.notEqual(stuck, 'still waiting', 'a stuck start ends the call');
  assert.equal(stuck.ok, false);
  assert.equal(stuck.error.code, 'internal');
  assert.match(stuck.error.message, /did not start/);

  await worker.evaluate(() => { WebAssembly.instantiateStreaming = globalThis.realInstantiate; });
  const res = await generate();
  assert.equal(res.ok, true, `the next call starts a core: ${JSON.stringify(res)}`);
  assert.equal(res.value.password.length, 20);
});
