package vaultsync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
	"watchword/wasm/vaultsync/memserver"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// pair returns two devices on one account of a fresh in-memory server.
func pair(t *testing.T) (*device, *device, *memserver.Server, *vault.Key) {
	t.Helper()
	h, k := testVault(t)
	srv := memserver.New()
	acct := newID(t)
	a := newDevice(t, acct, h, k, srv.Transport(), nil, nil)
	b := newDevice(t, acct, h, k, srv.Transport(), nil, nil)
	return a, b, srv, k
}

func TestSyncCreateEditDelete(t *testing.T) {
	a, b, srv, k := pair(t)
	ctx := context.Background()
	id := newID(t)
	if err := a.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: "bank", vault.TagPassword: "p1"})); err != nil {
		t.Fatal(err)
	}
	if got := a.eng.Status().Pending; got != 1 {
		t.Fatalf("pending = %d, want 1", got)
	}
	a.mustSync()
	b.mustSync()
	if got := b.entry(id).String(vault.TagPassword); got != "p1" {
		t.Fatalf("device b sees password %q, want p1", got)
	}
	b.edit(id, t0.Add(time.Minute), map[vault.Tag]string{vault.TagPassword: "p2"})
	b.mustSync()
	a.mustSync()
	if got := a.entry(id).String(vault.TagPassword); got != "p2" {
		t.Fatalf("device a sees password %q, want p2", got)
	}
	if err := a.eng.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	a.mustSync()
	b.mustSync()
	if _, err := b.eng.Get(id); err != ErrNotFound {
		t.Fatalf("get deleted entry: %v, want ErrNotFound", err)
	}
	if got := serverVault(t, srv.Transport(), k); len(got) != 0 {
		t.Fatalf("server still holds %d live entries", len(got))
	}
	for _, d := range []*device{a, b} {
		if st := d.eng.Status(); st.State != StateSynced || st.Pending != 0 {
			t.Fatalf("status = %+v, want synced with nothing pending", st)
		}
	}
}

