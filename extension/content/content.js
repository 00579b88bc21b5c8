// Watchword's content script: finds login fields, shows the inline
// suggestion and the save prompt, and fills the one form the person chose.
//
// It holds no keys, runs no wasm and never sees vault data except the values
// of the one fill the background hands it after a gesture (the popup's Fill
// button, the keyboard command, or a click in the inline suggestion). The
// background reads this frame's origin from the browser (sender.url,
// sender.origin, sender.frameId), never from these messages.
//
// The suggestion and the save prompt are extension pages in an iframe inside
// a closed shadow root, promoted to the top layer; before a click there is
// acted on, checkHost() re-checks that nothing covers, hides or moved them.
//
// The suggestion is fast by design: when login fields appear, this frame
// asks the background once (cs-bg-forms), which decides in the core's
// in-memory index and prepares the suggestion's session; its iframe is made
// once, hidden, and told what to list by the background (named by a random
// slot only this script and that iframe know), so focusing a field shows a
// suggestion that is already drawn.
'use strict';

(function () {
  if (globalThis.__watchwordContent) return; // injected twice: keep the first
  globalThis.__watchwordContent = true;

  const { findGroups, fields, hiddenReason, isVisible } = globalThis.WWDetect;
  const { fillGroup } = globalThis.WWFill;
  const api = globalThis.browser && globalThis.browser.runtime ? globalThis.browser : globalThis.chrome;

  // A click in an overlay counts only after it was visible and still for this
  // long: a page cannot flash it under the pointer.
  const MIN_VISIBLE_MS = 500;
  const SCAN_DEBOUNCE_MS = 15;
  const ROW_PX = 44;

  const isTop = window === window.top;
  let groups = [];
  let reported = ''; // the kinds last reported to the background
  const gestureGroups = new Map(); // gesture token → group
  let overlay = null; // {kind, host, frame, session, group, field, shownAt, tampered, observer}
  let warm = null; // the suggestion's iframe, made once and hidden when closed: {host, frame, slot, container, loaded}
  let prepared = null; // {session, rows, group}: the suggestion cs-bg-forms prepared
  let offered = -1; // how many logins cs-bg-forms said this frame can offer (-1: not asked yet)

  function send(type, payload) {
    return new Promise((resolve) => {
      try {
        api.runtime.sendMessage({ type, ...payload }, (res) => {
          void api.runtime.lastError;
          resolve(res && res.ok ? res.value : null);
        });
      } catch {
        resolve(null); // the extension was reloaded: this script is orphaned
      }
    });
  }

  const sandboxed = () => self.origin === 'null';

  function randomSlot() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // ---------------------------------------------------------------------------
  // Scanning

  let scanTimer = 0;
  function scheduleScan() {
    if (scanTimer) return;
    scanTimer = setTimeout(() => {
      scanTimer = 0;
      scan();
    }, SCAN_DEBOUNCE_MS);
  }

  // Requests that tell the suggestion's iframe a session (cs-bg-forms with a
  // slot, cs-bg-suggest) run one at a time, each with what follows from its
  // answer: the background tells the iframe a session before it answers, so
  // the iframe always ends on the session of the last answer, the one this
  // script holds. Two at once could leave the iframe showing one session and
  // this script the other, and a pick there would be refused as stale (a page
  // that focuses a field in the task that adds its form asks for a
  // suggestion before its scan reports the form).
  let slotQueue = Promise.resolve();
  function inSlotQueue(job) {
    slotQueue = slotQueue.then(job).catch(() => {});
  }

  function scan() {
    groups = findGroups(document);
    const kinds = groups.map((g) => g.kind).sort().join(',');
    if (!kinds || kinds === reported) return;
    reported = kinds;
    const g0 = groups[0];
    const base = { kinds: groups.map((g) => g.kind), sandboxed: sandboxed(), kind: g0.kind, action: g0.action };
    inSlotQueue(async () => {
      // The suggestion for the first form is prepared now, in the same
      // round trip, for a focus that comes later; not while a suggestion
      // is shown or being opened, whose session the iframe must keep.
      const container = containerOf(fields(g0)[0]);
      const prepare = !overlay && !opening;
      const slot = !prepare ? '' : warm && warm.container === container ? warm.slot : randomSlot();
      const res = await send('cs-bg-forms', { ...base, slot });
      offered = res && Number.isInteger(res.count) && !res.locked ? res.count : -1;
      if (!res || !(res.count > 0)) return;
      if (slot && res.session && !overlay) {
        warmFrame(container, slot);
        prepared = { session: res.session, rows: res.rows, group: g0 };
      }
      // A field already focused when its form appeared (autofocus, a
      // dialog opening) gets its suggestion now.
      const f = deepActive();
      const g = f && groupOfField(f);
      if (g && !overlay) openSuggestion(g, f);
    });
  }

  // Cheap: only element additions and attribute changes that can reveal a
  // form (style, class, hidden, open, popover) schedule a scan.
  const observer = new MutationObserver((records) => {
    // A suggestion whose field went away goes with it.
    if (overlay && overlay.field && !overlay.field.isConnected) closeOverlay();
    for (const r of records) {
      if (overlay && (r.target === overlay.host)) continue;
      if (warm && (r.target === warm.host || (r.addedNodes.length === 1 && r.addedNodes[0] === warm.host))) continue;
      if (r.type === 'attributes' || r.addedNodes.length) {
        scheduleScan();
        return;
      }
    }
  });
  observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['style', 'class', 'hidden', 'open', 'type', 'autocomplete'],
  });
  document.addEventListener('toggle', scheduleScan, true); // popovers and <details>
  scheduleScan();

  function deepActive() {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  }

  function groupOfField(el) {
    return groups.find((g) => fields(g).includes(el)) || null;
  }

  function focusedGroup() {
    const a = deepActive();
    return (a && groupOfField(a)) || null;
  }

  // Focus on a login field opens the suggestion for its form.
  let quietUntil = 0; // filling moves the focus: no suggestion for that
  document.addEventListener('focusin', (e) => {
    if (!e.isTrusted || performance.now() < quietUntil) return;
    const el = e.composedPath()[0];
    if (!(el instanceof HTMLInputElement)) return;
    let g = groupOfField(el);
    if (!g) {
      groups = findGroups(document);
      g = groupOfField(el);
    }
    if (g && (!overlay || overlay.field !== el)) openSuggestion(g, el);
  }, true);

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && overlay && overlay.kind === 'suggest') closeOverlay();
  }, true);

  document.addEventListener('pointerdown', (e) => {
    if (!overlay || overlay.kind !== 'suggest') return;
    const t = e.composedPath()[0];
    if (t !== overlay.field && t !== overlay.host) closeOverlay();
  }, true);

  // ---------------------------------------------------------------------------
  // Overlays: the inline suggestion and the save prompt

  let opening = null; // the field a suggestion is being asked for
  function openSuggestion(g, field, mode) {
    if (opening === field || (overlay && overlay.field === field && !mode)) return;
    opening = field;
    inSlotQueue(async () => {
      try {
        await suggest(g, field, mode);
      } finally {
        if (opening === field) opening = null;
      }
    });
  }

  async function suggest(g, field, mode) {
    let res = null;
    if (prepared && prepared.group === g && !mode && warm && warm.host.isConnected) {
      res = prepared; // decided when the form appeared: no round trip
      prepared = null;
    } else {
      prepared = null;
      // The iframe loads while the background decides, unless this frame
      // was already told it has nothing to offer (then only once it has).
      const container = containerOf(field);
      const usable = warm && warm.container === container && warm.host.isConnected;
      const slot = usable ? warm.slot : randomSlot();
      if (!usable && offered !== 0) warmFrame(container, slot);
      res = await send('cs-bg-suggest', { kind: g.kind, action: g.action, sandboxed: sandboxed(), mode: mode || '', slot });
      if (res && res.session) warmFrame(container, slot);
    }
    if (!res || !res.session) return;
    if (!field.isConnected || (deepActive() !== field && !mode)) return;
    const rows = Math.max(1, Math.min(4, res.rows || 1));
    showOverlay('suggest', res.session, g, field, { width: 320, height: Math.max(rows * ROW_PX + 12, 140) });
  }

  // containerOf answers where an overlay for field lives: outside an open
  // modal dialog everything is inert, so an overlay for a field in one lives
  // inside it.
  function containerOf(field) {
    let modal = null;
    try {
      modal = field ? field.closest('dialog:modal') : null;
    } catch {
      /* :modal unknown to this browser */
    }
    return modal || document.documentElement;
  }

  // makeHost puts an overlay page in an iframe inside a closed shadow root,
  // hidden until showOverlay places it.
  function makeHost(container, page, hash) {
    const host = document.createElement('div');
    const shadow = host.attachShadow({ mode: 'closed' });
    const frame = document.createElement('iframe');
    frame.src = api.runtime.getURL(page) + '#' + encodeURIComponent(hash);
    frame.setAttribute('allowtransparency', 'false');
    frame.style.cssText = 'all: initial; display: block; width: 100%; height: 100%; border: 0; color-scheme: normal;';
    shadow.append(frame);
    host.setAttribute('popover', 'manual');
    host.style.cssText = 'display: none !important';
    const h = { host, frame, container, loaded: false };
    frame.addEventListener('load', () => {
      h.loaded = true;
      if (overlay && overlay.host === host && overlay.shownAt === Infinity) overlay.shownAt = performance.now();
    });
    container.append(host);
    return h;
  }

  // warmFrame answers the suggestion's iframe for container, made (hidden)
  // when there is none there yet. A page that removed or moved it gets a
  // new one.
  function warmFrame(container, slot) {
    if (warm && warm.container === container && warm.host.isConnected && warm.host.parentNode === container) return warm;
    if (warm && (!overlay || overlay.host !== warm.host)) warm.host.remove();
    const s = slot || randomSlot();
    warm = makeHost(container, 'content/suggest.html', 'slot=' + s);
    warm.slot = s;
    return warm;
  }

  function showOverlay(kind, session, group, field, size) {
    closeOverlay();
    const container = containerOf(field);
    const h = kind === 'suggest' ? warmFrame(container) : makeHost(container, 'content/savebar.html', session);
    const { host, frame } = h;
    let topBefore = [];
    try {
      topBefore = [...document.querySelectorAll(':popover-open, dialog:modal')];
    } catch {
      /* selectors unknown to this browser */
    }
    const o = { kind, host, frame, session, group, field, size, shownAt: h.loaded ? performance.now() : Infinity, tampered: '', topBefore, container };
    o.keep = h === warm;
    overlay = o;
    place(o);
    try {
      host.showPopover();
    } catch {
      /* no popover support: it stays an ordinary fixed element */
    }
    o.observer = new MutationObserver(() => {
      if (!o.placing) o.tampered = 'attributes';
    });
    o.observer.observe(host, { attributes: true });
    o.onMove = () => {
      if (place(o)) o.shownAt = performance.now(); // moved: the clock restarts
    };
    window.addEventListener('scroll', o.onMove, true);
    window.addEventListener('resize', o.onMove, true);
  }

  // place positions the overlay (under its field, or the top-right corner
  // for the save prompt) and reports whether it moved.
  function place(o) {
    let left, top;
    if (o.field) {
      const r = o.field.getBoundingClientRect();
      left = Math.max(0, Math.min(r.left, window.innerWidth - o.size.width));
      top = r.bottom + 4;
      if (top + o.size.height > window.innerHeight) top = Math.max(0, r.top - o.size.height - 4);
    } else {
      left = Math.max(0, window.innerWidth - o.size.width - 16);
      top = 16;
    }
    const moved = o.left === undefined || Math.abs(o.left - left) > 2 || Math.abs(o.top - top) > 2;
    o.left = left;
    o.top = top;
    o.placing = true;
    o.host.style.cssText = [
      'all: initial', 'inset: auto', 'position: fixed', `left: ${left}px`, `top: ${top}px`, 'right: auto', 'bottom: auto',
      `width: ${o.size.width}px`, `height: ${o.size.height}px`, 'margin: 0', 'padding: 0', 'border: 0',
      'display: block', 'visibility: visible', 'opacity: 1', 'z-index: 2147483647', 'overflow: hidden',
      'background: transparent', 'box-shadow: 0 2px 12px rgba(0,0,0,.25)', 'border-radius: 8px',
      'transform: none', 'filter: none', 'clip-path: none', 'pointer-events: auto',
    ].map((d) => d + ' !important').join('; ');
    if (o.observer) o.observer.takeRecords();
    o.placing = false;
    return moved;
  }

  function closeOverlay() {
    const o = overlay;
    if (!o) return;
    overlay = null;
    if (o.observer) o.observer.disconnect();
    window.removeEventListener('scroll', o.onMove, true);
    window.removeEventListener('resize', o.onMove, true);
    if (!o.keep || o.tampered || o.failed || !warm || warm.host !== o.host) {
      if (warm && warm.host === o.host) warm = null;
      o.host.remove();
      return;
    }
    // The suggestion's iframe stays, hidden, for the next field.
    try {
      o.host.hidePopover();
    } catch {
      /* not showing, or no popover support */
    }
    o.host.style.cssText = 'display: none !important';
  }

  // checkHost says whether the overlay can be trusted with a click at (x, y)
  // (coordinates inside its iframe): '' when it can, or what was wrong. The
  // overlay is closed on any failure.
  function checkHost(o, x, y) {
    const fail = (why) => {
      o.failed = why; // a new iframe next time
      closeOverlay();
      return why;
    };
    if (o.tampered) return fail('tampered:' + o.tampered);
    const host = o.host;
    if (!host.isConnected || host.parentNode !== o.container) return fail('moved');
    if (performance.now() - o.shownAt < MIN_VISIBLE_MS) return fail('too_soon');
    if (document.visibilityState !== 'visible') return fail('hidden_page');
    const cs = getComputedStyle(host);
    if (cs.display !== 'block' || cs.visibility !== 'visible' || parseFloat(cs.opacity) < 1 ||
      cs.filter !== 'none' || cs.transform !== 'none' || cs.clipPath !== 'none' || cs.mixBlendMode !== 'normal' ||
      cs.pointerEvents === 'none') {
      return fail('style');
    }
    // Opacity (and filters) up to the root.
    for (let a = host.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (parseFloat(s.opacity) < 1 || s.filter !== 'none' || s.visibility !== 'visible') return fail('ancestor_style');
    }
    // Anything else in the top layer can sit above the overlay.
    const inTop = (() => {
      try {
        return host.matches(':popover-open');
      } catch {
        return true; // no popover support: the checks below still apply
      }
    })();
    if (!inTop) return fail('not_top_layer');
    try {
      // Only the dialog or popover holding the field itself, open before
      // the overlay (so beneath it), may share the top layer.
      for (const p of document.querySelectorAll(':popover-open, dialog:modal')) {
        if (p !== host && !(o.topBefore.includes(p) && o.field && p.contains(o.field))) return fail('top_layer');
      }
    } catch {
      /* selectors unknown to this browser */
    }
    if (document.fullscreenElement) return fail('fullscreen');
    const r = host.getBoundingClientRect();
    if (Math.abs(r.left - o.left) > 2 || Math.abs(r.top - o.top) > 2 ||
      Math.abs(r.width - o.size.width) > 2 || Math.abs(r.height - o.size.height) > 2) {
      return fail('geometry');
    }
    const points = [[r.left + r.width / 2, r.top + r.height / 2]];
    if (Number.isFinite(x) && Number.isFinite(y)) points.push([r.left + x, r.top + y]);
    for (const [px, py] of points) {
      if (px < 0 || py < 0 || px >= window.innerWidth || py >= window.innerHeight) return fail('offscreen');
      if (document.elementFromPoint(px, py) !== host) return fail('covered');
    }
    return '';
  }

  // ---------------------------------------------------------------------------
  // Messages from the background

  api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || typeof msg.type !== 'string' || !msg.type.startsWith('bg-cs-')) return false;
    if (sender.id !== api.runtime.id || sender.tab) return false; // only our background
    switch (msg.type) {
      case 'bg-cs-gesture': {
        // A fill gesture (popup or keyboard): offer this frame's form.
        groups = findGroups(document);
        const g = focusedGroup() || groups[0];
        if (g) {
          gestureGroups.set(msg.token, g);
          setTimeout(() => gestureGroups.delete(msg.token), 10_000);
          send('cs-bg-target', {
            token: msg.token, kind: g.kind, action: g.action, sandboxed: sandboxed(),
            focused: document.hasFocus() && !!focusedGroup(),
          });
        }
        return false;
      }
      case 'bg-cs-verify': {
        const o = overlay;
        if (!o || o.session !== msg.session) {
          sendResponse({ ok: false, reason: 'gone' });
          return false;
        }
        const why = checkHost(o, Number(msg.x), Number(msg.y));
        sendResponse(why ? { ok: false, reason: why } : { ok: true, kind: o.group ? o.group.kind : '' });
        return false;
      }
      case 'bg-cs-fill': {
        let g = null;
        if (msg.session && overlay && overlay.session === msg.session) g = overlay.group;
        else if (msg.token) g = gestureGroups.get(msg.token);
        if (!g) {
          sendResponse({ filled: 0 });
          return false;
        }
        quietUntil = performance.now() + 1000;
        const n = fillGroup(g, msg.values || {}, isVisible);
        if (msg.session) closeOverlay();
        sendResponse({ filled: n });
        return false;
      }
      case 'bg-cs-suggest': {
        // The keyboard command needs a confirmation: open the suggestion
        // on the form it chose.
        const g = gestureGroups.get(msg.token);
        const f = g && fields(g)[0];
        if (f) openSuggestion(g, f, 'confirm');
        return false;
      }
      case 'bg-cs-close':
        if (overlay && overlay.session === msg.session) closeOverlay();
        return false;
    }
    return false;
  });

  // ---------------------------------------------------------------------------
  // Save or update after a sign-in

  function submitted(g) {
    if (!g || !navigator.userActivation || !navigator.userActivation.hasBeenActive) return;
    const password = g.kind === 'signup' ? (g.news[0] && g.news[0].value) : (g.current && g.current.value);
    if (!password) return;
    const username = g.username ? g.username.value : '';
    send('cs-bg-submit', { kind: g.kind, username, password });
    // A single-page app signs in without navigating: when the password field
    // is gone shortly after, the sign-in went through.
    const pw = g.kind === 'signup' ? g.news[0] : g.current;
    setTimeout(() => {
      if (!pw.isConnected || hiddenReason(pw)) askPending();
    }, 1500);
  }

  document.addEventListener('submit', (e) => {
    if (!e.isTrusted) return;
    const form = e.composedPath()[0];
    groups = findGroups(document);
    submitted(groups.find((g) => g.container === form && (g.kind === 'login' || g.kind === 'signup' || g.kind === 'password')));
  }, true);

  // Formless sign-ins submit with a button click or Enter.
  function formlessSubmit(el) {
    const g = groups.find((x) => (x.kind === 'login' || x.kind === 'signup' || x.kind === 'password') && x.container.tagName !== 'FORM' &&
      (x.container.contains ? x.container.contains(el) : false));
    if (g) submitted(g);
  }
  document.addEventListener('click', (e) => {
    if (!e.isTrusted) return;
    const t = e.composedPath()[0];
    const b = t && t.closest && t.closest('button,input[type=submit],[role=button]');
    if (b && !b.form) formlessSubmit(b);
  }, true);
  document.addEventListener('keydown', (e) => {
    if (!e.isTrusted || e.key !== 'Enter') return;
    const t = e.composedPath()[0];
    if (t instanceof HTMLInputElement && !t.form) formlessSubmit(t);
  }, true);

  async function askPending() {
    if (!isTop || (overlay && overlay.kind === 'save')) return;
    const res = await send('cs-bg-pending', {});
    if (res && res.session) showOverlay('save', res.session, null, null, { width: 360, height: 150 });
  }
  if (isTop) {
    if (document.readyState === 'complete') askPending();
    else window.addEventListener('load', askPending, { once: true });
  }
})();
