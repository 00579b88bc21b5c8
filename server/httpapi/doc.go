// Package httpapi is the sync server's HTTP face: the JSON API under /api/v1
// that the extension and the Go client use, the account portal's HTML pages,
// and /healthz. Build it with [New] from a [Config] (a server.Store, the
// password hasher, a mailer, the proof-of-work service, the profile rules)
// and serve [Server.Handler]; call [Server.Close] on shutdown.
//
// # Routes
//
//	GET    /healthz                          store reachable → 200 {"status":"ok"}
//	GET    /api/v1/policy/account            the account-password policy (wasm/policy JSON)
//	GET    /api/v1/profile/options           countries, time zones, date formats
//	GET    /api/v1/pow                       a proof-of-work challenge
//	POST   /api/v1/accounts                  register → 202 check_email (same for taken addresses)
//	POST   /api/v1/accounts/resend           new activation mail → 202 (same for any address)
//	POST   /api/v1/accounts/activate         {token} → account info
//	POST   /api/v1/password-reset            reset mail → 202 (same for any address)
//	POST   /api/v1/password-reset/confirm    {token, password} → 204, every device signed out
//	POST   /api/v1/sessions                  sign in → tokens or a two-step challenge
//	POST   /api/v1/sessions/verify           {challenge_id, method, code} → tokens
//	POST   /api/v1/sessions/resend           new code by email or SMS (failures kept)
//	POST   /api/v1/sessions/unlock           mail a code that gets the owner past a cool-down
//	POST   /api/v1/sessions/refresh          rotate the refresh token (reuse signs the device out)
//	POST   /api/v1/sessions/exchange         a one-time hand-off code → device tokens
//	GET    /api/v1/sessions                  devices (Bearer)
//	DELETE /api/v1/sessions                  sign out everywhere
//	DELETE /api/v1/sessions/current          sign this device out
//	DELETE /api/v1/sessions/{id}             sign one device out
//	GET    /api/v1/account                   account info
//	PUT    /api/v1/account/profile           country (required), time zone, date format
//	PUT    /api/v1/account/two-step          codes by email / SMS on or off
//	POST   /api/v1/account/totp              enrol an authenticator app (secret + otpauth URI)
//	POST   /api/v1/account/totp/confirm      first code → on, recovery codes
//	POST   /api/v1/account/totp/disable      {password}
//	POST   /api/v1/account/delete            {password} → account and vault deleted
//	GET    /api/v1/portal/auto-connect       portal cookie → one-time code for the extension
//	GET    /api/v1/vault                     vault header (Bearer, confirmed address)
//	PUT    /api/v1/vault                     store the header (KDF floors enforced)
//	GET    /api/v1/vault/entries             pull ?since=R&limit=N (gzip when accepted)
//	POST   /api/v1/vault/entries             push (compare-and-swap, idempotency key)
//	GET    /api/v1/vault/revision            the current revision
//	GET    /api/v1/vault/events              server-sent events: "revision" on every change
//	GET    /api/v1/oidc/providers            configured identity providers
//	GET    /oidc/{provider}/start            to the provider (?redirect_uri= for the extension)
//	GET    /oidc/callback                    back from the provider
//	GET    /register /activate /profile /signin /reset /reset/confirm /account   portal pages
//
// # Security
//
// Every answer carries a content security policy (nothing at all may load
// from API answers; the portal loads only its own CSS and one script, with
// no inline script), frame-ancestors 'none', nosniff, no-referrer, and HSTS
// when the public URL is https. Bodies are bounded and JSON is decoded
// strictly (one value, known fields, valid UTF-8). Links in mail are built
// from the configured public URL only, never from the Host header. Secrets
// the server hands out are 256-bit random tokens stored as SHA-256 hashes;
// two-step codes are bound to their challenge. Throttling counts attempts
// in the store (Store.Hit) before checking them, so limits are exact under
// concurrent bursts and shared by every instance. The access log holds the
// method, route pattern, status, size, duration and client address: never a
// body, a query string, a cookie or an Authorization header.
//
// # Sessions and revocation
//
// The vault routes, which devices call every few seconds, remember for
// Config.AuthCacheTTL (10 s by default) which session and account an access
// token resolved to, instead of two store reads per request. Every change
// made through this instance that ends sessions (signing out one device or
// all, refresh rotation or reuse, password reset, account deletion or
// update) drops the affected entries at once. A change made through another
// instance sharing the database takes effect here within the TTL; set it
// negative to ask the store on every request. Account routes always read
// the account fresh.
//
// # Enumeration
//
// Registration, activation resend, password reset and the sign-in unlock
// answer the same for registered and unknown addresses; sign-in failures are
// one generic answer and cost one Argon2id verification either way.
package httpapi
