package policy

import (
	"crypto/rand"
	"errors"
	"io"
	"math"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// seeded returns a deterministic random source, so the statistical tests
// give the same answer on every run and never flake.
func seeded(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return mrand.NewChaCha8(s)
}

// biasedReader is a deliberately broken source: it clears the lowest bit of
// a quarter of its bytes, so even values come out 5/8 of the time.
type biasedReader struct{ r io.Reader }

func (b biasedReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var coin [1]byte
	for i := range p[:n] {
		if _, err := io.ReadFull(b.r, coin[:]); err != nil {
			return 0, err
		}
		if coin[0] < 64 {
			p[i] &^= 1
		}
	}
	return n, err
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

// chiSquare returns Pearson's statistic of counts against a uniform
// distribution over len(counts) categories.
func chiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	want := float64(total) / float64(len(counts))
	var x float64
	for _, c := range counts {
		d := float64(c) - want
		x += d * d / want
	}
	return x
}

// chiSquareCritical returns the value a chi-square variable with df degrees
// of freedom exceeds with probability about alpha, by the Wilson–Hilferty
// approximation (accurate to well under 1% for the df used here).
func chiSquareCritical(df int, alpha float64) float64 {
	z := zScore(alpha)
	k := float64(df)
	h := 2 / (9 * k)
	return k * math.Pow(1-h+z*math.Sqrt(h), 3)
}

// zScore returns z with P(Z > z) = alpha for a standard normal Z, by
// bisection on the complementary error function.
func zScore(alpha float64) float64 {
	lo, hi := 0.0, 10.0
	for range 100 {
		mid := (lo + hi) / 2
		if 0.5*math.Erfc(mid/math.Sqrt2) > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// alpha is the false-alarm rate of the bias tests: a uniform source fails
// one in 10,000 runs. With the seeded sources the outcome is fixed.
const alpha = 1e-4

func TestChiSquareCritical(t *testing.T) {
	// Reference values: the exact quantiles, from the series for the
	// regularised incomplete gamma function.
	for _, tt := range []struct {
		df    int
		alpha float64
		want  float64
	}{{9, 0.001, 27.877}, {25, 0.001, 52.620}, {93, 0.001, 140.893}, {100, 0.0001, 161.319}} {
		got := chiSquareCritical(tt.df, tt.alpha)
		if math.Abs(got-tt.want)/tt.want > 0.01 {
			t.Errorf("critical(df=%d, alpha=%g) = %.3f, want %.3f", tt.df, tt.alpha, got, tt.want)
		}
	}
}

func TestIntnUniform(t *testing.T) {
	for _, tt := range []struct {
		n, perBucket int
	}{{2, 2000}, {3, 2000}, {7, 2000}, {10, 2000}, {26, 1000}, {94, 500}, {1000, 100}, {WordlistSize, 40}} {
		g := NewGenerator(seeded(byte(tt.n)), testWords())
		counts := make([]int, tt.n)
		for range tt.n * tt.perBucket {
			v, err := g.intn(tt.n)
			if err != nil {
				t.Fatal(err)
			}
			counts[v]++
		}
		x, crit := chiSquare(counts), chiSquareCritical(tt.n-1, alpha)
		if x > crit {
			t.Errorf("intn(%d): chi-square %.1f > %.1f: biased", tt.n, x, crit)
		}
	}
}

func TestIntnUniformCryptoRand(t *testing.T) {
	// The production source, with a stricter threshold since it is not
	// reproducible: a correct generator fails here once in a million runs.
	const n = 94
	g := NewGenerator(rand.Reader, testWords())
	counts := make([]int, n)
	for range n * 500 {
		v, err := g.intn(n)
		if err != nil {
			t.Fatal(err)
		}
		counts[v]++
	}
	if x, crit := chiSquare(counts), chiSquareCritical(n-1, 1e-6); x > crit {
		t.Errorf("chi-square %.1f > %.1f: biased", x, crit)
	}
}

// The same test must fail for a biased generator, or it proves nothing.
func TestChiSquareDetectsBias(t *testing.T) {
	t.Run("modulo reduction of a byte", func(t *testing.T) {
		// 256 = 2·94 + 68: indexes below 68 get three bytes, the rest two.
		const n = 94
		r := seeded(1)
		counts := make([]int, n)
		var b [1]byte
		for range n * 500 {
			io.ReadFull(r, b[:])
			counts[int(b[0])%n]++
		}
		if x, crit := chiSquare(counts), chiSquareCritical(n-1, alpha); x <= crit {
			t.Fatalf("chi-square %.1f <= %.1f: the test missed modulo bias", x, crit)
		}
	})
	t.Run("biased source", func(t *testing.T) {
		const n = 10
		g := NewGenerator(biasedReader{seeded(2)}, testWords())
		counts := make([]int, n)
		for range n * 2000 {
			v, err := g.intn(n)
			if err != nil {
				t.Fatal(err)
			}
			counts[v]++
		}
		if x, crit := chiSquare(counts), chiSquareCritical(n-1, alpha); x <= crit {
			t.Fatalf("chi-square %.1f <= %.1f: the test missed a biased source", x, crit)
		}
	})
}

func TestPasswordUniformWithinSets(t *testing.T) {
	// Conditioning on "contains every set" shifts how often each set appears,
	// but within a set every character must stay equally likely.
	g := NewGenerator(seeded(3), testWords())
	o := PasswordOptions{Length: 16, Lower: true, Upper: true, Digits: true, Symbols: true}
	counts := map[string][]int{}
	sets := o.sets()
	for _, s := range sets {
		counts[s] = make([]int, len(s))
	}
	for range 6000 {
		pw, err := g.Password(o)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(pw); i++ {
			for _, s := range sets {
				if j := strings.IndexByte(s, pw[i]); j >= 0 {
					counts[s][j]++
				}
			}
		}
	}
	for _, s := range sets {
		if x, crit := chiSquare(counts[s]), chiSquareCritical(len(s)-1, alpha); x > crit {
			t.Errorf("set %q: chi-square %.1f > %.1f", s, x, crit)
		}
	}
}

func TestPassphraseUniform(t *testing.T) {
	g := NewGenerator(seeded(4), testWords())
	index := map[string]int{}
	for i, w := range testWords() {
		index[w] = i
	}
	counts := make([]int, WordlistSize)
	o := PassphraseOptions{Words: 8, Separator: " "}
	for range WordlistSize * 30 / o.Words {
		pp, err := g.Passphrase(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range strings.Split(pp, " ") {
			i, ok := index[w]
			if !ok {
				t.Fatalf("word %q is not on the list", w)
			}
			counts[i]++
		}
	}
	if x, crit := chiSquare(counts), chiSquareCritical(WordlistSize-1, alpha); x > crit {
		t.Errorf("chi-square %.1f > %.1f", x, crit)
	}
}

func TestPassword(t *testing.T) {
	tests := []struct {
		name    string
		o       PasswordOptions
		allowed string
	}{
		{"all sets", DefaultPassword, lowerSet + upperSet + digitSet + symbolSet},
		{"shortest with four sets", PasswordOptions{Length: 4, Lower: true, Upper: true, Digits: true, Symbols: true}, lowerSet + upperSet + digitSet + symbolSet},
		{"digits only", PasswordOptions{Length: 6, Digits: true}, digitSet},
		{"longest", PasswordOptions{Length: MaxPasswordLength, Lower: true, Upper: true}, lowerSet + upperSet},
		{"no lookalikes", PasswordOptions{Length: 64, Lower: true, Upper: true, Digits: true, Symbols: true, NoLookalikes: true},
			strings.Map(func(c rune) rune {
				if strings.ContainsRune(lookalikes, c) {
					return -1
				}
				return c
			}, lowerSet+upperSet+digitSet+symbolSet)},
	}
	g := NewGenerator(seeded(5), testWords())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				pw, err := g.Password(tt.o)
				if err != nil {
					t.Fatal(err)
				}
				if len(pw) != tt.o.Length {
					t.Fatalf("%q has length %d, want %d", pw, len(pw), tt.o.Length)
				}
				for _, c := range pw {
					if !strings.ContainsRune(tt.allowed, c) {
						t.Fatalf("%q holds %q, not allowed", pw, c)
					}
				}
				if !hasEvery([]byte(pw), tt.o.sets()) {
					t.Fatalf("%q misses a chosen set", pw)
				}
			}
		})
	}
}

