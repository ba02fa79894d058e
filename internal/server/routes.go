package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// route is one path of the service and the methods it answers.
type route struct {
	methods []string
	handler http.HandlerFunc
}

// routes returns the service's router. Unknown paths get a JSON 404, known
// paths with another method a JSON 405 with Allow.
func (s *Server) routes() http.Handler {
	metrics := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		ErrorLog: slogPrinter{s}, Registry: s.registry, MaxRequestsInFlight: 4,
	})
	table := map[string]route{
		"/":             {[]string{http.MethodGet, http.MethodHead}, s.handleIndex},
		"/detect":       {[]string{http.MethodPost}, s.handleDetect},
		"/healthz":      {[]string{http.MethodGet, http.MethodHead}, s.handleHealthz},
		"/readyz":       {[]string{http.MethodGet, http.MethodHead}, s.handleReadyz},
		"/metrics":      {[]string{http.MethodGet, http.MethodHead}, metrics.ServeHTTP},
		"/openapi.json": {[]string{http.MethodGet, http.MethodHead}, s.handleOpenAPI},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := table[r.URL.Path]
		if !ok {
			s.writeError(w, &apiError{Status: http.StatusNotFound, Code: codeNotFound,
				Message: "no such path: " + r.URL.Path + " (POST /detect reads an image)"})
			return
		}
		for _, m := range rt.methods {
			if r.Method == m {
				rt.handler(w, r)
				return
			}
		}
		w.Header().Set("Allow", strings.Join(rt.methods, ", "))
		s.writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Code: codeMethod,
			Message: r.Method + " " + r.URL.Path + ": use " + strings.Join(rt.methods, " or ")})
	})
}

// slogPrinter adapts the server's logger to promhttp's error log.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) {
	p.s.log.Error("metrics", "err", strings.TrimSpace(fmt.Sprintln(v...)))
}

// handleHealthz answers liveness probes: the process serves HTTP.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers readiness probes: 503 while shutting down or when
// Config.Ready reports an error, so that load balancers stop sending
// traffic before the listener closes.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.writeError(w, &apiError{Status: http.StatusServiceUnavailable, Code: codeShuttingDown, Message: "shutting down"})
		return
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(); err != nil {
			s.writeError(w, &apiError{Status: http.StatusServiceUnavailable, Code: codeInternal, Message: "not ready: " + err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "modes": s.modes})
}

// indexInfo is the JSON of GET /.
type indexInfo struct {
	Service   string            `json:"service"`
	Version   string            `json:"version"`
	About     string            `json:"about"`
	Modes     []string          `json:"modes"`
	Endpoints map[string]string `json:"endpoints"`
}

// handleIndex says what this is: HTML for browsers, JSON otherwise.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	info := indexInfo{
		Service: "qrcascade", Version: s.cfg.Version,
		About: "QR code reading for invoice pipelines: POST an image to /detect, get the codes back as JSON.",
		Modes: s.modes,
		Endpoints: map[string]string{
			"POST /detect":      "raw image body (any content type) or multipart field \"image\"; query mode=, multi=, invoice=, explain=, max_pages=, pages=, stop=invoice, dpi=",
			"GET /healthz":      "liveness",
			"GET /readyz":       "readiness (fails while shutting down)",
			"GET /metrics":      "Prometheus metrics",
			"GET /openapi.json": "the OpenAPI 3.1 contract of this API",
			"GET /":             "this description; the operator page for browsers (Accept: text/html)",
		},
	}
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		s.writeOperatorPage(w, r)
		return
	}
	writeJSON(w, http.StatusOK, info)
}
