// Package mail sends the server's email: activation links, sign-in codes,
// password resets and account notices.
//
// Start with a [Mailer]: [NewSMTP] when an SMTP server is configured (a URL
// such as smtp://user:pass@mail.example.com:587?from=no-reply@example.com),
// otherwise [NewOutbox], which writes each message as an .eml file under the
// data directory and logs it, so a self-hosted server works with no mail
// setup at all (the activation link is in the log). Build messages with
// [NewTemplates] and the [Templates] methods, which take the configured
// public base URL: links are never built from a request's Host header, so a
// forged request cannot make the server mail a link to another site.
//
// [Compose] turns a [Message] into an RFC 5322 message: UTF-8 bodies in
// quoted-printable, multipart/alternative when there is an HTML body, MIME
// encoded-words for non-ASCII subjects, Date and Message-ID headers. Header
// values containing CR or LF are refused, so no caller can inject headers.
//
// # Security
//
// Messages carry one-time links and codes, never passwords. The outbox and
// the log it writes are therefore as sensitive as a mailbox: the outbox files
// are created 0600 in a 0700 directory. The SMTP mailer upgrades to TLS with
// STARTTLS whenever the server offers it, and refuses to send credentials
// over a connection without TLS unless the server is on the loopback
// interface.
package mail
