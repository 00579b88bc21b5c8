// Clipboard clearing for a copied secret, in a page that has a document:
// Chrome's offscreen document (offscreen.html; a service worker has no
// clipboard) and Firefox's background page.
//
// The clipboard is cleared only if it still holds what Watchword copied:
// the popup hands over a SHA-256 digest of the copied text (never the text),
// and whatever the user copied since is left alone.
'use strict';

(function (root) {
  // digest returns the lower-case hex SHA-256 of text's UTF-8 bytes.
  async function digest(text) {
    const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
    return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // read returns the clipboard's text. execCommand('paste') works in these
  // documents with the clipboardRead permission, where navigator.clipboard
  // needs a focused page.
  async function read() {
    const ta = document.createElement('textarea');
    document.body.append(ta);
    try {
      ta.focus();
      if (document.execCommand('paste')) return ta.value;
    } finally {
      ta.remove();
    }
    return navigator.clipboard.readText();
  }

  // empty replaces the clipboard's contents with the empty string.
  function empty() {
    const onCopy = (ev) => {
      ev.clipboardData.setData('text/plain', '');
      ev.preventDefault();
    };
    document.addEventListener('copy', onCopy);
    try {
      return document.execCommand('copy');
    } finally {
      document.removeEventListener('copy', onCopy);
    }
  }

  // clearIfStill empties the clipboard when it still holds the text whose
  // digest is want. It answers what it found: 'cleared', 'changed' (the
  // user copied something else since) or 'empty'.
  async function clearIfStill(want) {
    const now = await read();
    if (!now) return 'empty';
    if ((await digest(now)) !== want) return 'changed';
    if (!empty()) throw new Error('the clipboard could not be written');
    return 'cleared';
  }

  root.WWClipboard = Object.freeze({ digest, clearIfStill });
})(globalThis);
