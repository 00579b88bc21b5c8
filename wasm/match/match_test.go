package match

import (
	"testing"
)

func TestParseOrigin(t *testing.T) {
	tests := []struct {
		in         string
		host, port string
		ok         bool
	}{
		{"https://site.test/login", "site.test", "443", true},
		{"HTTPS://Site.TEST:443/", "site.test", "443", true},
		{"http://site.test:8080", "site.test", "8080", true},
		{"https://bücher.example/", "xn--bcher-kva.example", "443", true},
		{"https://xn--bcher-kva.example/", "xn--bcher-kva.example", "443", true},
		{"http://127.0.0.1:8080/", "127.0.0.1", "8080", true},
		{"http://[::1]:3000/", "::1", "3000", true},
		{"http://localhost:3000/", "localhost", "3000", true},
		{"https://site.test./", "", "", false},          // trailing dot
		{"https://site.test@evil.test/", "", "", false}, // user-info
		{"https://user:pw@site.test/", "", "", false},
		{"ftp://site.test/", "", "", false},
		{"javascript:alert(1)", "", "", false},
		{"about:blank", "", "", false},
		{"data:text/html,hi", "", "", false},
		{"blob:https://site.test/1234", "", "", false},
		{"https:site.test", "", "", false},
		{"https://site..test/", "", "", false},
		{"https://site.test:0/", "", "", false},
		{"https://site.test:99999/", "", "", false},
		{"https://site.test:/", "", "", false},
		{"https://0x7f.1/", "", "", false},
		{"https://site.test\\@evil.test/", "", "", false},
		{"https://[fe80::1%25eth0]/", "", "", false},
		{"http://[::ffff:127.0.0.1]:1/", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			o, err := ParseOrigin(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseOrigin(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if tt.ok && (o.Host != tt.host || o.Port != tt.port) {
				t.Errorf("ParseOrigin(%q) = %s:%s, want %s:%s", tt.in, o.Host, o.Port, tt.host, tt.port)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	site := []Saved{{URL: "https://site.test/login"}}
	tests := []struct {
		name    string
		saved   []Saved
		frame   Frame
		consent Consent
		want    Verdict
		reason  Reason
	}{
		{"same host", site, Frame{URL: "https://site.test/signin"}, Consent{}, Allow, ""},
		{"subdomain of registrable domain", site, Frame{URL: "https://accounts.site.test/"}, Consent{}, Allow, ""},
		{"other domain", site, Frame{URL: "https://evil.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"digit lookalike", []Saved{{URL: "https://paypal.test/"}}, Frame{URL: "https://paypa1.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"homograph", []Saved{{URL: "https://paypal.test/"}}, Frame{URL: "https://pаypal.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"suffix trick", site, Frame{URL: "https://site.test.evil.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"fragment trick", site, Frame{URL: "https://evil.test/#site.test"}, Consent{}, Refuse, ReasonNoMatch},
		{"user-info trick", site, Frame{URL: "https://site.test@evil.test/"}, Consent{}, Refuse, ReasonUnsupportedPage},
		{"trailing dot", site, Frame{URL: "https://site.test./"}, Consent{}, Refuse, ReasonUnsupportedPage},
		{"query trick", site, Frame{URL: "https://evil.test/?u=https://site.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"private suffix", []Saved{{URL: "https://alice.github.io/"}}, Frame{URL: "https://bob.github.io/"}, Consent{}, Refuse, ReasonNoMatch},
		{"private suffix same", []Saved{{URL: "https://alice.github.io/"}}, Frame{URL: "https://alice.github.io/x"}, Consent{}, Allow, ""},
		{"http downgrade", site, Frame{URL: "http://site.test/"}, Consent{}, Confirm, ReasonInsecurePage},
		{"http downgrade confirmed", site, Frame{URL: "http://site.test/"}, Consent{Insecure: true}, Allow, ""},
		{"http saved http page", []Saved{{URL: "http://site.test/"}}, Frame{URL: "http://site.test/"}, Consent{}, Allow, ""},
		{"upgrade is fine", []Saved{{URL: "http://site.test/"}}, Frame{URL: "https://site.test/"}, Consent{}, Allow, ""},
		{"exact host rule", []Saved{{URL: "https://www.site.test/", Rule: RuleHost}}, Frame{URL: "https://accounts.site.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"exact host rule same", []Saved{{URL: "https://www.site.test/", Rule: RuleHost}}, Frame{URL: "https://www.site.test/a"}, Consent{}, Allow, ""},
		{"prefix rule", []Saved{{URL: "https://site.test/app", Rule: RulePrefix}}, Frame{URL: "https://site.test/app/login"}, Consent{}, Allow, ""},
		{"prefix rule sibling", []Saved{{URL: "https://site.test/app", Rule: RulePrefix}}, Frame{URL: "https://site.test/apple"}, Consent{}, Refuse, ReasonNoMatch},
		{"never rule", []Saved{{URL: "https://site.test/", Rule: RuleNever}}, Frame{URL: "https://site.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"ip port must match", []Saved{{URL: "http://127.0.0.1:8080/"}}, Frame{URL: "http://127.0.0.1:9090/"}, Consent{}, Refuse, ReasonNoMatch},
		{"ip same port", []Saved{{URL: "http://127.0.0.1:8080/"}}, Frame{URL: "http://127.0.0.1:8080/login"}, Consent{}, Allow, ""},
		{"localhost port must match", []Saved{{URL: "http://localhost:3000/"}}, Frame{URL: "http://localhost:3001/"}, Consent{}, Refuse, ReasonNoMatch},
		{"sandboxed", site, Frame{URL: "https://site.test/", Sandboxed: true}, Consent{}, Refuse, ReasonOpaqueFrame},
		{"srcdoc", site, Frame{URL: "about:srcdoc", Srcdoc: true}, Consent{}, Refuse, ReasonOpaqueFrame},
		{"about blank", site, Frame{URL: "about:blank"}, Consent{}, Refuse, ReasonOpaqueFrame},
		{"data", site, Frame{URL: "data:text/html,<form>"}, Consent{}, Refuse, ReasonOpaqueFrame},
		{"blob", site, Frame{URL: "blob:https://site.test/0a"}, Consent{}, Refuse, ReasonOpaqueFrame},
		{"cross-origin frame", site, Frame{URL: "https://site.test/", TopURL: "https://evil.test/"}, Consent{}, Confirm, ReasonCrossOriginFrame},
		{"cross-origin frame confirmed", site, Frame{URL: "https://site.test/", TopURL: "https://evil.test/"}, Consent{FrameOrigin: "https://site.test"}, Allow, ""},
		{"cross-origin frame other consent", site, Frame{URL: "https://site.test/", TopURL: "https://evil.test/"}, Consent{FrameOrigin: "https://evil.test"}, Confirm, ReasonCrossOriginFrame},
		{"same-site subframe still asks", site, Frame{URL: "https://login.site.test/", TopURL: "https://site.test/"}, Consent{}, Confirm, ReasonCrossOriginFrame},
		{"same-origin frame", site, Frame{URL: "https://site.test/frame", TopURL: "https://site.test/"}, Consent{}, Allow, ""},
		{"evil frame in good page", site, Frame{URL: "https://evil.test/", TopURL: "https://site.test/"}, Consent{FrameOrigin: "https://evil.test"}, Refuse, ReasonNoMatch},
		{"form posts elsewhere", site, Frame{URL: "https://site.test/", FormAction: "https://evil.test/collect"}, Consent{}, Confirm, ReasonFormAction},
		{"form posts elsewhere confirmed", site, Frame{URL: "https://site.test/", FormAction: "https://evil.test/collect"}, Consent{FormAction: true}, Allow, ""},
		{"form posts same site", site, Frame{URL: "https://site.test/", FormAction: "https://api.site.test/login"}, Consent{}, Allow, ""},
		{"consent never unlocks refusal", site, Frame{URL: "https://evil.test/"}, Consent{Insecure: true, FrameOrigin: "https://evil.test", FormAction: true}, Refuse, ReasonNoMatch},
		{"bad saved URL", []Saved{{URL: "not a url"}}, Frame{URL: "https://site.test/"}, Consent{}, Refuse, ReasonNoMatch},
		{"one of several URLs", []Saved{{URL: "https://other.test/"}, {URL: "https://site.test/"}}, Frame{URL: "https://site.test/"}, Consent{}, Allow, ""},
		{"idn saved and page in either form", []Saved{{URL: "https://bücher.example/"}}, Frame{URL: "https://xn--bcher-kva.example/"}, Consent{}, Allow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decide(tt.saved, tt.frame, tt.consent)
			if got.Verdict != tt.want || got.Reason != tt.reason {
				t.Errorf("Decide = %+v, want %s/%q", got, tt.want, tt.reason)
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	for in, want := range map[string]Rule{"": RuleDomain, "domain": RuleDomain, "host": RuleHost, "prefix": RulePrefix, "never": RuleNever, "regex": RuleNever} {
		if got := ParseRule(in); got != want {
			t.Errorf("ParseRule(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNoCrossSiteMatch checks the one property autofill must never break:
// whatever the inputs, a login is never allowed (or offered for
// confirmation) on a page of another registrable domain.
func FuzzNoCrossSiteMatch(f *testing.F) {
	seeds := [][2]string{
		{"https://site.test/", "https://evil.test/"},
		{"https://site.test/", "https://site.test.evil.test/"},
		{"https://alice.github.io/", "https://bob.github.io/"},
		{"https://paypal.test/", "https://pаypal.test/"},
		{"http://127.0.0.1:1/", "http://127.0.0.2:1/"},
		{"https://bücher.example/", "https://xn--bcher-kva.example/"},
		{"https://site.test/", "https://site.test@evil.test/"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], uint8(0))
	}
	f.Fuzz(func(t *testing.T, saved, page string, rule uint8) {
		r := []Rule{RuleDomain, RuleHost, RulePrefix, RuleNever}[rule%4]
		d := Decide([]Saved{{URL: saved, Rule: r}}, Frame{URL: page}, Consent{Insecure: true, FormAction: true})
		if d.Verdict == Refuse {
			return
		}
		so, err1 := ParseOrigin(saved)
		po, err2 := ParseOrigin(page)
		if err1 != nil || err2 != nil {
			t.Fatalf("Decide(%q, %q) = %v for an unparseable URL", saved, page, d)
		}
		if so.Site() != po.Site() {
			t.Fatalf("Decide(%q, %q) = %v across sites %q and %q", saved, page, d, so.Site(), po.Site())
		}
		if so.isLocal() && (so.Host != po.Host || so.Port != po.Port) {
			t.Fatalf("Decide(%q, %q) = %v across local services", saved, page, d)
		}
	})
}
