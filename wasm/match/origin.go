package match

import (
	"errors"
	"strings"
	"sync/atomic"

	"watchword/wasm/match/internal/psl"
	"watchword/wasm/weburl"
)

// errUnsupported is returned for URLs that can never be filled.
var errUnsupported = errors.New("match: unsupported URL")

// Origin is a parsed, normalised http(s) location: lower-case scheme, the
// host in ASCII (punycode) lower case, the explicit or default port, and
// the path for prefix rules.
type Origin struct {
	Scheme string // "http" or "https"
	Host   string // ASCII, lower case, no brackets for IPv6
	Port   string // always set: explicit or the scheme's default
	Path   string // "/" at least
	IsIP   bool
}

// ParseOrigin parses a page or saved URL. It refuses what a browser would
// not treat as an ordinary http(s) page of a named host.
func ParseOrigin(raw string) (Origin, error) {
	if len(raw) > 4096 || strings.ContainsAny(raw, "\x00\t\r\n\\") {
		return Origin{}, errUnsupported
	}
	u, err := weburl.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Origin{}, errUnsupported
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return Origin{}, errUnsupported
	}
	if u.Opaque != "" || u.HasUser || u.Host == "" {
		// "https:site.test" and "https://site.test@evil.test" are refused
		// rather than guessed at.
		return Origin{}, errUnsupported
	}
	host := u.Hostname()
	port := u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return Origin{}, errUnsupported
	}
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	} else if !validPort(port) {
		return Origin{}, errUnsupported
	}
	o := Origin{Scheme: scheme, Port: port, Path: u.Path}
	if o.Path == "" {
		o.Path = "/"
	}
	if addr, ok := weburl.ParseIP(host); ok {
		if addr.Is4In6() {
			// Browsers keep "::ffff:127.0.0.1" as an IPv6 host; refusing it
			// avoids one address having two spellings here.
			return Origin{}, errUnsupported
		}
		o.Host, o.IsIP = addr.String(), true
		return o, nil
	}
	if strings.HasPrefix(u.Host, "[") {
		return Origin{}, errUnsupported
	}
	ascii, ok := hostASCII(host)
	if !ok || !validHost(ascii) {
		return Origin{}, errUnsupported
	}
	if looksNumeric(ascii) {
		// "0x7f.1" and friends are IPv4 to a browser but not to ParseIP;
		// never guess.
		return Origin{}, errUnsupported
	}
	o.Host = ascii
	return o, nil
}

// HostToASCII maps a host name that needs IDNA processing — one with a
// character outside ASCII, or a punycode ("xn--") label to check — to the
// ASCII form a browser looks it up by, or reports false where the browser
// would refuse the URL. It must follow the browser's own mapping (UTS #46 as
// the WHATWG URL standard applies it): the page URLs the matcher is given
// are the browser's, so a saved URL has to be read the way the browser
// would read it. In the extension, package bridge installs one that asks
// the browser's URL parser; matchtest.UseGoIDNA installs
// golang.org/x/net/idna, set up the same way, where there is no browser.
type HostToASCII func(host string) (ascii string, ok bool)

// hostToASCII is the installed HostToASCII, process-wide like the suffix
// list.
var hostToASCII atomic.Pointer[HostToASCII]

// UseHostToASCII installs f for every later ParseOrigin; nil removes it.
// With none installed, hosts that need IDNA processing are refused: such a
// URL is never filled, which is never wider than it should be.
func UseHostToASCII(f HostToASCII) {
	if f == nil {
		hostToASCII.Store(nil)
		return
	}
	hostToASCII.Store(&f)
}

// hostASCII is host as a browser looks it up. An ASCII host with no
// punycode label only needs lower-casing (UTS #46 maps nothing else in
// ASCII, and what it leaves that a host may not hold, validHost refuses):
// that is nearly every URL, and it stays in Go. The rest go to HostToASCII.
func hostASCII(host string) (string, bool) {
	if plainASCII(host) {
		return strings.ToLower(host), true
	}
	f := hostToASCII.Load()
	if f == nil {
		return "", false
	}
	return (*f)(host)
}

// plainASCII reports whether h is all ASCII and has no label starting with
// "xn--" in any case (which IDNA decodes and checks).
func plainASCII(h string) bool {
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return false
		}
		if (i == 0 || h[i-1] == '.') && len(h)-i >= 4 && strings.EqualFold(h[i:i+4], "xn--") {
			return false
		}
	}
	return true
}

func validPort(p string) bool {
	if len(p) == 0 || len(p) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n > 0 && n <= 65535
}

// validHost accepts lower-case ASCII labels of letters, digits, '-' and '_',
// 1–63 characters each, with no empty label (which rules out a trailing dot).
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// looksNumeric reports whether the last label is all digits or hex, which
// the WHATWG URL parser would read as an IPv4 address.
func looksNumeric(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if strings.HasPrefix(last, "0x") {
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// isLocal reports whether the host is a loopback name, which like an IP
// address is matched by exact host and port.
func (o Origin) isLocal() bool {
	return o.IsIP || o.Host == "localhost" || strings.HasSuffix(o.Host, ".localhost")
}

// Site returns the registrable domain (eTLD+1, private suffixes included) or,
// for IP addresses, localhost and hosts that are themselves a public suffix,
// the host itself.
//
// With no suffix list installed ([UseSuffixList]) every host is its own
// site: matching is then exact-host, never wider than it should be.
func (o Origin) Site() string {
	if o.isLocal() {
		return o.Host
	}
	if l := suffixList.Load(); l != nil {
		if site := l.Site(o.Host); site != "" {
			return site
		}
	}
	return o.Host
}

// SuffixList is a parsed public suffix list.
type SuffixList struct{ l *psl.List }

// ParseSuffixList reads the public suffix list as package suffixes ships
// it, refusing one that is damaged or cut short.
func ParseSuffixList(text []byte) (*SuffixList, error) {
	l, err := psl.Parse(text)
	if err != nil {
		return nil, err
	}
	return &SuffixList{l}, nil
}

// suffixList is the list Site uses. It is process-wide, like the list
// itself: one set of rules for every vault and page.
var suffixList atomic.Pointer[psl.List]

// UseSuffixList installs l for every later Site and Decide.
func UseSuffixList(l *SuffixList) { suffixList.Store(l.l) }

// HasSuffixList reports whether a list is installed.
func HasSuffixList() bool { return suffixList.Load() != nil }

// SameOrigin reports whether a and b are the same web origin.
func (o Origin) SameOrigin(b Origin) bool {
	return o.Scheme == b.Scheme && o.Host == b.Host && o.Port == b.Port
}

// String returns the origin as scheme://host[:port] for prompts.
func (o Origin) String() string {
	h := o.Host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	def := map[string]string{"http": "80", "https": "443"}[o.Scheme]
	if o.Port != def {
		h += ":" + o.Port
	}
	return o.Scheme + "://" + h
}
