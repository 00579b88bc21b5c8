package weburl

import "strings"

// mode is which part of a URL is being unescaped: each has its own rules.
type mode uint8

const (
	modeOther mode = iota // path, fragment, userinfo: every well-formed %XX decodes
	modeHost              // %XX only for bytes >= 0x80 (or %25); ASCII must be a host byte
	modeQuery             // like modeOther, and '+' is a space
)

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unescape decodes %XX (and '+' in a query) as net/url does for m, and
// reports false where net/url would return an error.
func unescape(s string, m mode) (string, bool) {
	n, plus := 0, false
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", false
			}
			if m == modeHost && unhex(s[i+1]) < 8 && s[i:i+3] != "%25" {
				return "", false
			}
			n++
			i += 3
		case c == '+':
			plus = plus || m == modeQuery
			i++
		default:
			if m == modeHost && c < 0x80 && !hostByte(c) {
				return "", false
			}
			i++
		}
	}
	if n == 0 && !plus {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s) - 2*n)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case '+':
			if m == modeQuery {
				b.WriteByte(' ')
			} else {
				b.WriteByte('+')
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), true
}

func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// hostByte reports whether an ASCII byte may stand unescaped in a host:
// net/url's rule, which also lets through the sub-delimiters and a few
// characters browsers reject (the callers validate names themselves).
func hostByte(c byte) bool {
	return alnum(c) || strings.IndexByte("-_.~!$&'()*+,;=:[]<>\"", c) >= 0
}

// pathByte reports whether a byte is left unescaped in a path.
func pathByte(c byte) bool {
	return alnum(c) || strings.IndexByte("-_.~$&+,/:;=@", c) >= 0
}

// validEncodedPath reports whether p is already a valid escaped path:
// net/url then keeps it as it is.
func validEncodedPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !pathByte(c) && strings.IndexByte("!$&'()*+,;=:@[]%", c) < 0 {
			return false
		}
	}
	return true
}

// escapePath escapes a decoded path the way net/url writes one.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(p); i++ {
		if !pathByte(p[i]) {
			n++
		}
	}
	if n == 0 {
		return p
	}
	b := make([]byte, 0, len(p)+2*n)
	for i := 0; i < len(p); i++ {
		if c := p[i]; pathByte(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}
