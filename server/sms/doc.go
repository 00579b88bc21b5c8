// Package sms sends text messages (two-step sign-in codes) through an SMS
// gateway reached by a webhook, and validates phone numbers.
//
// Start with [NewWebhook]: each [Webhook.Send] POSTs
//
//	{"to": "+4915112345678", "message": "..."}
//
// as application/json to the configured URL, and any answer other than 2xx
// is an error. The gateway can authenticate the server by a bearer token
// (Authorization: Bearer ...) and/or an HMAC signature header:
//
//	Watchword-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key, t + "." + body)>
//
// which binds the body to a time, so a captured request cannot be replayed
// later; [VerifySignature] is the gateway-side check. Use [ParsePhone] on
// user input and [CodeMessage] for the text.
//
// # Security
//
// The webhook URL must be https (http only to a loopback host, for a gateway
// on the same machine), redirects are not followed (a redirect could send the
// code elsewhere), and error messages never include the token or the
// message text.
package sms
