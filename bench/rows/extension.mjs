// Rows about the extension as people use it, measured in Chromium with the
// built dist/chrome loaded (puppeteer-core) and a local-only vault of 10,000
// logins at the default Argon2id cost:
//
//   popup-list-ms     the worker asleep (CDP ServiceWorker.stopAllWorkers),
//                     the vault unlocked: popup.html opened → the first rows
//                     of the 10,000-entry list on screen (time from the
//                     popup's navigation start, performance.now()). They
//                     are drawn from the index's head; when the whole
//                     index has replaced it is logged.
//   entry-open-ms     the popup opened over a stopped worker, 600 ms to pick
//                     an entry (the popup has the worker load the vault
//                     meanwhile), click → the entry's fields on screen.
//   worker-ready-ms   the worker stopped → a message that needs the core
//                     answered (worker start, core.wasm start, one call),
//                     timed in the popup page.
//   search-10k-ms     one keystroke in the search box: the input event's
//                     handler and the layout that follows, per keystroke.
//   unlock-cold-ms    the worker stopped, the vault locked: master password
//                     → the popup holds the list of the 10,000 entries (the
//                     unlock message, then the list index the popup reads
//                     from storage.session: the sealed list cache kdf.wasm
//                     opened with the key). Reference: the best JavaScript
//                     stack in the same browser — hash-wasm argon2id at the
//                     same cost + WebCrypto AES-GCM decrypt of the same
//                     entries + JSON.parse.
//   unlock-verified-ms the same unlock → the core has opened every entry
//                     and confirmed (or replaced) the cached list: from the
//                     worker's ww:unlock mark to ww:verified. Its phases,
//                     from the worker's ww:* marks, are logged.
//   worker-memory-mb  after that unlock and list, garbage collected: the
//                     service worker's V8 heap in use and ArrayBuffer backing
//                     stores (CDP Runtime.getHeapUsage usedSize +
//                     backingStorageSize) plus the size of every live
//                     WebAssembly.Memory in the worker (CDP
//                     Runtime.queryObjects), which is where the Go instances'
//                     memory is.
//   kdf-instance-ms   one unlock in a fresh kdf.wasm instance (fetch,
//                     compile, run, exit) vs hash-wasm's Argon2id at the same
//                     cost in a fresh page (its module compiled in the run);
//                     cheapest KDF cost, so the instance overhead shows.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { root, row, median, serve } from '../lib.mjs';
import { tempDir } from '../../test/e2e/harness.mjs';

// WATCHWORD_BENCH_ENTRIES overrides the count, for trying the producer out.
const ENTRIES = Number(process.env.WATCHWORD_BENCH_ENTRIES) || 10_000;
const RUNS = 5;
const PASSWORD = 'correct horse battery staple';
const MB = 1024 * 1024;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

async function launch() {
  return puppeteer.launch({
    executablePath: process.env.WATCHWORD_CHROMIUM_REAL || '/usr/bin/chromium',
    headless: true,
    pipe: true,
    enableExtensions: [path.join(root, 'dist/chrome')],
    userDataDir: tempDir('bench'),
    args: CHROMIUM_ARGS,
    protocolTimeout: 600_000,
    defaultViewport: { width: 360, height: 560 },
  });
}

async function worker(browser) {
  const t = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 20000 });
  return t;
}

async function stopWorkers(page) {
  const cdp = await page.createCDPSession();
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  await new Promise((r) => setTimeout(r, 300));
}

const send = (page, type, payload = {}) => page.evaluate(async (m) => {
  const res = await chrome.runtime.sendMessage(m);
  if (!res || !res.ok) throw new Error(`${m.type}: ${JSON.stringify(res && res.error)}`);
  return res.value;
}, { type, ...payload });

