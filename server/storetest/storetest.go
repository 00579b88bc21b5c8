package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"watchword/server"
	"watchword/wasm/api"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call and arrange for it to be closed when t ends.
func Run(t *testing.T, open func(t *testing.T) server.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s server.Store)
	}{
		{"Accounts", testAccounts},
		{"DeleteAccountCascades", testDeleteCascades},
		{"DeleteUnactivatedBefore", testDeleteUnactivated},
		{"Identities", testIdentities},
		{"Tokens", testTokens},
		{"TokenConsumedOnce", testTokenConsumedOnce},
		{"Challenges", testChallenges},
		{"FailChallengeConcurrent", testFailChallengeConcurrent},
		{"TOTPStep", testTOTPStep},
		{"RecoveryCodes", testRecoveryCodes},
		{"Counters", testCounters},
		{"CounterConcurrent", testCounterConcurrent},
		{"Sessions", testSessions},
		{"RefreshRotation", testRefreshRotation},
		{"RefreshConcurrent", testRefreshConcurrent},
		{"VaultHeader", testVaultHeader},
		{"PushCompareAndSwap", testPushCAS},
		{"PushTombstones", testPushTombstones},
		{"PushIdempotent", testPushIdempotent},
		{"PushConcurrentSameBase", testPushConcurrent},
		{"PushRejectsBadInput", testPushBadInput},
		{"PullPaging", testPullPaging},
		{"PullLimit", testPullLimit},
		{"AccountsIsolated", testIsolation},
		{"Watch", testWatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, open(t))
		})
	}
}

// t0 is the suite's clock: every time the tests hand to the store derives
// from it, at microsecond precision (what both adapters keep).
var t0 = time.Date(2031, time.March, 4, 5, 6, 7, 891011000, time.UTC)

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func ctx(t testing.TB) context.Context { return t.Context() }

// newAccount creates an activated account with a unique address.
func newAccount(t testing.TB, s server.Store) *server.Account {
	t.Helper()
	a := &server.Account{
		ID:           randomHex(16),
		Email:        randomHex(6) + "@example.test",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		CreatedAt:    t0,
		ActivatedAt:  t0.Add(time.Minute),
	}
	if err := s.CreateAccount(ctx(t), a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a
}

func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func noErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// entryID returns a well-formed entry id.
func entryID() string { return randomHex(api.IDSize) }

// push sends changes with a fresh idempotency key and fails t on error.
func push(t testing.TB, s server.Store, accountID string, changes ...api.Change) *api.PushResponse {
	t.Helper()
	resp, err := s.Push(ctx(t), accountID, &api.PushRequest{IdempotencyKey: randomHex(16), Changes: changes}, t0)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	if len(resp.Results) != len(changes) {
		t.Fatalf("Push: %d results for %d changes", len(resp.Results), len(changes))
	}
	return resp
}

func put(id string, base int64, ct []byte) api.Change {
	return api.Change{ID: id, BaseRevision: base, Ciphertext: ct}
}

// pullAll pages through everything after since with the given page size and
// returns the entries in order, failing t on a duplicate or a revision that
// does not increase.
func pullAll(t testing.TB, s server.Store, accountID string, since int64, limit int) []api.Entry {
	t.Helper()
	var all []api.Entry
	seen := make(map[string]bool)
	last := since
	for page := 0; ; page++ {
		if page > 100000 {
			t.Fatal("Pull: paging does not end")
		}
		resp, err := s.Pull(ctx(t), accountID, last, limit)
		noErr(t, "Pull", err)
		if len(resp.Entries) > limit {
			t.Fatalf("Pull: %d entries for limit %d", len(resp.Entries), limit)
		}
		for _, e := range resp.Entries {
			if e.Revision <= last {
				t.Fatalf("Pull: entry %s revision %d after %d: revisions must increase", e.ID, e.Revision, last)
			}
			if e.Revision > resp.Revision {
				t.Fatalf("Pull: entry revision %d above the account revision %d", e.Revision, resp.Revision)
			}
			if seen[e.ID] {
				t.Fatalf("Pull: entry %s returned twice", e.ID)
			}
			seen[e.ID] = true
			last = e.Revision
			all = append(all, e)
		}
		if !resp.More {
			return all
		}
		if len(resp.Entries) == 0 {
			t.Fatal("Pull: More with an empty page")
		}
	}
}

func fmtEntry(e *api.Entry) string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{%s rev=%d deleted=%v ct=%x}", e.ID, e.Revision, e.Deleted, e.Ciphertext)
}
