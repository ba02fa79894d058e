package server

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/qrcascade/qrcascade"
)

// BenchmarkDetect measures POST /detect through the handler: "stub" is the
// service's own overhead (admission, body, JSON, metrics, logging) around
// a reader that returns at once; "classic" is a real clean invoice JPEG.
func BenchmarkDetect(b *testing.B) {
	fx := testFixtures(b)
	stub := readerFunc(func(ctx context.Context, data []byte) (*qrcascade.Result, error) {
		return &qrcascade.Result{Model: "classic", Codes: []qrcascade.Code{{Text: fx.invoiceText, Bytes: []byte(fx.invoiceText),
			Tier: qrcascade.TierClassic, Strategy: "raw", Confidence: 1, Version: 5, ECLevel: "M"}},
			Attempts: []qrcascade.Attempt{{Tier: qrcascade.TierClassic, Strategy: "raw", Codes: 1}}}, nil
	})
	cases := []struct {
		name   string
		reader ImageReader
	}{
		{"stub", stub},
		{"classic", classicReaders(b, qrcascade.Options{})[qrcascade.ModeClassic]},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			// New, not newTestServer: the tests' OpenAPI check of every
			// answer would be most of what is measured.
			srv, err := New(Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: tc.reader}})
			if err != nil {
				b.Fatal(err)
			}
			h := srv.Handler()
			b.ReportAllocs()
			b.SetBytes(int64(len(fx.invoiceJPEG)))
			for b.Loop() {
				req := httptest.NewRequest("POST", "/detect", bytes.NewReader(fx.invoiceJPEG))
				req.Header.Set("Content-Type", "application/octet-stream")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
