package psl

import (
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"

	"watchword/wasm/match/suffixes"
)

var list = func() *List {
	l, err := Parse(suffixes.Rules())
	if err != nil {
		panic(err)
	}
	return l
}()

func PublicSuffix(domain string) string { return list.PublicSuffix(domain) }
func Site(domain string) string         { return list.Site(domain) }

// names returns every rule's name plus names derived from it (a label in
// front, two labels in front), which exercises wildcards and exceptions.
func names(t *testing.T) []string {
	t.Helper()
	text := suffixes.Rules()
	var out []string
	for line := range strings.SplitSeq(string(text), "\n") {
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(line, "!"), "*.")
		out = append(out, name, "x."+name, "y.x."+name, "www."+name)
	}
	if len(out) < 4*9000 {
		t.Fatalf("only %d names from the embedded rules; the table looks truncated", len(out))
	}
	return append(out, "cromulent", "foo.cromulent", "a.b.c.test", "site.test", "localhost", "com")
}

// TestSameAsXNet proves this package gives exactly the answers of
// golang.org/x/net/publicsuffix, whose table it was generated from.
func TestSameAsXNet(t *testing.T) {
	for _, name := range names(t) {
		want, _ := publicsuffix.PublicSuffix(name)
		if got := PublicSuffix(name); got != want {
			t.Errorf("PublicSuffix(%q) = %q, x/net says %q", name, got, want)
		}
		wantSite, err := publicsuffix.EffectiveTLDPlusOne(name)
		if err != nil {
			wantSite = ""
		}
		if got := Site(name); got != wantSite {
			t.Errorf("Site(%q) = %q, x/net says %q", name, got, wantSite)
		}
	}
}

func TestSite(t *testing.T) {
	tests := map[string]string{
		"alice.github.io":      "alice.github.io",
		"x.alice.github.io":    "alice.github.io",
		"github.io":            "",
		"www.example.co.uk":    "example.co.uk",
		"co.uk":                "",
		"a.b.city.kawasaki.jp": "city.kawasaki.jp",
		"site.test":            "site.test",
		"site.test.evil.test":  "evil.test",
		"":                     "",
		"site.test.":           "",
		".site.test":           "",
		"a..test":              "",
	}
	for in, want := range tests {
		if got := Site(in); got != want {
			t.Errorf("Site(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSameAsXNet(f *testing.F) {
	for _, s := range []string{"alice.github.io", "www.example.co.uk", "a.b.city.kawasaki.jp", "x.ck", "www.ck"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		name = strings.ToLower(name)
		if strings.Contains(name, "..") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || name == "" {
			return
		}
		if _, err := netip.ParseAddr(name); err == nil {
			return // callers match IP addresses before asking about suffixes
		}
		want, _ := publicsuffix.PublicSuffix(name)
		if got := PublicSuffix(name); got != want {
			t.Fatalf("PublicSuffix(%q) = %q, x/net says %q", name, got, want)
		}
	})
}

// A damaged list is refused rather than quietly matching too much (a
// missing rule makes two customers of one host "the same site"): cut
// short, a line that is not a rule, binary data.
func TestParseRefusesDamage(t *testing.T) {
	good := string(suffixes.Rules())
	for name, text := range map[string]string{
		"empty":              "",
		"cut short":          good[:len(good)/4],
		"an upper-case rule": good + "\nEXAMPLE.test\n",
		"a rule with spaces": good + "\nexample test\n",
		"an empty label":     good + "\nexample..test\n",
		"a bare wildcard":    good + "\n*.\n",
		"still compressed":   "\x1f\x8b\x08\x00" + good,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(text)); err == nil {
				t.Fatal("Parse accepted it")
			}
		})
	}
}
