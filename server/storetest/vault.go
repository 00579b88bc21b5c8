package storetest

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"watchword/server"
	"watchword/wasm/api"
)

func testVaultHeader(t *testing.T, s server.Store) {
	c := ctx(t)
	a, b := newAccount(t, s), newAccount(t, s)
	_, err := s.VaultHeader(c, a.ID)
	wantErr(t, "VaultHeader(before upload)", err, server.ErrNotFound)
	h := header()
	noErr(t, "PutVaultHeader", s.PutVaultHeader(c, a.ID, h))
	got, err := s.VaultHeader(c, a.ID)
	noErr(t, "VaultHeader", err)
	if !reflect.DeepEqual(*got, h) {
		t.Fatalf("VaultHeader:\n got %+v\nwant %+v", *got, h)
	}
	// A password change re-wraps the key and may raise the KDF cost.
	h2 := header()
	h2.VaultID = h.VaultID
	h2.KDF.MemoryKiB, h2.KDF.Time, h2.KDF.Threads = api.MaxKDFMemoryKiB, api.MaxKDFTime, api.MaxKDFThreads
	noErr(t, "PutVaultHeader(replace)", s.PutVaultHeader(c, a.ID, h2))
	got, err = s.VaultHeader(c, a.ID)
	noErr(t, "VaultHeader", err)
	if !reflect.DeepEqual(*got, h2) {
		t.Fatalf("VaultHeader after replace:\n got %+v\nwant %+v", *got, h2)
	}
	_, err = s.VaultHeader(c, b.ID)
	wantErr(t, "VaultHeader(other account)", err, server.ErrNotFound)
	if err := s.PutVaultHeader(c, randomHex(16), h); err == nil {
		t.Fatal("PutVaultHeader for a missing account succeeded")
	}
}

func checkResult(t *testing.T, what string, got api.ChangeResult, id string, accepted bool, rev int64, current *api.Entry) {
	t.Helper()
	if got.ID != id || got.Accepted != accepted || got.Revision != rev {
		t.Fatalf("%s: result {%s accepted=%v rev=%d}, want {%s accepted=%v rev=%d}", what, got.ID, got.Accepted, got.Revision, id, accepted, rev)
	}
	if !reflect.DeepEqual(got.Current, current) {
		t.Fatalf("%s: current copy %s, want %s", what, fmtEntry(got.Current), fmtEntry(current))
	}
}

func testPushCAS(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	if rev, err := s.Revision(c, a.ID); err != nil || rev != 0 {
		t.Fatalf("Revision of a new account: %d, %v; want 0", rev, err)
	}
	x, y := entryID(), entryID()

	resp := push(t, s, a.ID, put(x, 0, []byte("x1")), put(y, 0, []byte("y1")))
	checkResult(t, "create x", resp.Results[0], x, true, 1, nil)
	checkResult(t, "create y", resp.Results[1], y, true, 2, nil)
	if resp.Revision != 2 {
		t.Fatalf("push revision %d, want 2", resp.Revision)
	}

	// x is updated from its current revision; y from a stale one.
	resp = push(t, s, a.ID, put(x, 1, []byte("x2")), put(y, 1, []byte("y-stale")))
	checkResult(t, "update x", resp.Results[0], x, true, 3, nil)
	checkResult(t, "stale y", resp.Results[1], y, false, 0, &api.Entry{ID: y, Revision: 2, Ciphertext: []byte("y1")})
	if resp.Revision != 3 {
		t.Fatalf("push revision %d, want 3", resp.Revision)
	}

	// Creating an entry that exists is a stale write too.
	resp = push(t, s, a.ID, put(x, 0, []byte("x-again")))
	checkResult(t, "recreate x", resp.Results[0], x, false, 0, &api.Entry{ID: x, Revision: 3, Ciphertext: []byte("x2")})
	if resp.Revision != 3 {
		t.Fatalf("a push that changed nothing moved the revision to %d", resp.Revision)
	}

	// A base revision for an entry the server never had: rejected, no copy.
	z := entryID()
	resp = push(t, s, a.ID, put(z, 7, []byte("z")))
	checkResult(t, "unknown z", resp.Results[0], z, false, 0, nil)

	// The same entry twice in one push breaks the protocol: refused whole,
	// nothing applied.
	_, err := s.Push(c, a.ID, &api.PushRequest{IdempotencyKey: randomHex(16), Changes: []api.Change{put(y, 2, []byte("y2")), put(y, 2, []byte("y-dup"))}}, t0)
	if api.CodeOf(err) != api.CodeInvalid {
		t.Fatalf("Push with one entry twice: %v, want invalid", err)
	}
	// In turn, each change is checked against the one before.
	resp = push(t, s, a.ID, put(y, 2, []byte("y2")))
	checkResult(t, "y first", resp.Results[0], y, true, 4, nil)
	resp = push(t, s, a.ID, put(y, 2, []byte("y-dup")))
	checkResult(t, "y stale", resp.Results[0], y, false, 0, &api.Entry{ID: y, Revision: 4, Ciphertext: []byte("y2")})
	resp = push(t, s, a.ID, put(y, 4, []byte("y3")))
	checkResult(t, "y chained", resp.Results[0], y, true, 5, nil)

	rev, err := s.Revision(c, a.ID)
	noErr(t, "Revision", err)
	if rev != 5 {
		t.Fatalf("Revision = %d, want 5", rev)
	}
	got := pullAll(t, s, a.ID, 0, 10)
	want := []api.Entry{{ID: x, Revision: 3, Ciphertext: []byte("x2")}, {ID: y, Revision: 5, Ciphertext: []byte("y3")}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Pull after pushes:\n got %+v\nwant %+v", got, want)
	}

	t.Run("MissingAccount", func(t *testing.T) {
		_, err := s.Push(c, randomHex(16), &api.PushRequest{IdempotencyKey: randomHex(8), Changes: []api.Change{put(entryID(), 0, []byte("c"))}}, t0)
		wantErr(t, "Push(missing account)", err, server.ErrNotFound)
	})
}

