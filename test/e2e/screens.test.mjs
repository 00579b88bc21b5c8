// The popup screens the other suites pass through without stopping: sign-in
// with a two-step code sent by email, "Continue as" for a browser signed in
// to the portal (a wrong code, "I didn't get a code"
// with the resend cool-down, then the code from the captured email), and
// the vault's add / edit / entry / generator / delete screens for every
// entry type (a login with an authenticator key; a document stored, then
// downloaded byte for byte). Each screen is photographed into
// artifacts/chromium/ and checked for what a person needs on it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchChromium, openPopup, send, shot, screen, waitFor } from './harness.mjs';
import { ACCOUNT_PASSWORD, createAccount, createVault, newEntry, names, toSignIn, waitForNames } from './flows.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const text = (page, sel) => page.$eval(sel, (el) => el.textContent.replace(/\s+/g, ' ').trim());

test('sign-in with an emailed two-step code: wrong code, no code, the right code', async () => {
  const email = await createAccount(server, 'two-step');
  // Email codes switched on for the account, through the API.
  const signIn = await (await fetch(`${server.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: ACCOUNT_PASSWORD, device_name: 'test' }),
  })).json();
  const put = await fetch(`${server.url}/api/v1/account/two-step`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${signIn.tokens.access_token}` },
    body: JSON.stringify({ email_codes: true }),
  });
  assert.equal(put.status, 200, await put.text());

  const ext = await launchChromium();
  try {
    const page = await openPopup(ext);
    await toSignIn(page, server.url);
    await shot(page, ext, 'sign-in');
    await page.type('#email', email);
    await page.type('#password', ACCOUNT_PASSWORD);
    await page.click('#sign-in');
    await screen(page, 'twoStep');
    assert.match(await text(page, 'form'), /We sent a code in an email to \S+@example\.org/);
    assert.equal(await page.$eval('#code', (el) => el.getAttribute('autocomplete')), 'one-time-code');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code', 'the code field has the focus');
    await shot(page, ext, 'two-step');

    // A wrong code: a clear error, the code selected for typing again.
    await page.type('#code', '000000');
    await page.click('#verify');
    await page.waitForSelector('.notice.error:not([hidden])', { visible: true });
    assert.match(await text(page, '.notice.error'), /^That code is not right or has expired\./);
    await shot(page, ext, 'two-step-wrong');

    // "I didn't get a code": the email can be sent again once the
    // cool-down the server named has passed.
    await page.click('#no-code');
    await screen(page, 'noCode');
    const resend = await page.$eval('button[data-method="email"]', (b) => ({ disabled: b.disabled, label: b.textContent }));
    assert.equal(resend.disabled, true, 'resending waits for the cool-down');
    assert.match(resend.label, /^Send the email again in \d+ s$/);
    await shot(page, ext, 'no-code');
    await page.click('#back');
    await screen(page, 'twoStep');

    const mail = await waitFor(async () => (await server.mailTo(email)).map((t) => t.match(/\b\d{6}\b/)).find(Boolean), { what: 'the security code email' });
    await page.click('#code', { clickCount: 3 });
    await page.type('#code', mail[0]);
    await page.click('#verify');
    await screen(page, 'masterCreate', 30000);
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});

