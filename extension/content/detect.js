// Login-field detection and visibility checks for the content script.
//
// Pure DOM logic, no messaging and no vault data: it finds the fields a
// person would fill (sign-in, sign-up and change-password forms, username or
// password steps of a multi-step sign-in, one-time codes), inside forms or
// not, in open shadow roots, dialogs and popovers, and says whether a field is
// really visible to the person. The test page test/e2e/autofill/detect.html
// loads this file on its own and checks a table of expected fields.
//
// Exposes globalThis.WWDetect (the content script's isolated world, or the
// test page's window).
'use strict';

(function (root) {
  // Text that marks a field or form as something other than a sign-in.
  const SEARCH_RE = /search|query|^q$|^s$|find|lookup|filter/i;
  const NEWSLETTER_RE = /subscri|newsletter|mailing|updates|notify me|stay in touch|join our list/i;
  const HONEYPOT_RE = /honeypot|honey|^hp[-_]|[-_]hp$|bot[-_]?trap|leave.?(this|blank|empty)|do.?not.?fill/i;
  const USER_RE = /user|login|e-?mail|account|ident|nick|member|log.?on|sign.?in|phone/i;
  const NEW_RE = /new|confirm|repeat|retype|again|verify|create|choose|register|signup|sign.?up/i;
  const OTP_RE = /one.?time|otp|2fa|mfa|totp|verif|security.?code|auth.?code|passcode|two.?factor|token|pin.?code|sms.?code|^code$/i;

  const TEXTY = new Set(['', 'text', 'email', 'tel', 'number', 'password', 'url']);
  // At most this many elements are walked looking for open shadow roots: a
  // huge page must not make every mutation expensive.
  const MAX_WALK = 20000;

  function attrText(el) {
    const parts = [el.name, el.id, el.getAttribute('placeholder'), el.getAttribute('aria-label'), el.className && String(el.className)];
    if (el.labels) for (const l of el.labels) parts.push(l.textContent);
    return parts.filter(Boolean).join(' ');
  }

  function autocomplete(el) {
    return String(el.getAttribute('autocomplete') || '').toLowerCase().split(/\s+/);
  }

  // collectInputs returns every <input> under root, descending into open
  // shadow roots (closed ones are, by design, not ours to read).
  function collectInputs(rootNode) {
    const out = [];
    const roots = [rootNode];
    let walked = 0;
    while (roots.length) {
      const r = roots.shift();
      for (const el of r.querySelectorAll('input')) out.push(el);
      const tw = (r.ownerDocument || r).createTreeWalker(r, NodeFilter.SHOW_ELEMENT);
      for (let n = tw.nextNode(); n && walked < MAX_WALK; n = tw.nextNode(), walked++) {
        if (n.shadowRoot) roots.push(n.shadowRoot);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------
  // Visibility

  function composedParent(el) {
    if (el.parentElement) return el.parentElement;
    const r = el.getRootNode && el.getRootNode();
    if (r && r.host) return r.host;
    // Up into a same-origin parent frame; a cross-origin one throws or is null.
    try {
      const fe = el.ownerDocument.defaultView.frameElement;
      if (fe && el === el.ownerDocument.documentElement) return fe;
    } catch {
      /* cross-origin parent */
    }
    return null;
  }

  // hiddenReason says why a person could not see el, or returns null when el
  // is visible: display/visibility, opacity at or below 0.1 anywhere up the
  // chain (through shadow hosts and same-origin frames), a tiny box, a clip,
  // a position outside the page, or another element covering its centre.
  function hiddenReason(el) {
    if (!el || !el.isConnected) return 'detached';
    const doc = el.ownerDocument;
    const win = doc.defaultView;
    if (el.type === 'hidden') return 'display';
    if (typeof el.checkVisibility === 'function' &&
      !el.checkVisibility({ checkVisibilityCSS: true, visibilityProperty: true, contentVisibilityAuto: true })) {
      return 'display';
    }
    const own = win.getComputedStyle(el);
    if (own.display === 'none') return 'display';
    if (own.visibility !== 'visible') return 'visibility';
    const rect = el.getBoundingClientRect();
    if (rect.width < 6 || rect.height < 6) return 'size';
    if (own.clip && own.clip !== 'auto' && /rect\(/.test(own.clip)) return 'clipped';

    // Opacity and clipping up the composed chain.
    let visibleBox = { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
    for (let a = el, d = doc; a; ) {
      const w = a.ownerDocument.defaultView;
      const cs = w.getComputedStyle(a);
      if (parseFloat(cs.opacity) <= 0.1) return 'opacity';
      if (cs.display === 'none') return 'display';
      if (a !== el && a.ownerDocument === doc && cs.overflow !== 'visible' && a !== doc.documentElement && a !== doc.body) {
        const r = a.getBoundingClientRect();
        visibleBox = {
          left: Math.max(visibleBox.left, r.left), top: Math.max(visibleBox.top, r.top),
          right: Math.min(visibleBox.right, r.right), bottom: Math.min(visibleBox.bottom, r.bottom),
        };
        if (visibleBox.right - visibleBox.left < 6 || visibleBox.bottom - visibleBox.top < 6) return 'clipped';
      }
      if (a !== el && cs.clipPath && cs.clipPath !== 'none' && /inset\(\s*50%|circle\(\s*0|polygon\(\s*0/.test(cs.clipPath)) return 'clipped';
      d = a.ownerDocument;
      a = composedParent(a);
    }

    // Outside the page: left of or above the document, or beyond its end.
    const sx = win.scrollX, sy = win.scrollY;
    const se = doc.scrollingElement || doc.documentElement;
    if (rect.right + sx <= 0 || rect.bottom + sy <= 0) return 'offscreen';
    if (rect.left + sx >= Math.max(se.scrollWidth, win.innerWidth) || rect.top + sy >= Math.max(se.scrollHeight, win.innerHeight)) {
      return 'offscreen';
    }

    // Covered: hit-test the centre when it is in the viewport.
    const cx = (visibleBox.left + visibleBox.right) / 2;
    const cy = (visibleBox.top + visibleBox.bottom) / 2;
    if (cx >= 0 && cy >= 0 && cx < win.innerWidth && cy < win.innerHeight) {
      const rootNode = el.getRootNode();
      const hit = (rootNode.elementFromPoint ? rootNode : doc).elementFromPoint(cx, cy);
      if (!hit) return 'covered';
      if (hit !== el && !el.contains(hit) && !labelOf(hit, el)) return 'covered';
    }
    return null;
  }

  function labelOf(hit, el) {
    const label = hit.closest && hit.closest('label');
    return !!label && (label.control === el || label.contains(el));
  }

  function isVisible(el) {
    return hiddenReason(el) === null;
  }

  // ---------------------------------------------------------------------------
  // Classification

  // role returns what an input is for: 'username', 'current' / 'new'
  // (passwords), 'otp', or null for anything else (search boxes, honeypots,
  // names, messages...).
  function role(el) {
    const type = String(el.type || '').toLowerCase();
    if (!TEXTY.has(type) || el.disabled || el.readOnly) return null;
    const ac = autocomplete(el);
    const text = attrText(el);
    if (HONEYPOT_RE.test(el.name || '') || HONEYPOT_RE.test(el.id || '')) return null;
    if (ac.includes('one-time-code')) return 'otp';
    if (type === 'password') {
      if (ac.includes('new-password')) return 'new';
      if (ac.includes('current-password')) return 'current';
      return NEW_RE.test(text) ? 'new' : 'current';
    }
    if (type === 'search' || el.closest('[role=search]') || (SEARCH_RE.test(el.name || '') || SEARCH_RE.test(el.id || ''))) return null;
    if (ac.includes('username') || ac.includes('email') || ac.includes('webauthn')) return 'username';
    if (OTP_RE.test(text) && type !== 'email') return 'otp';
    if (el.maxLength === 1 && /^(tel|number|text|)$/.test(type) && (el.inputMode === 'numeric' || type === 'tel' || type === 'number' || splitSiblings(el) >= 4)) {
      return 'otp';
    }
    if (type === 'email' || USER_RE.test(text)) return 'username';
    return null;
  }

  // splitSiblings counts single-character inputs sharing el's parent or
  // grandparent: a one-time code split into several boxes.
  function splitSiblings(el) {
    const box = el.parentElement && (el.parentElement.querySelectorAll('input').length > 1 ? el.parentElement : el.parentElement.parentElement);
    if (!box) return 0;
    let n = 0;
    for (const i of box.querySelectorAll('input')) if (i.maxLength === 1) n++;
    return n;
  }

  // groupKey: the form, or for formless fields their nearest common
  // container in the same root (document or shadow root).
  function groupOf(el) {
    if (el.form) return el.form;
    return el.closest('[role=form],dialog,[popover]') || el.getRootNode();
  }

  function formText(group) {
    if (!group || !group.querySelectorAll) return '';
    const parts = [];
    if (group.id) parts.push(group.id);
    if (group.className && typeof group.className === 'string') parts.push(group.className);
    if (group.getAttribute && group.getAttribute('action')) parts.push(group.getAttribute('action'));
    for (const b of group.querySelectorAll('button,input[type=submit],h1,h2,h3,legend,label')) {
      parts.push(b.textContent || b.value || '');
    }
    return parts.join(' ').slice(0, 2000);
  }

  // findGroups returns the fillable groups under rootNode:
  //   {kind, container, username, current, news: [..], otp: [..], action}
  // kind is 'login' (a password, maybe a username), 'username' (a username
  // step), 'password' (a password step), 'signup' (new-password fields; a
  // change-password form also has current), or 'otp'.
  function findGroups(rootNode, opts = {}) {
    const visible = opts.visible || isVisible;
    const byGroup = new Map();
    for (const el of collectInputs(rootNode)) {
      const r = role(el);
      if (!r) {
        // Other visible inputs (a name, a message) tell a contact or
        // newsletter form from a username step.
        if (String(el.type).toLowerCase() !== 'hidden' && TEXTY.has(String(el.type).toLowerCase())) {
          const g = groupOf(el);
          if (!byGroup.has(g)) byGroup.set(g, { els: [], others: 0 });
          if (visible(el)) byGroup.get(g).others++;
        }
        continue;
      }
      if (!visible(el)) continue;
      const g = groupOf(el);
      if (!byGroup.has(g)) byGroup.set(g, { els: [], others: 0 });
      byGroup.get(g).els.push({ el, role: r });
    }
    const groups = [];
    for (const [container, { els, others }] of byGroup) {
      if (!els.length) continue;
      const passwords = els.filter((x) => x.role === 'current' || x.role === 'new');
      const otp = els.filter((x) => x.role === 'otp').map((x) => x.el);
      const users = els.filter((x) => x.role === 'username').map((x) => x.el);
      const text = formText(container);
      const g = {
        kind: null,
        container,
        username: null,
        current: null,
        news: [],
        otp: [],
        action: container && container.tagName === 'FORM' ? container.action : '',
      };
      // The username is the last username-like field before the first
      // password (or the only one).
      const firstPw = passwords.length ? passwords[0].el : null;
      for (const u of users) {
        if (!firstPw || (u.compareDocumentPosition(firstPw) & Node.DOCUMENT_POSITION_FOLLOWING)) g.username = u;
      }
      if (!g.username && users.length) g.username = users[0];
      if (passwords.length) {
        const news = passwords.filter((p) => p.role === 'new').map((p) => p.el);
        const currents = passwords.filter((p) => p.role === 'current').map((p) => p.el);
        if (news.length || currents.length >= 2) {
          g.kind = 'signup';
          // With three passwords and none marked, the first is the current one.
          if (!news.length) {
            g.current = currents.length >= 3 ? currents[0] : null;
            g.news = currents.length >= 3 ? currents.slice(1) : currents;
          } else {
            g.news = news;
            g.current = currents[0] || null;
          }
        } else {
          g.kind = g.username ? 'login' : 'password';
          g.current = currents[0];
        }
      } else if (otp.length) {
        g.kind = 'otp';
        g.otp = otp;
        g.username = null;
      } else if (g.username) {
        // A lone username field: a sign-in's first step, unless the form
        // is a search, a newsletter or has other fields to fill.
        if (users.length !== 1 || others > 0 || NEWSLETTER_RE.test(text) || SEARCH_RE.test(container.id || '')) continue;
        if (!(autocomplete(g.username).includes('username') || autocomplete(g.username).includes('webauthn') || USER_RE.test(attrText(g.username)) || USER_RE.test(text))) continue;
        g.kind = 'username';
      } else {
        continue;
      }
      if (g.kind === 'login' && NEWSLETTER_RE.test(text) && !passwords.length) continue;
      groups.push(g);
    }
    return groups;
  }

  // fields lists the inputs of a group in the order they would be filled.
  function fields(g) {
    return [g.username, g.current, ...g.news, ...g.otp].filter(Boolean);
  }

  // describe is a plain summary of a group, for tests and for messages
  // (never any value).
  function describe(g) {
    const name = (el) => (el ? el.id || el.name || el.type : null);
    return {
      kind: g.kind,
      username: name(g.username),
      current: name(g.current),
      news: g.news.map(name),
      otp: g.otp.map(name),
    };
  }

  root.WWDetect = Object.freeze({ findGroups, role, hiddenReason, isVisible, fields, describe, collectInputs, composedParent });
})(typeof globalThis !== 'undefined' ? globalThis : self);
