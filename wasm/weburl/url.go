package weburl

import (
	"errors"
	"strings"
)

// ErrInvalid is the error of every URL Parse refuses; the core only ever
// needs to know that a URL is unusable, not why.
var ErrInvalid = errors.New("weburl: invalid URL")

// URL is an absolute URL split into the parts the core reads, with the
// values net/url would give for the same input.
type URL struct {
	Scheme   string // lower case
	Opaque   string // what follows "scheme:" when it does not start with "/"
	HasUser  bool   // the authority had "user@" or "user:password@"
	Host     string // host or host:port, percent-decoded; an IPv6 address in brackets
	Path     string // the path in escaped form, as net/url's URL.EscapedPath
	RawQuery string // the query, undecoded, without "?"
}

// Parse splits an absolute URL ("scheme:…"); a URL without a scheme, and
// anything net/url refuses, is ErrInvalid.
func Parse(raw string) (URL, error) {
	var u URL
	rest, frag, _ := strings.Cut(raw, "#")
	// Control bytes are refused before the fragment only, as net/url does.
	for i := 0; i < len(rest); i++ {
		if rest[i] < ' ' || rest[i] == 0x7f {
			return u, ErrInvalid
		}
	}
	if _, ok := unescape(frag, modeOther); !ok {
		return u, ErrInvalid
	}
	scheme, rest, ok := splitScheme(rest)
	if !ok || scheme == "" {
		return u, ErrInvalid
	}
	u.Scheme = strings.ToLower(scheme)
	if strings.HasSuffix(rest, "?") && strings.Count(rest, "?") == 1 {
		rest = rest[:len(rest)-1]
	} else {
		rest, u.RawQuery, _ = strings.Cut(rest, "?")
	}
	if !strings.HasPrefix(rest, "/") {
		u.Opaque = rest
		return u, nil
	}
	if strings.HasPrefix(rest, "//") {
		authority := rest[2:]
		rest = ""
		if i := strings.IndexByte(authority, '/'); i >= 0 {
			authority, rest = authority[:i], authority[i:]
		}
		if i := strings.LastIndexByte(authority, '@'); i >= 0 {
			if !validUserinfo(authority[:i]) {
				return u, ErrInvalid
			}
			if _, ok := unescape(authority[:i], modeOther); !ok {
				return u, ErrInvalid
			}
			u.HasUser = true
			authority = authority[i+1:]
		}
		if u.Host, ok = parseHost(u.Scheme, authority); !ok {
			return u, ErrInvalid
		}
	}
	path, ok := unescape(rest, modeOther)
	if !ok {
		return u, ErrInvalid
	}
	if validEncodedPath(rest) {
		u.Path = rest
	} else {
		u.Path = escapePath(path)
	}
	return u, nil
}

// Hostname is Host without the port and without an IPv6 address's brackets.
func (u URL) Hostname() string {
	host, _ := splitHostPort(u.Host)
	return host
}

// Port is Host's numeric port, or "".
func (u URL) Port() string {
	_, port := splitHostPort(u.Host)
	return port
}

func splitHostPort(hostPort string) (host, port string) {
	host = hostPort
	if colon := strings.LastIndexByte(host, ':'); colon != -1 && validOptionalPort(host[colon:]) {
		host, port = host[:colon], host[colon+1:]
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return host, port
}

// splitScheme cuts "scheme:" off raw. A raw that starts with ':' is not a
// URL at all; one with no valid scheme answers "" and raw.
func splitScheme(raw string) (scheme, rest string, ok bool) {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return "", raw, true
			}
		case c == ':':
			if i == 0 {
				return "", "", false
			}
			return raw[:i], raw[i+1:], true
		default:
			return "", raw, true
		}
	}
	return "", raw, true
}

// parseHost reads an authority's host[:port] as net/url does: an IP
// literal in brackets must be an IPv6 address (a zone is refused here), an
// http(s) host may have only the one colon before its port, and
// percent-escapes in a host may only stand for non-ASCII bytes.
func parseHost(scheme, host string) (string, bool) {
	if open := strings.LastIndexByte(host, '['); open > 0 {
		return "", false
	} else if open == 0 {
		end := strings.LastIndexByte(host, ']')
		if end < 0 {
			return "", false
		}
		colonPort := host[end+1:]
		if !validOptionalPort(colonPort) {
			return "", false
		}
		literal := host[1:end]
		if strings.Contains(literal, "%25") {
			return "", false // a zone: nothing the core can use
		}
		literal, ok := unescape(literal, modeHost)
		if !ok {
			return "", false
		}
		if ip, ok := ParseIP(literal); !ok || ip.Is4() {
			return "", false
		}
		return "[" + literal + "]" + colonPort, true
	} else if i := strings.IndexByte(host, ':'); i != -1 {
		if last := strings.LastIndexByte(host, ':'); last != i && scheme != "http" && scheme != "https" {
			i = last
		}
		if !validOptionalPort(host[i:]) {
			return "", false
		}
	}
	return unescape(host, modeHost)
}

// validOptionalPort reports whether port is "" or ":" and digits.
func validOptionalPort(port string) bool {
	if port == "" {
		return true
	}
	if port[0] != ':' {
		return false
	}
	for i := 1; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

func validUserinfo(s string) bool {
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		case strings.ContainsRune("-._:~!$&'()*+,;=%@", r):
		default:
			return false
		}
	}
	return true
}

// Values are a query's parameters, as net/url.Values.
type Values map[string][]string

// Get is key's first value, or "".
func (v Values) Get(key string) string {
	if vs := v[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// maxParams is net/url's default bound on a query's parameters: a longer
// query has none.
const maxParams = 10000

// Query parses a raw query as net/url's URL.Query does: pairs that do not
// decode, and pairs with a semicolon, are dropped.
func Query(raw string) Values {
	v := Values{}
	if strings.Count(raw, "&")+1 > maxParams {
		return v
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, ok := unescape(key, modeQuery)
		if !ok {
			continue
		}
		if value, ok = unescape(value, modeQuery); !ok {
			continue
		}
		v[key] = append(v[key], value)
	}
	return v
}
