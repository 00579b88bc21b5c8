package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"watchword/server"
	"watchword/wasm/api"
)

func testAccounts(t *testing.T, s server.Store) {
	c := ctx(t)
	a := &server.Account{
		ID:                randomHex(16),
		Email:             "ada@example.test",
		PasswordHash:      "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		CreatedAt:         t0,
		MarketingConsent:  true,
		StatementDecision: "accepted",
		StatementVersion:  "2031-01",
		StatementAt:       t0.Add(time.Second),
		Country:           "FR",
		TimeZone:          "Europe/Paris",
		DateFormat:        "DD/MM/YYYY",
	}
	noErr(t, "CreateAccount", s.CreateAccount(c, a))

	t.Run("ByID", func(t *testing.T) {
		got, err := s.AccountByID(c, a.ID)
		noErr(t, "AccountByID", err)
		if !reflect.DeepEqual(got, a) {
			t.Fatalf("AccountByID:\n got %+v\nwant %+v", got, a)
		}
		if got.Activated() {
			t.Fatal("a new account reads as activated")
		}
	})
	t.Run("ByEmail", func(t *testing.T) {
		got, err := s.AccountByEmail(c, a.Email)
		noErr(t, "AccountByEmail", err)
		if got.ID != a.ID {
			t.Fatalf("AccountByEmail: got account %s, want %s", got.ID, a.ID)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		_, err := s.AccountByID(c, randomHex(16))
		wantErr(t, "AccountByID(unknown)", err, server.ErrNotFound)
		_, err = s.AccountByEmail(c, "nobody@example.test")
		wantErr(t, "AccountByEmail(unknown)", err, server.ErrNotFound)
	})
	t.Run("DuplicateEmail", func(t *testing.T) {
		dup := *a
		dup.ID = randomHex(16)
		wantErr(t, "CreateAccount(same email)", s.CreateAccount(c, &dup), server.ErrConflict)
		if _, err := s.AccountByID(c, dup.ID); err == nil {
			t.Fatal("the refused duplicate was stored")
		}
	})
	t.Run("Update", func(t *testing.T) {
		u := *a
		u.Email = "ada.lovelace@example.test"
		u.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$bmV3$bmV3aGFzaA"
		u.CreatedAt = t0.Add(time.Hour) // must be ignored
		u.ActivatedAt = t0.Add(2 * time.Minute)
		u.MarketingConsent = false
		u.StatementDecision = "skipped"
		u.StatementVersion = "2031-02"
		u.StatementAt = t0.Add(3 * time.Minute)
		u.Country = "DE"
		u.TimeZone = "Europe/Berlin"
		u.DateFormat = "YYYY-MM-DD"
		u.TOTPSecret = "JBSWY3DPEHPK3PXP"
		u.TOTPEnabled = true
		u.EmailCodes = true
		u.Phone = "+33612345678"
		u.SMSCodes = true
		u.LastTOTPStep = 12345
		noErr(t, "UpdateAccount", s.UpdateAccount(c, &u))
		got, err := s.AccountByID(c, a.ID)
		noErr(t, "AccountByID", err)
		want := u
		want.CreatedAt = a.CreatedAt
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("after UpdateAccount:\n got %+v\nwant %+v", got, &want)
		}
		if _, err := s.AccountByEmail(c, a.Email); err == nil {
			t.Fatal("the old address still finds the account")
		}
		missing := u
		missing.ID = randomHex(16)
		missing.Email = "ghost@example.test"
		wantErr(t, "UpdateAccount(unknown)", s.UpdateAccount(c, &missing), server.ErrNotFound)
	})
	t.Run("UpdateToTakenEmail", func(t *testing.T) {
		other := newAccount(t, s)
		u, err := s.AccountByID(c, a.ID)
		noErr(t, "AccountByID", err)
		u.Email = other.Email
		wantErr(t, "UpdateAccount(taken email)", s.UpdateAccount(c, u), server.ErrConflict)
	})
	t.Run("Delete", func(t *testing.T) {
		noErr(t, "DeleteAccount", s.DeleteAccount(c, a.ID))
		_, err := s.AccountByID(c, a.ID)
		wantErr(t, "AccountByID(deleted)", err, server.ErrNotFound)
		wantErr(t, "DeleteAccount(again)", s.DeleteAccount(c, a.ID), server.ErrNotFound)
	})
}

// fillAccount gives a every kind of row an account can own and returns the
// secrets needed to look them up again.
type owned struct {
	tokenHash, accessHash, recovery []byte
	challengeID, issuer, subject    string
	entry                           string
}