func testPushTombstones(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	x, y := entryID(), entryID()
	push(t, s, a.ID, put(x, 0, []byte("x1")), put(y, 0, []byte("y1")))
	resp := push(t, s, a.ID, api.Change{ID: x, BaseRevision: 1, Deleted: true})
	checkResult(t, "delete x", resp.Results[0], x, true, 3, nil)

	got := pullAll(t, s, a.ID, 2, 10)
	want := []api.Entry{{ID: x, Revision: 3, Deleted: true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Pull after delete:\n got %+v\nwant %+v", got, want)
	}
	// A stale edit of the deleted entry gets the tombstone back.
	resp = push(t, s, a.ID, put(x, 1, []byte("x-edit")))
	checkResult(t, "edit deleted x", resp.Results[0], x, false, 0, &api.Entry{ID: x, Revision: 3, Deleted: true})
	// Restoring from the tombstone's revision is an ordinary write.
	resp = push(t, s, a.ID, put(x, 3, []byte("x-restored")))
	checkResult(t, "restore x", resp.Results[0], x, true, 4, nil)
	all, err := s.Pull(c, a.ID, 0, 10)
	noErr(t, "Pull", err)
	if len(all.Entries) != 2 || all.Entries[1].Deleted || !bytes.Equal(all.Entries[1].Ciphertext, []byte("x-restored")) {
		t.Fatalf("Pull after restore: %+v", all.Entries)
	}
}

func testPushIdempotent(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	x, y := entryID(), entryID()
	push(t, s, a.ID, put(y, 0, []byte("y1")))
	key := randomHex(16)
	req := &api.PushRequest{IdempotencyKey: key, Changes: []api.Change{put(x, 0, []byte("x1")), put(y, 0, []byte("y-stale"))}}
	first, err := s.Push(c, a.ID, req, t0)
	noErr(t, "Push", err)
	if !first.Results[0].Accepted || first.Results[1].Accepted {
		t.Fatalf("first answer %+v", first)
	}

	// The retry returns the identical answer and writes nothing, even if the
	// body differs and even after other pushes moved the revision.
	push(t, s, a.ID, put(y, 1, []byte("y2")))
	revBefore, err := s.Revision(c, a.ID)
	noErr(t, "Revision", err)
	retries := []*api.PushRequest{
		req,
		{IdempotencyKey: key, Changes: []api.Change{put(x, 1, []byte("x-other"))}},
	}
	for i, r := range retries {
		again, err := s.Push(c, a.ID, r, t0.Add(time.Hour))
		noErr(t, "Push(retry)", err)
		if !reflect.DeepEqual(again, first) {
			t.Fatalf("retry %d answered\n%+v\nwant the first answer\n%+v", i, again, first)
		}
	}
	revAfter, err := s.Revision(c, a.ID)
	noErr(t, "Revision", err)
	if revAfter != revBefore {
		t.Fatalf("a retried push moved the revision from %d to %d", revBefore, revAfter)
	}
	resp, err := s.Pull(c, a.ID, 0, 10)
	noErr(t, "Pull", err)
	for _, e := range resp.Entries {
		if e.ID == x && !bytes.Equal(e.Ciphertext, []byte("x1")) {
			t.Fatalf("a retried push rewrote entry x to %q", e.Ciphertext)
		}
	}

	// Keys are per account: the same key from another account is a new push.
	b := newAccount(t, s)
	other, err := s.Push(c, b.ID, req, t0)
	noErr(t, "Push(same key, other account)", err)
	if !other.Results[0].Accepted || !other.Results[1].Accepted || other.Revision != 2 {
		t.Fatalf("the other account's push with the same key answered %+v", other)
	}

	// Concurrent retries of one new key: one applies, all answer the same.
	k2 := randomHex(16)
	z := entryID()
	const n = 8
	answers := make([]*api.PushResponse, n)
	errs := race(n, func(i int) error {
		var err error
		answers[i], err = s.Push(ctx(t), a.ID, &api.PushRequest{IdempotencyKey: k2, Changes: []api.Change{put(z, 0, []byte("z"))}}, t0)
		return err
	})
	for i, err := range errs {
		noErr(t, "Push(concurrent retry)", err)
		if !reflect.DeepEqual(answers[i], answers[0]) {
			t.Fatalf("concurrent retries answered differently:\n%+v\n%+v", answers[i], answers[0])
		}
	}
	if !answers[0].Results[0].Accepted {
		t.Fatalf("the concurrent retries all failed: %+v", answers[0])
	}
	rev, err := s.Revision(c, a.ID)
	noErr(t, "Revision", err)
	if rev != revAfter+1 {
		t.Fatalf("%d concurrent retries moved the revision by %d, want 1", n, rev-revAfter)
	}
}

func testPushConcurrent(t *testing.T, s server.Store) {
	a := newAccount(t, s)
	x := entryID()
	base := push(t, s, a.ID, put(x, 0, []byte("x0"))).Results[0].Revision
	const n = 16
	answers := make([]*api.PushResponse, n)
	errs := race(n, func(i int) error {
		var err error
		answers[i], err = s.Push(ctx(t), a.ID, &api.PushRequest{IdempotencyKey: randomHex(16),
			Changes: []api.Change{put(x, base, []byte(fmt.Sprintf("edit %d", i)))}}, t0)
		return err
	})
	won := -1
	for i, err := range errs {
		noErr(t, "Push", err)
		if answers[i].Results[0].Accepted {
			if won >= 0 {
				t.Fatalf("pushes %d and %d both replaced revision %d", won, i, base)
			}
			won = i
		}
	}
	if won < 0 {
		t.Fatal("no concurrent push was accepted")
	}
	winner := api.Entry{ID: x, Revision: answers[won].Results[0].Revision, Ciphertext: []byte(fmt.Sprintf("edit %d", won))}
	for i, ans := range answers {
		if i != won && !reflect.DeepEqual(ans.Results[0].Current, &winner) {
			t.Fatalf("loser %d got current %s, want the winner's %s", i, fmtEntry(ans.Results[0].Current), fmtEntry(&winner))
		}
	}
	// Concurrent pushes of different entries all land, each with its own
	// revision.
	errs = race(n, func(i int) error {
		_, err := s.Push(ctx(t), a.ID, &api.PushRequest{IdempotencyKey: randomHex(16),
			Changes: []api.Change{put(entryID(), 0, []byte("new"))}}, t0)
		return err
	})
	for _, err := range errs {
		noErr(t, "Push", err)
	}
	got := pullAll(t, s, a.ID, 0, 5)
	if len(got) != n+1 {
		t.Fatalf("Pull: %d entries, want %d", len(got), n+1)
	}
}

func testPushBadInput(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	x := entryID()
	push(t, s, a.ID, put(x, 0, []byte("x1")))
	big := make([]api.Change, api.MaxPushChanges+1)
	for i := range big {
		big[i] = put(entryID(), 0, []byte("c"))
	}
	tests := []struct {
		name    string
		changes []api.Change
	}{
		{"MalformedID", []api.Change{put(x, 1, []byte("ok")), put("not-an-id", 0, []byte("c"))}},
		{"UppercaseID", []api.Change{put(x, 1, []byte("ok")), put("ABCDEF0123456789ABCDEF0123456789", 0, []byte("c"))}},
		{"TombstoneWithCiphertext", []api.Change{put(x, 1, []byte("ok")), {ID: entryID(), Deleted: true, Ciphertext: []byte("c")}}},
		{"NoCiphertext", []api.Change{put(x, 1, []byte("ok")), {ID: entryID()}}},
		{"NegativeBase", []api.Change{put(x, 1, []byte("ok")), put(entryID(), -1, []byte("c"))}},
		{"TooLarge", []api.Change{put(x, 1, []byte("ok")), put(entryID(), 0, make([]byte, api.MaxEntryCiphertext+1))}},
		{"TooManyChanges", big},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Push(c, a.ID, &api.PushRequest{IdempotencyKey: randomHex(16), Changes: tc.changes}, t0)
			if err == nil {
				t.Fatal("Push accepted bad input")
			}
			if code := api.CodeOf(err); code != api.CodeBadRequest && code != api.CodeInvalid && code != api.CodeTooLarge {
				t.Fatalf("Push(bad input): code %s (%v), want bad_request, invalid or too_large", code, err)
			}
			// Nothing of the refused push was applied, not even its valid change.
			if rev, err := s.Revision(c, a.ID); err != nil || rev != 1 {
				t.Fatalf("Revision after a refused push: %d, %v; want 1", rev, err)
			}
		})
	}
	_, err := s.Pull(c, a.ID, -1, 10)
	if api.CodeOf(err) != api.CodeBadRequest {
		t.Fatalf("Pull(since=-1): %v, want bad_request", err)
	}
}

