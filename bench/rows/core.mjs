// Rows about the Go core in the browser: Argon2id against hash-wasm, the
// unlock-path batch open against WebCrypto + JSON.parse, core.wasm's size,
// and its start-up time.
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { root, row, median, serve, launchChromium } from '../lib.mjs';

const ENTRIES = 10_000;
const ARGON2_RUNS = 5;
const OPEN_RUNS = 7;
const READY_RUNS = 9;

const MB = 1_000_000;

export default async function produce({ log }) {
  const wasm = await fs.readFile(path.join(root, 'dist/core.wasm'));
  const gz = zlib.gzipSync(wasm, { level: 9 });
  const rows = [
    row('core-wasm-bytes', wasm.length, 'bytes', 'goal', 3 * MB),
    row('core-wasm-gzip-bytes', gz.length, 'bytes', 'goal', 1 * MB),
  ];

  const srv = await serve({
    '/': 'bench/page/index.html',
    '/bench.js': 'bench/page/bench.js',
    '/core.wasm': 'dist/core.wasm',
    '/gofloor.wasm': 'dist/gofloor.wasm',
    '/kdf.wasm': 'dist/kdf.wasm',
    '/wasm_exec.js': 'dist/wasm_exec.js',
    '/hash-wasm': 'node_modules/hash-wasm/dist',
  });
  const browser = await launchChromium();
  try {
    // Start-up: a fresh page per run, alternating with the Go floor (the
    // smallest Go program that installs the same global) so both see the
    // same machine.
    const ready = [], floor = [];
    for (let i = 0; i < READY_RUNS; i++) {
      for (const [url, out] of [['/core.wasm', ready], ['/gofloor.wasm', floor]]) {
        const page = await browser.newPage();
        await page.goto(srv.url + '/');
        out.push(await page.evaluate((u) => startCore(u), url));
        await page.close();
      }
    }
    log(`core ready: ${ready.map((x) => x.toFixed(1)).join(' ')} ms; Go floor ${floor.map((x) => x.toFixed(1)).join(' ')} ms`);
    rows.push(row('core-ready-ms', median(ready), 'ms', 'goal', 60));
    rows.push(row('core-ready-vs-go-floor', median(ready), 'ms', 'a Go program that only installs the global, same page and build', median(floor)));

    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(srv.url + '/');

    // Argon2id at the vault's default cost, alternating Go and reference.
    const kdf = await page.evaluate(() => argon2Setup());
    const goKDF = [], refKDF = [];
    for (let i = 0; i < ARGON2_RUNS; i++) {
      goKDF.push(await page.evaluate(() => argon2Go()));
      refKDF.push(await page.evaluate(() => argon2Ref()));
    }
    log(`argon2id m=${kdf.m} t=${kdf.t} p=${kdf.p}: go ${goKDF.map((x) => x.toFixed(0)).join(' ')} ms; hash-wasm ${refKDF.map((x) => x.toFixed(0)).join(' ')} ms`);
    rows.push(row('argon2id-64m-t3-p4', median(goKDF), 'ms', 'hash-wasm argon2id', median(refKDF)));

    // Unlock path: open 10k entries.
    const sizes = await page.evaluate((n) => openSetup(n), ENTRIES);
    log(`open setup: batch ${sizes.batchBytes} bytes, reference ciphertexts ${sizes.jsonBytes} bytes`);
    const goOpen = [], refOpen = [];
    for (let i = 0; i < OPEN_RUNS; i++) {
      goOpen.push(await page.evaluate(() => openGo()));
      refOpen.push(await page.evaluate(() => openRef()));
    }
    log(`open ${ENTRIES}: go ${goOpen.map((x) => x.toFixed(0)).join(' ')} ms; webcrypto ${refOpen.map((x) => x.toFixed(0)).join(' ')} ms`);
    rows.push(row('open-10k-entries', median(goOpen), 'ms', 'WebCrypto AES-GCM + JSON.parse', median(refOpen)));
  } finally {
    await browser.close();
    await srv.close();
  }
  return rows;
}
