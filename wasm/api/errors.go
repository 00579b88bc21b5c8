package api

import (
	"errors"
	"fmt"
)

// Code is one of a closed set of machine-readable error codes. The same set is
// used by the server's JSON error bodies and by the JavaScript bridge, and is
// mirrored (once) in extension/messages.js; a test keeps the two in step.
type Code string

// The closed set of error codes. Add a code here, in Codes, and in
// extension/messages.js together.
const (
	CodeBadRequest       Code = "bad_request"       // malformed input: bad JSON, wrong type, bad encoding
	CodeInvalid          Code = "invalid"           // well-formed but refused: a failed policy rule, an unknown country
	CodeUnauthorized     Code = "unauthorized"      // missing, expired or wrong credentials (one generic answer)
	CodeForbidden        Code = "forbidden"         // authenticated but not allowed
	CodeNotFound         Code = "not_found"         // nothing there (or not yours)
	CodeConflict         Code = "conflict"          // a compare-and-swap or uniqueness clash
	CodeTooLarge         Code = "too_large"         // request body or page over the limit
	CodeUnsupportedMedia Code = "unsupported_media" // wrong Content-Type
	CodeRateLimited      Code = "rate_limited"      // slow down; Retry-After says when
	CodeTwoStepRequired  Code = "two_step_required" // password accepted, a second factor is needed
	CodeNotActivated     Code = "not_activated"     // the address is not confirmed yet
	CodeWrongPassword    Code = "wrong_password"    // the master password does not open this vault
	CodeDecrypt          Code = "decrypt_failed"    // a ciphertext failed authentication (tampered, moved, wrong key)
	CodeLocked           Code = "locked"            // the vault is locked; unlock first
	CodeNetwork          Code = "network"           // the server could not be reached
	CodeBadServerAnswer  Code = "bad_server_answer" // the server answered something malformed or hostile
	CodeUnsupported      Code = "unsupported"       // a version or algorithm this build does not know
	CodeInternal         Code = "internal"          // a bug; details are in the log, never in the message
)

// Codes lists every Code, in declaration order.
var Codes = []Code{
	CodeBadRequest, CodeInvalid, CodeUnauthorized, CodeForbidden, CodeNotFound,
	CodeConflict, CodeTooLarge, CodeUnsupportedMedia, CodeRateLimited,
	CodeTwoStepRequired, CodeNotActivated, CodeWrongPassword, CodeDecrypt,
	CodeLocked, CodeNetwork, CodeBadServerAnswer, CodeUnsupported, CodeInternal,
}

// Error is the one error type that crosses a boundary. Message is for people
// and never carries secrets; Details optionally carries machine-readable ids
// (for example the ids of failed policy rules).
type Error struct {
	Code    Code     `json:"code"`
	Message string   `json:"message"`
	Details []string `json:"details,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// NewError returns an *Error with the given code and message.
func NewError(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Errorf returns an *Error with the given code and a formatted message.
// (The core builds its messages with NewError: core.wasm links no fmt.)
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the Code of the first *Error in err's chain, or CodeInternal
// when there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorResponse is the JSON body of every non-2xx server answer.
type ErrorResponse struct {
	Error     Error  `json:"error"`
	RequestID string `json:"request_id,omitempty"`
}
