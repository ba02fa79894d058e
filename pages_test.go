package qrcascade

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// afipURL is a real AFIP invoice payload (internal/invoice examples).
const afipURL = "https://www.afip.gob.ar/fe/qr/?p=eyJ2ZXIiOjEsImZlY2hhIjoiMjAyMC0xMC0xMyIsImN1aXQiOjMwMDAwMDAwMDA3LCJwdG9WdGEiOjEwLCJ0aXBvQ21wIjoxLCJucm9DbXAiOjk0LCJpbXBvcnRlIjoxMjEwMCwibW9uZWRhIjoiRE9MIiwiY3R6Ijo2NSwidGlwb0RvY1JlYyI6ODAsIm5yb0RvY1JlYyI6MjAwMDAwMDAwMDEsInRpcG9Db2RBdXQiOiJFIiwiY29kQXV0Ijo3MDQxNzA1NDM2NzQ3Nn0="

// sharedReader returns a Reader with o that uses the shared test engine.
func sharedReader(t testing.TB, o Options) *Reader {
	t.Helper()
	o.PDF = pdfReader(t).pdf
	return newReader(t, o)
}

// pagesOf returns the pages codes were read on, in order.
func pagesOf(codes []Code) []int {
	var out []int
	for _, c := range codes {
		out = append(out, c.Page)
	}
	return out
}

// TestPagePolicy: long documents are read whole up to the page limit, and
// the limit, the selection, the stop at an invoice and the work budget
// give the pages read and the truncation the policy promises (#14).
func TestPagePolicy(t *testing.T) {
	vector35, err := pdftest.LongDocument(35, false)
	if err != nil {
		t.Fatal(err)
	}
	image100, err := pdftest.LongDocument(100, true)
	if err != nil {
		t.Fatal(err)
	}
	image120, err := pdftest.LongDocument(120, true)
	if err != nil {
		t.Fatal(err)
	}
	// Page 1 a plain code, page 2 an invoice, page 3 another code.
	plain, inv := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1]), pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	if err := plain.ImageQR(matrix(t, "NOT AN INVOICE"), 4, 100, 100, 120, false); err != nil {
		t.Fatal(err)
	}
	if err := inv.ImageQR(matrix(t, afipURL), 4, 100, 100, 200, false); err != nil {
		t.Fatal(err)
	}
	mixed := pdftest.Build([]*pdftest.Page{plain, inv, plain}, pdftest.Options{})
	seq := func(from, to int) []int {
		var out []int
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		opts      Options
		po        PageOptions
		data      []byte
		pages     []int // pages with a code, in order
		read      int   // PagesRead
		truncated string
		stopped   int
	}{
		{"35 vector pages whole", Options{}, PageOptions{}, vector35, seq(1, 35), 35, "", 0},
		{"100 image pages whole", Options{}, PageOptions{}, image100, seq(1, 100), 100, "", 0},
		{"120 pages, default limit", Options{}, PageOptions{}, image120, seq(1, 100), 100, TruncatedMaxPages, 0},
		{"max pages option", Options{MaxPages: 3}, PageOptions{}, vector35, seq(1, 3), 3, TruncatedMaxPages, 0},
		{"max pages per read", Options{MaxPages: 3}, PageOptions{MaxPages: 5}, vector35, seq(1, 5), 5, TruncatedMaxPages, 0},
		{"no limit", Options{MaxPages: -1, MaxDocumentPixels: -1}, PageOptions{}, image120, seq(1, 120), 120, "", 0},
		{"selection", Options{}, PageOptions{Pages: "2-3,34-"}, vector35, []int{2, 3, 34, 35}, 4, "", 0},
		{"selection and limit", Options{Pages: "10-"}, PageOptions{MaxPages: 2}, vector35, []int{10, 11}, 2, TruncatedMaxPages, 0},
		{"stop at invoice", Options{}, PageOptions{StopAtInvoice: true}, mixed, []int{1, 2}, 2, "", 2},
		{"stop at invoice option", Options{StopAtInvoice: true}, PageOptions{}, mixed, []int{1, 2}, 2, "", 2},
		{"work budget", Options{MaxDocumentPixels: 10e6}, PageOptions{}, vector35, []int{1, 2}, 2, TruncatedWork, 0},
		{"low dpi per read", Options{}, PageOptions{DPI: 150, Pages: "1"}, vector35, []int{1}, 1, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := sharedReader(t, tc.opts).ReadPages(context.Background(), tc.data, tc.po)
			if err != nil {
				t.Fatal(err)
			}
			if got := pagesOf(res.Codes); fmt.Sprint(got) != fmt.Sprint(tc.pages) {
				t.Errorf("codes on pages %v, want %v", got, tc.pages)
			}
			for _, c := range res.Codes {
				if c.Text != pdftest.Payload(c.Page) && c.Text != afipURL && c.Text != "NOT AN INVOICE" {
					t.Errorf("page %d: text %q", c.Page, c.Text)
				}
			}
			if res.PagesRead != tc.read || res.Truncated != tc.truncated || res.StoppedAt != tc.stopped {
				t.Errorf("read %d, truncated %q, stopped at %d; want %d, %q, %d", res.PagesRead, res.Truncated, res.StoppedAt, tc.read, tc.truncated, tc.stopped)
			}
		})
	}
}

