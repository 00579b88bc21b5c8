// End-to-end harness: a real watchword-server on 127.0.0.1, the mail it sends
// (through the SMTP sink when it is built, else the server's own outbox), and
// real browsers with the built extension loaded.
//
// Paths come from the environment build.sh sets (WATCHWORD_DIST,
// WATCHWORD_SERVER_BIN, WATCHWORD_CHROMIUM_BIN, WATCHWORD_FIREFOX_BIN) with
// the repository's defaults otherwise.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = process.env.WATCHWORD_DIST || join(ROOT, 'dist');
export const SERVER_BIN = process.env.WATCHWORD_SERVER_BIN || join(ROOT, 'bin/watchword-server');
export const SINK_BIN = process.env.WATCHWORD_SMTPSINK_BIN || join(ROOT, 'bin/watchword-smtpsink');
export const IDP_BIN = process.env.WATCHWORD_IDP_BIN || join(ROOT, 'bin/watchword-idp');
export const CHROMIUM = process.env.WATCHWORD_CHROMIUM_REAL || '/usr/bin/chromium';
export const FIREFOX = process.env.WATCHWORD_FIREFOX_BIN || '/usr/bin/firefox-esr';
export const ARTIFACTS = join(ROOT, 'test/e2e/artifacts');
// The fixed moz-extension UUID of the Firefox test profile, so tests know the
// popup's address before the add-on is installed.
export const FIREFOX_UUID = '6f6b3c1e-8d1a-4b7e-9b4f-2c1d0a9e7f11';
export const GECKO_ID = 'watchword@watchword.app';

// The flags this machine needs (no internet, root, no GPU); see DESIGN.md.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function tempDir(prefix) {
  return mkdtempSync(join(process.env.TMPDIR || tmpdir(), `watchword-e2e-${prefix}-`));
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitFor(fn, { timeout = 15000, interval = 100, what = 'condition' } = {}) {
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
}
export { waitFor };

function startProcess(bin, args, name) {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  const keep = (d) => {
    log.push(d.toString());
    if (log.length > 400) log.shift();
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  proc.log = () => log.join('');
  proc.name = name;
  return proc;
}

function stopProcess(proc) {
  if (!proc || proc.exitCode !== null) return Promise.resolve();
  return new Promise((res) => {
    proc.once('exit', res);
    proc.kill('SIGTERM');
    setTimeout(() => proc.exitCode === null && proc.kill('SIGKILL'), 3000).unref();
  });
}

// startMail starts the SMTP sink (bin/watchword-smtpsink, built by
// ./build.sh): the server sends its mail over real SMTP and the tests read
// it back from the sink's HTTP API. It answers {smtpUrl, proc, messages()}.
async function startMail() {
  if (!existsSync(SINK_BIN)) throw new Error(`${SINK_BIN} is missing: run ./build.sh first`);
  const smtpPort = await freePort();
  const httpPort = await freePort();
  const proc = startProcess(SINK_BIN, ['-smtp', `127.0.0.1:${smtpPort}`, '-http', `127.0.0.1:${httpPort}`], 'smtpsink');
  await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok, { what: 'the SMTP sink' }).catch((err) => {
    throw new Error(`${err.message}\n${proc.log()}`);
  });
  return {
    proc,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    async messages() {
      const res = await fetch(`http://127.0.0.1:${httpPort}/messages`);
      if (!res.ok) throw new Error(`SMTP sink: ${res.status}`);
      return (await res.json()).map((m) => ({ to: [].concat(m.to || []).join(','), text: m.text || '' }));
    },
  };
}

