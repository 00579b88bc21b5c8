// Message types and error codes shared by every part of the extension.
//
// Loaded by the background (importScripts in Chrome's service worker, a
// background script in Firefox), by the popup and by the options page. Types
// are named by direction:
//
//   ui-bg-…   an extension page (popup, options) asks the background
//   cs-bg-…   a content script asks the background
//   bg-cs-…   the background tells a content script (autofill.js documents them)
//   bg-ui-…   the background tells open extension pages something changed
//   bg-os-…   the background asks its offscreen document (Chrome)
//
// Every request is {type, ...payload}; every answer is {ok: true, value} or
// {ok: false, error: {code, message, details?}} with code from ERROR_CODES.
'use strict';

(function (root) {
  const MSG = Object.freeze({
    // State and settings.
    UI_BG_STATE: 'ui-bg-state', // → {account, vault, sync, settings, reminder, autoConnect}
    UI_BG_SETTINGS_SET: 'ui-bg-settings-set', // {settings: {syncEnabled?, autoLockMinutes?, serverUrl?}}
    UI_BG_ACTIVITY: 'ui-bg-activity', // the user did something: restart the idle timer
    UI_BG_REMINDER_DISMISS: 'ui-bg-reminder-dismiss',

    // Account (the portal account).
    UI_BG_POLICY: 'ui-bg-policy', // → the server's published account-password policy
    UI_BG_POLICY_CHECK: 'ui-bg-policy-check', // {kind: 'account'|'master', password} → checklist + strength
    UI_BG_REGISTER: 'ui-bg-register', // {email, password, marketing, statement: 'accepted'|'skipped'}
    UI_BG_RESEND_ACTIVATION: 'ui-bg-resend-activation',
    UI_BG_SIGN_IN: 'ui-bg-sign-in', // {email, password} → {signedIn} | {twoStep: {method, methods, resendAfter, target}}
    UI_BG_TWO_STEP_VERIFY: 'ui-bg-two-step-verify', // {code, method}
    UI_BG_TWO_STEP_RESEND: 'ui-bg-two-step-resend', // {method}
    UI_BG_SIGN_IN_PROVIDER: 'ui-bg-sign-in-provider', // {provider}
    UI_BG_PROVIDERS: 'ui-bg-providers', // → {providers: [{id, name, start_url}]}
    UI_BG_AUTO_CONNECT: 'ui-bg-auto-connect', // continue as the account signed in to the portal
    UI_BG_USE_LOCAL: 'ui-bg-use-local', // skip the account: a local-only vault
    UI_BG_SIGN_OUT: 'ui-bg-sign-out',

    // Vault.
    UI_BG_VAULT_CREATE: 'ui-bg-vault-create', // {password}
    UI_BG_VAULT_UNLOCK: 'ui-bg-vault-unlock', // {password}
    UI_BG_LOCK: 'ui-bg-lock',
    UI_BG_ENTRIES: 'ui-bg-entries', // → {entries: [opened entry], failed, report}
    UI_BG_LIST: 'ui-bg-list', // → the list index {entries: [row], failed, unknown} (also in storage.session list/<ns>)
    UI_BG_ENTRY_GET: 'ui-bg-entry-get', // {id} → entry view
    UI_BG_ENTRY_SAVE: 'ui-bg-entry-save', // {entry} (no id: a new entry) → {id}
    UI_BG_ENTRY_DELETE: 'ui-bg-entry-delete', // {id}
    UI_BG_GENERATE: 'ui-bg-generate', // {options} → {password}
    UI_BG_TOTP: 'ui-bg-totp', // {id} → {code, period, remaining}
    UI_BG_CLIPBOARD_CLEAR: 'ui-bg-clipboard-clear', // {after: seconds, digest: SHA-256 hex of the copied text}
    UI_BG_IMPORT_CSV: 'ui-bg-import-csv', // {text} → {imported, duplicates, skipped: [{line, reason}]}
    UI_BG_EXPORT_CSV: 'ui-bg-export-csv', // → {csv, logins, others}: every password in the clear
    UI_BG_EXPORT_SEALED: 'ui-bg-export-sealed', // {password} → {file, entries, damaged}: an encrypted export
    UI_BG_IMPORT_SEALED: 'ui-bg-import-sealed', // {text, password} → {imported, duplicates, damaged}

    // Sync.
    UI_BG_SYNC_NOW: 'ui-bg-sync-now',

    // Autofill (handled in autofill.js). The frame's origin always comes
    // from the sender, never from these payloads.
    UI_BG_FILL: 'ui-bg-fill', // {tabId, id?, consent?} → {filled} | {confirm: {reason, origin}} | {refused}
    UI_BG_FILL_MATCHES: 'ui-bg-fill-matches', // {tabId} → {matches: [{id, name, username, confirm}], kind?, refused?}
    UI_BG_SUGGEST_GET: 'ui-bg-suggest-get', // {session} → {kind, items, generated, mode}
    UI_BG_SUGGEST_SLOT: 'ui-bg-suggest-slot', // {slot} → {session, view} | null: the suggestion's iframe asks what it shows
    UI_BG_SUGGEST_PICK: 'ui-bg-suggest-pick', // {session, id, x, y, confirmed?} → {filled} | {confirm} | {refused} | {closed}
    UI_BG_SAVE_GET: 'ui-bg-save-get', // {session} → {origin, username, update}
    UI_BG_SAVE_ANSWER: 'ui-bg-save-answer', // {session, save, x, y} → {saved, updated} | {closed}
    CS_BG_FORMS: 'cs-bg-forms', // {kinds, sandboxed, kind, action, slot} → {count, locked?, session?, rows?}
    CS_BG_SUGGEST: 'cs-bg-suggest', // {kind, action, sandboxed, mode, slot} → {session, rows} | {session: null}
    CS_BG_TARGET: 'cs-bg-target', // {token, kind, action, sandboxed, focused}: this frame answers a fill gesture
    CS_BG_SUBMIT: 'cs-bg-submit', // {kind, username, password}: a sign-in or sign-up was submitted
    CS_BG_PENDING: 'cs-bg-pending', // → {session} when a save prompt is due in this tab

    // Background → pages.
    BG_UI_CHANGED: 'bg-ui-changed', // {what: 'sync'|'lock'|'entries'|'account'}
    BG_UI_SUGGEST: 'bg-ui-suggest', // {slot, session, view}: what the suggestion's iframe named by slot shows (see UI_BG_SUGGEST_GET)

    // Background → its offscreen document.
    BG_OS_CLIPBOARD_CLEAR: 'bg-os-clipboard-clear', // {digest} → {result: 'cleared'|'changed'|'empty'}
  });

  // The closed set of error codes, mirrored once from wasm/api/errors.go (in
  // declaration order). Add a code there and here together.
  const ERROR_CODES = Object.freeze([
    'bad_request',
    'invalid',
    'unauthorized',
    'forbidden',
    'not_found',
    'conflict',
    'too_large',
    'unsupported_media',
    'rate_limited',
    'two_step_required',
    'not_activated',
    'wrong_password',
    'decrypt_failed',
    'locked',
    'network',
    'bad_server_answer',
    'unsupported',
    'internal',
  ]);
  const CODE = Object.freeze(
    Object.fromEntries(ERROR_CODES.map((c) => [c.toUpperCase(), c])),
  );

  // WatchwordError is the one error shape that crosses a message boundary.
  class WatchwordError extends Error {
    constructor(code, message, details) {
      super(message || code);
      this.code = ERROR_CODES.includes(code) ? code : 'internal';
      if (details) this.details = details;
    }
    toJSON() {
      const out = { code: this.code, message: this.message };
      if (this.details) out.details = this.details;
      return out;
    }
  }

  // toError turns anything thrown (a Go rejection {code, message}, a fetch
  // TypeError, a bug) into a WatchwordError without leaking internals.
  function toError(err) {
    if (err instanceof WatchwordError) return err;
    if (err && typeof err === 'object' && typeof err.code === 'string' && ERROR_CODES.includes(err.code)) {
      return new WatchwordError(err.code, String(err.message || err.code), err.details);
    }
    return new WatchwordError('internal', 'Something went wrong inside Watchword.');
  }

  root.WW = Object.freeze({ MSG, ERROR_CODES, CODE, WatchwordError, toError });
})(typeof globalThis !== 'undefined' ? globalThis : self);
