package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"time"
)

// Outbox is the Mailer used when no SMTP server is configured: each message
// is written as an RFC 5322 .eml file into a directory and logged, text body
// included, so the person running the server can open the activation link
// from the log or hand the file to a mail client.
type Outbox struct {
	dir  string
	from *mail.Address
	log  *slog.Logger
	now  func() time.Time
}

// NewOutbox returns an Outbox writing into dir (created 0700 if missing),
// typically <data>/outbox. from is the sender written into each message. A
// nil logger means slog.Default().
func NewOutbox(dir, from string, logger *slog.Logger) (*Outbox, error) {
	f, err := ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("outbox sender: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Outbox{dir: dir, from: f, log: logger, now: time.Now}, nil
}

// Dir returns the outbox directory.
func (o *Outbox) Dir() string { return o.dir }

// Send writes m into the outbox and logs it. The file appears complete or
// not at all: it is written under a temporary name and renamed.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	now := o.now()
	msg, rcpt, err := Compose(o.from, m, now)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	// Time first so a directory listing is in order; random bits so two
	// messages in one second (or from two processes) never collide.
	var r [8]byte
	rand.Read(r[:])
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(r[:]) + ".eml"
	path := filepath.Join(o.dir, name)
	if err := writeFileAtomic(o.dir, path, msg); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	// The log line is the documented way to see mail without an SMTP
	// server. Messages carry links and codes, never passwords.
	o.log.LogAttrs(ctx, slog.LevelInfo, "mail kept in outbox (no SMTP server configured)",
		slog.String("to", rcpt),
		slog.String("subject", m.Subject),
		slog.String("file", path),
		slog.String("text", m.Text))
	return nil
}

func writeFileAtomic(dir, path string, data []byte) error {
	// CreateTemp makes the file 0600 and with a name no one else holds.
	f, err := os.CreateTemp(dir, ".tmp-*.eml")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
