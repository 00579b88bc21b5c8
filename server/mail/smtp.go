package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strconv"
	"time"
)

// DefaultTimeout bounds one Send (connect, TLS, authentication and
// transfer) when SMTPConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPConfig configures an SMTP mailer.
type SMTPConfig struct {
	// URL is smtp://[user:password@]host[:port][?from=...&starttls=required]
	// (port 587 by default; STARTTLS whenever the server offers it, and
	// always required with "starttls=required" or when authenticating to a
	// host that is not loopback) or smtps://[user:password@]host[:port]
	// (implicit TLS, port 465 by default). The password must be
	// URL-escaped and must be kept secret.
	URL string
	// From is the sender, e.g. "Watchword <no-reply@example.com>"; it
	// overrides the URL's from parameter. One of the two is required.
	From string
	// Timeout bounds one Send; 0 means DefaultTimeout.
	Timeout time.Duration
	// LocalName is the name sent with EHLO; empty means "localhost".
	LocalName string
	// TLSConfig is used for TLS; nil means the system's roots. ServerName
	// defaults to the URL's host.
	TLSConfig *tls.Config
	// Now is the clock for the Date header; nil means time.Now.
	Now func() time.Time
}

// SMTP sends messages through an SMTP server, one connection per message.
type SMTP struct {
	host, addr  string
	implicitTLS bool
	requireTLS  bool
	user, pass  string
	auth        bool
	from        *mail.Address
	timeout     time.Duration
	localName   string
	tlsConfig   *tls.Config
	now         func() time.Time
}

// NewSMTP returns an SMTP mailer. It does not connect.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		// url.Error repeats the URL, password included; say less.
		return nil, errors.New("smtp url: cannot parse")
	}
	s := &SMTP{timeout: c.Timeout, localName: c.LocalName, now: c.Now}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		port, s.implicitTLS = "465", true
	default:
		return nil, fmt.Errorf("smtp url: scheme %q: want smtp or smtps", u.Scheme)
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" || u.Opaque != "" {
		return nil, errors.New("smtp url: unexpected path or fragment")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("smtp url: no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("smtp url: bad port %q", p)
		}
		port = p
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, s.auth = u.User.Password()
		if !s.auth || s.user == "" {
			return nil, errors.New("smtp url: user without password")
		}
	}
	q := u.Query()
	for k := range q {
		if k != "from" && k != "starttls" {
			return nil, fmt.Errorf("smtp url: unknown parameter %q", k)
		}
	}
	switch q.Get("starttls") {
	case "", "auto":
	case "required":
		s.requireTLS = true
	default:
		return nil, fmt.Errorf("smtp url: starttls=%q: want auto or required", q.Get("starttls"))
	}
	from := c.From
	if from == "" {
		from = q.Get("from")
	}
	if from == "" {
		return nil, errors.New("smtp: no sender address (set from)")
	}
	if s.from, err = ParseAddress(from); err != nil {
		return nil, fmt.Errorf("smtp sender: %w", err)
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if s.localName == "" {
		s.localName = "localhost"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if c.TLSConfig != nil {
		s.tlsConfig = c.TLSConfig.Clone()
	} else {
		s.tlsConfig = &tls.Config{}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	if s.tlsConfig.MinVersion == 0 {
		s.tlsConfig.MinVersion = tls.VersionTLS12
	}
	return s, nil
}

// String describes the mailer without its password, for logs.
func (s *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.implicitTLS {
		u.Scheme = "smtps"
	}
	if s.auth {
		u.User = url.User(s.user)
	}
	return u.String()
}

// From returns the configured sender.
func (s *SMTP) From() *mail.Address { return s.from }

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers m, or returns an error saying which step failed.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, rcpt, err := Compose(s.from, m, s.now())
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.send(ctx, rcpt, msg); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		return fmt.Errorf("send mail via %s: %w", s.addr, err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, rcpt string, msg []byte) error {
	d := &net.Dialer{}
	var conn net.Conn
	var err error
	if s.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	// The deadline bounds a server that stops answering; closing on
	// cancellation bounds a caller that gives up.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(s.localName); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig); err != nil {
				return fmt.Errorf("starttls: %w", err)
			}
		} else if s.requireTLS {
			return errors.New("server does not offer STARTTLS, which is required")
		} else if s.auth && !isLoopback(s.host) {
			return errors.New("server does not offer STARTTLS; refusing to send credentials in the clear")
		}
	}
	if s.auth {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("server does not offer AUTH")
		}
		// net/smtp's PLAIN refuses to send credentials without TLS unless
		// the host is localhost or a loopback address, as checked above.
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("quit: %w", err)
	}
	return nil
}
