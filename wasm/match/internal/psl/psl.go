package psl

import (
	"errors"
	"strconv"
	"strings"
)

// kind says what a rule is. A name can be both a plain rule and the parent
// of a wildcard, hence the bits.
type kind uint8

const (
	normal kind = 1 << iota
	wildcard
	exception
)

// MinRules is the fewest rules a list may have: the real list has about
// 10,000, and one much shorter is damaged, not new.
const MinRules = 5000

// List is a parsed public suffix list.
type List struct {
	rules map[string]kind // each rule without its "!" or "*." prefix
}

// Parse reads rules in the syntax of public_suffix_list.dat as gen.go
// writes them: one rule per line ("name", "*.name" or "!name"), comments
// starting with "//", names in lower-case ASCII (punycode for IDNs).
func Parse(text []byte) (*List, error) {
	l := &List{rules: make(map[string]kind, 10000)}
	n := 0
	for i, line := range strings.Split(string(text), "\n") {
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		k, name := normal, line
		switch {
		case strings.HasPrefix(line, "!"):
			k, name = exception, line[1:]
		case strings.HasPrefix(line, "*."):
			k, name = wildcard, line[2:]
		}
		if !validName(name) {
			return nil, errors.New("public suffix list: line " + strconv.Itoa(i+1) + " is not a rule")
		}
		l.rules[name] |= k
		n++
	}
	if n < MinRules {
		return nil, errors.New("public suffix list: " + strconv.Itoa(n) + " rules, want at least " + strconv.Itoa(MinRules))
	}
	return l, nil
}

// validName reports whether name is dot-separated non-empty labels of
// lower-case letters, digits, '-' and '_'.
func validName(name string) bool {
	if name == "" || name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// PublicSuffix returns the public suffix of a lower-case ASCII domain name
// (punycode for IDNs) under the public suffix algorithm: the longest matching
// rule wins, exceptions override wildcards, and an unlisted top-level label
// is its own suffix (the implicit "*" rule).
func (l *List) PublicSuffix(domain string) string {
	for s := domain; ; {
		if l.rules[s]&exception != 0 {
			// "!www.ck": the suffix is the exception minus its first label.
			return s[strings.IndexByte(s, '.')+1:]
		}
		dot := strings.IndexByte(s, '.')
		if l.rules[s]&normal != 0 || dot >= 0 && l.rules[s[dot+1:]]&wildcard != 0 {
			return s
		}
		if dot < 0 {
			return s
		}
		s = s[dot+1:]
	}
}

// Site returns the registrable domain (eTLD+1) of domain, or "" when domain
// is itself a public suffix or has an empty label.
func (l *List) Site(domain string) string {
	if domain == "" || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return ""
	}
	suffix := l.PublicSuffix(domain)
	if len(domain) <= len(suffix) {
		return ""
	}
	rest := domain[:len(domain)-len(suffix)-1]
	return rest[strings.LastIndexByte(rest, '.')+1:] + "." + suffix
}
