package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"watchword/server"
)

func testChallenges(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	ch := &server.Challenge{ID: randomHex(16), AccountID: a.ID, Method: "email", CodeHash: randomBytes(32),
		SentAt: t0, CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute), DeviceName: "Firefox on Linux"}
	noErr(t, "PutChallenge", s.PutChallenge(c, ch))

	t.Run("RoundTrip", func(t *testing.T) {
		got, err := s.Challenge(c, ch.ID)
		noErr(t, "Challenge", err)
		if !reflect.DeepEqual(got, ch) {
			t.Fatalf("Challenge:\n got %+v\nwant %+v", got, ch)
		}
	})
	t.Run("TOTPHasNoCode", func(t *testing.T) {
		tc := &server.Challenge{ID: randomHex(16), AccountID: a.ID, Method: "totp", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
		noErr(t, "PutChallenge", s.PutChallenge(c, tc))
		got, err := s.Challenge(c, tc.ID)
		noErr(t, "Challenge", err)
		if len(got.CodeHash) != 0 || got.Method != "totp" || !got.SentAt.IsZero() {
			t.Fatalf("Challenge(totp): %+v", got)
		}
	})
	t.Run("FailAndResend", func(t *testing.T) {
		for want := 1; want <= 3; want++ {
			n, err := s.FailChallenge(c, ch.ID)
			noErr(t, "FailChallenge", err)
			if n != want {
				t.Fatalf("FailChallenge: %d, want %d", n, want)
			}
		}
		code := randomBytes(32)
		sent := t0.Add(2 * time.Minute)
		noErr(t, "ResendChallenge", s.ResendChallenge(c, ch.ID, "sms", code, sent))
		got, err := s.Challenge(c, ch.ID)
		noErr(t, "Challenge", err)
		if got.Failures != 3 {
			t.Fatalf("after a resend Failures = %d, want 3 (a resend keeps failures)", got.Failures)
		}
		if got.Method != "sms" || !bytes.Equal(got.CodeHash, code) || !got.SentAt.Equal(sent) {
			t.Fatalf("ResendChallenge did not replace method, code and time: %+v", got)
		}
		if !got.CreatedAt.Equal(ch.CreatedAt) || !got.ExpiresAt.Equal(ch.ExpiresAt) || got.DeviceName != ch.DeviceName {
			t.Fatalf("ResendChallenge changed other fields: %+v", got)
		}
		n, err := s.FailChallenge(c, ch.ID)
		noErr(t, "FailChallenge", err)
		if n != 4 {
			t.Fatalf("FailChallenge after resend: %d, want 4", n)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		id := randomHex(16)
		_, err := s.Challenge(c, id)
		wantErr(t, "Challenge(unknown)", err, server.ErrNotFound)
		_, err = s.FailChallenge(c, id)
		wantErr(t, "FailChallenge(unknown)", err, server.ErrNotFound)
		wantErr(t, "ResendChallenge(unknown)", s.ResendChallenge(c, id, "email", randomBytes(32), t0), server.ErrNotFound)
		if err := s.PutChallenge(c, &server.Challenge{ID: randomHex(16), AccountID: randomHex(16), Method: "totp",
			CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}); err == nil {
			t.Fatal("PutChallenge for a missing account succeeded")
		}
	})
	t.Run("Delete", func(t *testing.T) {
		noErr(t, "DeleteChallenge", s.DeleteChallenge(c, ch.ID))
		_, err := s.Challenge(c, ch.ID)
		wantErr(t, "Challenge(deleted)", err, server.ErrNotFound)
		_, err = s.FailChallenge(c, ch.ID)
		wantErr(t, "FailChallenge(deleted)", err, server.ErrNotFound)
	})
}

func testFailChallengeConcurrent(t *testing.T, s server.Store) {
	a := newAccount(t, s)
	ch := &server.Challenge{ID: randomHex(16), AccountID: a.ID, Method: "totp", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	noErr(t, "PutChallenge", s.PutChallenge(ctx(t), ch))
	const n = 50
	counts := make([]int, n)
	errs := race(n, func(i int) error {
		var err error
		counts[i], err = s.FailChallenge(ctx(t), ch.ID)
		return err
	})
	for _, err := range errs {
		noErr(t, "FailChallenge", err)
	}
	// Every caller saw a different count: exactly 1..n.
	sort.Ints(counts)
	for i, got := range counts {
		if got != i+1 {
			t.Fatalf("concurrent FailChallenge counts %v: want each of 1..%d once", counts, n)
		}
	}
	got, err := s.Challenge(ctx(t), ch.ID)
	noErr(t, "Challenge", err)
	if got.Failures != n {
		t.Fatalf("Failures = %d after %d concurrent failures", got.Failures, n)
	}
}

func testTOTPStep(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	steps := []struct {
		step int64
		want bool
	}{
		{100, true},
		{100, false}, // replay
		{99, false},  // older
		{101, true},
		{103, true},
		{102, false}, // older than the last accepted
	}
	for _, st := range steps {
		got, err := s.UseTOTPStep(c, a.ID, st.step)
		noErr(t, "UseTOTPStep", err)
		if got != st.want {
			t.Fatalf("UseTOTPStep(%d) = %v, want %v", st.step, got, st.want)
		}
	}
	acct, err := s.AccountByID(c, a.ID)
	noErr(t, "AccountByID", err)
	if acct.LastTOTPStep != 103 {
		t.Fatalf("LastTOTPStep = %d, want 103", acct.LastTOTPStep)
	}

	const n = 20
	results := make([]bool, n)
	errs := race(n, func(i int) error {
		var err error
		results[i], err = s.UseTOTPStep(ctx(t), a.ID, 200)
		return err
	})
	wins := 0
	for i, err := range errs {
		noErr(t, "UseTOTPStep", err)
		if results[i] {
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent uses of one TOTP step were accepted, want exactly 1", wins, n)
	}
	_, err = s.UseTOTPStep(c, randomHex(16), 1)
	wantErr(t, "UseTOTPStep(unknown account)", err, server.ErrNotFound)
}

func testRecoveryCodes(t *testing.T, s server.Store) {
	c := ctx(t)
	a, b := newAccount(t, s), newAccount(t, s)
	codes := [][]byte{randomBytes(32), randomBytes(32), randomBytes(32)}
	noErr(t, "SetRecoveryCodes", s.SetRecoveryCodes(c, a.ID, codes))
	use := func(acct string, code []byte, want bool) {
		t.Helper()
		got, err := s.UseRecoveryCode(c, acct, code)
		noErr(t, "UseRecoveryCode", err)
		if got != want {
			t.Fatalf("UseRecoveryCode = %v, want %v", got, want)
		}
	}
	use(b.ID, codes[0], false) // another account's code
	use(a.ID, codes[0], true)
	use(a.ID, codes[0], false) // single use
	use(a.ID, randomBytes(32), false)

	fresh := [][]byte{randomBytes(32), randomBytes(32)}
	noErr(t, "SetRecoveryCodes(replace)", s.SetRecoveryCodes(c, a.ID, fresh))
	use(a.ID, codes[1], false) // replaced codes are gone
	use(a.ID, fresh[1], true)
	use(a.ID, fresh[0], true)
	use(a.ID, fresh[0], false)

	noErr(t, "SetRecoveryCodes(none)", s.SetRecoveryCodes(c, a.ID, nil))
	if err := s.SetRecoveryCodes(c, randomHex(16), codes); err == nil {
		t.Fatal("SetRecoveryCodes for a missing account succeeded")
	}

	// Two callers racing for one code: exactly one gets it.
	noErr(t, "SetRecoveryCodes", s.SetRecoveryCodes(c, a.ID, codes))
	const n = 10
	results := make([]bool, n)
	errs := race(n, func(i int) error {
		var err error
		results[i], err = s.UseRecoveryCode(ctx(t), a.ID, codes[2])
		return err
	})
	wins := 0
	for i, err := range errs {
		noErr(t, "UseRecoveryCode", err)
		if results[i] {
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent uses of one recovery code succeeded, want 1", wins, n)
	}
}

func testCounters(t *testing.T, s server.Store) {
	c := ctx(t)
	key := "signin:" + randomHex(8)
	exp := t0.Add(time.Minute)
	count := func(now time.Time, want int64) {
		t.Helper()
		got, err := s.Count(c, key, now)
		noErr(t, "Count", err)
		if got != want {
			t.Fatalf("Count at %v = %d, want %d", now.Sub(t0), got, want)
		}
	}
	count(t0, 0)
	for want := int64(1); want <= 3; want++ {
		// The first hit sets the expiry; a later expiresAt on a live
		// counter does not extend it.
		e := exp
		if want > 1 {
			e = exp.Add(time.Duration(want) * time.Hour)
		}
		got, err := s.Hit(c, key, t0.Add(time.Duration(want)*time.Second), e)
		noErr(t, "Hit", err)
		if got != want {
			t.Fatalf("Hit = %d, want %d", got, want)
		}
	}
	count(t0.Add(30*time.Second), 3)
	count(exp, 0) // a counter lives until expiresAt, not at it

	t.Run("RestartsAfterExpiry", func(t *testing.T) {
		got, err := s.Hit(c, key, exp, exp.Add(time.Minute))
		noErr(t, "Hit(expired)", err)
		if got != 1 {
			t.Fatalf("Hit after expiry = %d, want 1", got)
		}
		count(exp.Add(59*time.Second), 1)
		count(exp.Add(time.Minute), 0)
	})
	t.Run("Reset", func(t *testing.T) {
		_, err := s.Hit(c, key, exp, exp.Add(time.Minute))
		noErr(t, "Hit", err)
		noErr(t, "ResetCounter", s.ResetCounter(c, key))
		count(exp, 0)
		got, err := s.Hit(c, key, exp, exp.Add(time.Minute))
		noErr(t, "Hit(after reset)", err)
		if got != 1 {
			t.Fatalf("Hit after reset = %d, want 1", got)
		}
		noErr(t, "ResetCounter(absent)", s.ResetCounter(c, "absent:"+randomHex(8)))
	})
	t.Run("KeysIndependent", func(t *testing.T) {
		other := "register:" + randomHex(8)
		got, err := s.Hit(c, other, t0, exp)
		noErr(t, "Hit", err)
		if got != 1 {
			t.Fatalf("Hit on a new key = %d, want 1", got)
		}
	})
}

func testCounterConcurrent(t *testing.T, s server.Store) {
	key := "code:" + randomHex(8)
	const n = 200
	vals := make([]int64, n)
	errs := race(n, func(i int) error {
		var err error
		vals[i], err = s.Hit(ctx(t), key, t0, t0.Add(time.Hour))
		return err
	})
	for _, err := range errs {
		noErr(t, "Hit", err)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	for i, v := range vals {
		if v != int64(i+1) {
			t.Fatalf("concurrent Hit values: position %d holds %d; want each of 1..%d once", i, v, n)
		}
	}
	got, err := s.Count(ctx(t), key, t0)
	noErr(t, "Count", err)
	if got != n {
		t.Fatalf("Count = %d after %d concurrent hits", got, n)
	}
}

func newSession(t *testing.T, s server.Store, accountID string) *server.Session {
	t.Helper()
	x := &server.Session{ID: randomHex(16), AccountID: accountID, DeviceName: "Chrome on macOS",
		AccessHash: randomBytes(32), AccessExpiresAt: t0.Add(15 * time.Minute),
		RefreshHash: randomBytes(32), RefreshExpiresAt: t0.Add(30 * 24 * time.Hour),
		CreatedAt: t0, LastSeenAt: t0}
	noErr(t, "CreateSession", s.CreateSession(ctx(t), x))
	return x
}

func testSessions(t *testing.T, s server.Store) {
	c := ctx(t)
	a, b := newAccount(t, s), newAccount(t, s)
	x := newSession(t, s, a.ID)
	t.Run("ByAccess", func(t *testing.T) {
		got, err := s.SessionByAccess(c, x.AccessHash, t0)
		noErr(t, "SessionByAccess", err)
		if !reflect.DeepEqual(got, x) {
			t.Fatalf("SessionByAccess:\n got %+v\nwant %+v", got, x)
		}
		_, err = s.SessionByAccess(c, x.AccessHash, x.AccessExpiresAt)
		wantErr(t, "SessionByAccess(expired)", err, server.ErrNotFound)
		_, err = s.SessionByAccess(c, randomBytes(32), t0)
		wantErr(t, "SessionByAccess(unknown)", err, server.ErrNotFound)
		_, err = s.SessionByAccess(c, x.RefreshHash, t0)
		wantErr(t, "SessionByAccess(refresh token as access token)", err, server.ErrNotFound)
	})
	t.Run("Portal", func(t *testing.T) {
		// A portal session has no refresh token; two of them must coexist.
		for range 2 {
			p := &server.Session{ID: randomHex(16), AccountID: a.ID, AccessHash: randomBytes(32),
				AccessExpiresAt: t0.Add(time.Hour), CreatedAt: t0.Add(time.Second), LastSeenAt: t0, Portal: true}
			noErr(t, "CreateSession(portal)", s.CreateSession(c, p))
			got, err := s.SessionByAccess(c, p.AccessHash, t0)
			noErr(t, "SessionByAccess(portal)", err)
			if !got.Portal || len(got.RefreshHash) != 0 {
				t.Fatalf("portal session read back as %+v", got)
			}
		}
		_, err := s.RotateRefresh(c, nil, server.SessionTokens{AccessHash: randomBytes(32)}, t0)
		wantErr(t, "RotateRefresh(empty token)", err, server.ErrNotFound)
	})
	t.Run("ListAndDelete", func(t *testing.T) {
		y := newSession(t, s, a.ID)
		z := newSession(t, s, b.ID)
		list, err := s.Sessions(c, a.ID)
		noErr(t, "Sessions", err)
		if len(list) != 4 {
			t.Fatalf("Sessions: %d, want 4", len(list))
		}
		for _, got := range list {
			if got.AccountID != a.ID {
				t.Fatalf("Sessions(a) returned a session of %s", got.AccountID)
			}
		}
		wantErr(t, "DeleteSession(another account's)", s.DeleteSession(c, a.ID, z.ID), server.ErrNotFound)
		_, err = s.SessionByAccess(c, z.AccessHash, t0)
		noErr(t, "SessionByAccess(after a refused delete)", err)
		noErr(t, "DeleteSession", s.DeleteSession(c, a.ID, y.ID))
		_, err = s.SessionByAccess(c, y.AccessHash, t0)
		wantErr(t, "SessionByAccess(deleted)", err, server.ErrNotFound)
		wantErr(t, "DeleteSession(again)", s.DeleteSession(c, a.ID, y.ID), server.ErrNotFound)
		noErr(t, "DeleteSessions", s.DeleteSessions(c, a.ID))
		list, err = s.Sessions(c, a.ID)
		noErr(t, "Sessions", err)
		if len(list) != 0 {
			t.Fatalf("Sessions after DeleteSessions: %d", len(list))
		}
		_, err = s.SessionByAccess(c, z.AccessHash, t0)
		noErr(t, "SessionByAccess(other account after DeleteSessions)", err)
	})
	t.Run("MissingAccount", func(t *testing.T) {
		x := &server.Session{ID: randomHex(16), AccountID: randomHex(16), AccessHash: randomBytes(32),
			AccessExpiresAt: t0.Add(time.Hour), CreatedAt: t0}
		if err := s.CreateSession(c, x); err == nil {
			t.Fatal("CreateSession for a missing account succeeded")
		}
	})
}

func testRefreshRotation(t *testing.T, s server.Store) {
	c := ctx(t)
	a := newAccount(t, s)
	x := newSession(t, s, a.ID)
	now := t0.Add(20 * time.Minute)
	next := server.SessionTokens{AccessHash: randomBytes(32), AccessExpiresAt: now.Add(15 * time.Minute),
		RefreshHash: randomBytes(32), RefreshExpiresAt: now.Add(30 * 24 * time.Hour)}

	got, err := s.RotateRefresh(c, x.RefreshHash, next, now)
	noErr(t, "RotateRefresh", err)
	want := *x
	want.AccessHash, want.AccessExpiresAt = next.AccessHash, next.AccessExpiresAt
	want.RefreshHash, want.RefreshExpiresAt = next.RefreshHash, next.RefreshExpiresAt
	want.PrevRefreshHash = x.RefreshHash
	want.LastSeenAt = now
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("RotateRefresh:\n got %+v\nwant %+v", got, &want)
	}
	_, err = s.SessionByAccess(c, x.AccessHash, t0)
	wantErr(t, "SessionByAccess(old access token)", err, server.ErrNotFound)
	_, err = s.SessionByAccess(c, next.AccessHash, now)
	noErr(t, "SessionByAccess(new access token)", err)

	t.Run("UnknownToken", func(t *testing.T) {
		_, err := s.RotateRefresh(c, randomBytes(32), next, now)
		wantErr(t, "RotateRefresh(unknown)", err, server.ErrNotFound)
	})
	t.Run("Expired", func(t *testing.T) {
		y := newSession(t, s, a.ID)
		_, err := s.RotateRefresh(c, y.RefreshHash, server.SessionTokens{AccessHash: randomBytes(32), RefreshHash: randomBytes(32)}, y.RefreshExpiresAt)
		wantErr(t, "RotateRefresh(expired)", err, server.ErrNotFound)
	})
	t.Run("ReuseRevokes", func(t *testing.T) {
		bystander := newSession(t, s, a.ID)
		_, err := s.RotateRefresh(c, x.RefreshHash, server.SessionTokens{AccessHash: randomBytes(32), RefreshHash: randomBytes(32),
			AccessExpiresAt: now.Add(time.Hour), RefreshExpiresAt: now.Add(time.Hour)}, now)
		wantErr(t, "RotateRefresh(previous token)", err, server.ErrRefreshReused)
		_, err = s.SessionByAccess(c, next.AccessHash, now)
		wantErr(t, "SessionByAccess(revoked session)", err, server.ErrNotFound)
		_, err = s.RotateRefresh(c, next.RefreshHash, server.SessionTokens{AccessHash: randomBytes(32), RefreshHash: randomBytes(32),
			AccessExpiresAt: now.Add(time.Hour), RefreshExpiresAt: now.Add(time.Hour)}, now)
		wantErr(t, "RotateRefresh(current token of the revoked session)", err, server.ErrNotFound)
		_, err = s.SessionByAccess(c, bystander.AccessHash, t0)
		noErr(t, "SessionByAccess(another session of the account)", err)
	})
}

func testRefreshConcurrent(t *testing.T, s server.Store) {
	a := newAccount(t, s)
	x := newSession(t, s, a.ID)
	const n = 10
	errs := race(n, func(int) error {
		_, err := s.RotateRefresh(ctx(t), x.RefreshHash, server.SessionTokens{AccessHash: randomBytes(32),
			AccessExpiresAt: t0.Add(time.Hour), RefreshHash: randomBytes(32), RefreshExpiresAt: t0.Add(time.Hour)}, t0)
		return err
	})
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, server.ErrNotFound), errors.Is(err, server.ErrRefreshReused):
		default:
			t.Fatalf("RotateRefresh: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent rotations of one refresh token succeeded, want exactly 1", wins, n)
	}
}
