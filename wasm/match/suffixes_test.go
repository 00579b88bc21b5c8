package match

import (
	"testing"

	"watchword/wasm/match/suffixes"
)

// The tests match with the shipped list, as the extension does once the
// bridge has loaded it.
func init() {
	l, err := ParseSuffixList(suffixes.Rules())
	if err != nil {
		panic(err)
	}
	UseSuffixList(l)
}

// Without a list every host is its own site: a login for one host is never
// offered on a sibling, which is narrower than it should be, never wider.
func TestSiteWithoutSuffixList(t *testing.T) {
	saved := suffixList.Load()
	t.Cleanup(func() { suffixList.Store(saved) })
	o, err := ParseOrigin("https://login.example.co.uk/")
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Site(); got != "example.co.uk" {
		t.Fatalf("Site with the list = %q, want example.co.uk", got)
	}
	suffixList.Store(nil)
	if HasSuffixList() {
		t.Fatal("HasSuffixList with none installed")
	}
	if got := o.Site(); got != "login.example.co.uk" {
		t.Fatalf("Site without a list = %q, want the host itself", got)
	}
}
