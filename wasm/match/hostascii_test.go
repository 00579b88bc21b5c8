package match

import (
	"testing"

	"watchword/wasm/match/goidna"
)

// The package's tests read internationalised names with goidna, the
// browser's mapping in Go (differential_js_test.go holds ParseOrigin to the
// browser itself).
func init() { UseHostToASCII(goidna.ToASCII) }

// withHostToASCII installs f for one test and puts goidna back after it.
func withHostToASCII(t *testing.T, f HostToASCII) {
	t.Helper()
	UseHostToASCII(f)
	t.Cleanup(func() { UseHostToASCII(goidna.ToASCII) })
}

// Plain ASCII hosts are lower-cased in Go and never reach HostToASCII; a
// non-ASCII host or a punycode label always does, in any case.
func TestHostToASCIIAskedOnlyWhenNeeded(t *testing.T) {
	var asked []string
	withHostToASCII(t, func(h string) (string, bool) {
		asked = append(asked, h)
		return goidna.ToASCII(h)
	})
	for _, in := range []string{"https://Site.TEST/", "https://ab--cd.site.test/", "https://-a.test/", "https://r3---sn-x.example/", "https://axn--b.test/"} {
		if _, err := ParseOrigin(in); err != nil {
			t.Errorf("ParseOrigin(%q): %v", in, err)
		}
	}
	if len(asked) != 0 {
		t.Fatalf("asked HostToASCII for plain ASCII hosts: %q", asked)
	}
	for _, in := range []string{"https://bücher.example/", "https://XN--bcher-kva.example/", "https://www.xn--bcher-kva.example/", "https://xn--a.test/"} {
		_, _ = ParseOrigin(in)
	}
	want := []string{"bücher.example", "XN--bcher-kva.example", "www.xn--bcher-kva.example", "xn--a.test"}
	if len(asked) != len(want) {
		t.Fatalf("asked %q, want %q", asked, want)
	}
	for i := range want {
		if asked[i] != want[i] {
			t.Fatalf("asked %q, want %q", asked, want)
		}
	}
}

// With no HostToASCII installed, hosts that need one are refused (never
// filled), and everything else parses as before.
func TestNoHostToASCIIRefusesIDN(t *testing.T) {
	withHostToASCII(t, nil)
	for _, in := range []string{"https://bücher.example/", "https://xn--bcher-kva.example/", "https://ＳＩＴＥ.test/"} {
		if o, err := ParseOrigin(in); err == nil {
			t.Errorf("ParseOrigin(%q) = %+v without a HostToASCII, want it refused", in, o)
		}
	}
	if o, err := ParseOrigin("https://Site.TEST/a"); err != nil || o.Host != "site.test" {
		t.Errorf("plain ASCII without a HostToASCII: %+v, %v", o, err)
	}
}

// What HostToASCII answers is checked like any host: a mapper that lies
// (a path, user-info, upper case, an empty label, a numeric host) gets the
// URL refused, not a wrong origin.
func TestHostToASCIIAnswerIsChecked(t *testing.T) {
	for _, lie := range []string{"evil.test/x", "evil.test@site.test", "Site.test", "a..test", "", "127.0.0.1", "evil.test:8443", "[::1]", "a.0x7f"} {
		withHostToASCII(t, func(string) (string, bool) { return lie, true })
		if o, err := ParseOrigin("https://bücher.example/"); err == nil {
			t.Errorf("a HostToASCII answering %q gave %+v, want the URL refused", lie, o)
		}
	}
	withHostToASCII(t, func(string) (string, bool) { return "xn--bcher-kva.example", false })
	if o, err := ParseOrigin("https://bücher.example/"); err == nil {
		t.Errorf("a HostToASCII refusal gave %+v", o)
	}
}
