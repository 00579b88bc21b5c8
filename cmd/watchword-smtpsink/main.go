// Command watchword-smtpsink runs an SMTP server that captures every message
// it receives and serves them as JSON over HTTP, for the end-to-end tests of
// the browser extension against a real server process.
//
//	watchword-smtpsink -smtp 127.0.0.1:2525 -http 127.0.0.1:8025
//
// Once both listen it prints one JSON line to stdout:
//
//	{"smtp":"127.0.0.1:2525","http":"127.0.0.1:8025"}
//
// (useful with port 0). The HTTP API, on a loopback address only:
//
//	GET    /messages?to=ADDR&wait=DURATION  captured messages, oldest first, as a
//	                                        JSON array; to filters by envelope
//	                                        recipient; wait (e.g. 10s, at most 60s)
//	                                        holds the answer until one matches
//	DELETE /messages                        forget every captured message
//	GET    /healthz                         "ok"
//
// Each message has from, to, header, subject, text, html (decoded), raw
// (base64), auth_user, tls and received.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"watchword/server/mail/smtpsink"
)

const maxWait = 60 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "watchword-smtpsink:", err)
		os.Exit(1)
	}
}

func run() error {
	smtpAddr := flag.String("smtp", "127.0.0.1:2525", "SMTP listen address")
	httpAddr := flag.String("http", "127.0.0.1:8025", "HTTP listen address (loopback only)")
	user := flag.String("user", "", "require AUTH PLAIN with this user:password")
	flag.Parse()

	var opts smtpsink.Options
	if *user != "" {
		u, p, ok := strings.Cut(*user, ":")
		if !ok || u == "" {
			return errors.New("-user: want user:password")
		}
		opts.Users = map[string]string{u: p}
	}
	if err := requireLoopback(*httpAddr); err != nil {
		return fmt.Errorf("-http: %w", err)
	}
	sink, err := smtpsink.Listen(*smtpAddr, opts)
	if err != nil {
		return err
	}
	defer sink.Close()
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	srv := &http.Server{Handler: newHandler(sink), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	json.NewEncoder(os.Stdout).Encode(map[string]string{"smtp": sink.Addr(), "http": ln.Addr().String()})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// requireLoopback refuses to expose captured mail beyond this machine.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", addr)
	}
	return nil
}

func newHandler(sink *smtpsink.Sink) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("DELETE /messages", func(w http.ResponseWriter, r *http.Request) {
		sink.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		to := r.URL.Query().Get("to")
		if s := r.URL.Query().Get("wait"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 || d > maxWait {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("wait=%q: want a duration up to %v", s, maxWait))
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			// A timeout is not an error: the answer is then what is there.
			sink.WaitFor(ctx, to, nil)
		}
		out := []smtpsink.Message{}
		for _, m := range sink.Messages() {
			if to == "" || containsFold(m.To, to) {
				out = append(out, m)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err := json.NewEncoder(w).Encode(out); err != nil {
			slog.Warn("write messages", "err", err)
		}
	})
	return mux
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
