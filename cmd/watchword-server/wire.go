package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"watchword/server"
	"watchword/server/httpapi"
	"watchword/server/oidc"
	"watchword/server/postgres"
	"watchword/server/sms"
	"watchword/server/sqlite"
)

// extras are the optional parts: SMS codes, identity providers, profile
// rules.
type extras struct {
	sms      httpapi.SMSSender
	oidc     []httpapi.OIDCProvider
	profiles httpapi.ProfileRules
}

func optional(ctx context.Context, c *config, log *slog.Logger) (*extras, error) {
	x := &extras{profiles: server.RegionRules{}}
	if c.smsWebhook != "" {
		var key []byte
		if c.smsKey != "" {
			k, err := hex.DecodeString(c.smsKey)
			if err != nil {
				return nil, errors.New("-sms-webhook-key: not hex")
			}
			key = k
		}
		w, err := sms.NewWebhook(sms.WebhookConfig{URL: c.smsWebhook, BearerToken: c.smsToken, HMACKey: key})
		if err != nil {
			return nil, fmt.Errorf("-sms-webhook: %w", err)
		}
		x.sms = w
		log.Info("SMS codes through the webhook", slog.String("url", redactURL(c.smsWebhook)))
	}
	specs, err := oidcSpecs(c)
	if err != nil {
		return nil, err
	}
	for _, sp := range specs {
		p, err := oidc.New(ctx, oidc.Config{Name: sp.ID, Issuer: sp.Issuer, ClientID: sp.ClientID,
			ClientSecret: sp.ClientSecret, RedirectURL: strings.TrimSuffix(c.publicURL, "/") + "/oidc/callback", Scopes: sp.Scopes})
		if err != nil {
			return nil, fmt.Errorf("identity provider %s: %w", sp.ID, err)
		}
		x.oidc = append(x.oidc, &oidcProvider{p: p, name: sp.Name})
		log.Info("identity provider", slog.String("id", sp.ID), slog.String("issuer", sp.Issuer))
	}
	return x, nil
}

// oidcSpec is one configured identity provider (-oidc or -oidc-file).
type oidcSpec struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Issuer       string   `json:"issuer"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Scopes       []string `json:"scopes,omitempty"`
}

// oidcSpecs reads -oidc ("id|Name|issuer|client_id|client_secret", several
// separated by ";") and -oidc-file (a JSON list of oidcSpec).
func oidcSpecs(c *config) ([]oidcSpec, error) {
	var out []oidcSpec
	for _, item := range strings.Split(c.oidc, ";") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		f := strings.Split(item, "|")
		if len(f) != 5 {
			return nil, fmt.Errorf("-oidc: %q: want id|Name|issuer|client_id|client_secret", strings.SplitN(item, "|", 2)[0])
		}
		out = append(out, oidcSpec{ID: f[0], Name: f[1], Issuer: f[2], ClientID: f[3], ClientSecret: f[4]})
	}
	if c.oidcFile != "" {
		b, err := os.ReadFile(c.oidcFile)
		if err != nil {
			return nil, fmt.Errorf("-oidc-file: %w", err)
		}
		var list []oidcSpec
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&list); err != nil {
			return nil, fmt.Errorf("-oidc-file %s: %w", c.oidcFile, err)
		}
		out = append(out, list...)
	}
	for _, sp := range out {
		if sp.ID == "" || sp.Name == "" || sp.Issuer == "" || sp.ClientID == "" {
			return nil, fmt.Errorf("identity provider %q: id, name, issuer and client_id are required", sp.ID)
		}
	}
	return out, nil
}

// oidcProvider adapts an oidc.Provider to httpapi.OIDCProvider.
type oidcProvider struct {
	p    *oidc.Provider
	name string
}

func (o *oidcProvider) ID() string   { return o.p.Name() }
func (o *oidcProvider) Name() string { return o.name }

// AuthCodeURL sends the browser to the provider with the S256 challenge of
// verifier; the callback is the one the provider was configured with (the
// public URL's /oidc/callback).
func (o *oidcProvider) AuthCodeURL(state, nonce, verifier string) string {
	return o.p.AuthURL(state, nonce, verifier)
}

// Exchange redeems the code with the verifier given to AuthCodeURL.
func (o *oidcProvider) Exchange(ctx context.Context, code, verifier, nonce string) (*httpapi.Identity, error) {
	id, err := o.p.Exchange(ctx, code, verifier, nonce)
	if err != nil {
		return nil, err
	}
	return &httpapi.Identity{Issuer: id.Issuer, Subject: id.Subject, Email: id.Email, EmailVerified: id.EmailVerified}, nil
}

// openPostgres connects to PostgreSQL and applies pending migrations
// (several instances starting together migrate once).
func openPostgres(ctx context.Context, dbURL string, log *slog.Logger) (server.Store, error) {
	log.Info("using PostgreSQL", slog.String("url", redactURL(dbURL)))
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st, err := postgres.Open(octx, dbURL)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// redactURL hides the password of a database URL for the log.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Store clean-up. Unconfirmed accounts go after unactivatedLifetime (the
// activation link's lifetime); expired tokens, challenges, counters and
// sessions, and push answers older than a day, go on every pass.
const (
	maintenanceInterval = 10 * time.Minute
	unactivatedLifetime = 5 * 24 * time.Hour
)

// pruner is a store that can drop expired tokens, challenges, counters,
// sessions and old push answers. Both stores are: checked at compile time,
// so a store that loses Prune fails the build rather than silently keeping
// every expired row.
type pruner interface {
	Prune(ctx context.Context, now time.Time) (int64, error)
}

var (
	_ pruner = (*sqlite.Store)(nil)
	_ pruner = (*postgres.Store)(nil)
)

// maintain runs the store's clean-ups once at once and then every interval
// until ctx ends, and returns when both have stopped: the purge of
// unconfirmed accounts and the prune of expired rows. With several
// instances on one database each runs them; the deletes are idempotent.
func maintain(ctx context.Context, st server.Store, every time.Duration, now func() time.Time, log *slog.Logger) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		prune(ctx, st, every, now, log)
	}()
	server.PurgeUnactivated(ctx, st, unactivatedLifetime, every, now, log)
	<-done
}

// prune runs the store's Prune at once and then every interval until ctx
// ends.
func prune(ctx context.Context, st server.Store, every time.Duration, now func() time.Time, log *slog.Logger) {
	p, ok := st.(pruner)
	if !ok {
		log.Warn("this store cannot prune expired rows")
		return
	}
	run := func() {
		n, err := p.Prune(ctx, now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("prune expired rows", slog.String("err", err.Error()))
		case n > 0:
			log.Debug("pruned expired rows", slog.Int64("rows", n))
		}
	}
	server.Every(ctx, every, run)
}
