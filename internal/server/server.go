// Package server is qrcascade's HTTP service: POST /detect reads the QR
// codes in one image, GET /metrics exposes Prometheus metrics, GET /healthz
// and GET /readyz answer orchestrator probes.
//
// It is a drop-in replacement for the old Python fallback service, which
// answered POST /detect on 127.0.0.1:8008 with {"success", "data", "model",
// "latency_ms"}: those fields keep their meaning, and the response adds
// timings, every code with its corners, tier and strategy, and the image's
// format and size (see docs/SERVICE.md for the schema).
//
// # Admission control
//
// Decoding is CPU-bound, so the service bounds the work in flight instead of
// letting every connection start a decode and all of them finish late. A
// request passes these gates (#17):
//
//  1. A connection: at most MaxConns are open. At the cap, the connection
//     idle longest (or silent since it opened) is closed to make room; when
//     every connection is busy the new one gets a canned 503 (conns.go).
//  2. Before its body is read: when every decode slot and queue place is
//     taken (still after OverloadPause, which paces clients that retry at
//     once), or the server is shutting down, the request is answered 503
//     with Retry-After and Connection: close without reading the body: a
//     rejection costs the headers, not the upload.
//  3. The body is received in full, within ReadTimeout and at MinBodyRate
//     on average after BodyGrace (else 408 and the connection closes), into
//     chunks reserved from BodyMemory (else 503) (upload.go). A request
//     holds no queue place and no decode slot while its body arrives, so
//     slow uploaders cannot lock others out.
//  4. Admission: at most MaxConcurrent+QueueLength received requests are
//     admitted at once; beyond, 503.
//  5. A decode slot: at most MaxConcurrent decodes run at once; admitted
//     requests wait for a slot in arrival order (the queue). A request whose
//     deadline passes while it waits is answered 503 as well: it never
//     started, so the client may retry elsewhere.
//
// A request that got a slot runs to completion or to its deadline
// (RequestTimeout), which is answered 504.
//
// Weak spots: the queue is FIFO per Go's channel semantics, not strictly
// fair under contention; a body that passed gate 2 may still find the
// queue full once received (4) and be answered 503 after its upload.
//
// # Errors
//
// Every error is JSON, {"error": {"code": "...", "message": "..."}}, with
// the status chosen from the typed errors of the qrcascade package
// (errors.As, never string matching): 400 malformed or empty image, bad
// query; 408 body too slow; 413 body or pixel count over the limit; 415
// unsupported format; 503 overloaded (with Retry-After); 504 deadline; 404
// unknown path; 405 wrong method (with Allow); 500 a bug (a panic is
// recovered per request). Messages say what is wrong with the input in the
// client's terms; internal details (package names, offsets, the failing
// component) go to the log only.
//
// # Partial results
//
// When a tier due to run cannot (its model refused by the memory budget or
// unavailable), the answer is 200 with what the earlier tiers read,
// "partial": true and the skipped runs in "skipped"
// (qrcascade.Result.Skipped), counted in qrcascade_tier_skipped_total.
//
// A Server holds no global state: its metrics live in the registry given in
// Config (or its own), so several Servers can run in one process (tests do).
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/qrcascade/qrcascade"
)

// DefaultAddr is the listen address of the service it replaces.
const DefaultAddr = "127.0.0.1:8008"

// ImageReader reads the codes in an encoded image. *qrcascade.Reader
// implements it; tests substitute slow or failing readers. Read must be safe
// for concurrent use and must honour ctx's deadline.
type ImageReader interface {
	Read(ctx context.Context, data []byte) (*qrcascade.Result, error)
}

// Preflighter is implemented by an ImageReader that can judge an input's
// total work (pages × pixels) from its headers, cheaply and without
// decoding pixels. When the reader of a request implements it, Preflight
// runs on the received body before the request takes a queue place or a
// decode slot, so an input over the limits is answered (413 for a
// *qrcascade.LimitError, via the usual error mapping) without occupying a
// slot (#17). Preflight must be safe for concurrent use and must not keep
// data.
type Preflighter interface {
	Preflight(data []byte) error
}

