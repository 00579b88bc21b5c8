package vault

import (
	"strings"
	"unicode"

	"watchword/wasm/jsonwire"
	"watchword/wasm/weburl"
)

// AppendListRowJSON appends the row the vault list shows for e and reports
// true, or leaves dst as it is and reports false for an entry of a type this
// schema does not know (the list counts those, it does not show them):
//
//	{"id":"…","type":"login","name":"…","sub":"…","find":"…","fav":true,"archived":true}
//
// sub is the row's second line. A search looks in the name, sub and find:
// find is the lower-cased text beyond those two that a search also looks
// in (username, web addresses, cardholder, email), left out when there is
// none. fav and archived are there only when true. Rows are kept this lean
// because a whole vault's list is one string that every unlock and every
// popup reads: 10,000 rows of a few dozen bytes fewer are milliseconds.
//
// A row never holds a secret: no password, TOTP key, security code or PIN,
// and of a card number only its last four digits. The list of a whole vault
// is built from these rows, so opening a vault never hands every entry's
// secrets to the page.
func (s *Schema) AppendListRowJSON(dst []byte, e *Entry) ([]byte, bool) {
	ts := s.typeSpec(e.Type)
	if ts == nil {
		return dst, false
	}
	sub := listSubtitle(e)
	dst = append(dst, `{"id":`...)
	dst = jsonwire.AppendString(dst, e.ID)
	dst = append(dst, `,"type":`...)
	dst = jsonwire.AppendString(dst, ts.Name)
	dst = append(dst, `,"name":`...)
	dst = jsonwire.AppendString(dst, e.String(TagName))
	dst = append(dst, `,"sub":`...)
	dst = jsonwire.AppendString(dst, sub)
	if find := listFind(e, sub); find != "" {
		dst = append(dst, `,"find":`...)
		dst = jsonwire.AppendString(dst, strings.ToLower(find))
	}
	if e.Bool(TagFavourite) {
		dst = append(dst, `,"fav":true`...)
	}
	if ts.Archived {
		dst = append(dst, `,"archived":true`...)
	}
	return append(dst, '}'), true
}

// listSubtitle is a row's second line.
func listSubtitle(e *Entry) string {
	switch e.Type {
	case TypeLogin:
		if u := e.String(TagUsername); u != "" {
			return u
		}
		if urls, err := e.URLs(); err == nil && len(urls) > 0 {
			return hostOf(urls[0].URL)
		}
		return ""
	case TypeCard:
		if n := strings.Map(dropSpace, e.String(TagCardNumber)); n != "" {
			return "•••• " + lastRunes(n, 4)
		}
		return e.String(TagCardholder)
	case TypeIdentity:
		if n := strings.TrimSpace(e.String(TagGivenName) + " " + e.String(TagFamilyName)); n != "" {
			return n
		}
		return e.String(TagEmail)
	case TypeDocument:
		return e.String(TagMIMEType)
	default:
		first, _, _ := strings.Cut(e.String(TagNotes), "\n")
		return first
	}
}

// listFind is what a search of the list looks in beyond the name and the
// subtitle sub.
func listFind(e *Entry, sub string) string {
	var parts []string
	switch e.Type {
	case TypeLogin:
		parts = append(parts, e.String(TagUsername))
		if urls, err := e.URLs(); err == nil {
			for _, u := range urls {
				parts = append(parts, u.URL)
			}
		}
	case TypeCard:
		parts = append(parts, e.String(TagCardholder))
	case TypeIdentity:
		parts = append(parts, e.String(TagEmail))
	}
	kept := parts[:0]
	for _, p := range parts {
		if p != "" && p != sub {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}

// hostOf is the host (and port) of a web address, lower-cased, or the
// address as it is when it has none.
func hostOf(raw string) string {
	u, err := weburl.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.ToLower(u.Host)
}

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}

func lastRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[len(r)-n:]
	}
	return string(r)
}
