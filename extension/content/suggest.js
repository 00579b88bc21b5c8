// The inline suggestion: the logins that match the field's frame, a
// generated password on sign-up forms, and the confirmation the core asks
// for (a cross-origin frame, an http page, a form posting to another site).
//
// The content script makes this iframe once, hidden, named by a random slot;
// the background sends it each suggestion's session and list (bg-ui-suggest)
// when the content script asks for one, and answers ui-bg-suggest-slot when
// the iframe loads after that, so showing it costs no round trip of its own.
'use strict';

(function () {
  const { MSG } = globalThis.WW;
  const { ask, shown, clickable, el, ready, slot, setSession } = globalThis.Overlay;
  let current = ''; // the session shown
  const list = document.getElementById('list');

  const REASONS = {
    cross_origin_frame: (o) => `This form is inside a frame from ${o}. Fill it anyway?`,
    insecure_page: (o) => `${o} is not secure (http). Your login was saved for https. Fill it anyway?`,
    form_action: (o) => `This form sends what you type to ${o}. Fill it anyway?`,
  };

  function message(text) {
    list.replaceChildren(el('p', { className: 'muted', textContent: text }));
    shown();
    ready();
  }

  async function pick(e, id, confirmed) {
    if (!clickable(e)) return;
    const res = await ask(MSG.UI_BG_SUGGEST_PICK, { id, x: e.clientX, y: e.clientY, confirmed: !!confirmed });
    if (!res.ok) return message(res.error.message);
    const v = res.value || {};
    if (v.confirm) return confirmView(id, v.confirm);
    if (v.refused) return message('Watchword will not fill this form here.');
    if (v.closed) return message('Closed: something on the page changed.');
  }

  function confirmView(id, c) {
    const text = (REASONS[c.reason] || (() => 'Fill anyway?'))(c.origin);
    const yes = el('button', { type: 'button', className: 'primary', textContent: 'Fill anyway' });
    const no = el('button', { type: 'button', textContent: 'Cancel' });
    yes.dataset.action = 'confirm';
    yes.addEventListener('click', (e) => pick(e, id, true));
    no.addEventListener('click', (e) => {
      if (e.isTrusted) message('Nothing was filled.');
    });
    list.replaceChildren(el('p', { className: 'warn', textContent: text }), el('div', { className: 'buttons' }, yes, no));
    shown();
    ready();
  }

  function item(id, name, user) {
    const b = el('button', { type: 'button', className: 'item' },
      el('span', { className: 'name', textContent: name }),
      el('span', { className: 'user', textContent: user }));
    b.dataset.id = id;
    b.addEventListener('click', (e) => pick(e, id, false));
    return b;
  }

  function render(session, v) {
    if (!session || session === current) return;
    current = session;
    setSession(session);
    const rows = v.items.map((m) => item(m.id, m.name || m.username || 'Login', m.username || ''));
    if (v.generated) rows.push(item('generated', 'Use a generated password', 'A new strong password, saved after you sign up'));
    if (!rows.length) return message('No login for this page.');
    list.replaceChildren(...rows);
    shown();
    ready();
  }

  chrome.runtime.onMessage.addListener((msg, sender) => {
    if (!msg || msg.type !== MSG.BG_UI_SUGGEST || msg.slot !== slot || sender.id !== chrome.runtime.id || sender.tab) return false;
    render(String(msg.session || ''), msg.view);
    return false;
  });

  async function load() {
    const res = await ask(MSG.UI_BG_SUGGEST_SLOT, { slot });
    if (!res.ok) return message(res.error.message);
    if (res.value) render(res.value.session, res.value.view);
  }

  if (slot) load();
})();
