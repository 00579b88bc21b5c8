// Package memserver is an in-memory implementation of the server side of
// the sync protocol (DESIGN "Sync protocol"), with the same rules as the
// real server's store: one revision counter per account, every accepted
// change takes the next revision, compare-and-swap per entry, the first
// answer to an idempotency key stored and replayed, pulls paged by revision.
//
// It exists so that the engine's tests can run where no HTTP server can
// (GOOS=js GOARCH=wasm in a browser). It is not a stand-in for the real
// server in the main proof: the native tests run the engine against the real
// server, and a differential test drives this model and the real server with
// the same requests and requires the same answers.
//
// Call New, then Transport for a vaultsync.Transport.
package memserver

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"watchword/wasm/api"
)

// Server is one account's vault on an in-memory server. It is safe for
// concurrent use.
type Server struct {
	mu      sync.Mutex
	header  *api.VaultHeader
	rev     int64
	entries map[string]api.Entry
	answers map[string][]byte // idempotency key -> encoded first answer
}

// New returns an empty account.
func New() *Server {
	return &Server{entries: make(map[string]api.Entry), answers: make(map[string][]byte)}
}

// Transport returns a Transport talking to s.
func (s *Server) Transport() *Transport { return &Transport{s: s} }

// Transport is a vaultsync.Transport on a Server. Values are copied in and
// out, as over a network.
type Transport struct{ s *Server }

func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain wire types always encode
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// Header implements vaultsync.Transport.
func (t *Transport) Header(ctx context.Context) (*api.VaultHeader, error) {
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.header == nil {
		return nil, api.Errorf(api.CodeNotFound, "this account has no vault yet")
	}
	h := clone(*s.header)
	return &h, nil
}

// PutHeader implements vaultsync.Transport.
func (t *Transport) PutHeader(ctx context.Context, h api.VaultHeader) error {
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !api.ValidID(h.VaultID) || len(h.WrappedKey) == 0 {
		return api.Errorf(api.CodeInvalid, "malformed vault header")
	}
	if err := h.KDF.Validate(); err != nil {
		return err
	}
	if s.header != nil && s.header.VaultID != h.VaultID {
		return api.Errorf(api.CodeConflict, "this account already holds vault %s", s.header.VaultID)
	}
	h = clone(h)
	s.header = &h
	return nil
}

// Pull implements vaultsync.Transport.
func (t *Transport) Pull(ctx context.Context, since int64, limit int) (*api.PullResponse, error) {
	if since < 0 || limit < 1 {
		return nil, api.Errorf(api.CodeBadRequest, "bad since or limit")
	}
	if limit > api.MaxPullPage {
		return nil, api.Errorf(api.CodeTooLarge, "limit must be a number from 1 to %d", api.MaxPullPage)
	}
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var es []api.Entry
	for _, e := range s.entries {
		if e.Revision > since {
			es = append(es, e)
		}
	}
	slices.SortFunc(es, func(a, b api.Entry) int { return int(a.Revision - b.Revision) })
	out := &api.PullResponse{Revision: s.rev, Entries: []api.Entry{}}
	if len(es) > limit {
		es, out.More = es[:limit], true
	}
	out.Entries = append(out.Entries, es...)
	return clone(out), nil
}

// Push implements vaultsync.Transport.
func (t *Transport) Push(ctx context.Context, req *api.PushRequest) (*api.PushResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.answers[req.IdempotencyKey]; ok {
		var resp api.PushResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			return nil, err
		}
		return &resp, nil
	}
	resp := &api.PushResponse{Results: make([]api.ChangeResult, 0, len(req.Changes))}
	for _, c := range req.Changes {
		cur, ok := s.entries[c.ID]
		if cur.Revision != c.BaseRevision {
			var current *api.Entry
			if ok {
				cc := clone(cur)
				current = &cc
			}
			resp.Results = append(resp.Results, api.ChangeResult{ID: c.ID, Current: current})
			continue
		}
		s.rev++
		e := api.Entry{ID: c.ID, Revision: s.rev, Deleted: c.Deleted}
		if !c.Deleted {
			e.Ciphertext = slices.Clone(c.Ciphertext)
		}
		s.entries[c.ID] = e
		resp.Results = append(resp.Results, api.ChangeResult{ID: c.ID, Accepted: true, Revision: s.rev})
	}
	resp.Revision = s.rev
	b, _ := json.Marshal(resp)
	s.answers[req.IdempotencyKey] = b
	return clone(resp), nil
}

// Revision implements vaultsync.Transport.
func (t *Transport) Revision(ctx context.Context) (int64, error) {
	s := t.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev, nil
}