// TestPageOptionsValidate: bad selections and resolutions are refused
// before any work.
func TestPageOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		po PageOptions
		ok bool
	}{
		{PageOptions{}, true},
		{PageOptions{Pages: "1"}, true},
		{PageOptions{Pages: " 1-3, 5 ,7- "}, true},
		{PageOptions{Pages: "-4"}, true},
		{PageOptions{Pages: "0"}, false},
		{PageOptions{Pages: "3-1"}, false},
		{PageOptions{Pages: "a"}, false},
		{PageOptions{Pages: "1,,2"}, false},
		{PageOptions{Pages: "-"}, false},
		{PageOptions{DPI: 72}, true},
		{PageOptions{DPI: -1}, false},
		{PageOptions{DPI: 2401}, false},
	} {
		if err := tc.po.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: err = %v, want ok %v", tc.po, err, tc.ok)
		}
	}
	if _, err := NewReader(Options{Pages: "x"}); err == nil {
		t.Error("NewReader accepted Pages \"x\"")
	}
}

// TestAFIPOnePixelPerModule: the AFIP invoices' PDF stores the code as an
// image at one pixel per module (146×146 px in a real one); only the
// extracted image reads, not a render of the page at the default DPI.
func TestAFIPOnePixelPerModule(t *testing.T) {
	p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	p.Text(60, 60, 14, "FACTURA B 0001-00000094")
	// About 80 pt wide: a render at 200 dpi gives 3 px per module of a
	// resampled 1 px grid.
	if err := p.ImageQR(matrix(t, afipURL), 1, 40, 700, 80, false); err != nil {
		t.Fatal(err)
	}
	data := pdftest.Build([]*pdftest.Page{p}, pdftest.Options{})
	res, err := sharedReader(t, Options{Invoices: true}).Read(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Codes) != 1 || res.Codes[0].Text != afipURL || res.Codes[0].Invoice == nil {
		t.Fatalf("codes %+v, want the AFIP payload parsed as an invoice", res.Codes)
	}
}

// TestPDFBombs: the bombs of issue #17 are answered at once, refused
// (*LimitError) or truncated, without reaching PDFium's worst case.
func TestPDFBombs(t *testing.T) {
	r := sharedReader(t, Options{Mode: ModeClassic})
	for _, tc := range []struct {
		name      string
		data      []byte
		what      string // LimitError.What; "" for a truncated result
		truncated string
	}{
		{"content stream 300 MB", pdftest.ContentBomb(300 << 20), "stream bytes", ""},
		{"image 20000x15000", pdftest.ImageBomb(20000, 15000), "image pixels", ""},
		{"20 blank pages of 14400 pt", pdftest.BlankPages(20, 14400), "document pixels", ""},
		{"20 blank pages of 3000 pt", pdftest.BlankPages(20, 3000), "", TruncatedWork},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Blank pages are counted read without a render: well within
			// the 2 s of #17 even under the race detector.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			start := time.Now()
			defer cancel()
			res, err := r.Read(ctx, tc.data)
			if tc.what != "" {
				var le *LimitError
				if !errors.As(err, &le) || le.What != tc.what {
					t.Fatalf("err = %v, want a %q LimitError", err, tc.what)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// 3000 pt at 200 dpi is 69e6 pixels: 5 pages fit 400e6.
			if res.Truncated != tc.truncated || res.PagesRead != 5 {
				t.Errorf("truncated %q after %d pages, want %q after 5", res.Truncated, res.PagesRead, tc.truncated)
			}
			if res.Timings.Classic+res.Timings.Nano > 0 {
				t.Errorf("blank pages were read (%v classic, %v nano)", res.Timings.Classic, res.Timings.Nano)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %v: blank pages rendered?", took)
			}
		})
	}
}

// BenchmarkReadPDFPages reads generated documents of n A4 pages, one
// QR code each (vector or image), through the shared engine; the
// render/extraction and classic times per document are reported.
//
//	go test -run '^$' -bench ReadPDFPages -benchtime 10x .
func BenchmarkReadPDFPages(b *testing.B) {
	for _, tc := range []struct {
		pages int
		image bool
	}{{2, false}, {2, true}, {20, false}, {35, false}, {100, false}} {
		kind := "vector"
		if tc.image {
			kind = "image"
		}
		b.Run(fmt.Sprintf("%d-%s", tc.pages, kind), func(b *testing.B) {
			data, err := pdftest.LongDocument(tc.pages, tc.image)
			if err != nil {
				b.Fatal(err)
			}
			r := sharedReader(b, Options{})
			if err := r.Warm(context.Background()); err != nil {
				b.Fatal(err)
			}
			var decode, classic time.Duration
			b.ResetTimer()
			for range b.N {
				res, err := r.Read(context.Background(), data)
				if err != nil || len(res.Codes) != tc.pages {
					b.Fatalf("%v: %d codes", err, len(res.Codes))
				}
				decode += res.Timings.DecodeImage
				classic += res.Timings.Classic
			}
			b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
			b.ReportMetric(float64(classic.Milliseconds())/float64(b.N), "classic-ms/op")
		})
	}
}
