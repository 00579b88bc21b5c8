// Autofill in real Chromium with the built extension: the forms it must fill,
// and the pages it must refuse, on every fill path (inline suggestion, the
// popup's Fill button, the keyboard command).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, startPages, setUpVault, suggestionFrame, saveBarFrame, values, assertFilled, filledCount, tabIdOf, sleep, waitFor, openPopup, settled,
} from './harness.mjs';

const SITE = { name: 'Site', username: 'ann@site.test', password: 'S3cret-site-PW!', urls: [{ url: 'http://site.test/', match: 'domain' }] };
const PAYPAL = { name: 'Pay', username: 'pp-user', password: 'S3cret-paypal-PW!', urls: [{ url: 'http://paypal.test/', match: 'domain' }] };
const SECURE = { name: 'Secure', username: 'sec-user', password: 'S3cret-secure-PW!', urls: [{ url: 'https://secure.test/', match: 'domain' }] };
const OTP = { name: 'Codes', username: 'otp-user', password: 'S3cret-otp-PW!', totp: 'JBSWY3DPEHPK3PXP', urls: [{ url: 'http://otp.test/', match: 'domain' }] };
// Saved as a person types it; the browser loads the page as xn--bcher-kva.test.
const BUCHER = { name: 'Bücher', username: 'leser', password: 'S3cret-buecher-PW!', urls: [{ url: 'http://bücher.test/', match: 'domain' }] };
const SECRETS = [SITE, PAYPAL, SECURE, OTP, BUCHER].map((l) => l.password).concat(['JBSWY3DPEHPK3PXP']);
// Clicks in an overlay count only after it has been visible this long.
const SETTLE_MS = 650;

let pages, ext, worker;

before(async () => {
  pages = await startPages();
  ext = await launch();
  await setUpVault(ext, { site: SITE, paypal: PAYPAL, secure: SECURE, otp: OTP, bucher: BUCHER });
  worker = await ext.worker();
});

after(async () => {
  if (ext) await ext.close();
  if (pages) await pages.close();
});

async function open(host, path) {
  const page = await ext.browser.newPage();
  await page.goto(pages.url(host, path));
  await sleep(200); // the content script's first scan
  return page;
}

// leaks lists the requests since mark that carry a secret.
function leaks(mark) {
  return pages.requests.slice(mark).filter((r) => SECRETS.some((s) => r.url.includes(s) || r.body.includes(s) || r.url.includes(encodeURIComponent(s))));
}

async function popupFill(page, payload = {}) {
  const tabId = await tabIdOf(ext, page);
  const res = await ext.ui('ui-bg-fill', { tabId, ...payload });
  assert.ok(res && res.ok, `ui-bg-fill: ${JSON.stringify(res)}`);
  return res.value;
}

async function commandFill(page) {
  const tabId = await tabIdOf(ext, page);
  return worker.evaluate((id) => globalThis.autofill.fillCommand(id), tabId);
}

// inlinePick focuses the field, waits for the suggestion and clicks its
// first row (or the row matching selector).
async function inlinePick(page, { frame = page.mainFrame(), field = '#user', row = 'button.item' } = {}) {
  await frame.click(field);
  const s = await suggestionFrame(page, ext);
  await settled(s, SETTLE_MS);
  await s.click(row);
  await sleep(400);
  return s;
}

async function noSuggestion(page, ms = 1200) {
  await sleep(ms);
  for (const f of page.frames()) assert.ok(!f.url().includes('/content/suggest.html'), `a suggestion opened: ${f.url()}`);
}

// ---------------------------------------------------------------------------
// Fills

test('fills a plain login form from the inline suggestion', async () => {
  const page = await open('site.test', '/login.html');
  await inlinePick(page);
  await assertFilled(page.mainFrame(), { user: SITE.username, pass: SITE.password, q: '' });
  await page.close();
});

