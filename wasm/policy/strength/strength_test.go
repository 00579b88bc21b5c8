package strength

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"watchword/wasm/policy"
)

func estimate(password, email string) policy.Strength {
	return *policy.Check(policy.Master(), password, policy.Context{Email: email, Estimator: Estimator{}}).Strength
}

func codes(notes []policy.Note) []string {
	var c []string
	for _, n := range notes {
		c = append(c, n.Code)
	}
	return c
}

func TestEmailLocalPartLowersScore(t *testing.T) {
	tests := []struct {
		name, password, email string
	}{
		{"whole local part", "Qzvorpal#2931", "qzvorpal@example.com"},
		{"a part split at a dot", "Vorpalwump2024!", "vorpalwump.k@example.com"},
		{"parts split at a dot", "zorblaxquintessa", "zorblax.quintessa@example.org"},
		{"a part split at a digit", "xylobrantic!!", "xylobrantic1987@example.net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			without := estimate(tt.password, "someone@example.com")
			with := estimate(tt.password, tt.email)
			if with.Score >= without.Score || with.EntropyBits >= without.EntropyBits {
				t.Fatalf("with %s: score %d, %.1f bits; without: score %d, %.1f bits; want lower with",
					tt.email, with.Score, with.EntropyBits, without.Score, without.EntropyBits)
			}
			if !slices.Contains(codes(with.Warnings), "user_inputs") {
				t.Fatalf("warnings %v lack user_inputs", codes(with.Warnings))
			}
		})
	}
}

func TestProductNamePenalised(t *testing.T) {
	if s := estimate("Watchword2025", ""); s.Score > 1 || !slices.Contains(codes(s.Warnings), "user_inputs") {
		t.Fatalf("score %d, warnings %v: the product name must count as guessable", s.Score, codes(s.Warnings))
	}
}

func TestEstimate(t *testing.T) {
	tests := []struct {
		password    string
		minScore    int
		maxScore    int
		warning     string // "" means none
		suggestions []string
	}{
		{"", 0, 0, "", []string{"use_words", "no_need_for_symbols"}},
		{"password", 0, 0, "top10", []string{"add_word"}},
		{"Password", 0, 0, "top10", []string{"add_word", "capitalization"}},
		{"PASSWORD", 0, 0, "top10", []string{"add_word", "all_uppercase"}},
		{"p@ssw0rd", 0, 0, "top10", []string{"add_word", "substitution"}},
		{"qwertyuiop", 0, 0, "common", []string{"add_word"}},
		{"123456", 0, 0, "top10", []string{"add_word"}},
		{"john", 0, 0, "names_by_themselves", []string{"add_word"}},
		{"johnsmith", 0, 0, "common_names", []string{"add_word"}},
		{"aaaaaaaaaa", 0, 0, "repeat_single", []string{"add_word", "avoid_repeats"}},
		{"abcdefghij", 0, 0, "sequence", []string{"add_word", "avoid_sequences"}},
		{"Tr0ub4dour&3", 1, 2, "", nil},
		{"correct horse battery staple", 4, 4, "", nil},
		{"qU7#vL9!mZ2$", 4, 4, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			s := Estimator{}.Estimate(tt.password, nil)
			if s.Score < tt.minScore || s.Score > tt.maxScore {
				t.Fatalf("score %d, want %d–%d", s.Score, tt.minScore, tt.maxScore)
			}
			var wantW []string
			if tt.warning != "" {
				wantW = []string{tt.warning}
			}
			if got := codes(s.Warnings); !slices.Equal(got, wantW) {
				t.Errorf("warnings %v, want %v", got, wantW)
			}
			if tt.suggestions != nil {
				if got := codes(s.Suggestions); !slices.Equal(got, tt.suggestions) {
					t.Errorf("suggestions %v, want %v", got, tt.suggestions)
				}
			}
			if s.Score > 2 && (len(s.Warnings) > 0 || len(s.Suggestions) > 0) {
				t.Errorf("feedback for a strong password: %v %v", s.Warnings, s.Suggestions)
			}
			if s.Guesses < 1 || math.Abs(math.Log2(s.Guesses)-s.EntropyBits) > 1e-9 || s.CrackTime == "" {
				t.Errorf("inconsistent estimate %+v", s)
			}
		})
	}
}