func fillAccount(t *testing.T, s server.Store, a *server.Account) owned {
	t.Helper()
	c := ctx(t)
	o := owned{
		tokenHash:   randomBytes(32),
		accessHash:  randomBytes(32),
		recovery:    randomBytes(32),
		challengeID: randomHex(16),
		issuer:      "https://issuer.example.test",
		subject:     randomHex(8),
		entry:       entryID(),
	}
	noErr(t, "PutToken", s.PutToken(c, &server.Token{Hash: o.tokenHash, AccountID: a.ID, Purpose: server.PurposeActivation,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
	noErr(t, "CreateSession", s.CreateSession(c, &server.Session{ID: randomHex(16), AccountID: a.ID, DeviceName: "laptop",
		AccessHash: o.accessHash, AccessExpiresAt: t0.Add(time.Hour), RefreshHash: randomBytes(32),
		RefreshExpiresAt: t0.Add(24 * time.Hour), CreatedAt: t0, LastSeenAt: t0}))
	noErr(t, "PutChallenge", s.PutChallenge(c, &server.Challenge{ID: o.challengeID, AccountID: a.ID, Method: "totp",
		CreatedAt: t0, SentAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}))
	noErr(t, "LinkIdentity", s.LinkIdentity(c, o.issuer, o.subject, a.ID))
	noErr(t, "SetRecoveryCodes", s.SetRecoveryCodes(c, a.ID, [][]byte{o.recovery}))
	noErr(t, "PutVaultHeader", s.PutVaultHeader(c, a.ID, header()))
	push(t, s, a.ID, put(o.entry, 0, []byte("sealed")))
	return o
}

// checkGone fails t if anything a owned is still visible.
func checkGone(t *testing.T, s server.Store, a *server.Account, o owned) {
	t.Helper()
	c := ctx(t)
	_, err := s.AccountByID(c, a.ID)
	wantErr(t, "AccountByID", err, server.ErrNotFound)
	_, err = s.ConsumeToken(c, o.tokenHash, server.PurposeActivation, t0)
	wantErr(t, "ConsumeToken", err, server.ErrNotFound)
	_, err = s.SessionByAccess(c, o.accessHash, t0)
	wantErr(t, "SessionByAccess", err, server.ErrNotFound)
	if ss, err := s.Sessions(c, a.ID); err != nil || len(ss) != 0 {
		t.Fatalf("Sessions: %d sessions, %v; want none", len(ss), err)
	}
	_, err = s.Challenge(c, o.challengeID)
	wantErr(t, "Challenge", err, server.ErrNotFound)
	_, err = s.AccountByIdentity(c, o.issuer, o.subject)
	wantErr(t, "AccountByIdentity", err, server.ErrNotFound)
	if ok, err := s.UseRecoveryCode(c, a.ID, o.recovery); err != nil || ok {
		t.Fatalf("UseRecoveryCode: %v, %v; want false", ok, err)
	}
	_, err = s.VaultHeader(c, a.ID)
	wantErr(t, "VaultHeader", err, server.ErrNotFound)
	resp, err := s.Pull(c, a.ID, 0, 100)
	noErr(t, "Pull", err)
	if len(resp.Entries) != 0 || resp.Revision != 0 {
		t.Fatalf("Pull: %d entries at revision %d; want an empty vault", len(resp.Entries), resp.Revision)
	}
	if rev, err := s.Revision(c, a.ID); err != nil || rev != 0 {
		t.Fatalf("Revision: %d, %v; want 0", rev, err)
	}
}

// checkIntact fails t unless everything a owned is still there.
func checkIntact(t *testing.T, s server.Store, a *server.Account, o owned) {
	t.Helper()
	c := ctx(t)
	_, err := s.AccountByID(c, a.ID)
	noErr(t, "AccountByID(bystander)", err)
	_, err = s.SessionByAccess(c, o.accessHash, t0)
	noErr(t, "SessionByAccess(bystander)", err)
	_, err = s.Challenge(c, o.challengeID)
	noErr(t, "Challenge(bystander)", err)
	_, err = s.AccountByIdentity(c, o.issuer, o.subject)
	noErr(t, "AccountByIdentity(bystander)", err)
	_, err = s.VaultHeader(c, a.ID)
	noErr(t, "VaultHeader(bystander)", err)
	resp, err := s.Pull(c, a.ID, 0, 100)
	noErr(t, "Pull(bystander)", err)
	if len(resp.Entries) != 1 || resp.Entries[0].ID != o.entry {
		t.Fatalf("Pull(bystander): %d entries; want its one entry", len(resp.Entries))
	}
}

func testDeleteCascades(t *testing.T, s server.Store) {
	a, b := newAccount(t, s), newAccount(t, s)
	oa, ob := fillAccount(t, s, a), fillAccount(t, s, b)
	noErr(t, "DeleteAccount", s.DeleteAccount(ctx(t), a.ID))
	checkGone(t, s, a, oa)
	checkIntact(t, s, b, ob)
	// The identity is free again: linking it elsewhere is no conflict.
	noErr(t, "LinkIdentity(freed)", s.LinkIdentity(ctx(t), oa.issuer, oa.subject, b.ID))
}

func testDeleteUnactivated(t *testing.T, s server.Store) {
	c := ctx(t)
	mk := func(created time.Time, activated bool) (*server.Account, owned) {
		a := &server.Account{ID: randomHex(16), Email: randomHex(6) + "@example.test", PasswordHash: "h", CreatedAt: created}
		if activated {
			a.ActivatedAt = created.Add(time.Minute)
		}
		noErr(t, "CreateAccount", s.CreateAccount(c, a))
		return a, fillAccount(t, s, a)
	}
	now := t0.Add(72 * time.Hour)
	cutoff := now.Add(-24 * time.Hour)
	old1, o1 := mk(now.Add(-48*time.Hour), false)
	old2, o2 := mk(now.Add(-25*time.Hour), false)
	oldActive, oa := mk(now.Add(-48*time.Hour), true)
	young, oy := mk(now.Add(-time.Hour), false)
	edge, oe := mk(cutoff, false) // created exactly at the cutoff: not before it

	n, err := s.DeleteUnactivatedBefore(c, cutoff)
	noErr(t, "DeleteUnactivatedBefore", err)
	if n != 2 {
		t.Fatalf("DeleteUnactivatedBefore: deleted %d, want 2", n)
	}
	checkGone(t, s, old1, o1)
	checkGone(t, s, old2, o2)
	checkIntact(t, s, oldActive, oa)
	checkIntact(t, s, young, oy)
	checkIntact(t, s, edge, oe)
	n, err = s.DeleteUnactivatedBefore(c, cutoff)
	noErr(t, "DeleteUnactivatedBefore(again)", err)
	if n != 0 {
		t.Fatalf("DeleteUnactivatedBefore(again): deleted %d, want 0", n)
	}
}

func testIdentities(t *testing.T, s server.Store) {
	c := ctx(t)
	a, b := newAccount(t, s), newAccount(t, s)
	const iss = "https://accounts.example.test"
	sub := randomHex(10)
	noErr(t, "LinkIdentity", s.LinkIdentity(c, iss, sub, a.ID))
	got, err := s.AccountByIdentity(c, iss, sub)
	noErr(t, "AccountByIdentity", err)
	if got.ID != a.ID {
		t.Fatalf("AccountByIdentity: got %s, want %s", got.ID, a.ID)
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("AccountByIdentity:\n got %+v\nwant %+v", got, a)
	}
	noErr(t, "LinkIdentity(same account again)", s.LinkIdentity(c, iss, sub, a.ID))
	wantErr(t, "LinkIdentity(other account)", s.LinkIdentity(c, iss, sub, b.ID), server.ErrConflict)
	// The same subject at another issuer is another identity.
	noErr(t, "LinkIdentity(other issuer)", s.LinkIdentity(c, "https://other.example.test", sub, b.ID))
	_, err = s.AccountByIdentity(c, iss, randomHex(10))
	wantErr(t, "AccountByIdentity(unknown)", err, server.ErrNotFound)
	if err := s.LinkIdentity(c, iss, randomHex(10), randomHex(16)); err == nil {
		t.Fatal("LinkIdentity to a missing account succeeded")
	}
}

func testTokens(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	mk := func(purpose string, created time.Time) *server.Token {
		tok := &server.Token{Hash: randomBytes(32), AccountID: a.ID, Purpose: purpose, Data: "ctx-" + randomHex(4),
			CreatedAt: created, ExpiresAt: created.Add(time.Hour)}
		noErr(t, "PutToken", s.PutToken(c, tok))
		return tok
	}
	t.Run("ConsumeOnce", func(t *testing.T) {
		tok := mk(server.PurposeActivation, t0)
		got, err := s.ConsumeToken(c, tok.Hash, server.PurposeActivation, t0.Add(time.Minute))
		noErr(t, "ConsumeToken", err)
		if !reflect.DeepEqual(got, tok) {
			t.Fatalf("ConsumeToken:\n got %+v\nwant %+v", got, tok)
		}
		_, err = s.ConsumeToken(c, tok.Hash, server.PurposeActivation, t0.Add(time.Minute))
		wantErr(t, "ConsumeToken(second time)", err, server.ErrNotFound)
	})
	t.Run("WrongPurpose", func(t *testing.T) {
		tok := mk(server.PurposeReset, t0)
		_, err := s.ConsumeToken(c, tok.Hash, server.PurposeActivation, t0)
		wantErr(t, "ConsumeToken(wrong purpose)", err, server.ErrNotFound)
		_, err = s.ConsumeToken(c, tok.Hash, server.PurposeReset, t0)
		noErr(t, "ConsumeToken(right purpose after a wrong one)", err)
	})
	t.Run("Expired", func(t *testing.T) {
		tok := mk(server.PurposeReset, t0)
		_, err := s.ConsumeToken(c, tok.Hash, server.PurposeReset, tok.ExpiresAt)
		wantErr(t, "ConsumeToken(at expiry)", err, server.ErrNotFound)
		_, err = s.ConsumeToken(c, tok.Hash, server.PurposeReset, tok.ExpiresAt.Add(time.Hour))
		wantErr(t, "ConsumeToken(after expiry)", err, server.ErrNotFound)
		_, err = s.ConsumeToken(c, tok.Hash, server.PurposeReset, tok.ExpiresAt.Add(-time.Microsecond))
		noErr(t, "ConsumeToken(just before expiry)", err)
	})
	t.Run("Unbound", func(t *testing.T) {
		tok := &server.Token{Hash: randomBytes(32), Purpose: server.PurposeOIDCState, Data: "pkce-verifier",
			CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
		noErr(t, "PutToken(unbound)", s.PutToken(c, tok))
		got, err := s.ConsumeToken(c, tok.Hash, server.PurposeOIDCState, t0)
		noErr(t, "ConsumeToken(unbound)", err)
		if !reflect.DeepEqual(got, tok) {
			t.Fatalf("ConsumeToken(unbound):\n got %+v\nwant %+v", got, tok)
		}
	})
	t.Run("DuplicateHash", func(t *testing.T) {
		tok := mk(server.PurposeActivation, t0)
		dup := *tok
		wantErr(t, "PutToken(same hash)", s.PutToken(c, &dup), server.ErrConflict)
	})
	t.Run("LatestAndDelete", func(t *testing.T) {
		b := newAccount(t, s)
		_, err := s.LatestToken(c, b.ID, server.PurposeAutoConnect)
		wantErr(t, "LatestToken(none)", err, server.ErrNotFound)
		var toks []*server.Token
		for _, d := range []time.Duration{2, 5, 3} {
			tok := &server.Token{Hash: randomBytes(32), AccountID: b.ID, Purpose: server.PurposeAutoConnect,
				CreatedAt: t0.Add(d * time.Minute), ExpiresAt: t0.Add(d*time.Minute + time.Hour)}
			noErr(t, "PutToken", s.PutToken(c, tok))
			toks = append(toks, tok)
		}
		other := &server.Token{Hash: randomBytes(32), AccountID: b.ID, Purpose: server.PurposeReset,
			CreatedAt: t0.Add(time.Hour), ExpiresAt: t0.Add(2 * time.Hour)}
		noErr(t, "PutToken", s.PutToken(c, other))
		got, err := s.LatestToken(c, b.ID, server.PurposeAutoConnect)
		noErr(t, "LatestToken", err)
		if !bytes.Equal(got.Hash, toks[1].Hash) {
			t.Fatalf("LatestToken: got the token created at %v, want the one at %v", got.CreatedAt, toks[1].CreatedAt)
		}
		noErr(t, "DeleteTokens", s.DeleteTokens(c, b.ID, server.PurposeAutoConnect))
		_, err = s.LatestToken(c, b.ID, server.PurposeAutoConnect)
		wantErr(t, "LatestToken(after DeleteTokens)", err, server.ErrNotFound)
		for _, tok := range toks {
			_, err := s.ConsumeToken(c, tok.Hash, server.PurposeAutoConnect, t0)
			wantErr(t, "ConsumeToken(deleted)", err, server.ErrNotFound)
		}
		_, err = s.ConsumeToken(c, other.Hash, server.PurposeReset, t0)
		noErr(t, "ConsumeToken(other purpose survives DeleteTokens)", err)
	})
}

func testTokenConsumedOnce(t *testing.T, s server.Store) {
	a := newAccount(t, s)
	tok := &server.Token{Hash: randomBytes(32), AccountID: a.ID, Purpose: server.PurposeReset, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	noErr(t, "PutToken", s.PutToken(ctx(t), tok))
	const n = 20
	errs := race(n, func(int) error {
		_, err := s.ConsumeToken(ctx(t), tok.Hash, server.PurposeReset, t0)
		return err
	})
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !isNotFound(err):
			t.Fatalf("ConsumeToken: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent ConsumeToken calls won, want exactly 1", wins, n)
	}
}

// race runs f(0..n-1) on n goroutines released together and returns their
// errors by index.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = f(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func isNotFound(err error) bool { return err != nil && errors.Is(err, server.ErrNotFound) }

func header() api.VaultHeader {
	return api.VaultHeader{
		VaultID:    randomHex(api.IDSize),
		WrappedKey: randomBytes(72),
		KDF: api.KDFParams{Algorithm: api.KDFArgon2id, Salt: randomBytes(api.KDFSaltSize),
			MemoryKiB: api.DefaultKDFMemoryKiB, Time: api.DefaultKDFTime, Threads: api.DefaultKDFThreads},
	}
}