test('a second suggestion on the same page reuses its iframe and fills', async () => {
  const page = await open('site.test', '/login.html');
  await page.click('#user');
  const first = await suggestionFrame(page, ext);
  await page.keyboard.press('Escape');
  const t = Date.now();
  await sleep(100);
  await page.click('#pass');
  const s = await suggestionFrame(page, ext, { after: t });
  assert.equal(s, first);
  assert.equal(page.frames().filter((f) => f.url().includes('/content/suggest.html')).length, 1);
  await settled(s, SETTLE_MS);
  await s.click('button.item');
  await waitFor(async () => (await values(page.mainFrame())).pass === SITE.password, { what: 'the fill', timeout: 5000 });
  assert.deepEqual(await values(page.mainFrame()), { user: SITE.username, pass: SITE.password, q: '' });
  await page.close();
});

test('fills a plain login form from the popup and the keyboard command', async () => {
  const page = await open('www.site.test', '/login.html');
  assert.deepEqual(await popupFill(page), { filled: 2 });
  assert.equal((await values(page.mainFrame())).pass, SITE.password);
  await page.evaluate(() => document.querySelectorAll('input').forEach((i) => { i.value = ''; }));
  assert.deepEqual(await commandFill(page), { filled: 2 });
  assert.deepEqual(await values(page.mainFrame()), { user: SITE.username, pass: SITE.password, q: '' });
  await page.close();
});

// The saved URL's host is mapped by the browser's own URL parser (the core
// links no IDNA tables of its own), so it is read as the page's host is.
test('a login saved for an internationalised name fills on that site, in the form the browser loads it', async () => {
  for (const host of ['xn--bcher-kva.test', 'www.xn--bcher-kva.test']) {
    const page = await open(host, '/login.html');
    assert.deepEqual(await popupFill(page), { filled: 2 }, host);
    assert.deepEqual(await values(page.mainFrame()), { user: BUCHER.username, pass: BUCHER.password, q: '' }, host);
    await page.close();
  }
  // A lookalike of it (ü → u) gets nothing.
  const page = await open('bucher.test', '/login.html');
  assert.equal((await popupFill(page)).filled, 0);
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  await page.close();
});

