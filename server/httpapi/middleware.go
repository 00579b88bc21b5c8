package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

type ctxKey int

const (
	ctxRequest ctxKey = iota
	ctxAuth
)

// requestInfo is what the middleware knows about a request, kept in its
// context as one value. The request's logger is made only when a handler
// logs: most requests log nothing but the access line.
type requestInfo struct {
	id, ip string
	base   *slog.Logger
	once   sync.Once
	log    *slog.Logger
}

func (ri *requestInfo) logger() *slog.Logger {
	ri.once.Do(func() { ri.log = ri.base.With(slog.String("request_id", ri.id)) })
	return ri.log
}

func infoOf(r *http.Request) *requestInfo {
	ri, _ := r.Context().Value(ctxRequest).(*requestInfo)
	return ri
}

func requestID(r *http.Request) string {
	if ri := infoOf(r); ri != nil {
		return ri.id
	}
	return ""
}

func logger(r *http.Request) *slog.Logger {
	if ri := infoOf(r); ri != nil {
		return ri.logger()
	}
	return slog.Default()
}

func clientIP(r *http.Request) string {
	if ri := infoOf(r); ri != nil {
		return ri.ip
	}
	return ""
}

// statusWriter records the status and size for the access log. It passes
// Flush through so server-sent events stream.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap applies the middleware every request goes through, outermost first:
// request id and client address, access log, panic recovery, security
// headers.
func (s *Server) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var idb [12]byte
		rand.Read(idb[:])
		id := hex.EncodeToString(idb[:])
		ri := &requestInfo{id: id, ip: s.clientAddr(r), base: s.log}
		r = r.WithContext(context.WithValue(r.Context(), ctxRequest, ri))

		sw := &statusWriter{ResponseWriter: w}
		s.securityHeaders(sw.Header(), r)
		sw.Header()["X-Request-Id"] = []string{id}

		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				ri.logger().Error("panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					writeError(sw, r, errInternal)
				}
			}
			// The access log names the route pattern, never the raw query
			// (activation and reset links carry tokens there), never a body
			// and never a header value. LogAttrs with the request id first
			// writes what logger(r).Info would, without building a logger.
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("route", routeOf(r)),
				slog.Int("status", sw.status),
				slog.Int64("bytes", sw.bytes),
				slog.String("ip", ri.ip),
				slog.Duration("duration", time.Since(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}

var errInternal = errorString("internal error")

type errorString string

func (e errorString) Error() string { return string(e) }

// routeOf is the matched mux pattern, or the path when nothing matched and
// the path is not a token-bearing one.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return "(unmatched)"
}

// securityHeaders sets the headers every answer carries. The API and the
// portal differ only in the content security policy: API answers are never
// rendered, so they may load nothing at all.
func (s *Server) securityHeaders(h http.Header, r *http.Request) {
	for _, kv := range commonSecurityHeaders {
		h[kv.key] = kv.value
	}
	if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz" {
		h["Content-Security-Policy"] = apiCSP
	} else {
		h["Content-Security-Policy"] = portalCSP
	}
	if s.https {
		h["Strict-Transport-Security"] = hsts
	}
}

// The security headers' values, built once. Keys are in canonical form
// and each value slice has exactly its length as capacity, so a handler
// that calls Header().Add on one of them gets a new slice and never
// changes these.
type headerValue struct {
	key   string
	value []string
}

func oneValue(v string) []string { return []string{v}[:1:1] }

var (
	commonSecurityHeaders = []headerValue{
		{"X-Content-Type-Options", oneValue("nosniff")},
		{"X-Frame-Options", oneValue("DENY")},
		{"Referrer-Policy", oneValue("no-referrer")},
		{"Cross-Origin-Opener-Policy", oneValue("same-origin")},
		{"Cross-Origin-Resource-Policy", oneValue("same-origin")},
		{"Permissions-Policy", oneValue("camera=(), microphone=(), geolocation=(), payment=()")},
	}
	apiCSP    = oneValue("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	portalCSP = oneValue("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hsts      = oneValue("max-age=63072000; includeSubDomains")
)

// clientAddr is the address rate limits are keyed by. X-Forwarded-For is
// believed only when the direct peer is a configured trusted proxy; then the
// right-most address that is not itself a trusted proxy is the client.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	var all []string
	for _, h := range hops {
		all = append(all, strings.Split(h, ",")...)
	}
	for i := len(all) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(all[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a.String()
		}
	}
	return peer.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
