package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"watchword/wasm/api"
)

// statusOf is the one table from error code to HTTP status. Codes that only
// occur on the client side (wrong_password, decrypt_failed, locked, network,
// bad_server_answer) never leave the server, but map somewhere sane anyway.
var statusOf = map[api.Code]int{
	api.CodeBadRequest:       http.StatusBadRequest,
	api.CodeInvalid:          http.StatusUnprocessableEntity,
	api.CodeUnauthorized:     http.StatusUnauthorized,
	api.CodeForbidden:        http.StatusForbidden,
	api.CodeNotFound:         http.StatusNotFound,
	api.CodeConflict:         http.StatusConflict,
	api.CodeTooLarge:         http.StatusRequestEntityTooLarge,
	api.CodeUnsupportedMedia: http.StatusUnsupportedMediaType,
	api.CodeRateLimited:      http.StatusTooManyRequests,
	api.CodeTwoStepRequired:  http.StatusUnauthorized,
	api.CodeNotActivated:     http.StatusForbidden,
	api.CodeWrongPassword:    http.StatusUnauthorized,
	api.CodeDecrypt:          http.StatusBadRequest,
	api.CodeLocked:           http.StatusForbidden,
	api.CodeNetwork:          http.StatusBadGateway,
	api.CodeBadServerAnswer:  http.StatusBadGateway,
	api.CodeUnsupported:      http.StatusBadRequest,
	api.CodeInternal:         http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error code.
func StatusOf(c api.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errGeneric is the one answer to every failed sign-in, whatever failed.
var errGeneric = api.Errorf(api.CodeUnauthorized, "the email address or password is not right")

// retryAfterError is an api.Error that also sets Retry-After.
type retryAfterError struct {
	err   *api.Error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

func rateLimited(after time.Duration, format string, args ...any) error {
	return &retryAfterError{api.Errorf(api.CodeRateLimited, format, args...), after}
}

// writeJSON writes v with the given status. The API never lets a cache keep
// an answer: they are per-account and often carry tokens.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONHeaders(w, status, v, nil)
}

// writeJSONHeaders is writeJSON with a hook to adjust headers last.
func writeJSONHeaders(w http.ResponseWriter, status int, v any, adjust func()) {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		// Only our own types are marshalled; this is a programming error.
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Cache-Control"] = noStore
	if adjust != nil {
		adjust()
	}
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Header values every JSON answer carries (see securityHeaders on why
// sharing them is safe).
var (
	jsonContentType = oneValue("application/json; charset=utf-8")
	noStore         = oneValue("no-store")
)

// maxPooledBuffer keeps the odd large answer (a full pull page) from
// pinning its memory in the pool.
const maxPooledBuffer = 1 << 20

var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufferPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bufferPool.Put(b)
}

// writeError answers err as an api.ErrorResponse. An error that is not an
// *api.Error is a bug or an infrastructure failure: it is logged with the
// request id and the client sees only "internal".
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *api.Error
	if !errors.As(err, &ae) {
		logger(r).ErrorContext(r.Context(), "request failed", slog.String("err", err.Error()))
		ae = api.Errorf(api.CodeInternal, "internal error")
	}
	var ra *retryAfterError
	if errors.As(err, &ra) && ra.after > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((ra.after+time.Second-1)/time.Second)))
	}
	writeJSON(w, StatusOf(ae.Code), api.ErrorResponse{Error: *ae, RequestID: requestID(r)})
}
