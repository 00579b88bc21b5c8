// Command watchword-idp runs an OpenID Connect provider on a loopback
// address that signs one configured person in at once, with no page to click
// through: the identity provider the end-to-end tests point the server's
// -oidc setting at, so "Sign in with …" in the extension runs its real path
// (chrome.identity.launchWebAuthFlow → the server's start URL → this
// provider → the server's callback, which verifies the ES256 ID token and
// its nonce and PKCE → the extension's identity redirect with a one-time
// code).
//
//	watchword-idp -addr 127.0.0.1:9400 -redirect http://127.0.0.1:8080/oidc/callback -email ada@example.org
//
// Once it listens it prints one JSON line to stdout:
//
//	{"issuer":"http://127.0.0.1:9400","client_id":"watchword-test","client_secret":"…"}
//
// which is what the server's -oidc "id|Name|issuer|client_id|client_secret"
// needs. It refuses any address that is not loopback: a provider that signs
// anyone in must never be reachable from another machine. The provider
// itself is package watchword/server/oidc/oidctest, the one the server's Go
// tests use.
package main