// InvoiceFunc parses a code's text into invoice fields for requests with
// invoice=1. It returns a nil value when the text is not a known invoice
// scheme; otherwise the value, marshalled to JSON as the code's "invoice"
// member, and the scheme id (a label of qrcascade_invoice_reads_total). It
// must be safe for concurrent use.
type InvoiceFunc func(text string) (value any, scheme string)

// ModelStatus reports the neural models' lifecycle for the metrics
// qrcascade_model_loaded, qrcascade_model_loads_total and
// qrcascade_model_unloads_total. The cascade implements it; its methods must
// be safe for concurrent use and cheap (they run on every scrape).
type ModelStatus interface {
	ModelLoaded(model qrcascade.Model) bool
	ModelLoads(model qrcascade.Model) uint64
	ModelUnloads(model qrcascade.Model) uint64
}

// Config configures a Server. Only Readers is required; every other zero
// value selects the documented default.
type Config struct {
	// Readers holds one reader per available mode (see NewReaders). It must
	// hold DefaultMode.
	Readers map[qrcascade.Mode]ImageReader
	// DefaultMode is the mode of requests without mode=. Zero: classic.
	DefaultMode qrcascade.Mode

	// RequestTimeout bounds one request from the end of its body to the
	// response (queue wait and decode; the upload is bounded by
	// ReadTimeout). Zero: 10 s. Negative: no bound.
	RequestTimeout time.Duration
	// MaxBodyBytes rejects larger bodies with 413. Zero: 32 MiB.
	MaxBodyBytes int64
	// MaxConcurrent is the number of decodes that run at once. Zero:
	// runtime.NumCPU().
	MaxConcurrent int
	// QueueLength is the number of admitted requests that may wait for a
	// decode slot. Zero: 2 × MaxConcurrent. Negative: no queue (503 as soon
	// as every slot is busy).
	QueueLength int
	// RetryAfter is the Retry-After of 503 answers, rounded up to whole
	// seconds. Zero: 1 s.
	RetryAfter time.Duration
	// OverloadPause is how long a request that finds every slot and queue
	// place taken waits, holding none and with its body unread, before it
	// looks again and is answered 503 if the service is still full. It
	// paces clients that retry at once whatever Retry-After says, whose
	// rejections would otherwise take CPU from the decodes. Zero: 250 ms.
	// Negative: answer at once.
	OverloadPause time.Duration

	// ReadHeaderTimeout bounds reading a request's headers. Zero: 5 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. Zero: 30 s.
	ReadTimeout time.Duration
	// MinBodyRate is the average rate, in bytes per second, at which a
	// request body must arrive once BodyGrace has passed; a slower body is
	// answered 408 and its connection closed. Zero: 16 KiB/s. Negative: no
	// rate check (ReadTimeout still applies).
	MinBodyRate int64
	// BodyGrace is the time a body may take before MinBodyRate applies (a
	// client's first round trips). Zero: 2 s.
	BodyGrace time.Duration
	// BodyMemory bounds the bytes of request bodies held at once, being
	// received, queued or decoding; a body that finds it spent is answered
	// 503. Zero: (MaxConcurrent+QueueLength) × MaxBodyBytes, at least
	// 64 MiB and at most 1 GiB.
	BodyMemory int64
	// MaxConns caps the open connections (see the package doc). Zero: 512.
	// Negative: no cap.
	MaxConns int
	// IdleTimeout closes keep-alive connections idle this long. Zero: 60 s.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests on shutdown;
	// connections still open afterwards are closed. Zero: 15 s.
	ShutdownTimeout time.Duration

	// Logger receives one line per request and the lifecycle events. Nil:
	// nothing is logged.
	Logger *slog.Logger
	// Registry receives the metrics and is served on /metrics. Nil: a new
	// registry with the process and Go runtime collectors.
	Registry *prometheus.Registry
	// Invoice parses payloads for invoice=1. Nil: invoice=1 is accepted
	// and ignored.
	Invoice InvoiceFunc
	// InvoiceSchemes is the closed set of scheme ids Invoice can return,
	// the label values of qrcascade_invoice_reads_total (others count as
	// "other"). Nil: every scheme counts as "other".
	InvoiceSchemes []string
	// Models reports model lifecycle for the model gauges. Nil: no model is
	// ever loaded (classic-only builds).
	Models ModelStatus
	// Ready reports whether the service can take traffic (for /readyz), for
	// example whether the models are loadable. Nil: ready while not
	// shutting down.
	Ready func() error
	// Version is shown on / . Empty: "dev".
	Version string
}

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.DefaultMode == "" {
		c.DefaultMode = qrcascade.ModeClassic
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 32 << 20
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = runtime.NumCPU()
	}
	if c.QueueLength == 0 {
		c.QueueLength = 2 * c.MaxConcurrent
	}
	if c.QueueLength < 0 {
		c.QueueLength = 0
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = time.Second
	}
	if c.OverloadPause == 0 {
		c.OverloadPause = 250 * time.Millisecond
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = 5 * time.Second
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 60 * time.Second
	}
	if c.MinBodyRate == 0 {
		c.MinBodyRate = 16 << 10
	}
	if c.BodyGrace == 0 {
		c.BodyGrace = 2 * time.Second
	}
	if c.BodyMemory == 0 {
		n := int64(c.MaxConcurrent + c.QueueLength)
		c.BodyMemory = 1 << 30
		if c.MaxBodyBytes <= (1<<30)/max(n, 1) {
			c.BodyMemory = min(max(n*c.MaxBodyBytes, 64<<20), 1<<30)
		}
	}
	if c.MaxConns == 0 {
		c.MaxConns = 512
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 15 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	return c
}

