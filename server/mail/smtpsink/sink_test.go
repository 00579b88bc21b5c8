package smtpsink_test

import (
	"context"
	"errors"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"watchword/server/mail/smtpsink"
)

const base64Msg = "From: a@example.org\r\n" +
	"To: b@example.org\r\n" +
	"Subject: =?utf-8?b?R3LDvMOfZQ==?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"T3BlbiBodHRwczovL2V4YW1wbGUuY29tL2E/dD0xIGFuZCAoaHR0cDovLzEyNy4wLjAuMTo4\r\n" +
	"MDgwL2IpLg==\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>Gr=C3=BC=C3=9Fe, a very long line that is soft-wrapped by quoted-printa=\r\n" +
	"ble</p>\r\n" +
	"--inner--\r\n" +
	"--outer--\r\n"

func send(t *testing.T, addr, to, msg string) error {
	t.Helper()
	return smtp.SendMail(addr, nil, "a@example.org", []string{to}, []byte(msg))
}

func TestSinkDecodes(t *testing.T) {
	sink, addr := smtpsink.Start(t, smtpsink.Options{})
	if err := send(t, addr, "b@example.org", base64Msg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := sink.WaitFor(ctx, "B@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Grüße" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.Text != "Open https://example.com/a?t=1 and (http://127.0.0.1:8080/b)." {
		t.Errorf("text %q", m.Text)
	}
	if want := "<p>Grüße, a very long line that is soft-wrapped by quoted-printable</p>"; m.HTML != want {
		t.Errorf("html %q, want %q", m.HTML, want)
	}
	if got := strings.Join(m.Links(), " "); got != "https://example.com/a?t=1 http://127.0.0.1:8080/b" {
		t.Errorf("links %q", got)
	}
	if m.From != "a@example.org" || len(m.To) != 1 || m.AuthUser != "" || m.TLS {
		t.Errorf("envelope %+v", m)
	}
	if len(sink.Messages()) != 1 {
		t.Errorf("Messages() = %d", len(sink.Messages()))
	}
	sink.Clear()
	if len(sink.Messages()) != 0 {
		t.Error("Clear left messages")
	}
}

func TestSinkWaitFor(t *testing.T) {
	sink, addr := smtpsink.Start(t, smtpsink.Options{})
	plain := func(subject string) string {
		return "From: a@example.org\r\nTo: b@example.org\r\nSubject: " + subject + "\r\n\r\nbody\r\n"
	}
	done := make(chan smtpsink.Message, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m, err := sink.WaitFor(ctx, "c@example.org", func(m smtpsink.Message) bool { return m.Subject == "second" })
		if err != nil {
			t.Error(err)
		}
		done <- m
	}()
	time.Sleep(20 * time.Millisecond)
	for _, m := range []struct{ to, subject string }{{"b@example.org", "second"}, {"c@example.org", "first"}, {"c@example.org", "second"}} {
		if err := send(t, addr, m.to, plain(m.subject)); err != nil {
			t.Fatal(err)
		}
	}
	if m := <-done; m.Subject != "second" || m.To[0] != "c@example.org" {
		t.Errorf("WaitFor returned %+v", m)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := sink.WaitFor(ctx, "nobody@example.org", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor for a missing message: %v", err)
	}
}

func TestSinkAuth(t *testing.T) {
	sink, addr := smtpsink.Start(t, smtpsink.Options{Users: map[string]string{"u": "p"}})
	msg := "From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\n\r\nbody\r\n"
	tests := []struct {
		name string
		auth smtp.Auth
		ok   bool
	}{
		{"no auth", nil, false},
		{"wrong password", smtp.PlainAuth("", "u", "x", "127.0.0.1"), false},
		{"unknown user", smtp.PlainAuth("", "x", "p", "127.0.0.1"), false},
		{"right", smtp.PlainAuth("", "u", "p", "127.0.0.1"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := smtp.SendMail(addr, tt.auth, "a@example.org", []string{"b@example.org"}, []byte(msg))
			if (err == nil) != tt.ok {
				t.Errorf("SendMail error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if ms := sink.Messages(); len(ms) != 1 || ms[0].AuthUser != "u" {
		t.Errorf("captured %+v", ms)
	}
}

func TestSinkRefusesUnparsable(t *testing.T) {
	sink, err := smtpsink.Listen("127.0.0.1:0", smtpsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	bad := "From: a@example.org\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nbody\r\n"
	if err := send(t, sink.Addr(), "b@example.org", bad); err == nil {
		t.Error("sink accepted a message it cannot decode")
	}
	if len(sink.Errors()) != 1 || len(sink.Messages()) != 0 {
		t.Errorf("errors %v, messages %d", sink.Errors(), len(sink.Messages()))
	}
}
