package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade"
)

// multipartBody builds a multipart/form-data body with one file field.
func multipartBody(t testing.TB, field string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("note", "ignored"); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile(field, "invoice.jpg")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

// TestDetectStatuses drives every answer of POST /detect and the routing
// through the real handler (classic readers, real images).
func TestDetectStatuses(t *testing.T) {
	fx := testFixtures(t)
	srv := newTestServer(t, Config{MaxBodyBytes: 1 << 20})
	tiny := newTestServer(t, Config{Readers: classicReaders(t, qrcascade.Options{MaxPixels: 1000})})
	form, formType := multipartBody(t, "image", fx.invoiceJPEG)
	noImage, noImageType := multipartBody(t, "file", fx.invoiceJPEG)

	tests := []struct {
		name        string
		srv         *Server
		method      string
		target      string
		contentType string
		body        []byte
		status      int
		code        string // error code, for error answers
		wantText    string // data, for 200 answers ("" means success false)
	}{
		{"old client: octet-stream raw body", srv, "POST", "/detect", "application/octet-stream", fx.invoiceJPEG, 200, "", fx.invoiceText},
		{"raw body with image/jpeg", srv, "POST", "/detect", "image/jpeg", fx.invoiceJPEG, 200, "", fx.invoiceText},
		{"raw body without content type", srv, "POST", "/detect", "", fx.invoiceJPEG, 200, "", fx.invoiceText},
		{"multipart field image", srv, "POST", "/detect", formType, form, 200, "", fx.invoiceText},
		{"explicit mode classic multi=1 invoice=1", srv, "POST", "/detect?mode=classic&multi=1&invoice=1", "image/jpeg", fx.invoiceJPEG, 200, "", fx.invoiceText},
		{"no code in image", srv, "POST", "/detect", "image/png", fx.blankPNG, 200, "", ""},
		{"multipart without image field", srv, "POST", "/detect", noImageType, noImage, 400, codeBadRequest, ""},
		{"multipart with broken boundary", srv, "POST", "/detect", "multipart/form-data; boundary=xyz", []byte("garbage"), 400, codeBadRequest, ""},
		{"empty body", srv, "POST", "/detect", "application/octet-stream", []byte{}, 400, codeEmptyBody, ""},
		{"truncated jpeg", srv, "POST", "/detect", "image/jpeg", fx.invoiceJPEG[:300], 400, codeBadImage, ""},
		{"unknown mode", srv, "POST", "/detect?mode=turbo", "image/jpeg", fx.invoiceJPEG, 400, codeBadRequest, ""},
		{"mode not in this build", srv, "POST", "/detect?mode=hybrid", "image/jpeg", fx.invoiceJPEG, 400, codeModeUnavailable, ""},
		{"bad multi", srv, "POST", "/detect?multi=perhaps", "image/jpeg", fx.invoiceJPEG, 400, codeBadRequest, ""},
		{"body over max bytes", srv, "POST", "/detect", "image/jpeg", make([]byte, 1<<20+1), 413, codeTooLarge, ""},
		{"pixels over max pixels", tiny, "POST", "/detect", "image/jpeg", fx.invoiceJPEG, 413, codeTooLarge, ""},
		{"unknown format", srv, "POST", "/detect", "text/plain", []byte("this is not an image at all"), 415, codeUnsupported, ""},
		{"truncated pdf", srv, "POST", "/detect", "application/pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), 400, codeBadImage, ""},
		{"encrypted pdf", srv, "POST", "/detect", "application/pdf", fx.encryptedPDF, 400, codeEncrypted, ""},
		{"pdf invoice", srv, "POST", "/detect", "application/pdf", fx.invoicePDF, 200, "", fx.invoiceText},
		{"explain on an image", srv, "POST", "/detect?explain=1&invoice=1", "image/jpeg", fx.invoiceJPEG, 200, "", fx.invoiceText},
		{"explain on a pdf", srv, "POST", "/detect?explain=true", "application/pdf", fx.invoicePDF, 200, "", fx.invoiceText},
		{"explain on no code", srv, "POST", "/detect?explain=1", "image/png", fx.blankPNG, 200, "", ""},
		{"bad explain", srv, "POST", "/detect?explain=maybe", "image/png", fx.blankPNG, 400, codeBadRequest, ""},
		{"GET on detect", srv, "GET", "/detect", "", nil, 405, codeMethod, ""},
		{"unknown path", srv, "POST", "/v1/detect", "image/jpeg", fx.invoiceJPEG, 404, codeNotFound, ""},
		{"DELETE on metrics", srv, "DELETE", "/metrics", "", nil, 405, codeMethod, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(tc.srv.Handler(), tc.method, tc.target, tc.contentType, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if id := w.Header().Get(requestIDHeader); len(id) != 16 {
				t.Errorf("X-Request-Id %q, want 16 hex digits", id)
			}
			if tc.status != 200 {
				var e errorAnswer
				decodeJSON(t, w.Body.Bytes(), &e)
				if e.Error.Code != tc.code || e.Error.Message == "" {
					t.Errorf("error %+v, want code %q with a message", e.Error, tc.code)
				}
				if tc.status == 405 && w.Header().Get("Allow") == "" {
					t.Error("405 without Allow")
				}
				return
			}
			var res detectResponse
			decodeJSON(t, w.Body.Bytes(), &res)
			if tc.wantText == "" {
				if res.Success || res.Data != nil || len(res.Codes) != 0 {
					t.Errorf("success %v data %v codes %d, want a no-code answer", res.Success, res.Data, len(res.Codes))
				}
				if !strings.Contains(w.Body.String(), `"data":null`) || !strings.Contains(w.Body.String(), `"codes":[]`) {
					t.Errorf("no-code answer should carry data null and codes []: %s", w.Body)
				}
				return
			}
			if !res.Success || res.Data == nil || *res.Data != tc.wantText {
				t.Fatalf("success %v data %v, want %q", res.Success, res.Data, tc.wantText)
			}
			if res.Model != "classic" || res.LatencyMS <= 0 || res.TimingsMS.DecodeImage <= 0 {
				t.Errorf("model %q latency %v timings %+v", res.Model, res.LatencyMS, res.TimingsMS)
			}
			wantImage := qrcascade.ImageInfo{Format: "jpeg", Width: 1240, Height: 1754, Pages: 1}
			if tc.contentType == "application/pdf" {
				wantImage = qrcascade.ImageInfo{Format: "pdf", Width: 1654, Height: 2339, Pages: 1} // A4 at 200 dpi
			}
			if res.Image != wantImage {
				t.Errorf("image %+v, want %+v", res.Image, wantImage)
			}
			c := res.Codes[0]
			if c.Page != 1 {
				t.Errorf("code page %d, want 1", c.Page)
			}
			if c.Text != tc.wantText || string(c.Bytes) != tc.wantText || c.Tier != "classic" || c.Strategy == "" ||
				c.Confidence != 1 || c.Version < 1 || c.ECLevel == "" {
				t.Errorf("code %+v", c.Code)
			}
			if res.RequestID != w.Header().Get(requestIDHeader) {
				t.Errorf("request_id %q, header %q", res.RequestID, w.Header().Get(requestIDHeader))
			}
		})
	}
}

// TestDetectChunkedOverLimit sends a body over the limit without
// Content-Length, so the limit trips while reading.
func TestDetectChunkedOverLimit(t *testing.T) {
	srv := newTestServer(t, Config{MaxBodyBytes: 1000})
	req, _ := http.NewRequest("POST", "/detect", struct{ *bytes.Reader }{bytes.NewReader(make([]byte, 5000))})
	req.ContentLength = -1
	w := newRecorder()
	srv.Handler().ServeHTTP(w, req)
	if w.Code != 413 {
		t.Fatalf("status %d, want 413: %s", w.Code, w.Body)
	}
}

// TestDetectMulti checks multi=0 keeps the first code only and the invoice
// hook runs only for invoice=1.
func TestDetectMulti(t *testing.T) {
	two := readerFunc(func(ctx context.Context, data []byte) (*qrcascade.Result, error) {
		return &qrcascade.Result{Model: "classic", Codes: []qrcascade.Code{
			{Text: "first", Tier: "classic", Strategy: "raw"}, {Text: "second", Tier: "classic", Strategy: "raw"},
		}}, nil
	})
	inv := func(text string) (any, string) {
		if text == "first" {
			return &qrcascade.Invoice{Scheme: "test", Valid: true, Errors: []qrcascade.InvoiceFinding{}, Warnings: []qrcascade.InvoiceFinding{}}, "test"
		}
		return nil, ""
	}
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: two}, Invoice: inv, InvoiceSchemes: []string{"test"}})
	tests := []struct {
		query       string
		codes       int
		withInvoice bool
	}{
		{"", 2, false},
		{"?multi=1", 2, false},
		{"?multi=0", 1, false},
		{"?multi=false&invoice=1", 1, true},
		{"?invoice=true", 2, true},
	}
	for _, tc := range tests {
		t.Run("query"+tc.query, func(t *testing.T) {
			w := do(srv.Handler(), "POST", "/detect"+tc.query, "image/png", []byte("x"))
			var res detectResponse
			decodeJSON(t, w.Body.Bytes(), &res)
			if len(res.Codes) != tc.codes || *res.Data != "first" {
				t.Fatalf("codes %d data %q, want %d and first", len(res.Codes), *res.Data, tc.codes)
			}
			has := strings.Contains(w.Body.String(), `"invoice":{"scheme":"test",`)
			if has != tc.withInvoice {
				t.Errorf("invoice present %v, want %v: %s", has, tc.withInvoice, w.Body)
			}
			if strings.Count(w.Body.String(), `"invoice"`) > 1 {
				t.Errorf("invoice on a code the parser rejected: %s", w.Body)
			}
		})
	}
	// Two requests with invoice=1 each read one "test" invoice.
	if got := testutil.ToFloat64(srv.metrics.invoiceReads.WithLabelValues("test")); got != 2 {
		t.Errorf("invoice reads %v, want 2", got)
	}
}

