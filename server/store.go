package server

import (
	"context"
	"errors"
	"time"

	"watchword/wasm/api"
)

// Sentinel errors every Store returns (possibly wrapped).
var (
	// ErrNotFound: no such row, or it is not visible to this caller (a token
	// that is used, expired or of another purpose is "not found" too).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a uniqueness rule was broken (an address already registered,
	// an identity already linked).
	ErrConflict = errors.New("conflict")
	// ErrRefreshReused: a refresh token that was already rotated away was
	// presented again. The store has revoked that device's session.
	ErrRefreshReused = errors.New("refresh token reused")
)

// Account is a portal account. Email is stored normalised (trimmed,
// lower-cased). PasswordHash is a PHC-format Argon2id string; the account
// password itself is never stored or logged.
type Account struct {
	ID           string // 32 hex chars, random
	Email        string
	PasswordHash string
	CreatedAt    time.Time
	ActivatedAt  time.Time // zero until the address is confirmed

	MarketingConsent  bool
	StatementDecision string // "accepted" or "skipped"
	StatementVersion  string
	StatementAt       time.Time

	Country    string // ISO 3166-1 alpha-2; required once the profile is applied
	TimeZone   string // IANA name
	DateFormat string

	// Two-step verification. TOTPSecret must be kept secret.
	TOTPSecret   string // base32; empty when not enrolled
	TOTPEnabled  bool
	EmailCodes   bool   // codes by email enabled
	Phone        string // E.164, for SMS codes; empty when not set
	SMSCodes     bool
	LastTOTPStep int64 // the last accepted TOTP time step; a step is never accepted twice
}

// Activated reports whether the address is confirmed.
func (a *Account) Activated() bool { return !a.ActivatedAt.IsZero() }

// TwoStep reports whether sign-in needs a second factor.
func (a *Account) TwoStep() bool { return a.TOTPEnabled || a.EmailCodes || a.SMSCodes }

// Token purposes. A token is bound to one account and one purpose.
const (
	PurposeActivation  = "activation"
	PurposeReset       = "password-reset"
	PurposeAutoConnect = "auto-connect"
	PurposeOIDCState   = "oidc-state"
)

