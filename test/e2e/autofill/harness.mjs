// Autofill end-to-end harness: fixture pages served on 127.0.0.1 under
// several host names (Chromium maps *.test to 127.0.0.1, so site.test,
// evil.test and paypa1.test need no DNS), a log of every request the pages
// make (to prove no secret leaves), and headless Chromium with the built
// extension, a local vault and a few logins.
import assert from 'node:assert/strict';
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGES = join(ROOT, 'test/e2e/autofill/pages');
export const DIST = process.env.WATCHWORD_DIST || join(ROOT, 'dist');
export const CHROMIUM = process.env.WATCHWORD_CHROMIUM_REAL || '/usr/bin/chromium';
export const MASTER = 'correct horse battery staple 42';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--host-resolver-rules=MAP *.test 127.0.0.1',
];

// startPages serves test/e2e/autofill/pages on a free port of 127.0.0.1 and
// records every request (method, host, URL, body).
export async function startPages() {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests.push({ method: req.method, host: req.headers.host, url: req.url, body });
      const u = new URL(req.url, 'http://x');
      if (req.method === 'POST' || u.pathname === '/signed-in' || u.pathname === '/steal') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end('<!doctype html><title>Signed in</title><h1>Welcome</h1>');
        return;
      }
      const file = join(PAGES, u.pathname === '/' ? 'login.html' : u.pathname.replace(/^\/+/, ''));
      if (!file.startsWith(PAGES) || !existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      const type = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript' }[extname(file)] || 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(readFileSync(file));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    port,
    url: (host, path) => `http://${host}:${port}${path}`,
    requests,
    close: () => new Promise((r) => server.close(r)),
  };
}

export function waitFor(fn, { timeout = 15000, interval = 50, what = 'condition' } = {}) {
  return (async () => {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
  })();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// launch starts headless Chromium with dist/chrome loaded.
export async function launch() {
  const extensionDir = join(DIST, 'chrome');
  if (!existsSync(join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} is not built: run ./build.sh`);
  const userDataDir = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'watchword-autofill-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    enableExtensions: [extensionDir],
    userDataDir,
    args: CHROMIUM_ARGS,
    defaultViewport: { width: 1000, height: 700 },
    protocolTimeout: 120_000,
  });
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 20000 });
  const extensionId = new URL(target.url()).host;
  const ext = {
    browser,
    extensionId,
    base: `chrome-extension://${extensionId}`,
    async worker() {
      const t = await browser.waitForTarget((x) => x.type() === 'service_worker' && x.url().startsWith(ext.base), { timeout: 20000 });
      return t.worker();
    },
    // ui sends a ui-bg message from an extension page, as the popup does.
    async ui(type, payload = {}) {
      if (!ext.uiPage || ext.uiPage.isClosed()) {
        ext.uiPage = await browser.newPage();
        await ext.uiPage.goto(`${ext.base}/options.html`);
      }
      return ext.uiPage.evaluate((msg) => chrome.runtime.sendMessage(msg), { type, ...payload });
    },
    async close() {
      await browser.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return ext;
}

// setUpVault makes a local-only vault and saves the logins.
export async function setUpVault(ext, logins) {
  for (const [type, payload] of [['ui-bg-use-local', {}], ['ui-bg-vault-create', { password: MASTER }]]) {
    const res = await ext.ui(type, payload);
    if (!res || !res.ok) throw new Error(`${type}: ${JSON.stringify(res)}`);
  }
  const ids = {};
  for (const [key, fields] of Object.entries(logins)) {
    const res = await ext.ui('ui-bg-entry-save', { entry: { type: 'login', fields } });
    if (!res || !res.ok) throw new Error(`save ${key}: ${JSON.stringify(res)}`);
    ids[key] = res.value.id;
  }
  return ids;
}

// tabIdOf finds a page's tab id from the service worker.
export async function tabIdOf(ext, page) {
  const w = await ext.worker();
  const url = page.url();
  await page.bringToFront();
  return w.evaluate(async (u) => {
    const tabs = await chrome.tabs.query({});
    return (tabs.find((t) => t.url === u) || (await chrome.tabs.query({ active: true }))[0])?.id;
  }, url);
}

// openPopup opens the popup page in a tab of its own, acting on the tab of
// target (?tab= names it, as a popup in a tab must).
export async function openPopup(ext, target) {
  const tabId = await tabIdOf(ext, target);
  const popup = await ext.browser.newPage();
  await popup.goto(`${ext.base}/popup.html?tab=${tabId}`);
  return popup;
}

// suggestionFrame waits for the inline suggestion's frame in page to be
// ready (with a view drawn after the epoch-ms time after, when given: the
// iframe is reused from one suggestion to the next).
export async function suggestionFrame(page, ext, { timeout = 8000, after = 0 } = {}) {
  return waitFor(async () => {
    for (const f of page.frames()) {
      if (!f.url().includes('/content/suggest.html')) continue;
      const ready = await f.evaluate(() => document.documentElement.dataset.ready || '').catch(() => '');
      if (ready && Number(ready) > after) return f;
    }
    return null;
  }, { timeout, what: 'the inline suggestion' });
}

// settled waits until frame's iframe has stopped moving in the page (a
// page still laying itself out moves the suggestion with its field, and a
// move restarts the overlay's visibility clock, so a click counted from
// before the move would be, rightly, too soon), then for ms more.
export async function settled(frame, ms) {
  const el = await frame.frameElement();
  let last = '';
  for (let still = 0, i = 0; still < 3 && i < 50; i++) {
    const box = el ? JSON.stringify(await el.boundingBox().catch(() => null)) : '';
    still = box === last ? still + 1 : 0;
    last = box;
    await sleep(100);
  }
  await sleep(ms);
}

export function saveBarFrame(page, { timeout = 8000 } = {}) {
  return waitFor(async () => {
    for (const f of page.frames()) {
      if (!f.url().includes('/content/savebar.html')) continue;
      const ready = await f.evaluate(() => document.documentElement.dataset.ready || '').catch(() => '');
      if (ready) return f;
    }
    return null;
  }, { timeout, what: 'the save prompt' });
}

// values reads every input's value in a frame, open shadow roots included.
export function values(frame) {
  return frame.evaluate(() => {
    const out = {};
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.tagName === 'INPUT') out[el.id || el.name || `#${Object.keys(out).length}`] = el.value;
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return out;
  });
}

// assertFilled waits until a fill has reached the frame (the fill goes
// through the worker and the core, which a loaded machine slows), then
// asserts its inputs hold exactly want.
export async function assertFilled(frame, want, timeout = 10000) {
  let got;
  for (const end = Date.now() + timeout; Date.now() < end;) {
    got = await values(frame);
    if (isDeepStrictEqual(got, want)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(got, want);
}

export function filledCount(vals) {
  return Object.values(vals).filter((v) => v !== '').length;
}