test('the popup lists the page\'s login and its Fill button fills it', async () => {
  const mark = pages.requests.length;
  const page = await open('site.test', '/login.html');
  const popup = await openPopup(ext, page);
  await popup.waitForSelector('#page-fill-list button[data-fill]', { timeout: 10000 });
  const names = await popup.$$eval('#page-fill-list .name', (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, [SITE.name]); // only the logins the core allows here
  await popup.click('#page-fill-list button[data-fill]');
  await popup.waitForSelector('#page-fill .notice.ok');
  assert.deepEqual(await values(page.mainFrame()), { user: SITE.username, pass: SITE.password, q: '' });
  assert.deepEqual(leaks(mark), []);
  await popup.close();
  await page.close();
});

test('the popup offers nothing on a lookalike page', async () => {
  const page = await open('paypa1.test', '/login.html');
  const popup = await openPopup(ext, page);
  await popup.waitForSelector('#entries li');
  await sleep(800); // the page's answer comes after the list
  assert.equal(await popup.$('#page-fill-list'), null);
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  await popup.close();
  await page.close();
});

for (const [name, host, path, reason, frameHost] of [
  ['a cross-origin frame, naming its origin', 'other.test', '/frame-cross.html', 'frame from', 'site.test'],
  ['an http page for an https login', 'secure.test', '/login.html', 'not secure', ''],
  ['a form posting to another site', 'site.test', '/action.html', 'sends what you type to', ''],
]) {
  test(`the popup's Fill asks first: ${name}`, async () => {
    const mark = pages.requests.length;
    const page = await open(host, path);
    const frame = frameHost
      ? await waitFor(() => page.frames().find((f) => f.url().includes(frameHost)), { what: 'the frame' })
      : page.mainFrame();
    await sleep(300);
    const popup = await openPopup(ext, page);
    await popup.waitForSelector('#page-fill-list button[data-fill]', { timeout: 10000 });
    await popup.click('#page-fill-list button[data-fill]');
    await popup.waitForSelector('#fill-confirm');
    const text = await popup.$eval('#page-fill .notice.warn', (e) => e.textContent);
    assert.ok(text.includes(reason), text);
    if (frameHost) assert.ok(text.includes(`http://${frameHost}:${pages.port}`), text);
    assert.equal(filledCount(await values(frame)), 0);
    await popup.click('#fill-confirm');
    await popup.waitForSelector('#page-fill .notice.ok');
    const v = await values(frame);
    assert.equal(v.pass, [SITE, SECURE].find((l) => v.user === l.username)?.password);
    assert.deepEqual(leaks(mark), []); // filled, not sent: the page did not submit
    await popup.close();
    await page.close();
  });
}

test('fills a username step, then a password step', async () => {
  const page = await open('site.test', '/step-user.html');
  assert.deepEqual(await popupFill(page), { filled: 1 });
  assert.deepEqual(await values(page.mainFrame()), { user: SITE.username });
  await Promise.all([page.waitForNavigation(), page.click('button')]);
  await sleep(200);
  assert.deepEqual(await popupFill(page), { filled: 1 });
  assert.deepEqual(await values(page.mainFrame()), { pass: SITE.password });
  await page.close();
});

test('fills formless inputs', async () => {
  const page = await open('site.test', '/formless.html');
  await inlinePick(page);
  await assertFilled(page.mainFrame(), { user: SITE.username, pass: SITE.password });
  await page.close();
});

test('fills inputs in an open shadow root', async () => {
  const page = await open('site.test', '/shadow.html');
  await inlinePick(page, { field: 'pierce/#user' });
  await assertFilled(page.mainFrame(), { user: SITE.username, pass: SITE.password });
  await page.close();
});

test('fills a form in a same-origin iframe', async () => {
  const page = await open('site.test', '/frame-same.html');
  const frame = await waitFor(() => page.frames().find((f) => f.url().endsWith('/login.html')), { what: 'the frame' });
  await sleep(300);
  await inlinePick(page, { frame });
  await assertFilled(frame, { user: SITE.username, pass: SITE.password, q: '' });
  await page.close();
});

test('fills a form a single-page app renders late', async () => {
  const page = await open('site.test', '/spa.html');
  await page.waitForSelector('#user');
  await inlinePick(page);
  await assertFilled(page.mainFrame(), { user: SITE.username, pass: SITE.password });
  await page.close();
});

// The page focuses its field in the task that adds the form, so the content
// script asks for a suggestion before its own scan reports the form. Both
// requests name the same suggestion iframe: the iframe must end on the
// session the content script holds, or a pick there is refused as stale.
// The worker holds the scan's request back, so the session it makes would be
// the last one the iframe is told.
test('fills a form a single-page app renders late and focuses itself', async () => {
  await worker.evaluate(() => {
    const h = globalThis.autofill.handlers['cs-bg-forms'];
    if (!h.original) {
      h.original = h.fn;
      h.fn = async (...a) => {
        await new Promise((r) => setTimeout(r, 300));
        return h.original(...a);
      };
    }
  });
  try {
    const page = await open('site.test', '/spa-focus.html');
    await page.waitForSelector('#user');
    const s = await suggestionFrame(page, ext);
    await sleep(500); // the held-back answer lands
    await settled(s, SETTLE_MS);
    await s.click('button.item');
    await assertFilled(page.mainFrame(), { user: SITE.username, pass: SITE.password });
    await page.close();
  } finally {
    await worker.evaluate(() => {
      const h = globalThis.autofill.handlers['cs-bg-forms'];
      if (h.original) {
        h.fn = h.original;
        delete h.original;
      }
    });
  }
});

test('fills a form in a modal <dialog>', async () => {
  const page = await open('site.test', '/dialog.html');
  await inlinePick(page);
  await assertFilled(page.mainFrame(), { user: SITE.username, pass: SITE.password });
  await page.close();
});

test('fills a one-time code split into six inputs', async () => {
  const page = await open('otp.test', '/otp.html');
  assert.deepEqual(await popupFill(page), { filled: 6 });
  const v = await values(page.mainFrame());
  const code = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((k) => v[k]).join('');
  assert.match(code, /^\d{6}$/);
  await page.close();
});

test('fills a generated password into a sign-up form, not the newsletter box', async () => {
  const page = await open('site.test', '/signup.html');
  await inlinePick(page, { row: 'button.item[data-id="generated"]' });
  const v = await values(page.mainFrame());
  assert.equal(v.new1.length, 20);
  assert.equal(v.new1, v.new2);
  assert.notEqual(v.new1, SITE.password);
  assert.equal(v['news-email'], '');
  await page.close();
});

// ---------------------------------------------------------------------------
// Refusals: 0 filled fields and no secret in any request

test('fills nothing into 50 injected forms without a gesture', async () => {
  const mark = pages.requests.length;
  const page = await open('site.test', '/injected.html');
  await waitFor(() => pages.requests.slice(mark).some((r) => r.url === '/collect'), { what: 'the sweep', timeout: 8000 });
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

for (const [name, host, path] of [
  ['a digit for a letter (paypa1)', 'paypa1.test', '/login.html'],
  ['a homograph (Cyrillic а)', 'xn--pypal-4ve.test', '/login.html'],
  ['the site as a subdomain of another', 'site.test.evil.test', '/login.html'],
  ['the site in the fragment', 'evil.test', '/login.html#site.test'],
  ['the site as user-info', 'site.test@evil.test', '/login.html'],
]) {
  test(`refuses a lookalike: ${name}`, async () => {
    const mark = pages.requests.length;
    const page = await open(host, path);
    await page.click('#user');
    await noSuggestion(page);
    const res = await popupFill(page);
    assert.equal(res.filled, 0);
    assert.equal(await commandFill(page).then((r) => r.filled), 0);
    assert.equal(filledCount(await values(page.mainFrame())), 0);
    assert.deepEqual(leaks(mark), []);
    await page.close();
  });
}

test('asks before filling an https login into an http page', async () => {
  const mark = pages.requests.length;
  const page = await open('secure.test', '/login.html');
  const res = await popupFill(page);
  assert.equal(res.confirm?.reason, 'insecure_page');
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  assert.deepEqual(await commandFill(page).then((r) => r.filled || 0), 0);
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

for (const v of ['display', 'visibility', 'opacity', 'opacity-root', 'tiny', 'clip', 'clip-overflow', 'offscreen', 'covered']) {
  test(`fills nothing into hidden fields: ${v}`, async () => {
    const mark = pages.requests.length;
    const page = await open('site.test', `/hidden.html?v=${v}`);
    const res = await popupFill(page);
    assert.equal(res.filled, 0, JSON.stringify(res));
    assert.equal(filledCount(await values(page.mainFrame())), 0);
    await waitFor(() => pages.requests.slice(mark).some((r) => r.url === '/collect'), { what: 'the page report', timeout: 5000 });
    assert.deepEqual(leaks(mark), []);
    await page.close();
  });
}

test('cross-origin iframe: the popup must confirm the frame origin first', async () => {
  const mark = pages.requests.length;
  const page = await open('other.test', '/frame-cross.html');
  const frame = await waitFor(() => page.frames().find((f) => f.url().includes('site.test')), { what: 'the frame' });
  // Until the frame's content script has reported its form there is nothing
  // to fill (a busy machine takes longer than the first scan's 200 ms); any
  // answer but that one ends the wait, a fill without asking included.
  const res = await waitFor(async () => {
    const r = await popupFill(page);
    return r.confirm || r.filled ? r : null;
  }, { what: "the frame's form", timeout: 10000 });
  assert.deepEqual(res.confirm, { reason: 'cross_origin_frame', origin: `http://site.test:${pages.port}` });
  assert.equal(filledCount(await values(frame)), 0);
  // With the consent naming that origin, it fills.
  const ok = await popupFill(page, { consent: { frameOrigin: `http://site.test:${pages.port}` } });
  assert.equal(ok.filled, 2);
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

test('cross-origin iframe: the keyboard command asks in the frame', async () => {
  const mark = pages.requests.length;
  const page = await open('other.test', '/frame-cross.html');
  const frame = await waitFor(() => page.frames().find((f) => f.url().includes('site.test')), { what: 'the frame' });
  await sleep(300);
  const res = await commandFill(page);
  assert.equal(res.confirm?.reason, 'cross_origin_frame');
  await suggestionFrame(page, ext); // the question is shown next to the field
  assert.equal(filledCount(await values(frame)), 0);
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

test('cross-origin iframe: the inline suggestion asks, naming the frame', async () => {
  const mark = pages.requests.length;
  const page = await open('other.test', '/frame-cross.html');
  const frame = await waitFor(() => page.frames().find((f) => f.url().includes('site.test')), { what: 'the frame' });
  await sleep(300);
  const s = await inlinePick(page, { frame });
  assert.equal(filledCount(await values(frame)), 0);
  const text = await s.evaluate(() => document.body.innerText);
  assert.match(text, new RegExp(`http://site\\.test:${pages.port}`));
  await settled(s, SETTLE_MS);
  await s.click('button[data-action=confirm]');
  await waitFor(async () => (await values(frame)).pass === SITE.password, { what: 'the confirmed fill', timeout: 5000 });
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

test('asks before filling a form that posts to another site', async () => {
  const mark = pages.requests.length;
  const page = await open('site.test', '/action.html');
  const res = await popupFill(page);
  assert.deepEqual(res.confirm, { reason: 'form_action', origin: `http://evil.test:${pages.port}` });
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

test('ignores a page forging the content script\'s messages and events', async () => {
  const mark = pages.requests.length;
  const page = await open('site.test', `/forge.html?ext=${ext.extensionId}`);
  await waitFor(() => pages.requests.slice(mark).some((r) => r.url === '/collect'), { what: 'the page report', timeout: 6000 });
  assert.equal(filledCount(await values(page.mainFrame())), 0);
  assert.deepEqual(leaks(mark), []);
  await page.close();
});

for (const mode of ['transparent', 'overlay', 'popover']) {
  test(`clickjacking the inline suggestion fills nothing: ${mode}`, async () => {
    const mark = pages.requests.length;
    const page = await open('site.test', '/clickjack.html');
    await page.click('#user');
    const s = await suggestionFrame(page, ext);
    await sleep(SETTLE_MS);
    await page.evaluate((m) => window.attack(m), mode);
    await sleep(150);
    await s.click('button.item').catch(() => {}); // the frame may be gone already
    await sleep(600);
    assert.equal(filledCount(await values(page.mainFrame())), 0);
    assert.deepEqual(leaks(mark), []);
    await page.close();
  });
}

// ---------------------------------------------------------------------------
// Save and update

async function signIn(host, username, password) {
  const page = await open(host, '/login.html');
  await page.type('#user', username);
  await page.type('#pass', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return page;
}

async function entriesFor(username) {
  const res = await ext.ui('ui-bg-entries');
  assert.ok(res.ok, JSON.stringify(res));
  return res.value.entries.filter((e) => e.fields.username === username);
}

test('offers to save a new login after signing in, then to update it', async () => {
  let page = await signIn('newsite.test', 'new@newsite.test', 'N3w-Password-1!');
  let bar = await saveBarFrame(page);
  assert.match(await bar.evaluate(() => document.body.innerText), /Save this login/);
  await settled(bar, SETTLE_MS);
  await bar.click('#save');
  const saved = await waitFor(async () => (await entriesFor('new@newsite.test'))[0], { what: 'the saved entry' });
  assert.equal(saved.fields.password, 'N3w-Password-1!');
  assert.equal(saved.fields.urls[0].url, `http://newsite.test:${pages.port}/`);
  await page.close();

  page = await signIn('newsite.test', 'new@newsite.test', 'N3w-Password-2!');
  bar = await saveBarFrame(page);
  assert.match(await bar.evaluate(() => document.body.innerText), /Update the saved password/);
  await settled(bar, SETTLE_MS);
  await bar.click('#save');
  await waitFor(async () => {
    const es = await entriesFor('new@newsite.test');
    return es.length === 1 && es[0].fields.password === 'N3w-Password-2!';
  }, { what: 'the updated entry' });
  await page.close();

  // The same credentials again: nothing to offer.
  page = await signIn('newsite.test', 'new@newsite.test', 'N3w-Password-2!');
  await sleep(1200);
  assert.ok(!page.frames().some((f) => f.url().includes('/content/savebar.html')), 'a save prompt for unchanged credentials');
  await page.close();
});
