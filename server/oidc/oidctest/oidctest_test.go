package oidctest

import (
	"net/http"
	"strings"
	"testing"
)

func TestListensOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.org:0", "nonsense"} {
		if s, err := NewServer(Options{RedirectURL: "http://127.0.0.1/cb", Addr: addr}); err == nil {
			s.Close()
			t.Errorf("NewServer listened on %q", addr)
		}
	}
	s, err := NewServer(Options{RedirectURL: "http://127.0.0.1/cb", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.Issuer(), "http://127.0.0.1:") {
		t.Errorf("issuer %s", s.Issuer())
	}
	resp, err := http.Get(s.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("discovery: %s", resp.Status)
	}
}