func TestConflicts(t *testing.T) {
	const (
		name = vault.TagName
		user = vault.TagUsername
		pw   = vault.TagPassword
	)
	tests := []struct {
		name      string
		aEdit     map[vault.Tag]string // nil: device a deletes
		bEdit     map[vault.Tag]string // nil: device b deletes
		aAt, bAt  time.Duration
		want      map[vault.Tag]string // nil: the entry is deleted
		wantHist  map[vault.Tag][]string
		firstSync string // which device pushes first
	}{
		{
			name: "different fields both kept", firstSync: "a",
			aEdit: map[vault.Tag]string{user: "alice"}, bEdit: map[vault.Tag]string{pw: "b-pw"},
			aAt: 1, bAt: 2,
			want: map[vault.Tag]string{name: "site", user: "alice", pw: "b-pw"},
		},
		{
			name: "same field later edit wins, other into history", firstSync: "a",
			aEdit: map[vault.Tag]string{pw: "a-pw"}, bEdit: map[vault.Tag]string{pw: "b-pw"},
			aAt: 2, bAt: 1,
			want:     map[vault.Tag]string{name: "site", user: "u0", pw: "a-pw"},
			wantHist: map[vault.Tag][]string{pw: {"b-pw"}},
		},
		{
			name: "same field later edit wins when it pushes second", firstSync: "b",
			aEdit: map[vault.Tag]string{name: "a-name"}, bEdit: map[vault.Tag]string{name: "b-name"},
			aAt: 2, bAt: 1,
			want:     map[vault.Tag]string{name: "a-name", user: "u0", pw: "p0"},
			wantHist: map[vault.Tag][]string{name: {"b-name"}},
		},
		{
			name: "edit against delete restores with the edit", firstSync: "b",
			aEdit: map[vault.Tag]string{pw: "a-pw"}, bEdit: nil,
			aAt: 1, bAt: 2,
			want: map[vault.Tag]string{name: "site", user: "u0", pw: "a-pw"},
		},
		{
			name: "delete against edit gives way to the edit", firstSync: "b",
			aEdit: nil, bEdit: map[vault.Tag]string{pw: "b-pw"},
			aAt: 2, bAt: 1,
			want: map[vault.Tag]string{name: "site", user: "u0", pw: "b-pw"},
		},
		{
			name: "delete on both sides", firstSync: "a",
			want: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b, srv, k := pair(t)
			ctx := context.Background()
			id := newID(t)
			if err := a.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{name: "site", user: "u0", pw: "p0"})); err != nil {
				t.Fatal(err)
			}
			a.mustSync()
			b.mustSync()
			for _, x := range []struct {
				d    *device
				edit map[vault.Tag]string
				at   time.Duration
			}{{a, tc.aEdit, tc.aAt}, {b, tc.bEdit, tc.bAt}} {
				if x.edit == nil {
					if err := x.d.eng.Delete(ctx, id); err != nil {
						t.Fatal(err)
					}
					continue
				}
				x.d.edit(id, t0.Add(x.at*time.Minute), x.edit)
			}
			first, second := a, b
			if tc.firstSync == "b" {
				first, second = b, a
			}
			first.mustSync()
			second.mustSync()
			first.mustSync()
			want := plainVault(a.eng.View())
			if got := plainVault(b.eng.View()); !mapsEqual(got, want) {
				t.Fatalf("devices differ:\na: %v\nb: %v", want, got)
			}
			if got := serverVault(t, srv.Transport(), k); !mapsEqual(got, want) {
				t.Fatalf("server differs from devices")
			}
			if tc.want == nil {
				if len(want) != 0 {
					t.Fatalf("entry survived: %v", want)
				}
				return
			}
			e := a.entry(id)
			for tag, v := range tc.want {
				if got := e.String(tag); got != v {
					t.Errorf("field %d = %q, want %q", tag, got, v)
				}
			}
			for tag, vs := range tc.wantHist {
				if got := historyValues(t, e, tag); !slices.Equal(got, vs) {
					t.Errorf("history of field %d = %q, want %q", tag, got, vs)
				}
			}
			if a.eng.Pending()+b.eng.Pending() != 0 {
				t.Fatal("changes still pending after sync")
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestCrashDeliversOnce kills the engine after the server committed a push
// whose answer was lost, and checks the change is applied exactly once.
func TestCrashDeliversOnce(t *testing.T) {
	for _, f := range []struct {
		name  string
		fault fault
	}{
		{"answer lost", faultDropResponse},
		{"request lost", faultDropRequest},
		{"request duplicated", faultDuplicate},
	} {
		t.Run(f.name, func(t *testing.T) {
			a, b, srv, k := pair(t)
			ctx := context.Background()
			id := newID(t)
			if err := a.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: "x"})); err != nil {
				t.Fatal(err)
			}
			a.mustSync()
			a.edit(id, t0.Add(time.Minute), map[vault.Tag]string{vault.TagPassword: "new"})
			rev0, _ := srv.Transport().Revision(ctx)
			// Header and pull go through; the push meets the fault.
			a.net.mu.Lock()
			a.net.mu.Unlock()
			pushFault := &pushOnly{faultyTransport: a.net, f: f.fault}
			a.cfg.Transport = pushFault
			a.crash()
			err := a.sync()
			if f.fault == faultDuplicate {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				wantCode(t, err, api.CodeNetwork)
				if got := a.eng.Status(); got.State != StateOffline || got.Pending != 1 {
					t.Fatalf("status after a lost push = %+v", got)
				}
				a.crash()
				a.mustSync()
			}
			rev1, _ := srv.Transport().Revision(ctx)
			if rev1-rev0 != 1 {
				t.Fatalf("server revision grew by %d, want 1 (applied exactly once)", rev1-rev0)
			}
			b.mustSync()
			if got := b.entry(id).String(vault.TagPassword); got != "new" {
				t.Fatalf("device b sees %q", got)
			}
			if h := historyValues(t, b.entry(id), vault.TagPassword); len(h) != 0 {
				t.Fatalf("a replay produced a spurious conflict: history %q", h)
			}
			if got := serverVault(t, srv.Transport(), k); !mapsEqual(got, plainVault(a.eng.View())) {
				t.Fatal("server and device differ")
			}
		})
	}
}

