package pdf

import (
	"context"
	"fmt"
	"testing"

	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// benchDoc returns a one-page A4 invoice: a line of text and a QR code,
// drawn as vector rectangles or embedded as a Flate image.
func benchDoc(b *testing.B, image bool) []byte {
	m := mustMatrix(b, "https://verifactu.example/q?nif=B12345678&num=F-2026-0042&importe=121.00")
	p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	for y := 80.0; y < 700; y += 20 {
		p.Text(60, y, 10, "1 x Widget, reference 0042-AB ................................ 121.00 EUR")
	}
	if image {
		if err := p.ImageQR(m, 4, 400, 700, 120, false); err != nil {
			b.Fatal(err)
		}
	} else {
		p.VectorQR(m, 400, 700, 2)
	}
	return pdftest.Build([]*pdftest.Page{p}, pdftest.Options{})
}

// BenchmarkRender measures one page rendered to a gray plane at each DPI
// (the document is opened once; ns/op is per page).
func BenchmarkRender(b *testing.B) {
	for _, kind := range []string{"vector", "image"} {
		data := benchDoc(b, kind == "image")
		for _, dpi := range []int{100, 150, 200, 300} {
			b.Run(fmt.Sprintf("%s/dpi=%d", kind, dpi), func(b *testing.B) {
				d := open(b, engine, data)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, _, err := d.Render(0, dpi); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkOpen measures Open and Close of a one-page document: a fresh
// PDFium instance, the bytes copied in, the document parsed.
func BenchmarkOpen(b *testing.B) {
	data := benchDoc(b, false)
	open(b, engine, data) // start the engine outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := engine.Open(context.Background(), data)
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}

// BenchmarkStartup measures New + Warm + Close: compiling PDFium with no
// cache ("cold"), and loading it from a filled compilation cache. Run with
// a small -benchtime (e.g. 3x): a cold start takes seconds.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"cold", Config{NoCache: true}},
		{"cache", Config{CacheDir: dir}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if !tc.cfg.NoCache { // fill the cache outside the timing
				e, _ := New(tc.cfg)
				if err := e.Warm(context.Background()); err != nil {
					b.Fatal(err)
				}
				e.Close()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e, err := New(tc.cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Warm(context.Background()); err != nil {
					b.Fatal(err)
				}
				e.Close()
			}
		})
	}
}

// BenchmarkCandidates measures the vector-symbol search of one page: a
// page of text with a code drawn as one path, and as one path per run.
func BenchmarkCandidates(b *testing.B) {
	m := mustMatrix(b, "https://verifactu.example/q?nif=B12345678&num=F-2026-0042&importe=121.00")
	for _, pieces := range []bool{false, true} {
		p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
		for y := 80.0; y < 700; y += 20 {
			p.Text(60, y, 10, "1 x Widget, reference 0042-AB ................................ 121.00 EUR")
		}
		if pieces {
			p.VectorQRPieces(m, 400, 700, 0.5)
		} else {
			p.VectorQR(m, 400, 700, 0.5)
		}
		b.Run(fmt.Sprintf("pieces=%v", pieces), func(b *testing.B) {
			d := open(b, engine, pdftest.Build([]*pdftest.Page{p}, pdftest.Options{}))
			b.ReportAllocs()
			for b.Loop() {
				if r, _, err := d.Candidates(0); err != nil || len(r) != 1 {
					b.Fatalf("%v, %v", r, err)
				}
			}
		})
	}
}