// TestDetectTimeout: a decode past RequestTimeout answers 504 and frees its
// slot.
func TestDetectTimeout(t *testing.T) {
	g := newGate()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g},
		RequestTimeout: 50 * time.Millisecond, MaxConcurrent: 1, QueueLength: -1})
	for i := range 2 { // the second proves the slot was released
		start := time.Now()
		w := do(srv.Handler(), "POST", "/detect", "image/png", []byte("x"))
		if w.Code != 504 {
			t.Fatalf("request %d: status %d, want 504: %s", i, w.Code, w.Body)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("504 after %v", d)
		}
	}
	if n := srv.lim.admitted.Load() + srv.lim.running.Load(); n != 0 {
		t.Errorf("%d admissions or slots still held", n)
	}
}

// TestDetectPanic: a panicking reader answers 500, the slot is released
// and the next request is served.
func TestDetectPanic(t *testing.T) {
	calls := 0
	r := readerFunc(func(ctx context.Context, data []byte) (*qrcascade.Result, error) {
		calls++
		if calls == 1 {
			panic("decoder bug")
		}
		return &qrcascade.Result{Model: "classic"}, nil
	})
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: r}, MaxConcurrent: 1, QueueLength: -1})
	w := do(srv.Handler(), "POST", "/detect", "image/png", []byte("x"))
	var e errorAnswer
	decodeJSON(t, w.Body.Bytes(), &e)
	if w.Code != 500 || e.Error.Code != codeInternal {
		t.Fatalf("status %d %+v, want 500 internal", w.Code, e)
	}
	if w = do(srv.Handler(), "POST", "/detect", "image/png", []byte("x")); w.Code != 200 {
		t.Fatalf("after the panic: status %d, want 200 (slot leaked?)", w.Code)
	}
}

