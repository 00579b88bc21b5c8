// The password-strength meter: zxcvbn in strength.wasm (the Go program
// wasm/cmd/strength), loaded by the popup only on the screens that show a
// meter, the first time one is needed. core.wasm does not carry zxcvbn: its
// dictionaries cost 1.4 MB and most of a second of start-up, which the
// service worker would pay on every wake.
//
// WWMeter.estimate(password, email) resolves with the core's strength
// estimate {score 0–4, crack_time, warnings, suggestions} or null when the
// meter could not load (the checklist still works without it).
'use strict';

(function (root) {
  const GLOBAL = 'watchwordStrength';
  let loading = null;

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`${src} did not load`));
      document.head.append(s);
    });
  }

  // load starts strength.wasm once; later calls share the same instance.
  function load() {
    if (!loading) {
      loading = (async () => {
        if (typeof root.Go !== 'function') await loadScript('wasm_exec.js');
        const go = new root.Go();
        const { instance } = await WebAssembly.instantiateStreaming(fetch('strength.wasm'), go.importObject);
        go.run(instance).finally(() => {
          loading = null; // exited: start afresh next time
        });
        const m = root[GLOBAL];
        if (!m || typeof m.estimate !== 'function') throw new Error('strength.wasm did not start');
        return m;
      })();
      loading.catch(() => {
        loading = null;
      });
    }
    return loading;
  }

  async function estimate(password, email) {
    let m;
    try {
      m = await load();
    } catch {
      return null;
    }
    return JSON.parse(m.estimate(String(password), typeof email === 'string' ? email : ''));
  }

  root.WWMeter = Object.freeze({ estimate, load });
})(globalThis);
