// Unlocking a vault in real Chromium with the list cache: the list index
// sealed under the vault key in storage.local (cache/<ns>/list), which the
// key derivation opens so the list shows before the core has opened the
// entries; the core then rebuilds the index from the entries themselves.
// Tried here: a cache that is current, one older than the entries (the
// browser closed before it was written), one whose write a stopped worker
// left due (the lock in the next worker writes it), and damaged ones (a flipped
// character, not base64 at all, another type of value): each unlock shows
// every entry and loses nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPopup, send, shot, screen, stopWorkers, waitFor } from './harness.mjs';
import { MASTER, unlock, names, waitForNames } from './flows.mjs';

const CACHE = 'cache/local/list';

let ext;
after(async () => {
  await ext?.close();
});

async function save(page, name, urls = []) {
  await send(page, 'ui-bg-entry-save', { entry: { type: 'login', fields: { name, username: `${name.toLowerCase().replace(/ /g, '.')}@example.org`, password: `pw ${name}`, urls } } });
}

// search types q into the list's search box and answers the names shown.
async function search(page, q) {
  await page.click('#search', { clickCount: 3 });
  await page.keyboard.press('Backspace');
  if (q) await page.type('#search', q);
  return names(page);
}

const readCache = (page) => page.evaluate(async (k) => (await chrome.storage.local.get(k))[k], CACHE);
const writeCache = (page, v) => page.evaluate(async (k, val) => chrome.storage.local.set({ [k]: val }), CACHE, v);

// waitForCache waits until the cache holds something other than old.
async function waitForCache(page, old) {
  await page.waitForFunction(async (k, o) => {
    const v = (await chrome.storage.local.get(k))[k];
    return typeof v === 'string' && v !== o;
  }, { timeout: 15000, polling: 100 }, CACHE, old ?? null);
  return readCache(page);
}

// record starts keeping, in page, every list index written to
// storage.session, in order (the names of its rows), and returns a function
// that answers them.
async function record(page) {
  await page.evaluate(() => {
    globalThis.seen = [];
    chrome.storage.onChanged.addListener((changes, area) => {
      const c = changes['list/local'];
      if (area === 'session' && c && typeof c.newValue === 'string') {
        globalThis.seen.push(JSON.parse(c.newValue).entries.map((e) => e.name).sort());
        globalThis.seenAt.push(performance.now());
      }
    });
    globalThis.seenAt = [];
  });
  return {
    take: () => page.evaluate(() => globalThis.seen.splice(0)),
    times: () => page.evaluate(() => globalThis.seenAt.splice(0)),
    waitFor: (n) => page.waitForFunction((k) => globalThis.seen.length >= k, { timeout: 30000 }, n),
  };
}

