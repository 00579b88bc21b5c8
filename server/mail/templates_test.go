package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"watchword/server/mail"
	"watchword/server/mail/smtpsink"
)

func TestTemplates(t *testing.T) {
	tpl, err := mail.NewTemplates("https://vault.example.com/ww/")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 9, 5, 0, 0, time.FixedZone("CET", 3600))
	type built struct {
		m   mail.Message
		err error
	}
	b := func(m mail.Message, err error) built { return built{m, err} }
	tests := []struct {
		name    string
		got     built
		subject string
		links   []string
		textHas []string
	}{
		{"activation", b(tpl.Activation("a@example.org", "tok+/=", 5*24*time.Hour)),
			"Confirm your email address for Watchword",
			[]string{"https://vault.example.com/ww/activate?token=tok%2B%2F%3D"},
			[]string{"5 days"}},
		{"registration attempt", b(tpl.RegistrationAttempt("a@example.org")),
			"Someone tried to create a Watchword account with your address",
			[]string{"https://vault.example.com/ww/signin", "https://vault.example.com/ww/reset-password"},
			[]string{"already has an account"}},
		{"sign-in code", b(tpl.SignInCode("a@example.org", "493817", 10*time.Minute)),
			"Your Watchword sign-in code", nil,
			[]string{"493817", "10 minutes"}},
		{"password reset", b(tpl.PasswordReset("a@example.org", "rst", time.Hour)),
			"Set a new Watchword account password",
			[]string{"https://vault.example.com/ww/reset-password?token=rst"},
			[]string{"1 hour", "master password"}},
		{"new device", b(tpl.NewDevice("a@example.org", "Firefox on\tLinux\x00\u202e", at)),
			"New sign-in to your Watchword account",
			[]string{"https://vault.example.com/ww/account/devices"},
			[]string{"Device: Firefox on Linux\n", "1 March 2025, 09:05 CET"}},
		{"account deleted", b(tpl.AccountDeleted("a@example.org", at)),
			"Your Watchword account was deleted", nil,
			[]string{"1 March 2025, 09:05 CET"}},
	}
	sink, addr := smtpsink.Start(t, smtpsink.Options{})
	sender, err := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr, From: "Watchword <no-reply@vault.example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.err != nil {
				t.Fatal(tt.got.err)
			}
			m := tt.got.m
			if m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			if m.Headers["Auto-Submitted"] != "auto-generated" {
				t.Errorf("headers %v", m.Headers)
			}
			if !strings.Contains(m.HTML, "<!DOCTYPE html>") || !strings.Contains(m.HTML, "</html>") {
				t.Errorf("html body incomplete:\n%s", m.HTML)
			}
			for _, s := range tt.textHas {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			// Through a real SMTP exchange, and decoded again.
			if err := sender.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := sink.WaitFor(ctx, "a@example.org", func(g smtpsink.Message) bool { return g.Subject == tt.subject })
			if err != nil {
				t.Fatal(err)
			}
			links := got.Links()
			if strings.Join(links, " ") != strings.Join(tt.links, " ") {
				t.Errorf("links %q, want %q", links, tt.links)
			}
			for _, l := range tt.links {
				if !strings.Contains(got.HTML, `href="`+strings.ReplaceAll(l, "&", "&amp;")+`"`) {
					t.Errorf("html lacks a link to %s", l)
				}
			}
			if got.Text != m.Text {
				t.Errorf("text changed in transit:\n%q\n%q", got.Text, m.Text)
			}
		})
	}
}

func TestTemplatesEscapeDeviceName(t *testing.T) {
	tpl, _ := mail.NewTemplates("https://vault.example.com")
	m, err := tpl.NewDevice("a@example.org", `<script>alert(1)</script> <a href="https://evil.example">`, time.Unix(0, 0).UTC())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, `<a href="https://evil`) {
		t.Errorf("device name not escaped:\n%s", m.HTML)
	}
}

func TestTemplatesRefuseEmpty(t *testing.T) {
	tpl, _ := mail.NewTemplates("https://vault.example.com")
	if _, err := tpl.Activation("a@example.org", "", time.Hour); err == nil {
		t.Error("Activation with an empty token")
	}
	if _, err := tpl.PasswordReset("a@example.org", "", time.Hour); err == nil {
		t.Error("PasswordReset with an empty token")
	}
	if _, err := tpl.SignInCode("a@example.org", "", time.Hour); err == nil {
		t.Error("SignInCode with an empty code")
	}
}

func TestNewTemplates(t *testing.T) {
	tests := []struct {
		base   string
		ok     bool
		signin string
	}{
		{"https://vault.example.com", true, "https://vault.example.com/signin"},
		{"https://vault.example.com/", true, "https://vault.example.com/signin"},
		{"https://example.com:8443/watchword", true, "https://example.com:8443/watchword/signin"},
		{"http://localhost:8080", true, "http://localhost:8080/signin"},
		{"http://127.0.0.1:8080", true, "http://127.0.0.1:8080/signin"},
		{"http://[::1]:8080", true, "http://[::1]:8080/signin"},
		{"http://vault.example.com", false, ""},
		{"ftp://vault.example.com", false, ""},
		{"vault.example.com", false, ""},
		{"/relative", false, ""},
		{"https://vault.example.com/?next=x", false, ""},
		{"https://vault.example.com/#x", false, ""},
		{"https://user:pw@vault.example.com", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			tpl, err := mail.NewTemplates(tt.base)
			if (err == nil) != tt.ok {
				t.Fatalf("error = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok {
				if got := tpl.Link(mail.PathSignIn, ""); got != tt.signin {
					t.Errorf("Link = %q, want %q", got, tt.signin)
				}
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{5 * 24 * time.Hour, "5 days"},
		{24 * time.Hour, "1 day"},
		{36 * time.Hour, "1 day"},
		{2 * time.Hour, "2 hours"},
		{time.Hour, "1 hour"},
		{15 * time.Minute, "15 minutes"},
		{time.Minute, "1 minute"},
		{30 * time.Second, "30 seconds"},
		{-time.Second, "0 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := mail.Duration(tt.d); got != tt.want {
				t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestCleanDeviceName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Chrome on Windows", "Chrome on Windows"},
		{"  Firefox \t\n on   Linux  ", "Firefox on Linux"},
		{"evil\r\nBcc: x", "evil Bcc: x"},
		{"rtl\u202eoverride", "rtloverride"},
		{"bad\xffutf8", "badutf8"},
		{"", "Unnamed device"},
		{"\x00\x01", "Unnamed device"},
		{strings.Repeat("é", 100), strings.Repeat("é", mail.MaxDeviceNameLen)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := mail.CleanDeviceName(tt.in); got != tt.want {
				t.Errorf("CleanDeviceName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
