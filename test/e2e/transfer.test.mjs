// Import and export in Chromium, through the popup's own screen: a Chrome
// CSV and a Firefox CSV imported (rows it cannot use named by line, the
// same file twice adds nothing, a file that is not a password export adds
// nothing and says so), and the export read back as the CSV it downloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openPopup, send, screen, tempDir, shot } from './harness.mjs';
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
  await page.waitForFunction(() => document.querySelector('#import-done, #import-result + * .notice.error, .notice.error:not([hidden])'));
  return page.evaluate(() => ({
    done: document.querySelector('#import-done')?.innerText || '',
    skipped: document.querySelector('#import-skipped')?.innerText || '',
    error: [...document.querySelectorAll('.notice.error:not([hidden])')].map((e) => e.innerText).join(' '),
  }));
}

test('imports a Chrome and a Firefox CSV, and exports what it holds as a CSV', async () => {
  const ext = await launchChromium();
  const dir = tempDir('transfer');
  try {
    const page = await openPopup(ext);
    await send(page, 'ui-bg-use-local');
    await send(page, 'ui-bg-vault-create', { password: MASTER });
    await page.reload();
    await screen(page, 'vault');
    await page.click('#settings');
    await screen(page, 'settings');
    await page.click('#open-transfer');
    await screen(page, 'transfer');

    const chrome = join(dir, 'Chrome Passwords.csv');
    writeFileSync(chrome, CHROME_CSV);
    let r = await importFile(page, chrome);
    assert.match(r.done, /Imported 2 logins\./);
    assert.match(r.skipped, /Line 4: it has no username and no password\./);
    assert.doesNotMatch(r.skipped, /nothing\.example/, 'a skipped row is named by its line, not its contents');
    await shot(page, ext, 'transfer-imported');

    // The same file again adds nothing.
    await page.click('#back');
    await screen(page, 'settings');
    await page.click('#open-transfer');
    await screen(page, 'transfer');
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
    await page.click('#settings');
    await screen(page, 'settings');
    await page.click('#open-transfer');
    await screen(page, 'transfer');
    assert.equal(await page.$eval('#export', (b) => b.disabled), true, 'export waits for "I understand"');
    await page.evaluate(() => {
      HTMLAnchorElement.prototype.click = function capture() {
        globalThis.__download = (async () => ({ name: this.download, text: await (await fetch(this.href)).text() }))();
      };
    });
    await page.click('#export-ack');
    await page.click('#export');
    await page.waitForSelector('#export-done');
    const done = await page.$eval('#export-done', (e) => e.innerText);
    assert.match(done, /Exported 3 logins\./);
    assert.match(done, /1 entry of other kinds/);
    const dl = await page.evaluate(() => globalThis.__download);
    assert.match(dl.name, /^watchword-logins-\d{4}-\d\d-\d\d\.csv$/);
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