// Token is a single-use secret handed out by link or code. Only the SHA-256
// of the secret is stored. Data carries purpose-specific context (e.g. the
// PKCE verifier of an OIDC sign-in), never a password.
type Token struct {
	Hash      []byte
	AccountID string // empty for tokens not yet bound to an account (OIDC state)
	Purpose   string
	Data      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Challenge is one pending two-step sign-in: the password was right, a code
// is still needed. Codes are bound to it; Failures counts wrong codes for this
// challenge and is not reset by a resend.
type Challenge struct {
	ID         string // random, 32 hex chars; handed to the client
	AccountID  string
	Method     string // "totp", "email", "sms", "recovery"
	CodeHash   []byte // SHA-256 of the current emailed/SMS code; empty for TOTP
	Failures   int
	SentAt     time.Time // last time a code was sent (resend cooldown)
	CreatedAt  time.Time
	ExpiresAt  time.Time
	DeviceName string
}

// Session is one signed-in device. Access and refresh tokens are opaque
// random strings; only their SHA-256 is stored. PrevRefreshHash is the
// refresh token rotated away most recently: presenting it again means it was
// stolen, and the session is revoked.
type Session struct {
	ID               string
	AccountID        string
	DeviceName       string
	AccessHash       []byte
	AccessExpiresAt  time.Time
	RefreshHash      []byte
	PrevRefreshHash  []byte
	RefreshExpiresAt time.Time
	CreatedAt        time.Time
	LastSeenAt       time.Time
	Portal           bool // a portal (browser cookie) session rather than a device
}

// SessionTokens are the new hashes and expiries written by a rotation.
type SessionTokens struct {
	AccessHash       []byte
	AccessExpiresAt  time.Time
	RefreshHash      []byte
	RefreshExpiresAt time.Time
}

// Store is the server's storage. Implementations are safe for concurrent use
// by many goroutines and by several server processes sharing one database:
// every method that must be atomic says so, and is atomic across processes.
type Store interface {
	// Accounts.
	CreateAccount(ctx context.Context, a *Account) error // ErrConflict if the email exists
	AccountByID(ctx context.Context, id string) (*Account, error)
	AccountByEmail(ctx context.Context, email string) (*Account, error)
	UpdateAccount(ctx context.Context, a *Account) error // writes every field except ID and CreatedAt
	// DeleteAccount removes the account and everything it holds: tokens,
	// challenges, sessions, identities, recovery codes, the vault.
	DeleteAccount(ctx context.Context, id string) error
	// DeleteUnactivatedBefore deletes (as DeleteAccount) every account
	// created before t that was never activated, and returns how many.
	DeleteUnactivatedBefore(ctx context.Context, t time.Time) (int, error)

	// External identities (OpenID Connect issuer + subject).
	LinkIdentity(ctx context.Context, issuer, subject, accountID string) error // ErrConflict if linked elsewhere
	AccountByIdentity(ctx context.Context, issuer, subject string) (*Account, error)

	// One-time tokens.
	PutToken(ctx context.Context, t *Token) error
	// ConsumeToken atomically deletes and returns the token with this hash and
	// purpose if it has not expired at now; otherwise ErrNotFound. A token can
	// be consumed once, even under concurrent attempts.
	ConsumeToken(ctx context.Context, hash []byte, purpose string, now time.Time) (*Token, error)
	DeleteTokens(ctx context.Context, accountID, purpose string) error
	// LatestToken returns the newest token of an account and purpose (used for
	// resend cooldowns); ErrNotFound when there is none.
	LatestToken(ctx context.Context, accountID, purpose string) (*Token, error)

	// Two-step challenges.
	PutChallenge(ctx context.Context, c *Challenge) error
	Challenge(ctx context.Context, id string) (*Challenge, error)
	// FailChallenge atomically adds one failure and returns the new count.
	FailChallenge(ctx context.Context, id string) (int, error)
	// ResendChallenge replaces the code and SentAt (and Method) but keeps Failures.
	ResendChallenge(ctx context.Context, id, method string, codeHash []byte, sentAt time.Time) error
	DeleteChallenge(ctx context.Context, id string) error
	// UseTOTPStep atomically records step as used if it is greater than the
	// account's LastTOTPStep; false when it was already used (replay).
	UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error)
	SetRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte) error
	// UseRecoveryCode atomically removes the code; false when it was not there.
	UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (bool, error)

	// Hit atomically adds one to the counter key and returns the new value.
	// A counter lives until expiresAt (set when it is created); after that it
	// starts again from zero. Exact under concurrency and across processes.
	Hit(ctx context.Context, key string, now, expiresAt time.Time) (int64, error)
	// Count returns the counter's current value (0 if absent or expired).
	Count(ctx context.Context, key string, now time.Time) (int64, error)
	ResetCounter(ctx context.Context, key string) error

	// Sessions.
	CreateSession(ctx context.Context, s *Session) error
	// SessionByAccess returns the session whose access token hash matches and
	// has not expired at now.
	SessionByAccess(ctx context.Context, accessHash []byte, now time.Time) (*Session, error)
	// RotateRefresh atomically replaces the session's tokens when refreshHash
	// is its current, unexpired refresh token. When refreshHash is the
	// previous one (a reuse), it deletes the session and returns
	// ErrRefreshReused. Otherwise ErrNotFound.
	RotateRefresh(ctx context.Context, refreshHash []byte, next SessionTokens, now time.Time) (*Session, error)
	Sessions(ctx context.Context, accountID string) ([]Session, error)
	DeleteSession(ctx context.Context, accountID, sessionID string) error // ErrNotFound if not this account's
	DeleteSessions(ctx context.Context, accountID string) error

	// Vault. The store keeps one increasing revision counter per account.
	VaultHeader(ctx context.Context, accountID string) (*api.VaultHeader, error) // ErrNotFound before the first upload
	PutVaultHeader(ctx context.Context, accountID string, h api.VaultHeader) error
	// Pull returns entries with revision > since, in increasing revision
	// order, at most limit of them, with the current revision and More.
	Pull(ctx context.Context, accountID string, since int64, limit int) (*api.PullResponse, error)
	// Push applies the changes in one transaction with compare-and-swap per
	// entry. The first answer for (accountID, req.IdempotencyKey) is stored
	// with the changes; a repeated key returns that answer and applies
	// nothing. A change whose BaseRevision does not match the entry's current
	// revision is rejected with the current copy in the result.
	Push(ctx context.Context, accountID string, req *api.PushRequest, now time.Time) (*api.PushResponse, error)
	Revision(ctx context.Context, accountID string) (int64, error)
	// Watch delivers the account's revision each time it grows (also when
	// another server process sharing the database wrote it), until ctx ends.
	// Slow readers may miss intermediate values but always get the latest.
	Watch(ctx context.Context, accountID string) (<-chan int64, error)

	// Close releases the store's resources.
	Close() error
}
