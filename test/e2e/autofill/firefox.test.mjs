// Autofill in Firefox ESR over WebDriver BiDi: the popup's Fill button (the
// real popup page, opened in a tab by the test build's hook, firefox.mjs)
// and a real click in the inline suggestion fill a plain login form; a
// lookalike host and hidden fields get nothing — the same Go decision, the
// same content script as in Chromium.
//
// The keyboard command is not driven here: BiDi's input actions reach the
// page, never the browser's shortcut handling, and BiDi exposes no realm of
// the extension's background page in which to call it directly (Chromium's
// tests call it through the service worker's target).
//
// Firefox resolves the fixture host names to the loopback interface through
// network.dns.localDomains (Chromium's --host-resolver-rules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { startPages, values, filledCount, sleep, waitFor, MASTER } from './harness.mjs';
import { FIREFOX, FIREFOX_UUID, GECKO_ID } from '../harness.mjs';
import { firefoxTestBuild } from '../firefox.mjs';

const SITE = { name: 'Site', username: 'ann@site.test', password: 'S3cret-ff-site-PW!', urls: [{ url: 'http://site.test/', match: 'domain' }] };
// Saved as a person types it; Firefox loads the page as xn--bcher-kva.test.
const BUCHER = { name: 'Bücher', username: 'leser', password: 'S3cret-ff-buecher-PW!', urls: [{ url: 'http://bücher.test/', match: 'domain' }] };
const HOSTS = ['site.test', 'www.site.test', 'paypa1.test', 'xn--bcher-kva.test'];
const BASE = `moz-extension://${FIREFOX_UUID}`;

let pages, browser, dir, popup;

async function ui(type, payload = {}) {
  const res = await popup.evaluate((m) => browser.runtime.sendMessage(m), { type, ...payload });
  if (!res || !res.ok) throw new Error(`${type}: ${JSON.stringify(res)}`);
  return res.value;
}

// popupPage finds the tab showing a popup.html URL (puppeteer keeps such
// tabs at about:blank over BiDi, so each page is asked where it is).
function popupPage(match = (href) => href.startsWith(`${BASE}/popup.html`)) {
  return waitFor(async () => {
    for (const p of await browser.pages()) {
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (match(href)) return p;
    }
    return null;
  }, { what: 'the popup tab', timeout: 20000 });
}

before(async () => {
  pages = await startPages();
  dir = firefoxTestBuild();
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width: 1000, height: 700 },
    protocolTimeout: 120_000,
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      'xpinstall.signatures.required': false,
      'network.dns.localDomains': HOSTS.join(','),
      'dom.security.https_first': false,
      'dom.security.https_first_schemeless': false,
    },
  });
  await browser.installExtension(dir);
  popup = await popupPage();
  await ui('ui-bg-use-local');
  await ui('ui-bg-vault-create', { password: MASTER });
  await ui('ui-bg-entry-save', { entry: { type: 'login', fields: SITE } });
  await ui('ui-bg-entry-save', { entry: { type: 'login', fields: BUCHER } });
});

after(async () => {
  await browser?.close().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
  await pages?.close();
});

async function open(host, path) {
  const page = await browser.newPage();
  await page.goto(pages.url(host, path));
  await sleep(300); // the content script's first scan
  return page;
}

// fillPopup shows the popup for page's tab (?tab=, as a popup in a tab
// needs) in the hook's tab and answers it once its vault list is drawn.
async function fillPopup(page) {
  const href = page.url();
  const tabId = await popup.evaluate(async (u) => (await browser.tabs.query({})).find((t) => t.url === u)?.id, href);
  assert.ok(Number.isInteger(tabId), `no tab for ${href}`);
  await popup.evaluate((id) => { location.href = `popup.html?tab=${id}`; }, tabId);
  popup = await popupPage((h) => h.endsWith(`popup.html?tab=${tabId}`));
  await popup.waitForSelector('#entries li', { timeout: 15000 });
  return popup;
}

// leaks lists the requests since mark that carry the password.
function leaks(mark) {
  return pages.requests.slice(mark).filter((r) => r.url.includes(SITE.password) || r.body.includes(SITE.password));
}

