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
import { createHash } from 'node:crypto';
import { startServer, send, shot, screen, findLink, waitFor } from './harness.mjs';
import { launchFirefoxWithPopup } from './firefox.mjs';

const MSG = {
  STATE: 'ui-bg-state',
  SETTINGS: 'ui-bg-settings-set',
  SYNC_NOW: 'ui-bg-sync-now',
};
const ACCOUNT_PASSWORD = 'Tr0ubadour-Horse';
const MASTER = 'correct horse battery staple';
// Longer than the sync engine's debounce after a local change, so a push
// that was going to happen has happened.
const SETTLE_MS = 2500;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

// solve finds the registration proof of work (SHA-256(challenge || nonce)
// with `difficulty` leading zero bits), as the extension does.
function solve(challenge, difficulty) {
  for (let i = 0; ; i++) {
    const sum = createHash('sha256').update(challenge + i).digest();
    let zeros = 0;
    for (const b of sum) {
      if (b === 0) {
        zeros += 8;
        continue;
      }
      zeros += Math.clz32(b) - 24;
      break;
    }
    if (zeros >= difficulty) return String(i);
  }
}

async function api(path, { body, token } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${server.url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// createAccount registers and confirms an account through the API, with the
// activation token from the captured email.
async function createAccount(tag) {
  const email = `${tag}-${Date.now()}@example.org`;
  const pow = await api('/api/v1/pow');
  await api('/api/v1/accounts', {
    body: {
      email,
      password: ACCOUNT_PASSWORD,
      marketing_consent: false,
      statement: { decision: 'skipped', version: '2026-01' },
      pow: { challenge: pow.challenge, nonce: solve(pow.challenge, pow.difficulty) },
    },
  });
  const mail = await waitFor(async () => (await server.mailTo(email)).find((t) => findLink(t, '/activate')), { what: `the activation email to ${email}` });
  const token = new URL(findLink(mail, '/activate')).searchParams.get('token');
  await api('/api/v1/accounts/activate', { body: { token } });
  return email;
}

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

async function signIn(page, email) {
  await page.click('#have');
  await screen(page, 'signIn');
  await page.type('#email', email);
  await page.type('#password', ACCOUNT_PASSWORD);
  await page.click('#sign-in');
  await page.waitForFunction(() => ['masterCreate', 'unlock', 'vault'].includes(document.body.dataset.screen), { timeout: 30000 });
  return page.evaluate(() => document.body.dataset.screen);
}

async function createVault(page) {
  await screen(page, 'masterCreate');
  await page.type('#master', MASTER);
  await page.type('#master-confirm', MASTER);
  await page.click('#create-vault');
  await screen(page, 'vault', 120000);
}

async function unlock(page) {
  await screen(page, 'unlock');
  await page.type('#master', MASTER);
  await page.click('#unlock');
  await screen(page, 'vault', 120000);
}

// addLogin adds a login through the popup's form and returns to the list.
async function addLogin(page, { name, username = '', password = '' }) {
  await page.click('#add');
  await screen(page, 'addType');
  await page.click('button[data-type="login"]');
  await screen(page, 'edit');
  await page.type('#f-name', name);
  if (username) await page.type('#f-username', username);
  if (password) await page.type('#f-password', password);
  await page.click('#save');
  await screen(page, 'entry');
  await page.click('#back');
  await screen(page, 'vault');
}

async function names(page) {
  return page.$$eval('#entries .item .name', (els) => els.map((e) => e.textContent));
}

// waitForNames waits, without touching the page, until its list shows every
// name in want; on timeout it says what the list showed instead.
async function waitForNames(page, want, what, timeout = 30000) {
  await page.waitForFunction((w) => {
    const shown = [...document.querySelectorAll('#entries .item .name')].map((e) => e.textContent);
    return w.every((n) => shown.includes(n));
  }, { timeout }, want).catch(async (err) => {
    throw new Error(`${what}: the list shows ${JSON.stringify(await names(page))}: ${err.message}`);
  });
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

// cornerAction opens the status corner's menu and clicks its button sel.
async function cornerAction(page, sel) {
  if (await page.$eval('#status-menu', (m) => m.hidden)) await page.click('#status');
  await page.waitForSelector(sel, { visible: true });
  await page.click(sel);
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
