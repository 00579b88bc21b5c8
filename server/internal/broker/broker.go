// Package broker fans an account's revision changes out to the Watch
// subscribers of one server process. Both stores use it: SQLite feeds it from
// its own pushes and from polling the shared file, PostgreSQL from its own
// pushes and LISTEN/NOTIFY.
package broker

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Broker fans revision changes out to Watch subscribers in this process.
// Each subscriber has a one-slot channel holding the newest undelivered
// revision: a slow reader misses intermediate values but never the latest,
// and a publisher never blocks.
type Broker struct {
	mu     sync.Mutex
	subs   map[string]map[*subscriber]struct{}
	closed bool
	done   chan struct{}
}

type subscriber struct {
	ch   chan int64
	last int64 // the highest revision delivered or known at subscription
}

// New returns an empty, open Broker.
func New() *Broker {
	return &Broker{subs: make(map[string]map[*subscriber]struct{}), done: make(chan struct{})}
}

// subscribe registers a subscriber for accountID until ctx ends or the broker
// closes. It returns false when the broker is already closed.
func (b *Broker) subscribe(ctx context.Context, accountID string) (*subscriber, bool) {
	s := &subscriber{ch: make(chan int64, 1)}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, false
	}
	if b.subs[accountID] == nil {
		b.subs[accountID] = make(map[*subscriber]struct{})
	}
	b.subs[accountID][s] = struct{}{}
	b.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-b.done:
		}
		b.remove(accountID, s)
	}()
	return s, true
}

// know raises the subscriber's floor to rev without delivering it: the
// subscriber learnt rev some other way (it was current when Watch started).
func (b *Broker) know(s *subscriber, rev int64) {
	b.mu.Lock()
	if rev > s.last {
		s.last = rev
	}
	b.mu.Unlock()
}

func (b *Broker) remove(accountID string, s *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	set := b.subs[accountID]
	if _, ok := set[s]; !ok {
		return // already removed by close
	}
	delete(set, s)
	if len(set) == 0 {
		delete(b.subs, accountID)
	}
	close(s.ch)
}

// Publish delivers rev to every subscriber of accountID that has not seen
// it or a later one. Sends happen under the lock, so a channel is never sent
// on after remove closed it.
func (b *Broker) Publish(accountID string, rev int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[accountID] {
		if rev <= s.last {
			continue
		}
		s.last = rev
		select {
		case <-s.ch: // drop the stale value; rev supersedes it
		default:
		}
		s.ch <- rev
	}
}

// Watched returns the accounts that have at least one subscriber.
func (b *Broker) Watched() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := make([]string, 0, len(b.subs))
	for id := range b.subs {
		ids = append(ids, id)
	}
	return ids
}

// Close closes every subscriber channel; later subscriptions fail.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	close(b.done)
	for id, set := range b.subs {
		for s := range set {
			close(s.ch)
		}
		delete(b.subs, id)
	}
}

// Watch subscribes to accountID until ctx ends or the broker closes (then the
// channel is closed). current reads the account's revision now: that value is
// not sent, only later increases are.
func (b *Broker) Watch(ctx context.Context, accountID string, current func(context.Context) (int64, error)) (<-chan int64, error) {
	sub, ok := b.subscribe(ctx, accountID)
	if !ok {
		return nil, errors.New("watch: store is closed")
	}
	rev, err := current(ctx)
	if err != nil {
		b.remove(accountID, sub)
		return nil, fmt.Errorf("watch: %w", err)
	}
	b.know(sub, rev)
	return sub.ch, nil
}
