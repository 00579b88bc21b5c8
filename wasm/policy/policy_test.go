package policy

import (
	"embed"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"watchword/wasm/api"
)

//go:embed testdata/policies/*.json
var seedPolicies embed.FS

func readSeed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := seedPolicies.ReadFile("testdata/policies/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// statuses returns "id=status" for every rule, for compact comparisons.
func statuses(r Result) []string {
	var out []string
	for _, rr := range r.Rules {
		out = append(out, rr.ID+"="+string(rr.Status))
	}
	return out
}

func TestDefaultsValid(t *testing.T) {
	for _, p := range []Policy{Account(), Master()} {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
		for _, r := range p.Rules {
			if !r.Supported() {
				t.Errorf("%s: rule %s unsupported", p.ID, r.ID)
			}
		}
	}
}

func TestCheckUnvalidatedRule(t *testing.T) {
	p := Policy{ID: "p", Rules: []Rule{{ID: "digit", Kind: KindCharClass, Class: ClassDigit, Label: "A digit"}}}
	if res := Check(p, "abc", Context{Common: testCommon()}); res.OK || res.Rules[0].Status != Unchecked {
		t.Fatalf("a char_class rule with min 0 = %v, want unchecked", statuses(res))
	}
}

func TestAccountRules(t *testing.T) {
	// Each case but the first fails exactly the rule named in fail.
	tests := []struct {
		name     string
		password string
		fail     string // "" means every rule passes
	}{
		{"all pass", "Correct7Horse", ""},
		{"exactly 8", "Abcdef1g", ""},
		{"min_length alone", "Abcde1g", "min_length"},
		{"digit alone", "Abcdefgh", "digit"},
		{"lower_latin alone", "ABCDEFG1", "lower_latin"},
		{"upper_latin alone", "abcdefg1", "upper_latin"},
		{"no_spaces alone", "Abc def1", "no_spaces"},
		{"no_spaces tab", "Abc\tdef1", "no_spaces"},
		{"no_spaces no-break space", "Abc\u00a0def1", "no_spaces"},
		{"no_spaces ideographic space", "Abc\u3000def1", "no_spaces"},
		{"no_spaces line separator", "Abc\u2028def1", "no_spaces"},
		{"no_spaces leading", " Abcdef1", "no_spaces"},
		{"runes not bytes: 7 accented", "Ééééé1é", "min_length"},
		{"runes not bytes: 8 accented", "Éééééé1é", ""},
		{"combining mark counts as a character", "Abcde\u0301f1", ""},
		{"combining mark short", "Abce\u0301f1", "min_length"},
		{"accented Latin counts as Latin", "ÀÉÎõüñ12", ""},
		{"Cyrillic is not Latin lower", "ПАРОЛЬа1X", "lower_latin"},
		{"Cyrillic is not Latin upper", "парольр1x", "upper_latin"},
		{"Cyrillic lookalike a", "\u0430BCDEFG1", "lower_latin"},
		{"Greek is not Latin", "Σίσυφος1a", "upper_latin"},
		{"Arabic-Indic digit is a digit", "Abcdefg\u0663", ""},
		{"emoji count as characters", "🔑🔑🔑🔑Ab1x", ""},
		{"empty", "", ""},
	}
	p := Account()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Check(p, tt.password, Context{Common: testCommon()})
			if tt.name == "empty" {
				// Everything but no_spaces fails on an empty password.
				want := []string{"min_length", "digit", "lower_latin", "upper_latin"}
				if !slices.Equal(res.Failed(), want) || res.OK {
					t.Fatalf("Failed() = %v, OK = %v; want %v, false", res.Failed(), res.OK, want)
				}
				return
			}
			var want []string
			if tt.fail != "" {
				want = []string{tt.fail}
			}
			if got := res.Failed(); !slices.Equal(got, want) {
				t.Fatalf("Failed() = %v, want %v (%v)", got, want, statuses(res))
			}
			if res.OK != (tt.fail == "") {
				t.Fatalf("OK = %v, want %v", res.OK, tt.fail == "")
			}
			if len(res.Rules) != len(p.Rules) {
				t.Fatalf("got %d rule results, want %d", len(res.Rules), len(p.Rules))
			}
			for i, rr := range res.Rules {
				if rr.ID != p.Rules[i].ID || rr.Label != p.Rules[i].Label || rr.Kind != p.Rules[i].Kind {
					t.Errorf("rule %d = %+v, want id/kind/label of %+v", i, rr, p.Rules[i])
				}
			}
		})
	}
}

