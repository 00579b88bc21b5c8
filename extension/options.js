// Watchword options: which server to sync with. Talking to a server other
// than this computer needs its host permission, asked for here (the request
// must come from a click on an extension page).
'use strict';

const { MSG } = globalThis.WW;
const LOCAL_SERVER = 'http://127.0.0.1:8080';

const form = document.getElementById('form');
const input = document.getElementById('server');
const errorBox = document.getElementById('error');
const savedBox = document.getElementById('saved');

function show(box, text) {
  box.textContent = text;
  box.hidden = false;
}

async function send(type, payload = {}) {
  const res = await chrome.runtime.sendMessage({ type, ...payload });
  if (!res || !res.ok) throw (res && res.error) || { message: 'Watchword did not answer. Try again.' };
  return res.value;
}

async function save(address) {
  errorBox.hidden = true;
  savedBox.hidden = true;
  let origin;
  try {
    origin = new URL(address).origin;
  } catch {
    return show(errorBox, 'Enter the server address, like https://vault.example.org.');
  }
  // Loopback servers are covered by the manifest's host permissions; any
  // other server needs the user's consent first.
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin);
  if (!loopback) {
    const granted = await chrome.permissions.request({ origins: [`${origin}/*`] }).catch(() => false);
    if (!granted) return show(errorBox, 'Watchword needs your permission to talk to that server.');
  }
  try {
    const state = await send(MSG.UI_BG_SETTINGS_SET, { settings: { serverUrl: origin } });
    input.value = state.settings.serverUrl;
    show(savedBox, `Saved. Watchword now syncs with ${state.settings.serverUrl}.`);
  } catch (e) {
    show(errorBox, e.message || 'That address could not be saved.');
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  save(input.value.trim());
});
document.getElementById('reset').addEventListener('click', () => save(LOCAL_SERVER));

send(MSG.UI_BG_STATE).then((s) => {
  input.value = s.settings.serverUrl;
}, (e) => show(errorBox, e.message || 'Watchword did not answer.'));
