package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"watchword/wasm/policy/lists"
)

// The shipped lists, parsed once for every test in the package.
var (
	testCommon = sync.OnceValue(func() *CommonList {
		l, err := ParseCommonList(lists.CommonPasswords())
		if err != nil {
			panic(err)
		}
		return l
	})
	testWords = sync.OnceValue(func() []string {
		w, err := ParseWordlist(lists.EFFWords())
		if err != nil {
			panic(err)
		}
		return w
	})
)

// The hashes are the ones recorded in NOTICE.md.
func TestListsMatchNotice(t *testing.T) {
	for _, tt := range []struct {
		name string
		text []byte
		hash string
	}{
		{"common_passwords.txt", lists.CommonPasswords(), "fa7af65ae53f72367c0fa6b6417884107b5c26550445a18f75b0039e693ba8e1"},
		{"eff_large_wordlist.txt", lists.EFFWords(), "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sum := sha256.Sum256(tt.text)
			if got := hex.EncodeToString(sum[:]); got != tt.hash {
				t.Fatalf("SHA-256 = %s, want %s (update NOTICE.md with the list)", got, tt.hash)
			}
		})
	}
}

func TestCommonList(t *testing.T) {
	l := testCommon()
	if n := l.Len(); n < MinCommonPasswords {
		t.Fatalf("the common list has %d entries, want at least %d", n, MinCommonPasswords)
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
		{"zzzzzzz1", true},              // the last entry
		{l.lines.at(0), true},           // the first entry
		{l.lines.at(l.Len() / 2), true}, // one in the middle
		{"correct horse battery staple", false},
		{"password ", false},
		{"", false},
		{"Zq8!vW3#pL", false},
		{"пароль", false},
	}
	for _, tt := range tests {
		if got := l.Contains(tt.password); got != tt.want {
			t.Errorf("Contains(%q) = %v, want %v", tt.password, got, tt.want)
		}
	}
}

// commonText makes a valid list of n entries (aaaa0000, aaaa0001, ...).
func commonText(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("aaaa")
		s := "0000" + itoa(i)
		b.WriteString(s[len(s)-5:])
		b.WriteByte('\n')
	}
	return b.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

// A list that is short, unsorted, repeated, has an empty or upper-case line,
// or does not end in a newline is refused: lookups are binary searches and
// would quietly miss passwords in a damaged list.
func TestParseCommonListRefusesDamage(t *testing.T) {
	good := commonText(MinCommonPasswords)
	if _, err := ParseCommonList([]byte(good)); err != nil {
		t.Fatalf("a valid list: %v", err)
	}
	lines := strings.SplitAfter(good, "\n")
	swap := append([]string(nil), lines...)
	swap[10], swap[11] = swap[11], swap[10]
	for name, text := range map[string]string{
		"empty":              "",
		"too short":          commonText(MinCommonPasswords - 1),
		"no final newline":   strings.TrimSuffix(good, "\n"),
		"out of order":       strings.Join(swap, ""),
		"repeated":           lines[0] + good,
		"an empty line":      "\n" + good,
		"an upper-case line": strings.Replace(good, "aaaa00005", "AAAA00005", 1),
		"gzip, not text":     "\x1f\x8b\x08\x00" + good,
	} {
		t.Run(name, func(t *testing.T) {
			if l, err := ParseCommonList([]byte(text)); err == nil {
				t.Fatalf("ParseCommonList accepted it (%d entries)", l.Len())
			}
		})
	}
}

func TestWordlist(t *testing.T) {
	w := testWords()
	if len(w) != WordlistSize {
		t.Fatalf("%d words, want %d", len(w), WordlistSize)
	}
	for i := 1; i < len(w); i++ {
		if w[i-1] >= w[i] {
			t.Fatalf("words %d and %d out of order", i-1, i)
		}
	}
	if w[0] != "abacus" || w[len(w)-1] != "zoom" {
		t.Fatalf("first/last = %q/%q, want abacus/zoom", w[0], w[len(w)-1])
	}
}

// A word list with a word too few or too many, a repeated word or a line
// without its dice roll is refused: each would make some passphrases more
// likely than others, or weaker than the generator promises.
func TestParseWordlistRefusesDamage(t *testing.T) {
	good := string(lists.EFFWords())
	lines := strings.SplitAfter(good, "\n")
	lines = lines[:len(lines)-1] // the split leaves "" after the last newline
	for name, text := range map[string]string{
		"empty":            "",
		"a word too few":   strings.Join(lines[1:], ""),
		"a word too many":  good + "66667\textra\n",
		"a repeated word":  lines[1] + strings.Join(lines[1:], ""),
		"no dice roll":     strings.Replace(good, "11111\tabacus\n", "abacus\n", 1),
		"an empty word":    strings.Replace(good, "11111\tabacus\n", "11111\t\n", 1),
		"no final newline": strings.TrimSuffix(good, "\n"),
		"invalid UTF-8":    strings.Replace(good, "11111\tabacus\n", "11111\tab\xffcus\n", 1),
	} {
		t.Run(name, func(t *testing.T) {
			if w, err := ParseWordlist([]byte(text)); err == nil {
				t.Fatalf("ParseWordlist accepted it (%d words)", len(w))
			}
		})
	}
}

// Without a list, not_common cannot be checked: it is Unchecked and the
// verdict is not OK, never a pass by default.
func TestNotCommonWithoutList(t *testing.T) {
	res := Check(Master(), "a fine long passphrase", Context{})
	if res.OK || res.Common {
		t.Fatalf("OK = %v, Common = %v without a list; want both false", res.OK, res.Common)
	}
	for _, r := range res.Rules {
		if r.Kind == KindNotCommon && r.Status != Unchecked {
			t.Fatalf("not_common = %v without a list, want %v", r.Status, Unchecked)
		}
	}
	if !Check(Master(), "a fine long passphrase", Context{Common: testCommon()}).OK {
		t.Fatal("the same password with the list is refused")
	}
}

func TestPassphraseWithoutWordlist(t *testing.T) {
	if pp, err := NewGenerator(seeded(1), nil).Passphrase(DefaultPassphrase); err != ErrNoWordlist {
		t.Fatalf("Passphrase with no word list = %q, %v; want %v", pp, err, ErrNoWordlist)
	}
}
