//go:build !js

package vaultsync

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"watchword/server"
	"watchword/server/httpapi"
	"watchword/server/mail"
	"watchword/server/passhash"
	"watchword/server/pow"
	"watchword/server/sqlite"
	"watchword/wasm/vault"
	"watchword/wasm/vaultsync/httptransport"
)

// realServer is the real sync server in process: the real HTTP handler on
// 127.0.0.1 over a real SQLite file. restart closes the handler and the
// store and opens both again on the same file, behind the same address.
type realServer struct {
	t      testing.TB
	path   string
	ts     *httptest.Server
	client *http.Client

	mu    sync.Mutex
	store *sqlite.Store
	api   *httpapi.Server
}

func newRealServer(t testing.TB) *realServer {
	t.Helper()
	s := &realServer{t: t, path: filepath.Join(t.TempDir(), "watchword.db")}
	s.start()
	s.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.api
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	s.client = s.ts.Client()
	s.client.Timeout = 30 * time.Second
	t.Cleanup(func() {
		s.ts.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		s.api.Close()
		s.store.Close()
	})
	return s
}

// start opens the store and builds the handler; s.mu must be held or the
// server not yet serving.
func (s *realServer) start() {
	st, err := sqlite.Open(s.path)
	if err != nil {
		s.t.Fatal(err)
	}
	hasher, err := passhash.New(passhash.Cheap)
	if err != nil {
		s.t.Fatal(err)
	}
	outbox, err := mail.NewOutbox(filepath.Join(filepath.Dir(s.path), "outbox"), "Watchword <no-reply@watchword.test>", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		s.t.Fatal(err)
	}
	pw, err := pow.New(pow.Config{Key: pow.GenerateKey(), Difficulty: 4})
	if err != nil {
		s.t.Fatal(err)
	}
	h, err := httpapi.New(httpapi.Config{
		Store: st, PublicURL: "http://127.0.0.1", Hasher: hasher, Mailer: outbox, PoW: pw,
		Profiles: server.RegionRules{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		s.t.Fatal(err)
	}
	s.store, s.api = st, h
}

func (s *realServer) restart(t tester) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.api.Close()
	s.ts.CloseClientConnections()
	if err := s.store.Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}
	s.start()
}

// newAccount creates an activated account and a device session directly in
// the store (registration and sign-in have their own tests in the server)
// and returns a transport signed in with the session's access token.
func (s *realServer) newAccount(t tester) Transport {
	ctx := context.Background()
	now := time.Now()
	id := newID(t)
	s.mu.Lock()
	st := s.store
	s.mu.Unlock()
	if err := st.CreateAccount(ctx, &server.Account{ID: id, Email: id + "@watchword.test", PasswordHash: "unused", CreatedAt: now, ActivatedAt: now}); err != nil {
		t.Fatalf("create account: %v", err)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	access := sha256.Sum256([]byte(token))
	if err := st.CreateSession(ctx, &server.Session{
		ID: newID(t), AccountID: id, DeviceName: "test", AccessHash: access[:],
		AccessExpiresAt: now.Add(24 * time.Hour), CreatedAt: now, LastSeenAt: now,
	}); err != nil {
		t.Fatalf("create session: %v", err)
	}
	tr, err := httptransport.New(s.ts.URL, token, s.client)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestPropertyServer is the main proof: the property test with three
// devices against the real server.
func TestPropertyServer(t *testing.T) {
	runProperty(t, newRealServer(t))
}

// TestServerNotification: device a syncs by itself when the server's change
// stream announces device b's push.
func TestServerNotification(t *testing.T) {
	srv := newRealServer(t)
	h, k := testVault(t)
	tr := srv.newAccount(t)
	acct := newID(t)
	clock := newFakeClock() // no periodic sync: only the notification can trigger one
	a := newDevice(t, acct, h, k, tr, clock, nil)
	b := newDevice(t, acct, h, k, tr, nil, nil)
	a.mustSync()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watching := make(chan struct{}, 1)
	go func() {
		_ = tr.(*httptransport.Transport).Watch(ctx, func(rev int64) {
			select {
			case watching <- struct{}{}:
			default:
			}
			a.eng.Notify(rev)
		})
	}()
	a.eng.Start()
	defer a.eng.Close()
	<-watching
	for idle := false; !idle; time.Sleep(time.Millisecond) { // the sync at start is over
		a.eng.sched.mu.Lock()
		idle = !a.eng.sched.inFlight
		a.eng.sched.mu.Unlock()
	}
	id := newID(t)
	if err := b.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: "pushed"})); err != nil {
		t.Fatal(err)
	}
	b.mustSync()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := a.eng.Get(id); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("device a did not sync after the server's notification")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