test('Firefox: the popup\'s Fill button fills a plain login form', async () => {
  const mark = pages.requests.length;
  const page = await open('www.site.test', '/login.html');
  const p = await fillPopup(page);
  await p.waitForSelector('#page-fill-list button[data-fill]', { timeout: 10000 });
  await p.click('#page-fill-list button[data-fill]');
  await p.waitForSelector('#page-fill .notice.ok');
  assert.deepEqual(await values(page.mainFrame()), { user: SITE.username, pass: SITE.password, q: '' });
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

test('Firefox: refuses a lookalike host (paypa1 for a login of site.test)', async () => {
  const mark = pages.requests.length;
  const page = await open('paypa1.test', '/login.html');
  const p = await fillPopup(page);
  await sleep(800); // the page's answer comes after the list
  assert.equal(await p.$('#page-fill-list'), null);
  // Asked anyway (a Fill for the entry), the core refuses.
  const tabId = Number(new URL(await p.evaluate(() => location.href)).searchParams.get('tab'));
  const id = (await ui('ui-bg-list')).entries.find((e) => e.name === SITE.name).id;
  const res = await ui('ui-bg-fill', { tabId, id });
  assert.equal(res.refused, 'no_match', JSON.stringify(res));
  assert.ok(!res.filled, JSON.stringify(res));
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

// The saved URL's host is mapped by Firefox's own URL parser, as the page's
// host was.
test('Firefox: a login saved for an internationalised name fills on that site', async () => {
  const page = await open('xn--bcher-kva.test', '/login.html');
  const tabId = await popup.evaluate(async (u) => (await browser.tabs.query({})).find((t) => t.url === u)?.id, page.url());
  const id = (await ui('ui-bg-list')).entries.find((e) => e.name === BUCHER.name).id;
  const res = await ui('ui-bg-fill', { tabId, id });
  assert.equal(res.filled, 2, JSON.stringify(res));
  assert.deepEqual(await values(page.mainFrame()), { user: BUCHER.username, pass: BUCHER.password, q: '' });
  await page.close();
});

for (const v of ['opacity', 'offscreen']) {
  test(`Firefox: fills nothing into a hidden field (${v})`, async () => {
    const mark = pages.requests.length;
    const page = await open('site.test', `/hidden.html?v=${v}`);
    const tabId = await popup.evaluate(async (u) => (await browser.tabs.query({})).find((t) => t.url === u)?.id, page.url());
    const id = (await ui('ui-bg-list')).entries.find((e) => e.name === SITE.name).id;
    const res = await ui('ui-bg-fill', { tabId, id });
    assert.equal(res.filled || 0, 0, JSON.stringify(res));
    assert.equal(filledCount(await values(page.mainFrame())), 0);
    await waitFor(() => pages.requests.slice(mark).some((r) => r.url === '/collect'), { what: 'the page report', timeout: 5000 });
    assert.deepEqual(leaks(mark), []);
    await page.close();
  });
}

// suggestion finds the inline suggestion's iframe once it has drawn a list
// (BiDi reports extension frames' URLs as about:blank: each is asked).
function suggestion(page) {
  return waitFor(async () => {
    for (const f of page.frames()) {
      const r = await f.evaluate(() => (location.href.includes('/content/suggest.html') ? document.documentElement.dataset.ready || '' : '')).catch(() => '');
      if (r) return f;
    }
    return null;
  }, { what: 'the inline suggestion', timeout: 10000 });
}

test('Firefox: a real click in the inline suggestion fills a plain login form', async () => {
  const mark = pages.requests.length;
  const page = await open('site.test', '/login.html');
  await page.click('#user');
  const s = await suggestion(page);
  assert.match(await s.evaluate(() => document.body.innerText), new RegExp(SITE.username.replace('.', '\\.')));
  await sleep(650); // clicks count only after it was visible this long
  await s.click('button.item');
  await waitFor(async () => (await values(page.mainFrame())).pass === SITE.password, { what: 'the fill', timeout: 5000 });
  assert.deepEqual(await values(page.mainFrame()), { user: SITE.username, pass: SITE.password, q: '' });
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

test('Firefox: no inline suggestion on a lookalike host', async () => {
  const page = await open('paypa1.test', '/login.html');
  await page.click('#user');
  await sleep(1200);
  for (const f of page.frames()) {
    const href = await f.evaluate(() => location.href).catch(() => '');
    assert.ok(!href.includes('/content/suggest.html'), `a suggestion opened: ${href}`);
  }
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  await page.close();
});
