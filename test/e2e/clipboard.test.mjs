// Clipboard clearing in Chromium: the service worker has no clipboard, so it
// opens an offscreen document that empties the clipboard after the delay —
// only if it still holds what was copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPopup, send } from './harness.mjs';

// In the popup page (clipboardWrite and clipboardRead): put text on the
// clipboard, read it back, and the digest the popup hands the background.
const write = (page, text) => page.evaluate((t) => {
  const onCopy = (ev) => {
    ev.clipboardData.setData('text/plain', t);
    ev.preventDefault();
  };
  document.addEventListener('copy', onCopy);
  try {
    return document.execCommand('copy');
  } finally {
    document.removeEventListener('copy', onCopy);
  }
}, text);
const read = (page) => page.evaluate(() => {
  const ta = document.createElement('textarea');
  document.body.append(ta);
  ta.focus();
  document.execCommand('paste');
  const v = ta.value;
  ta.remove();
  return v;
});
const digest = (page, text) => page.evaluate(async (t) => {
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(t)));
  return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('');
}, text);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('the copied secret is cleared after the delay, and something copied since is left alone', async () => {
  const ext = await launchChromium();
  try {
    const page = await openPopup(ext);
    assert.ok(await write(page, 'hunter2-secret'), 'the popup page can write the clipboard');
    assert.equal(await read(page), 'hunter2-secret', 'the popup page can read the clipboard');

    await send(page, 'ui-bg-clipboard-clear', { after: 5, digest: await digest(page, 'hunter2-secret') });
    await sleep(2000);
    assert.equal(await read(page), 'hunter2-secret', 'not cleared before the delay');
    await sleep(4500);
    assert.equal(await read(page), '', 'cleared after the delay');
    assert.ok(!ext.browser.targets().some((t) => t.url().endsWith('/offscreen.html')), 'the offscreen document is closed again');

    await write(page, 'another-secret');
    await send(page, 'ui-bg-clipboard-clear', { after: 5, digest: await digest(page, 'another-secret') });
    await write(page, 'something the user copied');
    await sleep(6500);
    assert.equal(await read(page), 'something the user copied', 'a newer copy is left alone');

    await assert.rejects(send(page, 'ui-bg-clipboard-clear', { after: 5, digest: 'not a digest' }), /bad_request/);
    assert.deepEqual(page.errors, []);
  } finally {
    await ext.close();
  }
});