// pushOnly injects a fault into the first push only.
type pushOnly struct {
	*faultyTransport
	f    fault
	done bool
}

func (p *pushOnly) Push(ctx context.Context, req *api.PushRequest) (*api.PushResponse, error) {
	if !p.done {
		p.done = true
		p.inject(p.f)
	}
	return p.faultyTransport.Push(ctx, req)
}

// TestJournalDurable checks that a change is in storage when Put returns,
// before any sync.
func TestJournalDurable(t *testing.T) {
	a, b, _, _ := pair(t)
	ctx := context.Background()
	id := newID(t)
	a.net.setOffline(true)
	if err := a.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: "offline"})); err != nil {
		t.Fatal(err)
	}
	wantCode(t, a.sync(), api.CodeNetwork)
	a.crash()
	if got := a.eng.Pending(); got != 1 {
		t.Fatalf("pending after restart = %d, want 1", got)
	}
	a.net.setOffline(false)
	a.mustSync()
	b.mustSync()
	if got := b.entry(id).String(vault.TagName); got != "offline" {
		t.Fatalf("device b sees %q", got)
	}
}

// hostile is a Transport answering what the test says.
type hostile struct {
	Transport
	pull func(since int64, limit int) (*api.PullResponse, error)
	push func(req *api.PushRequest) (*api.PushResponse, error)
}

func (h *hostile) Pull(ctx context.Context, since int64, limit int) (*api.PullResponse, error) {
	if h.pull != nil {
		return h.pull(since, limit)
	}
	return h.Transport.Pull(ctx, since, limit)
}

func (h *hostile) Push(ctx context.Context, req *api.PushRequest) (*api.PushResponse, error) {
	if h.push != nil {
		return h.push(req)
	}
	return h.Transport.Push(ctx, req)
}

