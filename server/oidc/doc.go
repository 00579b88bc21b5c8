// Package oidc is the relying-party side of OpenID Connect sign-in ("Sign
// in with ..."): the authorization code flow with PKCE (S256), state and
// nonce, on github.com/coreos/go-oidc/v3 and golang.org/x/oauth2.
//
// Start with [New] for each configured identity provider (it fetches the
// provider's discovery document, so call it at start-up). Then, per
// sign-in:
//
//  1. make a state, a nonce ([RandomToken]) and a PKCE verifier
//     ([GenerateVerifier]); keep them server-side (a one-time token keyed
//     by the state) and redirect the browser to [Provider.AuthURL];
//  2. when the browser comes back to the redirect URL, look the state up
//     (consuming it), and call [Provider.Exchange] with the code and the
//     kept verifier and nonce. It returns the verified [Identity]; link
//     accounts by Issuer and Subject, never by email alone.
//
// # Security
//
// Exchange verifies the ID token's signature against the provider's JWKS,
// its issuer, audience (and authorized party when there are several
// audiences), expiry, the nonce (constant-time) and, when present, the
// access token hash. Every failure of the token itself wraps
// [ErrInvalidToken]. Issuer and redirect URLs must be https except on a
// loopback host. The client secret must be kept secret.
package oidc
