package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"watchword/server"
	"watchword/server/mail"
	"watchword/server/passhash"
	"watchword/server/pow"
	"watchword/wasm/api"
)

// SMSSender delivers a text message to an E.164 number.
type SMSSender interface {
	Send(ctx context.Context, to, text string) error
}

// Limits are the throttling thresholds. Zero fields take the defaults.
type Limits struct {
	SignInFailuresPerDay   int           // password attempts per address per day before a cool-down (100)
	SignInPerIPPerHour     int           // password attempts per client address per hour (600)
	RegisterPerIPPerHour   int           // registrations per client address per hour (30)
	RegisterPerEmailPerDay int           // registrations naming one address per day (5)
	MailsPerEmailPerHour   int           // resend, reset and unlock mails per address per hour (5)
	CodeAttempts           int           // wrong codes per two-step challenge (5)
	ResendCooldown         time.Duration // between two code or activation mails (60s)
	UnactivatedLifetime    time.Duration // unconfirmed accounts are deleted after this (5 days)
	PurgeInterval          time.Duration // how often the purge runs (10 min)
}

func (l *Limits) fill() {
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	defd := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&l.SignInFailuresPerDay, 100)
	def(&l.SignInPerIPPerHour, 600)
	def(&l.RegisterPerIPPerHour, 30)
	def(&l.RegisterPerEmailPerDay, 5)
	def(&l.MailsPerEmailPerHour, 5)
	def(&l.CodeAttempts, 5)
	defd(&l.ResendCooldown, time.Minute)
	defd(&l.UnactivatedLifetime, 5*24*time.Hour)
	defd(&l.PurgeInterval, 10*time.Minute)
}

// Lifetimes of the secrets the server hands out.
const (
	accessTTL      = 15 * time.Minute
	refreshTTL     = 60 * 24 * time.Hour
	portalTTL      = 12 * time.Hour
	challengeTTL   = 10 * time.Minute // two-step codes live at most this long
	activationTTL  = 5 * 24 * time.Hour
	resetTTL       = time.Hour
	autoConnectTTL = 2 * time.Minute
	exchangeTTL    = 2 * time.Minute
	oidcStateTTL   = 10 * time.Minute
)

// Config is everything the handler needs. Store, PublicURL, Hasher, Mailer
// and PoW are required.
type Config struct {
	Store     server.Store
	PublicURL string // e.g. https://vault.example.org; the only source of links in mail
	Hasher    *passhash.Hasher
	Mailer    mail.Mailer // SMTP, or the outbox; links in mail come only from PublicURL
	SMS       SMSSender   // nil: codes by SMS are not offered
	PoW       *pow.Service
	Profiles  ProfileRules
	OIDC      []OIDCProvider
	Logger    *slog.Logger
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	Limits         Limits
	// Now is the clock; nil means time.Now. Tests inject one.
	Now func() time.Time
	// StatementVersion is the current marketing statement's version.
	StatementVersion string
	// HeartbeatInterval is the event stream's keep-alive period (25s).
	HeartbeatInterval time.Duration
	// AuthCacheTTL is how long the vault routes trust an access token
	// resolved earlier without asking the store again (0 means
	// DefaultAuthCacheTTL, negative turns the cache off). Sign-outs and
	// other revocations made through this instance take effect at once;
	// those made through another instance sharing the database take effect
	// here within this time.
	AuthCacheTTL time.Duration
}

// Server is the HTTP face of the sync server: the JSON API under /api/v1,
// the portal pages and /healthz. Create it with New, serve Handler, and call
// Close on shutdown (it ends event streams and waits for outgoing mail).
type Server struct {
	cfg    Config
	store  server.Store
	log    *slog.Logger
	public *url.URL
	https  bool
	now    func() time.Time
	lim    Limits
	mux    *http.ServeMux
	h      http.Handler
	auth   *authCache // nil when Config.AuthCacheTTL < 0

	closing   chan struct{}
	closeOnce sync.Once
	bg        sync.WaitGroup // outgoing mail and SMS
}

// New checks cfg and builds the handler.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Hasher == nil || cfg.Mailer == nil || cfg.PoW == nil || cfg.Profiles == nil {
		return nil, errors.New("httpapi: Store, Hasher, Mailer, PoW and Profiles are required")
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("httpapi: public URL %q must be an absolute http(s) URL without query", cfg.PublicURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.StatementVersion == "" {
		cfg.StatementVersion = "2026-01"
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = 25 * time.Second
	}
	if cfg.AuthCacheTTL == 0 {
		cfg.AuthCacheTTL = DefaultAuthCacheTTL
	}
	cfg.Limits.fill()
	s := &Server{
		cfg:     cfg,
		store:   cfg.Store,
		log:     cfg.Logger,
		public:  u,
		https:   u.Scheme == "https",
		now:     cfg.Now,
		lim:     cfg.Limits,
		mux:     http.NewServeMux(),
		closing: make(chan struct{}),
	}
	if cfg.AuthCacheTTL > 0 {
		s.auth = newAuthCache(cfg.AuthCacheTTL)
		s.store = revokingStore{Store: cfg.Store, cache: s.auth}
	}
	if err := s.initOIDC(); err != nil {
		return nil, err
	}
	s.routes()
	s.h = s.wrap(s.mux)
	return s, nil
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.h }

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Close ends open event streams and waits for mail and SMS in flight.
// Call it after http.Server.Shutdown has begun (or in its RegisterOnShutdown).
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.bg.Wait()
}

