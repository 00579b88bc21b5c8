package smtpsink

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// MaxMessageBytes bounds one captured message.
const MaxMessageBytes = 10 << 20

// Options configure a Sink.
type Options struct {
	// Users, when not empty, makes the sink offer AUTH PLAIN and refuse
	// mail from a session that did not authenticate with one of these
	// user/password pairs.
	Users map[string]string
	// TLSConfig, when set, makes the sink offer STARTTLS.
	TLSConfig *tls.Config
}

// Message is one captured message, decoded.
type Message struct {
	From     string      `json:"from"` // envelope sender
	To       []string    `json:"to"`   // envelope recipients
	Header   mail.Header `json:"header"`
	Subject  string      `json:"subject"` // encoded-words decoded
	Text     string      `json:"text"`    // the text/plain body, transfer encoding undone
	HTML     string      `json:"html,omitempty"`
	Raw      []byte      `json:"raw"`
	AuthUser string      `json:"auth_user,omitempty"` // who authenticated, if anyone
	TLS      bool        `json:"tls"`                 // whether the session used STARTTLS
	Received time.Time   `json:"received"`
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"')\]]+`)

// Links returns the http and https URLs in the text body, in order.
func (m Message) Links() []string { return linkRE.FindAllString(m.Text, -1) }

// Sink is a running SMTP server that captures messages.
type Sink struct {
	srv  *smtp.Server
	ln   net.Listener
	opts Options
	done chan struct{}

	mu      sync.Mutex
	msgs    []Message
	changed chan struct{} // closed and replaced on every new message
	errs    []error       // messages that could not be parsed
}

// Listen starts a sink on addr (for example "127.0.0.1:2525").
func Listen(addr string, opts Options) (*Sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtp sink: %w", err)
	}
	s := &Sink{ln: ln, opts: opts, done: make(chan struct{}), changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "sink.localhost"
	s.srv.MaxMessageBytes = MaxMessageBytes
	s.srv.MaxRecipients = 50
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	// The sink listens on loopback for tests; AUTH without TLS is what a
	// local relay permits too.
	s.srv.AllowInsecureAuth = true
	s.srv.TLSConfig = opts.TLSConfig
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Start starts a sink on 127.0.0.1 for the duration of the test and returns
// it with its address.
func Start(t testing.TB, opts Options) (*Sink, string) {
	t.Helper()
	s, err := Listen("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		for _, err := range s.Errors() {
			t.Errorf("smtp sink: %v", err)
		}
	})
	return s, s.Addr()
}

// Addr returns the address the sink listens on.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Close stops the sink.
func (s *Sink) Close() error {
	err := s.srv.Close()
	// Serve may not have registered the listener yet when Close runs right
	// after Listen; closing it here ends Serve either way.
	s.ln.Close()
	<-s.done
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	return err
}

// Messages returns every captured message, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Errors returns the errors met parsing received messages.
func (s *Sink) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.errs)
}

// Clear forgets every captured message.
func (s *Sink) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// WaitFor returns the first captured message (already received or arriving
// later) whose envelope recipients include to (case-insensitive; any
// recipient if to is empty) and for which match (if not nil) reports true.
// It returns ctx's error if none arrives before ctx ends.
func (s *Sink) WaitFor(ctx context.Context, to string, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		for _, m := range s.msgs {
			if (to == "" || slices.ContainsFunc(m.To, func(r string) bool { return strings.EqualFold(r, to) })) &&
				(match == nil || match(m)) {
				s.mu.Unlock()
				return m, nil
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("wait for mail to %s: %w", to, ctx.Err())
		}
	}
}

func (s *Sink) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Sink) addErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
}

func (s *Sink) newSession(c *smtp.Conn) (smtp.Session, error) {
	sess := &session{sink: s, conn: c, needAuth: len(s.opts.Users) > 0}
	if sess.needAuth {
		return &authSession{session: sess}, nil
	}
	return sess, nil
}

type session struct {
	sink     *Sink
	conn     *smtp.Conn
	needAuth bool
	authUser string
	from     string
	to       []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.needAuth && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.needAuth && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	m := Message{From: s.from, To: slices.Clone(s.to), Raw: raw, AuthUser: s.authUser, TLS: isTLS, Received: time.Now()}
	if err := parse(&m); err != nil {
		s.sink.addErr(fmt.Errorf("message to %v: %w", m.To, err))
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "cannot parse message: " + err.Error()}
	}
	s.sink.add(m)
	return nil
}

type authSession struct{ *session }

func (a *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (a *authSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		want, ok := a.sink.opts.Users[user]
		if !ok || want != pass || (identity != "" && identity != user) {
			return errors.New("invalid credentials")
		}
		a.authUser = user
		return nil
	}), nil
}

// parse decodes m.Raw into the header, subject and bodies.
func parse(m *Message) error {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return fmt.Errorf("subject: %w", err)
	}
	return walk(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
}

// walk decodes one MIME entity, descending into multiparts, and keeps the
// first text/plain and text/html bodies.
func walk(m *Message, ctype, cte string, body io.Reader, depth int) error {
	if depth > 5 {
		return errors.New("multipart nested too deeply")
	}
	if ctype == "" {
		ctype = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); err != nil {
				return err
			}
		}
	}
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
		r = body
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: body})
	default:
		return fmt.Errorf("unknown transfer encoding %q", cte)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decode %s body: %w", mt, err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch {
	case mt == "text/plain" && m.Text == "":
		m.Text = text
	case mt == "text/html" && m.HTML == "":
		m.HTML = text
	}
	return nil
}

// crlfStripper drops CR and LF, which base64 bodies are wrapped with.
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		j := 0
		for _, b := range p[:n] {
			if b != '\r' && b != '\n' {
				p[j] = b
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
