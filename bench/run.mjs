// Runs the benchmark row producers and writes bench/results.json.
//
//   node bench/run.mjs [filter...]
//
// A producer is a file in bench/rows/:
//   - name.mjs: a module whose default export is
//       async function produce({root, log}) → rows
//   - any other executable file: run from the repository root; it prints a
//     JSON list of rows on standard output (progress goes to stderr).
// A row is {name, value, unit, reference, reference_value, ratio}; see
// row() in lib.mjs. With filters, only producers whose file name contains
// one of them run, and their rows replace the rows of the same name in
// results.json (others are kept), so producers can be run one at a time.
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { root } from './lib.mjs';

const rowsDir = path.join(root, 'bench/rows');
const resultsFile = path.join(root, 'bench/results.json');
const filters = process.argv.slice(2);

function validRow(r) {
  return r && typeof r.name === 'string' && r.name !== '' && typeof r.value === 'number' &&
    typeof r.unit === 'string' && 'reference' in r && 'reference_value' in r && 'ratio' in r;
}

async function runExecutable(file, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${path.basename(file)} exited with ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`${path.basename(file)} printed no JSON list of rows: ${e.message}`));
      }
    });
  });
}

async function main() {
  const files = (await fs.readdir(rowsDir)).sort()
    .filter((f) => !f.startsWith('.'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  if (files.length === 0) throw new Error(`no producer in bench/rows matches ${filters.join(' ')}`);

  const produced = [];
  let failures = 0;
  for (const f of files) {
    const file = path.join(rowsDir, f);
    const log = (msg) => console.error(`[${f}] ${msg}`);
    const t0 = Date.now();
    try {
      let rows;
      if (f.endsWith('.mjs')) {
        const mod = await import(pathToFileURL(file).href);
        rows = await mod.default({ root, log });
      } else {
        const st = await fs.stat(file);
        if (!(st.mode & 0o111)) continue; // data or notes, not a producer
        rows = await runExecutable(file, log);
      }
      if (!Array.isArray(rows) || !rows.every(validRow)) throw new Error('produced something other than a list of rows');
      produced.push(...rows);
      log(`${rows.length} row(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      failures++;
      log(`FAILED: ${e.stack || e}`);
    }
  }

  let previous = [];
  try {
    previous = JSON.parse(await fs.readFile(resultsFile, 'utf8'));
  } catch {
    // first run
  }
  const names = new Set(produced.map((r) => r.name));
  const merged = [...previous.filter((r) => !names.has(r.name)), ...produced];
  await fs.writeFile(resultsFile, JSON.stringify(merged, null, 2) + '\n');

  printTable(merged);
  console.log(`results: ${path.relative(process.cwd(), resultsFile)}`);
  if (failures) {
    console.error(`${failures} producer(s) failed`);
    process.exitCode = 1;
  }
}

function printTable(rows) {
  const head = ['name', 'value', 'unit', 'reference', 'ref value', 'ratio'];
  const body = rows.map((r) => [r.name, String(r.value), r.unit, String(r.reference), String(r.reference_value), r.ratio === null ? '-' : r.ratio.toFixed(3)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const numeric = [false, true, false, false, true, true];
  const fmt = (cells) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(fmt(b));
}

main().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});
