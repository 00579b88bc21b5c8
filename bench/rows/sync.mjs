// Sync rows: the Go benchmarks of wasm/vaultsync against the real server
// (in process, SQLite, loopback) mapped to results.json rows. Goals: one
// changed entry in a 10,000-entry vault ≤ 4 KB on the wire and ≤ 50 ms; a
// new device's initial download of 10,000 entries ≤ 1 s and ≤ 1.3× the
// ciphertext size.
import { spawn } from 'node:child_process';
import { row } from '../lib.mjs';

function goBench(root, pattern, log) {
  return new Promise((resolve, reject) => {
    const args = ['test', '-run', '^$', '-bench', pattern, '-benchtime', '5x', '-count', '3', './wasm/vaultsync/'];
    log(`go ${args.join(' ')}`);
    const child = spawn('go', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`go test -bench exited with ${code}\n${out}`))));
  });
}

// metrics parses benchmark lines into {benchmarkName: {unit: [values...]}}.
function metrics(out) {
  const m = {};
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!f[0]?.startsWith('Benchmark')) continue;
    const name = f[0].replace(/-\d+$/, '');
    m[name] ??= {};
    for (let i = 2; i + 1 < f.length; i += 2) {
      const v = Number(f[i]);
      if (Number.isFinite(v)) (m[name][f[i + 1]] ??= []).push(v);
    }
  }
  return m;
}

function median(xs, what) {
  if (!xs?.length) throw new Error(`no ${what} in the benchmark output`);
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export default async function produce({ root, log }) {
  const m = metrics(await goBench(root, '^BenchmarkSync(Incremental|Initial)$', log));
  const inc = m.BenchmarkSyncIncremental;
  const init = m.BenchmarkSyncInitial;
  if (!inc || !init) throw new Error('BenchmarkSyncIncremental or BenchmarkSyncInitial did not run');
  return [
    row('sync-incremental-bytes', median(inc['wire-bytes/op'], 'wire-bytes/op'), 'bytes', 'goal', 4096),
    row('sync-incremental-ms', median(inc['ms/op'], 'ms/op'), 'ms', 'goal', 50),
    row('sync-initial-10k-ms', median(init['ms/op'], 'ms/op'), 'ms', 'goal', 1000),
    row('sync-initial-10k-bytes-per-ciphertext', median(init['wire/ciphertext'], 'wire/ciphertext'), 'x', 'goal', 1.3),
    row('sync-initial-10k-bytes', median(init['wire-bytes/op'], 'wire-bytes/op'), 'bytes', 'ciphertext size',
      median(init['wire-bytes/op'], 'wire-bytes/op') / median(init['wire/ciphertext'], 'wire/ciphertext')),
  ];
}
