package bridge

import (
	"context"
	"strconv"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/vaultsync"
)

// Fetcher sends one request of the sync API for the signed-in account and
// returns the HTTP status and body. The service worker implements it with
// fetch (sync_js.go): it adds the device's access token, and refreshes it
// and retries once when the server answers 401, so the core never sees a
// token. A server that could not be reached is status 0 or an error.
type Fetcher interface {
	Fetch(ctx context.Context, method, path string, body []byte) (status int, answer []byte, err error)
}

// maxSyncAnswer bounds one answer: a full pull page of the largest entries
// with JSON's base64 overhead fits with room to spare.
const maxSyncAnswer = 256 << 20

// fetchTransport is the vaultsync.Transport of the extension: the sync API
// over a Fetcher. It only carries and decodes; the engine validates every
// answer.
type fetchTransport struct{ f Fetcher }

var _ vaultsync.Transport = fetchTransport{}

// do sends one request with the body in writes (nil: no body) and reads
// the answer with out (nil: the answer is not read).
func (t fetchTransport) do(ctx context.Context, method, path string, in func(w *jsonwire.Writer), out func(d *jsonwire.Decoder)) error {
	var body []byte
	if in != nil {
		w := jsonwire.NewWriter(nil)
		in(w)
		body = w.Bytes()
	}
	status, b, err := t.f.Fetch(ctx, method, path, body)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil || status == 0:
		return &api.Error{Code: api.CodeNetwork, Message: "the server could not be reached"}
	case len(b) > maxSyncAnswer:
		return api.NewError(api.CodeBadServerAnswer, "the server's answer is over "+strconv.Itoa(maxSyncAnswer)+" bytes")
	case status/100 != 2:
		var er api.ErrorResponse
		if err := jsonwire.Decode(b, false, er.ReadJSON); err != nil || er.Error.Code == "" {
			if status >= 500 {
				return api.NewError(api.CodeNetwork, "the server is unavailable (HTTP "+strconv.Itoa(status)+")")
			}
			return api.NewError(api.CodeBadServerAnswer, "the server answered HTTP "+strconv.Itoa(status)+" without an error body")
		}
		e := er.Error
		if !knownCode(e.Code) {
			return api.NewError(api.CodeBadServerAnswer, "the server answered HTTP "+strconv.Itoa(status)+" with an unknown error code")
		}
		return &e
	case out == nil:
		return nil
	}
	if err := jsonwire.Decode(b, false, out); err != nil {
		return api.NewError(api.CodeBadServerAnswer, "the server's answer is not valid JSON")
	}
	return nil
}

func knownCode(c api.Code) bool {
	for _, k := range api.Codes {
		if k == c {
			return true
		}
	}
	return false
}

// Header implements vaultsync.Transport.
func (t fetchTransport) Header(ctx context.Context) (*api.VaultHeader, error) {
	var h api.VaultHeader
	if err := t.do(ctx, "GET", "/api/v1/vault", nil, h.ReadJSON); err != nil {
		return nil, err
	}
	return &h, nil
}

// PutHeader implements vaultsync.Transport.
func (t fetchTransport) PutHeader(ctx context.Context, h api.VaultHeader) error {
	return t.do(ctx, "PUT", "/api/v1/vault", h.WriteJSON, nil)
}

// Pull implements vaultsync.Transport.
func (t fetchTransport) Pull(ctx context.Context, since int64, limit int) (*api.PullResponse, error) {
	// Two integers: nothing to escape.
	q := "limit=" + strconv.Itoa(limit) + "&since=" + strconv.FormatInt(since, 10)
	var out api.PullResponse
	if err := t.do(ctx, "GET", "/api/v1/vault/entries?"+q, nil, out.ReadJSON); err != nil {
		return nil, err
	}
	return &out, nil
}

// Push implements vaultsync.Transport.
func (t fetchTransport) Push(ctx context.Context, req *api.PushRequest) (*api.PushResponse, error) {
	var out api.PushResponse
	if err := t.do(ctx, "POST", "/api/v1/vault/entries", req.WriteJSON, out.ReadJSON); err != nil {
		return nil, err
	}
	return &out, nil
}

// Revision implements vaultsync.Transport.
func (t fetchTransport) Revision(ctx context.Context) (int64, error) {
	var out api.RevisionResponse
	if err := t.do(ctx, "GET", "/api/v1/vault/revision", nil, out.ReadJSON); err != nil {
		return 0, err
	}
	return out.Revision, nil
}
