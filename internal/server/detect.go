package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/qrcascade/qrcascade"
)

// imageField is the multipart/form-data field that carries the image.
const imageField = "image"

// detectResponse is the JSON answer of POST /detect. The first four fields
// are the old service's.
type detectResponse struct {
	Success   bool                `json:"success"`
	Data      *string             `json:"data"` // first code's text; null when none
	Model     qrcascade.Model     `json:"model"`
	LatencyMS float64             `json:"latency_ms"` // body received to answer, server side
	TimingsMS timingsMS           `json:"timings_ms"`
	Codes     []codeJSON          `json:"codes"`
	Image     qrcascade.ImageInfo `json:"image"`
	Explain   *explainJSON        `json:"explain,omitempty"` // explain=1 only
	// Partial is set when a tier due to run was skipped (Skipped says
	// which and why); Codes holds what the tiers that ran read.
	Partial bool                `json:"partial,omitempty"`
	Skipped []qrcascade.Skipped `json:"skipped,omitempty"`
	// PagesRead, Truncated and StoppedAt report the page policy of a
	// document (see qrcascade.Result).
	PagesRead int    `json:"pages_read"`
	Truncated string `json:"truncated,omitempty"`
	StoppedAt int    `json:"stopped_at,omitempty"`
	RequestID string `json:"request_id"`
}

// timingsMS breaks latency_ms down, in milliseconds.
type timingsMS struct {
	Receive     float64 `json:"receive"` // reading the body (not in latency_ms)
	Queue       float64 `json:"queue"`   // waiting for a decode slot
	DecodeImage float64 `json:"decode_image"`
	Classic     float64 `json:"classic"`
	Nano        float64 `json:"nano"`
	Large       float64 `json:"large"`
}

// codeJSON is one code of the answer: qrcascade.Code's JSON plus the
// invoice fields when invoice=1 and a parser is configured.
type codeJSON struct {
	qrcascade.Code
	Invoice any `json:"invoice,omitempty"`
}

// detectQuery is the parsed query of POST /detect.
type detectQuery struct {
	mode    qrcascade.Mode
	multi   bool // all codes (default) or only the first
	invoice bool // parse payloads as invoices
	explain bool // add the explain member
	pages   qrcascade.PageOptions
}

// PageReader is an ImageReader that takes the page policy of one request
// (max_pages=, pages=, stop=invoice, dpi=). *qrcascade.Reader implements
// it; a reader that does not is given no page options.
type PageReader interface {
	ReadPages(ctx context.Context, data []byte, o qrcascade.PageOptions) (*qrcascade.Result, error)
}