// testPullPaging fills a vault with 2,500 entries, rewrites and deletes some
// (so the revisions have holes where older versions were), and pages through
// it with small and odd page sizes: every entry must come exactly once, in
// increasing revision order, at its latest version.
func testPullPaging(t *testing.T, s server.Store) {
	a := newAccount(t, s)
	const total = 2500
	ids := make([]string, total)
	latest := make(map[string]api.Entry, total)
	for start := 0; start < total; start += api.MaxPushChanges {
		var changes []api.Change
		for i := start; i < start+api.MaxPushChanges && i < total; i++ {
			ids[i] = entryID()
			changes = append(changes, put(ids[i], 0, []byte(fmt.Sprintf("v1 of %d", i))))
		}
		resp := push(t, s, a.ID, changes...)
		for i, r := range resp.Results {
			if !r.Accepted {
				t.Fatalf("create %s rejected", r.ID)
			}
			latest[r.ID] = api.Entry{ID: r.ID, Revision: r.Revision, Ciphertext: changes[i].Ciphertext}
		}
	}
	var changes []api.Change
	for i := 0; i < total; i += 7 {
		e := latest[ids[i]]
		if i%2 == 0 {
			changes = append(changes, api.Change{ID: e.ID, BaseRevision: e.Revision, Deleted: true})
		} else {
			changes = append(changes, put(e.ID, e.Revision, []byte(fmt.Sprintf("v2 of %d", i))))
		}
	}
	resp := push(t, s, a.ID, changes...)
	for i, r := range resp.Results {
		if !r.Accepted {
			t.Fatalf("rewrite %s rejected", r.ID)
		}
		latest[r.ID] = api.Entry{ID: r.ID, Revision: r.Revision, Deleted: changes[i].Deleted, Ciphertext: changes[i].Ciphertext}
	}

	for _, limit := range []int{1, 7, 100, 333, api.MaxPullPage} {
		if limit == 1 && testing.Short() {
			continue
		}
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			got := pullAll(t, s, a.ID, 0, limit)
			if len(got) != total {
				t.Fatalf("paged pull returned %d entries, want %d", len(got), total)
			}
			for _, e := range got {
				if !reflect.DeepEqual(e, latest[e.ID]) {
					t.Fatalf("entry %s: got %s, want %s", e.ID, fmtEntry(&e), fmtEntry(ptr(latest[e.ID])))
				}
			}
		})
	}
	t.Run("FromTheMiddle", func(t *testing.T) {
		since := latest[ids[1234]].Revision
		got := pullAll(t, s, a.ID, since, 50)
		want := 0
		for _, e := range latest {
			if e.Revision > since {
				want++
			}
		}
		if len(got) != want {
			t.Fatalf("pull since %d: %d entries, want %d", since, len(got), want)
		}
	})
	t.Run("PastTheEnd", func(t *testing.T) {
		rev, err := s.Revision(ctx(t), a.ID)
		noErr(t, "Revision", err)
		resp, err := s.Pull(ctx(t), a.ID, rev, 10)
		noErr(t, "Pull", err)
		if len(resp.Entries) != 0 || resp.More || resp.Revision != rev || resp.Entries == nil {
			t.Fatalf("Pull at the current revision: %+v; want no entries (an empty, non-nil list), no more", resp)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func testPullLimit(t *testing.T, s server.Store) {
	a := newAccount(t, s)
	n := api.MaxPullPage + 10
	for start := 0; start < n; start += api.MaxPushChanges {
		var changes []api.Change
		for i := start; i < start+api.MaxPushChanges && i < n; i++ {
			changes = append(changes, put(entryID(), 0, []byte("c")))
		}
		push(t, s, a.ID, changes...)
	}
	tests := []struct {
		limit, want int
		more        bool
	}{
		{0, api.DefaultPullPage, true},
		{-5, api.DefaultPullPage, true},
		{api.MaxPullPage + 1, api.MaxPullPage, true},
		{1 << 30, api.MaxPullPage, true},
		{n, api.MaxPullPage, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("limit=%d", tc.limit), func(t *testing.T) {
			resp, err := s.Pull(ctx(t), a.ID, 0, tc.limit)
			noErr(t, "Pull", err)
			if len(resp.Entries) != tc.want || resp.More != tc.more || resp.Revision != int64(n) {
				t.Fatalf("Pull(limit=%d): %d entries, more=%v, revision %d; want %d, %v, %d",
					tc.limit, len(resp.Entries), resp.More, resp.Revision, tc.want, tc.more, n)
			}
		})
	}
}

func testIsolation(t *testing.T, s server.Store) {
	c := ctx(t)
	a, b := newAccount(t, s), newAccount(t, s)
	x := entryID()
	push(t, s, a.ID, put(x, 0, []byte("a's secret")), put(entryID(), 0, []byte("a2")))

	resp, err := s.Pull(c, b.ID, 0, 100)
	noErr(t, "Pull(b)", err)
	if len(resp.Entries) != 0 || resp.Revision != 0 {
		t.Fatalf("account b sees %d entries at revision %d", len(resp.Entries), resp.Revision)
	}
	// The same entry id in b is b's own entry, with b's own revisions.
	r := push(t, s, b.ID, put(x, 0, []byte("b's own")))
	checkResult(t, "b creates x", r.Results[0], x, true, 1, nil)
	// Writing b's x at b's revision 1 leaves a's x (also at revision 1) alone.
	r = push(t, s, b.ID, put(x, 1, []byte("b over a")))
	checkResult(t, "b writes x", r.Results[0], x, true, 2, nil)
	ga, err := s.Pull(c, a.ID, 0, 100)
	noErr(t, "Pull(a)", err)
	if ga.Revision != 2 || len(ga.Entries) != 2 || !bytes.Equal(ga.Entries[0].Ciphertext, []byte("a's secret")) {
		t.Fatalf("account a changed by b's pushes: %+v", ga)
	}
	gb, err := s.Pull(c, b.ID, 0, 100)
	noErr(t, "Pull(b)", err)
	if len(gb.Entries) != 1 || !bytes.Equal(gb.Entries[0].Ciphertext, []byte("b over a")) {
		t.Fatalf("account b: %+v", gb)
	}
}

func testWatch(t *testing.T, s server.Store) {
	a, b := newAccount(t, s), newAccount(t, s)
	wctx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	ch, err := s.Watch(wctx, a.ID)
	noErr(t, "Watch", err)
	chB, err := s.Watch(wctx, b.ID)
	noErr(t, "Watch(b)", err)

	resp := push(t, s, a.ID, put(entryID(), 0, []byte("c")))
	WaitRevision(t, ch, resp.Revision)

	t.Run("SlowReaderGetsLatest", func(t *testing.T) {
		var last int64
		for range 5 {
			last = push(t, s, a.ID, put(entryID(), 0, []byte("c"))).Revision
		}
		WaitRevision(t, ch, last)
	})
	t.Run("OtherAccountsQuiet", func(t *testing.T) {
		select {
		case rev := <-chB:
			t.Fatalf("b's watch got revision %d from a's pushes", rev)
		default:
		}
	})
	t.Run("CancelCloses", func(t *testing.T) {
		cancel()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-deadline:
				t.Fatal("the watch channel was not closed after its context ended")
			}
		}
	})
}

// WaitRevision reads ch until it delivers want (or fails t after five
// seconds, or on a value above want). Values below want are intermediate
// revisions and are skipped.
func WaitRevision(t testing.TB, ch <-chan int64, want int64) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case got, ok := <-ch:
			if !ok {
				t.Fatalf("watch channel closed while waiting for revision %d", want)
			}
			if got == want {
				return
			}
			if got > want {
				t.Fatalf("watch delivered revision %d, want %d", got, want)
			}
		case <-deadline:
			t.Fatalf("no watch notification of revision %d within 5s", want)
		}
	}
}
