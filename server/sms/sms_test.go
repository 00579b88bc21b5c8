package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"watchword/server/sms"
)

var key = []byte("0123456789abcdef0123456789abcdef")

type gateway struct {
	mu       sync.Mutex
	received []map[string]string
	auth     []string
	sigErr   []error
}

func (g *gateway) handler(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p map[string]string
		json.Unmarshal(body, &p)
		g.mu.Lock()
		g.received = append(g.received, p)
		g.auth = append(g.auth, r.Header.Get("Authorization"))
		g.sigErr = append(g.sigErr, sms.VerifySignature(key, r.Header.Get(sms.SignatureHeader), body, time.Now(), time.Minute))
		g.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request", 400)
			return
		}
		w.WriteHeader(status)
		io.WriteString(w, "gateway says\nno")
	}
}

func TestWebhookSend(t *testing.T) {
	g := &gateway{}
	srv := httptest.NewServer(g.handler(http.StatusAccepted))
	defer srv.Close()
	w, err := sms.NewWebhook(sms.WebhookConfig{URL: srv.URL + "/send", BearerToken: "tok", HMACKey: key})
	if err != nil {
		t.Fatal(err)
	}
	msg := sms.CodeMessage("123456", 10*time.Minute)
	if err := w.Send(context.Background(), "+4915112345678", msg); err != nil {
		t.Fatal(err)
	}
	if len(g.received) != 1 || g.received[0]["to"] != "+4915112345678" || g.received[0]["message"] != msg {
		t.Errorf("gateway received %v", g.received)
	}
	if g.auth[0] != "Bearer tok" {
		t.Errorf("Authorization = %q", g.auth[0])
	}
	if g.sigErr[0] != nil {
		t.Errorf("signature: %v", g.sigErr[0])
	}
	if msg != "Your Watchword sign-in code is 123456. It works for 10 minutes. Never share it." || len(msg) > 160 {
		t.Errorf("CodeMessage = %q", msg)
	}
}

func TestWebhookFails(t *testing.T) {
	ctx := context.Background()
	// release lets a stalled handler return once its subtest is done, so the
	// test server can close.
	release := make(chan struct{})
	newWebhook := func(t *testing.T, h http.Handler, timeout time.Duration) *sms.Webhook {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		w, err := sms.NewWebhook(sms.WebhookConfig{URL: srv.URL, BearerToken: "secret-token", Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	tests := []struct {
		name    string
		handler http.Handler
		to, msg string
		timeout time.Duration
		want    string
	}{
		{"server error", (&gateway{}).handler(500), "+4915112345678", "hi", 0, "500"},
		{"client error", (&gateway{}).handler(401), "+4915112345678", "hi", 0, "401"},
		{"redirect not followed", http.RedirectHandler("https://elsewhere.example/", http.StatusTemporaryRedirect), "+4915112345678", "hi", 0, "307"},
		{"timeout", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}), "+4915112345678", "hi", 200 * time.Millisecond, "deadline"},
		{"invalid number", (&gateway{}).handler(200), "004915112345678", "hi", 0, "invalid phone"},
		{"empty message", (&gateway{}).handler(200), "+4915112345678", "", 0, "message"},
		{"message too long", (&gateway{}).handler(200), "+4915112345678", strings.Repeat("x", sms.MaxMessageLen+1), 0, "message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWebhook(t, tt.handler, tt.timeout)
			t.Cleanup(func() {
				select {
				case <-release:
				default:
					if tt.timeout != 0 {
						close(release)
					}
				}
			})
			start := time.Now()
			err := w.Send(ctx, tt.to, tt.msg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Send error = %v, want one mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret-token") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error leaks the token or raw answer: %v", err)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("Send took %v", time.Since(start))
			}
		})
	}
	t.Run("server down", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		w, _ := sms.NewWebhook(sms.WebhookConfig{URL: "http://" + addr})
		if err := w.Send(ctx, "+4915112345678", "hi"); err == nil {
			t.Error("Send succeeded")
		}
	})
}

func TestNewWebhookRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  sms.WebhookConfig
	}{
		{"http to a remote host", sms.WebhookConfig{URL: "http://gateway.example.com/send"}},
		{"credentials in url", sms.WebhookConfig{URL: "https://u:p@gateway.example.com/send"}},
		{"relative", sms.WebhookConfig{URL: "/send"}},
		{"other scheme", sms.WebhookConfig{URL: "ftp://gateway.example.com"}},
		{"short key", sms.WebhookConfig{URL: "https://gateway.example.com", HMACKey: []byte("short")}},
		{"token with newline", sms.WebhookConfig{URL: "https://gateway.example.com", BearerToken: "a\r\nX-Evil: 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := sms.NewWebhook(tt.cfg); err == nil {
				t.Error("NewWebhook succeeded")
			}
		})
	}
	for _, u := range []string{"https://gateway.example.com/send", "http://127.0.0.1:9000/send", "http://localhost/send", "http://[::1]/x"} {
		if _, err := sms.NewWebhook(sms.WebhookConfig{URL: u}); err != nil {
			t.Errorf("NewWebhook(%s): %v", u, err)
		}
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"+4915112345678", "+4915112345678"},
		{" +49 151 1234-5678 ", "+4915112345678"},
		{"+1 (555) 010.0199", "+15550100199"},
		{"+6834002", "+6834002"},
		{"+123456789012345", "+123456789012345"},
		{"4915112345678", ""},
		{"+04915112345678", ""},
		{"+1234567890123456", ""},
		{"+123456", ""},
		{"+49 151 CALL-ME", ""},
		{"+49151123456７8", ""},
		{"++4915112345678", ""},
		{"", ""},
		{"+", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := sms.ParsePhone(tt.in)
			if tt.want == "" {
				if !errors.Is(err, sms.ErrInvalidPhone) {
					t.Errorf("ParsePhone(%q) = %q, %v; want ErrInvalidPhone", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParsePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if err := sms.ValidE164(got); err != nil {
				t.Errorf("ValidE164(%q): %v", got, err)
			}
		})
	}
}

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	body := []byte(`{"to":"+4915112345678","message":"hi"}`)
	good := sms.Sign(key, now, body)
	otherKey := []byte(strings.Repeat("k", 32))
	tests := []struct {
		name   string
		key    []byte
		header string
		body   []byte
		ok     bool
	}{
		{"good", key, good, body, true},
		{"other key", otherKey, good, body, false},
		{"body changed", key, good, []byte(`{"to":"+4915112345679","message":"hi"}`), false},
		{"time changed", key, strings.Replace(good, "t=1750000000", "t=1750000001", 1), body, false},
		{"too old", key, sms.Sign(key, now.Add(-10*time.Minute), body), body, false},
		{"from the future", key, sms.Sign(key, now.Add(10*time.Minute), body), body, false},
		{"empty", key, "", body, false},
		{"no v1", key, "t=1750000000", body, false},
		{"bad hex", key, "t=1750000000,v1=zz", body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sms.VerifySignature(tt.key, tt.header, tt.body, now, 5*time.Minute)
			if (err == nil) != tt.ok {
				t.Errorf("VerifySignature = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