// Validate reports the first invalid field of c (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	if len(c.Readers) == 0 {
		return errors.New("server: no reader configured")
	}
	for m, r := range c.Readers {
		if r == nil {
			return fmt.Errorf("server: nil reader for mode %q", m)
		}
	}
	if _, ok := c.Readers[c.DefaultMode]; !ok {
		return fmt.Errorf("server: default mode %q has no reader", c.DefaultMode)
	}
	if c.MaxConcurrent < 0 {
		return fmt.Errorf("server: negative max concurrent decodes %d", c.MaxConcurrent)
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("server: negative max body bytes %d", c.MaxBodyBytes)
	}
	if c.RetryAfter < 0 || c.ReadHeaderTimeout < 0 || c.ReadTimeout < 0 || c.IdleTimeout < 0 || c.ShutdownTimeout < 0 || c.BodyGrace < 0 {
		return errors.New("server: negative timeout")
	}
	if c.BodyMemory < 0 {
		return fmt.Errorf("server: negative body memory %d", c.BodyMemory)
	}
	if c.BodyMemory < chunkSize {
		return fmt.Errorf("server: body memory %d under one chunk (%d bytes)", c.BodyMemory, chunkSize)
	}
	return nil
}

// NewReaders builds one qrcascade.Reader per mode from base (whose Mode is
// overridden), skipping the modes this build cannot run
// (qrcascade.ErrModeUnavailable). Any other error is returned. The result
// is ready for Config.Readers.
func NewReaders(base qrcascade.Options, modes ...qrcascade.Mode) (map[qrcascade.Mode]ImageReader, error) {
	out := map[qrcascade.Mode]ImageReader{}
	for _, m := range modes {
		o := base
		o.Mode = m
		r, err := qrcascade.NewReader(o)
		if errors.Is(err, qrcascade.ErrModeUnavailable) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("server: reader for mode %s: %w", m, err)
		}
		out[m] = r
	}
	return out, nil
}

// AllModes lists every mode the API names, in the order NewReaders is
// usually given them. Adding a mode to the service is adding it here.
func AllModes() []qrcascade.Mode {
	return qrcascade.Modes()
}

