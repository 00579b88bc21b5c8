// Import in Firefox ESR: Firefox closes its toolbar popup when a file
// chooser opens, so the Import and export screen offers itself in a tab;
// there a Chrome CSV is imported and its logins listed. The popup is opened
// in a tab by the test build's hook (firefox.mjs), as the toolbar popup
// would be shown, so the screen takes it for the toolbar popup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { send, screen, shot, tempDir, waitFor } from './harness.mjs';
import { MASTER, waitForNames } from './flows.mjs';
import { launchFirefoxWithPopup } from './firefox.mjs';

const CSV = 'name,url,username,password,note\r\n' +
  'Mail,https://mail.example/,ann@mail.example,Mail-pw-1,\r\n' +
  'Bank,https://bank.example/,ann,Bank-pw-2,\r\n';

// tabAt finds the tab showing an extension page whose address passes match
// (BiDi reports extension tabs as about:blank: each is asked).
function tabAt(ext, match) {
  return waitFor(async () => {
    for (const p of await ext.browser.pages()) {
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (match(href)) return p;
    }
    return null;
  }, { what: 'the tab', timeout: 20000 });
}

test('Firefox: the Import and export screen opens in a tab, and a CSV imports there', async () => {
  const { ext, page } = await launchFirefoxWithPopup();
  const dir = tempDir('ff-transfer');
  try {
    await screen(page, 'welcome');
    await send(page, 'ui-bg-use-local');
    await send(page, 'ui-bg-vault-create', { password: MASTER });
    await page.evaluate(() => { location.reload(); });
    const popup = await tabAt(ext, (h) => h.endsWith('/popup.html'));
    await screen(popup, 'vault');
    await popup.click('#settings');
    await screen(popup, 'settings');
    await popup.click('#open-transfer');
    await screen(popup, 'transfer');
    assert.equal(await popup.$('#import-file'), null, 'no file chooser in the toolbar popup');
    assert.ok(await popup.$('#restore-in-tab'), 'restoring a file goes to the tab too');
    await popup.click('#import-in-tab');
    const tab = await tabAt(ext, (h) => h.endsWith('/popup.html?screen=transfer'));
    await screen(tab, 'transfer', 60000);
    const file = join(dir, 'passwords.csv');
    writeFileSync(file, CSV);
    await (await tab.$('#import-file')).uploadFile(file);
    await tab.waitForSelector('#import:not([disabled])');
    await tab.click('#import');
    await tab.waitForSelector('#import-done', { timeout: 20000 });
    assert.match(await tab.$eval('#import-done', (e) => e.innerText), /Imported 2 logins\./);
    await shot(tab, ext, 'transfer-imported');
    await tab.evaluate(() => { location.href = 'popup.html'; });
    const list = await tabAt(ext, (h) => h.endsWith('/popup.html'));
    await screen(list, 'vault');
    await waitForNames(list, ['Mail', 'Bank'], 'after the import');
  } finally {
    await ext.close();
  }
});
