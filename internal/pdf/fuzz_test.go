package pdf

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// fuzzSeeds returns generated documents of every kind the tests use.
func fuzzSeeds(t testing.TB) [][]byte {
	m := mustMatrix(t, "FUZZ-SEED")
	vector := pdftest.NewPage(200, 200)
	vector.VectorQR(m, 20, 20, 3)
	vector.Text(20, 190, 8, "seed")
	img := pdftest.NewPage(200, 200)
	if err := img.ImageQR(m, 2, 10, 10, 120, false); err != nil {
		t.Fatal(err)
	}
	dct := pdftest.NewPage(200, 200)
	if err := dct.ImageQR(m, 2, 10, 10, 120, true); err != nil {
		t.Fatal(err)
	}
	rot := pdftest.NewPage(300, 200)
	rot.Rotate = 270
	rot.Rect(10, 10, 50, 50)
	pieces := pdftest.NewPage(200, 200)
	pieces.VectorQRPieces(m, 20, 20, 1)
	pieces.FormVectorQR(m, 100, 100, 1)
	return [][]byte{
		pdftest.Build([]*pdftest.Page{pieces}, pdftest.Options{}),
		pdftest.Build([]*pdftest.Page{vector}, pdftest.Options{}),
		pdftest.Build([]*pdftest.Page{img, dct}, pdftest.Options{}),
		pdftest.Build([]*pdftest.Page{rot, vector, rot}, pdftest.Options{}),
		pdftest.Build([]*pdftest.Page{vector}, pdftest.Options{Encrypt: true}),
		[]byte("%PDF-1.7\n"),
	}
}

// FuzzOpen feeds arbitrary bytes to Open, asks whether each page is blank,
// renders it at a low resolution, extracts its images and searches its
// candidate regions.
// Properties: no panic, no hang (each document runs under a 2 s
// deadline), every error of a documented kind, page count within the
// limit, planes within the pixel bound, images within their size bounds,
// regions inside the page. Run it time-bounded, e.g.
//
//	go test ./internal/pdf -run '^$' -fuzz FuzzOpen -fuzztime 30s
//
// Cost per execution (#17): the engine is started once per fuzzing
// process and reuses its one instance (Config.ReuseInstances) from
// document to document, replacing it only after a fault, a deadline or
// maxInstanceDocuments documents: a fresh instance per input cost 5 to
// 30 ms and a return of its memory to the system, a reused one costs
// under 1 ms. Inputs over fuzzMaxInput bytes are skipped and documents
// have at most two pages. What remains is PDFium's work on each input:
// 3.4 ms on average over the corpus, 7 ms for the seed that draws its
// symbol run by run, so this target runs a couple of hundred
// inputs a second, not thousands (docs/PDF.md). Because the instance is
// reused, an input's outcome may depend on the inputs before it in the
// same process; a crasher that does not reproduce alone is still worth
// its corpus entry.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	const (
		maxPages  = 2
		maxPixels = 1 << 18
	)
	e, err := New(Config{MaxPages: maxPages, MaxPixels: maxPixels, Timeout: 2 * time.Second, Instances: 1, ReuseInstances: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { e.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		d, err := e.Open(context.Background(), data)
		if err != nil {
			checkKind(t, err)
			return
		}
		defer d.Close()
		if d.Pages() < 1 || d.Pages() > maxPages {
			t.Fatalf("%d pages outside 1..%d", d.Pages(), maxPages)
		}
		for i := 0; i < d.Pages(); i++ {
			if _, err := d.Blank(i); err != nil {
				checkKind(t, err)
			}
			p, _, err := d.Render(i, 36)
			if err != nil {
				checkKind(t, err)
				continue
			}
			if p.W < 1 || p.H < 1 || int64(p.W)*int64(p.H) > maxPixels || len(p.Pix) < p.W*p.H {
				t.Fatalf("page %d: plane %dx%d (%d bytes) outside the bound", i+1, p.W, p.H, len(p.Pix))
			}
			ims, err := d.Images(i, ImageLimits{MaxPixels: maxPixels})
			if err != nil {
				checkKind(t, err)
			}
			for _, im := range ims {
				q := im.Plane
				if q.W < MinImageSide || q.H < MinImageSide || int64(q.W)*int64(q.H) > maxPixels || len(q.Pix) < q.W*q.H {
					t.Fatalf("page %d: image %dx%d (%d bytes) outside the bounds", i+1, q.W, q.H, len(q.Pix))
				}
			}
			w, h, err := d.PageSize(i)
			if err != nil {
				checkKind(t, err)
				continue
			}
			regions, _, err := d.Candidates(i)
			if err != nil {
				checkKind(t, err)
			}
			const eps = 0.5 // pt, the display map's rounding
			for _, r := range regions {
				if !(r.W > 0 && r.H > 0) || r.X < -eps || r.Y < -eps || r.X+r.W > w+eps || r.Y+r.H > h+eps {
					t.Fatalf("page %d: region %v outside the %gx%g pt page", i+1, r, w, h)
				}
			}
		}
	})
}

// fuzzMaxInput is the largest input FuzzOpen reads, in bytes: the seeds
// take 9 bytes to 8 KB, and a larger file only makes an execution slower.
const fuzzMaxInput = 32 << 10

// checkKind fails unless err is one of the documented error kinds.
func checkKind(t *testing.T, err error) {
	t.Helper()
	var (
		fe *imgio.FormatError
		ue *imgio.UnsupportedError
		le *imgio.LimitError
	)
	switch {
	case errors.Is(err, imgio.ErrEmpty), errors.As(err, &fe), errors.As(err, &ue), errors.As(err, &le),
		errors.Is(err, context.DeadlineExceeded):
	default:
		t.Fatalf("undocumented error %T: %v", err, err)
	}
}
