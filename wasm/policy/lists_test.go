package policy

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
)

func gunzip(t *testing.T, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The hashes are the ones recorded in NOTICE.md.
func TestListsMatchNotice(t *testing.T) {
	for _, tt := range []struct {
		name string
		gz   []byte
		hash string
	}{
		{"common_passwords.txt", commonGz, "fa7af65ae53f72367c0fa6b6417884107b5c26550445a18f75b0039e693ba8e1"},
		{"eff_large_wordlist.txt", wordlistGz, "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sum := sha256.Sum256(gunzip(t, tt.gz))
			if got := hex.EncodeToString(sum[:]); got != tt.hash {
				t.Fatalf("SHA-256 = %s, want %s (update NOTICE.md with the list)", got, tt.hash)
			}
		})
	}
}

func TestCommonList(t *testing.T) {
	l, err := common()
	if err != nil {
		t.Fatal(err)
	}
	if n := CommonCount(); n < 10000 {
		t.Fatalf("the common list has %d entries, want at least 10000", n)
	}
	// Lookup relies on the list being sorted bytewise, unique and lowercase.
	for i := range l.len() {
		w := l.at(i)
		if w == "" || w != strings.ToLower(w) {
			t.Fatalf("entry %d %q is empty or not lowercase", i, w)
		}
		if i > 0 && l.at(i-1) >= w {
			t.Fatalf("entries %d and %d out of order: %q >= %q", i-1, i, l.at(i-1), w)
		}
	}
	tests := []struct {
		password string
		want     bool
	}{
		{"password", true},
		{"PassWord", true},
		{"123456", true},
		{"qwertyuiop", true},
		{"cheeseburger", true},
		{"zzzzzzz1", true}, // the last entry
		{l.at(0), true},    // the first entry
		{"correct horse battery staple", false},
		{"password ", false},
		{"", false},
		{"Zq8!vW3#pL", false},
		{"пароль", false},
	}
	for _, tt := range tests {
		if got := IsCommon(tt.password); got != tt.want {
			t.Errorf("IsCommon(%q) = %v, want %v", tt.password, got, tt.want)
		}
	}
}

func TestWordlist(t *testing.T) {
	w := Wordlist()
	if len(w) != WordlistSize {
		t.Fatalf("%d words, want %d", len(w), WordlistSize)
	}
	seen := map[string]bool{}
	for i, word := range w {
		if seen[word] {
			t.Fatalf("duplicate word %q", word)
		}
		seen[word] = true
		if i > 0 && w[i-1] >= word {
			t.Fatalf("words %d and %d out of order", i-1, i)
		}
	}
	if w[0] != "abacus" || w[len(w)-1] != "zoom" {
		t.Fatalf("first/last = %q/%q, want abacus/zoom", w[0], w[len(w)-1])
	}
}