// TestRequestID: a valid X-Request-Id is echoed, an invalid one replaced.
func TestRequestID(t *testing.T) {
	srv := newTestServer(t, Config{})
	tests := []struct {
		name, in string
		echoed   bool
	}{
		{"valid", "abc-123_XYZ.7", true},
		{"absent", "", false},
		{"control characters", "abc\x01def", false},
		{"space", "abc def", false},
		{"too long", strings.Repeat("a", maxRequestIDLen+1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "/healthz", nil)
			if tc.in != "" {
				req.Header.Set(requestIDHeader, tc.in)
			}
			w := newRecorder()
			srv.Handler().ServeHTTP(w, req)
			got := w.Header().Get(requestIDHeader)
			if (got == tc.in) != tc.echoed || got == "" {
				t.Errorf("X-Request-Id %q for %q, echoed want %v", got, tc.in, tc.echoed)
			}
		})
	}
}

// TestProbesAndIndex checks /healthz, /readyz (also while draining and
// with a failing Ready hook) and / in JSON and HTML.
func TestProbesAndIndex(t *testing.T) {
	srv := newTestServer(t, Config{Version: "v9"})
	notReady := newTestServer(t, Config{Ready: func() error { return context.DeadlineExceeded }})
	draining := newTestServer(t, Config{})
	draining.draining.Store(true)
	tests := []struct {
		name   string
		srv    *Server
		path   string
		accept string
		status int
		want   string
	}{
		{"healthz", srv, "/healthz", "", 200, `"status":"ok"`},
		{"readyz", srv, "/readyz", "", 200, `"modes":["classic"]`},
		{"readyz not ready", notReady, "/readyz", "", 503, `"code":"internal"`},
		{"readyz draining", draining, "/readyz", "", 503, `"code":"shutting_down"`},
		{"healthz draining", draining, "/healthz", "", 200, `"status":"ok"`},
		{"index json", srv, "/", "", 200, `"version":"v9"`},
		{"index html", srv, "/", "text/html,*/*", 200, "<h1>qrcascade <small>v9 · operator page</small></h1>"},
		{"metrics", srv, "/metrics", "", 200, "qrcascade_requests_total"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", tc.path, nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			w := newRecorder()
			tc.srv.Handler().ServeHTTP(w, req)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("status %d body %s; want %d containing %s", w.Code, w.Body, tc.status, tc.want)
			}
			if tc.status == 503 && w.Header().Get("Retry-After") != strconv.Itoa(1) {
				t.Errorf("503 with Retry-After %q, want 1", w.Header().Get("Retry-After"))
			}
		})
	}
}

