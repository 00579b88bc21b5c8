package httpapi

import (
	"context"
	"errors"
	"sync"
	"time"

	"watchword/server"
)

// DefaultAuthCacheTTL is how long a resolved access token is trusted
// without asking the store again (Config.AuthCacheTTL).
const DefaultAuthCacheTTL = 10 * time.Second

// maxAuthCache bounds the cache: past it, new tokens are simply not
// cached until expired ones have been swept.
const maxAuthCache = 200_000

// authCache remembers which device session and account an access token
// resolved to, for the vault routes, which devices call every few seconds
// and which need only the account id and its activation. Without it every
// sync request costs two store reads before doing any work.
//
// Revocation stays prompt. In this process every change that can end a
// session (sign-out of one device or all, refresh rotation and refresh
// reuse, password reset, account deletion) goes through revokingStore,
// which drops the affected entries after the store has committed the
// change, and bumps an epoch so a lookup that read the store before the
// change cannot put its stale answer back. Another process sharing the
// database cannot reach this cache: there a revoked token keeps working for
// at most the TTL. An entry never outlives the access token's own expiry.
type authCache struct {
	ttl time.Duration

	mu        sync.Mutex
	epoch     uint64
	entries   map[[32]byte]*authEntry
	bySession map[string][32]byte
	byAccount map[string]map[[32]byte]struct{}
	lastSweep time.Time
}

type authEntry struct {
	auth  *auth
	until time.Time
}

func newAuthCache(ttl time.Duration) *authCache {
	return &authCache{
		ttl:       ttl,
		entries:   make(map[[32]byte]*authEntry),
		bySession: make(map[string][32]byte),
		byAccount: make(map[string]map[[32]byte]struct{}),
	}
}

// get returns the cached caller for the token hash, or nil. now is the
// server's clock.
func (c *authCache) get(key [32]byte, now time.Time) *auth {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		return nil
	}
	if !now.Before(e.until) {
		c.removeLocked(key)
		return nil
	}
	return e.auth
}

// begin returns the epoch to hand to put after the store lookup.
func (c *authCache) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// put caches a, unless something was revoked since begin returned epoch
// (the lookup may have read a session that is gone now).
func (c *authCache) put(key [32]byte, a *auth, epoch uint64, now time.Time) {
	until := now.Add(c.ttl)
	if a.session.AccessExpiresAt.Before(until) {
		until = a.session.AccessExpiresAt
	}
	if !now.Before(until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= maxAuthCache || now.Sub(c.lastSweep) > c.ttl {
		c.sweepLocked(now)
		if len(c.entries) >= maxAuthCache {
			return
		}
	}
	if _, ok := c.entries[key]; ok {
		c.removeLocked(key)
	}
	c.entries[key] = &authEntry{auth: a, until: until}
	c.bySession[a.session.ID] = key
	acct := a.account.ID
	if c.byAccount[acct] == nil {
		c.byAccount[acct] = make(map[[32]byte]struct{})
	}
	c.byAccount[acct][key] = struct{}{}
}

func (c *authCache) sweepLocked(now time.Time) {
	c.lastSweep = now
	for k, e := range c.entries {
		if !now.Before(e.until) {
			c.removeLocked(k)
		}
	}
}

func (c *authCache) removeLocked(key [32]byte) {
	e := c.entries[key]
	if e == nil {
		return
	}
	delete(c.entries, key)
	if k, ok := c.bySession[e.auth.session.ID]; ok && k == key {
		delete(c.bySession, e.auth.session.ID)
	}
	acct := e.auth.account.ID
	if m := c.byAccount[acct]; m != nil {
		delete(m, key)
		if len(m) == 0 {
			delete(c.byAccount, acct)
		}
	}
}

// revokeSession drops the session's entry.
func (c *authCache) revokeSession(sessionID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if k, ok := c.bySession[sessionID]; ok {
		c.removeLocked(k)
	}
}

// revokeAccount drops every entry of the account.
func (c *authCache) revokeAccount(accountID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.byAccount[accountID] {
		c.removeLocked(k)
	}
}

// revokeAll empties the cache (a refresh token reuse deletes a session
// the caller cannot name).
func (c *authCache) revokeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	clear(c.entries)
	clear(c.bySession)
	clear(c.byAccount)
}

// revokingStore is the Store the handlers use: it passes every call
// through and tells the auth cache, once the store has answered, about
// every change that ends sessions. Revoking after the change (not before)
// together with the cache's epoch leaves no window in which a stale
// session could be cached again.
type revokingStore struct {
	server.Store
	cache *authCache
}

func (s revokingStore) DeleteAccount(ctx context.Context, id string) error {
	err := s.Store.DeleteAccount(ctx, id)
	s.cache.revokeAccount(id)
	return err
}

func (s revokingStore) DeleteUnactivatedBefore(ctx context.Context, t time.Time) (int, error) {
	n, err := s.Store.DeleteUnactivatedBefore(ctx, t)
	if n > 0 || err != nil {
		s.cache.revokeAll()
	}
	return n, err
}

func (s revokingStore) UpdateAccount(ctx context.Context, a *server.Account) error {
	err := s.Store.UpdateAccount(ctx, a)
	s.cache.revokeAccount(a.ID)
	return err
}

func (s revokingStore) RotateRefresh(ctx context.Context, refreshHash []byte, next server.SessionTokens, now time.Time) (*server.Session, error) {
	sess, err := s.Store.RotateRefresh(ctx, refreshHash, next, now)
	switch {
	case err == nil:
		s.cache.revokeSession(sess.ID) // the old access token is replaced
	case errors.Is(err, server.ErrRefreshReused):
		s.cache.revokeAll()
	}
	return sess, err
}

func (s revokingStore) DeleteSession(ctx context.Context, accountID, sessionID string) error {
	err := s.Store.DeleteSession(ctx, accountID, sessionID)
	s.cache.revokeSession(sessionID)
	return err
}

func (s revokingStore) DeleteSessions(ctx context.Context, accountID string) error {
	err := s.Store.DeleteSessions(ctx, accountID)
	s.cache.revokeAccount(accountID)
	return err
}
