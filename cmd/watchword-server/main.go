// Command watchword-server runs the Watchword sync server and account
// portal. It starts with no configuration at all (SQLite under ./data, mail
// written to ./data/outbox and the log, listening on 127.0.0.1:8080); every
// flag has an environment equivalent, listed by -help.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // IANA time zones even where the system has none

	"watchword/server"
	"watchword/server/httpapi"
	"watchword/server/mail"
	"watchword/server/passhash"
	"watchword/server/pow"
	"watchword/server/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "watchword-server:", err)
		os.Exit(1)
	}
}

// config is the parsed command line and environment.
type config struct {
	addr, data, publicURL, databaseURL string
	smtpURL, mailFrom, smsWebhook      string
	smsToken, smsKey                   string
	oidc, oidcFile                     string
	powDifficulty                      int
	powKey                             string
	trustedProxies                     []netip.Prefix
	logFormat, logLevel                string
}

// flagSpec binds one flag to its environment variable.
type flagSpec struct {
	name, env, def, usage string
	dst                   *string
}

func parseConfig(args []string, getenv func(string) string, out io.Writer) (*config, error) {
	c := &config{}
	var powDiff, proxies string
	specs := []flagSpec{
		{"addr", "WATCHWORD_ADDR", "127.0.0.1:8080", "listen address", &c.addr},
		{"data", "WATCHWORD_DATA", "./data", "data directory (SQLite database, outbox, keys)", &c.data},
		{"public-url", "WATCHWORD_PUBLIC_URL", "", "the URL users reach the server at; the only source of links in mail (default http://<addr>)", &c.publicURL},
		{"database-url", "WATCHWORD_DATABASE_URL", "", "postgres:// URL to use PostgreSQL instead of SQLite at <data>/watchword.db (?pool_max_conns=N sets the pool size per instance; default 4 per CPU, at least 16)", &c.databaseURL},
		{"smtp-url", "WATCHWORD_SMTP_URL", "", "smtp:// or smtps:// URL of the mail relay (default: write mail to <data>/outbox and the log)", &c.smtpURL},
		{"mail-from", "WATCHWORD_MAIL_FROM", "Watchword <no-reply@localhost>", "sender of outgoing mail", &c.mailFrom},
		{"sms-webhook", "WATCHWORD_SMS_WEBHOOK_URL", "", "URL that receives a JSON POST for each text message (default: no SMS codes)", &c.smsWebhook},
		{"sms-webhook-token", "WATCHWORD_SMS_WEBHOOK_TOKEN", "", "bearer token sent to the SMS webhook", &c.smsToken},
		{"sms-webhook-key", "WATCHWORD_SMS_WEBHOOK_KEY", "", "hex key signing SMS webhook requests (Watchword-Signature header)", &c.smsKey},
		{"oidc", "WATCHWORD_OIDC", "", `identity providers, ";"-separated "id|Name|issuer|client_id|client_secret"`, &c.oidc},
		{"oidc-file", "WATCHWORD_OIDC_FILE", "", "JSON file listing identity providers", &c.oidcFile},
		{"pow-difficulty", "WATCHWORD_POW_DIFFICULTY", strconv.Itoa(pow.DefaultDifficulty), "registration proof-of-work difficulty in leading zero bits", &powDiff},
		{"pow-key", "WATCHWORD_POW_KEY", "", "hex key signing proof-of-work challenges, the same on every instance (default: generated into <data>/pow.key)", &c.powKey},
		{"trusted-proxies", "WATCHWORD_TRUSTED_PROXIES", "", "comma-separated CIDRs whose X-Forwarded-For is believed", &proxies},
		{"log-format", "WATCHWORD_LOG_FORMAT", "text", "log format: text or json", &c.logFormat},
		{"log-level", "WATCHWORD_LOG_LEVEL", "info", "log level: debug, info, warn, error", &c.logLevel},
	}
	fs := flag.NewFlagSet("watchword-server", flag.ContinueOnError)
	fs.SetOutput(out)
	for _, s := range specs {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.name, def, s.usage+" ($"+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	n, err := strconv.Atoi(powDiff)
	if err != nil || n < 1 || n > pow.MaxDifficulty {
		return nil, fmt.Errorf("-pow-difficulty %q: want 1..%d", powDiff, pow.MaxDifficulty)
	}
	c.powDifficulty = n
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		pre, err := netip.ParsePrefix(p)
		if err != nil {
			a, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return nil, fmt.Errorf("-trusted-proxies: %q is not an address or CIDR", p)
			}
			pre = netip.PrefixFrom(a, a.BitLen())
		}
		c.trustedProxies = append(c.trustedProxies, pre.Masked())
	}
	if c.publicURL == "" {
		c.publicURL = "http://" + c.addr
	}
	return c, nil
}

