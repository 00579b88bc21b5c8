// Import and export in Chromium, through the popup's own screen: a Chrome
// CSV and a Firefox CSV imported (rows it cannot use named by line, the
// same file twice adds nothing, a file that is not a password export adds
// nothing and says so), and the export read back from the file the browser
// saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openPopup, send, screen, tempDir, shot, waitFor } from './harness.mjs';
import { MASTER, names, waitForNames } from './flows.mjs';

const CHROME_CSV = 'name,url,username,password,note\r\n' +
  'Mail,https://mail.example/,ann@mail.example,Mail-pw-1,"first, with a comma"\r\n' +
  'Bank,https://bank.example/login,ann,Bank-pw-2,\r\n' +
  'Nothing,https://nothing.example/,,,\r\n';
const FIREFOX_CSV = '"url","username","password","httpRealm","formActionOrigin","guid","timeCreated","timeLastUsed","timePasswordChanged"\r\n' +
  '"https://www.shop.example","bob","Shop-pw-3",,"https://www.shop.example","{1}","1","1","1"\r\n';

async function importFile(page, path) {
  const input = await page.$('#import-file');
  await input.uploadFile(path);
  await page.waitForSelector('#import:not([disabled])');
  await page.click('#import');
  await page.waitForFunction(() => document.querySelector('#import-done, .notice.error:not([hidden])'));
  return page.evaluate(() => ({
    done: document.querySelector('#import-done')?.innerText || '',
    skipped: document.querySelector('#import-skipped')?.innerText || '',
    error: [...document.querySelectorAll('.notice.error:not([hidden])')].map((e) => e.innerText).join(' '),
  }));
}

// downloadsTo has the browser save downloads into dir, as a person's
// browser would save them into Downloads.
async function downloadsTo(ext, dir) {
  const cdp = await ext.browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
}

// downloaded waits for a finished file in dir whose name matches re.
function downloaded(dir, re) {
  return waitFor(() => {
    const name = readdirSync(dir).find((n) => re.test(n));
    return name ? { name, text: readFileSync(join(dir, name), 'utf8') } : null;
  }, { what: `a download matching ${re}`, timeout: 20000 });
}

// localVault opens the popup over a new local-only vault.
async function localVault(ext, master = MASTER) {
  const page = await openPopup(ext);
  await send(page, 'ui-bg-use-local');
  await send(page, 'ui-bg-vault-create', { password: master });
  await page.reload();
  await screen(page, 'vault');
  return page;
}

// reopenTransfer leaves the Import and export screen for Settings and comes
// back to a fresh one.
async function reopenTransfer(page) {
  await page.click('#back');
  await screen(page, 'settings');
  await page.click('#open-transfer');
  await screen(page, 'transfer');
}

// toTransfer goes from the list to the Import and export screen.
async function toTransfer(page) {
  await page.click('#settings');
  await screen(page, 'settings');
  await page.click('#open-transfer');
  await screen(page, 'transfer');
}

