package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
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
	Model     string              `json:"model"`
	LatencyMS float64             `json:"latency_ms"` // body received to answer, server side
	TimingsMS timingsMS           `json:"timings_ms"`
	Codes     []codeJSON          `json:"codes"`
	Image     qrcascade.ImageInfo `json:"image"`
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
	pages   qrcascade.PageOptions
}

// PageReader is an ImageReader that takes the page policy of one request
// (max_pages=, pages=, stop=invoice, dpi=). *qrcascade.Reader implements
// it; a reader that does not is given no page options.
type PageReader interface {
	ReadPages(ctx context.Context, data []byte, o qrcascade.PageOptions) (*qrcascade.Result, error)
}

// parseQuery validates the query: mode=classic|nano|hybrid|large,
// multi=0|1, invoice=0|1 (any strconv.ParseBool spelling), and the page
// policy of documents: max_pages=N (-1: no limit), pages=1-3,5,
// stop=invoice, dpi=N.
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
	}{{"multi", &dq.multi}, {"invoice", &dq.invoice}} {
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
		if err != nil || n < 1 {
			return bad("query dpi=%q: want a resolution in dots per inch", v)
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
		return bad("%v", err)
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

// handleDetect answers POST /detect.
func (s *Server) handleDetect(w http.ResponseWriter, r *http.Request) {
	// start moves to the end of the body once it is read: latency_ms and
	// the duration histogram measure the service, not the client's upload.
	start := time.Now()
	info := requestInfoFrom(r.Context())
	fail := func(e *apiError) {
		info.outcome, info.errCode = e.Outcome, e.Code
		s.metrics.observeRequest(e.Outcome, time.Since(start))
		s.writeError(w, e)
	}
	dq, reader, qerr := s.parseQuery(r)
	if qerr != nil {
		discardBody(r, s.cfg.MaxBodyBytes)
		fail(qerr)
		return
	}
	if !s.lim.admit() {
		discardBody(r, s.cfg.MaxBodyBytes)
		fail(&apiError{Status: http.StatusServiceUnavailable, Code: codeOverloaded,
			Message: "every decode slot and queue place is taken; retry later", Outcome: outcomeOverloaded})
		return
	}
	defer s.lim.leave()

	data, err := readImage(w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		fail(classify(err))
		return
	}
	info.bodyBytes = len(data)
	receive := time.Since(start)
	start = time.Now()

	// The deadline covers the service's work, not the upload (which
	// ReadTimeout bounds).
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
	if err != nil {
		fail(classify(err))
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
	}
	if out.Model == "" {
		out.Model = string(dq.mode)
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
	return out
}

// readImage returns the image bytes of r: the whole body, or the field
// "image" of a multipart/form-data body. Bodies over limit give an error
// wrapping *http.MaxBytesError (before reading, when Content-Length says
// so).
func readImage(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, fmt.Errorf("server: body: %w", &http.MaxBytesError{Limit: limit})
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return readAll(r.Body, r.ContentLength)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &apiError{Status: http.StatusBadRequest, Code: codeBadRequest,
			Message: "multipart body: " + err.Error(), Outcome: outcomeBadInput}
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, &apiError{Status: http.StatusBadRequest, Code: codeBadRequest,
				Message: "multipart body has no field \"" + imageField + "\"", Outcome: outcomeBadInput}
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, fmt.Errorf("server: multipart body: %w", err)
			}
			return nil, &apiError{Status: http.StatusBadRequest, Code: codeBadRequest,
				Message: "multipart body: " + err.Error(), Outcome: outcomeBadInput}
		}
		if p.FormName() != imageField {
			_, _ = io.Copy(io.Discard, p)
			continue
		}
		data, err := readAll(p, -1)
		p.Close()
		return data, err
	}
}

// readAll reads r to the end, sizing the buffer from size when known.
func readAll(r io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size) + 1)
	}
	if _, err := buf.ReadFrom(r); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("server: body: %w", err)
		}
		return nil, &apiError{Status: http.StatusBadRequest, Code: codeBadRequest,
			Message: "reading the body: " + err.Error(), Outcome: outcomeBadInput}
	}
	return buf.Bytes(), nil
}
