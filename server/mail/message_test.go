package mail_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"watchword/server/mail"
)

var (
	sender      = &netmail.Address{Name: "Watchword", Address: "no-reply@vault.example.com"}
	composeDate = time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)
)

func TestComposePlain(t *testing.T) {
	msg, rcpt, err := mail.Compose(sender, mail.Message{
		To:      "Ana <ana@example.org>",
		Subject: "Hello",
		Text:    "Line one\nLine two with a long tail " + strings.Repeat("x", 100) + "\nü=€\n",
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	}, composeDate)
	if err != nil {
		t.Fatal(err)
	}
	if rcpt != "ana@example.org" {
		t.Errorf("rcpt = %q", rcpt)
	}
	for _, line := range strings.Split(string(msg), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line over 78 characters: %q", line)
		}
		if strings.Contains(line, "\n") {
			t.Errorf("bare LF in %q", line)
		}
	}
	m, err := netmail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"From":                      `"Watchword" <no-reply@vault.example.com>`,
		"To":                        `"Ana" <ana@example.org>`,
		"Subject":                   "Hello",
		"Date":                      "Sat, 01 Mar 2025 12:30:00 +0000",
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"Auto-Submitted":            "auto-generated",
	}
	for k, v := range want {
		if got := m.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@vault.example.com>") {
		t.Errorf("Message-ID = %q", id)
	}
	body, _ := io.ReadAll(m.Body)
	if !bytes.Contains(body, []byte("=C3=BC=3D=E2=82=AC")) {
		t.Errorf("body not quoted-printable: %q", body)
	}
}

func TestComposeEncodedSubject(t *testing.T) {
	msg, _, err := mail.Compose(sender, mail.Message{To: "a@example.org", Subject: "Grüße — Watchword", Text: "x"}, composeDate)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := netmail.ReadMessage(bytes.NewReader(msg))
	raw := m.Header.Get("Subject")
	if !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("raw subject %q is not an encoded-word", raw)
	}
	got, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || got != "Grüße — Watchword" {
		t.Errorf("decoded subject = %q, %v", got, err)
	}
}

func TestComposeRefuses(t *testing.T) {
	ok := mail.Message{To: "a@example.org", Subject: "s", Text: "t"}
	mod := func(f func(*mail.Message)) mail.Message { m := ok; f(&m); return m }
	tests := []struct {
		name string
		m    mail.Message
	}{
		{"CRLF in subject", mod(func(m *mail.Message) { m.Subject = "hi\r\nBcc: x@evil.example" })},
		{"LF in subject", mod(func(m *mail.Message) { m.Subject = "hi\nBcc: x@evil.example" })},
		{"CR in subject", mod(func(m *mail.Message) { m.Subject = "hi\rBcc: x@evil.example" })},
		{"CRLF in recipient", mod(func(m *mail.Message) { m.To = "a@example.org\r\nBcc: x@evil.example" })},
		{"two recipients", mod(func(m *mail.Message) { m.To = "a@example.org, b@example.org" })},
		{"no recipient", mod(func(m *mail.Message) { m.To = "" })},
		{"non-ASCII recipient", mod(func(m *mail.Message) { m.To = "jürgen@example.org" })},
		{"CRLF in header value", mod(func(m *mail.Message) { m.Headers = map[string]string{"X-Kind": "a\r\nBcc: x@evil.example"} })},
		{"colon in header name", mod(func(m *mail.Message) { m.Headers = map[string]string{"X-A: b\r\nBcc": "c"} })},
		{"space in header name", mod(func(m *mail.Message) { m.Headers = map[string]string{"X Kind": "c"} })},
		{"reserved header", mod(func(m *mail.Message) { m.Headers = map[string]string{"bcc": "x@evil.example"} })},
		{"reserved content type", mod(func(m *mail.Message) { m.Headers = map[string]string{"Content-Type": "text/html"} })},
		{"no text", mod(func(m *mail.Message) { m.Text = "" })},
		{"invalid UTF-8 body", mod(func(m *mail.Message) { m.Text = "\xff" })},
		{"huge subject", mod(func(m *mail.Message) { m.Subject = strings.Repeat("s", mail.MaxSubjectLen+1) })},
		{"huge body", mod(func(m *mail.Message) { m.HTML = strings.Repeat("s", mail.MaxBodyLen+1) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := mail.Compose(sender, tt.m, composeDate)
			if !errors.Is(err, mail.ErrInvalid) {
				t.Errorf("Compose error = %v, want ErrInvalid", err)
			}
		})
	}
}

// FuzzCompose checks that whatever Compose accepts parses back with exactly
// the header fields it wrote: no input can add a field.
func FuzzCompose(f *testing.F) {
	seeds := [][3]string{
		{"a@example.org", "Hello", "X-Kind"},
		{"a@example.org", "hi\r\nBcc: x@evil.example", "X-Kind"},
		{"Ana <a@example.org>", "Grüße", "Auto-Submitted"},
		{"a@example.org\nBcc: b@example.org", "s", "Bcc"},
		{"\"A\\\"\r\n\" <a@example.org>", "=?utf-8?q?x?=", "X"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], "value")
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, to, subject, hname, hval string) {
		msg, _, err := mail.Compose(sender, mail.Message{
			To: to, Subject: subject, Text: "body", Headers: map[string]string{hname: hval},
		}, composeDate)
		if err != nil {
			return
		}
		m, err := netmail.ReadMessage(bytes.NewReader(msg))
		if err != nil {
			t.Fatalf("composed message does not parse: %v\n%s", err, msg)
		}
		if len(m.Header) != 9 {
			t.Fatalf("composed message has %d header fields, want 9:\n%s", len(m.Header), msg)
		}
		for k, v := range m.Header {
			if len(v) != 1 {
				t.Fatalf("header %s appears %d times:\n%s", k, len(v), msg)
			}
		}
	})
}
