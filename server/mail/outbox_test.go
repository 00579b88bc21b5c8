package mail_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"watchword/server/mail"
)

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "outbox")
	var logBuf bytes.Buffer
	o, err := mail.NewOutbox(dir, "Watchword <no-reply@localhost>", slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tpl, _ := mail.NewTemplates("http://127.0.0.1:8080")
	msg, err := tpl.Activation("ana@example.org", "tok123", 5*24*60*60*1e9)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := o.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}

	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("outbox directory mode %o, want 700", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("outbox holds %d files, want 2 (no temporary files left)", len(entries))
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("file name %q", e.Name())
		}
		info, _ := e.Info()
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s mode %o, want 600", e.Name(), perm)
		}
		raw, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		m, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if m.Header.Get("To") != "<ana@example.org>" || !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative;") {
			t.Errorf("%s headers: %v", e.Name(), m.Header)
		}
		body, _ := io.ReadAll(m.Body)
		// The link is quoted-printable encoded in the file ("=" becomes "=3D").
		if !bytes.Contains(body, []byte("http://127.0.0.1:8080/activate?token=3Dtok123")) {
			t.Errorf("%s: link not in body", e.Name())
		}
	}
	logged := logBuf.String()
	for _, want := range []string{"ana@example.org", "Confirm your email address for Watchword", "http://127.0.0.1:8080/activate?token=tok123", dir} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %q:\n%s", want, logged)
		}
	}
}

func TestOutboxRefuses(t *testing.T) {
	dir := t.TempDir()
	o, err := mail.NewOutbox(dir, "no-reply@localhost", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), mail.Message{To: "a@example.org", Subject: "x\nBcc: b@example.org", Text: "t"}); err == nil {
		t.Error("Send accepted a header injection")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Send(ctx, mail.Message{To: "a@example.org", Subject: "s", Text: "t"}); err == nil {
		t.Error("Send succeeded with a cancelled context")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("outbox holds %d files after refused sends", len(entries))
	}
	if _, err := mail.NewOutbox(dir, "not an address", nil); err == nil {
		t.Error("NewOutbox accepted a bad sender")
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := mail.NewOutbox(filepath.Join(file, "outbox"), "a@localhost", nil); err == nil {
		t.Error("NewOutbox accepted a directory under a file")
	}
}
