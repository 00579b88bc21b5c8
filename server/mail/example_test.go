package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"watchword/server/mail"
)

func Example() {
	// With no SMTP URL configured, mail goes to <data>/outbox and the log.
	dir, _ := os.MkdirTemp("", "outbox")
	defer os.RemoveAll(dir)
	var m mail.Mailer
	m, err := mail.NewOutbox(dir, "Watchword <no-reply@localhost>", slog.New(slog.DiscardHandler))
	if err != nil {
		panic(err)
	}

	tpl, err := mail.NewTemplates("https://vault.example.com") // the configured public URL
	if err != nil {
		panic(err)
	}
	msg, _ := tpl.Activation("ana@example.org", "token-from-the-store", 5*24*time.Hour)
	fmt.Println(msg.Subject)
	fmt.Println(tpl.Link(mail.PathActivate, "token-from-the-store"))
	fmt.Println(m.Send(context.Background(), msg))
	// Output:
	// Confirm your email address for Watchword
	// https://vault.example.com/activate?token=token-from-the-store
	// <nil>
}
