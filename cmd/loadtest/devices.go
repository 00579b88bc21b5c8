package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"watchword/server/mail/smtpsink"
	"watchword/server/pow"
	"watchword/wasm/api"
)

// account is one vault shared by several devices.
type account struct {
	email, password string
	ids             []string // the entries seeded before the load phase
}

// device is one simulated client: its own session, its own client address,
// its own view of the vault.
type device struct {
	n       int
	acct    *account
	base    string // the instance it talks to
	ip      string // its X-Forwarded-For address
	client  *http.Client
	token   string
	rev     int64            // the revision pulled up to
	known   map[string]int64 // entry id → revision last seen
	rng     *mrand.Rand
	pushSeq int
	// Reused from request to request: the load generator shares the CPU
	// with the servers it measures, so it allocates as little as it can.
	body, answer bytes.Buffer
	path         []byte
}

// call sends one JSON request and decodes a 2xx answer into out. Any other
// status is an error carrying it. Like a browser, it accepts gzip: the
// server compresses large pulls, and decompressing them here is part of a
// real client's cost; the reader is pooled rather than made per answer.
func (d *device) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		d.body.Reset()
		if err := json.NewEncoder(&d.body).Encode(in); err != nil {
			return err
		}
		body = bytes.NewReader(d.body.Bytes())
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return err
	}
	req.Header = http.Header{
		"Accept-Encoding": acceptGzip,
		"X-Forwarded-For": {d.ip},
	}
	if in != nil {
		req.Header["Content-Type"] = jsonType
	}
	if d.token != "" {
		req.Header["Authorization"] = []string{"Bearer " + d.token}
	}
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	d.answer.Reset()
	var rd io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		if zr == nil {
			zr, err = gzip.NewReader(res.Body)
		} else {
			err = zr.Reset(res.Body)
		}
		if err != nil {
			return fmt.Errorf("gzip answer: %w", err)
		}
		defer gzipReaders.Put(zr)
		rd = zr
	}
	if _, err := d.answer.ReadFrom(io.LimitReader(rd, 64<<20)); err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return &statusError{res.StatusCode, strings.TrimSpace(d.answer.String())}
	}
	if out != nil {
		return json.Unmarshal(d.answer.Bytes(), out)
	}
	return nil
}

