package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"watchword/server"
	"watchword/server/httpapi"
	"watchword/server/mail"
	"watchword/server/mail/smtpsink"
	"watchword/server/passhash"
	"watchword/server/postgres"
	"watchword/server/pow"
	"watchword/server/sqlite"
)

// cluster is the server side: one or more instances on one database, an
// SMTP sink for the activation mail, and what to undo at the end.
type cluster struct {
	urls    []string
	sink    *smtpsink.Sink
	cleanup []func()
}

func (c *cluster) close() {
	for i := len(c.cleanup) - 1; i >= 0; i-- {
		c.cleanup[i]()
	}
}

// startCluster starts the instances. Each has its own Store (its own pool
// and, on PostgreSQL, its own LISTEN connection), as separate processes
// would. Server settings are the production defaults except two that only
// shorten the set-up: a low proof-of-work difficulty, and 127.0.0.1 as a
// trusted proxy so each simulated device is rate-limited by its own
// X-Forwarded-For address, as behind a real reverse proxy.
func startCluster(ctx context.Context, cfg *config, dir string) (_ *cluster, err error) {
	c := &cluster{}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	sink, err := smtpsink.Listen("127.0.0.1:0", smtpsink.Options{})
	if err != nil {
		return nil, err
	}
	c.sink = sink
	c.cleanup = append(c.cleanup, func() { sink.Close() })
	mailer, err := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + sink.Addr(), From: "Watchword <no-reply@loadtest.invalid>"})
	if err != nil {
		return nil, err
	}
	hasher, err := passhash.New(passhash.Default)
	if err != nil {
		return nil, err
	}
	pw, err := pow.New(pow.Config{Key: pow.GenerateKey(), Difficulty: 8})
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	c.cleanup = append(c.cleanup, func() { logFile.Close() })
	log := slog.New(slog.NewJSONHandler(logFile, nil))

	var open func() (server.Store, error)
	switch cfg.store {
	case "sqlite":
		path := filepath.Join(dir, "watchword.db")
		open = func() (server.Store, error) { return sqlite.Open(path) }
	case "postgres":
		u, drop, err := freshSchema(ctx, cfg.postgresURL)
		if err != nil {
			return nil, err
		}
		c.cleanup = append(c.cleanup, drop)
		open = func() (server.Store, error) { return postgres.Open(ctx, u) }
	}

	for i := 0; i < cfg.instances; i++ {
		st, err := open()
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		c.cleanup = append(c.cleanup, func() { st.Close() })
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		public := "http://" + ln.Addr().String()
		h, err := httpapi.New(httpapi.Config{
			Store: st, PublicURL: public, Hasher: hasher, Mailer: mailer, PoW: pw,
			Profiles: server.RegionRules{}, Logger: log.With(slog.Int("instance", i)),
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		})
		if err != nil {
			ln.Close()
			return nil, err
		}
		// The same timeouts as cmd/watchword-server.
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       2 * time.Minute,
			WriteTimeout:      2 * time.Minute,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    32 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		go srv.Serve(ln)
		c.cleanup = append(c.cleanup, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
			h.Close()
		})
		c.urls = append(c.urls, public)
	}
	return c, nil
}

// freshSchema creates a schema of its own in the database at base and
// returns a URL that selects it, and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "wwload_" + hex.EncodeToString(b)
	exec := func(sql string) error {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(cctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(cctx)
		_, err = conn.Exec(cctx, sql)
		return err
	}
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		return "", nil, fmt.Errorf("PostgreSQL at %s: %w", redact(base), err)
	}
	drop := func() {
		if err := exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			fmt.Fprintf(os.Stderr, "loadtest: drop schema %s: %v\n", schema, err)
		}
	}
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " search_path=" + schema, drop, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, errors.New("-postgres: not a URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// raiseFileLimit lifts the soft limit on open files to the hard limit and
// returns it: every client connection costs two descriptors here (both
// ends live in this process).
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 1024
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}
