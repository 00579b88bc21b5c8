package goidna

import (
	"syscall/js"
	"testing"
)

// browserToASCII is what Chromium's URL parser makes of host, or false when
// it throws.
func browserToASCII(host string) (ascii string, ok bool) {
	defer func() {
		if recover() != nil {
			ascii, ok = "", false
		}
	}()
	u := js.Global().Get("URL").New("http://" + host + "/")
	return u.Get("hostname").String(), true
}

// chromiumDeparts are the hosts of the corpus where Chromium's URL parser
// departs from the URL standard, which ToASCII follows. Package match
// refuses what Chromium makes of the last four (an empty label, an escaped
// space); the punycode ones and the percent one are why the extension asks
// the browser itself rather than this package.
var chromiumDeparts = map[string]string{
	"xn--a.test":             "an ASCII label starting with xn-- is kept without decoding it",
	"xn--.test":              "the same; x/net/idna decodes it to an empty label",
	"xn--zz.test":            "the same",
	"xn--site-.test":         "the same",
	"xn---.test":             "the same",
	"xn--bcher-kva-.example": "the same",
	"xn--ss-bma.test":        "the same (it decodes to a label that is not in NFC)",
	"xn--1ug.test":           "the same (it decodes to a lone ZWJ)",
	"a％41.test":              "the full-width % maps to %, and the host is then percent-decoded: aa.test",
	"ㅤ.test":                 "the Hangul filler is ignored, leaving an empty label",
	"ᅟ.test":                 "the same",
	"a b.test":               "the no-break space maps to a space, kept escaped as %20",
	"a　b.test":               "the same",
}

// TestSameAsBrowser holds ToASCII to the browser's own answer on every host
// of the corpus but the known departures: it stands in for the browser in
// native tests, so where the two differ unnoticed, the native tests would
// prove something about another mapping.
func TestSameAsBrowser(t *testing.T) {
	for _, h := range Hosts {
		if why, ok := chromiumDeparts[h]; ok {
			got, gotOK := ToASCII(h)
			b, bOK := browserToASCII(h)
			t.Logf("%q: Go %q, %v; Chromium %q, %v (%s)", h, got, gotOK, b, bOK, why)
			continue
		}
		want, wantOK := browserToASCII(h)
		got, ok := ToASCII(h)
		if got != want || ok != wantOK {
			t.Errorf("%q: Go %q, %v; the browser %q, %v", h, got, ok, want, wantOK)
		}
	}
}
