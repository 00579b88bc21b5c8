package strength

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	zxcvbn "github.com/ccojocar/zxcvbn-go"
	"github.com/ccojocar/zxcvbn-go/match"
	"github.com/ccojocar/zxcvbn-go/matching"

	"watchword/wasm/policy"
)

// Estimator is a policy.Estimator backed by zxcvbn-go. The zero value is
// ready to use and safe for concurrent use.
type Estimator struct{}

var _ policy.Estimator = Estimator{}

// Estimate returns zxcvbn's estimate for password, treating inputs as a
// dictionary of words tied to the user. It looks at no more than
// policy.MaxEstimateLength characters of password, since matching is
// superlinear in the length.
//
// zxcvbn-go is third-party code run on untrusted input; should it ever
// panic, Estimate reports the lowest score with a note instead of crashing
// the caller (erring towards "weak" is the safe side for a meter).
func (Estimator) Estimate(password string, inputs []string) (s policy.Strength) {
	defer func() {
		if recover() != nil {
			s = policy.Strength{CrackTime: CrackTime(0), Warnings: []policy.Note{noteEstimateFailed}}
		}
	}()
	password = truncate(password, policy.MaxEstimateLength)
	var filters []func(match.Matcher) bool
	if l33tChars(password) > maxL33tChars {
		filters = append(filters, matching.FilterL33tMatcher)
	}
	r := zxcvbn.PasswordStrength(password, inputs, filters...)
	if !finite(r.Entropy) || !finite(r.CrackTime) {
		// JSON cannot carry NaN or infinities. Never seen; reported as a
		// failed estimate by the deferred recover above.
		panic("zxcvbn-go returned a non-finite estimate")
	}
	s = policy.Strength{
		Score:        r.Score,
		EntropyBits:  r.Entropy,
		Guesses:      math.Exp2(r.Entropy),
		CrackSeconds: r.CrackTime,
		CrackTime:    CrackTime(r.CrackTime),
	}
	s.Warnings, s.Suggestions = feedback(password, r.Score, r.MatchSequence)
	return s
}

// zxcvbn-go tries every combination of look-alike substitutions it finds
// (4 for a, 3 for e, …), and runs its dictionaries over each: with all 18
// look-alike characters in a 64-character password that took 0.9 s natively,
// with 8 about 20 ms. Past maxL33tChars distinct look-alikes the
// substitution matcher is skipped; such a password is full of symbols and
// digits, and the other matchers still run.
const maxL33tChars = 8

// l33tSubs are the characters of zxcvbn-go's substitution table (L33t.json).
const l33tSubs = "4@8({[<369!|1+70$5%2"

