// The seed registration flow in real Chromium against the real server:
// first run, the live policy checklist, the marketing statement (Skip and
// Accept), registered → Done, "Confirm your email", activation from the
// emailed link with the profile Apply, then the master password and the vault.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, openPopup, send, shot, screen, findLink, waitFor, clickSettled } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const MSG_SETTINGS = 'ui-bg-settings-set';

async function rules(page) {
  return page.$$eval('#account-rules li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.rule, li.classList.contains('pass')])));
}

async function typeInto(page, sel, text) {
  await page.click(sel, { clickCount: 3 });
  await page.keyboard.press('Backspace');
  await page.type(sel, text);
}

test('Chromium loads the extension and the popup shows the first-run screen', async () => {
  const ext = await launchChromium();
  try {
    assert.match(ext.extensionId, /^[a-p]{32}$/);
    const page = await openPopup(ext);
    await screen(page, 'welcome');
    assert.equal(await page.$eval('h1', (h) => h.textContent), 'Your passwords, safe and everywhere');
    for (const id of ['#new', '#have', '#local']) assert.ok(await page.$(id), `${id} is on the first-run screen`);
    // Keyboard: the primary action has focus; hidden header buttons are not shown.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'new');
    assert.equal(await page.$eval('#lock', (b) => getComputedStyle(b).display), 'none');
    await shot(page, ext, 'first-run');
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});

// activateInPortal opens the emailed link in a tab: the portal confirms the
// address and asks for the profile; Apply without a country is refused, with
// one it is saved.
async function activateInPortal(ext, link) {
  const portal = await ext.browser.newPage();
  try {
    await portal.goto(link);
    await Promise.all([portal.waitForNavigation(), portal.click('button[type=submit]')]);
    await shot(portal, ext, 'portal-after-confirm');
    await portal.waitForSelector('#country', { timeout: 5000 });
    // The page header has its own "Sign out" button: aim at the profile form's.
    const apply = 'form[action="/profile"] button[type=submit]';
    await portal.click(apply);
    await portal.waitForSelector('#country');
    await portal.select('#country', 'DE');
    await portal.select('#time_zone', 'Europe/Berlin');
    await Promise.all([portal.waitForNavigation(), portal.click(apply)]);
    await shot(portal, ext, 'portal-profile-applied');
  } finally {
    await portal.close();
  }
}

for (const variant of ['skip', 'accept']) {
  test(`registration with the statement ${variant === 'skip' ? 'skipped' : 'accepted'}, activation and the vault`, async () => {
    const ext = await launchChromium();
    const email = `reg-${variant}-${Date.now()}@example.org`;
    try {
      const page = await openPopup(ext);
      await screen(page, 'welcome');
      await send(page, MSG_SETTINGS, { settings: { serverUrl: server.url } });

      await page.click('#new');
      await screen(page, 'register');
      await shot(page, ext, `register-empty-${variant}`);
      await page.type('#email', email);

      // The checklist follows each rule of the server's published policy.
      const steps = [
        ['abc', { min_length: false, digit: false, lower_latin: true, upper_latin: false, no_spaces: true }],
        ['abc DEF', { min_length: false, digit: false, lower_latin: true, upper_latin: true, no_spaces: false }],
        ['abcDEF12', { min_length: true, digit: true, lower_latin: true, upper_latin: true, no_spaces: true }],
      ];
      for (const [pw, want] of steps) {
        await typeInto(page, '#password', pw);
        await waitFor(async () => JSON.stringify(await rules(page)) === JSON.stringify(want), { what: `checklist for ${JSON.stringify(pw)}` });
      }
      await shot(page, ext, `register-checklist-${variant}`);

      // A mismatched confirmation is refused with a clear message.
      const password = 'Tr0ubadour-Horse';
      await typeInto(page, '#password', password);
      await page.type('#confirm', 'something else');
      assert.equal(await page.$eval('#marketing', (c) => c.checked), false, 'the news box starts unchecked');
      await clickSettled(page, '#create');
      await page.waitForSelector('.notice.error:not([hidden])');
      assert.match(await page.$eval('.notice.error', (n) => n.textContent), /different/);
      await shot(page, ext, `register-mismatch-${variant}`);
      await typeInto(page, '#confirm', password);
      if (variant === 'accept') await page.click('#marketing');
      await clickSettled(page, '#create');

      await screen(page, 'statement');
      await shot(page, ext, `statement-${variant}`);
      await page.click(variant === 'skip' ? '#skip' : '#accept');

      await screen(page, 'registered', 60000);
      await shot(page, ext, `registered-${variant}`);
      await page.click('#done');
      await screen(page, 'confirmEmail');
      assert.match(await page.$eval('#screen', (m) => m.textContent), new RegExp(email.replace(/[.]/g, '\\.')));
      await shot(page, ext, `confirm-email-${variant}`);

      // Resend works while the address waits for confirmation.
      await page.click('#resend');
      await page.waitForSelector('.notice.ok:not([hidden])');

      // The activation link from the captured email; the portal asks for the profile.
      const mail = await waitFor(async () => {
        const m = await server.mailTo(email);
        return m.find((t) => findLink(t, '/activate'));
      }, { what: 'the activation email', timeout: 20000 });
      const link = findLink(mail, '/activate');
      assert.ok(link, 'the email holds an activation link');
      if (variant === 'skip') {
        await activateInPortal(ext, link);
      } else {
        // The same link's token, confirmed through the API as a client would.
        const token = new URL(link).searchParams.get('token');
        const res = await fetch(`${server.url}/api/v1/accounts/activate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
        assert.equal(res.status, 200, await res.clone().text());
      }

      // Meanwhile the vault works locally: master password, then the list.
      await page.click('#continue');
      await screen(page, 'masterCreate');
      await page.type('#master', 'short');
      await page.waitForFunction(() => document.querySelector('#master-rules li[data-rule="min_length"].fail'));
      await shot(page, ext, `master-create-${variant}`);
      await typeInto(page, '#master', 'correct horse battery staple');
      await page.type('#master-confirm', 'correct horse battery staple');
      await clickSettled(page, '#create-vault');
      await screen(page, 'vault', 120000);
      await shot(page, ext, `vault-empty-${variant}`);

      // Sync notices the confirmed address.
      await send(page, 'ui-bg-sync-now');
      const state = await send(page, 'ui-bg-state');
      assert.equal(state.account.email, email);
      assert.equal(state.account.activated, true, 'the account is confirmed after the link was opened');
      assert.deepEqual(page.errors, []);
    } finally {
      await ext.close();
    }
  });
}
