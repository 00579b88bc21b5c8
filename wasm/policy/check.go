package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"watchword/wasm/api"
)

// Status is the outcome of one rule.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Unchecked marks a rule this version cannot check: an unknown kind or
	// class from a newer server, an unknown parameter, or a strength rule
	// with no [Estimator]. It never counts as passed, so [Result.OK] is false;
	// a careful UI shows the rule's label as "checked when you submit" and
	// lets the server, which knows the rule, decide.
	Unchecked Status = "unchecked"
)

// MaxScore is the highest strength score; scores run from 0 (guessed
// almost at once) to 4 (very hard to guess), as in zxcvbn.
const MaxScore = 4

// MaxEstimateLength is how many characters of a password the strength
// estimate looks at. zxcvbn-go's matching grows with the square of the
// length (and more with look-alike substitutions): measured natively, 64
// characters take about 5 ms and 256 take 300 ms, too slow for a meter that
// updates on every keystroke and a gift to anyone sending hostile input. The
// characters past the cap could only add strength, so the estimate errs on
// the safe side; 64 characters hold an eight-word passphrase.
const MaxEstimateLength = 64

// Limits on the user inputs handed to the estimator.
const (
	maxInputs      = 32
	maxInputLength = 64 // characters
	minInputLength = 3  // shorter parts would match nearly every password
)

// productWord is always penalised: a password built on the product's own
// name is among the first an attacker of this product tries.
const productWord = "watchword"

// Strength is a password-strength estimate for a strength meter.
type Strength struct {
	Score        int     `json:"score"`         // 0–MaxScore
	Guesses      float64 `json:"guesses"`       // estimated guesses to find the password
	EntropyBits  float64 `json:"entropy_bits"`  // log2(Guesses)
	CrackSeconds float64 `json:"crack_seconds"` // at the estimator's assumed guessing rate
	CrackTime    string  `json:"crack_time"`    // CrackSeconds in words: "3 hours", "centuries"
	Warnings     []Note  `json:"warnings,omitempty"`
	Suggestions  []Note  `json:"suggestions,omitempty"`
}

// Note is one piece of strength feedback. Code is stable (a UI may translate
// by it); Message is the English text.
type Note struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Estimator estimates password strength. inputs are words tied to the user
// (parts of their email address, the product's name) that make a password
// weaker when it contains them. Estimate must not panic on any input.
//
// The zxcvbn-based estimator lives in the strength subpackage, kept apart so
// that a binary which only checks rules does not link its dictionaries.
type Estimator interface {
	Estimate(password string, inputs []string) Strength
}

// Context is what Check knows about the user besides the password.
type Context struct {
	// Email is the account's email address; its local part and the parts of
	// it are penalised in the strength estimate.
	Email string
	// Inputs are further words to penalise (a name, a site).
	Inputs []string
	// Estimator estimates strength; nil means no estimate (Result.Strength
	// is nil) and min_strength rules are Unchecked.
	Estimator Estimator
	// Common is the common-password list; nil means not_common rules are
	// Unchecked (and Result.Common is false).
	Common *CommonList
}

// RuleResult is one checklist line.
type RuleResult struct {
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	Label  string `json:"label"`
	Status Status `json:"status"`
}

// Result is the outcome of [Check]: every rule in policy order, the overall
// verdict, and the warnings shown beyond the rules.
type Result struct {
	// OK is true when every rule passed. A rule that failed or could not be
	// checked makes it false.
	OK    bool         `json:"ok"`
	Rules []RuleResult `json:"rules"`
	// Common reports that the password is on the common-password list. It is
	// set whatever the policy says, so a UI can warn even where no rule
	// forbids it; it is false when Context had no list.
	Common bool `json:"common"`
	// Strength is the estimate, or nil when Context had no Estimator.
	Strength *Strength `json:"strength,omitempty"`
}

// Check checks password against every rule of p and, when ctx has an
// Estimator, estimates its strength. It never fails: a rule it cannot
// interpret is reported as [Unchecked]. Lengths are counted in Unicode code
// points, not bytes; the password is not normalised, so a letter typed as a
// base letter and a combining mark counts as two characters.
func Check(p Policy, password string, ctx Context) Result {
	res := Result{OK: true, Rules: make([]RuleResult, 0, len(p.Rules))}
	if ctx.Common != nil {
		res.Common = ctx.Common.Contains(password)
	}
	var inputs []string
	if ctx.Estimator != nil {
		inputs = UserInputs(ctx.Email, ctx.Inputs)
		s := ctx.Estimator.Estimate(truncate(password, MaxEstimateLength), inputs)
		s.Score = min(max(s.Score, 0), MaxScore)
		res.Strength = &s
	}
	for _, r := range p.Rules {
		st := checkRule(r, password, res, ctx.Common != nil)
		if st != Pass {
			res.OK = false
		}
		res.Rules = append(res.Rules, RuleResult{ID: r.ID, Kind: r.Kind, Label: r.Label, Status: st})
	}
	return res
}