// Server is the HTTP service. Create it with New; its Handler is safe for
// concurrent use.
type Server struct {
	cfg       Config
	log       *slog.Logger
	lim       *limiter
	metrics   *metrics
	registry  *prometheus.Registry
	handler   http.Handler
	modes     []string // available modes, sorted, for messages
	draining  atomic.Bool
	uploads   uploads    // bodies being received
	bodies    bodyBudget // BodyMemory
	conns     *connTable // open connections, MaxConns
	chunkPool sync.Pool  // *[chunkSize]byte
}

// New validates cfg and returns a Server. It registers its metrics in
// cfg.Registry (an error if they are already registered there).
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, fmt.Errorf("server: process collector: %w", err)
		}
		if err := reg.Register(collectors.NewGoCollector()); err != nil {
			return nil, fmt.Errorf("server: go collector: %w", err)
		}
	}
	s := &Server{cfg: cfg, log: cfg.Logger, registry: reg, lim: newLimiter(cfg.MaxConcurrent, cfg.QueueLength), conns: newConnTable(cfg.MaxConns)}
	s.bodies.limit = cfg.BodyMemory
	s.chunkPool.New = func() any { return new([chunkSize]byte) }
	for m := range cfg.Readers {
		s.modes = append(s.modes, string(m))
	}
	slices.Sort(s.modes)
	m, err := newMetrics(reg, s.lim, cfg.Models, cfg.InvoiceSchemes)
	if err == nil {
		err = m.registerAdmission(reg, s)
	}
	if err != nil {
		return nil, err
	}
	s.metrics = m
	if err := registerBuildInfo(reg, cfg.Version); err != nil {
		return nil, err
	}
	s.handler = s.middleware(s.routes())
	return s, nil
}

// Handler returns the service's HTTP handler: routing, request ids,
// logging and panic recovery included.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry returns the registry served on /metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// httpServer returns an http.Server with the slow-client timeouts of cfg.
func (s *Server) httpServer() *http.Server {
	write := s.cfg.ReadTimeout + 5*time.Second
	if s.cfg.RequestTimeout > 0 {
		write += s.cfg.RequestTimeout
	} else {
		write = 0 // no bound on the decode, so none on the response either
	}
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      write,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ConnState:         s.conns.connState,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve accepts connections on ln until ctx is done, then shuts down
// gracefully: /readyz starts failing and new requests are answered 503;
// uploads in progress get shutdownUploadGrace (at most a quarter of
// ShutdownTimeout) to finish before their connections are cut;
// connections that have not sent a request are closed; the listener
// closes, idle connections close, and admitted requests get up to
// ShutdownTimeout to finish; the connections still open after that are
// closed. Serve closes ln. It returns nil after a clean shutdown, an error
// wrapping context.DeadlineExceeded when the drain ran out of time, or the
// error that stopped accepting.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.httpServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(s.conns.listener(ln, s.cfg.RetryAfter)) }()
	s.log.Info("listening", "addr", ln.Addr().String(), "max_concurrent", s.cfg.MaxConcurrent,
		"queue", s.cfg.QueueLength, "max_conns", s.cfg.MaxConns, "modes", s.modes)
	select {
	case err := <-errc:
		return fmt.Errorf("server: serve: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("shutting down", "in_flight", s.lim.admitted.Load(), "uploads", s.uploads.len(),
		"timeout", s.cfg.ShutdownTimeout.String())
	s.uploads.cut(time.Now().Add(min(shutdownUploadGrace, s.cfg.ShutdownTimeout/4)))
	s.conns.closeSilent()
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	<-errc // http.ErrServerClosed once Shutdown began
	if err != nil {
		hs.Close()
		s.log.Warn("shutdown timed out; closed remaining connections", "err", err)
		return fmt.Errorf("server: shutdown: %w", err)
	}
	s.log.Info("shut down cleanly")
	return nil
}

// ListenAndServe listens on addr (TCP) and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}
