package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Mailer sends one message. Implementations are safe for concurrent use.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Message is one email to one recipient.
type Message struct {
	To      string // one address, "user@example.com" or "Name <user@example.com>"
	Subject string
	Text    string // the plain-text body; required
	HTML    string // optional HTML alternative
	// Headers are extra header fields (for example Auto-Submitted). They
	// cannot replace the fields Compose writes itself.
	Headers map[string]string
}

// Limits on what Compose accepts.
const (
	MaxSubjectLen = 512     // bytes
	MaxBodyLen    = 1 << 20 // bytes, each of Text and HTML
)

// ErrInvalid is returned (wrapped) for a message Compose refuses.
var ErrInvalid = errors.New("invalid message")

// reserved are the header fields Compose writes itself, in canonical form.
var reserved = []string{
	"Bcc", "Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From",
	"Message-Id", "Mime-Version", "Sender", "Subject", "To",
}

// ParseAddress parses a single ASCII address as used for From and To and
// returns it with the bare address for the SMTP envelope. Internationalised
// addresses (RFC 6531) are refused: not every relay supports them.
func ParseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n\x00") {
		return nil, fmt.Errorf("%w: address contains a line break", ErrInvalid)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%w: address %q: %v", ErrInvalid, s, err)
	}
	for i := 0; i < len(a.Address); i++ {
		if a.Address[i] >= utf8.RuneSelf {
			return nil, fmt.Errorf("%w: address %q: non-ASCII addresses are not supported", ErrInvalid, a.Address)
		}
	}
	return a, nil
}

// Compose returns m as an RFC 5322 message from the given sender, dated
// date, and the recipient's bare address for the SMTP envelope. Lines end in
// CRLF.
func Compose(from *mail.Address, m Message, date time.Time) (msg []byte, rcpt string, err error) {
	to, err := ParseAddress(m.To)
	if err != nil {
		return nil, "", fmt.Errorf("recipient: %w", err)
	}
	if err := checkValue("Subject", m.Subject); err != nil {
		return nil, "", err
	}
	if len(m.Subject) > MaxSubjectLen {
		return nil, "", fmt.Errorf("%w: subject over %d bytes", ErrInvalid, MaxSubjectLen)
	}
	if m.Text == "" {
		return nil, "", fmt.Errorf("%w: no text body", ErrInvalid)
	}
	if len(m.Text) > MaxBodyLen || len(m.HTML) > MaxBodyLen {
		return nil, "", fmt.Errorf("%w: body over %d bytes", ErrInvalid, MaxBodyLen)
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		return nil, "", fmt.Errorf("%w: body is not UTF-8", ErrInvalid)
	}
	names := make([]string, 0, len(m.Headers))
	for k, v := range m.Headers {
		if !validFieldName(k) {
			return nil, "", fmt.Errorf("%w: header name %q", ErrInvalid, k)
		}
		if slices.Contains(reserved, textproto.CanonicalMIMEHeaderKey(k)) {
			return nil, "", fmt.Errorf("%w: header %s is set by the mailer", ErrInvalid, k)
		}
		if err := checkValue(k, v); err != nil {
			return nil, "", err
		}
		names = append(names, k)
	}
	slices.Sort(names)

	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")
	for _, k := range names {
		header(textproto.CanonicalMIMEHeaderKey(k), mime.QEncoding.Encode("utf-8", m.Headers[k]))
	}
	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, m.Text)
		return b.Bytes(), to.Address, nil
	}
	mw := multipart.NewWriter(&b)
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	// Alternatives go from plainest to richest (RFC 2046 section 5.1.4).
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", part.typ+"; charset=utf-8")
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := mw.CreatePart(h)
		if err != nil {
			return nil, "", fmt.Errorf("compose: %w", err)
		}
		writeQP(w, part.body)
	}
	if err := mw.Close(); err != nil {
		return nil, "", fmt.Errorf("compose: %w", err)
	}
	b.WriteString("\r\n")
	return b.Bytes(), to.Address, nil
}

// writeQP writes s quoted-printable encoded. Quoted-printable keeps lines
// under 76 characters and 7-bit clean, so any relay passes it unchanged,
// while English text stays readable in the raw message.
func writeQP(w interface{ Write([]byte) (int, error) }, s string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	q := quotedprintable.NewWriter(w)
	q.Write([]byte(s)) // writes into a buffer; cannot fail
	q.Close()
}

func checkValue(name, v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return fmt.Errorf("%w: header %s contains a line break", ErrInvalid, name)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: header %s is not UTF-8", ErrInvalid, name)
	}
	if len(v) > MaxSubjectLen {
		return fmt.Errorf("%w: header %s over %d bytes", ErrInvalid, name, MaxSubjectLen)
	}
	return nil
}

// validFieldName reports whether s is an RFC 5322 field name: printable
// ASCII except colon.
func validFieldName(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 || s[i] == ':' {
			return false
		}
	}
	return true
}

func messageID(fromAddr string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && i+1 < len(fromAddr) {
		domain = fromAddr[i+1:]
	}
	// 128 random bits make the id unique without any state.
	var r [16]byte
	rand.Read(r[:])
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">"
}
