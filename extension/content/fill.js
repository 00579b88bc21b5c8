// Filling values into page fields the way frameworks notice.
//
// The native value setter is taken from this script's own (isolated) world,
// so a page that replaces HTMLInputElement.prototype.value cannot intercept
// it; input and change events follow, as if the person had typed. Every field
// is checked for visibility again right before it is filled.
//
// Exposes globalThis.WWFill.
'use strict';

(function (root) {
  const nativeSetter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;

  function setValue(el, value) {
    el.focus({ preventScroll: true });
    nativeSetter.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  // fillGroup fills a group found by WWDetect.findGroups with values
  // {username?, password?, generated?, otp?} and returns how many fields it
  // set. A field hidden from the person is skipped, never filled.
  function fillGroup(g, values, visible) {
    let n = 0;
    const put = (el, v) => {
      if (!el || typeof v !== 'string' || v === '' || !visible(el)) return;
      setValue(el, v);
      n++;
    };
    switch (g.kind) {
      case 'login':
        put(g.username, values.username);
        put(g.current, values.password);
        break;
      case 'username':
        put(g.username, values.username);
        break;
      case 'password':
        put(g.current, values.password);
        break;
      case 'signup':
        put(g.username, values.username);
        put(g.current, values.password);
        for (const el of g.news) put(el, values.generated);
        break;
      case 'otp': {
        const code = String(values.otp || '');
        if (g.otp.length === 1) put(g.otp[0], code);
        else if (code.length === g.otp.length) g.otp.forEach((el, i) => put(el, code[i]));
        break;
      }
    }
    return n;
  }

  root.WWFill = Object.freeze({ setValue, fillGroup });
})(typeof globalThis !== 'undefined' ? globalThis : self);
