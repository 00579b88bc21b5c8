package httpapi

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"watchword/server"
	"watchword/wasm/api"
)

const (
	maxWrappedKey = 1024 // a wrapped 32-byte key plus its envelope is far below this
	gzipThreshold = 1024 // smaller answers are not worth compressing
	maxHeaderBody = 8 << 10
)

func (s *Server) apiVaultHeader(w http.ResponseWriter, r *http.Request) {
	h, err := s.store.VaultHeader(r.Context(), authOf(r).account.ID)
	if errors.Is(err, server.ErrNotFound) {
		writeError(w, r, api.Errorf(api.CodeNotFound, "this account has no vault yet"))
		return
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func (s *Server) apiPutVaultHeader(w http.ResponseWriter, r *http.Request) {
	var h api.VaultHeader
	if err := decodeJSON(w, r, maxHeaderBody, &h); err != nil {
		writeError(w, r, err)
		return
	}
	if err := validHeader(&h); err != nil {
		writeError(w, r, err)
		return
	}
	acct := authOf(r).account.ID
	old, err := s.store.VaultHeader(r.Context(), acct)
	switch {
	case err == nil && old.VaultID != h.VaultID:
		// Entries are bound to the vault id; replacing it would strand them.
		writeError(w, r, api.Errorf(api.CodeConflict, "this account already holds vault %s", old.VaultID))
		return
	case err != nil && !errors.Is(err, server.ErrNotFound):
		writeError(w, r, err)
		return
	}
	if err := s.store.PutVaultHeader(r.Context(), acct, h); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h)
}

func validHeader(h *api.VaultHeader) error {
	if !api.ValidID(h.VaultID) {
		return api.Errorf(api.CodeInvalid, "vault_id must be %d lowercase hex characters", 2*api.IDSize)
	}
	if len(h.WrappedKey) == 0 || len(h.WrappedKey) > maxWrappedKey {
		return api.Errorf(api.CodeInvalid, "wrapped_key must be 1 to %d bytes", maxWrappedKey)
	}
	return h.KDF.Validate()
}

// apiPull answers GET /api/v1/vault/entries?since=R&limit=N.
func (s *Server) apiPull(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := queryInt(q.Get("since"), 0)
	if err != nil || since < 0 {
		writeError(w, r, api.Errorf(api.CodeBadRequest, "since must be a revision number (0 or more)"))
		return
	}
	limit, err := queryInt(q.Get("limit"), api.DefaultPullPage)
	switch {
	case err != nil || limit < 1:
		writeError(w, r, api.Errorf(api.CodeBadRequest, "limit must be a number from 1 to %d", api.MaxPullPage))
		return
	case limit > api.MaxPullPage:
		writeError(w, r, api.Errorf(api.CodeTooLarge, "limit must be a number from 1 to %d", api.MaxPullPage))
		return
	}
	resp, err := s.store.Pull(r.Context(), authOf(r).account.ID, since, int(limit))
	if err != nil {
		writeError(w, r, err)
		return
	}
	if resp.Entries == nil {
		resp.Entries = []api.Entry{}
	}
	writeJSONCompressed(w, r, http.StatusOK, resp)
}

// queryInt parses a decimal query value; an empty value is def. Signs,
// spaces and numbers past int64 are errors, not clamped.
func queryInt(v string, def int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	if len(v) > 19 || strings.TrimLeft(v, "0123456789") != "" {
		return 0, fmt.Errorf("not a number")
	}
	return strconv.ParseInt(v, 10, 64)
}

// writeJSONCompressed gzips large answers for clients that accept it: a full
// pull is mostly base64 ciphertext, and bytes on the wire are what slow
// devices on poor links wait for.
func writeJSONCompressed(w http.ResponseWriter, r *http.Request, status int, v any) {
	plain := getBuffer()
	defer putBuffer(plain)
	if err := json.NewEncoder(plain).Encode(v); err != nil {
		writeError(w, r, err)
		return
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	h.Add("Vary", "Accept-Encoding")
	out := plain
	if plain.Len() >= gzipThreshold && acceptsGzip(r) {
		// Compressed whole into a buffer, so the answer goes out in one
		// write with a Content-Length instead of in chunks. Writers are
		// pooled: each holds about a megabyte of compressor state, and
		// making one per pull was most of a pull's allocation.
		zbuf := getBuffer()
		defer putBuffer(zbuf)
		zw := gzipPool.Get().(*gzip.Writer)
		zw.Reset(zbuf)
		zw.Write(plain.Bytes())
		zw.Close()
		gzipPool.Put(zw)
		h["Content-Encoding"] = gzipEncoding
		out = zbuf
	}
	h["Content-Length"] = []string{strconv.Itoa(out.Len())}
	w.WriteHeader(status)
	w.Write(out.Bytes())
}

var (
	gzipEncoding = oneValue("gzip")
	gzipPool     = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level never fails
		return zw
	}}
)

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") {
				params = strings.ReplaceAll(params, " ", "")
				return params != "q=0" && params != "q=0.0"
			}
		}
	}
	return false
}

// apiPush answers POST /api/v1/vault/entries.
func (s *Server) apiPush(w http.ResponseWriter, r *http.Request) {
	var req api.PushRequest
	if err := decodeJSON(w, r, maxPushBody, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if err := req.Validate(); err != nil {
		writeError(w, r, err)
		return
	}
	resp, err := s.store.Push(r.Context(), authOf(r).account.ID, &req, s.now())
	if errors.Is(err, server.ErrNotFound) {
		// The account was deleted (through another instance, while its
		// session was still in this one's auth cache).
		writeError(w, r, errNoSession)
		return
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) apiRevision(w http.ResponseWriter, r *http.Request) {
	rev, err := s.store.Revision(r.Context(), authOf(r).account.ID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.RevisionResponse{Revision: rev})
}

// apiEvents streams server-sent events: "event: revision" with the account's
// revision at once and whenever it grows, a comment line as heartbeat, until
// the client leaves, the access token expires or the server shuts down.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	a := authOf(r)
	rc := http.NewResponseController(w)
	// The stream outlives the server's write timeout by design.
	rc.SetWriteDeadline(time.Time{})
	ctx := r.Context()
	until := a.session.AccessExpiresAt.Sub(s.now())
	if until <= 0 {
		writeError(w, r, errNoSession)
		return
	}
	deadline := time.NewTimer(until)
	defer deadline.Stop()

	ch, err := s.store.Watch(ctx, a.account.ID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	rev, err := s.store.Revision(ctx, a.account.ID)
	if err != nil {
		writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // let reverse proxies pass events at once
	w.WriteHeader(http.StatusOK)
	send := func(rev int64) error {
		if _, err := fmt.Fprintf(w, "event: revision\ndata: %d\n\n", rev); err != nil {
			return err
		}
		return rc.Flush()
	}
	// retry tells EventSource how long to wait before reconnecting.
	fmt.Fprint(w, "retry: 5000\n\n")
	if send(rev) != nil {
		return
	}
	last := rev
	beat := time.NewTicker(s.cfg.HeartbeatInterval)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			fmt.Fprint(w, "event: bye\ndata: shutdown\n\n")
			rc.Flush()
			return
		case <-deadline.C:
			fmt.Fprint(w, "event: bye\ndata: token-expired\n\n")
			rc.Flush()
			return
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case rev, ok := <-ch:
			if !ok {
				return
			}
			if rev > last {
				last = rev
				if send(rev) != nil {
					return
				}
			}
		}
	}
}
