package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
	"github.com/qrcascade/qrcascade/internal/synth"
)

// fixtures are test images rendered once per test binary.
type fixtures struct {
	invoiceJPEG  []byte // clean_invoice seed 1, JPEG q90
	invoiceText  string // its payload
	blankPNG     []byte // 64×48 white, no code
	invoicePDF   []byte // one A4 page, invoiceText drawn as a vector QR
	encryptedPDF []byte // the same page behind a password
}

var (
	fixturesOnce sync.Once
	fixturesVal  fixtures
	fixturesErr  error
)

func testFixtures(t testing.TB) fixtures {
	t.Helper()
	fixturesOnce.Do(func() {
		scene := synth.CleanInvoice(1)
		fixturesVal.invoiceText = scene.Codes[0].Text
		fixturesVal.invoiceJPEG, fixturesErr = synth.EncodeJPEG(scene.Plane, 90)
		if fixturesErr != nil {
			return
		}
		img := image.NewGray(image.Rect(0, 0, 64, 48))
		for i := range img.Pix {
			img.Pix[i] = 0xff
		}
		var b bytes.Buffer
		fixturesErr = png.Encode(&b, img)
		fixturesVal.blankPNG = b.Bytes()
		m, err := pdftest.Matrix(fixturesVal.invoiceText)
		if err != nil {
			fixturesErr = err
			return
		}
		page := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
		page.Text(60, 80, 14, "FACTURA F-2026-0042")
		page.VectorQR(m, 400, 60, 2)
		fixturesVal.invoicePDF = pdftest.Build([]*pdftest.Page{page}, pdftest.Options{})
		fixturesVal.encryptedPDF = pdftest.Build([]*pdftest.Page{page}, pdftest.Options{Encrypt: true})
	})
	if fixturesErr != nil {
		t.Fatal(fixturesErr)
	}
	return fixturesVal
}

// classicReaders returns the readers of the real service for opts.
func classicReaders(t testing.TB, opts qrcascade.Options) map[qrcascade.Mode]ImageReader {
	t.Helper()
	rs, err := NewReaders(opts, qrcascade.ModeClassic)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// newTestServer builds a Server over cfg (classic readers when none) whose
// handler validates every response against openapi.json.
func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Readers == nil {
		cfg.Readers = classicReaders(t, qrcascade.Options{Explain: true})
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.handler = contractHandler(t, s.handler) // every answer follows openapi.json
	return s
}

// gate is a fake ImageReader whose reads block until released (or until
// their context ends), so tests control how long a decode takes.
type gate struct {
	started chan struct{} // one value per read that began
	release chan struct{} // closed to let every read finish
	result  *qrcascade.Result
}

func newGate() *gate {
	return &gate{
		started: make(chan struct{}, 64),
		release: make(chan struct{}),
		result: &qrcascade.Result{Model: "classic", Image: qrcascade.ImageInfo{Format: "png", Width: 1, Height: 1},
			Codes: []qrcascade.Code{{Text: "gate", Tier: qrcascade.TierClassic, Strategy: "raw", Confidence: 1}}},
	}
}

func (g *gate) Read(ctx context.Context, data []byte) (*qrcascade.Result, error) {
	g.started <- struct{}{}
	select {
	case <-g.release:
		return g.result, nil
	case <-ctx.Done():
		return &qrcascade.Result{Model: "classic"}, ctx.Err()
	}
}

// waitStarted waits for n reads to begin.
func (g *gate) waitStarted(t testing.TB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-g.started:
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d of %d reads started", i, n)
		}
	}
}

// readerFunc adapts a function to ImageReader.
type readerFunc func(ctx context.Context, data []byte) (*qrcascade.Result, error)

func (f readerFunc) Read(ctx context.Context, data []byte) (*qrcascade.Result, error) {
	return f(ctx, data)
}

// errorAnswer decodes an error body.
type errorAnswer struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends one request through h and returns the recorder.
func do(h http.Handler, method, target, contentType string, body []byte) *httptest.ResponseRecorder {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// decodeJSON decodes b into v or fails the test.
func decodeJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, b)
	}
}

// checkNoGoroutineLeak fails when the goroutine count does not come back
// to base (within slack) in a few seconds.
func checkNoGoroutineLeak(t testing.TB, base int) {
	t.Helper()
	const slack = 2
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base+slack {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: %d, want ≤ %d\n%s", n, base+slack, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newRecorder is httptest.NewRecorder.
func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
