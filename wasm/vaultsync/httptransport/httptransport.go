// Package httptransport implements vaultsync.Transport with net/http, for
// native tools and tests (the extension uses the bridge's fetch transport
// instead, so that core.wasm does not link net/http).
//
// Call New with the server's base URL and the device's access token.
// Answers are read with a size limit; gzip-compressed answers (the server
// compresses pages of entries) are decompressed by net/http.
package httptransport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"

	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"watchword/wasm/api"
)

// maxAnswer bounds what one answer may hold: a full pull page of the
// largest entries is far beyond any real vault, so pages that large are
// refused rather than read into memory.
const maxAnswer = 256 << 20

// Transport talks to one account on a sync server. It is safe for
// concurrent use.
type Transport struct {
	base   string
	token  string
	client *http.Client
}

// New returns a Transport for the server at baseURL (for example
// "https://vault.example.org") signed in with accessToken, which must be
// kept secret. client nil means http.DefaultClient.
func New(baseURL, accessToken string, client *http.Client) (*Transport, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("httptransport: base URL %q must be an absolute http(s) URL", baseURL)
	}
	if client == nil {
		client = http.DefaultClient
	}
	return &Transport{base: strings.TrimSuffix(baseURL, "/"), token: accessToken, client: client}, nil
}

func (t *Transport) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+t.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := t.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &api.Error{Code: api.CodeNetwork, Message: "the server could not be reached"}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return &api.Error{Code: api.CodeNetwork, Message: "the server's answer was cut off"}
	}
	if len(b) > maxAnswer {
		return api.Errorf(api.CodeBadServerAnswer, "the server's answer is over %d bytes", maxAnswer)
	}
	if resp.StatusCode/100 != 2 {
		var er api.ErrorResponse
		if err := json.Unmarshal(b, &er); err != nil || er.Error.Code == "" {
			if resp.StatusCode >= 500 {
				return api.Errorf(api.CodeNetwork, "the server is unavailable (HTTP %d)", resp.StatusCode)
			}
			return api.Errorf(api.CodeBadServerAnswer, "the server answered HTTP %d without an error body", resp.StatusCode)
		}
		e := er.Error
		return &e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return api.Errorf(api.CodeBadServerAnswer, "the server's answer is not valid JSON: %v", err)
	}
	return nil
}

// Header implements vaultsync.Transport.
func (t *Transport) Header(ctx context.Context) (*api.VaultHeader, error) {
	var h api.VaultHeader
	if err := t.do(ctx, http.MethodGet, "/api/v1/vault", nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// PutHeader implements vaultsync.Transport.
func (t *Transport) PutHeader(ctx context.Context, h api.VaultHeader) error {
	return t.do(ctx, http.MethodPut, "/api/v1/vault", h, nil)
}

// Pull implements vaultsync.Transport.
func (t *Transport) Pull(ctx context.Context, since int64, limit int) (*api.PullResponse, error) {
	var out api.PullResponse
	q := "?since=" + strconv.FormatInt(since, 10) + "&limit=" + strconv.Itoa(limit)
	if err := t.do(ctx, http.MethodGet, "/api/v1/vault/entries"+q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Push implements vaultsync.Transport.
func (t *Transport) Push(ctx context.Context, req *api.PushRequest) (*api.PushResponse, error) {
	var out api.PushResponse
	if err := t.do(ctx, http.MethodPost, "/api/v1/vault/entries", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Revision implements vaultsync.Transport.
func (t *Transport) Revision(ctx context.Context) (int64, error) {
	var out api.RevisionResponse
	if err := t.do(ctx, http.MethodGet, "/api/v1/vault/revision", nil, &out); err != nil {
		return 0, err
	}
	return out.Revision, nil
}

// WithClient returns a copy of t that sends its requests with client.
func (t *Transport) WithClient(client *http.Client) *Transport {
	c := *t
	c.client = client
	return &c
}

// Watch reads the account's change stream (GET /api/v1/vault/events, server-
// sent events) and calls onRevision with each revision the server
// announces, the current one first. It returns when ctx ends (nil), or when
// the stream ends or fails (an error; the caller reconnects after a pause).
// Pass the revisions to vaultsync's Engine.Notify.
func (t *Transport) Watch(ctx context.Context, onRevision func(rev int64)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/api/v1/vault/events", nil)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+t.token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := t.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return &api.Error{Code: api.CodeNetwork, Message: "the server could not be reached"}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return api.Errorf(api.CodeNetwork, "the change stream answered HTTP %d", resp.StatusCode)
	}
	// Lines are short ("event: revision", "data: 123"); a longer one is not
	// part of this protocol and ends the stream.
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 1<<40))
	sc.Buffer(make([]byte, 256), 256)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			event = ""
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			if event == "bye" {
				return api.Errorf(api.CodeNetwork, "the server closed the change stream")
			}
		case strings.HasPrefix(line, "data:") && event == "revision":
			rev, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "data:")), 10, 64)
			if err != nil || rev < 0 {
				return api.Errorf(api.CodeBadServerAnswer, "the change stream sent a malformed revision")
			}
			onRevision(rev)
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	return api.Errorf(api.CodeNetwork, "the change stream ended")
}