// lockAndStop locks (through the popup's Lock) and stops the worker, so the
// unlock that follows starts cold, as after the browser was idle.
async function lockAndStop(page) {
  await page.click('#lock');
  await screen(page, 'unlock');
  const session = await page.evaluate(async () => Object.keys(await chrome.storage.session.get(null)));
  assert.deepEqual(session.filter((k) => /^(key|list|cache-due)\//.test(k)), [], 'locking leaves no key, no list and no mark in storage.session');
  await stopWorker(page);
}

// stopWorker stops the extension's worker, as the browser does when it is
// idle, and reopens the popup.
async function stopWorker(page) {
  // Away from the popup first: a page whose message is cut off by the stop
  // reports it, and the browser never stops a worker mid-message.
  await page.goto('about:blank');
  await stopWorkers(page);
  await page.goto(`${ext.base}/popup.html`);
}

test('unlock shows the sealed list cache, and the entries themselves replace an old or damaged one', async () => {
  ext = await launchChromium();
  const page = await openPopup(ext);
  await screen(page, 'welcome');
  await send(page, 'ui-bg-use-local');
  // The master-password rules hold where the vault is made, not only in
  // the popup's checklist: a page that skips them is refused.
  for (const weak of ['short', 'password1234', '']) {
    const res = await page.evaluate((p) => chrome.runtime.sendMessage({ type: 'ui-bg-vault-create', password: p }), weak);
    assert.equal(res.ok, false, `a vault with the master password "${weak}"`);
    assert.equal(res.error.code, 'invalid');
  }
  assert.equal((await send(page, 'ui-bg-state')).vault.exists, false, 'no vault was made');
  await send(page, 'ui-bg-vault-create', { password: MASTER });
  // The lists are files of the extension the core loads on first use, not
  // part of core.wasm: the checklist still knows a common password, and
  // passphrases are drawn from the word list.
  const common = await send(page, 'ui-bg-policy-check', { kind: 'master', password: 'Password1234' });
  assert.equal(common.common, true, 'Password1234 is known as common');
  assert.equal(common.ok, false);
  assert.equal((await send(page, 'ui-bg-policy-check', { kind: 'master', password: MASTER })).ok, true);
  const { password: phrase } = await send(page, 'ui-bg-generate', { options: { kind: 'passphrase', words: 6, separator: ' ' } });
  const words = phrase.split(' ');
  assert.equal(words.length, 6, `a six-word passphrase, got "${phrase}"`);
  for (const w of words) assert.match(w, /^[a-z-]+$/, `"${w}" is a word of the list`);
  await save(page, 'Alpha bank');
  await save(page, 'Beta mail');

  // The cache is written shortly after the list changed, sealed: no name or
  // username of an entry is readable in it.
  const first = await waitForCache(page);
  for (const plain of ['Alpha', 'Beta', 'example.org']) assert.ok(!first.includes(plain), `the cache does not hold "${plain}" in the clear`);
  assert.ok(!Buffer.from(first, 'base64').toString('latin1').includes('Alpha'), 'nor in its bytes');

  // Another page of the extension watches what the list index is, write
  // by write: the cache's list comes first, then the one rebuilt from the
  // entries, written only when it differs.
  const watcher = await ext.browser.newPage();
  await watcher.goto(`${ext.base}/options.html`);
  const lists = await record(watcher);
  await page.bringToFront();

  await page.goto(`${ext.base}/popup.html`);
  await screen(page, 'vault');
  await lockAndStop(page);
  await lists.take();
  await unlock(page);
  await waitForNames(page, ['Alpha bank', 'Beta mail'], 'unlocked from the cache');
  // The unlock screen had the worker compile kdf.wasm while the password
  // was typed: the derivation started from that module.
  const target = await ext.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(ext.base));
  const marks = await (await target.worker()).evaluate(() => performance.getEntriesByType('mark').map((m) => m.name));
  assert.ok(marks.includes('ww:kdf-prepared'), `the derivation used the module compiled at the unlock screen (marks: ${marks.join(', ')})`);
  await shot(page, ext, 'unlocked-from-cache');
  await new Promise((r) => setTimeout(r, 2000)); // the core has rebuilt the index by now
  assert.deepEqual(await lists.take(), [['Alpha bank', 'Beta mail']], 'the cached list, and no rewrite of the same list');

  // A cache older than the entries: the list first shows what it holds,
  // then every entry once the core has opened them.
  await save(page, 'Gamma shop', [{ url: 'https://checkout.shop-example.net/login', match: 'domain' }]);
  const second = await waitForCache(page, first);
  await lockAndStop(page);
  await writeCache(page, first);
  await lists.take();
  await unlock(page);
  await waitForNames(page, ['Alpha bank', 'Beta mail', 'Gamma shop'], 'an old cache replaced by the entries');
  await lists.waitFor(2);
  assert.deepEqual(await lists.take(), [['Alpha bank', 'Beta mail'], ['Alpha bank', 'Beta mail', 'Gamma shop']], 'the old cached list first, then the entries');
  // And the cache is brought up to date.
  const third = await waitForCache(page, first);
  assert.notEqual(third, first);

  // The worker stopped within the second before the cache is written: the
  // write was marked due in storage.session, and the lock that follows, in
  // a new worker, writes it, so the next unlock shows the newest list.
  await save(page, 'Delta note');
  await stopWorker(page);
  await screen(page, 'vault');
  assert.equal(await readCache(page), third, 'the stopped worker had not written the cache yet');
  assert.equal(await page.evaluate(async () => (await chrome.storage.session.get('cache-due/local'))['cache-due/local']), true, 'the write is marked due');
  await lockAndStop(page);
  assert.notEqual(await readCache(page), third, 'locking wrote the cache');
  await lists.take();
  await unlock(page);
  await waitForNames(page, ['Alpha bank', 'Beta mail', 'Delta note', 'Gamma shop'], 'unlocked after the worker stopped');
  await new Promise((r) => setTimeout(r, 2000)); // the core has rebuilt the index by now
  assert.deepEqual(await lists.take(), [['Alpha bank', 'Beta mail', 'Delta note', 'Gamma shop']], 'the cache held the newest list: no rebuild differed');

  // The list's search looks in names, subtitles and web addresses.
  assert.deepEqual(await search(page, 'beta.MAIL@'), ['Beta mail'], 'a search by username');
  assert.deepEqual(await search(page, 'shop-example.net'), ['Gamma shop'], 'a search by web address');
  assert.deepEqual(await search(page, 'alpha'), ['Alpha bank'], 'a search by name');
  assert.deepEqual(await search(page, 'nothing like this'), [], 'a search that finds nothing');
  assert.equal((await search(page, '')).length, 4, 'an empty search shows everything');

  // Damaged caches are ignored: the list is built from the entries.
  const flipped = second.slice(0, 40) + (second[40] === 'A' ? 'B' : 'A') + second.slice(41);
  const all = ['Alpha bank', 'Beta mail', 'Delta note', 'Gamma shop'];
  for (const [what, bad] of [['a flipped character', flipped], ['not base64', '%%% not a cache %%%'], ['a number', 42]]) {
    await lockAndStop(page);
    await writeCache(page, bad);
    await lists.take();
    await unlock(page);
    await waitForNames(page, all, `a cache that is ${what}`);
    assert.equal((await names(page)).length, 4, `a cache that is ${what}: nothing more, nothing lost`);
    assert.deepEqual((await lists.take())[0], all, `a cache that is ${what} is not shown`);
  }
  await shot(page, ext, 'unlocked-damaged-cache');

  // A wrong password opens neither the vault nor the cache.
  await lockAndStop(page);
  await screen(page, 'unlock');
  await page.type('#master', 'not the master password');
  await page.click('#unlock');
  await page.waitForFunction(() => /master password/i.test(document.querySelector('#screen').innerText) && document.body.dataset.screen === 'unlock', { timeout: 60000 });
  const session = await page.evaluate(async () => Object.keys(await chrome.storage.session.get(null)));
  assert.deepEqual(session.filter((k) => k.startsWith('key/') || k.startsWith('list/')), [], 'a wrong password leaves no key and no list');
  assert.deepEqual(page.errors, []);
});

// A burst of saves (an import, many pages saving at once) writes the list
// index a few times, not once per save: each write sorts and stores every
// row, so once per save made n saves cost n². Every saved entry is listed.
test('a burst of saves writes the list a few times and lists every entry', async () => {
  const b = await launchChromium();
  try {
    const page = await openPopup(b);
    await screen(page, 'welcome');
    await send(page, 'ui-bg-use-local');
    await send(page, 'ui-bg-vault-create', { password: MASTER });
    const watcher = await b.browser.newPage();
    await watcher.goto(`${b.base}/options.html`);
    const lists = await record(watcher);
    await page.bringToFront();
    const N = 60;
    await page.evaluate(async (n) => {
      const jobs = [];
      for (let i = 0; i < n; i++) {
        jobs.push(chrome.runtime.sendMessage({ type: 'ui-bg-entry-save', entry: { type: 'login', fields: { name: `Burst ${String(i).padStart(2, '0')}`, password: `pw ${i}` } } })
          .then((res) => { if (!res || !res.ok) throw new Error(JSON.stringify(res && res.error)); }));
      }
      await Promise.all(jobs);
    }, N);
    await watcher.waitForFunction((n) => globalThis.seen.some((names) => names.length === n), { timeout: 30000 }, N);
    const writes = await lists.take();
    const at = await lists.times();
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    assert.ok(writes.length <= N / 4, `${N} saves wrote the list ${writes.length} times`);
    assert.ok(gaps.every((g) => g >= 200), `writes of the list came ${gaps.map((g) => g.toFixed(0)).join(', ')} ms apart, want at least 200`);
    assert.equal(writes.at(-1).length, N, 'the last write lists every entry');
    await page.goto(`${b.base}/popup.html`);
    await screen(page, 'vault');
    await waitForNames(page, ['Burst 00'], 'after the burst');
    // The list draws only the rows in view; the index it shows holds all.
    const held = await page.evaluate(async () => JSON.parse((await chrome.storage.session.get('list/local'))['list/local']).entries.length);
    assert.equal(held, N, 'the list index holds every entry');

    // With the index goes its head, its first rows and counts, which the
    // popup draws while it reads the whole index.
    const { whole, head } = await page.evaluate(async () => {
      const got = await chrome.storage.session.get(['list/local', 'list/local/head']);
      return { whole: JSON.parse(got['list/local']), head: JSON.parse(got['list/local/head']) };
    });
    assert.deepEqual(head.entries, whole.entries.slice(0, 40), 'the head is the first 40 rows of the index, as sorted');
    assert.deepEqual([head.total, head.failed, head.unknown], [N, 0, 0]);

    // The popup draws the head first, then the whole index: a row only the
    // head holds is shown, then gone, and the list ends with the last entry.
    // The whole index's read is held back by 300 ms in the popup, as a
    // large one takes longer to arrive than its head.
    const marked = { ...head, entries: [{ id: 'head-only', type: 'login', name: 'Drawn from the head', sub: '' }, ...head.entries] };
    const open = async (headValue, seenName) => {
      await page.evaluate(async (v) => chrome.storage.session.set({ 'list/local/head': v }), headValue);
      const p = await b.browser.newPage();
      await p.evaluateOnNewDocument((n) => {
        const get = chrome.storage.session.get.bind(chrome.storage.session);
        chrome.storage.session.get = (k) => (k === 'list/local' ? new Promise((r) => setTimeout(r, 300)).then(() => get(k)) : get(k));
        globalThis.seenHeadRow = false;
        new MutationObserver(() => {
          if ([...document.querySelectorAll('#entries .item .name')].some((e) => e.textContent === n)) globalThis.seenHeadRow = true;
        }).observe(document, { childList: true, subtree: true });
      }, seenName);
      await p.goto(`${b.base}/popup.html`);
      await screen(p, 'vault');
      await p.waitForFunction((n) => document.querySelector('#entries li')?.getAttribute('aria-setsize') === String(n), { timeout: 15000 }, N);
      await p.$eval('#screen', (el) => { el.scrollTop = el.scrollHeight; });
      await waitForNames(p, [`Burst ${N - 1}`], 'scrolled to the end of the whole list');
      const seen = await p.evaluate(() => globalThis.seenHeadRow);
      const now = await names(p);
      await p.close();
      return { seen, now };
    };
    const drawn = await open(JSON.stringify(marked), 'Drawn from the head');
    assert.equal(drawn.seen, true, 'the head was drawn first');
    assert.ok(!drawn.now.includes('Drawn from the head'), 'the whole index replaced it');
    // A damaged head is not drawn: the whole index is.
    for (const bad of ['{"entries": [', '42', '{"entries": "not rows"}']) {
      const r = await open(bad, 'Burst 00');
      assert.equal(r.seen, true, `a head that is ${bad}: the list still shows`);
    }
    // A damaged whole index behind a good head: the head is drawn, then the
    // background's index, which writes a good one again.
    await page.evaluate(async () => chrome.storage.session.set({ 'list/local': '{"entries": [' }));
    const damaged = await open(JSON.stringify(marked), 'Drawn from the head');
    assert.equal(damaged.seen, true, 'the head was drawn');
    assert.ok(!damaged.now.includes('Drawn from the head'), 'the background\'s index replaced it');
    const rewritten = await page.evaluate(async () => JSON.parse((await chrome.storage.session.get('list/local'))['list/local']).entries.length);
    assert.equal(rewritten, N, 'the index is written again');
  } finally {
    await b.close();
  }
});

// The popup over an unlocked vault has the worker start the core and load
// the vault at once, so the entry opened next shows without waiting for
// them. Tried here: a stopped worker arms on the popup's open alone; and a
// lock that lands while that arming is still loading the key leaves no key
// in the core (the load is held until the lock has finished).
test('the popup arms the core ahead, and a lock meanwhile leaves no key in it', async () => {
  const b = await launchChromium();
  const isWorker = (t) => t.type() === 'service_worker' && t.url().startsWith(b.base);
  // inWorker runs fn in the worker; the session is closed after, as a
  // driver attached to the worker would keep it from stopping.
  const inWorker = async (fn, arg) => {
    const cdp = await (await b.browser.waitForTarget(isWorker)).createCDPSession();
    try {
      const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression: `(${fn})(${JSON.stringify(arg ?? null)})`, awaitPromise: true, returnByValue: true });
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description || exceptionDetails.text);
      return result.value;
    } finally {
      await cdp.detach().catch(() => {});
    }
  };
  const stop = async (page) => {
    await stopWorkers(page);
    await waitFor(() => !b.browser.targets().some(isWorker), { what: 'the worker to stop' });
  };
  try {
    const page = await openPopup(b);
    await screen(page, 'welcome');
    await send(page, 'ui-bg-use-local');
    await send(page, 'ui-bg-vault-create', { password: MASTER });
    await save(page, 'Alpha bank');
    // The list cache written (a lock would otherwise write it first).
    await page.waitForFunction(async () => (await chrome.storage.local.get('cache/local/list'))['cache/local/list']
      && !(await chrome.storage.session.get('cache-due/local'))['cache-due/local'], { timeout: 15000, polling: 100 });
    const blank = await b.browser.newPage();
    await blank.goto(`${b.base}/options.html`);

    await page.goto('about:blank');
    await stop(blank);
    await page.bringToFront(); // a tab in the background draws nothing
    await page.goto(`${b.base}/popup.html`);
    await waitForNames(page, ['Alpha bank'], 'the popup over the unlocked vault');
    await waitFor(() => inWorker(() => performance.getEntriesByName('ww:armed').length > 0), { what: 'the worker to arm on the popup\'s open alone' });

    // The race: the worker woken by a message that arms nothing, the core's
    // vault load held, the popup's state (which arms), then a lock.
    await page.goto('about:blank');
    await stop(blank);
    await send(blank, 'ui-bg-activity');
    await inWorker(() => {
      const real = globalThis.call;
      globalThis.loadHeld = new Promise((r) => { globalThis.releaseLoad = r; });
      globalThis.loadReached = false;
      globalThis.call = async (method, ...args) => {
        if (method === 'vaultLoad') {
          globalThis.loadReached = true;
          await globalThis.loadHeld;
        }
        return real(method, ...args);
      };
    });
    await send(blank, 'ui-bg-state');
    await waitFor(() => inWorker(() => globalThis.loadReached), { what: 'the arming to reach the vault load' });
    const locking = send(blank, 'ui-bg-lock');
    await new Promise((r) => setTimeout(r, 500));
    await inWorker(() => globalThis.releaseLoad());
    await locking;
    await new Promise((r) => setTimeout(r, 1000));
    const after = await inWorker(async () => {
      try {
        await globalThis.watchwordCore.vaultSealLocal('anything');
        return 'sealed: the core holds a key';
      } catch (e) {
        return e.code;
      }
    });
    assert.equal(after, 'locked', 'after the lock the core holds no key');
    const session = await blank.evaluate(async () => Object.keys(await chrome.storage.session.get(null)));
    assert.deepEqual(session.filter((k) => k.startsWith('key/')), [], 'nor does storage.session');
    assert.equal((await send(blank, 'ui-bg-state')).vault.unlocked, false);
  } finally {
    await b.close();
  }
});
