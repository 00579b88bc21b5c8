package bridge

import (
	"watchword/wasm/bridge/jsvalue"
)

// browserHostToASCII is the match.HostToASCII of the extension: the
// browser's own URL parser maps the host, so a saved URL is read exactly as
// the browser reads the page it is compared with (and core.wasm need not
// link golang.org/x/net/idna and its Unicode tables). It is asked only for
// hosts outside plain ASCII or with a punycode label, which few URLs have.
func browserHostToASCII(host string) (string, bool) {
	if !hostForURLParser(host) {
		return "", false
	}
	ctor, err := jsvalue.Global().Get("URL")
	if err != nil {
		return "", false
	}
	u, err := ctor.New("http://" + host + "/") // a host the browser refuses throws
	if err != nil {
		return "", false
	}
	h, err := u.Get("hostname")
	if err != nil {
		return "", false
	}
	ascii, err := h.String()
	if err != nil || ascii == "" {
		return "", false
	}
	return ascii, true
}
