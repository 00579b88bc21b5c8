package match

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// parseOriginStd is ParseOrigin as it was written over net/url and
// net/netip, before package weburl replaced them in the core: the
// reference the current parser must agree with on every input, so that
// dropping those packages from core.wasm changed no autofill decision.
func parseOriginStd(raw string) (Origin, error) {
	if len(raw) > 4096 || strings.ContainsAny(raw, "\x00\t\r\n\\") {
		return Origin{}, errUnsupported
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Origin{}, errUnsupported
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return Origin{}, errUnsupported
	}
	if u.Opaque != "" || u.User != nil || u.Host == "" {
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
	o := Origin{Scheme: scheme, Port: port, Path: u.EscapedPath()}
	if o.Path == "" {
		o.Path = "/"
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if addr.Zone() != "" || addr.Is4In6() {
			return Origin{}, errUnsupported
		}
		o.Host, o.IsIP = addr.String(), true
		return o, nil
	}
	if strings.HasPrefix(u.Host, "[") {
		return Origin{}, errUnsupported
	}
	// IDNA is not what this reference is for (and it moved to the browser's
	// own URL parser after it was written): it shares hostASCII.
	ascii, ok := hostASCII(host)
	if !ok || !validHost(ascii) {
		return Origin{}, errUnsupported
	}
	if looksNumeric(ascii) {
		return Origin{}, errUnsupported
	}
	o.Host = ascii
	return o, nil
}

var originCorpus = []string{
	"https://site.test/login", "HTTPS://Site.TEST:443/", "http://site.test:8080", "https://bücher.example/",
	"https://xn--bcher-kva.example/", "http://127.0.0.1:8080/", "http://[::1]:3000/", "http://localhost:3000/",
	"https://site.test./", "https://site.test@evil.test/", "https://user:pw@site.test/", "ftp://site.test/",
	"javascript:alert(1)", "about:blank", "data:text/html,hi", "blob:https://site.test/1234", "https:site.test",
	"https://site..test/", "https://site.test:0/", "https://site.test:99999/", "https://site.test:/",
	"https://0x7f.1/", "https://site.test\\@evil.test/", "https://[fe80::1%25eth0]/", "http://[::ffff:127.0.0.1]:1/",
	"", "  https://site.test/a b  ", "https://site.test/%7e/a|b", "https://s%69te.test/", "https://[2001:DB8::1]/x",
	"https://[::1]:/", "https://[1.2.3.4]/", "http://01.2.3.4/", "http://1.2.3.4.5/", "https://pаypal.test/",
	"https://site.test:443:443/", "https://[::1]x/", "https://site.test/?q=1#f", "https://SITE.test/Path?x",
	"http://0.0.0.0/", "http://[::]/", "https://site.test/é", "https://%5B::1%5D/",
}

func checkOriginAgrees(t *testing.T, raw string) {
	t.Helper()
	got, err := ParseOrigin(raw)
	want, werr := parseOriginStd(raw)
	if (err == nil) != (werr == nil) || got != want {
		t.Fatalf("ParseOrigin(%q) = %+v, %v; over net/url it was %+v, %v", raw, got, err, want, werr)
	}
}

func TestParseOriginAgreesWithNetURL(t *testing.T) {
	for _, raw := range originCorpus {
		checkOriginAgrees(t, raw)
	}
}

func FuzzParseOriginAgreesWithNetURL(f *testing.F) {
	for _, raw := range originCorpus {
		f.Add(raw)
	}
	f.Fuzz(checkOriginAgrees)
}
