package server

import (
	"context"
	"log/slog"
	"time"
)

// PurgeUnactivated deletes, every interval until ctx ends, the accounts that
// were created more than maxAge ago and never confirmed their address (with
// everything they hold), so the address can be registered again. It runs
// once at start. now is the clock (injected by tests).
func PurgeUnactivated(ctx context.Context, st Store, maxAge, interval time.Duration, now func() time.Time, log *slog.Logger) {
	run := func() {
		n, err := st.DeleteUnactivatedBefore(ctx, now().Add(-maxAge))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purge unconfirmed accounts", slog.String("err", err.Error()))
		case n > 0:
			log.Info("purged unconfirmed accounts", slog.Int("count", n))
		}
	}
	Every(ctx, interval, run)
}

// Every runs job now and then every interval until ctx ends. Background
// maintenance (purging, pruning) is idempotent, so a run that overlaps a
// restart or another instance does no harm.
func Every(ctx context.Context, interval time.Duration, job func()) {
	job()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			job()
		}
	}
}
