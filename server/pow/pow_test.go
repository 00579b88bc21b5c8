package pow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t testing.TB, key []byte, d int, c *clock) *Service {
	t.Helper()
	s, err := New(Config{Key: key, Difficulty: d, TTL: 5 * time.Minute, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wrongNonce returns a well-formed nonce that does not solve token.
func wrongNonce(t *testing.T, token string, d int) string {
	for i := 0; ; i++ {
		n := "x" + strconv.Itoa(i)
		if !Check(token, n, d) {
			return n
		}
	}
}

func TestIssueSolveVerify(t *testing.T) {
	c := &clock{time.Date(2025, 3, 1, 12, 0, 0, 500, time.UTC)}
	s := newService(t, GenerateKey(), 8, c)
	ch := s.Issue()
	if len(ch.ID) != 32 || ch.Difficulty != 8 {
		t.Fatalf("Issue = %+v", ch)
	}
	if want := c.t.Add(5*time.Minute + time.Second).Truncate(time.Second); !ch.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", ch.ExpiresAt, want)
	}
	if d, err := Difficulty(ch.Token); err != nil || d != 8 {
		t.Errorf("Difficulty = %d, %v", d, err)
	}
	nonce, err := Solve(context.Background(), ch.Token)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(ch.Token, nonce)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.ID != ch.ID || got.Difficulty != ch.Difficulty || !got.ExpiresAt.Equal(ch.ExpiresAt) || got.Token != ch.Token {
		t.Errorf("Verify = %+v, want %+v", got, ch)
	}
	if other := s.Issue(); other.ID == ch.ID {
		t.Error("two challenges share an id")
	}
}

func TestVerifyRefuses(t *testing.T) {
	c := &clock{time.Unix(1_700_000_000, 0)}
	key := GenerateKey()
	s := newService(t, key, 8, c)
	ch := s.Issue()
	nonce, err := Solve(context.Background(), ch.Token)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(ch.Token, ".")
	join := func(g ...string) string { return strings.Join(g, ".") }

	other := newService(t, GenerateKey(), 8, c).Issue()
	otherNonce, _ := Solve(context.Background(), other.Token)

	// A token for an easier difficulty signed by a different key; then its
	// fields reattached to our signature.
	easy := newService(t, GenerateKey(), 1, c).Issue()
	ef := strings.Split(easy.Token, ".")

	flip := []byte(f[4])
	if flip[0] == 'A' {
		flip[0] = 'B'
	} else {
		flip[0] = 'A'
	}

	tests := []struct {
		name         string
		token, nonce string
		want         error
	}{
		{"wrong nonce", ch.Token, wrongNonce(t, ch.Token, 8), ErrNoWork},
		{"empty nonce", ch.Token, "", ErrNoWork},
		{"nonce with space", ch.Token, nonce + " ", ErrNoWork},
		{"nonce too long", ch.Token, strings.Repeat("0", MaxNonceLen-len(nonce)+1) + nonce, ErrNoWork},
		{"other key's challenge", other.Token, otherNonce, ErrInvalid},
		{"difficulty lowered", join(f[0], f[1], "1", f[3], f[4]), nonce, ErrInvalid},
		{"difficulty from another token", join(ef[0], ef[1], ef[2], ef[3], f[4]), "0", ErrInvalid},
		{"expiry extended", join(f[0], f[1], f[2], strconv.FormatInt(ch.ExpiresAt.Unix()+3600, 10), f[4]), nonce, ErrInvalid},
		{"id changed", join(f[0], strings.Repeat("0", 32), f[2], f[3], f[4]), nonce, ErrInvalid},
		{"signature changed", join(f[0], f[1], f[2], f[3], string(flip)), nonce, ErrInvalid},
		{"signature missing", join(f[0], f[1], f[2], f[3]), nonce, ErrInvalid},
		{"upper-case id", join(f[0], strings.ToUpper(f[1]), f[2], f[3], f[4]), nonce, ErrInvalid},
		{"leading zero difficulty", join(f[0], f[1], "08", f[3], f[4]), nonce, ErrInvalid},
		{"zero difficulty", join(f[0], f[1], "0", f[3], f[4]), nonce, ErrInvalid},
		{"other version", join("v2", f[1], f[2], f[3], f[4]), nonce, ErrInvalid},
		{"trailing dot", ch.Token + ".", nonce, ErrInvalid},
		{"empty token", "", nonce, ErrInvalid},
		{"huge token", strings.Repeat("v1.", 1000), nonce, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Verify(tt.token, tt.nonce)
			if !errors.Is(err, tt.want) {
				t.Errorf("Verify error = %v, want %v", err, tt.want)
			}
		})
	}

	t.Run("expired", func(t *testing.T) {
		late := &clock{ch.ExpiresAt}
		s2 := newService(t, key, 8, late)
		if _, err := s2.Verify(ch.Token, nonce); !errors.Is(err, ErrExpired) {
			t.Errorf("at expiry: error = %v, want ErrExpired", err)
		}
		late.t = ch.ExpiresAt.Add(-time.Nanosecond)
		if _, err := s2.Verify(ch.Token, nonce); err != nil {
			t.Errorf("just before expiry: %v", err)
		}
	})
	t.Run("shared key", func(t *testing.T) {
		// Another instance configured with the same key accepts it.
		if _, err := newService(t, append([]byte(nil), key...), 12, c).Verify(ch.Token, nonce); err != nil {
			t.Errorf("other instance: %v", err)
		}
	})
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no key", Config{}},
		{"short key", Config{Key: make([]byte, KeySize-1)}},
		{"negative difficulty", Config{Key: GenerateKey(), Difficulty: -1}},
		{"difficulty too high", Config{Key: GenerateKey(), Difficulty: MaxDifficulty + 1}},
		{"tiny ttl", Config{Key: GenerateKey(), TTL: time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Error("New succeeded")
			}
		})
	}
	s, err := New(Config{Key: GenerateKey()})
	if err != nil || s.difficulty != DefaultDifficulty || s.ttl != DefaultTTL {
		t.Errorf("defaults: %+v, %v", s, err)
	}
}

