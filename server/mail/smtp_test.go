package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"watchword/server/mail"
	"watchword/server/mail/smtpsink"
)

// testCert returns a server config for 127.0.0.1 and a client config that
// trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func testMessage(to string) mail.Message {
	return mail.Message{
		To:      to,
		Subject: "Confirm your address — ünïcode",
		Text:    "Open https://vault.example.com/activate?token=abc123 to confirm.\n",
		HTML:    `<p><a href="https://vault.example.com/activate?token=abc123">Confirm</a></p>`,
	}
}

func TestSMTPSend(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	tests := []struct {
		name      string
		opts      smtpsink.Options
		userinfo  string
		query     string
		clientTLS *tls.Config
		wantUser  string
		wantTLS   bool
	}{
		{name: "plain"},
		{name: "auth plain over loopback", opts: smtpsink.Options{Users: map[string]string{"mailer": "s3cret/pass"}},
			userinfo: url.UserPassword("mailer", "s3cret/pass").String() + "@", wantUser: "mailer"},
		{name: "starttls when offered", opts: smtpsink.Options{TLSConfig: serverTLS}, clientTLS: clientTLS, wantTLS: true},
		{name: "starttls and auth", opts: smtpsink.Options{TLSConfig: serverTLS, Users: map[string]string{"mailer": "pw"}},
			userinfo: "mailer:pw@", clientTLS: clientTLS, wantUser: "mailer", wantTLS: true},
		{name: "starttls required", opts: smtpsink.Options{TLSConfig: serverTLS}, query: "&starttls=required", clientTLS: clientTLS, wantTLS: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, addr := smtpsink.Start(t, tt.opts)
			m, err := mail.NewSMTP(mail.SMTPConfig{
				URL:       "smtp://" + tt.userinfo + addr + "?from=" + url.QueryEscape("Watchword <no-reply@vault.example.com>") + tt.query,
				Timeout:   10 * time.Second,
				TLSConfig: tt.clientTLS,
			})
			if err != nil {
				t.Fatal(err)
			}
			if s := m.String(); strings.Contains(s, "pass") || strings.Contains(s, "pw") {
				t.Errorf("String() shows the password: %s", s)
			}
			if err := m.Send(context.Background(), testMessage("Ana <ana@example.org>")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := sink.WaitFor(ctx, "ana@example.org", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.From != "no-reply@vault.example.com" || got.Subject != "Confirm your address — ünïcode" {
				t.Errorf("from %q subject %q", got.From, got.Subject)
			}
			if links := got.Links(); len(links) != 1 || links[0] != "https://vault.example.com/activate?token=abc123" {
				t.Errorf("links = %q", links)
			}
			if !strings.Contains(got.HTML, `href="https://vault.example.com/activate?token=abc123"`) {
				t.Errorf("html = %q", got.HTML)
			}
			if got.AuthUser != tt.wantUser || got.TLS != tt.wantTLS {
				t.Errorf("auth user %q tls %v, want %q %v", got.AuthUser, got.TLS, tt.wantUser, tt.wantTLS)
			}
		})
	}
}

func TestSMTPSendFails(t *testing.T) {
	ctx := context.Background()
	from := "?from=no-reply@vault.example.com"

	t.Run("server down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr + from, Timeout: 5 * time.Second})
		if err := m.Send(ctx, testMessage("a@example.org")); err == nil || !strings.Contains(err.Error(), "connect") {
			t.Errorf("Send error = %v, want a connect error", err)
		}
	})
	t.Run("server silent", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			// Accept and never greet.
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + ln.Addr().String() + from, Timeout: 300 * time.Millisecond})
		start := time.Now()
		err = m.Send(ctx, testMessage("a@example.org"))
		if err == nil {
			t.Fatal("Send succeeded")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Send took %v despite a 300ms timeout", d)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		_, addr := smtpsink.Start(t, smtpsink.Options{Users: map[string]string{"mailer": "right"}})
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://mailer:wrong@" + addr + from})
		err := m.Send(ctx, testMessage("a@example.org"))
		if err == nil || !strings.Contains(err.Error(), "auth") {
			t.Errorf("Send error = %v, want an auth error", err)
		}
		if err != nil && strings.Contains(err.Error(), "wrong") {
			t.Errorf("error shows the password: %v", err)
		}
	})
	t.Run("auth required but not configured", func(t *testing.T) {
		sink, addr := smtpsink.Start(t, smtpsink.Options{Users: map[string]string{"mailer": "pw"}})
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr + from})
		if err := m.Send(ctx, testMessage("a@example.org")); err == nil {
			t.Error("Send succeeded")
		}
		if n := len(sink.Messages()); n != 0 {
			t.Errorf("sink captured %d messages", n)
		}
	})
	t.Run("starttls required but not offered", func(t *testing.T) {
		sink, addr := smtpsink.Start(t, smtpsink.Options{})
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr + from + "&starttls=required"})
		if err := m.Send(ctx, testMessage("a@example.org")); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("Send error = %v", err)
		}
		if n := len(sink.Messages()); n != 0 {
			t.Errorf("sink captured %d messages", n)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		serverTLS, _ := testCert(t)
		sink, addr := smtpsink.Start(t, smtpsink.Options{TLSConfig: serverTLS})
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr + from})
		if err := m.Send(ctx, testMessage("a@example.org")); err == nil || !strings.Contains(err.Error(), "starttls") {
			t.Errorf("Send error = %v, want a starttls error", err)
		}
		if n := len(sink.Messages()); n != 0 {
			t.Errorf("sink captured %d messages", n)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		_, addr := smtpsink.Start(t, smtpsink.Options{})
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr + from})
		c, cancel := context.WithCancel(ctx)
		cancel()
		if err := m.Send(c, testMessage("a@example.org")); err == nil {
			t.Error("Send succeeded with a cancelled context")
		}
	})
	t.Run("invalid message", func(t *testing.T) {
		sink, addr := smtpsink.Start(t, smtpsink.Options{})
		m, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr + from})
		msg := testMessage("a@example.org")
		msg.Subject = "x\r\nBcc: b@example.org"
		if err := m.Send(ctx, msg); err == nil {
			t.Error("Send succeeded")
		}
		if n := len(sink.Messages()); n != 0 {
			t.Errorf("sink captured %d messages", n)
		}
	})
}

func TestSMTPImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	// An smtps server: the sink behind a TLS listener.
	sink, addr := smtpsink.Start(t, smtpsink.Options{})
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { copyConn(up, c) }()
				copyConn(c, up)
			}()
		}
	}()
	m, err := mail.NewSMTP(mail.SMTPConfig{URL: "smtps://" + ln.Addr().String(), From: "no-reply@vault.example.com", TLSConfig: clientTLS})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), testMessage("a@example.org")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := sink.WaitFor(ctx, "a@example.org", nil); err != nil {
		t.Fatal(err)
	}

	// Without trusting the certificate, nothing is sent.
	m2, _ := mail.NewSMTP(mail.SMTPConfig{URL: "smtps://" + ln.Addr().String(), From: "no-reply@vault.example.com"})
	if err := m2.Send(context.Background(), testMessage("b@example.org")); err == nil {
		t.Error("Send over untrusted TLS succeeded")
	}
}

func copyConn(dst, src net.Conn) {
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if c, ok := dst.(interface{ CloseWrite() error }); ok {
				c.CloseWrite()
			}
			return
		}
	}
}

func TestNewSMTP(t *testing.T) {
	tests := []struct {
		name, url, from string
		wantErr         string // substring; empty for success
		wantString      string
	}{
		{"default port", "smtp://mail.example.com?from=a@example.com", "", "", "smtp://mail.example.com:587"},
		{"smtps default port", "smtps://u:p@mail.example.com", "a@example.com", "", "smtps://u@mail.example.com:465"},
		{"explicit port", "smtp://mail.example.com:2525", "a@example.com", "", "smtp://mail.example.com:2525"},
		{"ipv6", "smtp://[::1]:25", "a@example.com", "", "smtp://[::1]:25"},
		{"from setting wins", "smtp://h?from=bad", "a@example.com", "", "smtp://h:587"},
		{"other scheme", "http://mail.example.com", "a@example.com", "scheme", ""},
		{"no host", "smtp://?from=a@example.com", "", "no host", ""},
		{"no from", "smtp://mail.example.com", "", "sender", ""},
		{"bad from", "smtp://mail.example.com", "not an address", "sender", ""},
		{"user without password", "smtp://u@mail.example.com", "a@example.com", "password", ""},
		{"bad port", "smtp://mail.example.com:99999", "a@example.com", "port", ""},
		{"unknown parameter", "smtp://mail.example.com?tls=off", "a@example.com", "unknown parameter", ""},
		{"bad starttls", "smtp://mail.example.com?starttls=never", "a@example.com", "starttls", ""},
		{"path", "smtp://mail.example.com/x", "a@example.com", "path", ""},
		{"unparsable keeps password out", "smtp://u:sec%zzret@mail.example.com", "a@example.com", "cannot parse", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mail.NewSMTP(mail.SMTPConfig{URL: tt.url, From: tt.from})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "sec") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := m.String(); s != tt.wantString {
				t.Errorf("String = %q, want %q", s, tt.wantString)
			}
		})
	}
}