// TestConfigValidate rejects the invalid configurations.
func TestConfigValidate(t *testing.T) {
	readers := classicReaders(t, qrcascade.Options{})
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no readers", Config{}},
		{"nil reader", Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: nil}}},
		{"default mode without reader", Config{Readers: readers, DefaultMode: qrcascade.ModeNano}},
		{"negative concurrency", Config{Readers: readers, MaxConcurrent: -1}},
		{"negative body limit", Config{Readers: readers, MaxBodyBytes: -1}},
		{"negative read timeout", Config{Readers: readers, ReadTimeout: -time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil || !strings.HasPrefix(err.Error(), "server: ") {
				t.Errorf("New: %v, want a server: error", err)
			}
		})
	}
	if _, err := New(Config{Readers: readers}); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// TestReaderWithoutResult: a reader returning no Result is answered, not
// dereferenced.
func TestReaderWithoutResult(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"no result, no error", nil, 200},
		{"no result, unexpected error", errors.New("engine exploded"), 500},
		{"no result, deadline", fmt.Errorf("qrcascade: %w", context.DeadlineExceeded), 504},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := readerFunc(func(ctx context.Context, data []byte) (*qrcascade.Result, error) { return nil, tc.err })
			srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: r}})
			w := do(srv.Handler(), "POST", "/detect", "image/png", []byte("x"))
			if w.Code != tc.status {
				t.Errorf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
		})
	}
}
