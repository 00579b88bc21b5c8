// The seed registration flow in Firefox ESR over WebDriver BiDi, with the
// popup opened in a tab by the test build's hook (firefox.mjs): the live
// checklist, the statement (Skip and Accept), registered → Done, the
// activation link from the captured email, the profile Apply on the portal,
// then the master password (derived in the disposable kdf.wasm) and the
// vault. Screenshots go to artifacts/firefox/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, send, shot, screen, findLink, waitFor, clickSettled } from './harness.mjs';
import { launchFirefoxWithPopup } from './firefox.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

async function rules(page) {
  return page.$$eval('#account-rules li', (lis) => Object.fromEntries(lis.map((li) => [li.dataset.rule, li.classList.contains('pass')])));
}

async function typeInto(page, sel, text) {
  await page.$eval(sel, (el) => {
    el.value = '';
  });
  await page.type(sel, text);
}

async function activateInPortal(ext, link) {
  const portal = await ext.browser.newPage();
  try {
    await portal.goto(link);
    await Promise.all([portal.waitForNavigation(), portal.click('button[type=submit]')]);
    await portal.waitForSelector('#country', { timeout: 10000 });
    await shot(portal, ext, 'portal-profile');
    // The page header has its own "Sign out" button: aim at the profile
    // form's. Apply without a country does not save.
    const apply = 'form[action="/profile"] button[type=submit]';
    await portal.click(apply);
    await portal.waitForSelector('#country');
    await portal.select('#country', 'FR');
    await portal.select('#time_zone', 'Europe/Paris');
    await Promise.all([portal.waitForNavigation(), portal.click(apply)]);
    await shot(portal, ext, 'portal-profile-applied');
    assert.equal(await portal.$eval('#country', (c) => c.value), 'FR', 'the applied country is shown');
  } finally {
    await portal.close();
  }
}

for (const variant of ['skip', 'accept']) {
  test(`Firefox: registration with the statement ${variant === 'skip' ? 'skipped' : 'accepted'}, activation and the vault`, async () => {
    const { ext, page } = await launchFirefoxWithPopup();
    const email = `ff-${variant}-${Date.now()}@example.org`;
    try {
      await screen(page, 'welcome');
      await shot(page, ext, `first-run-${variant}`);
      await send(page, 'ui-bg-settings-set', { settings: { serverUrl: server.url } });

      await page.click('#new');
      await screen(page, 'register');
      await page.type('#email', email);
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

      const password = 'Tr0ubadour-Horse';
      await typeInto(page, '#password', password);
      await page.type('#confirm', password);
      assert.equal(await page.$eval('#marketing', (c) => c.checked), false, 'the news box starts unchecked');
      if (variant === 'accept') await page.click('#marketing');
      await clickSettled(page, '#create');

      await screen(page, 'statement');
      await shot(page, ext, `statement-${variant}`);
      await page.click(variant === 'skip' ? '#skip' : '#accept');
      await screen(page, 'registered', 60000);
      await shot(page, ext, `registered-${variant}`);
      await page.click('#done');
      await screen(page, 'confirmEmail');
      await shot(page, ext, `confirm-email-${variant}`);

      const mail = await waitFor(async () => (await server.mailTo(email)).find((t) => findLink(t, '/activate')), { what: 'the activation email', timeout: 20000 });
      await activateInPortal(ext, findLink(mail, '/activate'));

      await page.click('#continue');
      await screen(page, 'masterCreate');
      await page.type('#master', 'correct horse battery staple');
      await page.type('#master-confirm', 'correct horse battery staple');
      await clickSettled(page, '#create-vault');
      await screen(page, 'vault', 120000);
      await shot(page, ext, `vault-empty-${variant}`);

      await send(page, 'ui-bg-sync-now');
      const state = await send(page, 'ui-bg-state');
      assert.equal(state.account.email, email);
      assert.equal(state.account.activated, true, 'the account is confirmed after the link was opened');
      assert.equal(state.vault.unlocked, true);
      assert.deepEqual(page.errors, []);
    } finally {
      await ext.close();
    }
  });
}
