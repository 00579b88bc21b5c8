package broker

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	b := New()
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := b.Watch(ctx, "a", func(context.Context) (int64, error) { return 5, nil })
	if err != nil {
		t.Fatal(err)
	}
	b.Publish("a", 4) // older than what the subscriber knew: not sent
	b.Publish("b", 9) // another account
	b.Publish("a", 6)
	b.Publish("a", 7) // a slow reader gets the newest, not both
	if got := <-ch; got != 7 {
		t.Fatalf("got %d, want 7", got)
	}
	select {
	case v := <-ch:
		t.Fatalf("unexpected %d", v)
	default:
	}
	if w := b.Watched(); len(w) != 1 || w[0] != "a" {
		t.Fatalf("Watched = %v", w)
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("channel still open after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after cancel")
	}
}

func TestWatchCurrentFails(t *testing.T) {
	b := New()
	boom := errors.New("boom")
	if _, err := b.Watch(context.Background(), "a", func(context.Context) (int64, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if w := b.Watched(); len(w) != 0 {
		t.Fatalf("a failed Watch left a subscriber: %v", w)
	}
}

func TestClose(t *testing.T) {
	b := New()
	ch, err := b.Watch(context.Background(), "a", func(context.Context) (int64, error) { return 0, nil })
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, ok := <-ch; ok {
		t.Fatal("channel open after Close")
	}
	b.Close() // idempotent
	if _, err := b.Watch(context.Background(), "a", func(context.Context) (int64, error) { return 0, nil }); err == nil {
		t.Fatal("Watch after Close succeeded")
	}
	b.Publish("a", 1) // no panic on a closed broker
}
