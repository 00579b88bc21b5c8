// Shared by the inline suggestion and the save prompt, which run as
// extension pages in an iframe the content script placed in a closed shadow
// root.
//
// A click is acted on only when it is trusted (a real person, not a script),
// after the view has been shown and unchanged for MIN_VISIBLE_MS, and — where
// the browser can tell (IntersectionObserver v2) — while nothing covers or
// fades the frame. The content script then checks the page around the frame
// again before the background does anything (see checkHost in content.js).
'use strict';

(function (root) {
  const MIN_VISIBLE_MS = 500;
  // The save prompt is opened for one session (#<session>); the suggestion's
  // iframe is made once and told its sessions later (#slot=<slot>).
  const hash = decodeURIComponent(location.hash.slice(1));
  const slot = hash.startsWith('slot=') ? hash.slice(5) : '';
  let session = slot ? '' : hash;
  let shownAt = performance.now();
  let occluded = false;
  let outOfView = false;

  // Chrome reports occlusion and opacity of the whole frame chain.
  try {
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        // Hidden and shown again (the suggestion's iframe is reused): the
        // clock restarts.
        if (!e.isIntersecting) outOfView = true;
        else if (outOfView) {
          outOfView = false;
          shownAt = performance.now();
        }
        if (typeof e.isVisible !== 'boolean') continue;
        if (!e.isVisible) occluded = true;
        else if (occluded) {
          occluded = false;
          shownAt = performance.now();
        }
      }
    }, { trackVisibility: true, delay: 100, threshold: [0, 1] });
    addEventListener('DOMContentLoaded', () => io.observe(document.body));
  } catch {
    /* no IntersectionObserver v2: the content script's checks remain */
  }

  // setSession makes the suggestion's iframe act for session (a view the
  // background sent for this iframe's slot).
  function setSession(s) {
    session = s;
  }

  function ask(type, payload) {
    return new Promise((resolve) => {
      chrome.runtime.sendMessage({ type, session, ...payload }, (res) => {
        void chrome.runtime.lastError;
        resolve(res || { ok: false, error: { code: 'internal', message: 'No answer.' } });
      });
    });
  }

  // shown restarts the visibility clock: call it whenever the view changes
  // what a click would do.
  function shown() {
    shownAt = performance.now();
  }

  // clickable says whether a click event may be acted on.
  function clickable(e) {
    if (!e.isTrusted) return false;
    if (performance.now() - shownAt < MIN_VISIBLE_MS) return false;
    if (occluded || document.visibilityState !== 'visible') return false;
    return true;
  }

  function el(tag, props, ...children) {
    const n = document.createElement(tag);
    Object.assign(n, props || {});
    n.append(...children);
    return n;
  }

  // ready marks the moment the view can be used (tests and the benchmark
  // read it).
  function ready() {
    document.documentElement.dataset.ready = String(performance.timeOrigin + performance.now());
  }

  root.Overlay = Object.freeze({ ask, shown, clickable, el, ready, slot, setSession, session: () => session });
})(globalThis);
