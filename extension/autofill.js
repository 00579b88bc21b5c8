// Autofill in the background: the handlers behind the content script, the
// inline suggestion, the save prompt, the popup's Fill button and the
// keyboard command.
//
// Loaded before background.js (importScripts in Chrome's worker, the
// manifest's background scripts in Firefox); background.js adds
// autofill.handlers to its one handler table and calls back into the
// functions it defines (unlockedCall, handleEntryGet, handleEntrySave, ...)
// only when a message arrives.
//
// Every decision about whether a login may be offered or filled is the
// core's (matchDecide). The frame it is asked about is what the browser
// reported: sender.url, sender.origin, sender.frameId and the tab's URL;
// nothing a page or a content script says about its own origin is used.
// A fill happens only after a gesture — a click in the inline suggestion that
// the content script verified was not clickjacked, the popup's Fill button,
// or the keyboard command — and only into the frame and form that gesture
// chose.
'use strict';

(function (root) {
  const api = root.chrome;
  // The overlay pages; they answer only for the tab they were opened in.
  const PAGES = ['/content/suggest.html', '/content/savebar.html'];
  const COMMAND_FILL = 'fill-login';
  // How long frames have to answer a fill gesture, and how long a sign-in
  // submit waits for its save prompt.
  const GESTURE_WAIT_MS = 150;
  const SAVE_PROMPT_TTL_MS = 2 * 60 * 1000;
  const SESSION_TTL_MS = 10 * 60 * 1000;
  const SESSIONS_PER_FRAME = 8;
  const GENERATED = 'generated';
  const GENERATE_OPTIONS = { kind: 'password', length: 20, lower: true, upper: true, digits: true, symbols: true };

  const W = () => root.WW;

  // ---------------------------------------------------------------------------
  // The core's view of the vault's logins

  // The core keeps an index of the logins (id, name, username, URLs; never
  // a password) keyed by site, built once per unlocked vault. The sync
  // engine's writes are not reloaded one by one: the ids of the entry
  // records written since are patched in (syncMatchPatch, one entry each)
  // when a frame is next asked about, so a burst of saves costs nothing
  // until then and a whole vault is opened only when the vault itself
  // changed (unlocked, restarted, another vault).
  const ENTRY_RECORD = /^ww\/[^/]+\/e\/(.+)$/;
  const PATCH_MAX = 2000; // beyond this many changed entries a full load is as quick
  let loaded = null; // {core, ns} the core's index was built for
  let loading = null;
  let changed = new Set(); // entry ids written since the index was built or patched
  let stale = false; // the vault header changed: build the index again

  api.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local' || (!loaded && !loading)) return; // no index yet: the first load reads it all
    for (const k of Object.keys(changes)) {
      const m = ENTRY_RECORD.exec(k);
      if (m) changed.add(m[1]);
      else if (k.startsWith('vault/')) stale = true;
    }
  });

  async function ensureLoaded(force) {
    while (loading) await loading;
    const ns = await needNamespace();
    const core = await startCore();
    const whole = force || stale || !loaded || loaded.core !== core || loaded.ns !== ns || changed.size > PATCH_MAX;
    if (!whole && !changed.size) return;
    loading = (async () => {
      const ids = [...changed];
      changed = new Set();
      if (!whole) {
        try {
          await unlockedCall('syncMatchPatch', JSON.stringify(ids));
          return;
        } catch (err) {
          if (W().toError(err).code !== W().CODE.NOT_FOUND) throw err;
          // The core was restarted or re-armed: load it whole.
        }
      }
      loaded = null;
      stale = false;
      // The core builds the index from its sync engine's copy of the vault.
      await unlockedCall('syncMatchLoad');
      loaded = { core: await startCore(), ns };
    })();
    try {
      await loading;
    } finally {
      loading = null;
    }
  }

  // decide asks the core about a frame: {refused?, matches: [...]}. With the
  // index loaded and nothing changed since, it is one call into the core's
  // in-memory index: the core itself answers locked or not_found when its
  // vault was locked or replaced, and only then is the slow path taken.
  async function decide(frame, consent, ids) {
    const req = JSON.stringify({ frame, consent: consent || {}, ...(ids ? { ids } : {}) });
    if (loaded && !loading && !stale && !changed.size) {
      try {
        return await fastCall('matchDecide', req);
      } catch (err) {
        const code = W().toError(err).code;
        if (code !== W().CODE.NOT_FOUND && code !== W().CODE.LOCKED) throw err;
      }
    }
    await ensureLoaded(false);
    try {
      return await unlockedCall('matchDecide', req);
    } catch (err) {
      // A restarted or re-armed core has not loaded the logins yet.
      if (W().toError(err).code !== W().CODE.NOT_FOUND) throw err;
      await ensureLoaded(true);
      return unlockedCall('matchDecide', req);
    }
  }

  // fastCall calls the running core when it is the one the index was built
  // in; anything else takes the slow path.
  async function fastCall(method, arg) {
    const core = await startCore();
    if (!loaded || loaded.core !== core) throw new (W().WatchwordError)(W().CODE.NOT_FOUND, 'The core was restarted.');
    try {
      return await core[method](arg);
    } catch (err) {
      throw W().toError(err);
    }
  }

  // frameOf describes the sender's frame from what the browser reported. A
  // content script may only make it stricter (it reports a sandboxed
  // document where the browser does not say).
  function frameOf(sender, msg) {
    const url = String(sender.url || '');
    const topUrl = sender.frameId === 0 ? url : String((sender.tab && sender.tab.url) || '');
    return {
      url,
      topUrl,
      sandboxed: sender.origin === 'null' || (msg && msg.sandboxed === true),
      srcdoc: url === 'about:srcdoc',
      formAction: msg && typeof msg.action === 'string' ? msg.action : '',
    };
  }

  function randomId() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // ---------------------------------------------------------------------------
  // Sessions: one per inline suggestion or save prompt shown

  const sessions = new Map();
  // The content script's suggestion iframe is named by a random slot; the
  // newest suggestion session made for it is what it shows.
  const SLOT = /^[0-9a-f]{32}$/;
  const slots = new Map(); // slot → session id

  function newSession(s) {
    const now = Date.now();
    // A frame keeps its newest suggestions only: a page that keeps changing
    // its forms (each prepares one) cannot pile them up.
    const mine = [...sessions.values()].filter((old) => old.kind === s.kind && old.tabId === s.tabId && old.frameId === s.frameId);
    for (const old of mine.slice(0, Math.max(0, mine.length - SESSIONS_PER_FRAME + 1))) sessions.delete(old.id);
    for (const [id, old] of sessions) if (now - old.created > SESSION_TTL_MS) sessions.delete(id);
    for (const [slot, id] of slots) if (!sessions.has(id)) slots.delete(slot);
    const id = randomId();
    sessions.set(id, { ...s, id, created: now, consent: {} });
    return id;
  }

  // overlaySession returns the session a suggestion or save-prompt page asks
  // about, checking that the page is ours and in the session's tab.
  function overlaySession(msg, sender, kind) {
    let path = '';
    try {
      const u = new URL(sender.url);
      if (u.protocol === 'chrome-extension:' || u.protocol === 'moz-extension:') path = u.pathname;
    } catch {
      /* not a URL */
    }
    const s = typeof msg.session === 'string' ? sessions.get(msg.session) : null;
    if (!PAGES.includes(path) || !s || s.kind !== kind || !sender.tab || sender.tab.id !== s.tabId) {
      throw new (W().WatchwordError)(W().CODE.FORBIDDEN, 'Not allowed from here.');
    }
    return s;
  }

  function sendToFrame(tabId, frameId, msg) {
    return api.tabs.sendMessage(tabId, msg, { frameId }).catch(() => null);
  }

  // verify asks the content script that showed the overlay whether a click
  // at (x, y) in it can be trusted (see checkHost in content/content.js).
  async function verify(s, x, y) {
    const res = await sendToFrame(s.tabId, s.frameId, { type: 'bg-cs-verify', session: s.id, x, y });
    if (!res || !res.ok) {
      sessions.delete(s.id);
      return (res && res.reason) || 'gone';
    }
    return '';
  }

  // consentFor turns the confirmation the person gave into the consent for
  // exactly what was named to them.
  function consentFor(confirm) {
    if (!confirm) return {};
    switch (confirm.reason) {
      case 'insecure_page':
        return { insecure: true };
      case 'cross_origin_frame':
        return { frameOrigin: confirm.origin };
      case 'form_action':
        return { formAction: true };
    }
    return {};
  }

  // ---------------------------------------------------------------------------
  // Filling

  async function generated() {
    return (await handleGenerate({ options: GENERATE_OPTIONS })).password;
  }

  // fill decides for one entry (or a generated password) in a frame and, when
  // allowed, hands the values to that frame's content script for the form
  // the gesture chose (target: {session} or {token}).
  async function fill({ tabId, frameId, frame, kind, id, consent, target }) {
    const values = {};
    if (id === GENERATED) {
      if (kind !== 'signup') return { refused: 'not_signup' };
      const d = await decide(frame, consent, []);
      if (d.refused) return { refused: d.refused };
      values.generated = await generated();
    } else {
      if (typeof id !== 'string' || !id) return { refused: 'no_match' };
      const d = await decide(frame, consent, [id]);
      const m = d.matches[0];
      if (d.refused || !m) return { refused: d.refused || 'no_match' };
      if (m.verdict === 'confirm') return { confirm: { reason: m.reason, origin: m.origin } };
      if (m.verdict !== 'allow') return { refused: m.reason || 'no_match' };
      if (kind === 'otp') {
        values.otp = (await handleTotp({ id })).code;
      } else {
        const entry = await handleEntryGet({ id });
        const f = entry.fields || {};
        values.username = f.username || '';
        values.password = f.password || '';
        if (kind === 'signup') values.generated = await generated();
      }
    }
    const res = await sendToFrame(tabId, frameId, { type: 'bg-cs-fill', ...target, values });
    return { filled: (res && res.filled) || 0 };
  }

  // A fill gesture from the popup or the keyboard: every frame of the tab
  // with a fillable form answers (cs-bg-target); the focused one wins, then
  // the top frame, then the first to answer.
  const gestures = new Map();

  async function collectTarget(tabId) {
    const token = randomId();
    const answers = [];
    gestures.set(token, { tabId, answers });
    api.tabs.sendMessage(tabId, { type: 'bg-cs-gesture', token }).catch(() => {});
    await new Promise((r) => setTimeout(r, GESTURE_WAIT_MS));
    gestures.delete(token);
    const pick = answers.find((a) => a.focused) || answers.find((a) => a.frameId === 0) || answers[0];
    return pick ? { ...pick, token } : null;
  }

  function handleTarget(msg, sender) {
    const g = typeof msg.token === 'string' ? gestures.get(msg.token) : null;
    if (!g || !sender.tab || sender.tab.id !== g.tabId) return;
    g.answers.push({
      frameId: sender.frameId,
      frame: frameOf(sender, msg),
      kind: String(msg.kind || ''),
      focused: msg.focused === true,
    });
  }

  // firstMatch picks the entry a gesture without a choice fills: the first
  // allowed one, else the first that needs a confirmation.
  async function firstMatch(t) {
    const d = await decide(t.frame, {});
    if (d.refused) return { refused: d.refused };
    const m = d.matches.find((x) => x.verdict === 'allow') || d.matches.find((x) => x.verdict === 'confirm');
    return m ? { id: m.id } : { refused: 'no_match' };
  }

  // ui-bg-fill {tabId, id?, consent?}: the popup's Fill button. The popup
  // shows a confirmation itself and sends back the consent it got.
  async function handleFill(msg) {
    const tabId = Number(msg.tabId);
    if (!Number.isInteger(tabId)) throw new (W().WatchwordError)(W().CODE.BAD_REQUEST, 'No tab given.');
    const t = await collectTarget(tabId);
    if (!t) return { filled: 0, refused: 'no_form' };
    let id = msg.id;
    if (!id) {
      const m = await firstMatch(t);
      if (m.refused) return { filled: 0, refused: m.refused };
      id = m.id;
    }
    const c = msg.consent && typeof msg.consent === 'object' ? msg.consent : {};
    const consent = {
      insecure: c.insecure === true,
      frameOrigin: typeof c.frameOrigin === 'string' ? c.frameOrigin : '',
      formAction: c.formAction === true,
    };
    return fill({ tabId, frameId: t.frameId, frame: t.frame, kind: t.kind, id, consent, target: { token: t.token } });
  }

  // ui-bg-fill-matches {tabId}: what the popup's Fill buttons offer. The
  // tab's frames answer as they do for a fill, and the core decides for the
  // frame a fill would choose; the popup lists the entries it may fill there
  // (with the confirmation each needs) and never decides anything itself.
  async function handleFillMatches(msg) {
    const tabId = Number(msg.tabId);
    if (!Number.isInteger(tabId)) throw new (W().WatchwordError)(W().CODE.BAD_REQUEST, 'No tab given.');
    const t = await collectTarget(tabId);
    if (!t) return { matches: [], refused: 'no_form' };
    const d = await decide(t.frame, {});
    if (d.refused) return { matches: [], refused: d.refused };
    const matches = d.matches
      .filter((m) => m.verdict !== 'refuse')
      .map((m) => ({ id: m.id, name: m.name, username: m.username, confirm: m.verdict === 'confirm' ? { reason: m.reason, origin: m.origin } : null }));
    return { matches, kind: t.kind };
  }

  // fillCommand runs the keyboard command in a tab. When the fill needs a
  // confirmation, the inline suggestion opens on the chosen form to ask.
  async function fillCommand(tabId) {
    const t = await collectTarget(tabId);
    if (!t) return { filled: 0, refused: 'no_form' };
    const m = await firstMatch(t);
    if (m.refused) return { filled: 0, refused: m.refused };
    const res = await fill({ tabId, frameId: t.frameId, frame: t.frame, kind: t.kind, id: m.id, consent: {}, target: { token: t.token } });
    if (res.confirm) await sendToFrame(tabId, t.frameId, { type: 'bg-cs-suggest', token: t.token });
    return res;
  }

  if (api.commands && api.commands.onCommand) {
    api.commands.onCommand.addListener((command, tab) => {
      if (command === COMMAND_FILL && tab && Number.isInteger(tab.id)) fillCommand(tab.id).catch(() => {});
    });
  }

  // ---------------------------------------------------------------------------
  // Content-script handlers

  function lockedOr(err, value) {
    const e = W().toError(err);
    if ([W().CODE.LOCKED, W().CODE.BAD_REQUEST].includes(e.code)) return value;
    throw e;
  }

  // suggestion makes an inline suggestion's session for a form of the
  // sender's frame ({kind, action, sandboxed, mode, slot}) from the core's
  // decision, and sends what it lists to the suggestion iframe named by
  // slot. It answers {session, rows}, or {session: null} when there is
  // nothing to offer.
  function suggestion(msg, sender, frame, d) {
    const kind = String(msg.kind || '');
    if (d.refused) return { session: null };
    const items = d.matches.filter((m) => m.verdict !== 'refuse');
    const rows = items.length + (kind === 'signup' ? 1 : 0);
    if (!rows) return { session: null };
    const slot = typeof msg.slot === 'string' && SLOT.test(msg.slot) ? msg.slot : '';
    const session = newSession({
      kind: 'suggest', tabId: sender.tab.id, frameId: sender.frameId, frame, formKind: kind,
      mode: msg.mode === 'confirm' ? 'confirm' : '', items, slot,
    });
    if (slot) {
      slots.set(slot, session);
      // Every extension page gets it; only the iframe named by slot (in
      // this tab: ui-bg-suggest-slot checks) shows it.
      const view = suggestView(sessions.get(session));
      Promise.resolve(api.runtime.sendMessage({ type: W().MSG.BG_UI_SUGGEST, slot, session, view })).catch(() => {});
    }
    return { session, rows };
  }

  // cs-bg-forms {kinds, sandboxed, kind, action, slot}: a frame found login
  // fields. The answer says how many logins could be offered there and, when
  // there are any, carries the session of a suggestion prepared for the
  // first form (kind, action) — shown without asking again when one of its
  // fields is focused.
  async function handleForms(msg, sender) {
    const frame = frameOf(sender, msg);
    let d;
    try {
      d = await decide(frame, {});
    } catch (err) {
      return lockedOr(err, { count: 0, locked: true });
    }
    const count = d.refused ? 0 : d.matches.filter((m) => m.verdict !== 'refuse').length;
    if (!count || !msg.slot) return { count };
    return { count, ...suggestion(msg, sender, frame, d) };
  }

  // cs-bg-suggest {kind, action, sandboxed, mode, slot}: open an inline
  // suggestion for a field of this frame.
  async function handleSuggest(msg, sender) {
    const frame = frameOf(sender, msg);
    let d;
    try {
      d = await decide(frame, {});
    } catch (err) {
      return lockedOr(err, { session: null });
    }
    return suggestion(msg, sender, frame, d);
  }

  // cs-bg-submit {kind, username, password}: a sign-in or sign-up form was
  // submitted. A save (new login) or update (changed password) prompt is
  // kept for the page the tab shows next.
  function handleSubmit(msg, sender) {
    // The page that follows a submit asks for its prompt at once, maybe
    // before this has decided (the core may be busy): it waits for this.
    const tabId = sender.tab && sender.tab.id;
    const work = submitted(msg, sender);
    if (tabId === undefined) return work;
    const done = work.catch(() => null);
    submitting.set(tabId, done);
    done.then(() => {
      if (submitting.get(tabId) === done) submitting.delete(tabId);
    });
    return work;
  }

  const submitting = new Map(); // tabId → the submit being decided
  const SUBMIT_WAIT_MS = 5000;

  async function submitted(msg, sender) {
    if (typeof msg.password !== 'string' || !msg.password || msg.password.length > 4096) return null;
    const username = typeof msg.username === 'string' ? msg.username.slice(0, 1024) : '';
    const frame = frameOf(sender, {});
    let d;
    try {
      d = await decide(frame, {});
    } catch (err) {
      return lockedOr(err, null);
    }
    if (d.refused) return null;
    let updateId = null;
    for (const m of d.matches) {
      if (m.verdict !== 'allow' || m.username !== username) continue;
      const entry = await handleEntryGet({ id: m.id });
      if ((entry.fields || {}).password === msg.password) return null; // nothing new
      updateId = m.id;
      break;
    }
    let origin;
    try {
      origin = new URL(frame.url).origin;
    } catch {
      return null;
    }
    pendingSaves.set(sender.tab.id, { origin, username, password: msg.password, updateId, at: Date.now() });
    return null;
  }

  const pendingSaves = new Map(); // tabId → the credentials waiting for a prompt

  // cs-bg-pending: the top frame of a tab asks whether a save prompt is due.
  async function handlePending(msg, sender) {
    if (sender.frameId !== 0) return null;
    const deciding = submitting.get(sender.tab.id);
    if (deciding) await Promise.race([deciding, new Promise((r) => setTimeout(r, SUBMIT_WAIT_MS))]);
    const p = pendingSaves.get(sender.tab.id);
    if (!p || Date.now() - p.at > SAVE_PROMPT_TTL_MS) return null;
    pendingSaves.delete(sender.tab.id);
    return { session: newSession({ kind: 'save', tabId: sender.tab.id, frameId: 0, save: p }) };
  }

  // ---------------------------------------------------------------------------
  // Overlay-page handlers

  // suggestView is what a suggestion lists: the list decided when it was
  // opened (moments ago); the pick decides again for the one entry chosen.
  function suggestView(s) {
    const items = s.items
      .map((m) => ({ id: m.id, name: m.name, username: m.username, confirm: m.verdict === 'confirm' ? { reason: m.reason, origin: m.origin } : null }));
    return { kind: s.formKind, items, generated: s.formKind === 'signup', mode: s.mode };
  }

  // ui-bg-suggest-get {session}: what the suggestion lists.
  async function handleSuggestGet(msg, sender) {
    return suggestView(overlaySession(msg, sender, 'suggest'));
  }

  // ui-bg-suggest-slot {slot}: the suggestion iframe named by slot loaded
  // after its session was made; it gets the session and its view.
  async function handleSuggestSlot(msg, sender) {
    const id = typeof msg.slot === 'string' && SLOT.test(msg.slot) ? slots.get(msg.slot) : null;
    if (!id || !sessions.has(id)) return null;
    const s = overlaySession({ session: id }, sender, 'suggest');
    return { session: s.id, view: suggestView(s) };
  }

  // ui-bg-suggest-pick {session, id, x, y, confirmed}: a click in the
  // suggestion. confirmed says the person agreed to the confirmation this
  // session showed last.
  async function handleSuggestPick(msg, sender) {
    const s = overlaySession(msg, sender, 'suggest');
    const why = await verify(s, Number(msg.x), Number(msg.y));
    if (why) return { closed: why };
    if (msg.confirmed === true && s.confirm) {
      Object.assign(s.consent, consentFor(s.confirm));
      s.confirm = null;
    }
    const res = await fill({
      tabId: s.tabId, frameId: s.frameId, frame: s.frame, kind: s.formKind,
      id: msg.id, consent: s.consent, target: { session: s.id },
    });
    if (res.confirm) s.confirm = res.confirm;
    else sessions.delete(s.id);
    return res;
  }

  // ui-bg-save-get {session}: what the save prompt shows.
  function handleSaveGet(msg, sender) {
    const s = overlaySession(msg, sender, 'save');
    return { origin: s.save.origin, username: s.save.username, update: !!s.save.updateId };
  }

  // ui-bg-save-answer {session, save, x, y}
  async function handleSaveAnswer(msg, sender) {
    const s = overlaySession(msg, sender, 'save');
    if (msg.save !== true) {
      sessions.delete(s.id);
      await sendToFrame(s.tabId, 0, { type: 'bg-cs-close', session: s.id });
      return { saved: null };
    }
    const why = await verify(s, Number(msg.x), Number(msg.y));
    if (why) return { closed: why };
    sessions.delete(s.id);
    const p = s.save;
    const entry = p.updateId
      ? { id: p.updateId, type: 'login', fields: { password: p.password } }
      : {
        type: 'login',
        fields: { name: new URL(p.origin).hostname, username: p.username, password: p.password, urls: [{ url: p.origin + '/', match: 'domain' }] },
      };
    const res = await handleEntrySave({ entry });
    await sendToFrame(s.tabId, 0, { type: 'bg-cs-close', session: s.id });
    return { saved: res.id, updated: !!p.updateId };
  }

  const M = W().MSG;
  const handlers = {
    [M.CS_BG_FORMS]: { from: 'cs', fn: handleForms },
    [M.CS_BG_SUGGEST]: { from: 'cs', fn: handleSuggest },
    [M.CS_BG_TARGET]: { from: 'cs', fn: handleTarget },
    [M.CS_BG_SUBMIT]: { from: 'cs', fn: handleSubmit },
    [M.CS_BG_PENDING]: { from: 'cs', fn: handlePending },
    // The overlay pages are extension frames inside a tab: the table's
    // content-script check applies (our id, a tab, a frame id) and each
    // handler then checks the page and the session's tab.
    [M.UI_BG_SUGGEST_GET]: { from: 'cs', fn: handleSuggestGet },
    [M.UI_BG_SUGGEST_SLOT]: { from: 'cs', fn: handleSuggestSlot },
    [M.UI_BG_SUGGEST_PICK]: { from: 'cs', fn: handleSuggestPick },
    [M.UI_BG_SAVE_GET]: { from: 'cs', fn: handleSaveGet },
    [M.UI_BG_SAVE_ANSWER]: { from: 'cs', fn: handleSaveAnswer },
    [M.UI_BG_FILL]: { from: 'ui', fn: handleFill },
    [M.UI_BG_FILL_MATCHES]: { from: 'ui', fn: handleFillMatches },
  };

  root.autofill = Object.freeze({ handlers, fillCommand });
})(globalThis);
