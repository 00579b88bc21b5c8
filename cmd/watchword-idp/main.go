package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"watchword/server/oidc/oidctest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "watchword-idp:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	redirect := flag.String("redirect", "", "the one redirect URI clients may use: the server's public URL + /oidc/callback (required)")
	email := flag.String("email", "user@example.org", "the email address of the person signed in")
	subject := flag.String("subject", "", "the person's subject identifier (default: derived from -email)")
	unverified := flag.Bool("unverified", false, "say the email address is not verified")
	clientID := flag.String("client-id", "watchword-test", "the registered client id")
	clientSecret := flag.String("client-secret", "watchword-test-secret", "the registered client secret")
	flag.Parse()
	if *redirect == "" {
		return errors.New("-redirect is required")
	}
	sub := *subject
	if sub == "" {
		sub = "sub-" + *email
	}
	idp, err := oidctest.NewServer(oidctest.Options{
		Addr:         *addr,
		RedirectURL:  *redirect,
		ClientID:     *clientID,
		ClientSecret: *clientSecret,
		User:         oidctest.User{Subject: sub, Email: *email, EmailVerified: !*unverified},
	})
	if err != nil {
		return err
	}
	defer idp.Close()
	if err := json.NewEncoder(os.Stdout).Encode(map[string]string{
		"issuer": idp.Issuer(), "client_id": idp.ClientID(), "client_secret": idp.ClientSecret(),
	}); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
