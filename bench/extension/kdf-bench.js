// Where the master-password KDF runs: a fresh kdf.wasm instance per call
// (what the extension does) against a second instance of core.wasm made
// from an already compiled module. Both unlock the same vault at the cheapest
// cost the floors allow, so the Argon2 work is small and the instance
// overhead shows.
'use strict';

const PASSWORD = 'benchmark master password';
const COST = { m: 16 * 1024, t: 2, p: 1 };
let header = null;
let coreModule = null;

async function run(bytesOrModule) {
  const go = new Go();
  const instance = bytesOrModule instanceof WebAssembly.Module
    ? await WebAssembly.instantiate(bytesOrModule, go.importObject)
    : (await WebAssembly.instantiateStreaming(fetch(bytesOrModule), go.importObject)).instance;
  const exited = go.run(instance);
  return { exited, memory: () => instance.exports.mem.buffer.byteLength };
}

async function kdfSetup() {
  await run('/kdf.wasm');
  const res = JSON.parse((await globalThis.watchwordKDF(JSON.stringify({ op: 'create', password: PASSWORD, kdf: COST })))[0]);
  header = res.header;
  coreModule = await WebAssembly.compileStreaming(fetch('/core.wasm'));
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

// coreInstance: a second core.wasm instance from the compiled module
// (compiling it is not counted), unlock. The core never exits, so its
// instance is simply dropped.
async function coreInstance() {
  const t0 = performance.now();
  delete globalThis.watchwordCore;
  await run(coreModule);
  await globalThis.watchwordCore.vaultUnlock(PASSWORD, JSON.stringify(header));
  return { ms: performance.now() - t0 };
}
