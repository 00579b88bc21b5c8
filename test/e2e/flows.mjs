// What a person does in the popup, and what a test does through the
// server's API, shared by the sync suites of every browser. Each helper
// takes the puppeteer page of a popup (Chromium's or Firefox's: the popup
// is the same HTML) or the running test server.
import { createHash } from 'node:crypto';
import { screen, send, findLink, waitFor, clickSettled } from './harness.mjs';

export const ACCOUNT_PASSWORD = 'Tr0ubadour-Horse';
export const MASTER = 'correct horse battery staple';

// solve finds the registration proof of work (SHA-256(challenge || nonce)
// with `difficulty` leading zero bits), as the extension does.
export function solve(challenge, difficulty) {
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

// api calls the server's JSON API; body makes it a POST, token signs it.
export async function api(server, path, { body, token } = {}) {
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
// activation token from the captured email, and answers its address.
export async function createAccount(server, tag) {
  const email = `${tag}-${Date.now()}@example.org`;
  const pow = await api(server, '/api/v1/pow');
  await api(server, '/api/v1/accounts', {
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
  await api(server, '/api/v1/accounts/activate', { body: { token } });
  return email;
}

// toSignIn goes from the first-run screen, with the extension pointed at the
// server at serverUrl, to the sign-in screen.
export async function toSignIn(page, serverUrl) {
  await screen(page, 'welcome');
  await send(page, 'ui-bg-settings-set', { settings: { serverUrl } });
  await page.click('#have');
  await screen(page, 'signIn');
}

// signIn signs in from the first-run screen and answers the screen it
// leads to (masterCreate, unlock or vault).
export async function signIn(page, email) {
  await page.click('#have');
  await screen(page, 'signIn');
  await page.type('#email', email);
  await page.type('#password', ACCOUNT_PASSWORD);
  await page.click('#sign-in');
  await page.waitForFunction(() => ['masterCreate', 'unlock', 'vault'].includes(document.body.dataset.screen), { timeout: 30000 });
  return page.evaluate(() => document.body.dataset.screen);
}

export async function createVault(page) {
  await screen(page, 'masterCreate');
  await page.type('#master', MASTER);
  await page.type('#master-confirm', MASTER);
  await clickSettled(page, '#create-vault');
  await screen(page, 'vault', 120000);
}

export async function unlock(page) {
  await screen(page, 'unlock');
  await page.type('#master', MASTER);
  await page.click('#unlock');
  await screen(page, 'vault', 120000);
}

// newEntry opens, from the list, the form of a new entry of type and types
// fields into it ({name: 'Mail', username: 'ann'}: the form's #f-<field>).
export async function newEntry(page, type, fields = {}) {
  await page.click('#add');
  await screen(page, 'addType');
  await page.click(`button[data-type="${type}"]`);
  await screen(page, 'edit');
  for (const [k, v] of Object.entries(fields)) if (v) await page.type(`#f-${k}`, v);
}

// addLogin adds a login through the popup's form and returns to the list.
export async function addLogin(page, { name, username = '', password = '' }) {
  await newEntry(page, 'login', { name, username, password });
  await page.click('#save');
  await screen(page, 'entry');
  await page.click('#back');
  await screen(page, 'vault');
}

// deleteEntry opens the list's entry called name, deletes it through the
// confirmation and returns to the list.
export async function deleteEntry(page, name) {
  const rows = await page.$$('#entries .item');
  let row = null;
  for (const r of rows) if (await r.$eval('.name', (e) => e.textContent) === name) row = r;
  if (!row) throw new Error(`deleteEntry: no entry called ${name} in ${JSON.stringify(await names(page))}`);
  await row.click();
  await screen(page, 'entry');
  await page.click('#delete');
  await screen(page, 'confirmDelete');
  await page.click('#confirm-delete');
  await screen(page, 'vault');
}

export async function names(page) {
  return page.$$eval('#entries .item .name', (els) => els.map((e) => e.textContent));
}

// waitForNames waits, without touching the page, until its list shows every
// name in want; on timeout it says what the list showed instead.
export async function waitForNames(page, want, what, timeout = 30000) {
  await page.waitForFunction((w) => {
    const shown = [...document.querySelectorAll('#entries .item .name')].map((e) => e.textContent);
    return w.every((n) => shown.includes(n));
  }, { timeout }, want).catch(async (err) => {
    throw new Error(`${what}: the list shows ${JSON.stringify(await names(page))}: ${err.message}`);
  });
}

// cornerAction opens the status corner's menu and clicks its button sel.
export async function cornerAction(page, sel) {
  if (await page.$eval('#status-menu', (m) => m.hidden)) await page.click('#status');
  await page.waitForSelector(sel, { visible: true });
  await page.click(sel);
}
