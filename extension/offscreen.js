// The offscreen document's one job: clear the clipboard when the service
// worker asks and it still holds what Watchword copied (clipboard.js).
'use strict';

(function () {
  const { MSG, toError } = globalThis.WW;

  // Only this extension's service worker may ask: it is not a tab and not
  // another page of the extension.
  function fromWorker(sender) {
    return !!sender && sender.id === chrome.runtime.id && !sender.tab && !!sender.url && new URL(sender.url).pathname === '/background.js';
  }

  chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || msg.type !== MSG.BG_OS_CLIPBOARD_CLEAR || !fromWorker(sender)) return false;
    globalThis.WWClipboard.clearIfStill(String(msg.digest)).then(
      (result) => sendResponse({ ok: true, value: { result } }),
      (err) => sendResponse({ ok: false, error: toError(err).toJSON() }),
    );
    return true;
  });
})();
