//go:build !js

package vaultsync

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"watchword/wasm/api"
	"watchword/wasm/vaultsync/memserver"
)

// TestModelMatchesServer holds the in-memory protocol model (which the
// browser run of the property test syncs against) to the real server: the
// same random requests — pushes with right, stale and wrong base revisions,
// deletes, replayed idempotency keys, pulls at any revision and page size,
// headers — must get the same answers from both, field for field.
func TestModelMatchesServer(t *testing.T) {
	real := newRealServer(t)
	_, k := testVault(t)
	h, _ := testVault(t)
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		model := memserver.New().Transport()
		srv := real.newAccount(rt)
		ids := []string{fmt.Sprintf("%032x", 1), fmt.Sprintf("%032x", 2), fmt.Sprintf("%032x", 3)}
		ct, err := k.Seal(ids[0], []byte("x"))
		if err != nil {
			rt.Fatal(err)
		}
		var keys []string
		same := func(what string, a, b any, ea, eb error) {
			if api.CodeOf(ea) != api.CodeOf(eb) || (ea == nil) != (eb == nil) {
				rt.Fatalf("%s: model error %v, server error %v", what, ea, eb)
			}
			if ea != nil {
				return
			}
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				rt.Fatalf("%s:\nmodel  %s\nserver %s", what, ja, jb)
			}
		}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0, 1:
				req := &api.PushRequest{}
				if len(keys) > 0 && rapid.IntRange(0, 3).Draw(rt, "replay") == 0 {
					req.IdempotencyKey = rapid.SampledFrom(keys).Draw(rt, "key")
				} else {
					req.IdempotencyKey = fmt.Sprintf("k%d", len(keys))
					keys = append(keys, req.IdempotencyKey)
				}
				perm := rapid.Permutation(ids).Draw(rt, "ids")
				n := rapid.IntRange(0, len(ids)).Draw(rt, "changes")
				for _, id := range perm[:n] {
					c := api.Change{ID: id, BaseRevision: int64(rapid.IntRange(0, 8).Draw(rt, "base"))}
					if rapid.Bool().Draw(rt, "deleted") {
						c.Deleted = true
					} else {
						c.Ciphertext = ct[:rapid.IntRange(1, len(ct)).Draw(rt, "len")]
					}
					req.Changes = append(req.Changes, c)
				}
				a, ea := model.Push(ctx, req)
				b, eb := srv.Push(ctx, req)
				same("push", a, b, ea, eb)
			case 2:
				since := int64(rapid.IntRange(0, 10).Draw(rt, "since"))
				limit := rapid.IntRange(0, 4).Draw(rt, "limit")
				a, ea := model.Pull(ctx, since, limit)
				b, eb := srv.Pull(ctx, since, limit)
				same(fmt.Sprintf("pull since %d limit %d", since, limit), a, b, ea, eb)
			case 3:
				a, ea := model.Revision(ctx)
				b, eb := srv.Revision(ctx)
				same("revision", a, b, ea, eb)
			case 4:
				if rapid.Bool().Draw(rt, "put") {
					ea := model.PutHeader(ctx, h)
					eb := srv.PutHeader(ctx, h)
					same("put header", nil, nil, ea, eb)
				}
				a, ea := model.Header(ctx)
				b, eb := srv.Header(ctx)
				same("header", a, b, ea, eb)
			}
		}
	})
}