test('signed in to the portal in this browser: the popup offers "Continue as", and it connects', async () => {
  const email = await createAccount(server, 'auto');
  const ext = await launchChromium();
  try {
    const portal = await ext.browser.newPage();
    await portal.goto(`${server.url}/signin`);
    await portal.type('#email', email);
    await portal.type('#password', ACCOUNT_PASSWORD);
    await Promise.all([portal.waitForNavigation(), portal.click('button[type=submit]')]);
    const page = await openPopup(ext);
    await toSignIn(page, server.url);
    await page.waitForSelector('#auto-connect', { visible: true, timeout: 10000 });
    assert.equal(await text(page, '#auto-connect'), `Continue as ${email}`);
    await shot(page, ext, 'sign-in-continue-as');
    await page.click('#auto-connect');
    await screen(page, 'masterCreate', 30000);
    const state = await send(page, 'ui-bg-state');
    assert.equal(state.account && state.account.email, email, 'connected to the portal\'s account, without its password');
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});

test('vault screens: add one entry of each type, download the document, generate, delete', async () => {
  const ext = await launchChromium();
  try {
    const page = await openPopup(ext);
    await screen(page, 'welcome');
    await page.click('#local');
    await createVault(page);

    await page.click('#add');
    await screen(page, 'addType');
    assert.deepEqual(await page.$$eval('button[data-type]', (bs) => bs.map((b) => b.dataset.type)), ['login', 'card', 'identity', 'note', 'document']);
    await shot(page, ext, 'add-type');

    await page.click('#back');
    await screen(page, 'vault');
    await newEntry(page, 'card', { name: 'Travel card', cardholder: 'Ann Example', number: '4111 1111 1111 1234', expiry: '09/29', securityCode: '735' });
    await shot(page, ext, 'edit-card');
    await page.click('#save');
    await screen(page, 'entry');
    const card = await text(page, '.kv');
    assert.ok(!card.includes('4111 1111 1111 1234') && !card.includes('735'), `secrets are hidden until shown: ${card}`);
    assert.match(card, /Name on card\s*Ann Example/);
    assert.equal(await page.$eval('.kv [data-field="number"]', (el) => el.textContent), '•••• 1234', 'the card number shows its last four digits');
    await shot(page, ext, 'entry-card');
    await page.click('#back');
    await screen(page, 'vault');

    await newEntry(page, 'login', { name: 'Mail', username: 'ann@example.org', password: 'a-long-unguessable-phrase', totp: 'JBSWY3DPEHPK3PXP' });
    await page.click('#save');
    await screen(page, 'entry');
    // The authenticator key shows as a six-digit code that counts down.
    await page.waitForFunction(() => /\d{3} \d{3}/.test(document.querySelector('.kv').textContent));
    await shot(page, ext, 'entry-login-totp');
    await page.click('#back');
    await screen(page, 'vault');
    await waitForNames(page, ['Mail', 'Travel card'], 'the list after two saves');

    await page.click('#settings');
    await screen(page, 'settings');
    await page.click('#open-generator');
    await screen(page, 'generator');
    await page.waitForFunction(() => document.querySelector('#generated').textContent.trim().length >= 8);
    await shot(page, ext, 'generator');
    await page.click('#back');
    await screen(page, 'settings');
    await page.click('#back');
    await screen(page, 'vault');
    await waitForNames(page, ['Mail', 'Travel card'], 'the list again');

    // An identity and a secure note: their fields as typed.
    await newEntry(page, 'identity', { name: 'Me', givenName: 'Ann', familyName: 'Example', email: 'ann@example.org', city: 'Berlin' });
    await shot(page, ext, 'edit-identity');
    await page.click('#save');
    await screen(page, 'entry');
    assert.match(await text(page, '.kv'), /First name\s*Ann\s*Last name\s*Example\s*Email\s*ann@example\.org\s*City\s*Berlin/);
    await shot(page, ext, 'entry-identity');
    await page.click('#back');
    await screen(page, 'vault');
    await newEntry(page, 'note', { name: 'Door codes', notes: 'Front: 4711\nBack: 0815' });
    await page.click('#save');
    await screen(page, 'entry');
    assert.equal(await page.$eval('.kv [data-field="notes"]', (el) => el.innerText), 'Front: 4711\nBack: 0815', 'a note keeps its lines');
    await shot(page, ext, 'entry-note');
    await page.click('#back');
    await screen(page, 'vault');

    // A document: the file goes in, and comes back out byte for byte.
    const dir = mkdtempSync(join(tmpdir(), 'watchword-doc-'));
    try {
      const original = Buffer.from([...Buffer.from('boarding pass\n'), 0, 1, 2, 254, 255]);
      writeFileSync(join(dir, 'boarding-pass.bin'), original);
      await newEntry(page, 'document');
      await (await page.$('#f-data')).uploadFile(join(dir, 'boarding-pass.bin'));
      await page.waitForFunction(() => document.querySelector('#f-name').value === 'boarding-pass.bin');
      await page.click('#save');
      await screen(page, 'entry');
      assert.match(await text(page, '.kv'), /File\s*1 KB/);
      await shot(page, ext, 'entry-document');
      const out = join(dir, 'out');
      const cdp = await page.createCDPSession();
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: out });
      await page.click('#download');
      await waitFor(async () => { try { return readdirSync(out).includes('boarding-pass.bin'); } catch { return false; } }, { what: 'the downloaded file' });
      assert.deepEqual(readFileSync(join(out, 'boarding-pass.bin')), original, 'the downloaded file is the one stored');
      await cdp.detach();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.click('#back');
    await screen(page, 'vault');
    await waitForNames(page, ['Mail', 'Travel card', 'Me', 'Door codes', 'boarding-pass.bin'], 'the list with every type');

    const rows = await page.$$('#entries .item');
    for (const r of rows) if ((await r.$eval('.name', (e) => e.textContent)) === 'Travel card') await r.click();
    await screen(page, 'entry');
    await page.click('#delete');
    await screen(page, 'confirmDelete');
    assert.match(await text(page, 'h1'), /Delete “Travel card”\?/);
    await shot(page, ext, 'confirm-delete');
    await page.click('#confirm-delete');
    await screen(page, 'vault');
    // The rows are drawn in the frame after the screen shows.
    await waitForNames(page, ['Door codes', 'Mail', 'Me', 'boarding-pass.bin'], 'the list after the delete');
    assert.deepEqual((await names(page)).sort(), ['Door codes', 'Mail', 'Me', 'boarding-pass.bin']);
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});
