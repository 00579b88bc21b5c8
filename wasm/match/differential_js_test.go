//go:build js && wasm

package match

import (
	"strings"
	"syscall/js"
	"testing"
)

// TestDifferentialBrowserURL parses the same inputs with ParseOrigin and with
// the browser's own URL parser (WHATWG URL in Chromium). Wherever Go accepts
// a URL, the browser must see the same scheme, host and port: otherwise the
// matcher would judge a different page than the one the user is on.
func TestDifferentialBrowserURL(t *testing.T) {
	urlCtor := js.Global().Get("URL")
	inputs := []string{
		"https://site.test/login", "HTTPS://Site.TEST:443/", "http://site.test:8080",
		"https://bücher.example/", "https://xn--bcher-kva.example/", "http://127.0.0.1:8080/",
		"http://[::1]:3000/", "http://localhost:3000/", "https://site.test./",
		"https://site.test@evil.test/", "https://evil.test/#site.test", "https://site.test.evil.test/",
		"https://pаypal.test/", "https://paypa1.test/", "https://ＳＩＴＥ.test/", "https://site.test:443/",
		"http://site.test:80/", "https://site.test%2eevil.test/", "https://site%2Etest/",
		"https://0x7f.0.0.1/", "https://2130706433/", "https://127.1/", "https://site.test\t/",
		"https://-site.test/", "https://site_name.test/", "https://a.b.c.d.e.site.test/x/y?z#w",
		"https://xn--80ak6aa92e.com/", "https://аррӏе.com/", "https://www.xn--80ak6aa92e.com:8443/",
		"http://[::ffff:127.0.0.1]:1/", "https://1.2.3.4.5/", "https://site.test:65535/",
		"https://ß.test/", "https://faß.de/", "https://\u200bsite.test/", "https://site.test/\u202e",
	}
	for _, in := range inputs {
		o, err := ParseOrigin(in)
		if err != nil {
			continue
		}
		var u js.Value
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Go accepts %q but the browser's URL parser throws: %v", in, r)
				}
			}()
			u = urlCtor.New(in)
		}()
		if u.IsUndefined() {
			continue
		}
		host := strings.Trim(u.Get("hostname").String(), "[]")
		port := u.Get("port").String()
		if port == "" {
			port = map[string]string{"http:": "80", "https:": "443"}[u.Get("protocol").String()]
		}
		scheme := strings.TrimSuffix(u.Get("protocol").String(), ":")
		if host != o.Host || port != o.Port || scheme != o.Scheme {
			t.Errorf("%q: Go sees %s://%s:%s, the browser %s://%s:%s", in, o.Scheme, o.Host, o.Port, scheme, host, port)
		}
	}
}