func TestMasterRules(t *testing.T) {
	tests := []struct {
		name     string
		password string
		fail     string
	}{
		{"passphrase with spaces", "correct horse battery", ""},
		{"any script", "пароль пароль 日本", ""},
		{"no composition rules", "zqxjvwkpmbtn", ""},
		{"min_length alone", "short words", "min_length"},
		{"exactly 12", "twelve chars", ""},
		{"not_common alone", "cheeseburger", "not_common"},
		{"not_common ignores case", "CheeseBurger", "not_common"},
		{"not_common long digits", "123456789012", "not_common"},
		{"both", "password", "min_length,not_common"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Check(Master(), tt.password, Context{Common: testCommon()})
			if got := strings.Join(res.Failed(), ","); got != tt.fail {
				t.Fatalf("Failed() = %q, want %q (%v)", got, tt.fail, statuses(res))
			}
			if res.OK != (tt.fail == "") {
				t.Fatalf("OK = %v", res.OK)
			}
		})
	}
}

func TestOtherRules(t *testing.T) {
	rule := func(k Kind, min, max int, c Class) Policy {
		return Policy{ID: "p", Rules: []Rule{{ID: "r", Kind: k, Label: "r", Min: min, Max: max, Class: c}}}
	}
	tests := []struct {
		name     string
		p        Policy
		password string
		want     Status
	}{
		{"max_length pass", rule(KindMaxLength, 0, 4, ""), "abcd", Pass},
		{"max_length runes", rule(KindMaxLength, 0, 4, ""), "éééé", Pass},
		{"max_length fail", rule(KindMaxLength, 0, 4, ""), "abcde", Fail},
		{"letter any script", rule(KindCharClass, 2, 0, ClassLetter), "日本12", Pass},
		{"letter fail", rule(KindCharClass, 2, 0, ClassLetter), "a123", Fail},
		{"symbol punctuation", rule(KindCharClass, 1, 0, ClassSymbol), "abc!", Pass},
		{"symbol currency", rule(KindCharClass, 1, 0, ClassSymbol), "abc€", Pass},
		{"symbol fail", rule(KindCharClass, 1, 0, ClassSymbol), "abc 1", Fail},
		{"digit count", rule(KindCharClass, 3, 0, ClassDigit), "a1b2", Fail},
		{"unknown class", rule(KindCharClass, 1, 0, "emoji"), "🔑", Unchecked},
		{"unknown kind", rule("max_repeat", 0, 3, ""), "aaaa", Unchecked},
		{"min_strength without estimator", rule(KindMinStrength, 3, 0, ""), "x", Unchecked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Check(tt.p, tt.password, Context{Common: testCommon()})
			if got := res.Rules[0].Status; got != tt.want {
				t.Fatalf("status = %s, want %s", got, tt.want)
			}
			if res.OK != (tt.want == Pass) {
				t.Fatalf("OK = %v", res.OK)
			}
		})
	}
}

// fixedEstimator returns a fixed score and records what it was asked.
type fixedEstimator struct {
	score    int
	password string
	inputs   []string
}

func (e *fixedEstimator) Estimate(password string, inputs []string) Strength {
	e.password, e.inputs = password, inputs
	return Strength{Score: e.score}
}

func TestMinStrengthWithEstimator(t *testing.T) {
	p := Policy{ID: "p", Rules: []Rule{{ID: "s", Kind: KindMinStrength, Min: 3, Label: "Hard to guess"}}}
	for _, tt := range []struct {
		score int
		want  Status
	}{{2, Fail}, {3, Pass}, {4, Pass}, {9, Pass}, {-1, Fail}} {
		e := &fixedEstimator{score: tt.score}
		res := Check(p, "whatever", Context{Common: testCommon(), Estimator: e})
		if res.Rules[0].Status != tt.want {
			t.Errorf("score %d: status %s, want %s", tt.score, res.Rules[0].Status, tt.want)
		}
		if s := res.Strength.Score; s < 0 || s > MaxScore {
			t.Errorf("score %d not clamped: %d", tt.score, s)
		}
	}
}

func TestCheckTruncatesEstimate(t *testing.T) {
	e := &fixedEstimator{}
	long := strings.Repeat("é", 10*MaxEstimateLength)
	res := Check(Master(), long, Context{Common: testCommon(), Estimator: e, Email: "ann@example.com"})
	if n := len([]rune(e.password)); n != MaxEstimateLength {
		t.Fatalf("estimator saw %d characters, want %d", n, MaxEstimateLength)
	}
	if !res.OK {
		t.Fatalf("a long password failed: %v", statuses(res))
	}
}

