// Sign-in with an external identity provider, the whole real path: the
// sign-in screen lists the providers the server has set up; the button runs
// chrome.identity.launchWebAuthFlow on the server's start URL, which sends
// the browser to the provider (bin/watchword-idp, a real OpenID Connect
// provider on loopback that signs one person in at once), back to the
// server's callback (which verifies the signed ID token, its nonce and the
// PKCE verifier, and makes an account for the verified address), and on to
// the extension's identity redirect with a one-time code the extension
// exchanges for its tokens. A second browser that signs in the same way
// reaches the same account and its vault; so does Firefox, whose identity
// redirect is another host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, openPopup, send, shot, screen } from './harness.mjs';
import { createVault, unlock, addLogin, toSignIn, waitForNames } from './flows.mjs';
import { launchFirefoxWithPopup } from './firefox.mjs';

const EMAIL = `provider-${Date.now().toString(36)}@example.org`;
let server;
before(async () => {
  server = await startServer({ provider: { id: 'test-id', name: 'Test ID', email: EMAIL } });
});
after(async () => {
  await server?.stop();
});

// clickProvider goes from the first-run screen to the sign-in screen of the
// server at url and clicks "Test ID"; it answers the button.
async function clickProvider(ext, page, url, photograph) {
  await toSignIn(page, url);
  const button = await page.waitForSelector('button[data-provider="test-id"]', { visible: true, timeout: 10000 });
  assert.equal(await button.evaluate((b) => b.textContent), 'Test ID');
  if (photograph) await shot(page, ext, 'sign-in-providers');
  await button.click();
  return button;
}

// providerSignIn signs in through "Test ID" and answers the screen it leads
// to.
async function providerSignIn(ext, page, photograph) {
  await clickProvider(ext, page, server.url, photograph);
  await page.waitForFunction(() => ['masterCreate', 'unlock', 'vault'].includes(document.body.dataset.screen), { timeout: 30000 })
    .catch(async (err) => {
      const shown = await page.evaluate(() => `${document.body.dataset.screen}: ${document.body.innerText}`);
      throw new Error(`after "Test ID": ${shown}: ${err.message}`);
    });
  return page.evaluate(() => document.body.dataset.screen);
}

test('sign in with an identity provider, then again in a second browser: one account, one vault', async () => {
  const a = await launchChromium();
  const b = await launchChromium();
  try {
    const pageA = await openPopup(a);
    // A new address: the server makes a confirmed account for it, so the
    // next screen creates the vault.
    assert.equal(await providerSignIn(a, pageA, true), 'masterCreate');
    const state = await send(pageA, 'ui-bg-state');
    assert.equal(state.account.email, EMAIL);
    assert.equal(state.account.activated, true, 'the provider vouched for the address');
    await createVault(pageA);
    await addLogin(pageA, { name: 'Made after a provider sign-in', username: 'ada' });

    const pageB = await openPopup(b);
    assert.equal(await providerSignIn(b, pageB, false), 'unlock', 'the same identity reaches the account that has a vault');
    assert.equal((await send(pageB, 'ui-bg-state')).account.email, EMAIL);
    await unlock(pageB);
    await waitForNames(pageB, ['Made after a provider sign-in'], 'the second browser after unlocking');
  } finally {
    await a.close();
    await b.close();
  }
});

test('Firefox signs in with the same identity provider and opens the same vault', async () => {
  const { ext, page } = await launchFirefoxWithPopup();
  try {
    assert.equal(await providerSignIn(ext, page, true), 'unlock');
    assert.equal((await send(page, 'ui-bg-state')).account.email, EMAIL);
    await unlock(page);
    await waitForNames(page, ['Made after a provider sign-in'], 'Firefox after unlocking');
  } finally {
    await ext.close();
  }
});

// A provider that does not vouch for the address: the server refuses to make
// an account from it and sends the sign-in window back with its reason,
// which the sign-in screen shows; nothing is signed in.
test('a refused provider sign-in says why and signs nobody in', async () => {
  const refusing = await startServer({ provider: { id: 'test-id', name: 'Test ID', email: `unverified-${EMAIL}`, unverified: true } });
  const ext = await launchChromium();
  try {
    const page = await openPopup(ext);
    const button = await clickProvider(ext, page, refusing.url, false);
    await page.waitForFunction(() => /did not sign you in/.test(document.querySelector('[role=alert]')?.textContent || ''), { timeout: 30000 });
    assert.match(await page.$eval('[role=alert]', (e) => e.textContent), /Test ID did not sign you in: The provider did not confirm your email address\./);
    assert.equal(await page.evaluate(() => document.body.dataset.screen), 'signIn');
    assert.equal(await button.evaluate((b) => b.textContent), 'Test ID', 'the button is itself again');
    assert.equal((await send(page, 'ui-bg-state')).account, null);
    await shot(page, ext, 'sign-in-provider-refused');
  } finally {
    await ext.close();
    await refusing.stop();
  }
});
