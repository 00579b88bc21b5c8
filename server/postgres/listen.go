package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reconnect delays of the notification listener: quick at first (a
// restarted database is back in a moment), capped so a long outage costs
// one attempt every few seconds.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 5 * time.Second
)

func notifyPayload(accountID string, rev int64) string {
	return accountID + " " + strconv.FormatInt(rev, 10)
}

func parsePayload(p string) (accountID string, rev int64, ok bool) {
	id, num, ok := strings.Cut(p, " ")
	if !ok {
		return "", 0, false
	}
	rev, err := strconv.ParseInt(num, 10, 64)
	if err != nil || rev <= 0 {
		return "", 0, false
	}
	return id, rev, true
}

// listenState is what the listener reports about itself.
type listenState struct {
	pid atomic.Uint32         // backend pid of the listening connection, 0 when down
	err atomic.Pointer[error] // the last failure, nil once listening again
}

// ListenErr reports why the notification listener is not connected, or nil
// when it is listening. While it is down, Watch still hears this process's
// pushes; other processes' pushes arrive when it reconnects.
func (s *Store) ListenErr() error {
	if p := s.listener.err.Load(); p != nil {
		return *p
	}
	if s.listener.pid.Load() == 0 {
		return errors.New("notification listener is connecting")
	}
	return nil
}

// listen keeps one dedicated connection LISTENing on the store's channel
// for the store's lifetime, reconnecting with backoff when it drops. One
// connection serves every Watch of every account in this process.
func (s *Store) listen(ctx context.Context) {
	defer s.listening.Done()
	delay := listenRetryMin
	for {
		connected, err := s.listenOnce(ctx)
		s.listener.pid.Store(0)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			err = fmt.Errorf("notification listener: %w", err)
			s.listener.err.Store(&err)
		}
		if connected {
			delay = listenRetryMin
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, listenRetryMax)
	}
}

// listenOnce connects, listens, catches up and relays notifications until
// the connection fails or ctx ends. connected reports whether LISTEN
// succeeded (so the backoff restarts).
func (s *Store) listenOnce(ctx context.Context) (connected bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return false, err
	}
	s.listener.pid.Store(conn.PgConn().PID())
	s.listener.err.Store(nil)
	// Notifications sent while no listener was up are lost: re-read the
	// revision of every watched account now that we hear new ones.
	for _, id := range s.watch.Watched() {
		rev, err := s.Revision(ctx, id)
		if err != nil {
			return true, err
		}
		s.watch.Publish(id, rev)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		if id, rev, ok := parsePayload(n.Payload); ok {
			s.watch.Publish(id, rev)
		}
	}
}

// Watch returns a channel that receives the account's revision each time a
// push makes it grow, in this process or any other on the same database,
// until ctx ends or the store closes; then the channel is closed. It does
// not send the revision current at the call.
func (s *Store) Watch(ctx context.Context, accountID string) (<-chan int64, error) {
	return s.watch.Watch(ctx, accountID, func(ctx context.Context) (int64, error) { return s.Revision(ctx, accountID) })
}
