// Command loadtest measures the sync server under many concurrent devices:
// it starts real server instances on 127.0.0.1 (the httpapi handler on a
// real SQLite file or PostgreSQL schema, served by net/http), creates
// accounts through the API (proof of work, activation mail over SMTP to a
// local sink, Argon2id sign-in per device), then lets every simulated
// device run a pull / push / revision-probe mix with think time between
// requests, bounded by a request count and a deadline. It prints
// requests/s, p50, p99 and the errors, and can merge benchmark rows into
// bench/results.json.
//
//	go run ./cmd/loadtest -store sqlite
//	go run ./cmd/loadtest -store postgres -instances 2 -results bench/results.json
//
// Start with -help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	res, err := measure(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	res.print(stderr)
	rows := res.rows(cfg)
	if cfg.results != "" {
		if err := mergeRows(cfg.results, rows); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "rows merged into %s\n", cfg.results)
	} else if cfg.jsonOut {
		if err := writeRows(stdout, rows); err != nil {
			return err
		}
	}
	if cfg.strict && (res.errors > 0 || res.p99 > float64(goalP99.Milliseconds())) {
		return fmt.Errorf("goal missed: p99 %.1f ms (goal %d ms), %d errors", res.p99, goalP99.Milliseconds(), res.errors)
	}
	return nil
}
