package api

import "time"

// Account and session wire types: the JSON bodies of the account endpoints
// under /api/v1 (registration, activation, sign-in, two-step codes, device
// sessions, profile, policy and proof-of-work). Every field is documented
// where it is declared; secrets (passwords, codes, tokens) appear only in
// requests and in the token answers that hand them out.

// PoWChallenge answers GET /api/v1/pow: a signed, short-lived challenge. The
// client finds a Nonce (1 to 64 characters of [A-Za-z0-9_-]; counting up in
// decimal works) such that SHA-256(Challenge || Nonce) starts with
// Difficulty zero bits, and sends both back in PoWSolution. Each challenge
// is accepted once.
type PoWChallenge struct {
	Challenge  string    `json:"challenge"`  // opaque, signed by the server
	Difficulty int       `json:"difficulty"` // leading zero bits required
	ExpiresAt  time.Time `json:"expires_at"` // solve and send before this
}

// PoWSolution is a solved PoWChallenge, sent with a registration.
type PoWSolution struct {
	Challenge string `json:"challenge"` // exactly as received
	Nonce     string `json:"nonce"`     // the client's answer, at most 64 characters
}

// Statement decisions: the user accepted or skipped the statement on data
// processing for marketing purposes.
const (
	StatementAccepted = "accepted"
	StatementSkipped  = "skipped"
)

// StatementDecision records what the user chose for the marketing statement
// and which version of the statement they saw. The server stamps the time.
type StatementDecision struct {
	Decision string `json:"decision"` // StatementAccepted or StatementSkipped
	Version  string `json:"version"`  // the statement version shown, e.g. "2026-01"
}

// RegisterRequest is the body of POST /api/v1/accounts. Every answer to it
// that passes validation is the same 202 RegisterResponse, whether or not the
// address was already registered (an existing owner gets a notice email).
type RegisterRequest struct {
	Email            string            `json:"email"`
	Password         string            `json:"password"`          // the account password (not the master password)
	MarketingConsent bool              `json:"marketing_consent"` // "Send me product news and offers by email"
	Statement        StatementDecision `json:"statement"`
	PoW              PoWSolution       `json:"pow"`
}

// RegisterResponse answers a registration (and a resend): check your email.
type RegisterResponse struct {
	Status string `json:"status"` // always "check_email"
}

// EmailRequest is the body of the requests that name only an address:
// POST /api/v1/accounts/resend, /api/v1/password-reset and
// /api/v1/sessions/unlock. Their answers never reveal whether it exists.
type EmailRequest struct {
	Email string `json:"email"`
}

// TokenRequest carries a single-use token from an emailed link or an
// auto-connect / identity-provider hand-off:
// POST /api/v1/accounts/activate, /api/v1/sessions/exchange.
type TokenRequest struct {
	Token      string `json:"token"`
	DeviceName string `json:"device_name,omitempty"` // for hand-offs that create a device session
}

// PasswordResetConfirm is the body of POST /api/v1/password-reset/confirm.
type PasswordResetConfirm struct {
	Token    string `json:"token"`    // from the emailed link
	Password string `json:"password"` // the new account password
}

// SignInRequest is the body of POST /api/v1/sessions. UnlockChallenge and
// UnlockCode are needed only when the address is cooled down after too many
// failures: the owner asks for a code by email (POST /api/v1/sessions/unlock)
// and signs in with password and code together.
type SignInRequest struct {
	Email           string `json:"email"`
	Password        string `json:"password"`
	DeviceName      string `json:"device_name"` // shown in the device list, e.g. "Firefox on laptop"
	UnlockChallenge string `json:"unlock_challenge,omitempty"`
	UnlockCode      string `json:"unlock_code,omitempty"`
}

// Two-step methods.
const (
	MethodTOTP     = "totp"
	MethodEmail    = "email"
	MethodSMS      = "sms"
	MethodRecovery = "recovery"
)

// TwoStepChallenge says the password was right and a code is needed. Methods
// lists every method the account can use ("I didn't get a code" offers the
// others); Method is the one a code was sent for (or "totp").
type TwoStepChallenge struct {
	ChallengeID  string    `json:"challenge_id"`
	Method       string    `json:"method"`
	Methods      []string  `json:"methods"`
	ExpiresAt    time.Time `json:"expires_at"`
	ResendAfter  time.Time `json:"resend_after,omitzero"`   // earliest resend for email/SMS
	MaskedTarget string    `json:"masked_target,omitempty"` // e.g. "a***@example.org" or "+49•••••12"
}

// SignInResponse answers POST /api/v1/sessions and the hand-off exchanges:
// exactly one of Tokens and TwoStep is set.
type SignInResponse struct {
	Tokens  *Tokens           `json:"tokens,omitempty"`
	TwoStep *TwoStepChallenge `json:"two_step,omitempty"`
}