func TestUserInputs(t *testing.T) {
	tests := []struct {
		email  string
		inputs []string
		want   []string
	}{
		{"john.smith+1990@example.com", nil, []string{"john.smith+1990", "john", "smith", "1990", "watchword"}},
		{"Alice@Example.com", nil, []string{"alice", "watchword"}},
		{"al@example.com", nil, []string{"watchword"}},
		{"jo_x99@a.b", nil, []string{"jo_x99", "watchword"}},
		{"no-at-sign", nil, []string{"no-at-sign", "sign", "watchword"}},
		{"\"a@b\"@example.com", nil, []string{"\"a@b\""}},
		{"", []string{"Mary Jane", "mj"}, []string{"mary jane", "mary", "jane", "watchword"}},
		{"", nil, []string{"watchword"}},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			got := UserInputs(tt.email, tt.inputs)
			if tt.email == "\"a@b\"@example.com" {
				// Only the first member is pinned: the quoted local part stays whole.
				if got[0] != tt.want[0] {
					t.Fatalf("got %q, want first %q", got, tt.want[0])
				}
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("UserInputs(%q, %q) = %q, want %q", tt.email, tt.inputs, got, tt.want)
			}
		})
	}
	t.Run("bounded", func(t *testing.T) {
		var many []string
		for i := range 100 {
			many = append(many, strings.Repeat(string(rune('a'+i%26)), 3+i)+strings.Repeat("z", 200))
		}
		got := UserInputs("", many)
		if len(got) > maxInputs {
			t.Fatalf("%d inputs, want at most %d", len(got), maxInputs)
		}
		for _, w := range got {
			if n := len([]rune(w)); n > maxInputLength {
				t.Fatalf("input of %d characters", n)
			}
		}
	})
}

func TestResultErr(t *testing.T) {
	res := Check(Account(), "abc", Context{Common: testCommon()})
	err := res.Err()
	var e *api.Error
	if !errors.As(err, &e) || e.Code != api.CodeInvalid {
		t.Fatalf("Err() = %v, want an api.Error with code %s", err, api.CodeInvalid)
	}
	if want := []string{"min_length", "digit", "upper_latin"}; !slices.Equal(e.Details, want) {
		t.Fatalf("Details = %v, want %v", e.Details, want)
	}
	if err := Check(Account(), "Correct7Horse", Context{Common: testCommon()}).Err(); err != nil {
		t.Fatalf("Err() on a passing password = %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, p := range []Policy{Account(), Master()} {
		t.Run(p.ID, func(t *testing.T) {
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(%s): %v", b, err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Fatalf("round trip changed the policy:\n got %+v\nwant %+v", got, p)
			}
		})
	}
	for _, name := range []string{"account.json", "master.json", "newer.json"} {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(readSeed(t, name))
			if err != nil {
				t.Fatal(err)
			}
			b1, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := Parse(b1)
			if err != nil {
				t.Fatalf("Parse(Marshal(p)): %v", err)
			}
			b2, _ := json.Marshal(p2)
			if string(b1) != string(b2) {
				t.Fatalf("encoding not stable:\n%s\n%s", b1, b2)
			}
		})
	}
	t.Run("account.json is the default", func(t *testing.T) {
		p, err := Parse(readSeed(t, "account.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, Account()) {
			t.Fatalf("got %+v, want Account()", p)
		}
	})
}

