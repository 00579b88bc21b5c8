// The save prompt shown after a sign-in with new or changed credentials.
'use strict';

(function () {
  const { MSG } = globalThis.WW;
  const { ask, shown, clickable, ready } = globalThis.Overlay;
  const $ = (id) => document.getElementById(id);

  async function answer(e, save) {
    if (!clickable(e)) return;
    const res = await ask(MSG.UI_BG_SAVE_ANSWER, { save, x: e.clientX, y: e.clientY });
    if (!res.ok) $('status').textContent = res.error.message;
    else if (res.value && res.value.closed) $('status').textContent = 'Closed: something on the page changed.';
  }

  async function load() {
    const res = await ask(MSG.UI_BG_SAVE_GET, {});
    if (!res.ok) {
      $('question').textContent = res.error.message;
      return;
    }
    const v = res.value;
    $('question').textContent = v.update ? 'Update the saved password?' : 'Save this login in Watchword?';
    $('who').textContent = `${v.username || '(no username)'} on ${v.origin}`;
    $('save').textContent = v.update ? 'Update' : 'Save';
    $('save').addEventListener('click', (e) => answer(e, true));
    $('dismiss').addEventListener('click', (e) => answer(e, false));
    shown();
    ready();
  }

  load();
})();