func TestGeneratorOptionErrors(t *testing.T) {
	g := NewGenerator(seeded(6), testWords())
	for _, tt := range []struct {
		name string
		o    PasswordOptions
	}{
		{"no sets", PasswordOptions{Length: 20}},
		{"too short", PasswordOptions{Length: MinPasswordLength - 1, Lower: true}},
		{"too long", PasswordOptions{Length: MaxPasswordLength + 1, Lower: true}},
		{"shorter than the sets", PasswordOptions{Length: 4, Lower: true, Upper: true, Digits: true, Symbols: true, NoLookalikes: true}}, // fine: 4 sets
		{"negative", PasswordOptions{Length: -1, Lower: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.Password(tt.o)
			if tt.name == "shorter than the sets" {
				if err != nil {
					t.Fatalf("length equal to the number of sets: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrOptions) {
				t.Fatalf("err = %v, want ErrOptions", err)
			}
		})
	}
	for _, tt := range []struct {
		name string
		o    PassphraseOptions
	}{
		{"too few words", PassphraseOptions{Words: MinWords - 1}},
		{"too many words", PassphraseOptions{Words: MaxWords + 1}},
		{"long separator", PassphraseOptions{Words: 5, Separator: "123456789"}},
		{"invalid separator", PassphraseOptions{Words: 5, Separator: "\xff"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := g.Passphrase(tt.o); !errors.Is(err, ErrOptions) {
				t.Fatalf("err = %v, want ErrOptions", err)
			}
		})
	}
	t.Run("random source fails", func(t *testing.T) {
		g := NewGenerator(errReader{}, testWords())
		if _, err := g.Password(DefaultPassword); err == nil || errors.Is(err, ErrOptions) {
			t.Fatalf("err = %v, want a read error", err)
		}
		if _, err := g.Passphrase(DefaultPassphrase); err == nil {
			t.Fatal("no error from a failing source")
		}
	})
}

func TestPassphrase(t *testing.T) {
	g := NewGenerator(seeded(7), testWords())
	for range 200 {
		pp, err := g.Passphrase(DefaultPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		words := strings.Split(pp, "-")
		// Four words of the list contain a hyphen themselves ("t-shirt").
		if len(words) < DefaultPassphrase.Words {
			t.Fatalf("%q has %d parts", pp, len(words))
		}
		digits := 0
		for _, c := range pp {
			if unicode.IsDigit(c) {
				digits++
			}
		}
		if digits != 1 {
			t.Fatalf("%q has %d digits, want 1", pp, digits)
		}
		if !unicode.IsUpper(rune(pp[0])) {
			t.Fatalf("%q is not capitalised", pp)
		}
	}
}

func TestGenerateForPolicy(t *testing.T) {
	g := NewGenerator(seeded(8), testWords())
	for _, p := range []Policy{Account(), Master()} {
		t.Run(p.ID, func(t *testing.T) {
			for range 50 {
				pw, err := g.PasswordFor(p, DefaultPassword, Context{Common: testCommon()})
				if err != nil {
					t.Fatal(err)
				}
				if res := Check(p, pw, Context{Common: testCommon()}); !res.OK {
					t.Fatalf("%q fails %v", pw, res.Failed())
				}
				pp, err := g.PassphraseFor(p, DefaultPassphrase, Context{Common: testCommon()})
				if err != nil {
					t.Fatal(err)
				}
				if res := Check(p, pp, Context{Common: testCommon()}); !res.OK {
					t.Fatalf("%q fails %v", pp, res.Failed())
				}
			}
		})
	}
	t.Run("options that cannot satisfy the policy", func(t *testing.T) {
		_, err := g.PasswordFor(Account(), PasswordOptions{Length: 20, Lower: true, Upper: true}, Context{Common: testCommon()})
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "digit") {
			t.Fatalf("err = %v, want ErrOptions naming the digit rule", err)
		}
		_, err = g.PassphraseFor(Account(), PassphraseOptions{Words: 3, Separator: " "}, Context{Common: testCommon()})
		if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "no_spaces") {
			t.Fatalf("err = %v, want ErrOptions naming no_spaces", err)
		}
	})
	t.Run("crypto/rand", func(t *testing.T) {
		pw, err := GeneratePassword(DefaultPassword)
		if err != nil || !Check(Account(), pw, Context{Common: testCommon()}).OK {
			t.Fatalf("GeneratePassword = %q, %v", pw, err)
		}
		pp, err := NewGenerator(rand.Reader, testWords()).Passphrase(DefaultPassphrase)
		if err != nil || !Check(Master(), pp, Context{Common: testCommon()}).OK {
			t.Fatalf("GeneratePassphrase = %q, %v", pp, err)
		}
	})
}

func TestGeneratorDeterministic(t *testing.T) {
	a, _ := NewGenerator(seeded(9), testWords()).Password(DefaultPassword)
	b, _ := NewGenerator(seeded(9), testWords()).Password(DefaultPassword)
	c, _ := NewGenerator(seeded(10), testWords()).Password(DefaultPassword)
	if a != b || a == c {
		t.Fatalf("same seed gave %q and %q; other seed %q", a, b, c)
	}
}