func TestBadServerAnswers(t *testing.T) {
	okID := "00112233445566778899aabbccddeeff"
	ct := []byte{1, 2, 3}
	pulls := []struct {
		name string
		resp *api.PullResponse
	}{
		{"nil answer", nil},
		{"revision went backwards", &api.PullResponse{Revision: 1}},
		{"bad id", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: "../x", Revision: 99, Ciphertext: ct}}}},
		{"upper-case id", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: strings.ToUpper(okID), Revision: 99, Ciphertext: ct}}}},
		{"revision not after since", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: okID, Revision: 3, Ciphertext: ct}}}},
		{"revision after the account's", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: okID, Revision: 101, Ciphertext: ct}}}},
		{"out of order", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: okID, Revision: 60, Ciphertext: ct}, {ID: strings.Repeat("a", 32), Revision: 59, Ciphertext: ct}}}},
		{"same entry twice", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: okID, Revision: 60, Ciphertext: ct}, {ID: okID, Revision: 61, Ciphertext: ct}}}},
		{"tombstone with data", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: okID, Revision: 60, Deleted: true, Ciphertext: ct}}}},
		{"entry without data", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: okID, Revision: 60}}}},
		{"oversized entry", &api.PullResponse{Revision: 100, Entries: []api.Entry{{ID: okID, Revision: 60, Ciphertext: make([]byte, api.MaxEntryCiphertext+1)}}}},
		{"empty page with more", &api.PullResponse{Revision: 100, More: true}},
	}
	for _, tc := range pulls {
		t.Run("pull/"+tc.name, func(t *testing.T) {
			a, _, _, _ := pair(t)
			seedAndSync(t, a)
			before := snapshot(a.st)
			a.cfg.Transport = &hostile{Transport: a.net, pull: func(int64, int) (*api.PullResponse, error) { return tc.resp, nil }}
			a.crash()
			wantCode(t, a.sync(), api.CodeBadServerAnswer)
			if st := a.eng.Status(); st.State != StateAttention || st.Code != api.CodeBadServerAnswer {
				t.Fatalf("status = %+v", st)
			}
			if after := snapshot(a.st); !mapsEqual(before, after) {
				t.Fatal("a rejected answer changed local storage")
			}
		})
	}
	pushes := []struct {
		name string
		resp func(req *api.PushRequest) *api.PushResponse
	}{
		{"nil answer", func(*api.PushRequest) *api.PushResponse { return nil }},
		{"too few results", func(*api.PushRequest) *api.PushResponse { return &api.PushResponse{Revision: 100} }},
		{"result for another entry", func(r *api.PushRequest) *api.PushResponse {
			return &api.PushResponse{Revision: 100, Results: []api.ChangeResult{{ID: okID, Accepted: true, Revision: 100}}}
		}},
		{"accepted at an old revision", func(r *api.PushRequest) *api.PushResponse {
			return &api.PushResponse{Revision: 100, Results: []api.ChangeResult{{ID: r.Changes[0].ID, Accepted: true, Revision: r.Changes[0].BaseRevision}}}
		}},
		{"accepted beyond the account revision", func(r *api.PushRequest) *api.PushResponse {
			return &api.PushResponse{Revision: 100, Results: []api.ChangeResult{{ID: r.Changes[0].ID, Accepted: true, Revision: 101}}}
		}},
		{"rejected with another entry's copy", func(r *api.PushRequest) *api.PushResponse {
			return &api.PushResponse{Revision: 100, Results: []api.ChangeResult{{ID: r.Changes[0].ID, Current: &api.Entry{ID: okID, Revision: 90, Ciphertext: ct}}}}
		}},
		{"rejected at the same revision", func(r *api.PushRequest) *api.PushResponse {
			c := r.Changes[0]
			return &api.PushResponse{Revision: 100, Results: []api.ChangeResult{{ID: c.ID, Current: &api.Entry{ID: c.ID, Revision: c.BaseRevision, Ciphertext: ct}}}}
		}},
	}
	for _, tc := range pushes {
		t.Run("push/"+tc.name, func(t *testing.T) {
			a, _, _, _ := pair(t)
			id := seedAndSync(t, a)
			a.edit(id, t0.Add(time.Hour), map[vault.Tag]string{vault.TagNotes: "edited"})
			a.cfg.Transport = &hostile{Transport: a.net, push: func(r *api.PushRequest) (*api.PushResponse, error) { return tc.resp(r), nil }}
			a.crash()
			before := snapshot(a.st)
			wantCode(t, a.sync(), api.CodeBadServerAnswer)
			after := snapshot(a.st)
			// The outbox written before sending is the only new key.
			delete(after, "ww/"+a.cfg.Account+"/"+keyOutbox)
			if !mapsEqual(before, after) {
				t.Fatal("a rejected answer changed local storage")
			}
			if got := a.entry(id).String(vault.TagNotes); got != "edited" || a.eng.Pending() != 1 {
				t.Fatalf("local edit lost: notes %q, pending %d", got, a.eng.Pending())
			}
		})
	}
}

func seedAndSync(t *testing.T, d *device) string {
	t.Helper()
	id := newID(t)
	for i := 0; i < 3; i++ {
		eid := newID(t)
		if i == 0 {
			eid = id
		}
		if err := d.eng.Put(context.Background(), eid, login(t, eid, t0, map[vault.Tag]string{vault.TagName: "seed"})); err != nil {
			t.Fatal(err)
		}
	}
	d.mustSync()
	d.mustSync() // the second sync moves the cursor past the device's own writes
	return id
}

func snapshot(s *MemoryStorage) map[string]string {
	m := make(map[string]string)
	_ = s.Scan(context.Background(), "", func(k string, v []byte) error {
		m[k] = string(v)
		return nil
	})
	return m
}

