package psl

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"strings"
	"sync"
)

//go:embed rules.txt.gz
var rulesGz []byte

// rules maps each rule (without its "!" or "*." prefix) to its kind. A name
// can be both a plain rule and the parent of a wildcard, hence the bits.
type kind uint8

const (
	normal kind = 1 << iota
	wildcard
	exception
)

var (
	loadOnce sync.Once
	rules    map[string]kind
)

// load decompresses and indexes the rules on first use, so start-up of the
// core pays nothing for autofill until a page is matched.
func load() {
	zr, err := gzip.NewReader(bytes.NewReader(rulesGz))
	if err != nil {
		panic("psl: embedded rules are corrupt: " + err.Error()) // a build defect, not input
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		panic("psl: embedded rules are corrupt: " + err.Error())
	}
	rules = make(map[string]kind, 10000)
	for line := range strings.SplitSeq(string(text), "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "//"):
		case strings.HasPrefix(line, "!"):
			rules[line[1:]] |= exception
		case strings.HasPrefix(line, "*."):
			rules[line[2:]] |= wildcard
		default:
			rules[line] |= normal
		}
	}
}

// PublicSuffix returns the public suffix of a lower-case ASCII domain name
// (punycode for IDNs) under the public suffix algorithm: the longest matching
// rule wins, exceptions override wildcards, and an unlisted top-level label
// is its own suffix (the implicit "*" rule).
func PublicSuffix(domain string) string {
	loadOnce.Do(load)
	for s := domain; ; {
		if rules[s]&exception != 0 {
			// "!www.ck": the suffix is the exception minus its first label.
			return s[strings.IndexByte(s, '.')+1:]
		}
		dot := strings.IndexByte(s, '.')
		if rules[s]&normal != 0 || dot >= 0 && rules[s[dot+1:]]&wildcard != 0 {
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
func Site(domain string) string {
	if domain == "" || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return ""
	}
	suffix := PublicSuffix(domain)
	if len(domain) <= len(suffix) {
		return ""
	}
	rest := domain[:len(domain)-len(suffix)-1]
	return rest[strings.LastIndexByte(rest, '.')+1:] + "." + suffix
}
