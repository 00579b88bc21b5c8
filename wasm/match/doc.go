// Package match decides whether a saved login may be offered or filled on a
// page. It is the one check behind every fill path (the popup's Fill button,
// the keyboard command and the inline suggestion), so a refusal here is a
// refusal everywhere.
//
// Call [Decide] with the entry's saved URLs and the frame as the browser
// reported it (sender.url / sender.origin and the tab's top-level URL, never a
// value from the page). The answer is Allow, Confirm (the user must agree to a
// named risk first: an http page for an https login, a cross-origin frame, a
// form posting to another site) or Refuse with a reason.
//
// # Matching
//
// By default a saved URL matches every page on the same registrable domain
// (eTLD+1) according to the public suffix list, private section included:
// a login saved for alice.github.io is never offered on bob.github.io. Per-URL
// rules narrow this to the exact host, to a URL prefix on the same origin, or
// switch it off. IP addresses and localhost match only the same host and
// port. Internationalised names are compared in their ASCII (punycode) form,
// so a homograph such as "pаypal.test" with a Cyrillic "а" is simply another
// domain. The ASCII form is the one the browser looks the name up by: a host
// outside plain ASCII goes to the installed [HostToASCII] (in the extension,
// the browser's own URL parser), and with none installed it is refused.
//
// # Security
//
// Anything not understood is refused: schemes other than http and https,
// user-info in a URL, a host with a trailing dot, empty labels, opaque or
// sandboxed frames (about:blank, srcdoc, data:, blob:), and URLs this package
// cannot parse. The public suffix list is compiled into the binary (the
// list of golang.org/x/net/publicsuffix, see internal/psl for why it is not
// imported directly); it is never fetched at run time.
package match