func TestStrengthOrdersPasswords(t *testing.T) {
	// Each password is weaker than the next.
	ladder := []string{"password", "Tr0ub4dour&3", "correct horse battery staple"}
	prev := -1.0
	for _, pw := range ladder {
		s := Estimator{}.Estimate(pw, nil)
		if s.EntropyBits <= prev {
			t.Fatalf("%q: %.1f bits, not above the previous %.1f", pw, s.EntropyBits, prev)
		}
		prev = s.EntropyBits
	}
}

func TestCrackTime(t *testing.T) {
	const day, year = 86400.0, 86400.0 * 31 * 12
	for _, tt := range []struct {
		seconds float64
		want    string
	}{
		{0, "less than a second"},
		{math.NaN(), "less than a second"},
		{-5, "less than a second"},
		{1, "1 second"},
		{59, "59 seconds"},
		{90, "2 minutes"},
		{3600, "1 hour"},
		{3 * day, "3 days"},
		{40 * day, "1 month"},
		{5 * year, "5 years"},
		{99 * year, "99 years"},
		{100 * year, "centuries"},
		{math.Inf(1), "centuries"},
	} {
		if got := CrackTime(tt.seconds); got != tt.want {
			t.Errorf("CrackTime(%g) = %q, want %q", tt.seconds, got, tt.want)
		}
	}
}

func TestHostileInputs(t *testing.T) {
	// None of these may panic or take long; Check caps the length.
	inputs := []string{
		strings.Repeat("a", 10000),
		strings.Repeat("4@8({[<3!|1+0$5%7", 200),
		strings.Repeat("é", 1000),
		strings.Repeat("\xff", 300),
		"\x00\x00\x00",
		strings.Repeat("1/1/1990", 100),
		strings.Repeat("🔑", 500),
	}
	for _, pw := range inputs {
		res := policy.Check(policy.Master(), pw, policy.Context{Email: pw + "@example.com", Estimator: Estimator{}})
		if res.Strength == nil || res.Strength.Score < 0 || res.Strength.Score > policy.MaxScore {
			t.Fatalf("bad estimate for a %d-byte password: %+v", len(pw), res.Strength)
		}
	}
}

func FuzzEstimate(f *testing.F) {
	for _, s := range []string{"", "password", "p@ssw0rd", "correct horse", "13/3/1997", "aaaa", "é\u0301", "\xff\xfe", "qwerty123"} {
		f.Add(s, "ann.smith@example.com")
	}
	f.Fuzz(func(t *testing.T, password, email string) {
		res := policy.Check(policy.Master(), password, policy.Context{Email: email, Estimator: Estimator{}})
		s := res.Strength
		if s == nil || s.Score < 0 || s.Score > policy.MaxScore || s.CrackTime == "" {
			t.Fatalf("bad estimate %+v", s)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("the result does not encode: %v", err)
		}
		for _, n := range s.Warnings {
			if n.Code == "estimate_failed" {
				t.Fatalf("zxcvbn-go panicked on %q", password)
			}
		}
	})
}

func BenchmarkCheckWithStrength(b *testing.B) {
	est := Estimator{}
	for _, bc := range []struct {
		name     string
		p        policy.Policy
		password string
	}{
		{"account", policy.Account(), "Tr0ub4dour&3x"},
		{"master", policy.Master(), "correct horse battery staple"},
		{"master/256", policy.Master(), strings.Repeat("Xy7!", 64)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := policy.Context{Email: "ann.smith@example.com", Estimator: est}
			for b.Loop() {
				policy.Check(bc.p, bc.password, ctx)
			}
		})
	}
}
