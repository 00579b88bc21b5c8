//go:build !js

package bridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"watchword/server"
	"watchword/server/httpapi"
	"watchword/server/mail"
	"watchword/server/passhash"
	"watchword/server/pow"
	"watchword/server/sqlite"
	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vault/vaulttest"
	"watchword/wasm/vaultsync"
)

// The sync methods against the real server in process (the real HTTP
// handler over SQLite on 127.0.0.1): the same requests the service worker's
// fetch sends, through a Fetcher built on net/http.

type testServer struct {
	ts    *httptest.Server
	store *sqlite.Store
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "watchword.db"))
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := passhash.New(passhash.Cheap)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	outbox, err := mail.NewOutbox(filepath.Join(dir, "outbox"), "Watchword <no-reply@watchword.test>", quiet)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := pow.New(pow.Config{Key: pow.GenerateKey(), Difficulty: 4})
	if err != nil {
		t.Fatal(err)
	}
	h, err := httpapi.New(httpapi.Config{
		Store: st, PublicURL: "http://127.0.0.1", Hasher: hasher, Mailer: outbox, PoW: pw,
		Profiles: server.RegionRules{}, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{ts: httptest.NewServer(h), store: st}
	t.Cleanup(func() {
		s.ts.Close()
		h.Close()
		st.Close()
	})
	return s
}

func randomID(t *testing.T) string {
	var b [api.IDSize]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newAccount creates an activated account with one device session in the
// store and returns the account id and the session's access token.
func (s *testServer) newAccount(t *testing.T) (string, string) {
	t.Helper()
	ctx, now, id := context.Background(), time.Now(), randomID(t)
	if err := s.store.CreateAccount(ctx, &server.Account{ID: id, Email: id + "@watchword.test", PasswordHash: "unused", CreatedAt: now, ActivatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return id, s.newSession(t, id)
}

func (s *testServer) newSession(t *testing.T, account string) string {
	t.Helper()
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	access := sha256.Sum256([]byte(token))
	now := time.Now()
	if err := s.store.CreateSession(context.Background(), &server.Session{
		ID: randomID(t), AccountID: account, DeviceName: "test", AccessHash: access[:],
		AccessExpiresAt: now.Add(time.Hour), CreatedAt: now, LastSeenAt: now,
	}); err != nil {
		t.Fatal(err)
	}
	return token
}

// httpFetcher is the Fetcher the service worker implements with fetch.
type httpFetcher struct {
	base, token string
	offline     atomic.Bool
	sent        atomic.Int64 // requests that reached the server
}

func (f *httpFetcher) Fetch(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	if f.offline.Load() {
		return 0, nil, nil
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	f.sent.Add(1)
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// device is one browser profile: its own core and storage.local.
type device struct {
	t       *testing.T
	core    *Core
	storage *vaultsync.MemoryStorage
	fetch   *httpFetcher
	status  chan []byte
}

func newDevice(t *testing.T, srv *testServer, token string) *device {
	return &device{t: t, core: NewCore(), storage: vaultsync.NewMemoryStorage(),
		fetch: &httpFetcher{base: srv.ts.URL, token: token}, status: make(chan []byte, 64)}
}

func (d *device) call(method string, args ...any) []byte {
	d.t.Helper()
	res, err := d.core.Call(method, goArgs(args))
	if err != nil {
		d.t.Fatalf("%s: %v", method, err)
	}
	b, _ := res.(JSON)
	return b
}

// syncStatusJSON is what syncStatus answers, as the popup reads it.
type syncStatusJSON struct {
	vaultsync.Status
	Account string `json:"account"`
}

func (d *device) start(account string, header *api.VaultHeader, connected bool) syncStatusJSON {
	d.t.Helper()
	on := true
	res, err := d.core.StartSync(context.Background(), SyncConfig{Account: account, Header: header, Enabled: &on, Connected: connected},
		SyncHost{Storage: d.storage, Fetch: d.fetch, OnStatus: func(b []byte) {
			select {
			case d.status <- b:
			default:
			}
		}})
	if err != nil {
		d.t.Fatalf("start sync: %v", err)
	}
	var st syncStatusJSON
	if err := json.Unmarshal(res.(JSON), &st); err != nil {
		d.t.Fatal(err)
	}
	return st
}

func (d *device) syncNow() syncStatusJSON {
	d.t.Helper()
	var st syncStatusJSON
	if err := json.Unmarshal(d.call("syncNow"), &st); err != nil {
		d.t.Fatal(err)
	}
	return st
}

type listed struct {
	Entries []struct {
		ID     string         `json:"id"`
		Type   string         `json:"type"`
		Fields map[string]any `json:"fields"`
	} `json:"entries"`
	Failed []struct {
		ID string `json:"id"`
	} `json:"failed"`
}

func (d *device) list() listed {
	d.t.Helper()
	var l listed
	if err := json.Unmarshal(d.call("syncEntries"), &l); err != nil {
		d.t.Fatal(err)
	}
	return l
}

func (d *device) names() []string {
	var out []string
	for _, e := range d.list().Entries {
		out = append(out, e.Fields["name"].(string))
	}
	return out
}

func (d *device) save(form string) string {
	d.t.Helper()
	var r struct{ ID string }
	if err := json.Unmarshal(d.call("syncSave", form), &r); err != nil {
		d.t.Fatal(err)
	}
	return r.ID
}

// twoDevices makes one account with a vault created on a and loaded on b
// (as a second device does after unlocking with the master password).
func twoDevices(t *testing.T) (a, b *device, account string, header api.VaultHeader) {
	t.Helper()
	vaulttest.FastKDF(t)
	srv := newTestServer(t)
	account, token := srv.newAccount(t)
	a = newDevice(t, srv, token)
	b = newDevice(t, srv, srv.newSession(t, account))
	created := createVault(t, "correct horse battery staple")
	loadVault(t, a.core, created)
	loadVault(t, b.core, created)
	return a, b, account, *created.Header
}

func TestSyncTwoDevices(t *testing.T) {
	a, b, account, header := twoDevices(t)
	if st := a.start(account, &header, true); st.Account != account {
		t.Fatalf("status account = %q", st.Account)
	}
	id := a.save(`{"type":"login","fields":{"name":"Example","username":"ann","password":"s3cret"}}`)
	if st := a.syncNow(); st.State != vaultsync.StateSynced || st.Pending != 0 {
		t.Fatalf("a after sync: %+v", st)
	}

	b.start(account, &header, true)
	if st := b.syncNow(); st.State != vaultsync.StateSynced {
		t.Fatalf("b after sync: %+v", st)
	}
	if got := b.names(); len(got) != 1 || got[0] != "Example" {
		t.Fatalf("b shows %v, want [Example]", got)
	}

	t.Run("an edit travels and keeps the old password in history", func(t *testing.T) {
		b.save(`{"id":"` + id + `","fields":{"password":"n3w"}}`)
		b.syncNow()
		a.syncNow()
		var e struct {
			Fields map[string]json.RawMessage `json:"fields"`
		}
		if err := json.Unmarshal(a.call("syncEntry", id), &e); err != nil {
			t.Fatal(err)
		}
		if string(e.Fields["password"]) != `"n3w"` || !strings.Contains(string(e.Fields["history"]), "s3cret") {
			t.Fatalf("a's entry: %s", a.call("syncEntry", id))
		}
	})

	t.Run("paused sends nothing, enabled catches up", func(t *testing.T) {
		if _, err := a.core.SetSyncEnabled(false); err != nil {
			t.Fatal(err)
		}
		before := a.fetch.sent.Load()
		a.save(`{"type":"note","fields":{"name":"While paused","notes":"kept locally"}}`)
		st := a.syncNow()
		if st.State != vaultsync.StatePaused || st.Pending != 1 {
			t.Fatalf("paused status: %+v", st)
		}
		if n := a.fetch.sent.Load() - before; n != 0 {
			t.Fatalf("%d requests sent while paused", n)
		}
		if _, err := a.core.SetSyncEnabled(true); err != nil {
			t.Fatal(err)
		}
		st = a.syncNow()
		if st.State != vaultsync.StateSynced || st.Pending != 0 {
			t.Fatalf("after enabling: %+v", st)
		}
		b.syncNow()
		if got := b.names(); len(got) != 2 {
			t.Fatalf("b shows %v after the catch-up", got)
		}
	})

	t.Run("offline edits on both sides merge", func(t *testing.T) {
		a.fetch.offline.Store(true)
		b.fetch.offline.Store(true)
		a.save(`{"id":"` + id + `","fields":{"username":"ann@a"}}`)
		time.Sleep(5 * time.Millisecond) // b's edit is the later one
		b.save(`{"id":"` + id + `","fields":{"username":"ann@b","notes":"from b"}}`)
		if st := a.syncNow(); st.State != vaultsync.StateOffline || st.Pending != 1 {
			t.Fatalf("a offline: %+v", st)
		}
		a.fetch.offline.Store(false)
		b.fetch.offline.Store(false)
		a.syncNow()
		b.syncNow()
		a.syncNow()
		ea, eb := string(a.call("syncEntry", id)), string(b.call("syncEntry", id))
		if ea != eb {
			t.Fatalf("devices differ:\na %s\nb %s", ea, eb)
		}
		if !strings.Contains(ea, `"username":"ann@b"`) || !strings.Contains(ea, `"notes":"from b"`) || !strings.Contains(ea, "ann@a") {
			t.Fatalf("merged entry lost something: %s", ea)
		}
	})

	t.Run("delete travels", func(t *testing.T) {
		a.call("syncDelete", id)
		a.syncNow()
		b.syncNow()
		for _, n := range b.names() {
			if n == "Example" {
				t.Fatal("b still shows the deleted entry")
			}
		}
	})

	t.Run("locking stops the engine", func(t *testing.T) {
		a.call("vaultLock")
		if _, err := a.core.Call("syncStatus", goArgs{}); err == nil || err.Code != api.CodeLocked {
			t.Fatalf("syncStatus after lock: %v", err)
		}
		if _, err := a.core.Call("syncEntries", goArgs{}); err == nil || err.Code != api.CodeLocked {
			t.Fatalf("syncEntries after lock: %v", err)
		}
	})
}

func TestSyncLocalVaultConnects(t *testing.T) {
	a, b, account, header := twoDevices(t)
	// A local-only vault: no account, nothing sent.
	if st := a.start(vaultsync.LocalAccount, &header, false); st.State != vaultsync.StateLocal {
		t.Fatalf("local status: %+v", st)
	}
	a.save(`{"type":"login","fields":{"name":"Before the account"}}`)
	if n := a.fetch.sent.Load(); n != 0 {
		t.Fatalf("a local vault sent %d requests", n)
	}
	a.call("syncStop")
	if err := ConnectLocal(context.Background(), a.storage, account); err != nil {
		t.Fatal(err)
	}
	if has, _ := vaultsync.HasAccountData(context.Background(), a.storage, vaultsync.LocalAccount); has {
		t.Fatal("the local namespace still holds data after connecting")
	}
	a.start(account, &header, true)
	if st := a.syncNow(); st.State != vaultsync.StateSynced {
		t.Fatalf("a after connecting: %+v", st)
	}
	b.start(account, nil, true)
	b.syncNow()
	if got := b.names(); len(got) != 1 || got[0] != "Before the account" {
		t.Fatalf("b shows %v", got)
	}
}

func TestSyncAccountsNeverMeet(t *testing.T) {
	vaulttest.FastKDF(t)
	srv := newTestServer(t)
	acct1, tok1 := srv.newAccount(t)
	acct2, tok2 := srv.newAccount(t)
	d := newDevice(t, srv, tok1)
	loadVault(t, d.core, createVault(t, "first master password"))
	d.start(acct1, nil, false)
	d.save(`{"type":"login","fields":{"name":"Account one's"}}`)
	d.call("vaultLock")

	// The same browser, the second account, a new vault: nothing of the first.
	d.fetch.token = tok2
	loadVault(t, d.core, createVault(t, "second master password"))
	d.start(acct2, nil, false)
	if got := d.names(); len(got) != 0 {
		t.Fatalf("the second account sees %v", got)
	}
	// The first account's namespace holds another vault: it is refused.
	if _, err := d.core.StartSync(context.Background(), SyncConfig{Account: acct1}, SyncHost{Storage: d.storage}); api.CodeOf(err) != api.CodeConflict {
		t.Fatalf("opening account one's data with account two's vault: %v", err)
	}
}

func TestFetchTransportAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		err    error
		code   api.Code
	}{
		{"unreachable", 0, "", nil, api.CodeNetwork},
		{"fetch failed", 0, "", io.ErrUnexpectedEOF, api.CodeNetwork},
		{"server error without body", 502, "bad gateway", nil, api.CodeNetwork},
		{"error body", 404, `{"error":{"code":"not_found","message":"no vault"}}`, nil, api.CodeNotFound},
		{"unknown error code", 400, `{"error":{"code":"made_up","message":"x"}}`, nil, api.CodeBadServerAnswer},
		{"client error without body", 400, "", nil, api.CodeBadServerAnswer},
		{"not JSON", 200, "<html>", nil, api.CodeBadServerAnswer},
		{"ok", 200, `{"revision":7}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := fetchTransport{fetchFunc(func(context.Context, string, string, []byte) (int, []byte, error) {
				return tt.status, []byte(tt.body), tt.err
			})}
			rev, err := tr.Revision(context.Background())
			if api.CodeOf(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if tt.code == "" && rev != 7 {
				t.Fatalf("revision = %d", rev)
			}
		})
	}
}

type fetchFunc func(ctx context.Context, method, path string, body []byte) (int, []byte, error)

func (f fetchFunc) Fetch(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	return f(ctx, method, path, body)
}

// listIndex is what syncListIndex answers.
type listIndex struct {
	Entries []struct {
		ID, Type, Name, Sub, Hay string
	} `json:"entries"`
	Failed  []string `json:"failed"`
	Unknown []string `json:"unknown"`
}

func (d *device) listIndex(ids ...string) (listIndex, string) {
	d.t.Helper()
	var raw []byte
	if ids == nil {
		raw = d.call("syncListIndex")
	} else {
		b, _ := json.Marshal(ids)
		raw = d.call("syncListIndex", string(b))
	}
	var ix listIndex
	if err := json.Unmarshal(raw, &ix); err != nil {
		d.t.Fatalf("%s: %v", raw, err)
	}
	if ix.Failed == nil || ix.Unknown == nil {
		d.t.Fatalf("failed and unknown are arrays, even empty: %s", raw)
	}
	return ix, string(raw)
}

// The list index holds one row per entry, built in the core: no secret of
// any entry is in it, and a row follows its entry's saves and delete, for
// the whole vault or for the entries named.
func TestSyncListIndex(t *testing.T) {
	a, _, account, header := twoDevices(t)
	a.start(account, &header, true)
	login := a.save(`{"type":"login","fields":{"name":"Mail","username":"ann","password":"s3cret-list","totp":"JBSWY3DPEHPK3PXP","urls":[{"url":"https://mail.example.org/"}]}}`)
	card := a.save(`{"type":"card","fields":{"name":"Visa","number":"4111 1111 1111 1234","securityCode":"735"}}`)
	// An entry of a type a newer version knows: counted, not listed.
	eng, _, err := a.core.engine()
	if err != nil {
		t.Fatal(err)
	}
	newer := vault.NewEntry(strings.Repeat("ab", 16), vault.Type(99))
	newer.SetString(vault.TagName, "Wi-Fi")
	pt, err := newer.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Put(context.Background(), newer.ID, pt); err != nil {
		t.Fatal(err)
	}
	// An entry whose plaintext is not an entry at all: counted as failed.
	broken := strings.Repeat("cd", 16)
	if err := eng.Put(context.Background(), broken, []byte("not an entry")); err != nil {
		t.Fatal(err)
	}
	index, raw := a.listIndex()
	if len(index.Entries) != 2 || !slices.Equal(index.Failed, []string{broken}) || !slices.Equal(index.Unknown, []string{newer.ID}) {
		t.Fatalf("index %s", raw)
	}
	for _, secret := range []string{"s3cret-list", "JBSWY3DPEHPK3PXP", "4111", "735"} {
		if strings.Contains(raw, secret) {
			t.Fatalf("the index holds the secret %q: %s", secret, raw)
		}
	}
	if part, raw := a.listIndex(card); len(part.Entries) != 1 || part.Entries[0].Sub != "•••• 1234" {
		t.Fatalf("card row %s", raw)
	}
	a.save(`{"id":"` + login + `","fields":{"name":"Mail (work)"}}`)
	if part, raw := a.listIndex(login); len(part.Entries) != 1 || part.Entries[0].Name != "Mail (work)" || part.Entries[0].Sub != "ann" {
		t.Fatalf("row after the edit %s", raw)
	}
	// A patch names what changed; an id in none of the answer's lists has
	// no entry any more (deleted, or never there).
	a.call("syncDelete", login)
	absent := strings.Repeat("ef", 16)
	part, raw := a.listIndex(login, newer.ID, broken, absent, card, card)
	if len(part.Entries) != 1 || part.Entries[0].ID != card || !slices.Equal(part.Failed, []string{broken}) || !slices.Equal(part.Unknown, []string{newer.ID}) {
		t.Fatalf("patch %s", raw)
	}
	if empty, raw := a.listIndex([]string{}...); len(empty.Entries) != 0 || len(empty.Failed) != 0 {
		t.Fatalf("an empty patch %s", raw)
	}
	// Bad arguments from a page are refused, never read as "the whole vault".
	tooMany, _ := json.Marshal(slices.Repeat([]string{card}, maxPatchIDs+1))
	for _, bad := range []any{"../not-an-id", `["../not-an-id"]`, `{"ids":[]}`, `null`, `[1]`, `["` + card + `"`, string(tooMany), 7} {
		if _, err := a.core.Call("syncListIndex", goArgs{bad}); err == nil || err.Code != api.CodeBadRequest {
			t.Fatalf("syncListIndex(%.40v): %v, want bad_request", bad, err)
		}
	}
}