// Tokens are a device session's credentials; they must be kept secret.
// AccessToken goes in "Authorization: Bearer"; RefreshToken is presented
// once to POST /api/v1/sessions/refresh for a new pair (a reused refresh
// token signs the device out).
type Tokens struct {
	AccessToken      string    `json:"access_token"`
	AccessExpiresAt  time.Time `json:"access_expires_at"`
	RefreshToken     string    `json:"refresh_token"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	SessionID        string    `json:"session_id"`
	AccountID        string    `json:"account_id"` // namespaces the client's local storage
	Email            string    `json:"email"`
	Activated        bool      `json:"activated"` // false: vault calls answer not_activated until confirmed
}

// VerifyRequest is the body of POST /api/v1/sessions/verify.
type VerifyRequest struct {
	ChallengeID string `json:"challenge_id"`
	Method      string `json:"method"` // totp, email, sms or recovery
	Code        string `json:"code"`   // 6 digits, or a recovery code
}

// ResendRequest is the body of POST /api/v1/sessions/resend: send a new code
// by Method (email or sms). Failures already counted stay counted.
type ResendRequest struct {
	ChallengeID string `json:"challenge_id"`
	Method      string `json:"method"`
}

// UnlockResponse answers POST /api/v1/sessions/unlock with a challenge id for
// SignInRequest.UnlockChallenge (the same shape for unknown addresses).
type UnlockResponse struct {
	ChallengeID string `json:"challenge_id"`
}

// RefreshRequest is the body of POST /api/v1/sessions/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// Device is one signed-in device in GET /api/v1/sessions.
type Device struct {
	SessionID  string    `json:"session_id"`
	DeviceName string    `json:"device_name"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	Current    bool      `json:"current"` // the session making this request
	Portal     bool      `json:"portal"`  // a browser session on the portal
}

// DevicesResponse answers GET /api/v1/sessions.
type DevicesResponse struct {
	Devices []Device `json:"devices"`
}

// Profile is the account profile, PUT /api/v1/account/profile and part of
// AccountInfo. Country is required (ISO 3166-1 alpha-2); TimeZone is an IANA
// name; DateFormat is one of the formats GET /api/v1/profile/options lists.
type Profile struct {
	Country    string `json:"country"`
	TimeZone   string `json:"time_zone"`
	DateFormat string `json:"date_format"`
}

// AccountInfo answers GET /api/v1/account.
type AccountInfo struct {
	AccountID        string    `json:"account_id"`
	Email            string    `json:"email"`
	Activated        bool      `json:"activated"`
	CreatedAt        time.Time `json:"created_at"`
	MarketingConsent bool      `json:"marketing_consent"`
	Profile          Profile   `json:"profile"`
	TwoStep          TwoStep   `json:"two_step"`
}

// TwoStep is the account's two-step settings (never the TOTP secret).
type TwoStep struct {
	TOTP       bool   `json:"totp"`
	EmailCodes bool   `json:"email_codes"`
	SMSCodes   bool   `json:"sms_codes"`
	Phone      string `json:"phone,omitempty"` // masked
}

// TwoStepSettings is the body of PUT /api/v1/account/two-step: switch codes
// by email or SMS on or off. Phone is E.164 ("+4915112345678").
type TwoStepSettings struct {
	EmailCodes bool   `json:"email_codes"`
	SMSCodes   bool   `json:"sms_codes"`
	Phone      string `json:"phone,omitempty"`
}

// TOTPEnrolment answers POST /api/v1/account/totp: the secret (must be kept
// secret) and the otpauth:// URI an authenticator app scans. It is not active
// until confirmed with a code.
type TOTPEnrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"uri"`
}

// CodeRequest is the body of POST /api/v1/account/totp/confirm.
type CodeRequest struct {
	Code string `json:"code"`
}

// RecoveryCodes answers a confirmed TOTP enrolment: single-use codes for
// when the authenticator is lost; shown once, stored hashed.
type RecoveryCodes struct {
	Codes []string `json:"codes"`
}

// PasswordRequest re-enters the account password for a sensitive action:
// POST /api/v1/account/delete, DELETE-like disable of TOTP.
type PasswordRequest struct {
	Password string `json:"password"`
}

// AutoConnect answers GET /api/v1/portal/auto-connect for a signed-in portal
// browser session: a one-time Code (valid for a minute or two) that the
// extension exchanges at POST /api/v1/sessions/exchange to "continue as"
// Email.
type AutoConnect struct {
	Email     string    `json:"email"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// IdentityProvider is one configured OpenID Connect provider
// (GET /api/v1/oidc/providers). The extension opens StartURL with
// ?redirect_uri=<its identity redirect URL>; the provider's answer ends on
// that redirect with ?code=<one-time code> for POST /api/v1/sessions/exchange.
type IdentityProvider struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	StartURL string `json:"start_url"`
}

// IdentityProviders answers GET /api/v1/oidc/providers.
type IdentityProviders struct {
	Providers []IdentityProvider `json:"providers"`
}

// Country is one country or region of ISO 3166-1 (alpha-2 code and English
// short name).
type Country struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// DateFormat is one date format a profile may choose: ID is what
// Profile.DateFormat holds, Label is an example rendering.
type DateFormat struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// ProfileOptions answers GET /api/v1/profile/options: the choices the
// profile form offers, so every client shows the same lists.
type ProfileOptions struct {
	Countries   []Country    `json:"countries"`
	TimeZones   []string     `json:"time_zones"`
	DateFormats []DateFormat `json:"date_formats"`
}
