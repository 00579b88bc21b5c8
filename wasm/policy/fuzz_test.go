package policy

import (
	"encoding/json"
	"io/fs"
	"testing"
)

// FuzzParse checks that Parse never panics, that whatever it accepts encodes
// and parses back to the same encoding, and that Check handles it.
func FuzzParse(f *testing.F) {
	seeds, err := fs.Glob(seedPolicies, "testdata/policies/*.json")
	if err != nil {
		f.Fatal(err)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed policies in testdata/policies: the fuzz target would test nothing")
	}
	for _, name := range seeds {
		b, err := fs.ReadFile(seedPolicies, name)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := Parse(b); err != nil {
			f.Fatalf("seed %s does not parse: %v", name, err)
		}
		f.Add(b)
	}
	for _, p := range []Policy{Account(), Master()} {
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		b1, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("Marshal of a parsed policy: %v", err)
		}
		p2, err := Parse(b1)
		if err != nil {
			t.Fatalf("Parse(Marshal(p)) = %v\n%s", err, b1)
		}
		b2, err := json.Marshal(p2)
		if err != nil {
			t.Fatal(err)
		}
		if string(b1) != string(b2) {
			t.Fatalf("encoding changed on a round trip:\n%s\n%s", b1, b2)
		}
		for _, pw := range []string{"", "Correct7Horse", "pass word\u00a0", string(data)} {
			res := Check(p, pw, Context{Common: testCommon(), Email: "ann@example.com"})
			if len(res.Rules) != len(p.Rules) {
				t.Fatalf("%d results for %d rules", len(res.Rules), len(p.Rules))
			}
			for i, r := range p.Rules {
				if !r.Supported() && res.Rules[i].Status != Unchecked {
					t.Fatalf("unsupported rule %q reported %s", r.ID, res.Rules[i].Status)
				}
			}
		}
	})
}