func newLogger(c *config, out io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("-log-level %q: %w", c.logLevel, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", c.logFormat)
}

// powKey returns the configured key, or the one kept in <data>/pow.key
// (created on first start), so challenges survive a restart.
func powKey(c *config) ([]byte, error) {
	if c.powKey != "" {
		k, err := hex.DecodeString(c.powKey)
		if err != nil || len(k) < pow.KeySize {
			return nil, fmt.Errorf("-pow-key: want at least %d bytes in hex", pow.KeySize)
		}
		return k, nil
	}
	path := filepath.Join(c.data, "pow.key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < pow.KeySize {
			return nil, fmt.Errorf("%s: not a key; delete it to make a new one", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, pow.KeySize)
	rand.Read(k)
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write proof-of-work key: %w", err)
	}
	return k, nil
}

func openStore(ctx context.Context, c *config, log *slog.Logger) (server.Store, error) {
	if strings.HasPrefix(c.databaseURL, "postgres://") || strings.HasPrefix(c.databaseURL, "postgresql://") {
		return openPostgres(ctx, c.databaseURL, log)
	}
	if c.databaseURL != "" {
		return nil, errors.New("WATCHWORD_DATABASE_URL must be a postgres:// URL (leave it empty for SQLite)")
	}
	path := filepath.Join(c.data, "watchword.db")
	log.Info("using SQLite", slog.String("path", path))
	return sqlite.Open(path)
}

func newMailer(c *config, log *slog.Logger) (mail.Mailer, error) {
	if c.smtpURL != "" {
		m, err := mail.NewSMTP(mail.SMTPConfig{URL: c.smtpURL, From: c.mailFrom})
		if err != nil {
			return nil, err
		}
		log.Info("sending mail by SMTP", slog.String("relay", m.String()))
		return m, nil
	}
	dir := filepath.Join(c.data, "outbox")
	log.Info("no SMTP relay configured: mail goes to the outbox and the log", slog.String("dir", dir))
	return mail.NewOutbox(dir, c.mailFrom, log)
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	c, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(c, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	st, err := openStore(ctx, c, log)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	mailer, err := newMailer(c, log)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	key, err := powKey(c)
	if err != nil {
		return err
	}
	pw, err := pow.New(pow.Config{Key: key, Difficulty: c.powDifficulty})
	if err != nil {
		return err
	}
	hasher, err := passhash.New(passhash.Default)
	if err != nil {
		return err
	}
	extra, err := optional(ctx, c, log)
	if err != nil {
		return err
	}
	h, err := httpapi.New(httpapi.Config{
		Store: st, PublicURL: c.publicURL, Hasher: hasher, Mailer: mailer, PoW: pw,
		SMS: extra.sms, OIDC: extra.oidc, Profiles: extra.profiles,
		Logger: log, TrustedProxies: c.trustedProxies,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 32 MiB push on a slow link
		WriteTimeout:      2 * time.Minute, // event streams lift this for themselves
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(func() { go h.Close() })

	bg, stopBG := context.WithCancel(context.Background())
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		maintain(bg, st, maintenanceInterval, time.Now, log)
	}()

	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("public_url", c.publicURL))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopBG()
		<-purged
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	h.Close()
	stopBG()
	<-purged
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
