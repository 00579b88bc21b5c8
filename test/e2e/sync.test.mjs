// Sync end to end in real Chromium against the real server: two browser
// profiles on one account, the change stream, Sync now, sync switched off
// and on, offline edits of one entry on both profiles merged, a stopped
// service worker, locking, two accounts in turn, and a local-only vault
// uploaded when an account is connected.
//
// Accounts are created and confirmed through the API (registration has its
// own test); everything a person does in the extension goes through the
// popup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchChromium, openPopup, send, shot, screen, stopWorkers, waitFor } from './harness.mjs';
import { ACCOUNT_PASSWORD, createAccount as newAccount, signIn, createVault, unlock, addLogin, deleteEntry, names, waitForNames, cornerAction } from './flows.mjs';

const MSG = {
  STATE: 'ui-bg-state',
  SETTINGS: 'ui-bg-settings-set',
  SYNC_NOW: 'ui-bg-sync-now',
  ENTRY_GET: 'ui-bg-entry-get',
  ENTRIES: 'ui-bg-entries',
};

let server;
before(async () => {
  server = await startServer();
});
const createAccount = (tag) => newAccount(server, tag);
after(async () => {
  await server?.stop();
});

async function typeInto(page, sel, text) {
  await page.click(sel, { clickCount: 3 });
  await page.keyboard.press('Backspace');
  await page.type(sel, text);
}

// listRebuilds counts the times the profile's worker built its list index
// from the whole vault (its ww:list-rows marks; a patch makes none).
async function listRebuilds(p) {
  const target = await p.ext.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(p.ext.base));
  return (await target.worker()).evaluate(() => performance.getEntriesByName('ww:list-rows').length);
}

// profile starts a browser profile with the popup open on this server.
async function profile() {
  const ext = await launchChromium();
  const page = await openPopup(ext);
  await screen(page, 'welcome');
  await send(page, MSG.SETTINGS, { settings: { serverUrl: server.url } });
  return { ext, page };
}

async function syncState(page) {
  return (await send(page, MSG.STATE)).sync;
}

async function entryByName(page, name) {
  const list = await send(page, MSG.ENTRIES);
  const e = list.entries.find((x) => x.fields && x.fields.name === name);
  assert.ok(e, `an entry named ${name}`);
  return send(page, MSG.ENTRY_GET, { id: e.id });
}

async function syncNowFromCorner(page) {
  await cornerAction(page, '#sync-now');
  await page.waitForFunction(() => document.querySelector('#status').dataset.state === 'synced', { timeout: 30000 });
}

// Both profiles of test 2 and 3 share one account.
let shared = null;
after(async () => {
  if (!shared) return;
  await shared.a.ext.close();
  await shared.b.ext.close();
});