// startIdentityProvider starts bin/watchword-idp on a free loopback port: an
// OpenID Connect provider that signs email in at once and sends the browser
// back to redirect. It answers {proc, issuer, clientId, clientSecret}.
async function startIdentityProvider({ email, unverified }, redirect) {
  if (!existsSync(IDP_BIN)) throw new Error(`${IDP_BIN} is missing: run ./build.sh first`);
  const proc = startProcess(IDP_BIN, ['-redirect', redirect, '-email', email, ...(unverified ? ['-unverified'] : [])], 'idp');
  const line = await waitFor(() => proc.log().split('\n').find((l) => l.startsWith('{"')), { what: 'the identity provider' }).catch((err) => {
    throw new Error(`${err.message}\n${proc.log()}`);
  });
  const { issuer, client_id: clientId, client_secret: clientSecret } = JSON.parse(line);
  return { proc, issuer, clientId, clientSecret };
}

// startServer runs bin/watchword-server on a free loopback port with a fresh
// data directory, sending mail through the SMTP sink. Proof of work is made
// cheap so tests run fast; the real code path runs. With
// {provider: {id, name, email, unverified?}}, it also starts the identity
// provider (one that does not vouch for the address when unverified) and
// sets the server up to offer "Sign in with <name>" through it.
export async function startServer({ provider } = {}) {
  if (!existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: run ./build.sh first`);
  const port = await freePort();
  const data = tempDir('server');
  const url = `http://127.0.0.1:${port}`;
  const mail = await startMail();
  const args = ['-addr', `127.0.0.1:${port}`, '-data', data, '-pow-difficulty', '8', '-log-level', 'warn', '-smtp-url', mail.smtpUrl];
  const helpers = [mail.proc];
  if (provider) {
    const idp = await startIdentityProvider(provider, `${url}/oidc/callback`);
    helpers.push(idp.proc);
    args.push('-oidc', [provider.id, provider.name, idp.issuer, idp.clientId, idp.clientSecret].join('|'));
  }
  let proc = startProcess(SERVER_BIN, args, 'server');
  const healthy = () => waitFor(async () => (await fetch(`${url}/healthz`)).ok, { what: 'the server' }).catch((err) => {
    throw new Error(`${err.message}\n${proc.log()}`);
  });
  await healthy();
  return {
    url,
    data,
    get proc() {
      return proc;
    },
    // halt stops the server process (its data stays): clients see it
    // unreachable. resume starts it again on the same address and data.
    async halt() {
      await stopProcess(proc);
    },
    async resume() {
      proc = startProcess(SERVER_BIN, args, 'server');
      await healthy();
    },
    // mailTo returns the text of the messages sent to address so far, as
    // the sink decoded it (its transfer encoding undone): decoding it again
    // would turn a token's "=AB" into a byte.
    async mailTo(address) {
      return (await mail.messages()).filter((m) => m.to.toLowerCase().includes(address.toLowerCase())).map((m) => m.text);
    },
    async stop() {
      await stopProcess(proc);
      for (const p of helpers) await stopProcess(p);
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export function findLink(mailText, path) {
  const re = new RegExp(`https?://[^\\s"'<>]*${path.replace(/[/]/g, '\\/')}[^\\s"'<>]*`);
  const m = mailText.match(re);
  return m ? m[0].replace(/&amp;/g, '&') : null;
}

// launchChromium starts headless Chromium with the extension from
// dist/chrome and answers {browser, extensionId, worker()}.
export async function launchChromium({ extensionDir = join(DIST, 'chrome') } = {}) {
  const userDataDir = tempDir('chromium');
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    enableExtensions: [extensionDir],
    userDataDir,
    args: CHROMIUM_ARGS,
    defaultViewport: { width: 360, height: 560, deviceScaleFactor: 2 },
  });
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 20000 });
  const extensionId = new URL(target.url()).host;
  return {
    kind: 'chromium',
    browser,
    extensionId,
    base: `chrome-extension://${extensionId}`,
    target,
    async close() {
      await browser.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// launchFirefox starts Firefox ESR over WebDriver BiDi and installs the
// extension from dist/firefox with a fixed moz-extension UUID.
export async function launchFirefox({ extensionDir = join(DIST, 'firefox') } = {}) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width: 360, height: 560 },
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      'xpinstall.signatures.required': false,
      'extensions.experiments.enabled': true,
    },
  });
  await browser.installExtension(extensionDir);
  return {
    kind: 'firefox',
    browser,
    extensionId: FIREFOX_UUID,
    base: `moz-extension://${FIREFOX_UUID}`,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

// openPopup opens popup.html in a tab sized like the real popup and collects
// the page's errors.
export async function openPopup(ext) {
  const page = await ext.browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.setViewport({ width: 360, height: 560, deviceScaleFactor: ext.kind === 'chromium' ? 2 : 1 }).catch(() => {});
  await page.goto(`${ext.base}/popup.html`);
  page.errors = errors;
  return page;
}

// stopWorkers stops the extension's service worker through page's DevTools
// session, as the browser does when the worker is idle.
export async function stopWorkers(page) {
  const cdp = await page.createCDPSession();
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

// send asks the background something from an extension page, as the popup does.
export async function send(page, type, payload = {}) {
  const res = await page.evaluate((m) => chrome.runtime.sendMessage(m), { type, ...payload });
  if (!res || !res.ok) throw new Error(`${type}: ${JSON.stringify(res && res.error)}`);
  return res.value;
}

let shotCounter = 0;
// shot saves a screenshot of the popup under artifacts/<browser>/.
export async function shot(page, ext, name) {
  const dir = join(ARTIFACTS, ext.kind);
  mkdirSync(dir, { recursive: true });
  shotCounter++;
  const file = join(dir, `${String(shotCounter).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// clickSettled clicks selector once it has stopped moving. The password
// screens grow as the checklist and the strength estimate arrive (the
// estimate a moment after typing stops); a click aimed at where a button
// was lands beside it, as a person's would.
export async function clickSettled(page, selector) {
  let last = null;
  let still = 0;
  for (let i = 0; i < 100 && still < 3; i++) {
    const box = await page.$eval(selector, (el) => {
      const r = el.getBoundingClientRect();
      return `${r.x},${r.y},${r.width},${r.height}`;
    });
    still = box === last ? still + 1 : 0;
    last = box;
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.click(selector);
}

// screen waits until the popup shows the named screen. When it does not
// come, the error says what the popup shows instead (its screen, any error
// or busy button, the status corner, whether the background and the core
// still answer), so a failure in CI can be read without a screenshot.
export async function screen(page, name, timeout = 20000) {
  await page.waitForFunction((n) => document.body.dataset.screen === n, { timeout }, name).catch(async (err) => {
    const shown = await page.evaluate(() => {
      const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent.trim()).filter(Boolean).join(' / ');
      return {
        screen: document.body.dataset.screen,
        errors: text('.notice.error, [role="alert"]'),
        busy: text('button[aria-busy="true"], button:disabled'),
        status: document.querySelector('#status') && document.querySelector('#status').dataset.state,
      };
    }).catch((e) => ({ unreadable: String(e) }));
    // Whether the background answers a message that needs no core, and
    // one that does.
    const probe = (msg) => page.evaluate((m) => {
      if (!globalThis.chrome || !chrome.runtime || !chrome.runtime.sendMessage) return 'not an extension page';
      return Promise.race([
        chrome.runtime.sendMessage(m).then((r) => (r && r.ok ? 'answers' : `answers ${JSON.stringify(r)}`), (e) => `fails: ${e}`),
        new Promise((r) => setTimeout(() => r('no answer in 3 s'), 3000)),
      ]);
    }, msg).catch((e) => `unreadable: ${e}`);
    shown.background = await probe({ type: 'ui-bg-state' });
    shown.core = await probe({ type: 'ui-bg-generate', options: { kind: 'password', length: 16, lower: true } });
    throw new Error(`waiting for the ${name} screen: the popup shows ${JSON.stringify(shown)}: ${err.message}`);
  });
}