// parseQuery validates the query: mode=classic|nano|hybrid|large,
// multi=0|1, invoice=0|1, explain=0|1 (any strconv.ParseBool spelling),
// and the page policy of documents: max_pages=N (-1: no limit),
// pages=1-3,5, stop=invoice, dpi=N.
func (s *Server) parseQuery(r *http.Request) (detectQuery, ImageReader, *apiError) {
	q := r.URL.Query()
	dq := detectQuery{mode: s.cfg.DefaultMode, multi: true}
	bad := func(format string, args ...any) (detectQuery, ImageReader, *apiError) {
		return dq, nil, &apiError{Status: http.StatusBadRequest, Code: codeBadRequest, Message: fmt.Sprintf(format, args...), Outcome: outcomeBadInput}
	}
	if v := q.Get("mode"); v != "" {
		dq.mode = qrcascade.Mode(v)
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"multi", &dq.multi}, {"invoice", &dq.invoice}, {"explain", &dq.explain}} {
		if v := q.Get(f.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return bad("query %s=%q: want 0 or 1", f.name, v)
			}
			*f.dst = b
		}
	}
	if v := q.Get("max_pages"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n == 0 || n < -1 {
			return bad("query max_pages=%q: want a positive page count, or -1 for no limit", v)
		}
		dq.pages.MaxPages = n
	}
	if v := q.Get("dpi"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > qrcascade.MaxDPI {
			return bad("query dpi=%q: want a resolution in dots per inch, at most %d", v, qrcascade.MaxDPI)
		}
		dq.pages.DPI = n
	}
	switch v := q.Get("stop"); v {
	case "":
	case "invoice":
		dq.pages.StopAtInvoice = true
	default:
		return bad("query stop=%q: want invoice", v)
	}
	dq.pages.Pages = q.Get("pages")
	if err := dq.pages.Validate(); err != nil {
		// The library's message names its package: say what is wrong in
		// the query's terms (dpi is checked above, so it is the pages).
		return bad("query pages=%q: want pages and ranges such as 1-3,5,7-", dq.pages.Pages)
	}
	reader, ok := s.cfg.Readers[dq.mode]
	if !ok {
		known := false
		for _, m := range AllModes() {
			known = known || m == dq.mode
		}
		if !known {
			return bad("unknown mode %q (modes: classic, nano, hybrid, large)", dq.mode)
		}
		return dq, nil, &apiError{Status: http.StatusBadRequest, Code: codeModeUnavailable,
			Message: fmt.Sprintf("mode %q is not available in this build (available: %v)", dq.mode, s.modes), Outcome: outcomeBadInput}
	}
	return dq, reader, nil
}

// handleDetect answers POST /detect, through the gates of the package doc.
func (s *Server) handleDetect(w http.ResponseWriter, r *http.Request) {
	// start moves to the end of the body once it is read: latency_ms and
	// the duration histogram measure the service, not the client's upload.
	start := time.Now()
	info := requestInfoFrom(r.Context())
	received := false
	fail := func(e *apiError) {
		info.outcome, info.errCode = e.Outcome, e.Code
		s.metrics.observeRequest(e.Outcome, time.Since(start))
		if !received {
			// The body was not read (or not to its end): reading it now
			// would cost what the early answer saves, and keeping the
			// connection would need it read (closeUnread).
			w.Header().Set("Connection", "close")
			s.writeError(w, e)
			closeUnread(w)
			return
		}
		s.writeError(w, e)
	}
	dq, reader, qerr := s.parseQuery(r)
	if qerr != nil {
		fail(qerr)
		return
	}
	if s.draining.Load() {
		fail(&apiError{Status: http.StatusServiceUnavailable, Code: codeShuttingDown,
			Message: "the server is shutting down; retry elsewhere", Outcome: outcomeOverloaded})
		return
	}
	if s.lim.full() && !s.pauseForRoom(r.Context()) {
		fail(errOverloaded())
		return
	}

	data, held, err := s.receive(w, r)
	if err != nil {
		fail(classify(err))
		return
	}
	defer s.bodies.release(held)
	received = true
	info.bodyBytes = len(data)
	receive := time.Since(start)
	start = time.Now()

	if pf, ok := reader.(Preflighter); ok {
		if err := pf.Preflight(data); err != nil {
			fail(classify(err))
			return
		}
	}
	if !s.lim.admit() {
		fail(errOverloaded())
		return
	}
	defer s.lim.leave()

	// The deadline covers the service's work, not the upload (which
	// ReadTimeout and MinBodyRate bound).
	ctx := r.Context()
	if s.cfg.RequestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.RequestTimeout)
		defer cancel()
	}

	queued := start
	if err := s.lim.acquire(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			// Never started: tell the client to retry rather than that
			// its image was too slow to read.
			fail(&apiError{Status: http.StatusServiceUnavailable, Code: codeOverloaded,
				Message: "no decode slot freed before the deadline; retry later", Outcome: outcomeOverloaded})
			return
		}
		fail(classify(err))
		return
	}
	wait := time.Since(queued)
	res, err := s.decode(ctx, reader, data, dq.pages)
	if res == nil {
		res = &qrcascade.Result{} // a reader may return no result with its error
	}
	s.metrics.observeResult(res)
	for _, sk := range res.Skipped {
		s.log.Warn("tier skipped", "request_id", info.id, "tier", sk.Tier, "model", sk.Model, "reason", sk.Reason, "err", sk.Err)
	}
	if err != nil {
		e := classify(err)
		if e.Status >= 500 && e.Status != http.StatusServiceUnavailable && e.Status != http.StatusGatewayTimeout {
			s.log.Error("read failed", "request_id", info.id, "err", err)
			e.Message = "internal error; see the server log for request id " + info.id
		}
		fail(e)
		return
	}

	out := s.response(res, dq, info.id, receive, wait, time.Since(start))
	info.codes = len(out.Codes)
	info.outcome = outcomeNotFound
	if out.Success {
		info.outcome = outcomeSuccess
	}
	s.metrics.observeRequest(info.outcome, time.Since(start))
	writeJSON(w, http.StatusOK, out)
}

