// Master-password key derivation in a disposable WebAssembly instance.
//
// Each call starts kdf.wasm (the Go program wasm/cmd/kdf, which links only
// the vault package, so it starts sooner than the core), makes its one call,
// and lets the program exit: an unlock answers without waiting for the core,
// which starts after. Argon2id's 64 MiB are in neither Go instance: the
// memory fill runs in a small WebAssembly kernel of its own that the Go side
// instantiates per derivation and drops (wasm/bridge/argon2host). Nothing
// here keeps a reference to the instance afterwards, so the browser
// collects it with its memory.
//
// Loaded by the background after wasm_exec.js and messages.js. The request
// and result shapes are Go's (wasm/bridge/kdfhost); this file only hosts.
'use strict';

(function (root) {
  const { CODE, WatchwordError, toError } = root.WW;
  // The global kdf.wasm installs for its one call.
  const KDF_GLOBAL = 'watchwordKDF';

  // One derivation at a time: the instances share KDF_GLOBAL, and two
  // Argon2 runs at once would only double the peak memory.
  let queue = Promise.resolve();

  // prepared is kdf.wasm compiled ahead of the next call (prepareKDF), or
  // null. Each call takes it, so a compiled module outlives at most one
  // derivation.
  let prepared = null;

  // prepareKDF compiles kdf.wasm while the person types the master
  // password, so the unlock starts its derivation without compiling.
  function prepareKDF() {
    if (prepared) return;
    const p = WebAssembly.compileStreaming(fetch(root.chrome.runtime.getURL('kdf.wasm')));
    p.catch(() => {
      if (prepared === p) prepared = null;
    });
    prepared = p;
  }

  async function start(go) {
    const p = prepared;
    prepared = null;
    const module = p && (await p.catch(() => null));
    if (module) {
      const instance = await WebAssembly.instantiate(module, go.importObject);
      if (root.performance && performance.mark) performance.mark('ww:kdf-prepared');
      return instance;
    }
    return (await WebAssembly.instantiateStreaming(fetch(root.chrome.runtime.getURL('kdf.wasm')), go.importObject)).instance;
  }

  async function once(request) {
    let go = new Go();
    let instance = await start(go);
    if (root.performance && performance.mark) performance.mark('ww:kdf-started');
    const exited = go.run(instance);
    const fn = root[KDF_GLOBAL];
    go = instance = null; // the running program keeps what it needs until it exits
    if (typeof fn !== 'function') throw new WatchwordError(CODE.INTERNAL, 'The key derivation did not start.');
    try {
      const { list, ...req } = request;
      const [json, opened] = await fn(JSON.stringify(req), list || undefined);
      const res = JSON.parse(json);
      if (opened) res.list = opened;
      return res;
    } catch (err) {
      throw toError(err);
    } finally {
      // The program returns after its one call; once it has, nothing refers
      // to the instance any more.
      await exited.catch(() => {});
      delete root[KDF_GLOBAL];
    }
  }

  // runKDF runs one request ({op: 'create'|'unlock'|'change'|'export-key',
  // password, new_password?, header?, kdf?, params?, list?}) and resolves
  // with {header?, vaultKey?, params?, exportKey?, list?}. list is the sealed list cache (cache/<ns>/list); an
  // unlock answers it opened, or leaves it out when it does not open.
  // A rejection is a WatchwordError (wrong_password when the master
  // password does not open the vault).
  function runKDF(request) {
    const p = queue.then(() => once(request));
    queue = p.catch(() => {});
    return p;
  }

  root.watchwordRunKDF = runKDF;
  root.watchwordPrepareKDF = prepareKDF;
})(globalThis);