// link returns an absolute URL under the public URL. The request's Host
// header never takes part: a forged Host cannot redirect a token.
func (s *Server) link(path string, q url.Values) string {
	u := *s.public
	u.Path = s.public.Path + path
	u.RawQuery = q.Encode()
	return u.String()
}

// routes registers every endpoint. Keep this list in step with the routes
// table in doc.go.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.healthz)

	// Prelogin: policy, proof of work, registration, activation, reset.
	m.HandleFunc("GET /api/v1/policy/account", s.accountPolicy)
	m.HandleFunc("GET /api/v1/profile/options", s.profileOptions)
	m.HandleFunc("GET /api/v1/pow", s.powChallenge)
	m.HandleFunc("POST /api/v1/accounts", s.apiRegister)
	m.HandleFunc("POST /api/v1/accounts/resend", s.apiResend)
	m.HandleFunc("POST /api/v1/accounts/activate", s.apiActivate)
	m.HandleFunc("POST /api/v1/password-reset", s.apiResetRequest)
	m.HandleFunc("POST /api/v1/password-reset/confirm", s.apiResetConfirm)

	// Sign-in and sessions.
	m.HandleFunc("POST /api/v1/sessions", s.apiSignIn)
	m.HandleFunc("POST /api/v1/sessions/verify", s.apiVerify)
	m.HandleFunc("POST /api/v1/sessions/resend", s.apiResendCode)
	m.HandleFunc("POST /api/v1/sessions/unlock", s.apiUnlock)
	m.HandleFunc("POST /api/v1/sessions/refresh", s.apiRefresh)
	m.HandleFunc("POST /api/v1/sessions/exchange", s.apiExchange)
	m.HandleFunc("GET /api/v1/sessions", s.authed(s.apiDevices))
	m.HandleFunc("DELETE /api/v1/sessions", s.authed(s.apiSignOutAll))
	m.HandleFunc("DELETE /api/v1/sessions/current", s.authed(s.apiSignOut))
	m.HandleFunc("DELETE /api/v1/sessions/{id}", s.authed(s.apiSignOutDevice))

	// The signed-in account.
	m.HandleFunc("GET /api/v1/account", s.authed(s.apiAccount))
	m.HandleFunc("PUT /api/v1/account/profile", s.authed(s.apiProfile))
	m.HandleFunc("PUT /api/v1/account/two-step", s.authed(s.apiTwoStep))
	m.HandleFunc("POST /api/v1/account/totp", s.authed(s.apiTOTPEnrol))
	m.HandleFunc("POST /api/v1/account/totp/confirm", s.authed(s.apiTOTPConfirm))
	m.HandleFunc("POST /api/v1/account/totp/disable", s.authed(s.apiTOTPDisable))
	m.HandleFunc("POST /api/v1/account/delete", s.authed(s.apiDeleteAccount))
	m.HandleFunc("GET /api/v1/portal/auto-connect", s.apiAutoConnect)

	// The encrypted vault.
	m.HandleFunc("GET /api/v1/vault", s.vaultAuthed(s.apiVaultHeader))
	m.HandleFunc("PUT /api/v1/vault", s.vaultAuthed(s.apiPutVaultHeader))
	m.HandleFunc("GET /api/v1/vault/entries", s.vaultAuthed(s.apiPull))
	m.HandleFunc("POST /api/v1/vault/entries", s.vaultAuthed(s.apiPush))
	m.HandleFunc("GET /api/v1/vault/revision", s.vaultAuthed(s.apiRevision))
	m.HandleFunc("GET /api/v1/vault/events", s.vaultAuthed(s.apiEvents))

	// External identity providers.
	m.HandleFunc("GET /api/v1/oidc/providers", s.apiOIDCProviders)
	m.HandleFunc("GET /oidc/{provider}/start", s.oidcStart)
	m.HandleFunc("GET /oidc/callback", s.oidcCallback)

	// Anything else under /api/ is a JSON 404, not the portal's HTML one.
	m.HandleFunc("/api/", s.apiFallback)
	s.portalRoutes()
}

// apiFallback answers paths under /api/ that no route matched: 405 with
// Allow when the path exists for other methods, else a JSON 404.
func (s *Server) apiFallback(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, p := s.mux.Handler(probe); p != "/api/" && p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, api.ErrorResponse{
			Error: *api.Errorf(api.CodeBadRequest, "method %s is not allowed here", r.Method), RequestID: requestID(r)})
		return
	}
	writeError(w, r, api.Errorf(api.CodeNotFound, "no such endpoint"))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	// Any read proves the database answers; a missing counter is fine.
	if _, err := s.store.Count(ctx, "healthz", s.now()); err != nil {
		logger(r).Error("health check failed", slog.String("err", err.Error()))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// background runs f (outgoing mail, SMS) detached from the request, so the
// answer's timing does not say whether mail was sent. Close waits for it.
func (s *Server) background(name string, f func(ctx context.Context) error) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := f(ctx); err != nil {
			s.log.Error(name+" failed", slog.String("err", err.Error()))
		}
	}()
}