// pauseForRoom waits OverloadPause (less if ctx ends or shutdown begins)
// and reports whether a place has freed meanwhile.
func (s *Server) pauseForRoom(ctx context.Context) bool {
	if s.cfg.OverloadPause <= 0 {
		return false
	}
	t := time.NewTimer(s.cfg.OverloadPause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return false
	}
	return !s.draining.Load() && !s.lim.full()
}

// errOverloaded is the answer when every decode slot and queue place is
// taken.
func errOverloaded() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Code: codeOverloaded,
		Message: "every decode slot and queue place is taken; retry later", Outcome: outcomeOverloaded}
}

// decode runs reader on data (with the request's page options when it is
// a PageReader) and releases the decode slot, even when the reader panics.
func (s *Server) decode(ctx context.Context, reader ImageReader, data []byte, po qrcascade.PageOptions) (*qrcascade.Result, error) {
	defer s.lim.release()
	if pr, ok := reader.(PageReader); ok {
		return pr.ReadPages(ctx, data, po)
	}
	return reader.Read(ctx, data)
}

// response builds the JSON answer from a Result.
func (s *Server) response(res *qrcascade.Result, dq detectQuery, id string, receive, wait, latency time.Duration) *detectResponse {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	out := &detectResponse{
		Success:   res.Success(),
		Model:     res.Model,
		LatencyMS: ms(latency),
		TimingsMS: timingsMS{
			Receive: ms(receive), Queue: ms(wait), DecodeImage: ms(res.Timings.DecodeImage), Classic: ms(res.Timings.Classic),
			Nano: ms(res.Timings.Nano), Large: ms(res.Timings.Large),
		},
		Codes:     make([]codeJSON, 0, len(res.Codes)),
		Image:     res.Image,
		PagesRead: res.PagesRead,
		Truncated: res.Truncated,
		StoppedAt: res.StoppedAt,
		RequestID: id,
		Partial:   res.Partial(),
		Skipped:   res.Skipped,
	}
	if out.Model == "" {
		out.Model = qrcascade.Model(dq.mode)
	}
	if out.Success {
		t := res.Text()
		out.Data = &t
	}
	for i, c := range res.Codes {
		if i > 0 && !dq.multi {
			break
		}
		cj := codeJSON{Code: c}
		if c.Bytes == nil {
			cj.Bytes = []byte{}
		}
		// Hook for the invoice package: with invoice=1 and a parser
		// configured, each code carries its parsed fields. Without a
		// parser, invoice=1 is accepted and ignored.
		if dq.invoice && s.cfg.Invoice != nil {
			if v, scheme := s.cfg.Invoice(c.Text); v != nil {
				cj.Invoice = v
				s.metrics.observeInvoice(scheme)
			}
		}
		out.Codes = append(out.Codes, cj)
	}
	if dq.explain {
		out.Explain = buildExplain(res, out.Codes)
	}
	return out
}
