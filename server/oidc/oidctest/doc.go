// Package oidctest is a small but real OpenID Connect provider for tests,
// served over HTTP on 127.0.0.1: a discovery document, a JWKS with an ECDSA
// P-256 key generated at start, an authorization endpoint that signs the
// configured user in at once and redirects back with a code, and a token
// endpoint that checks the client's credentials, the redirect URI and the
// PKCE verifier before issuing an ES256-signed ID token.
//
// Call [Start] in a test, point the relying party at [Server.Issuer], and
// play the browser with [Server.Authorize]. [Server.Misbehave] makes the
// next ID tokens wrong in one way (nonce, audience, expiry, signature,
// issuer, access token hash) so the relying party's refusals can be tested.
package oidctest
