// What one derivation in a fresh kdf.wasm instance costs (what the
// extension does at every unlock), at the cheapest cost the floors allow, so
// the Argon2 work is small and the instance overhead shows. The reference,
// hash-wasm's Argon2id at the same cost from a fresh page, runs in
// bench/page/bench.js.
'use strict';

const PASSWORD = 'benchmark master password';
const COST = { m: 16 * 1024, t: 2, p: 1 };
let header = null;

async function run(url) {
  const go = new Go();
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
  const exited = go.run(instance);
  return { exited, memory: () => instance.exports.mem.buffer.byteLength };
}

async function kdfSetup() {
  await run('/kdf.wasm');
  const res = JSON.parse((await globalThis.watchwordKDF(JSON.stringify({ op: 'create', password: PASSWORD, kdf: COST })))[0]);
  header = res.header;
  return header.kdf;
}

// kdfInstance: fetch, compile, start kdf.wasm, unlock, wait for it to exit.
async function kdfInstance() {
  const t0 = performance.now();
  const { exited, memory } = await run('/kdf.wasm');
  await globalThis.watchwordKDF(JSON.stringify({ op: 'unlock', password: PASSWORD, header }));
  await exited;
  return { ms: performance.now() - t0, memoryBytes: memory() };
}