var (
	acceptGzip  = []string{"gzip"}
	jsonType    = []string{"application/json"}
	gzipReaders sync.Pool
)

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string {
	if len(e.body) > 200 {
		return fmt.Sprintf("status %d: %s…", e.status, e.body[:200])
	}
	return fmt.Sprintf("status %d: %s", e.status, e.body)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// noise is random bytes that ciphertext slices: the server stores
// ciphertext opaquely, so what matters is its size and that it does not
// compress, not that each is fresh.
var noise = func() []byte {
	b := make([]byte, 64<<10)
	rand.Read(b)
	return b
}()

func ciphertext(rng *mrand.Rand) []byte {
	n := 200 + rng.IntN(400) // a typical sealed login entry
	off := rng.IntN(len(noise) - n)
	return noise[off : off+n : off+n]
}

// setup creates the accounts through the API (proof of work, activation
// link from the mail, header, seeded entries) and signs every device in.
func setup(ctx context.Context, cfg *config, cl *cluster, clients []*http.Client) ([]*device, error) {
	nAccounts := (cfg.devices + cfg.perAccount - 1) / cfg.perAccount
	accounts := make([]*account, nAccounts)
	devices := make([]*device, cfg.devices)
	for i := range devices {
		a := i / cfg.perAccount
		if accounts[a] == nil {
			accounts[a] = &account{email: fmt.Sprintf("device-owner-%d@loadtest.invalid", a), password: "Load7Test-" + randomHex(8)}
		}
		devices[i] = &device{
			n: i, acct: accounts[a], base: cl.urls[i%len(cl.urls)],
			ip:     fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
			client: clients[i%len(clients)], known: map[string]int64{},
			rng: mrand.New(mrand.NewPCG(uint64(cfg.seed), uint64(i))),
		}
	}

	// Argon2id dominates the set-up: keep a few in flight per core.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for a := range accounts {
		first := devices[a*cfg.perAccount]
		g.Go(func() error { return createAccount(gctx, cl.sink, first, cfg.entries) })
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("create accounts: %w", err)
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, d := range devices {
		g.Go(func() error { return signIn(gctx, d) })
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("sign devices in: %w", err)
	}
	return devices, nil
}

func createAccount(ctx context.Context, sink *smtpsink.Sink, d *device, entries int) error {
	a := d.acct
	var ch api.PoWChallenge
	if err := d.call(ctx, "GET", "/api/v1/pow", nil, &ch); err != nil {
		return fmt.Errorf("proof-of-work challenge: %w", err)
	}
	nonce, err := pow.Solve(ctx, ch.Challenge)
	if err != nil {
		return err
	}
	reg := api.RegisterRequest{Email: a.email, Password: a.password,
		Statement: api.StatementDecision{Decision: api.StatementSkipped, Version: "2026-01"},
		PoW:       api.PoWSolution{Challenge: ch.Challenge, Nonce: nonce}}
	if err := d.call(ctx, "POST", "/api/v1/accounts", reg, nil); err != nil {
		return fmt.Errorf("register %s: %w", a.email, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	m, err := sink.WaitFor(wctx, a.email, func(m smtpsink.Message) bool { return strings.Contains(m.Subject, "Confirm") })
	if err != nil {
		return err
	}
	token := ""
	for _, l := range m.Links() {
		if u, err := url.Parse(l); err == nil && u.Path == "/activate" {
			token = u.Query().Get("token")
		}
	}
	if token == "" {
		return fmt.Errorf("no activation link in the mail to %s", a.email)
	}
	if err := d.call(ctx, "POST", "/api/v1/accounts/activate", api.TokenRequest{Token: token}, nil); err != nil {
		return fmt.Errorf("activate %s: %w", a.email, err)
	}
	if err := signIn(ctx, d); err != nil {
		return err
	}
	hdr := api.VaultHeader{VaultID: randomHex(api.IDSize), WrappedKey: make([]byte, 72), KDF: api.KDFParams{
		Algorithm: api.KDFArgon2id, Salt: make([]byte, api.KDFSaltSize), MemoryKiB: api.DefaultKDFMemoryKiB,
		Time: api.DefaultKDFTime, Threads: api.DefaultKDFThreads}}
	rand.Read(hdr.WrappedKey)
	rand.Read(hdr.KDF.Salt)
	if err := d.call(ctx, "PUT", "/api/v1/vault", hdr, nil); err != nil {
		return fmt.Errorf("vault header: %w", err)
	}
	push := api.PushRequest{IdempotencyKey: randomHex(16)}
	for i := 0; i < entries; i++ {
		id := randomHex(api.IDSize)
		a.ids = append(a.ids, id)
		push.Changes = append(push.Changes, api.Change{ID: id, Ciphertext: ciphertext(d.rng)})
	}
	var pr api.PushResponse
	if err := d.call(ctx, "POST", "/api/v1/vault/entries", push, &pr); err != nil {
		return fmt.Errorf("seed entries: %w", err)
	}
	return nil
}

func signIn(ctx context.Context, d *device) error {
	if d.token != "" {
		return nil
	}
	var out api.SignInResponse
	req := api.SignInRequest{Email: d.acct.email, Password: d.acct.password, DeviceName: fmt.Sprintf("simulated device %d", d.n)}
	if err := d.call(ctx, "POST", "/api/v1/sessions", req, &out); err != nil {
		return fmt.Errorf("sign in device %d: %w", d.n, err)
	}
	if out.Tokens == nil {
		return fmt.Errorf("sign in device %d: no tokens", d.n)
	}
	d.token = out.Tokens.AccessToken
	return nil
}

// Operations of the load phase.
const (
	opPull = iota
	opPush
	opProbe
	nOps
)

var opNames = [nOps]string{"pull", "push", "revision"}

// sample is one request of the load phase.
type sample struct {
	op      int
	latency time.Duration
	err     error
}

// pick chooses the next operation: mostly pulls and revision probes, as
// devices check far more often than they write.
func (d *device) pick() int {
	switch x := d.rng.IntN(100); {
	case x < 55:
		return opPull
	case x < 80:
		return opProbe
	default:
		return opPush
	}
}

func (d *device) do(ctx context.Context, op int) error {
	switch op {
	case opPull:
		// Only ids and revisions: a device would decrypt the ciphertext,
		// which is not the server's cost and not measured here.
		var p pullIndex
		d.path = append(d.path[:0], "/api/v1/vault/entries?since="...)
		d.path = strconv.AppendInt(d.path, d.rev, 10)
		d.path = append(d.path, "&limit="...)
		d.path = strconv.AppendInt(d.path, api.DefaultPullPage, 10)
		if err := d.call(ctx, "GET", string(d.path), nil, &p); err != nil {
			return err
		}
		for _, e := range p.Entries {
			d.known[e.ID] = e.Revision
		}
		if p.More && len(p.Entries) > 0 {
			d.rev = p.Entries[len(p.Entries)-1].Revision
		} else {
			d.rev = p.Revision
		}
	case opProbe:
		var r api.RevisionResponse
		return d.call(ctx, "GET", "/api/v1/vault/revision", nil, &r)
	case opPush:
		// One to three edits of existing entries, against the revision this
		// device last saw: devices of one account race, and a lost
		// compare-and-swap comes back as the current copy, not an error.
		d.pushSeq++
		req := api.PushRequest{IdempotencyKey: fmt.Sprintf("d%d-%d-%s", d.n, d.pushSeq, randomHex(4))}
		n := 1 + d.rng.IntN(3)
		seen := map[string]bool{}
		for len(req.Changes) < n {
			id := d.acct.ids[d.rng.IntN(len(d.acct.ids))]
			if seen[id] {
				continue
			}
			seen[id] = true
			req.Changes = append(req.Changes, api.Change{ID: id, BaseRevision: d.known[id], Ciphertext: ciphertext(d.rng)})
		}
		var pr api.PushResponse
		if err := d.call(ctx, "POST", "/api/v1/vault/entries", req, &pr); err != nil {
			return err
		}
		if len(pr.Results) != len(req.Changes) {
			return fmt.Errorf("push answered %d results for %d changes", len(pr.Results), len(req.Changes))
		}
		for _, r := range pr.Results {
			switch {
			case r.Accepted:
				d.known[r.ID] = r.Revision
			case r.Current != nil:
				d.known[r.ID] = r.Current.Revision
			default:
				return fmt.Errorf("push of %s refused without the current copy", r.ID)
			}
		}
	}
	return nil
}

// pullIndex is the part of api.PullResponse a simulated device keeps.
type pullIndex struct {
	Entries []struct {
		ID       string `json:"id"`
		Revision int64  `json:"rev"`
	} `json:"entries"`
	Revision int64 `json:"revision"`
	More     bool  `json:"more"`
}

// load runs every device at once until each has sent cfg.requests requests
// or the deadline passes, and returns the samples.
func load(ctx context.Context, cfg *config, devices []*device) ([]sample, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	start := time.Now()
	for _, d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]sample, 0, cfg.requests)
			// Devices start spread over one think time, as real ones do.
			if !sleep(ctx, time.Duration(d.rng.Int64N(int64(cfg.think)+1))) {
				return
			}
			for i := 0; i < cfg.requests; i++ {
				op := d.pick()
				t0 := time.Now()
				err := d.do(ctx, op)
				if ctx.Err() != nil {
					break // the deadline, not the server, ended this request
				}
				out = append(out, sample{op: op, latency: time.Since(t0), err: err})
				if !sleep(ctx, time.Duration(d.rng.ExpFloat64()*float64(cfg.think))) {
					break
				}
			}
			mu.Lock()
			all = append(all, out...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, time.Since(start)
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