test('imports a Chrome and a Firefox CSV, and exports what it holds as a CSV', async () => {
  const ext = await launchChromium();
  const dir = tempDir('transfer');
  try {
    const page = await localVault(ext);
    await toTransfer(page);

    const chrome = join(dir, 'Chrome Passwords.csv');
    writeFileSync(chrome, CHROME_CSV);
    let r = await importFile(page, chrome);
    assert.match(r.done, /Imported 2 logins\./);
    assert.match(r.skipped, /Line 4: it has no username and no password\./);
    assert.doesNotMatch(r.skipped, /nothing\.example/, 'a skipped row is named by its line, not its contents');
    await shot(page, ext, 'transfer-imported');

    // The same file again adds nothing.
    await reopenTransfer(page);
    r = await importFile(page, chrome);
    assert.match(r.done, /No new logins in this file\./);
    assert.match(r.done, /2 logins were already in your vault\./);

    const firefox = join(dir, 'logins.csv');
    writeFileSync(firefox, FIREFOX_CSV);
    r = await importFile(page, firefox);
    assert.match(r.done, /Imported 1 login\./);

    // Not a password export: refused whole, nothing added.
    const other = join(dir, 'contacts.csv');
    writeFileSync(other, 'first,last,phone\r\nAnn,Lee,123\r\n');
    r = await importFile(page, other);
    assert.match(r.error, /does not look like a password export/);

    // The list shows the imported logins (the Firefox one named after its host).
    await send(page, 'ui-bg-entry-save', { entry: { type: 'note', fields: { name: 'A note' } } });
    await page.goto(`${ext.base}/popup.html`);
    await screen(page, 'vault');
    await waitForNames(page, ['Mail', 'Bank', 'shop.example', 'A note'], 'after the imports');
    assert.equal((await names(page)).length, 4);

    // Export: the download is the CSV the background answered, read back here.
    await toTransfer(page);
    assert.equal(await page.$eval('#export', (b) => b.disabled), true, 'export waits for "I understand"');
    const saved = tempDir('downloads');
    await downloadsTo(ext, saved);
    await page.click('#export-ack');
    await page.click('#export');
    await page.waitForSelector('#export-done');
    const done = await page.$eval('#export-done', (e) => e.innerText);
    assert.match(done, /Exported 3 logins\./);
    assert.match(done, /1 entry of other kinds/);
    const dl = await downloaded(saved, /^watchword-logins-\d{4}-\d\d-\d\d\.csv$/);
    const lines = dl.text.trim().split('\r\n');
    assert.equal(lines[0], 'name,url,username,password,note,totp');
    assert.ok(lines.includes('Mail,https://mail.example/,ann@mail.example,Mail-pw-1,"first, with a comma",'), dl.text);
    assert.ok(lines.includes('shop.example,https://www.shop.example,bob,Shop-pw-3,,'), dl.text);
    assert.equal(lines.length, 4);
    assert.equal(await page.$eval('#export-ack', (c) => c.checked), false, 'the acknowledgement is asked again next time');

    // The export imports into the same vault as three duplicates.
    const back = join(dir, dl.name);
    writeFileSync(back, dl.text);
    r = await importFile(page, back);
    assert.match(r.done, /3 logins were already in your vault\./);
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});

test('an encrypted export restores every entry into another vault, only with its password', async () => {
  const FILE_PW = 'a long export passphrase 7';
  const dir = tempDir('sealed');
  const a = await launchChromium();
  let file;
  try {
    const page = await localVault(a);
    await send(page, 'ui-bg-entry-save', { entry: { type: 'login', fields: { name: 'Mail', username: 'ann', password: 'Mail-pw-1', urls: [{ url: 'https://mail.example/', match: 'domain' }] } } });
    await send(page, 'ui-bg-entry-save', { entry: { type: 'card', fields: { name: 'Visa', number: '4111111111111111' } } });
    await send(page, 'ui-bg-entry-save', { entry: { type: 'note', fields: { name: 'Wifi', notes: 'the router is in the hall' } } });
    await toTransfer(page);
    const saved = tempDir('downloads');
    await downloadsTo(a, saved);

    // A weak password for the file is refused.
    await page.type('#export-password', 'short');
    await page.type('#export-password-confirm', 'short');
    await page.click('#export-sealed');
    await page.waitForFunction(() => [...document.querySelectorAll('.notice.error:not([hidden])')].some((e) => /stronger password/.test(e.innerText)));
    assert.deepEqual(readdirSync(saved), [], 'nothing was downloaded');

    await page.$eval('#export-password', (i) => { i.value = ''; });
    await page.$eval('#export-password-confirm', (i) => { i.value = ''; });
    await page.type('#export-password', FILE_PW);
    await page.type('#export-password-confirm', FILE_PW);
    await page.click('#export-sealed');
    await page.waitForSelector('#export-sealed-done', { timeout: 30000 });
    assert.match(await page.$eval('#export-sealed-done', (e) => e.innerText), /Exported 3 entries, encrypted\./);
    const dl = await downloaded(saved, /^watchword-export-\d{4}-\d\d-\d\d\.json$/);
    for (const secret of ['Mail-pw-1', '4111111111111111', 'router', 'ann']) assert.ok(!dl.text.includes(secret), `the file holds ${secret} in the clear`);
    assert.equal(JSON.parse(dl.text).format, 'watchword-export');
    file = join(dir, dl.name);
    writeFileSync(file, dl.text);
    assert.deepEqual(page.errors, []);
  } finally {
    await a.close();
  }

  // Another browser, another vault.
  const b = await launchChromium();
  try {
    const page = await localVault(b, 'another master password 9');
    await toTransfer(page);
    const restore = async (password) => {
      await (await page.$('#restore-file')).uploadFile(file);
      await page.$eval('#restore-password', (i) => { i.value = ''; });
      await page.type('#restore-password', password);
      await page.click('#restore');
      await page.waitForFunction(() => document.querySelector('#restore-done') || [...document.querySelectorAll('.notice.error:not([hidden])')].some((e) => e.innerText), { timeout: 30000 });
      return page.evaluate(() => ({
        done: document.querySelector('#restore-done')?.innerText || '',
        error: [...document.querySelectorAll('.notice.error:not([hidden])')].map((e) => e.innerText).join(' '),
      }));
    };
    let r = await restore('not the password of it');
    assert.match(r.error, /This password does not open the file\./);
    r = await restore(FILE_PW);
    assert.match(r.done, /Restored 3 entries\./);
    await shot(page, b, 'transfer-restored');
    await reopenTransfer(page);
    r = await restore(FILE_PW);
    assert.match(r.done, /Nothing new in this file\./);
    assert.match(r.done, /3 entries were already in your vault\./);
    await page.goto(`${b.base}/popup.html`);
    await screen(page, 'vault');
    await waitForNames(page, ['Mail', 'Visa', 'Wifi'], 'after the restore');
    const card = (await send(page, 'ui-bg-list')).entries.find((e) => e.name === 'Visa');
    const opened = await send(page, 'ui-bg-entry-get', { id: card.id });
    assert.equal(opened.fields.number, '4111111111111111');
    assert.deepEqual(page.errors, []);
  } finally {
    await b.close();
  }
});
