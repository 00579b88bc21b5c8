package vaultsync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sync"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
)

// tester is what the helpers need of *testing.T and *rapid.T.
type tester interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

func newID(t tester) string {
	t.Helper()
	var b [api.IDSize]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// testVault makes a vault under the cheap test KDF cost.
func testVault(t testing.TB) (api.VaultHeader, *vault.Key) {
	t.Helper()
	vaulttest.FastKDF(t)
	kdf, err := vault.NewKDFParams()
	if err != nil {
		t.Fatal(err)
	}
	h, k, err := vault.Create("correct horse battery staple", kdf)
	if err != nil {
		t.Fatal(err)
	}
	return h, k
}

// fakeClock is a manual clock: timers fire when the test advances it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// Advance moves the clock and runs the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.stopped = true
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	for _, t := range due {
		go t.f()
	}
}

// Pending returns the number of armed timers.
func (c *fakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}

// fault is a failure the test transport injects into the next call.
type fault int

const (
	faultNone         fault = iota
	faultDropRequest        // the request never reaches the server
	faultDropResponse       // the server handles it, the answer is lost
	faultDuplicate          // the request arrives twice; the second answer is returned
)

var errOffline = api.Errorf(api.CodeNetwork, "the server could not be reached")

// faultyTransport wraps a Transport with an offline switch and one-shot
// faults, the ways a real network fails.
type faultyTransport struct {
	inner Transport

	mu      sync.Mutex
	offline bool
	next    fault
	calls   int
}

func (f *faultyTransport) setOffline(v bool) {
	f.mu.Lock()
	f.offline = v
	f.mu.Unlock()
}

func (f *faultyTransport) inject(x fault) {
	f.mu.Lock()
	f.next = x
	f.mu.Unlock()
}

func call[T any](f *faultyTransport, do func() (T, error)) (T, error) {
	f.mu.Lock()
	off, x := f.offline, f.next
	f.next = faultNone
	f.calls++
	f.mu.Unlock()
	var zero T
	switch {
	case off, x == faultDropRequest:
		return zero, errOffline
	case x == faultDropResponse:
		_, _ = do()
		return zero, errOffline
	case x == faultDuplicate:
		_, _ = do()
	}
	return do()
}

func (f *faultyTransport) Header(ctx context.Context) (*api.VaultHeader, error) {
	return call(f, func() (*api.VaultHeader, error) { return f.inner.Header(ctx) })
}

func (f *faultyTransport) PutHeader(ctx context.Context, h api.VaultHeader) error {
	_, err := call(f, func() (struct{}, error) { return struct{}{}, f.inner.PutHeader(ctx, h) })
	return err
}

func (f *faultyTransport) Pull(ctx context.Context, since int64, limit int) (*api.PullResponse, error) {
	return call(f, func() (*api.PullResponse, error) { return f.inner.Pull(ctx, since, limit) })
}

func (f *faultyTransport) Push(ctx context.Context, req *api.PushRequest) (*api.PushResponse, error) {
	return call(f, func() (*api.PushResponse, error) { return f.inner.Push(ctx, req) })
}

func (f *faultyTransport) Revision(ctx context.Context) (int64, error) {
	return call(f, func() (int64, error) { return f.inner.Revision(ctx) })
}

// device is one simulated device: its own storage, the real engine, and a
// faulty network to the shared server.
type device struct {
	t   tester
	st  *MemoryStorage
	net *faultyTransport
	cfg Config
	eng *Engine
}

func newDevice(t tester, account string, h api.VaultHeader, k *vault.Key, tr Transport, clock Clock, viewer Viewer) *device {
	t.Helper()
	d := &device{t: t, st: NewMemoryStorage()}
	if tr != nil {
		d.net = &faultyTransport{inner: tr}
	}
	d.cfg = Config{Storage: d.st, Account: account, Keyring: k, Merger: EntryMerger{}, Viewer: viewer, Header: &h, Clock: clock}
	if d.net != nil {
		d.cfg.Transport = d.net
	}
	d.open()
	return d
}

func (d *device) open() {
	d.t.Helper()
	eng, err := Open(context.Background(), d.cfg)
	if err != nil {
		d.t.Fatalf("open engine: %v", err)
	}
	d.eng = eng
}

// crash drops the engine without any goodbye and starts a new one on the
// same storage, as a killed service worker would.
func (d *device) crash() {
	d.eng.Close()
	d.open()
}

func (d *device) sync() error { return d.eng.Sync(context.Background()) }

func (d *device) mustSync() {
	d.t.Helper()
	if err := d.sync(); err != nil {
		d.t.Fatalf("sync: %v", err)
	}
}

// login builds a login entry's plaintext.
func login(t tester, id string, at time.Time, fields map[vault.Tag]string) []byte {
	t.Helper()
	e := vault.NewEntry(id, vault.TypeLogin)
	for tag, v := range fields {
		e.SetString(tag, v)
	}
	e.SetTime(vault.TagModified, at)
	b, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit sets fields of entry id on device d at time at, as the popup would.
func (d *device) edit(id string, at time.Time, fields map[vault.Tag]string) {
	d.t.Helper()
	pt, err := d.eng.Get(id)
	if err != nil {
		d.t.Fatalf("get %s: %v", id, err)
	}
	e, err := vault.ParseEntry(id, pt)
	if err != nil {
		d.t.Fatal(err)
	}
	e = e.Clone()
	for tag, v := range fields {
		e.SetString(tag, v)
	}
	e.SetTime(vault.TagModified, at)
	b, err := e.MarshalBinary()
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.eng.Put(context.Background(), id, b); err != nil {
		d.t.Fatalf("put %s: %v", id, err)
	}
}

func (d *device) entry(id string) *vault.Entry {
	d.t.Helper()
	pt, err := d.eng.Get(id)
	if err != nil {
		d.t.Fatalf("get %s: %v", id, err)
	}
	e, err := vault.ParseEntry(id, pt)
	if err != nil {
		d.t.Fatal(err)
	}
	return e
}

// plainVault is a decrypted vault as a comparable map.
func plainVault(v View) map[string]string {
	m := make(map[string]string, len(v.Items))
	for _, it := range v.Items {
		m[it.ID] = string(it.Plaintext)
	}
	return m
}

// serverVault pulls everything from tr and opens it with k.
func serverVault(t tester, tr Transport, k Keyring) map[string]string {
	t.Helper()
	m := make(map[string]string)
	var since int64
	for {
		resp, err := tr.Pull(context.Background(), since, api.MaxPullPage)
		if err != nil {
			t.Fatalf("pull from server: %v", err)
		}
		for _, e := range resp.Entries {
			if e.Deleted {
				delete(m, e.ID)
				continue
			}
			pt, err := k.Open(e.ID, e.Ciphertext)
			if err != nil {
				t.Fatalf("server entry %s does not open: %v", e.ID, err)
			}
			m[e.ID] = string(pt)
		}
		if !resp.More {
			return m
		}
		since = resp.Entries[len(resp.Entries)-1].Revision
	}
}

// historyValues returns the values of field tag in e's history.
func historyValues(t tester, e *vault.Entry, tag vault.Tag) []string {
	t.Helper()
	h, err := e.History()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range h {
		if it.Field == tag {
			out = append(out, string(it.Value))
		}
	}
	slices.Sort(out)
	return out
}

func wantCode(t tester, err error, c api.Code) {
	t.Helper()
	if err == nil || api.CodeOf(err) != c {
		t.Fatalf("got error %v, want code %s", err, c)
	}
}
