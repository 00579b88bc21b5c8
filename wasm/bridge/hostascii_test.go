package bridge

import "testing"

// hostForURLParser lets through only what the URL parser reads as a whole
// host: nothing that ends it, starts a port or user-info, or is
// percent-decoded.
func TestHostForURLParser(t *testing.T) {
	for _, h := range []string{"bücher.example", "xn--bcher-kva.example", "ＳＩＴＥ.test", "a／b.test", "日本語.jp", "a_b.test"} {
		if !hostForURLParser(h) {
			t.Errorf("%q refused", h)
		}
	}
	for _, h := range []string{"", "a/b.test", "a\\b.test", "a?.test", "a#.test", "evil.test@site.test", "site.test:1",
		"[::1]", "a%41.test", "a b.test", "a\tb.test", "a\x00b.test", "a\x7fb.test", "a\nb.test"} {
		if hostForURLParser(h) {
			t.Errorf("%q let through", h)
		}
	}
}