func TestUnknownRules(t *testing.T) {
	p, err := Parse(readSeed(t, "newer.json"))
	if err != nil {
		t.Fatalf("a policy from a newer server must parse: %v", err)
	}
	want := map[string]bool{"min_length": true, "max_length": true, "no_repeats": false, "emoji": false, "digits": false, "symbol": true}
	for _, r := range p.Rules {
		if r.Supported() != want[r.ID] {
			t.Errorf("rule %s: Supported() = %v, want %v", r.ID, r.Supported(), want[r.ID])
		}
	}

	// Every supported rule passes, and still the result is not OK.
	res := Check(p, "Abcdefgh12!x", Context{Common: testCommon()})
	wantSt := []string{"min_length=pass", "max_length=pass", "no_repeats=unchecked", "emoji=unchecked", "digits=unchecked", "symbol=pass"}
	if got := statuses(res); !slices.Equal(got, wantSt) {
		t.Fatalf("statuses = %v, want %v", got, wantSt)
	}
	if res.OK {
		t.Fatal("OK with unchecked rules: an old client must not promise what it cannot check")
	}
	var e *api.Error
	if !errors.As(res.Err(), &e) || e.Code != api.CodeUnsupported || !slices.Equal(e.Details, []string{"no_repeats", "emoji", "digits"}) {
		t.Fatalf("Err() = %#v, want unsupported with the unchecked ids", res.Err())
	}

	// A failure wins over unchecked rules in Err.
	res = Check(p, "Ab1!", Context{Common: testCommon()})
	if !errors.As(res.Err(), &e) || e.Code != api.CodeInvalid || !slices.Equal(e.Details, []string{"min_length"}) {
		t.Fatalf("Err() = %#v, want invalid [min_length]", res.Err())
	}

	// Unknown members survive a round trip, so nothing a newer server said is lost.
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"chars":["a","b"]`, `"per_script":true`, `"class":"emoji"`, `"kind":"max_repeat"`, `"max":3`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("re-encoded policy lost %s: %s", s, b)
		}
	}
}

func TestParseErrors(t *testing.T) {
	rule := `{"id":"r","kind":"min_length","min":8,"label":"L"}`
	tests := []struct {
		name string
		in   string
	}{
		{"not JSON", `{`},
		{"null", `null`},
		{"array", `[]`},
		{"no id", `{"rules":[` + rule + `]}`},
		{"no rules", `{"id":"p","rules":[]}`},
		{"rules null", `{"id":"p","rules":null}`},
		{"rule null", `{"id":"p","rules":[null]}`},
		{"rule not an object", `{"id":"p","rules":[1]}`},
		{"duplicate rule id", `{"id":"p","rules":[` + rule + `,` + rule + `]}`},
		{"rule without id", `{"id":"p","rules":[{"kind":"no_space","label":"L"}]}`},
		{"rule without kind", `{"id":"p","rules":[{"id":"r","label":"L"}]}`},
		{"rule without label", `{"id":"p","rules":[{"id":"r","kind":"no_space"}]}`},
		{"min_length without min", `{"id":"p","rules":[{"id":"r","kind":"min_length","label":"L"}]}`},
		{"min_length negative", `{"id":"p","rules":[{"id":"r","kind":"min_length","min":-1,"label":"L"}]}`},
		{"min_length huge", `{"id":"p","rules":[{"id":"r","kind":"min_length","min":100000,"label":"L"}]}`},
		{"min as string", `{"id":"p","rules":[{"id":"r","kind":"min_length","min":"8","label":"L"}]}`},
		{"min as float", `{"id":"p","rules":[{"id":"r","kind":"min_length","min":8.5,"label":"L"}]}`},
		{"max_length zero", `{"id":"p","rules":[{"id":"r","kind":"max_length","max":0,"label":"L"}]}`},
		{"char_class without class", `{"id":"p","rules":[{"id":"r","kind":"char_class","label":"L"}]}`},
		{"char_class min zero", `{"id":"p","rules":[{"id":"r","kind":"char_class","class":"digit","min":0,"label":"L"}]}`},
		{"min_strength over 4", `{"id":"p","rules":[{"id":"r","kind":"min_strength","min":5,"label":"L"}]}`},
		{"trailing data", `{"id":"p","rules":[` + rule + `]} {}`},
		{"trailing brace", `{"id":"p","rules":[` + rule + `]}}`},
		{"trailing bracket", `{"id":"p","rules":[` + rule + `]}]`},
		{"id too long", `{"id":"` + strings.Repeat("x", MaxIDLength+1) + `","rules":[` + rule + `]}`},
		{"too many rules", `{"id":"p","rules":[` + manyRules(MaxRules+1) + `]}`},
		{"too large", `{"id":"p","pad":"` + strings.Repeat("x", MaxPolicySize) + `","rules":[` + rule + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v, want an error wrapping ErrMalformed", err)
			}
		})
	}
	t.Run("max rules accepted", func(t *testing.T) {
		if _, err := Parse([]byte(`{"id":"p","rules":[` + manyRules(MaxRules) + `]}`)); err != nil {
			t.Fatal(err)
		}
	})
}

func manyRules(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"r` + strings.Repeat("x", i) + `","kind":"no_space","label":"L"}`)
	}
	return b.String()
}
