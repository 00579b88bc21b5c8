package sms

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sender sends one text message to one E.164 number.
type Sender interface {
	Send(ctx context.Context, to, message string) error
}

const (
	// DefaultTimeout bounds one Send when WebhookConfig.Timeout is zero.
	DefaultTimeout = 10 * time.Second
	// MaxMessageLen bounds a message, in characters (ten concatenated
	// GSM-7 segments).
	MaxMessageLen = 1530
	// SignatureHeader carries the HMAC signature.
	SignatureHeader = "Watchword-Signature"
	// MinKeySize is the minimum HMAC key size in bytes.
	MinKeySize = 32
)

// ErrInvalidPhone is returned (wrapped) for a number that is not E.164.
var ErrInvalidPhone = errors.New("invalid phone number")

// ParsePhone normalises a phone number typed by a person ("+49 151
// 1234-5678", "+1 (555) 010.0199") to E.164 ("+4915112345678"): a plus sign,
// a country code not starting with 0, and 7 to 15 digits in all. Spaces,
// dashes, dots and parentheses are dropped; anything else is refused. Only
// the form is checked, not whether the number exists.
func ParsePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return "", fmt.Errorf("%w: too long", ErrInvalidPhone)
	}
	if !strings.HasPrefix(s, "+") {
		return "", fmt.Errorf("%w: must start with + and the country code", ErrInvalidPhone)
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", fmt.Errorf("%w: unexpected character %q", ErrInvalidPhone, r)
		}
	}
	e := b.String()
	if err := ValidE164(e); err != nil {
		return "", err
	}
	return e, nil
}

// ValidE164 reports whether s is exactly in E.164 form: "+", then 7 to 15
// digits, the first not 0.
func ValidE164(s string) error {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' {
		return fmt.Errorf("%w: want + and 7 to 15 digits", ErrInvalidPhone)
	}
	if s[1] == '0' {
		return fmt.Errorf("%w: country codes do not start with 0", ErrInvalidPhone)
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: want + and 7 to 15 digits", ErrInvalidPhone)
		}
	}
	return nil
}

// CodeMessage is the text of a sign-in code message. It is short enough for
// one SMS segment.
func CodeMessage(code string, valid time.Duration) string {
	mins := max(int(valid/time.Minute), 1)
	unit := "minutes"
	if mins == 1 {
		unit = "minute"
	}
	return fmt.Sprintf("Your Watchword sign-in code is %s. It works for %d %s. Never share it.", code, mins, unit)
}

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// URL receives the POST: https, or http to a loopback host.
	URL string
	// BearerToken, if set, is sent as "Authorization: Bearer <token>". Must
	// be kept secret.
	BearerToken string
	// HMACKey, if set (at least MinKeySize bytes), signs each request in
	// the Watchword-Signature header. Must be kept secret.
	HMACKey []byte
	// Timeout bounds one Send; 0 means DefaultTimeout.
	Timeout time.Duration
	// Client is the HTTP client; nil means a new one. Redirects are never
	// followed either way.
	Client *http.Client
	// Now is the clock for signatures; nil means time.Now.
	Now func() time.Time
}

// Webhook sends messages by POSTing them to an SMS gateway.
type Webhook struct {
	url     string
	host    string
	token   string
	key     []byte
	timeout time.Duration
	client  *http.Client
	now     func() time.Time
}

// NewWebhook returns a Webhook. It does not connect.
func NewWebhook(c WebhookConfig) (*Webhook, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, errors.New("sms webhook url: want an absolute http(s) URL without credentials")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("sms webhook url: scheme %q: want https (http only to a loopback host)", u.Scheme)
	}
	if c.HMACKey != nil && len(c.HMACKey) < MinKeySize {
		return nil, fmt.Errorf("sms webhook hmac key: %d bytes, want at least %d", len(c.HMACKey), MinKeySize)
	}
	if strings.ContainsAny(c.BearerToken, "\r\n ") {
		return nil, errors.New("sms webhook token: contains white space")
	}
	w := &Webhook{url: u.String(), host: u.Host, token: c.BearerToken, key: append([]byte(nil), c.HMACKey...), timeout: c.Timeout, now: c.Now}
	if w.timeout == 0 {
		w.timeout = DefaultTimeout
	}
	if w.now == nil {
		w.now = time.Now
	}
	client := &http.Client{}
	if c.Client != nil {
		cc := *c.Client
		client = &cc
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w.client = client
	return w, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type payload struct {
	To      string `json:"to"`
	Message string `json:"message"`
}

// Send posts one message. to must be E.164 (see ParsePhone).
func (w *Webhook) Send(ctx context.Context, to, message string) error {
	if err := ValidE164(to); err != nil {
		return fmt.Errorf("send sms: %w", err)
	}
	if message == "" || !utf8.ValidString(message) || utf8.RuneCountInString(message) > MaxMessageLen {
		return fmt.Errorf("send sms: message must be 1 to %d characters of UTF-8", MaxMessageLen)
	}
	body, err := json.Marshal(payload{To: to, Message: message})
	if err != nil {
		return fmt.Errorf("send sms: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("send sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Watchword")
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	if len(w.key) > 0 {
		req.Header.Set(SignatureHeader, Sign(w.key, w.now(), body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		// url.Error names the URL, which carries no secret (credentials in
		// the URL are refused), but may hide a timeout: keep it wrapped.
		return fmt.Errorf("send sms via %s: %w", w.host, err)
	}
	defer resp.Body.Close()
	// Read a little of the answer for the error, and drain the rest (up to
	// a bound) so the connection can be reused.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("send sms via %s: gateway answered %s: %q", w.host, resp.Status, printable(snippet))
	}
	return nil
}

func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// Sign returns the Watchword-Signature header value for body at time t.
func Sign(key []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(key, ts, body))
}

func mac(key []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifySignature checks a Watchword-Signature header against body: the
// gateway's side. The signature must be within tolerance of now, in either
// direction.
func VerifySignature(key []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("signature header malformed")
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return errors.New("signature header malformed")
	}
	// Constant-time comparison: no timing hint about a forged signature.
	if !hmac.Equal(got, mac(key, ts, body)) {
		return errors.New("signature does not match")
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return errors.New("signature too old or from the future")
	}
	return nil
}