func checkRule(r Rule, password string, res Result, haveCommon bool) Status {
	// A policy built in code may have skipped Validate; a rule with
	// out-of-range parameters (a char_class with min 0) must not pass
	// vacuously.
	if !r.Supported() || r.validate() != nil {
		return Unchecked
	}
	ok := false
	switch r.Kind {
	case KindMinLength:
		ok = utf8.RuneCountInString(password) >= r.Min
	case KindMaxLength:
		ok = utf8.RuneCountInString(password) <= r.Max
	case KindCharClass:
		ok = countClass(password, r.Class) >= r.Min
	case KindNoSpace:
		ok = strings.IndexFunc(password, unicode.IsSpace) < 0
	case KindNotCommon:
		if !haveCommon {
			return Unchecked
		}
		ok = !res.Common
	case KindMinStrength:
		if res.Strength == nil {
			return Unchecked
		}
		ok = res.Strength.Score >= r.Min
	default:
		return Unchecked
	}
	if ok {
		return Pass
	}
	return Fail
}

// inClass reports whether c belongs to class cl. Latin classes take the
// whole Latin script (so é and Ø count) but no other script: a Cyrillic а
// looks like a Latin a and is not one.
func inClass(c rune, cl Class) bool {
	switch cl {
	case ClassDigit:
		return unicode.IsDigit(c)
	case ClassLowerLatin:
		return unicode.IsLower(c) && unicode.Is(unicode.Latin, c)
	case ClassUpperLatin:
		return unicode.IsUpper(c) && unicode.Is(unicode.Latin, c)
	case ClassLetter:
		return unicode.IsLetter(c)
	case ClassSymbol:
		return unicode.IsPunct(c) || unicode.IsSymbol(c)
	}
	return false
}

func countClass(s string, cl Class) int {
	n := 0
	for _, c := range s {
		if inClass(c, cl) {
			n++
		}
	}
	return n
}

func truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// Failed returns the ids of the rules that failed, in policy order.
func (r Result) Failed() []string { return r.with(Fail) }

// Unchecked returns the ids of the rules that could not be checked.
func (r Result) Unchecked() []string { return r.with(Unchecked) }

func (r Result) with(s Status) []string {
	var ids []string
	for _, rr := range r.Rules {
		if rr.Status == s {
			ids = append(ids, rr.ID)
		}
	}
	return ids
}

// Err returns nil when r.OK, and otherwise an *api.Error for the JSON and
// bridge boundary: [api.CodeInvalid] with the failed rule ids as Details, or
// [api.CodeUnsupported] with the unchecked ids when nothing failed.
func (r Result) Err() error {
	if r.OK {
		return nil
	}
	if failed := r.Failed(); len(failed) > 0 {
		e := api.NewError(api.CodeInvalid, "the password does not meet the policy")
		e.Details = failed
		return e
	}
	e := api.NewError(api.CodeUnsupported, "the policy has rules this version cannot check")
	e.Details = r.Unchecked()
	return e
}

// UserInputs returns the words an estimator should penalise for this user:
// the local part of email (the part before the last "@"; the whole string if
// there is none) and its parts split at punctuation and at letter–digit
// boundaries, each further input and its parts, and the product's name. All
// are lowercased; parts shorter than 3 characters are dropped, as they would
// match almost any password.
func UserInputs(email string, inputs []string) []string {
	local := email
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		local = email[:i]
	}
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		w = truncate(strings.ToLower(strings.TrimSpace(w)), maxInputLength)
		if utf8.RuneCountInString(w) < minInputLength || seen[w] || len(out) >= maxInputs {
			return
		}
		seen[w] = true
		out = append(out, w)
	}
	for _, w := range append([]string{local}, inputs...) {
		add(w)
		for _, part := range splitWords(w) {
			add(part)
		}
	}
	add(productWord)
	return out
}

// splitWords splits s into runs of letters and runs of digits, so
// "john.smith+1990" gives "john", "smith", "1990".
func splitWords(s string) []string {
	var parts []string
	start, prev := -1, 0 // prev: 1 letter, 2 digit
	for i, c := range s {
		kind := 0
		if unicode.IsLetter(c) {
			kind = 1
		} else if unicode.IsDigit(c) {
			kind = 2
		}
		if kind != prev && start >= 0 {
			parts = append(parts, s[start:i])
			start = -1
		}
		if kind != 0 && start < 0 {
			start = i
		}
		prev = kind
	}
	if start >= 0 {
		parts = append(parts, s[start:])
	}
	return parts
}