func l33tChars(s string) int {
	n := 0
	for _, c := range l33tSubs {
		if strings.ContainsRune(s, c) {
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

// CrackTime puts a number of seconds in words for a strength meter.
func CrackTime(seconds float64) string {
	const (
		minute = 60
		hour   = 60 * minute
		day    = 24 * hour
		month  = 31 * day
		year   = 12 * month
	)
	units := []struct {
		size float64
		name string
	}{{year, "year"}, {month, "month"}, {day, "day"}, {hour, "hour"}, {minute, "minute"}, {1, "second"}}
	switch {
	case !(seconds >= 1): // also NaN
		return "less than a second"
	case seconds >= 100*year:
		return "centuries"
	}
	for _, u := range units {
		if seconds >= u.size {
			n := int(math.Round(seconds / u.size))
			if n == 1 {
				return "1 " + u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return "less than a second"
}

// Feedback notes. Codes are stable; messages are English.
var (
	noteEstimateFailed = policy.Note{Code: "estimate_failed", Message: "The strength of this password could not be estimated."}

	warnTop10        = policy.Note{Code: "top10", Message: "This is a top-10 common password."}
	warnTop100       = policy.Note{Code: "top100", Message: "This is a top-100 common password."}
	warnCommon       = policy.Note{Code: "common", Message: "This is a very common password."}
	warnSimilar      = policy.Note{Code: "similar_to_common", Message: "This is similar to a commonly used password."}
	warnWord         = policy.Note{Code: "word_by_itself", Message: "A word by itself is easy to guess."}
	warnNames        = policy.Note{Code: "names_by_themselves", Message: "Names and surnames by themselves are easy to guess."}
	warnCommonNames  = policy.Note{Code: "common_names", Message: "Common names and surnames are easy to guess."}
	warnUserInputs   = policy.Note{Code: "user_inputs", Message: "Avoid words tied to you, such as parts of your email address."}
	warnKeyboard     = policy.Note{Code: "keyboard_pattern", Message: "Keyboard patterns like \"qwerty\" are easy to guess."}
	warnRepeatSingle = policy.Note{Code: "repeat_single", Message: "Repeats like \"aaa\" are easy to guess."}
	warnRepeat       = policy.Note{Code: "repeat_pattern", Message: "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\"."}
	warnSequence     = policy.Note{Code: "sequence", Message: "Sequences like \"abc\" or \"6543\" are easy to guess."}
	warnDate         = policy.Note{Code: "date", Message: "Dates are often easy to guess."}

	tipUseWords     = policy.Note{Code: "use_words", Message: "Use a few words, and avoid common phrases."}
	tipNoSymbols    = policy.Note{Code: "no_need_for_symbols", Message: "No need for symbols, digits or uppercase letters."}
	tipAddWord      = policy.Note{Code: "add_word", Message: "Add another word or two. Uncommon words are better."}
	tipCapitals     = policy.Note{Code: "capitalization", Message: "Capitalization doesn't help very much."}
	tipAllUpper     = policy.Note{Code: "all_uppercase", Message: "All-uppercase is almost as easy to guess as all-lowercase."}
	tipSubstitution = policy.Note{Code: "substitution", Message: "Predictable substitutions like \"@\" instead of \"a\" don't help very much."}
	tipKeyboard     = policy.Note{Code: "longer_keyboard_pattern", Message: "Use a longer keyboard pattern with more turns."}
	tipRepeats      = policy.Note{Code: "avoid_repeats", Message: "Avoid repeated words and characters."}
	tipSequences    = policy.Note{Code: "avoid_sequences", Message: "Avoid sequences."}
	tipDates        = policy.Note{Code: "avoid_dates", Message: "Avoid dates and years that are tied to you."}
)

// feedback follows zxcvbn's rules: nothing to say about a password scoring 3
// or more; general advice for an empty one; otherwise a warning and advice
// about the longest pattern found.
func feedback(password string, score int, seq []match.Match) (warnings, suggestions []policy.Note) {
	if password == "" {
		return nil, []policy.Note{tipUseWords, tipNoSymbols}
	}
	if score > 2 {
		return nil, nil
	}
	var longest *match.Match
	for i := range seq {
		m := &seq[i]
		if m.Pattern == "bruteforce" {
			continue
		}
		if longest == nil || utf8.RuneCountInString(m.Token) > utf8.RuneCountInString(longest.Token) {
			longest = m
		}
	}
	suggestions = []policy.Note{tipAddWord}
	if longest == nil {
		return nil, suggestions
	}
	sole := len(seq) == 1
	var warn policy.Note
	switch {
	case longest.DictionaryName == "date_match":
		warn = warnDate
		suggestions = append(suggestions, tipDates)
	case longest.Pattern == "dictionary":
		warn, suggestions = dictionaryFeedback(password, *longest, sole, suggestions)
	case longest.Pattern == "spatial":
		warn = warnKeyboard
		suggestions = append(suggestions, tipKeyboard)
	case longest.Pattern == "repeat":
		warn = warnRepeat
		if isSingleRepeat(longest.Token) {
			warn = warnRepeatSingle
		}
		suggestions = append(suggestions, tipRepeats)
	case longest.Pattern == "sequence":
		warn = warnSequence
		suggestions = append(suggestions, tipSequences)
	}
	if warn.Code != "" {
		warnings = []policy.Note{warn}
	}
	return warnings, suggestions
}

func dictionaryFeedback(password string, m match.Match, sole bool, suggestions []policy.Note) (policy.Note, []policy.Note) {
	var warn policy.Note
	switch m.DictionaryName {
	case "Passwords":
		// The entropy of a dictionary match is log2 of its rank on the list
		// (plus a bit for capitals), so it tells the top-10 and top-100.
		switch {
		case sole && m.Entropy <= math.Log2(10)+1:
			warn = warnTop10
		case sole && m.Entropy <= math.Log2(100)+1:
			warn = warnTop100
		case sole:
			warn = warnCommon
		default:
			warn = warnSimilar
		}
	case "English":
		if sole {
			warn = warnWord
		}
	case "MaleNames", "FemaleNames", "Surname":
		warn = warnCommonNames
		if sole {
			warn = warnNames
		}
	case "user_inputs":
		warn = warnUserInputs
	}
	token := m.Token
	switch {
	case token == strings.ToUpper(token) && token != strings.ToLower(token):
		suggestions = append(suggestions, tipAllUpper)
	case startsUpper(token):
		suggestions = append(suggestions, tipCapitals)
	}
	if substituted(password, m) {
		suggestions = append(suggestions, tipSubstitution)
	}
	return warn, suggestions
}

// substituted reports whether a dictionary match was found through
// look-alike substitutions: zxcvbn-go then reports the word it matched
// ("password") as the token, while the password holds "p@ssw0rd". Dictionary
// match positions count characters.
func substituted(password string, m match.Match) bool {
	r := []rune(password)
	if m.I < 0 || m.J < m.I || m.J >= len(r) {
		return false
	}
	return !strings.EqualFold(string(r[m.I:m.J+1]), m.Token)
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func startsUpper(s string) bool {
	c, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(c)
}

func isSingleRepeat(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, c := range s {
		if unicode.ToLower(c) != unicode.ToLower(first) {
			return false
		}
	}
	return true
}
