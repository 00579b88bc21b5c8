// Package smtpsink is a real SMTP server that keeps every message it
// receives in memory, for tests: the server's mailer talks SMTP to it, and
// the test reads the decoded message (subject, text and HTML bodies, links)
// back.
//
// In a Go test, call [Start]; it listens on 127.0.0.1 on a free port and
// stops when the test ends. Wait for a message with [Sink.WaitFor] and pull
// the activation link out with [Message.Links]. Outside Go tests, [Listen]
// starts one on a given address (cmd/watchword-smtpsink serves the captured
// messages as JSON for the browser end-to-end tests).
//
// [Options] can require AUTH PLAIN with fixed credentials and offer
// STARTTLS, so both the plain and the authenticated paths of a mailer are
// tested against a real protocol exchange.
package smtpsink