// unlockMarks waits for the worker to finish the unlock behind the list
// (its ww:verified mark), then answers the time of each ww:* mark since
// ww:unlock, and clears them for the next run.
async function unlockMarks(browser) {
  const cdp = await (await worker(browser)).createCDPSession();
  try {
    const expression = `(() => {
      const m = performance.getEntriesByType('mark').filter((e) => e.name.startsWith('ww:'));
      const t0 = m.find((e) => e.name === 'ww:unlock');
      if (!t0 || !m.some((e) => e.name === 'ww:verified')) return null;
      performance.clearMarks();
      return Object.fromEntries(m.filter((e) => e.startTime >= t0.startTime).map((e) => [e.name.slice(3), e.startTime - t0.startTime]));
    })()`;
    for (let waited = 0; waited < 120_000; waited += 100) {
      const { result } = await cdp.send('Runtime.evaluate', { expression, returnByValue: true });
      if (result.value) return result.value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the worker never marked ww:verified after an unlock');
  } finally {
    await cdp.detach().catch(() => {});
  }
}

// A page of the extension that is not the popup (so no list renders), for
// sending messages as the popup would.
async function blankPage(browser, base) {
  const page = await browser.newPage();
  await page.goto(`${base}/options.html`);
  return page;
}

// fill makes the local-only vault and 10,000 logins, saved through the
// worker's own save handler in batches.
async function fill(browser, base, log) {
  const page = await blankPage(browser, base);
  await send(page, 'ui-bg-use-local');
  await send(page, 'ui-bg-vault-create', { password: PASSWORD });
  // Saved from the page through the save message, as the popup saves:
  // attaching to the worker itself would make the driver hold it across
  // the restarts measured below.
  const t0 = Date.now();
  for (let i = 0; i < ENTRIES; i += 250) {
    await page.evaluate(async (from, n) => {
      const words = ['mail', 'bank', 'shop', 'news', 'cloud', 'forum', 'travel', 'music', 'games', 'school'];
      const jobs = [];
      for (let j = from; j < from + n; j++) {
        const w = words[j % words.length];
        jobs.push(chrome.runtime.sendMessage({ type: 'ui-bg-entry-save', entry: { type: 'login', fields: {
          name: `${w[0].toUpperCase()}${w.slice(1)} ${j}`,
          username: `user${j}@example.org`,
          password: `pw-${j}-${Math.random().toString(36).slice(2)}`,
          urls: [{ url: `https://${w}${j}.example.com/login`, match: 'domain' }],
          notes: j % 10 === 0 ? 'Security questions: first pet, street you grew up on.' : '',
        } } }).then((res) => {
          if (!res || !res.ok) throw new Error(JSON.stringify(res && res.error));
        }));
      }
      await Promise.all(jobs);
    }, i, Math.min(250, ENTRIES - i));
  }
  log(`filled ${ENTRIES} entries in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const { entries } = await send(page, 'ui-bg-entries');
  if (entries.length !== ENTRIES) throw new Error(`the vault holds ${entries.length} entries, want ${ENTRIES}`);
  await page.close();
}

// openPopupTimed opens popup.html and answers when the list shows rows,
// with the time since navigation start.
async function openPopupTimed(browser, base) {
  const page = await browser.newPage();
  await page.evaluateOnNewDocument(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('#entries .item')) {
        globalThis.__listShownAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${base}/popup.html`);
  try {
    await page.waitForFunction(() => globalThis.__listShownAt, { timeout: 60000 });
  } catch (err) {
    const seen = await page.evaluate(() => `${document.body.dataset.screen}: ${document.querySelector('#screen').innerText.slice(0, 300)}`).catch(() => '?');
    throw new Error(`the list did not show (${seen}): ${err.message}`);
  }
  const ms = await page.evaluate(() => globalThis.__listShownAt);
  // The first rows come from the index's head; the whole index follows.
  const whole = await page.waitForFunction(() => {
    const m = performance.getEntriesByName('ww:list-whole')[0];
    return m ? m.startTime : 0;
  }, { timeout: 10000 }).then((h) => h.jsonValue(), () => null);
  return { page, ms, whole };
}

export default async function produce({ log }) {
  log('building the extension (./build.sh)');
  const b = spawnSync(path.join(root, 'build.sh'), ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (b.status !== 0) throw new Error('./build.sh failed');

  const rows = [];
  const browser = await launch();
  try {
    const base = `chrome-extension://${new URL((await worker(browser)).url()).host}`;
    await fill(browser, base, log);

    // popup-list-ms, worker asleep.
    const list = [], wholeList = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await blankPage(browser, base);
      await stopWorkers(p);
      await p.close();
      const { page, ms, whole } = await openPopupTimed(browser, base);
      list.push(ms);
      wholeList.push(whole);
      await page.close();
    }
    log(`popup list: ${list.map((x) => x.toFixed(0)).join(' ')} ms; the whole index in place at ${wholeList.map((x) => (x === null ? 'never' : x.toFixed(0))).join(' ')} ms`);
    rows.push(row('popup-list-ms', median(list), 'ms', 'goal', 150));

    // entry-open-ms: the popup opened over a stopped worker; a person
    // takes 600 ms to pick an entry; click → the entry's fields shown.
    const opened = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await blankPage(browser, base);
      await stopWorkers(p);
      await p.close();
      const { page } = await openPopupTimed(browser, base);
      await new Promise((r) => setTimeout(r, 600));
      opened.push(await page.evaluate(async () => {
        const t0 = performance.now();
        document.querySelector('#entries .item').click();
        while (!(document.body.dataset.screen === 'entry' && /user\d+@example\.org/.test(document.querySelector('#screen').innerText))) {
          await new Promise((r) => setTimeout(r, 2));
        }
        return performance.now() - t0;
      }));
      await page.close();
    }
    log(`entry open: ${opened.map((x) => x.toFixed(0)).join(' ')} ms`);
    rows.push(row('entry-open-ms', median(opened), 'ms', 'none', null));

    // search-10k-ms: keystrokes into the open popup's search box.
    const { page: popup } = await openPopupTimed(browser, base);
    const keys = await popup.evaluate(async () => {
      const search = document.querySelector('#search');
      const out = [];
      for (const q of ['m', 'ma', 'mai', 'mail', 'mail 1', 'mail 12', 'mail 1', 'mail', 'b', 'ba', 'ban', 'bank 9', '']) {
        const t0 = performance.now();
        search.value = q;
        search.dispatchEvent(new Event('input', { bubbles: true }));
        void document.body.offsetHeight; // the layout the keystroke causes
        out.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      return out;
    });
    log(`search keystrokes: ${keys.map((x) => x.toFixed(1)).join(' ')} ms`);
    rows.push(row('search-10k-ms', median(keys), 'ms', 'goal', 10));
    await popup.close();

    // worker-ready-ms: stopped worker → an answer that needs the core.
    const ready = [];
    const page = await blankPage(browser, base);
    for (let i = 0; i < RUNS; i++) {
      await stopWorkers(page);
      ready.push(await page.evaluate(async () => {
        const t0 = performance.now();
        const res = await chrome.runtime.sendMessage({ type: 'ui-bg-generate', options: { kind: 'password', length: 20, lower: true, upper: true, digits: true, symbols: false } });
        if (!res.ok) throw new Error(JSON.stringify(res.error));
        return performance.now() - t0;
      }));
    }
    log(`worker ready: ${ready.map((x) => x.toFixed(0)).join(' ')} ms`);
    rows.push(row('worker-ready-ms', median(ready), 'ms', 'goal', 60));

    // unlock-cold-ms and worker-memory-mb.
    const unlock = [];
    const verified = [];
    let memory = null;
    for (let i = 0; i < RUNS; i++) {
      await send(page, 'ui-bg-lock');
      await stopWorkers(page);
      unlock.push(await page.evaluate(async (password, n) => {
        const t0 = performance.now();
        const u = await chrome.runtime.sendMessage({ type: 'ui-bg-vault-unlock', password });
        if (!u.ok) throw new Error(JSON.stringify(u.error));
        const ns = (await chrome.storage.local.get('account')).account.local ? 'local' : null;
        const { ['list/' + ns]: list } = await chrome.storage.session.get('list/' + ns);
        if (typeof list !== 'string' || JSON.parse(list).entries.length < n) throw new Error('the list index does not hold the entries');
        return performance.now() - t0;
      }, PASSWORD, ENTRIES));
      const marks = await unlockMarks(browser);
      verified.push(marks.verified);
      log(`unlock ${unlock[i].toFixed(0)} ms; worker: ${Object.entries(marks).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
      if (i === RUNS - 1) {
        const cdp = await (await worker(browser)).createCDPSession();
        await cdp.send('HeapProfiler.enable');
        for (let g = 0; g < 3; g++) await cdp.send('HeapProfiler.collectGarbage');
        memory = await cdp.send('Runtime.getHeapUsage');
        // Every WebAssembly.Memory still alive in the worker (queryObjects
        // collects garbage first): the core's, and a KDF instance's if one
        // had not been dropped.
        const proto = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
        const found = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
        const sizes = await cdp.send('Runtime.callFunctionOn', {
          objectId: found.objects.objectId,
          functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
          returnByValue: true,
        });
        memory.wasmMemories = sizes.result.value;
        await cdp.detach();
      }
    }
    log(`unlock: ${unlock.map((x) => x.toFixed(0)).join(' ')} ms; heap ${JSON.stringify(memory)}`);
    rows.push(row('unlock-verified-ms', median(verified), 'ms', 'none', null));
    await page.close();

    // The reference stack, in a page of the same browser.
    const srv = await serve({
      '/': 'bench/page/index.html',
      '/bench.js': 'bench/page/bench.js',
      '/core.wasm': 'dist/core.wasm',
      '/kdf.wasm': 'dist/kdf.wasm',
      '/wasm_exec.js': 'dist/wasm_exec.js',
      '/hash-wasm': 'node_modules/hash-wasm/dist',
      '/kdf.html': 'bench/extension/kdf.html',
      '/kdf-bench.js': 'bench/extension/kdf-bench.js',
    });
    try {
      // Cold, as the extension's worker is: each run in a fresh page, so
      // hash-wasm compiles its module and grows its memory in the run, as
      // a JavaScript extension's worker would after a restart. The
      // entries are made once and handed to each page before the clock.
      const setup = await browser.newPage();
      await setup.goto(srv.url + '/');
      await setup.evaluate((n) => openSetup(n), ENTRIES);
      const data = await setup.evaluate(() => refExport());
      await setup.close();
      const refRuns = [];
      for (let i = 0; i < RUNS; i++) {
        const ref = await browser.newPage();
        await ref.goto(srv.url + '/');
        await ref.evaluate((d) => refImport(d), data);
        refRuns.push(await ref.evaluate(async () => (await argon2Ref()) + (await openRef())));
        await ref.close();
      }
      log(`reference unlock (fresh page per run): ${refRuns.map((x) => x.toFixed(0)).join(' ')} ms`);
      rows.push(row('unlock-cold-ms', median(unlock), 'ms', 'hash-wasm argon2id + WebCrypto AES-GCM + JSON.parse', median(refRuns)));

      const kp = await browser.newPage();
      await kp.goto(srv.url + '/kdf.html');
      const cost = await kp.evaluate(() => kdfSetup());
      const viaKDF = [], viaRef = [];
      let kdfMem = 0;
      for (let i = 0; i < RUNS; i++) {
        const k = await kp.evaluate(() => kdfInstance());
        viaKDF.push(k.ms);
        kdfMem = k.memoryBytes;
        const ref = await browser.newPage();
        await ref.goto(srv.url + '/');
        viaRef.push(await ref.evaluate((c) => argon2Ref(c), { m: cost.m, t: cost.t, p: cost.p }));
        await ref.close();
      }
      log(`kdf.wasm instance: ${viaKDF.map((x) => x.toFixed(0)).join(' ')} ms (memory ${(kdfMem / MB).toFixed(1)} MiB); hash-wasm in a fresh page: ${viaRef.map((x) => x.toFixed(0)).join(' ')} ms`);
      rows.push(row('kdf-instance-ms', median(viaKDF), 'ms', 'hash-wasm argon2id, same cost, fresh page', median(viaRef)));
      await kp.close();
    } finally {
      await srv.close();
    }
    const wasm = memory.wasmMemories.reduce((a, b) => a + b, 0);
    log(`worker memory: JS heap ${(memory.usedSize / MB).toFixed(1)} MiB, array buffers ${((memory.backingStorageSize || 0) / MB).toFixed(1)} MiB, wasm memories ${memory.wasmMemories.map((b) => (b / MB).toFixed(1)).join(' + ')} MiB`);
    rows.push(row('worker-memory-mb', (memory.usedSize + (memory.backingStorageSize || 0) + wasm) / MB, 'MiB', 'goal', 40));
  } finally {
    await browser.close().catch(() => {});
  }
  return rows;
}
