package bridge

import (
	"strings"
	"testing"

	"watchword/wasm/bridge/jsvalue"
	"watchword/wasm/match"
	"watchword/wasm/match/goidna"
)

// browserHost is the host Chromium's URL parser gives for a whole URL, or
// false when it throws.
func browserHost(t *testing.T, raw string) (string, bool) {
	t.Helper()
	ctor, err := jsvalue.Global().Get("URL")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ctor.New(raw)
	if err != nil {
		return "", false
	}
	h, err := u.Get("hostname")
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.String()
	if err != nil {
		t.Fatal(err)
	}
	return s, true
}

// With Register's HostToASCII (the browser's URL parser), every origin
// ParseOrigin accepts has the host the browser gives the same URL, on
// every host of goidna's corpus; and the internationalised names a person
// saves are read, not refused.
func TestParseOriginReadsHostsAsTheBrowser(t *testing.T) {
	for _, h := range goidna.Hosts {
		raw := "https://" + h + "/login"
		o, err := match.ParseOrigin(raw)
		if err != nil {
			continue
		}
		want, ok := browserHost(t, raw)
		if !ok || strings.Trim(want, "[]") != o.Host {
			t.Errorf("%q: ParseOrigin host %q, the browser %q (%v)", raw, o.Host, want, ok)
		}
	}
	for in, want := range map[string]string{
		"https://bücher.example/":   "xn--bcher-kva.example",
		"https://ＳＩＴＥ.test/":        "site.test",
		"https://faß.de/":           "xn--fa-hia.de",
		"https://例え.テスト/":           "xn--r8jz45g.xn--zckzah",
		"https://a％41.test/":        "aa.test",
		"https://XN--BCHER-KVA.ex/": "xn--bcher-kva.ex",
	} {
		o, err := match.ParseOrigin(in)
		if err != nil || o.Host != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, o.Host, err, want)
		}
	}
	for _, in := range []string{"https://a\u200db.test/", "https://a／b.test/", "https://\u3164.test/", "https://a\u00a0b.test/", "https://１２７.０.０.１/"} {
		if o, err := match.ParseOrigin(in); err == nil {
			t.Errorf("ParseOrigin(%q) = %+v, want it refused", in, o)
		}
	}
}

// browserHostToASCII refuses before asking the parser what it would read
// differently, and reports the parser's refusals as such.
func TestBrowserHostToASCII(t *testing.T) {
	for h, want := range map[string]string{"bücher.example": "xn--bcher-kva.example", "xn--a.test": "xn--a.test"} {
		if got, ok := browserHostToASCII(h); !ok || got != want {
			t.Errorf("browserHostToASCII(%q) = %q, %v; want %q", h, got, ok, want)
		}
	}
	for _, h := range []string{"evil.test/@site.test", "site.test:1", "a%41.test", "a b.test", "a\u200db.test", "a／b.test", ""} {
		if got, ok := browserHostToASCII(h); ok {
			t.Errorf("browserHostToASCII(%q) = %q, want a refusal", h, got)
		}
	}
}
