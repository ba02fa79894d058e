package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// requestIDHeader is read from requests (when a proxy set it) and always
// written to answers.
const requestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an X-Request-Id taken from a client.
const maxRequestIDLen = 128

// requestInfo is what the handlers tell the access log about a request.
type requestInfo struct {
	id        string
	outcome   string // POST /detect only
	errCode   string
	codes     int
	bodyBytes int
}

type requestInfoKey struct{}

// requestInfoFrom returns the request's info record (a throwaway one
// outside the middleware, as in handler unit tests).
func requestInfoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// validRequestID reports whether a client's X-Request-Id can be echoed in
// headers and logs: 1..128 printable ASCII characters.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// newRequestID returns 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand contract since Go 1.24)
	return hex.EncodeToString(b[:])
}

// statusWriter records the status and size of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
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
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushing).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware gives every request an id (the client's X-Request-Id when
// valid), recovers a panicking handler with a 500 JSON answer and logs one
// line per request.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: r.Header.Get(requestIDHeader)}
		if !validRequestID(info.id) {
			info.id = newRequestID()
		}
		w.Header().Set(requestIDHeader, info.id)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // net/http's own way to abort a response
				}
				s.log.Error("panic in handler", "request_id", info.id, "panic", v, "stack", string(debug.Stack()))
				if r.URL.Path == "/detect" && r.Method == http.MethodPost {
					info.outcome = outcomeError
					s.metrics.observeRequest(outcomeError, time.Since(start))
				}
				if sw.status == 0 {
					s.writeError(sw, &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "internal error; see the server log for request id " + info.id})
				}
			}
			s.logRequest(r, sw, info, time.Since(start))
		}()
		next.ServeHTTP(sw, r)
	})
}

// logRequest writes the access-log line: info for answers, warn for 5xx.
func (s *Server) logRequest(r *http.Request, sw *statusWriter, info *requestInfo, d time.Duration) {
	status := sw.status
	if status == 0 {
		status = statusClientClosed // nothing written: the client went away
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
		level = slog.LevelDebug // probes and scrapes would drown the log
	}
	if !s.log.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", info.id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.Int("response_bytes", sw.bytes),
		slog.String("remote", r.RemoteAddr),
	}
	if info.outcome != "" {
		attrs = append(attrs, slog.String("outcome", info.outcome), slog.Int("codes", info.codes), slog.Int("body_bytes", info.bodyBytes))
	}
	if info.errCode != "" {
		attrs = append(attrs, slog.String("error", info.errCode))
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}
