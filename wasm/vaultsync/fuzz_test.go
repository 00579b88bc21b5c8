package vaultsync

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/vault"
)

// FuzzServerAnswers feeds arbitrary pull and push answers to a device with
// a synced vault and a pending edit. Whatever the answer, the engine must
// not panic, and an answer it rejects must leave local storage as it was
// (the outbox written before sending aside).
func FuzzServerAnswers(f *testing.F) {
	f.Add([]byte(`{"revision":3,"entries":[],"more":false}`), []byte(`{"revision":4,"results":[{"id":"x","accepted":true,"rev":4}]}`))
	f.Add([]byte(`{"revision":9,"entries":[{"id":"00112233445566778899aabbccddeeff","rev":9,"deleted":true}]}`), []byte(`{"revision":1}`))
	f.Add([]byte(`{"revision":-1,"entries":null,"more":true}`), []byte(`{"revision":5,"results":[{"id":"00112233445566778899aabbccddeeff","current":{"id":"00112233445566778899aabbccddeeff","rev":5,"ct":"AQID"}}]}`))
	f.Add([]byte(`not json`), []byte(`[]`))

	f.Fuzz(func(t *testing.T, pullJSON, pushJSON []byte) {
		a, _, _, _ := pair(t)
		id := seedAndSync(t, a)
		a.edit(id, t0.Add(time.Hour), map[vault.Tag]string{vault.TagNotes: "pending"})
		var pull *api.PullResponse
		var push *api.PushResponse
		if json.Unmarshal(pullJSON, &pull) != nil || json.Unmarshal(pushJSON, &push) != nil {
			return
		}
		before := snapshot(a.st)
		pullBad := validatePull(a.eng.Revision(), api.DefaultPullPage, pull) != nil
		a.cfg.Transport = &hostile{Transport: a.net,
			pull: func(int64, int) (*api.PullResponse, error) { return pull, nil },
			push: func(req *api.PushRequest) (*api.PushResponse, error) { return push, nil },
		}
		a.crash()
		err := a.eng.Sync(context.Background())
		if api.CodeOf(err) != api.CodeBadServerAnswer {
			return // accepted, or stopped for another reason
		}
		after := snapshot(a.st)
		delete(after, "ww/"+a.cfg.Account+"/"+keyOutbox)
		delete(before, "ww/"+a.cfg.Account+"/"+keyOutbox)
		// A rejected push answer follows an accepted pull, which may have
		// moved the cursor and applied entries: compare the entry the
		// device is editing, which must be untouched.
		if got := a.entry(id).String(vault.TagNotes); got != "pending" || a.eng.Pending() != 1 {
			t.Fatalf("a rejected answer lost the pending edit (notes %q, pending %d)", got, a.eng.Pending())
		}
		if pullBad && !mapsEqual(before, after) {
			t.Fatal("a rejected pull changed local storage")
		}
	})
}
