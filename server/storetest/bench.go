package storetest

import (
	"fmt"
	"testing"

	"watchword/server"
	"watchword/wasm/api"
)

// benchVaultSize is the vault size the benchmarks run against.
const benchVaultSize = 10000

// fillVault gives a new account a vault of n entries of 256 bytes (a typical
// sealed login) and returns the account id and the entries' ids and revisions.
func fillVault(b *testing.B, s server.Store, n int) (string, []string, []int64) {
	b.Helper()
	a := newAccount(b, s)
	ids := make([]string, n)
	revs := make([]int64, n)
	ct := randomBytes(256)
	for start := 0; start < n; start += api.MaxPushChanges {
		var changes []api.Change
		for i := start; i < start+api.MaxPushChanges && i < n; i++ {
			ids[i] = entryID()
			changes = append(changes, put(ids[i], 0, ct))
		}
		resp := push(b, s, a.ID, changes...)
		for i, r := range resp.Results {
			revs[start+i] = r.Revision
		}
	}
	return a.ID, ids, revs
}

// BenchmarkPush measures a push of one changed entry into a 10,000-entry
// vault (the common case: one edit synced), and a push of 100 changes.
func BenchmarkPush(b *testing.B, s server.Store) {
	accountID, ids, revs := fillVault(b, s, benchVaultSize)
	ct := randomBytes(256)
	for _, size := range []int{1, 100} {
		b.Run(fmt.Sprintf("changes=%d", size), func(b *testing.B) {
			next := 0
			for b.Loop() {
				changes := make([]api.Change, size)
				idx := make([]int, size)
				for j := range changes {
					k := next % len(ids)
					next++
					idx[j] = k
					changes[j] = put(ids[k], revs[k], ct)
				}
				resp, err := s.Push(b.Context(), accountID, &api.PushRequest{IdempotencyKey: randomHex(16), Changes: changes}, t0)
				if err != nil {
					b.Fatal(err)
				}
				for j, r := range resp.Results {
					if !r.Accepted {
						b.Fatalf("change %s rejected", r.ID)
					}
					revs[idx[j]] = r.Revision
				}
			}
		})
	}
}

// BenchmarkPull measures a full download of a 10,000-entry vault in default
// pages, and one page of the latest changes.
func BenchmarkPull(b *testing.B, s server.Store) {
	accountID, _, _ := fillVault(b, s, benchVaultSize)
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			var since int64
			n := 0
			for {
				resp, err := s.Pull(b.Context(), accountID, since, api.DefaultPullPage)
				if err != nil {
					b.Fatal(err)
				}
				n += len(resp.Entries)
				if !resp.More {
					break
				}
				since = resp.Entries[len(resp.Entries)-1].Revision
			}
			if n != benchVaultSize {
				b.Fatalf("pulled %d entries, want %d", n, benchVaultSize)
			}
		}
	})
	b.Run("recent", func(b *testing.B) {
		for b.Loop() {
			resp, err := s.Pull(b.Context(), accountID, benchVaultSize-10, api.DefaultPullPage)
			if err != nil {
				b.Fatal(err)
			}
			if len(resp.Entries) != 10 {
				b.Fatalf("pulled %d entries, want 10", len(resp.Entries))
			}
		}
	})
}