func TestSolveCancelled(t *testing.T) {
	s := newService(t, GenerateKey(), MaxDifficulty, &clock{time.Now()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, s.Issue().Token); !errors.Is(err, context.Canceled) {
		t.Errorf("Solve error = %v, want context.Canceled", err)
	}
	if _, err := Solve(context.Background(), "not a token"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Solve(bad token) error = %v", err)
	}
}

func TestLeadingZeros(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"80", 0}, {"7f", 1}, {"01", 7}, {"00ff", 8}, {"0001", 15}, {"000080", 16}, {"0000", 16},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b, _ := hex.DecodeString(tt.in)
			if got := leadingZeros(b); got != tt.want {
				t.Errorf("leadingZeros(%s) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

// vector is a worked example for client implementations: Token is signed
// with Key (hex); Nonce is the first decimal solution counting from 0; SHA256
// is the digest of Token||Nonce.
type vector struct {
	Key        string `json:"key"`
	ID         string `json:"id"`
	Difficulty int    `json:"difficulty"`
	Expires    int64  `json:"expires"`
	Token      string `json:"token"`
	Nonce      string `json:"nonce"`
	SHA256     string `json:"sha256"`
}

func TestVectors(t *testing.T) {
	var vs []vector
	if *update {
		for _, d := range []int{1, 8, 12, 16} {
			key := sha256.Sum256([]byte("watchword pow test key " + strconv.Itoa(d)))
			id := sha256.Sum256([]byte("id " + strconv.Itoa(d)))
			vs = append(vs, vector{Key: hex.EncodeToString(key[:]), ID: hex.EncodeToString(id[:16]), Difficulty: d, Expires: 1_750_000_000})
		}
	} else {
		b, err := os.ReadFile("testdata/vectors.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &vs); err != nil {
			t.Fatal(err)
		}
		if len(vs) == 0 {
			t.Fatal("no vectors")
		}
	}
	for i := range vs {
		v := &vs[i]
		t.Run(strconv.Itoa(v.Difficulty), func(t *testing.T) {
			key, _ := hex.DecodeString(v.Key)
			exp := time.Unix(v.Expires, 0)
			s := newService(t, key, v.Difficulty, &clock{exp.Add(-time.Minute)})
			ch := s.sign(v.ID, v.Difficulty, exp)
			nonce, err := Solve(context.Background(), ch.Token)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(ch.Token + nonce))
			if *update {
				v.Token, v.Nonce, v.SHA256 = ch.Token, nonce, hex.EncodeToString(sum[:])
				return
			}
			if ch.Token != v.Token {
				t.Errorf("token = %s, expect: %s", ch.Token, v.Token)
			}
			if nonce != v.Nonce || hex.EncodeToString(sum[:]) != v.SHA256 {
				t.Errorf("nonce %s sha256 %x, expect: %s %s", nonce, sum, v.Nonce, v.SHA256)
			}
			if _, err := s.Verify(v.Token, v.Nonce); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
	if *update {
		b, _ := json.MarshalIndent(vs, "", "  ")
		if err := os.WriteFile("testdata/vectors.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzVerify checks that Verify never panics on hostile input and never
// accepts a token this key did not sign.
func FuzzVerify(f *testing.F) {
	c := &clock{time.Unix(1_700_000_000, 0)}
	s := newService(f, GenerateKey(), 1, c)
	seeds := []string{s.Issue().Token, s.Issue().Token, "v1.....", "", "v1.00000000000000000000000000000000.1.1700000300.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
	issued := map[string]bool{}
	for _, tok := range seeds {
		issued[tok] = true
		f.Add(tok, "0")
		f.Add(tok, "1")
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, token, nonce string) {
		ch, err := s.Verify(token, nonce)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrExpired) && !errors.Is(err, ErrNoWork) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if !issued[token] || ch.Token != token {
			t.Fatalf("accepted a token that was not issued: %q", token)
		}
	})
}

func BenchmarkSolve16(b *testing.B) {
	s := newService(b, GenerateKey(), 16, &clock{time.Now()})
	for b.Loop() {
		Solve(context.Background(), s.Issue().Token)
	}
}