// TestIntegrity checks that a ciphertext the server moved from another
// entry, or damaged, is reported and never shown or merged, and that the
// local copy is kept.
func TestIntegrity(t *testing.T) {
	tests := []struct {
		name   string
		forged func(victim, other api.Entry, otherKey *vault.Key) []byte
	}{
		{"moved from another entry", func(v, o api.Entry, _ *vault.Key) []byte { return o.Ciphertext }},
		{"bit flipped", func(v, o api.Entry, _ *vault.Key) []byte {
			b := bytes.Clone(v.Ciphertext)
			b[len(b)-1] ^= 1
			return b
		}},
		{"from another vault", func(v, o api.Entry, ok *vault.Key) []byte {
			ct, _ := ok.Seal(v.ID, []byte{1})
			return ct
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b, srv, _ := pair(t)
			ctx := context.Background()
			victim, other := newID(t), newID(t)
			for _, id := range []string{victim, other} {
				if err := a.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: id[:4]})); err != nil {
					t.Fatal(err)
				}
			}
			a.mustSync()
			b.mustSync()
			before := b.entry(victim).String(vault.TagName)
			all, _ := srv.Transport().Pull(ctx, 0, 10)
			byID := map[string]api.Entry{}
			for _, e := range all.Entries {
				byID[e.ID] = e
			}
			_, otherKey := testVault(t)
			forged := tc.forged(byID[victim], byID[other], otherKey)
			rev := all.Revision
			b.cfg.Transport = &hostile{Transport: b.net, pull: func(since int64, limit int) (*api.PullResponse, error) {
				if since >= rev+1 {
					return &api.PullResponse{Revision: rev + 1}, nil
				}
				return &api.PullResponse{Revision: rev + 1, Entries: []api.Entry{{ID: victim, Revision: rev + 1, Ciphertext: forged}}}, nil
			}}
			b.crash()
			b.mustSync()
			st := b.eng.Status()
			if st.Damaged != 1 || st.State != StateAttention {
				t.Fatalf("status = %+v, want one damaged entry needing attention", st)
			}
			if v := b.eng.View(); !slices.Equal(v.Damaged, []string{victim}) {
				t.Fatalf("damaged = %v", v.Damaged)
			}
			// The same, for just the entries a list patches: the victim is
			// damaged and its local copy still shows; an id the vault never
			// had is in neither.
			absent := newID(t)
			part := b.eng.ViewOf([]string{absent, victim, other, victim})
			if !slices.Equal(part.Damaged, []string{victim}) || len(part.Items) != 2 || part.Items[0].ID != min(victim, other) {
				t.Fatalf("view of three ids: damaged %v, %d items", part.Damaged, len(part.Items))
			}
			if got := b.entry(victim).String(vault.TagName); got != before {
				t.Fatalf("local copy changed to %q", got)
			}
			// An edit of the entry is kept in the journal, never merged with
			// the forged copy.
			b.edit(victim, t0.Add(time.Hour), map[vault.Tag]string{vault.TagNotes: "mine"})
			b.mustSync()
			if b.eng.Pending() != 1 {
				t.Fatalf("pending = %d, want the edit kept", b.eng.Pending())
			}
		})
	}
}