test('two profiles on one account: live sync, Sync now, sync off and on', async () => {
  const email = await createAccount('two');
  const a = await profile();
  const b = await profile();
  shared = { email, a, b };
  // A signs in first: the account has no vault, so A creates it.
  assert.equal(await signIn(a.page, email), 'masterCreate');
  await createVault(a.page);
  await addLogin(a.page, { name: 'Alpha', username: 'ann', password: 'first-pass' });
  await a.page.waitForFunction(() => document.querySelector('#status').dataset.state === 'synced', { timeout: 30000 });
  await shot(a.page, a.ext, 'sync-a-first-entry');

  // B signs in: the vault's header comes from the server and B unlocks it
  // with the master password; the entries follow.
  assert.equal(await signIn(b.page, email), 'unlock');
  await shot(b.page, b.ext, 'sync-b-unlock');
  await unlock(b.page);
  await waitForNames(b.page, ['Alpha'], 'B after unlocking');
  await shot(b.page, b.ext, 'sync-b-after-unlock');

  // An entry added on A appears on B with nobody touching B. B's list is
  // updated where it stands: the row already shown is the same node (a
  // click on it cannot land on a row being replaced) and the search box
  // keeps its focus.
  const alphaRow = await b.page.$('#entries .item');
  await b.page.focus('#search');
  const rebuildsBefore = await listRebuilds(b);
  await addLogin(a.page, { name: 'Bravo', username: 'bob' });
  await waitForNames(b.page, ['Alpha', 'Bravo'], 'B after A added Bravo');
  assert.equal(await alphaRow.evaluate((el) => el.isConnected && el.querySelector('.name').textContent), 'Alpha', 'the Alpha row was kept, not redrawn');
  assert.equal(await b.page.evaluate(() => document.activeElement && document.activeElement.id), 'search', 'the search box kept its focus');
  await shot(b.page, b.ext, 'sync-b-live');
  // A delete travels the same way, and neither change had B open its whole
  // vault again: the sync round's entries were patched into B's list.
  await deleteEntry(a.page, 'Bravo');
  assert.deepEqual(await names(a.page), ['Alpha'], 'A\'s own list lost Bravo');
  await b.page.waitForFunction(() => ![...document.querySelectorAll('#entries .item .name')].some((e) => e.textContent === 'Bravo'), { timeout: 30000 });
  assert.deepEqual(await names(b.page), ['Alpha'], 'B after A deleted Bravo');
  assert.equal(await listRebuilds(b), rebuildsBefore, 'B patched its list instead of rebuilding it');
  await addLogin(a.page, { name: 'Bravo', username: 'bob' });
  await waitForNames(b.page, ['Alpha', 'Bravo'], 'B after A added Bravo again');

  // Sync now from the status corner.
  await syncNowFromCorner(b.page);
  // A change-stream pull may still be running; the state settles on synced.
  await waitFor(async () => (await syncState(b.page)).state === 'synced', { what: 'B synced after Sync now' });
  await shot(b.page, b.ext, 'sync-b-synced');

  // Sync switched off on B: paused, and B's new entry is not sent.
  await b.page.click('#settings');
  await screen(b.page, 'settings');
  assert.equal(await b.page.$eval('#sync-enabled', (c) => c.checked), true, 'sync is on by default');
  await b.page.$eval('#sync-enabled', (c) => c.click()); // the styled box covers the native one
  await b.page.waitForFunction(() => document.querySelector('#status').dataset.state === 'paused');
  await shot(b.page, b.ext, 'sync-b-settings-paused');
  await b.page.click('#back');
  await screen(b.page, 'vault');
  await addLogin(b.page, { name: 'Charlie' });
  const paused = await syncState(b.page);
  assert.equal(paused.state, 'paused');
  assert.equal(paused.pending, 1, 'the change waits in the journal');
  await b.page.click('#status');
  await b.page.waitForSelector('#enable-sync', { visible: true });
  await shot(b.page, b.ext, 'sync-b-paused-menu');
  await b.page.click('#status'); // closed again
  await send(a.page, MSG.SYNC_NOW);
  await new Promise((r) => setTimeout(r, 2500)); // longer than the engine's debounce
  await send(a.page, MSG.SYNC_NOW);
  assert.ok(!(await names(a.page)).includes('Charlie'), 'nothing was sent while sync was off');

  // Switched on again: B catches up and A receives Charlie by itself.
  await cornerAction(b.page, '#enable-sync');
  await b.page.waitForFunction(() => document.querySelector('#status').dataset.state === 'synced', { timeout: 30000 });
  assert.equal((await syncState(b.page)).pending, 0);
  await waitForNames(a.page, ['Alpha', 'Bravo', 'Charlie'], 'A after B switched sync on');
  await shot(a.page, a.ext, 'sync-a-caught-up');
  assert.deepEqual(a.page.errors, []);
  assert.deepEqual(b.page.errors, []);
});

test('both profiles edit one entry offline: merged, nothing lost', async () => {
  assert.ok(shared, 'runs after the two-profile test');
  const { a, b } = shared;
  await server.halt();
  try {
    // Offline: each profile saves its own edit; both are kept locally.
    await editEntry(a.page, 'Alpha', { '#f-username': 'ann@a.example', '#f-password': 'pass-from-a' });
    await new Promise((r) => setTimeout(r, 50)); // B's edit is the later one
    await editEntry(b.page, 'Alpha', { '#f-password': 'pass-from-b' });
    await send(a.page, MSG.SYNC_NOW);
    const offline = await syncState(a.page);
    assert.equal(offline.state, 'offline');
    assert.ok(offline.pending >= 1, 'the edit waits in the journal');
    await shot(a.page, a.ext, 'merge-a-offline');
  } finally {
    await server.resume();
  }
  for (const p of [a, b, a, b]) await send(p.page, MSG.SYNC_NOW);
  const ea = await entryByName(a.page, 'Alpha');
  const eb = await entryByName(b.page, 'Alpha');
  assert.deepEqual(ea.fields, eb.fields, 'both profiles hold the same entry');
  assert.equal(ea.fields.username, 'ann@a.example', 'the field only A changed is A’s');
  assert.equal(ea.fields.password, 'pass-from-b', 'the later edit of the field both changed wins');
  const history = (ea.fields.history || []).map((h) => h.value);
  assert.ok(history.includes('pass-from-a'), `the losing value is in the history: ${JSON.stringify(history)}`);
  assert.ok(history.includes('first-pass'), 'the original password is in the history');
  await a.page.goto(`${a.ext.base}/popup.html`);
  await screen(a.page, 'vault');
  await a.page.click(`#entries .item[data-id="${ea.id}"]`);
  await screen(a.page, 'entry');
  await shot(a.page, a.ext, 'merge-a-entry');
  await a.ext.close();
  await b.ext.close();
  shared = null;
});

