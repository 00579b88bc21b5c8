package goidna

import "testing"

// Known answers, from the URL standard's own test data and from what
// Chromium answers (goidna_js_test.go holds the whole corpus to it).
func TestToASCII(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"bücher.example", "xn--bcher-kva.example", true},
		{"BÜCHER.example", "xn--bcher-kva.example", true},
		{"XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example", true},
		{"faß.de", "xn--fa-hia.de", true}, // non-transitional: ß stays
		{"ＳＩＴＥ.test", "site.test", true},
		{"site。test", "site.test", true},
		{"ab--cd.test", "ab--cd.test", true}, // CheckHyphens off, as in browsers
		{"-site.test", "-site.test", true},
		{"site_name.test", "site_name.test", true},
		{"１２７.０.０.１", "127.0.0.1", true}, // package match then refuses it as numeric
		{"xn--a.test", "", false},        // punycode that does not decode
		{"a\u200db.test", "", false},     // ZWJ outside its context
		{"\u0301x.test", "", false},      // a label starting with a combining mark
		{"a／b.test", "", false},          // maps to '/', which a host may not hold
		{"a％41.test", "", false},         // maps to '%'
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := ToASCII(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ToASCII(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzToASCII(f *testing.F) {
	for _, h := range Hosts {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		ascii, ok := ToASCII(host)
		if !ok {
			return
		}
		for i := 0; i < len(ascii); i++ {
			if c := ascii[i]; c >= 0x80 || forbidden(rune(c)) || 'A' <= c && c <= 'Z' {
				t.Fatalf("ToASCII(%q) = %q: not a lower-case ASCII host", host, ascii)
			}
		}
		if again, ok := ToASCII(ascii); !ok || again != ascii {
			t.Fatalf("ToASCII(%q) = %q, but that maps to %q, %v", host, ascii, again, ok)
		}
	})
}
