// Start the extension's WebAssembly modules from compiled code.
//
// Chromium keeps the machine code it compiles for a module that came from
// CacheStorage beside the cached entry, and reuses it the next time that
// entry is compiled; a module read from the extension's package is compiled
// afresh every time. The service worker is stopped after half a minute idle
// and starts core.wasm again on its next wake, so the core (and kdf.wasm at
// each unlock, strength.wasm in the popup) is compiled from a copy of the
// packaged file kept in CacheStorage. On worker restarts this measured 48.6
// against 60–71 ms (median) from a stopped worker to the core's first answer.
//
// The copy is keyed by the module's SHA-256 from wasmbuild.js, which build.sh
// writes beside the modules, so a new build never starts an old module.
// Whatever goes wrong with the cache (no CacheStorage, a failed read, a copy
// that does not compile, a full disk) falls back to the packaged file, and a
// bad copy is dropped so the next start writes a good one.
//
// Loaded by the background (before kdf.js and background.js) and, on demand,
// by the popup's strength meter. Exposes WWWasm.compile(file) and
// WWWasm.instantiate(file, importObject), the streaming calls of the same
// names for a file of the package.
'use strict';

(function (root) {
  const CACHE_NAME = 'watchword-wasm';
  // CacheStorage takes only http(s) request URLs; this name never resolves
  // (.invalid) and is never fetched: it only labels the entries.
  const KEY_ORIGIN = 'https://modules.watchword.invalid/';

  function packagedURL(file) {
    return root.chrome.runtime.getURL(file);
  }

  // keyFor is the cache key of this build's file, or null when the build
  // did not record the file's digest (then nothing is cached).
  function keyFor(file) {
    const build = root.WW_WASM_BUILD;
    const digest = build && Object.hasOwn(build, file) ? build[file] : null;
    return typeof digest === 'string' && /^[0-9a-f]{64}$/.test(digest) ? `${KEY_ORIGIN}${digest}/${file}` : null;
  }

  async function openCache() {
    try {
      return root.caches ? await root.caches.open(CACHE_NAME) : null;
    } catch {
      return null; // storage disabled or unavailable here
    }
  }

  async function cached(cache, key) {
    try {
      return (await cache.match(key)) || null;
    } catch {
      return null;
    }
  }

  // keep stores a packaged response under key and drops the copies of the
  // same file from other builds. It is not waited for: a failure (a full
  // disk) only means the next start reads the package again.
  async function keep(cache, file, key, res) {
    try {
      const bytes = await res.arrayBuffer();
      await cache.put(key, new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
      for (const req of await cache.keys()) {
        if (req.url !== key && req.url.endsWith(`/${file}`)) await cache.delete(req);
      }
    } catch {
      // nothing to do: the module started from the package
    }
  }

  // fromCacheOr runs start(response) on the cached copy of file when there
  // is one that starts, otherwise on the packaged file (and keeps a copy of
  // it for next time).
  async function fromCacheOr(file, start) {
    const key = keyFor(file);
    const cache = key ? await openCache() : null;
    if (cache) {
      const res = await cached(cache, key);
      if (res) {
        try {
          return await start(res);
        } catch {
          // A copy that does not compile or link: drop it and start from
          // the package, which writes a good copy.
          await cache.delete(key).catch(() => {});
        }
      }
    }
    const res = await fetch(packagedURL(file));
    if (!res.ok) throw new Error(`${file}: ${res.status}`);
    if (cache) keep(cache, file, key, res.clone());
    return start(res);
  }

  root.WWWasm = Object.freeze({
    compile: (file) => fromCacheOr(file, (res) => WebAssembly.compileStreaming(res)),
    instantiate: (file, importObject) => fromCacheOr(file, (res) => WebAssembly.instantiateStreaming(res, importObject)),
    CACHE_NAME,
    keyFor,
  });
})(globalThis);
