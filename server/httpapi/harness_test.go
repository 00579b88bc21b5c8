package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"watchword/server"
	"watchword/server/httpapi"
	"watchword/server/mail"
	"watchword/server/mail/smtpsink"
	"watchword/server/passhash"
	"watchword/server/pow"
	"watchword/server/sqlite"
	"watchword/wasm/api"
)

// clock is a settable clock shared by the server and its proof-of-work.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one real server on 127.0.0.1: the real handler, a real SQLite
// store in a temporary file (or PostgreSQL), a real SMTP sink.
type env struct {
	t      *testing.T
	url    string
	api    *httpapi.Server
	store  server.Store
	dbPath string
	sink   *smtpsink.Sink
	logs   *syncBuffer
	clock  *clock
	client *http.Client
}

type envOption func(*httpapi.Config)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	st, path := openTestStore(t)
	return newEnvOn(t, st, path, opts...)
}

// newEnvOn is newEnv on a given store (several servers can share one
// PostgreSQL database).
func newEnvOn(t *testing.T, st server.Store, dbPath string, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}, clock: &clock{}, store: st, dbPath: dbPath}
	sink, addr := smtpsink.Start(t, smtpsink.Options{})
	e.sink = sink
	mailer, err := mail.NewSMTP(mail.SMTPConfig{URL: "smtp://" + addr, From: "Watchword <no-reply@watchword.test>"})
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := passhash.New(passhash.Cheap)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := pow.New(pow.Config{Key: pow.GenerateKey(), Difficulty: 4, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	public := "http://" + ts.Listener.Addr().String()
	cfg := httpapi.Config{
		Store: e.store, PublicURL: public, Hasher: hasher, Mailer: mailer, PoW: pw,
		Profiles: server.RegionRules{}, Now: e.clock.Now,
		Logger:            slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Limits:            httpapi.Limits{RegisterPerIPPerHour: 1000, ResendCooldown: time.Second},
		HeartbeatInterval: 200 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.api = h
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(func() {
		h.Close()
		ts.CloseClientConnections()
		ts.Close()
	})
	e.url = ts.URL
	e.client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return e
}

// openTestStore opens the store the suite runs on: a fresh SQLite file, or
// a fresh schema of the test PostgreSQL database on the PostgreSQL pass
// (see TestMain). The path is the SQLite file, empty for PostgreSQL.
func openTestStore(t *testing.T) (server.Store, string) {
	t.Helper()
	if testPostgres != "" {
		return openPostgres(t, freshSchema(t)), ""
	}
	path := filepath.Join(t.TempDir(), "watchword.db")
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// resp is one answer, body read.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) errCode() api.Code {
	var e api.ErrorResponse
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

// do sends a request. body is marshalled to JSON unless it is a string or
// []byte (sent as is with content type application/json).
func (e *env) do(method, path, token string, body any) resp {
	e.t.Helper()
	return e.doCT(method, path, token, "application/json", body)
}

func (e *env) doCT(method, path, token, ctype string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil && ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// must decodes a 2xx answer into v (if not nil) and fails otherwise.
func (e *env) must(r resp, want int, v any) {
	e.t.Helper()
	if r.status != want {
		e.t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			e.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// solvedPoW fetches and solves a challenge.
func (e *env) solvedPoW() api.PoWSolution {
	e.t.Helper()
	var c api.PoWChallenge
	e.must(e.do("GET", "/api/v1/pow", "", nil), 200, &c)
	n, err := pow.Solve(context.Background(), c.Challenge)
	if err != nil {
		e.t.Fatal(err)
	}
	return api.PoWSolution{Challenge: c.Challenge, Nonce: n}
}

func (e *env) registerReq(email, password string) api.RegisterRequest {
	return api.RegisterRequest{Email: email, Password: password, MarketingConsent: true,
		Statement: api.StatementDecision{Decision: api.StatementAccepted, Version: "2026-01"}, PoW: e.solvedPoW()}
}

// mailTo waits for a message to addr whose subject contains subj.
func (e *env) mailTo(addr, subj string) smtpsink.Message {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := e.sink.WaitFor(ctx, addr, func(m smtpsink.Message) bool { return strings.Contains(m.Subject, subj) })
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// linkToken returns the token query parameter of the message's link to path.
func (e *env) linkToken(m smtpsink.Message, path string) string {
	e.t.Helper()
	for _, l := range m.Links() {
		u, err := url.Parse(l)
		if err == nil && u.Path == path && u.Query().Get("token") != "" {
			if got := u.Scheme + "://" + u.Host; got != e.url {
				e.t.Fatalf("link %s is not under the public URL %s", l, e.url)
			}
			return u.Query().Get("token")
		}
	}
	e.t.Fatalf("no %s link in %q", path, m.Text)
	return ""
}

// activeAccount registers, activates and signs in; it returns tokens.
func (e *env) activeAccount(email, password string) *api.Tokens {
	e.t.Helper()
	e.must(e.do("POST", "/api/v1/accounts", "", e.registerReq(email, password)), 202, nil)
	tok := e.linkToken(e.mailTo(email, "Confirm"), "/activate")
	e.must(e.do("POST", "/api/v1/accounts/activate", "", api.TokenRequest{Token: tok}), 200, nil)
	return e.signIn(email, password)
}

func (e *env) signIn(email, password string) *api.Tokens {
	e.t.Helper()
	var out api.SignInResponse
	e.must(e.do("POST", "/api/v1/sessions", "", api.SignInRequest{Email: email, Password: password, DeviceName: "test"}), 200, &out)
	if out.Tokens == nil {
		e.t.Fatalf("sign-in gave no tokens: %+v", out)
	}
	return out.Tokens
}
