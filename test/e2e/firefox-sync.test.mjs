// Sync end to end in Firefox ESR against the real server: two Firefox
// instances, each with its own profile directory, signed in to one account.
// An entry added on one appears on the other with nobody touching it; Sync
// now from the status corner; sync switched off pauses and sends nothing
// (the server's revision, read through the API, stays put); switched on, the
// waiting change goes out and the other profile receives it. The popup is
// opened in a tab by the test build's hook (firefox.mjs). Screenshots go to
// artifacts/firefox/.
//
// The account is created and confirmed through the API (registration has
// its own test); everything a person does in the extension goes through the
// popup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, send, shot, screen, waitFor } from './harness.mjs';
import { ACCOUNT_PASSWORD, api as callAPI, createAccount as newAccount, signIn, createVault, unlock, addLogin, deleteEntry, names, waitForNames, cornerAction } from './flows.mjs';
import { launchFirefoxWithPopup } from './firefox.mjs';

const MSG = {
  STATE: 'ui-bg-state',
  SETTINGS: 'ui-bg-settings-set',
  SYNC_NOW: 'ui-bg-sync-now',
};
// Longer than the sync engine's debounce after a local change, so a push
// that was going to happen has happened.
const SETTLE_MS = 2500;

let server;
before(async () => {
  server = await startServer();
});
const api = (path, opts) => callAPI(server, path, opts);
const createAccount = (tag) => newAccount(server, tag);
after(async () => {
  await server?.stop();
});

// observer signs the test itself in as a third device of the account, so it
// can read the vault's revision on the server without going through either
// browser.
async function observer(email) {
  const res = await api('/api/v1/sessions', { body: { email, password: ACCOUNT_PASSWORD, device_name: 'e2e observer' } });
  assert.ok(res.tokens, `the observer signs in without a second step: ${JSON.stringify(res)}`);
  const token = res.tokens.access_token;
  return {
    async revision() {
      return (await api('/api/v1/vault/revision', { token })).revision;
    },
  };
}

// profile starts a Firefox instance (its own profile directory) with the
// popup open and pointed at this server.
async function profile() {
  const { ext, page } = await launchFirefoxWithPopup();
  try {
    await screen(page, 'welcome');
    await send(page, MSG.SETTINGS, { settings: { serverUrl: server.url } });
  } catch (err) {
    await ext.close();
    throw err;
  }
  return { ext, page };
}

async function cornerState(page) {
  return page.$eval('#status', (s) => s.dataset.state);
}

async function waitForCorner(page, state, timeout = 30000) {
  await page.waitForFunction((s) => document.querySelector('#status').dataset.state === s, { timeout }, state).catch(async (err) => {
    throw new Error(`the status corner shows ${JSON.stringify(await cornerState(page))}, not ${state}: ${err.message}`);
  });
}

async function syncState(page) {
  return (await send(page, MSG.STATE)).sync;
}

test('Firefox: two profiles on one account: live sync, Sync now, sync off and on', async () => {
  const email = await createAccount('ff-two');
  const watch = await observer(email);
  const profiles = [];
  try {
    // One after the other: two Firefox starts at once on a small machine
    // only make both slower.
    const a = await profile();
    profiles.push(a);
    const b = await profile();
    profiles.push(b);

    // A signs in first: the account has no vault yet, so A creates it.
    assert.equal(await signIn(a.page, email), 'masterCreate');
    await createVault(a.page);
    await addLogin(a.page, { name: 'Alpha', username: 'ann', password: 'first-pass' });
    await waitForCorner(a.page, 'synced');
    await shot(a.page, a.ext, 'sync-a-first-entry');
    assert.ok((await watch.revision()) > 0, 'A pushed its vault to the server');

    // B signs in: the vault's header comes from the server, B unlocks it
    // with the master password, and the entries follow.
    assert.equal(await signIn(b.page, email), 'unlock');
    await shot(b.page, b.ext, 'sync-b-unlock');
    await unlock(b.page);
    await waitForNames(b.page, ['Alpha'], 'B after unlocking');
    await shot(b.page, b.ext, 'sync-b-after-unlock');

    // An entry added on A appears on B with nobody touching B.
    await addLogin(a.page, { name: 'Bravo', username: 'bob' });
    await waitForNames(b.page, ['Alpha', 'Bravo'], 'B after A added Bravo');
    await shot(b.page, b.ext, 'sync-b-live');
    // A delete on A leaves B's list the same way (B patches its list).
    await deleteEntry(a.page, 'Bravo');
    await b.page.waitForFunction(() => ![...document.querySelectorAll('#entries .item .name')].some((e) => e.textContent === 'Bravo'), { timeout: 30000 });
    assert.deepEqual(await names(b.page), ['Alpha'], 'B after A deleted Bravo');
    await addLogin(a.page, { name: 'Bravo', username: 'bob' });
    await waitForNames(b.page, ['Alpha', 'Bravo'], 'B after A added Bravo again');

    // Sync now from B's status corner.
    await cornerAction(b.page, '#sync-now');
    await waitForCorner(b.page, 'synced');
    // A change-stream pull may still be running; the state settles on synced.
    await waitFor(async () => (await syncState(b.page)).state === 'synced', { what: 'B synced after Sync now' });
    await shot(b.page, b.ext, 'sync-b-synced');

    // Sync switched off on B: the corner says paused, and B's new entry
    // waits in its journal instead of reaching the server.
    await b.page.click('#settings');
    await screen(b.page, 'settings');
    assert.equal(await b.page.$eval('#sync-enabled', (c) => c.checked), true, 'sync is on by default');
    await b.page.$eval('#sync-enabled', (c) => c.click()); // the styled box covers the native one
    await waitForCorner(b.page, 'paused');
    await shot(b.page, b.ext, 'sync-b-settings-paused');
    await b.page.click('#back');
    await screen(b.page, 'vault');
    const before = await watch.revision();
    await addLogin(b.page, { name: 'Charlie' });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const paused = await syncState(b.page);
    assert.equal(paused.state, 'paused');
    assert.equal(paused.pending, 1, 'the change waits in the journal');
    await b.page.click('#status');
    await b.page.waitForSelector('#enable-sync', { visible: true });
    await shot(b.page, b.ext, 'sync-b-paused-menu');
    await b.page.click('#status'); // closed again
    await send(a.page, MSG.SYNC_NOW);
    assert.equal(await watch.revision(), before, 'the server’s revision did not move while B’s sync was off');
    assert.ok(!(await names(a.page)).includes('Charlie'), 'A did not receive what B holds back');

    // Switched on again: B sends Charlie, and A receives it by itself.
    await cornerAction(b.page, '#enable-sync');
    await waitForCorner(b.page, 'synced');
    assert.equal((await syncState(b.page)).pending, 0, 'B’s journal is empty after catching up');
    assert.ok((await watch.revision()) > before, 'B’s change reached the server');
    await waitForNames(a.page, ['Alpha', 'Bravo', 'Charlie'], 'A after B switched sync on');
    await shot(a.page, a.ext, 'sync-a-caught-up');
    await shot(b.page, b.ext, 'sync-b-caught-up');
    assert.deepEqual(a.page.errors, []);
    assert.deepEqual(b.page.errors, []);
  } finally {
    for (const p of profiles) await p.ext.close();
  }
});
