package vaultsync

import (
	"math/rand"
	"testing"
	"time"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire/jsonwiretest"
)

func TestWireMatchesEncodingJSON(t *testing.T) {
	genMeta := func(r *rand.Rand) meta {
		m := meta{VaultID: jsonwiretest.Any[string](r), Cursor: r.Int63(), Seq: r.Uint64(),
			Paused: r.Intn(2) == 0, HeaderOK: r.Intn(2) == 0, SyncedAt: jsonwiretest.Time(r)}
		if r.Intn(2) == 0 {
			h := jsonwiretest.Any[api.VaultHeader](r)
			m.Header = &h
		}
		return m
	}
	jsonwiretest.Check(t, meta.WriteJSON, (*meta).ReadJSON, genMeta,
		meta{VaultID: "v", SyncedAt: time.Date(2026, 12, 3, 9, 0, 0, 5, time.UTC)})
	jsonwiretest.Check(t, record.WriteJSON, (*record).ReadJSON, nil, record{ID: "x", Base: []byte{}, Trash: []byte{1}})
	jsonwiretest.Check(t, problem.WriteJSON, (*problem).ReadJSON, nil)
	jsonwiretest.Check(t, outbox.WriteJSON, (*outbox).ReadJSON, nil, outbox{Seqs: []uint64{}})
	genStatus := func(r *rand.Rand) Status {
		return Status{State: State(jsonwiretest.Any[string](r)), SyncedAt: jsonwiretest.Time(r),
			Reason: jsonwiretest.Any[string](r), Code: api.Code(jsonwiretest.Any[string](r)),
			Pending: r.Int(), Damaged: r.Intn(3), Hidden: r.Intn(3)}
	}
	jsonwiretest.CheckWrite(t, Status.WriteJSON, genStatus, Status{State: StateAttention, Reason: "r", Code: "invalid", Pending: 2})
}

func TestWireStrictness(t *testing.T) {
	jsonwiretest.Strictness(t, (*meta).ReadJSON, `{"vault_id":"v","cursor":3,"header":{"vault_id":"v"}}`)
	jsonwiretest.Strictness(t, (*record).ReadJSON, `{"id":"a","rev":2,"local":"AQI=","pend":true}`)
	jsonwiretest.Strictness(t, (*outbox).ReadJSON, `{"req":{"idempotency_key":"k","changes":[]},"seqs":[1]}`)
}