func TestAccountsAreSeparate(t *testing.T) {
	ctx := context.Background()
	h, k := testVault(t)
	st := NewMemoryStorage()
	local, err := Open(ctx, Config{Storage: st, Account: LocalAccount, Keyring: k, Merger: EntryMerger{}, Header: &h})
	if err != nil {
		t.Fatal(err)
	}
	id := newID(t)
	if err := local.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: "local"})); err != nil {
		t.Fatal(err)
	}
	if got := local.Status().State; got != StateLocal {
		t.Fatalf("state = %s, want local", got)
	}
	wantCode(t, local.Sync(ctx), api.CodeInvalid)
	local.Close()

	acct1, acct2 := newID(t), newID(t)
	if err := ConnectLocalVault(ctx, st, acct1); err != nil {
		t.Fatal(err)
	}
	srv := memserver.New()
	e1, err := Open(ctx, Config{Storage: st, Account: acct1, Keyring: k, Merger: EntryMerger{}, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	if err := e1.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := serverVault(t, srv.Transport(), k); len(got) != 1 {
		t.Fatalf("connected vault uploaded %d entries, want 1", len(got))
	}
	e1.Close()
	if has, _ := HasAccountData(ctx, st, LocalAccount); has {
		t.Fatal("the local namespace still holds data after connecting")
	}

	// Another account on the same browser with its own vault sees nothing
	// of the first.
	h2, k2 := testVault(t)
	e2, err := Open(ctx, Config{Storage: st, Account: acct2, Keyring: k2, Merger: EntryMerger{}, Header: &h2})
	if err != nil {
		t.Fatal(err)
	}
	if v := e2.View(); len(v.Items) != 0 {
		t.Fatalf("account 2 sees %d entries of account 1", len(v.Items))
	}
	e2.Close()
	// The first account's namespace cannot be opened with another vault.
	_, err = Open(ctx, Config{Storage: st, Account: acct1, Keyring: k2, Merger: EntryMerger{}})
	wantCode(t, err, api.CodeConflict)
	// A server account holding another vault is never merged into.
	e3, err := Open(ctx, Config{Storage: NewMemoryStorage(), Account: acct1, Keyring: k2, Merger: EntryMerger{}, Header: &h2, Transport: srv.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, e3.Sync(ctx), api.CodeConflict)
	// Sign-out with removal deletes only that account's data.
	if err := RemoveAccountData(ctx, st, acct1); err != nil {
		t.Fatal(err)
	}
	for _, key := range st.Keys() {
		if strings.Contains(key, acct1) {
			t.Fatalf("key %s survived removal", key)
		}
	}
	if has, _ := HasAccountData(ctx, st, acct2); !has {
		t.Fatal("removing account 1 removed account 2's data")
	}
	wantCode(t, ConnectLocalVault(ctx, st, acct2), api.CodeConflict)
}

func TestStatusAndTriggers(t *testing.T) {
	h, k := testVault(t)
	srv := memserver.New()
	clock := newFakeClock()
	acct := newID(t)
	a := newDevice(t, acct, h, k, srv.Transport(), clock, nil)
	a.cfg.Debounce, a.cfg.Period = time.Second, time.Minute
	a.crash()
	b := newDevice(t, acct, h, k, srv.Transport(), clock, nil)
	ctx := context.Background()
	waitFor := func(what string, f func() bool) {
		t.Helper()
		for i := 0; i < 2000; i++ {
			if f() {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	a.eng.Start()
	waitFor("sync at start", func() bool { return a.eng.Status().State == StateSynced })
	id := newID(t)
	if err := a.eng.Put(ctx, id, login(t, id, t0, nil)); err != nil {
		t.Fatal(err)
	}
	if st := a.eng.Status(); st.Pending != 1 {
		t.Fatalf("status after a change = %+v", st)
	}
	clock.Advance(500 * time.Millisecond)
	if rev, _ := srv.Transport().Revision(ctx); rev != 0 {
		t.Fatal("synced before the debounce delay")
	}
	clock.Advance(600 * time.Millisecond)
	waitFor("debounced sync", func() bool { return a.eng.Status().Pending == 0 })

	// A change from elsewhere arrives by notification, then periodically.
	b.mustSync()
	b.edit(id, t0.Add(time.Minute), map[vault.Tag]string{vault.TagName: "n1"})
	b.mustSync()
	srvRev := func() int64 { r, _ := srv.Transport().Revision(ctx); return r }
	a.eng.Notify(srvRev())
	waitFor("notified sync", func() bool { return a.eng.Revision() == srvRev() })
	b.edit(id, t0.Add(2*time.Minute), map[vault.Tag]string{vault.TagName: "n2"})
	b.mustSync()
	waitFor("periodic timer armed", func() bool { return clock.Pending() > 0 })
	clock.Advance(time.Minute)
	waitFor("periodic sync", func() bool { return a.eng.Revision() == srvRev() })

	// Offline, then paused, then on again.
	a.net.setOffline(true)
	a.eng.Notify(a.eng.Revision() + 1)
	waitFor("offline", func() bool { return a.eng.Status().State == StateOffline })
	a.net.setOffline(false)
	if err := a.eng.SetSyncEnabled(ctx, false); err != nil {
		t.Fatal(err)
	}
	if st := a.eng.Status(); st.State != StatePaused {
		t.Fatalf("state = %s, want paused", st.State)
	}
	wantCode(t, a.sync(), api.CodeInvalid)
	a.edit(id, t0.Add(3*time.Minute), map[vault.Tag]string{vault.TagName: "while paused"})
	clock.Advance(time.Hour)
	if st := a.eng.Status(); st.State != StatePaused || st.Pending != 1 {
		t.Fatalf("paused status = %+v", st)
	}
	a.crash() // the setting survives a restart
	if st := a.eng.Status(); st.State != StatePaused {
		t.Fatalf("state after restart = %s, want paused", st.State)
	}
	a.eng.Start()
	if err := a.eng.SetSyncEnabled(ctx, true); err != nil {
		t.Fatal(err)
	}
	waitFor("sync after enabling", func() bool { st := a.eng.Status(); return st.State == StateSynced && st.Pending == 0 })
	a.eng.Close()
}

func TestStatusJSON(t *testing.T) {
	b, err := json.Marshal(Status{State: StatePaused, Pending: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"state":"paused","pending":2,"damaged":0,"hidden":0}`; got != want {
		t.Fatalf("status JSON = %s, want %s", got, want)
	}
}

// TestPagedPull syncs a vault larger than one pull page.
func TestPagedPull(t *testing.T) {
	a, b, _, _ := pair(t)
	b.cfg.PullPage = 2
	b.crash()
	ctx := context.Background()
	for i := range 7 {
		id := newID(t)
		if err := a.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: fmt.Sprint(i)})); err != nil {
			t.Fatal(err)
		}
	}
	a.mustSync()
	var pulls int
	b.cfg.Transport = &hostile{Transport: b.net, pull: func(since int64, limit int) (*api.PullResponse, error) {
		pulls++
		if limit != 2 {
			t.Errorf("pulled with limit %d, want 2", limit)
		}
		return b.net.Pull(ctx, since, limit)
	}}
	b.crash()
	b.mustSync()
	if pulls != 4 {
		t.Errorf("pulled %d pages for 7 entries, want 4", pulls)
	}
	if got, want := plainVault(b.eng.View()), plainVault(a.eng.View()); !mapsEqual(got, want) || len(got) != 7 {
		t.Fatalf("device b holds %d entries, want the 7 of device a", len(got))
	}
	if b.eng.Revision() != 7 {
		t.Fatalf("cursor = %d, want 7", b.eng.Revision())
	}
}

// TestDeleteWhileCreateInFlight deletes an entry while the push of its
// creation is on the wire: the delete must win, on the device and on the
// server.
func TestDeleteWhileCreateInFlight(t *testing.T) {
	a, b, _, _ := pair(t)
	ctx := context.Background()
	id := newID(t)
	if err := a.eng.Put(ctx, id, login(t, id, t0, map[vault.Tag]string{vault.TagName: "short-lived"})); err != nil {
		t.Fatal(err)
	}
	once := false
	a.cfg.Transport = &hostile{Transport: a.net, push: func(req *api.PushRequest) (*api.PushResponse, error) {
		if !once {
			once = true
			if err := a.eng.Delete(ctx, id); err != nil {
				t.Errorf("delete during push: %v", err)
			}
		}
		return a.net.Push(ctx, req)
	}}
	a.crash()
	a.mustSync()
	if _, err := a.eng.Get(id); err != ErrNotFound {
		t.Fatalf("deleted entry is back on the device: %v", err)
	}
	b.mustSync()
	if _, err := b.eng.Get(id); err != ErrNotFound {
		t.Fatalf("deleted entry reached another device: %v", err)
	}
}