async function editEntry(page, name, fields) {
  const list = await send(page, MSG.ENTRIES);
  const e = list.entries.find((x) => x.fields && x.fields.name === name);
  await page.click(`#entries .item[data-id="${e.id}"]`);
  await screen(page, 'entry');
  await page.click('#edit');
  await screen(page, 'edit');
  for (const [sel, v] of Object.entries(fields)) await typeInto(page, sel, v);
  await page.click('#save');
  await screen(page, 'entry');
  await page.click('#back');
  await screen(page, 'vault');
}

test('a stopped worker stays unlocked; lock wipes the key; two accounts never meet', async () => {
  const first = await createAccount('first');
  const second = await createAccount('second');
  const { ext, page } = await profile();
  try {
    assert.equal(await signIn(page, first), 'masterCreate');
    await createVault(page);
    await addLogin(page, { name: 'First account login' });

    // The worker is stopped (as the browser does when idle): the popup
    // reopened finds the vault unlocked and working.
    await stopWorkers(page);
    await page.goto(`${ext.base}/popup.html`);
    await screen(page, 'vault');
    await waitForNames(page, ['First account login'], 'after the worker restarted');
    await addLogin(page, { name: 'Added after the restart' });
    await waitForNames(page, ['First account login', 'Added after the restart'], 'the list after the restart');
    await shot(page, ext, 'worker-restarted');

    // Locking removes the vault key from storage.session.
    const keysBefore = await page.evaluate(async () => Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('key/')));
    assert.equal(keysBefore.length, 1, 'the unlocked key is in storage.session');
    await page.click('#lock');
    await screen(page, 'unlock');
    const keysAfter = await page.evaluate(async () => Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('key/')));
    assert.deepEqual(keysAfter, [], 'no vault key in storage.session after locking');
    await shot(page, ext, 'locked');

    // Switch to the second account: its own empty vault, nothing of the first.
    await unlock(page);
    await page.click('#settings');
    await screen(page, 'settings');
    await page.click('#switch-account');
    await screen(page, 'signIn');
    await page.type('#email', second);
    await page.type('#password', ACCOUNT_PASSWORD);
    await page.click('#sign-in');
    await createVault(page);
    assert.deepEqual(await names(page), [], 'the second account sees none of the first account’s entries');
    await addLogin(page, { name: 'Second account login' });
    await shot(page, ext, 'second-account');

    // And back: the first account's vault, without the second's entry.
    await page.click('#settings');
    await screen(page, 'settings');
    await page.click('#switch-account');
    await screen(page, 'signIn');
    await page.type('#email', first);
    await page.type('#password', ACCOUNT_PASSWORD);
    await page.click('#sign-in');
    await unlock(page);
    await waitForNames(page, ['First account login', 'Added after the restart'], 'the first account again');
    assert.ok(!(await names(page)).includes('Second account login'), 'the first account never sees the second’s entries');
    await shot(page, ext, 'first-account-again');
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});

test('a local-only vault uploads when an account is connected; another profile gets it', async () => {
  const email = await createAccount('local');
  const c = await profile();
  const d = await profile();
  try {
    await c.page.click('#local');
    await createVault(c.page);
    await addLogin(c.page, { name: 'Made before any account', username: 'solo' });
    assert.equal((await syncState(c.page)).state, 'local');
    await shot(c.page, c.ext, 'local-vault');

    // Connect an account from Settings: sign in; the vault stays unlocked
    // and is uploaded as it is.
    await c.page.click('#settings');
    await screen(c.page, 'settings');
    await c.page.click('.section button.btn.secondary.block');
    await screen(c.page, 'welcomeConnect');
    await shot(c.page, c.ext, 'connect-account');
    await c.page.click('.actions .btn.secondary.block');
    await screen(c.page, 'signIn');
    await c.page.type('#email', email);
    await c.page.type('#password', ACCOUNT_PASSWORD);
    await c.page.click('#sign-in');
    await screen(c.page, 'vault', 30000);
    await c.page.waitForFunction(() => document.querySelector('#status').dataset.state === 'synced', { timeout: 30000 });
    await waitForNames(c.page, ['Made before any account'], 'C after connecting');
    await shot(c.page, c.ext, 'local-vault-connected');

    // Another profile signs in and unlocks the uploaded vault.
    assert.equal(await signIn(d.page, email), 'unlock');
    await unlock(d.page);
    await waitForNames(d.page, ['Made before any account'], 'D after unlocking');
    await shot(d.page, d.ext, 'local-vault-on-second-profile');
    assert.deepEqual(c.page.errors, []);
    assert.deepEqual(d.page.errors, []);
  } finally {
    await c.ext.close();
    await d.ext.close();
  }
});
