// wasmload.js compiles the WebAssembly modules shipped with the extension
// (core.wasm, kdf.wasm, strength.wasm).
//
// Chromium hands an extension its own files slowly: core.wasm's 4.9 MB take
// about 35 ms to arrive through chrome-extension://, on every start of the
// service worker, while the same bytes come out of the extension's Cache
// Storage in about half that (bench: worker-ready-ms). So the first compile
// of a module also keeps a copy there, and later compiles read the copy.
//
// A copy is keyed by the module's SHA-256, which build.sh writes into
// wasm-ids.js: an updated or rebuilt extension never runs an older module,
// and storing a new copy removes those of other builds. A copy that is
// missing, unreadable or does not compile (storage cleared, evicted under
// pressure, damaged on disk) is read from the extension's files again, and
// without Cache Storage (or without wasm-ids.js) every compile reads the
// files: the cache can make a start faster, never make one fail. Cache
// Storage belongs to the extension's origin; web pages and content scripts
// cannot reach it.
'use strict';

(function (root) {
  const CACHE = 'watchword-wasm';
  // Cache Storage keys are http(s) URLs; this one only names the copy.
  const KEY_ROOT = 'https://wasm.watchword.invalid/';

  async function openCache() {
    try {
      return root.caches ? await root.caches.open(CACHE) : null;
    } catch {
      return null; // e.g. refused in a private window
    }
  }

  // compile resolves with the compiled module of the shipped file (a name
  // beside this script, such as 'core.wasm').
  async function compile(file) {
    const url = new URL(file, root.location.href).href;
    const ids = root.WATCHWORD_WASM_IDS;
    const id = ids && Object.hasOwn(ids, file) ? ids[file] : '';
    const cache = id ? await openCache() : null;
    if (!cache) return WebAssembly.compileStreaming(fetch(url));
    const key = `${KEY_ROOT}${id}/${file}`;
    const copy = await cache.match(key).catch(() => null);
    if (copy) {
      try {
        return await WebAssembly.compileStreaming(copy);
      } catch {
        await cache.delete(key).catch(() => {});
      }
    }
    const res = await fetch(url);
    if (res.ok) keep(cache, key, file, res.clone());
    return WebAssembly.compileStreaming(res);
  }

  // keep stores the copy of one module, then drops the copies other builds
  // left of it. It runs beside the compile; a failure only means the next
  // start reads the shipped file again.
  async function keep(cache, key, file, res) {
    try {
      await cache.put(key, res);
      for (const req of await cache.keys()) {
        if (req.url !== key && req.url.endsWith(`/${file}`)) await cache.delete(req);
      }
    } catch {
      // no copy this time
    }
  }

  root.WWWasm = Object.freeze({ compile });
})(globalThis);
