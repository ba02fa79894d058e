package qrcascade

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// pdfReaderOnce shares one Reader (hence one PDF engine start) among the
// PDF tests of this package.
var (
	pdfReaderOnce sync.Once
	pdfReaderVal  *Reader
	pdfReaderErr  error
)

func pdfReader(t testing.TB) *Reader {
	t.Helper()
	pdfReaderOnce.Do(func() { pdfReaderVal, pdfReaderErr = NewReader(Options{Mode: ModeClassic}) })
	if pdfReaderErr != nil {
		t.Fatal(pdfReaderErr)
	}
	return pdfReaderVal
}

func matrix(t testing.TB, text string) [][]bool {
	t.Helper()
	m, err := pdftest.Matrix(text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// a4 returns n A4 pages with a line of text each.
func a4(n int) []*pdftest.Page {
	var pages []*pdftest.Page
	for i := 0; i < n; i++ {
		p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
		p.Text(60, 80, 14, "FACTURA F-2026-0042")
		pages = append(pages, p)
	}
	return pages
}

// TestReadPDF reads generated invoices through the public API: where each
// code is (page, position) and what the image info says.
func TestReadPDF(t *testing.T) {
	const (
		text1 = "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678-G33&fecha=01-09-2024&importe=241.4"
		text2 = "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=0000014300.000000&fe=rH8/bw=="
	)
	m1, m2 := matrix(t, text1), matrix(t, text2)
	type want struct {
		text string
		page int
		x, y float64 // expected top-left corner in points (the symbol's, quiet zone excluded); < 0: not checked
	}
	for _, tc := range []struct {
		name  string
		pages func() []*pdftest.Page
		dims  [2]int // rendered size of page 1 at 200 dpi
		want  []want
	}{
		{"vector", func() []*pdftest.Page {
			p := a4(1)
			p[0].VectorQR(m1, 400, 60, 2)
			return p
		}, [2]int{1654, 2339}, []want{{text1, 1, 400, 60}}},
		{"flate image", func() []*pdftest.Page {
			p := a4(1)
			if err := p[0].ImageQR(m1, 4, 380, 40, 150, false); err != nil {
				t.Fatal(err)
			}
			return p
		}, [2]int{1654, 2339}, []want{{text1, 1, -1, -1}}},
		{"dct image", func() []*pdftest.Page {
			p := a4(1)
			if err := p[0].ImageQR(m2, 5, 380, 40, 160, true); err != nil {
				t.Fatal(err)
			}
			return p
		}, [2]int{1654, 2339}, []want{{text2, 1, -1, -1}}},
		{"codes on pages 2 and 3", func() []*pdftest.Page {
			p := a4(3)
			p[1].VectorQR(m1, 60, 600, 2)
			p[2].VectorQR(m2, 300, 300, 2.2)
			return p
		}, [2]int{1654, 2339}, []want{{text1, 2, 60, 600}, {text2, 3, 300, 300}}},
		{"rotated page", func() []*pdftest.Page {
			p := a4(1)
			p[0].Rotate = 90
			p[0].VectorQR(m1, 100, 100, 2)
			return p
		}, [2]int{2339, 1654}, []want{{text1, 1, -1, -1}}},
		{"no code", func() []*pdftest.Page { return a4(2) }, [2]int{1654, 2339}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pages := tc.pages()
			res, err := pdfReader(t).Read(context.Background(), pdftest.Build(pages, pdftest.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			img := res.Image
			if img.Format != "pdf" || img.Pages != len(pages) || img.Width != tc.dims[0] || img.Height != tc.dims[1] {
				t.Errorf("image %+v, want pdf, %d pages, %dx%d", img, len(pages), tc.dims[0], tc.dims[1])
			}
			if len(res.Codes) != len(tc.want) {
				t.Fatalf("read %d codes, want %d: %+v", len(res.Codes), len(tc.want), res.Codes)
			}
			for i, w := range tc.want {
				c := res.Codes[i]
				if c.Text != w.text || c.Page != w.page {
					t.Errorf("code %d: %q on page %d, want %q on page %d", i, c.Text, c.Page, w.text, w.page)
				}
				if w.x < 0 {
					continue
				}
				const s = 200.0 / 72
				// The reported corner may sit on the module edge or half
				// a module inside: allow 3 pt.
				if dx, dy := c.Points[0][0]-w.x*s, c.Points[0][1]-w.y*s; math.Hypot(dx, dy) > 3*s {
					t.Errorf("code %d: top-left %v, want near (%.0f, %.0f)", i, c.Points[0], w.x*s, w.y*s)
				}
			}
		})
	}
}

// TestReadPDFErrors: bad documents give the documented error and no
// result.
func TestReadPDFErrors(t *testing.T) {
	good := pdftest.Build(a4(2), pdftest.Options{})
	var (
		fe *FormatError
		ue *UnsupportedError
		le *LimitError
	)
	r := pdfReader(t)
	for _, tc := range []struct {
		name  string
		r     *Reader
		data  []byte
		check func(error) bool
	}{
		{"encrypted", r, pdftest.Build(a4(1), pdftest.Options{Encrypt: true}), func(err error) bool {
			return errors.As(err, &ue) && ue.Format == "pdf" && errors.Is(err, ErrEncrypted)
		}},
		{"truncated", r, good[:40], func(err error) bool { return errors.As(err, &fe) && fe.Format == "pdf" }},
		{"too many bytes", newReader(t, Options{Mode: ModeClassic, MaxBytes: 100}), good, func(err error) bool {
			return errors.As(err, &le) && le.What == "bytes"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.r.Read(context.Background(), tc.data)
			if err == nil || !tc.check(err) {
				t.Fatalf("err = %v (%T)", err, err)
			}
			if res != nil {
				t.Errorf("result %+v with an input error", res)
			}
		})
	}
}

// TestPDFRetryDPI: the second pass reads codes too small for the default
// resolution, and not without it: by region where the page's content shows
// the symbol (even 0.25 pt modules, beyond a whole page at 400 dpi; inside
// a form XObject; even on a page of a document whose other page read), by
// whole page where the content is too large to search; points are
// reported in the default-DPI frame.
func TestPDFRetryDPI(t *testing.T) {
	const (
		text = "https://example.com/invoice?id=2026-000123&total=99.90&tax=B12345678"
		big  = "BIG-CODE-PAGE-1"
	)
	m := matrix(t, text)
	// 0.45 pt modules: 1.25 px at 200 dpi, 2.5 px at 400 (measured: the
	// classic tier reads from 0.55 pt = 1.5 px up at 200 dpi).
	onePage := func(draw func(p *pdftest.Page)) []byte {
		p := a4(1)
		draw(p[0])
		return pdftest.Build(p, pdftest.Options{})
	}
	path := onePage(func(p *pdftest.Page) { p.VectorQR(m, 300, 300, 0.45) })
	pieces := onePage(func(p *pdftest.Page) { p.VectorQRPieces(m, 300, 300, 0.25) })
	form := onePage(func(p *pdftest.Page) { p.FormVectorQR(m, 300, 300, 0.45) })
	// More objects than pdf.Candidates examines: a field of dots.
	crowded := onePage(func(p *pdftest.Page) {
		p.VectorQR(m, 300, 300, 0.45)
		for k := 0; k < 6000; k++ {
			p.Rect(40+float64(k%200)*2.5, 500+float64(k/200)*3, 0.5, 0.5)
		}
	})
	pages := a4(2)
	pages[0].VectorQR(matrix(t, big), 300, 300, 3)
	pages[1].VectorQR(m, 300, 300, 0.45)
	twoPages := pdftest.Build(pages, pdftest.Options{})
	for _, tc := range []struct {
		name  string
		data  []byte
		retry int
		want  []string // texts read, in order
		page  int      // the page of the small code
	}{
		{"off", path, -1, nil, 1},
		{"one path", path, 0, []string{text}, 1},
		{"0.25 pt pieces", pieces, 0, []string{text}, 1},
		{"form", form, 0, []string{text}, 1},
		{"crowded, whole page", crowded, 0, []string{text}, 1},
		{"crowded, off", crowded, -1, nil, 1},
		{"page 2 after a read on page 1", twoPages, 0, []string{big, text}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReader(t, Options{Mode: ModeClassic, PDF: pdfReader(t).pdf, PDFRetryDPI: tc.retry})
			res, err := r.Read(context.Background(), tc.data)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range res.Codes {
				got = append(got, c.Text)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("read %q, want %q", got, tc.want)
			}
			if len(got) == 0 {
				return
			}
			c := res.Codes[len(res.Codes)-1]
			const s = 200.0 / 72
			if c.Page != tc.page {
				t.Errorf("page %d, want %d", c.Page, tc.page)
			}
			if dx, dy := c.Points[0][0]-300*s, c.Points[0][1]-300*s; math.Hypot(dx, dy) > 3*s {
				t.Errorf("top-left %v, want near (%.0f, %.0f) in the 200 dpi frame", c.Points[0], 300*s, 300*s)
			}
		})
	}
	t.Run("0.25 pt pieces, whole page at 400 dpi", func(t *testing.T) {
		doc, err := pdfReader(t).pdf.e.Open(context.Background(), pieces)
		if err != nil {
			t.Fatal(err)
		}
		defer doc.Close()
		p, _, err := doc.Render(0, 400)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := newReader(t, Options{Mode: ModeClassic}).ReadImage(context.Background(), grayImage(p)); err != nil || len(out.Codes) != 0 {
			t.Errorf("the whole page at 400 dpi reads %+v (%v): regions are not needed for it", out.Codes, err)
		}
	})
}

// TestReadMultiPageImages: TIFF directories and GIF frames are pages too.
func TestReadMultiPageImages(t *testing.T) {
	const text = "MULTIPAGE-TIFF-GIF-0042"
	m := matrix(t, text)
	// symbol draws m with 4 px modules and a 4-module quiet zone on a
	// w×h white page, at (x, y).
	symbol := func(g *image.Gray, x, y int) {
		for r, row := range m {
			for c, dark := range row {
				if dark {
					for yy := 0; yy < 4; yy++ {
						for xx := 0; xx < 4; xx++ {
							g.SetGray(x+c*4+xx, y+r*4+yy, color.Gray{0})
						}
					}
				}
			}
		}
	}
	blank := func() *image.Gray {
		g := image.NewGray(image.Rect(0, 0, 300, 300))
		for i := range g.Pix {
			g.Pix[i] = 0xff
		}
		return g
	}
	withCode := blank()
	symbol(withCode, 60, 60)

	// A 2-page TIFF: x/image/tiff writes one directory, so the second page
	// is appended by linking IFD0 to a copy of itself in a second file
	// image. Simpler and exact: write both pages and join their IFDs.
	tiffData := joinTIFF(t, blank(), withCode)

	pal := color.Palette{color.White, color.Black}
	var frames []*image.Paletted
	for _, g := range []*image.Gray{blank(), blank(), withCode} {
		f := image.NewPaletted(g.Rect, pal)
		for i, v := range g.Pix {
			if v < 128 {
				f.Pix[i] = 1
			}
		}
		frames = append(frames, f)
	}
	var gifBuf bytes.Buffer
	if err := gif.EncodeAll(&gifBuf, &gif.GIF{Image: frames, Delay: []int{10, 10, 10}}); err != nil {
		t.Fatal(err)
	}
	r := newReader(t, Options{Mode: ModeClassic})
	for _, tc := range []struct {
		name   string
		data   []byte
		format string
		pages  int
		page   int
	}{
		{"tiff", tiffData, "tiff", 2, 2},
		{"gif", gifBuf.Bytes(), "gif", 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := r.Read(context.Background(), tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if res.Image.Format != tc.format || res.Image.Pages != tc.pages {
				t.Errorf("image %+v, want %s with %d pages", res.Image, tc.format, tc.pages)
			}
			if len(res.Codes) != 1 || res.Codes[0].Text != text || res.Codes[0].Page != tc.page {
				t.Fatalf("codes %+v, want %q on page %d", res.Codes, text, tc.page)
			}
		})
	}
	t.Run("page limit", func(t *testing.T) {
		// The first two frames are read, the rest reported truncated
		// (issue #14: a limit no longer refuses the document).
		res, err := newReader(t, Options{Mode: ModeClassic, MaxPages: 2}).Read(context.Background(), gifBuf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if res.Truncated != TruncatedMaxPages || res.PagesRead != 2 || res.Image.Pages != 3 {
			t.Errorf("truncated %q after %d of %d pages, want %q after 2 of 3", res.Truncated, res.PagesRead, res.Image.Pages, TruncatedMaxPages)
		}
	})
}

// joinTIFF encodes each page as a little-endian uncompressed TIFF and
// chains them: the pages' bytes are concatenated and every offset of page
// k is shifted by its position (only the IFD's own strip offset needs it
// for these single-strip gray files).
func joinTIFF(t *testing.T, pages ...*image.Gray) []byte {
	t.Helper()
	var out []byte
	lastLink := -1
	for _, g := range pages {
		var buf bytes.Buffer
		if err := tiff.Encode(&buf, g, &tiff.Options{Compression: tiff.Uncompressed}); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		base := uint32(len(out))
		le := binary.LittleEndian
		ifd := le.Uint32(b[4:])
		n := int(le.Uint16(b[ifd:]))
		for k := 0; k < n; k++ {
			e := b[int(ifd)+2+12*k:]
			tag, typ, count := le.Uint16(e), le.Uint16(e[2:]), le.Uint32(e[4:])
			size := map[uint16]uint32{3: 2, 4: 4, 5: 8}[typ] * count
			switch {
			case tag == 273: // StripOffsets: one LONG in place here
				le.PutUint32(e[8:], le.Uint32(e[8:])+base)
			case size > 4: // out-of-line value
				le.PutUint32(e[8:], le.Uint32(e[8:])+base)
			}
		}
		if lastLink >= 0 {
			le.PutUint32(out[lastLink:], ifd+base)
		}
		lastLink = int(base + ifd + 2 + uint32(12*n))
		out = append(out, b...)
	}
	return out
}

// BenchmarkReadPDFSmallCode measures the resolution policy: a one-page A4
// PDF whose code is drawn with modules of the given size in points (as
// one path, piece by piece, or inside a form XObject), or no code, read
// with the second pass off and on. "read" is 1 when the code was read.
func BenchmarkReadPDFSmallCode(b *testing.B) {
	const text = "https://example.com/invoice?id=2026-000123&total=99.90&tax=B12345678"
	m := matrix(b, text)
	for _, tc := range []struct {
		name string
		draw func(p *pdftest.Page)
	}{
		{"path=0.25pt", func(p *pdftest.Page) { p.VectorQR(m, 300, 300, 0.25) }},
		{"path=0.45pt", func(p *pdftest.Page) { p.VectorQR(m, 300, 300, 0.45) }},
		{"pieces=0.45pt", func(p *pdftest.Page) { p.VectorQRPieces(m, 300, 300, 0.45) }},
		{"form=0.45pt", func(p *pdftest.Page) { p.FormVectorQR(m, 300, 300, 0.45) }},
		{"crowded=0.45pt", func(p *pdftest.Page) {
			p.VectorQR(m, 300, 300, 0.45)
			for k := 0; k < 6000; k++ {
				p.Rect(40+float64(k%200)*2.5, 500+float64(k/200)*3, 0.5, 0.5)
			}
		}},
		{"path=0.6pt", func(p *pdftest.Page) { p.VectorQR(m, 300, 300, 0.6) }},
		{"nocode", func(p *pdftest.Page) {}},
	} {
		p := a4(1)
		tc.draw(p[0])
		data := pdftest.Build(p, pdftest.Options{})
		for _, retry := range []int{-1, 0} {
			b.Run(fmt.Sprintf("%s/retry=%v", tc.name, retry == 0), func(b *testing.B) {
				r := newReader(b, Options{Mode: ModeClassic, PDF: pdfReader(b).pdf, PDFRetryDPI: retry})
				if _, err := r.Read(context.Background(), data); err != nil { // start the engine
					b.Fatal(err)
				}
				b.ReportAllocs()
				read := 0.0
				for b.Loop() {
					res, err := r.Read(context.Background(), data)
					if err != nil {
						b.Fatal(err)
					}
					if res.Success() {
						read = 1
					}
				}
				b.ReportMetric(read, "read")
			})
		}
	}
}

// TestSharedPDFEngine: Readers given one PDFEngine all render with it (it
// starts once), each applies its own page and pixel limits, and closing a
// Reader leaves the shared engine running; closing the engine does not
// stop the Readers from reading images.
func TestSharedPDFEngine(t *testing.T) {
	const text = "SHARED-ENGINE-0042"
	eng, err := NewPDFEngine(PDFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	pages := a4(2)
	pages[1].VectorQR(matrix(t, text), 200, 200, 2)
	data := pdftest.Build(pages, pdftest.Options{})

	readers := map[string]*Reader{
		"default":     newReader(t, Options{Mode: ModeClassic, PDF: eng}),
		"one page":    newReader(t, Options{Mode: ModeClassic, PDF: eng, MaxPages: 1}),
		"small pages": newReader(t, Options{Mode: ModeClassic, PDF: eng, MaxPixels: 1e6}),
	}
	for name, r := range readers {
		if r.pdf != eng || r.ownsPDF {
			t.Fatalf("%s: reader has its own engine", name)
		}
	}
	if took, _ := eng.StartupInfo(); took != 0 {
		t.Fatalf("engine started before the first PDF (%v)", took)
	}
	t.Run("limits per reader", func(t *testing.T) {
		for _, tc := range []struct {
			reader string
			pages  bool // truncated to its first page
			width  int  // of page 1
		}{
			{"default", false, 1654},  // 595 pt at 200 dpi
			{"one page", true, 1654},  // 2 pages > 1: page 1 only
			{"small pages", false, 0}, // 1e6 px: about 100 dpi, checked below
		} {
			t.Run(tc.reader, func(t *testing.T) {
				res, err := readers[tc.reader].Read(context.Background(), data)
				if tc.pages {
					if err != nil || res.Truncated != TruncatedMaxPages || res.PagesRead != 1 || len(res.Codes) != 0 {
						t.Fatalf("err = %v, result %+v: want page 1 read, truncated %q", err, res, TruncatedMaxPages)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Codes) != 1 || res.Codes[0].Text != text || res.Codes[0].Page != 2 {
					t.Errorf("codes %+v, want %q on page 2", res.Codes, text)
				}
				w, h := res.Image.Width, res.Image.Height
				switch tc.reader {
				case "default":
					if w != tc.width {
						t.Errorf("width %d, want %d", w, tc.width)
					}
				case "small pages":
					if w*h > 1e6 || w*h < 0.9e6 {
						t.Errorf("page 1 rendered %dx%d = %d px, want just under 1e6", w, h, w*h)
					}
				}
			})
		}
	})
	t.Run("concurrent readers", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for k := 0; k < 8; k++ {
			r := readers[[]string{"default", "small pages"}[k%2]]
			wg.Go(func() {
				res, err := r.Read(context.Background(), data)
				if err == nil && (len(res.Codes) != 1 || res.Codes[0].Text != text) {
					err = fmt.Errorf("codes %+v", res.Codes)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
	took, _ := eng.StartupInfo()
	if took == 0 {
		t.Fatal("the shared engine did not start")
	}
	t.Run("reader close keeps the engine", func(t *testing.T) {
		if err := readers["default"].Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := readers["small pages"].Read(context.Background(), data); err != nil {
			t.Fatalf("after another reader's Close: %v", err)
		}
		if again, _ := eng.StartupInfo(); again != took {
			t.Errorf("engine restarted: %v then %v", took, again)
		}
	})
	t.Run("engine close", func(t *testing.T) {
		if err := eng.Close(); err != nil {
			t.Fatal(err)
		}
		r := readers["small pages"]
		if _, err := r.Read(context.Background(), data); !errors.Is(err, ErrPDFClosed) {
			t.Errorf("PDF after engine Close: err = %v, want ErrPDFClosed", err)
		}
		img := a4Image(t, text)
		res, err := r.Read(context.Background(), img)
		if err != nil || len(res.Codes) != 1 || res.Codes[0].Text != text {
			t.Errorf("PNG after engine Close: %+v, %v", res, err)
		}
	})
}

// TestReaderOwnsPDFEngine: a Reader without Options.PDF makes its own
// engine and closes it in Close.
func TestReaderOwnsPDFEngine(t *testing.T) {
	r := newReader(t, Options{Mode: ModeClassic})
	if r.pdf == nil || !r.ownsPDF {
		t.Fatal("reader without Options.PDF has no engine of its own")
	}
	data := pdftest.Build(a4(1), pdftest.Options{})
	if _, err := r.Read(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(context.Background(), data); !errors.Is(err, ErrPDFClosed) {
		t.Errorf("after Close: err = %v, want ErrPDFClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// a4Image returns a PNG with a code of text drawn with 4 px modules.
func a4Image(t *testing.T, text string) []byte {
	t.Helper()
	m := matrix(t, text)
	g := image.NewGray(image.Rect(0, 0, 8*len(m)+64, 8*len(m)+64))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	for r, row := range m {
		for c, dark := range row {
			if dark {
				for k := 0; k < 16; k++ {
					g.SetGray(32+4*c+k%4, 32+4*r+k/4, color.Gray{0})
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPDFImagePolicy: image objects are read at their native resolution
// before the page is rendered; the render is skipped when an image read a
// code or the page is a scan, unless Options.All; a code read twice (image
// and render) is reported once.
func TestPDFImagePolicy(t *testing.T) {
	const (
		text1 = "https://example.com/invoice?id=2026-000123&total=99.90&tax=B12345678"
		text2 = "VECTOR-CODE-0042"
	)
	m1, m2 := matrix(t, text1), matrix(t, text2)
	n1 := float64(len(m1) + 8) // modules across the image, quiet zone included
	// A code as a 4 px/module image painted with 0.45 pt modules: 1.25 px
	// per module at 200 dpi, too small to read from the render.
	small := func() []*pdftest.Page {
		p := a4(1)
		if err := p[0].ImageQR(m1, 4, 300, 300, 0.45*n1, false); err != nil {
			t.Fatal(err)
		}
		return p
	}
	imageAndVector := func() []*pdftest.Page {
		p := a4(1)
		if err := p[0].ImageQR(m1, 4, 300, 60, 150, false); err != nil {
			t.Fatal(err)
		}
		p[0].VectorQR(m2, 60, 400, 2)
		return p
	}
	// A scanned page: one 250 dpi image over the whole 300 pt page, with
	// a vector code stamped over it.
	scan := func() []*pdftest.Page {
		p := pdftest.NewPage(300, 300)
		g := image.NewGray(image.Rect(0, 0, 1042, 1042))
		for i := range g.Pix {
			g.Pix[i] = 0xf0
		}
		if err := p.Image(g, 0, 0, 300, 300, false); err != nil {
			t.Fatal(err)
		}
		p.VectorQR(m2, 100, 100, 2)
		return []*pdftest.Page{p}
	}
	for _, tc := range []struct {
		name  string
		pages func() []*pdftest.Page
		all   bool
		want  []string
	}{
		{"small image code", small, false, []string{text1}},
		{"image and vector, first read", imageAndVector, false, []string{text1}},
		{"image and vector, all", imageAndVector, true, []string{text1, text2}},
		{"scan, stamp skipped", scan, false, nil},
		{"scan, all", scan, true, []string{text2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReader(t, Options{Mode: ModeClassic, PDF: pdfReader(t).pdf, All: tc.all, PDFRetryDPI: -1})
			res, err := r.Read(context.Background(), pdftest.Build(tc.pages(), pdftest.Options{}))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range res.Codes {
				got = append(got, c.Text)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("read %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("small image code, points", func(t *testing.T) {
		data := pdftest.Build(small(), pdftest.Options{})
		res, err := pdfReader(t).Read(context.Background(), data)
		if err != nil || len(res.Codes) != 1 {
			t.Fatalf("%+v, %v", res, err)
		}
		// The symbol's top-left corner is 4 modules inside the image.
		const s = 200.0 / 72
		x, y := (300+4*0.45)*s, (300+4*0.45)*s
		if p := res.Codes[0].Points[0]; math.Hypot(p[0]-x, p[1]-y) > 1*s {
			t.Errorf("top-left %v, want near (%.1f, %.1f) in the 200 dpi frame", p, x, y)
		}
		// The render alone does not read it: the image path is what helps.
		doc, err := pdfReader(t).pdf.e.Open(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		defer doc.Close()
		p, _, err := doc.Render(0, 200)
		if err != nil {
			t.Fatal(err)
		}
		out, err := newReader(t, Options{Mode: ModeClassic}).ReadImage(context.Background(), grayImage(p))
		if err != nil || len(out.Codes) != 0 {
			t.Errorf("the 200 dpi render reads %+v (%v): the case no longer tests extraction", out.Codes, err)
		}
	})
}

// grayImage wraps a plane as an *image.Gray without copying.
func grayImage(p *gray.Plane) *image.Gray {
	return &image.Gray{Pix: p.Pix, Stride: p.Stride, Rect: image.Rect(0, 0, p.W, p.H)}
}

// TestPDFCorpusWrapped reads real corpus images (../shared/corpus, skipped
// when absent) wrapped in a PDF as an embedded Flate image, 400 pt across
// on an A4 page: the PDF path (extraction at native resolution, points
// mapped to the page) must read at least the images the direct path reads.
func TestPDFCorpusWrapped(t *testing.T) {
	root := filepath.Join("..", "shared", "corpus")
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/corpus not present")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	r := newReader(t, Options{Mode: ModeClassic, PDF: pdfReader(t).pdf})
	for _, set := range []string{"boofcv-decoding", "jsqr"} {
		t.Run(set, func(t *testing.T) {
			entries, err := bench.LoadManifest(filepath.Join(root, set, "manifest.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			direct, wrapped := 0, 0
			for i := range entries {
				e := &entries[i]
				data, err := os.ReadFile(e.Image)
				if err != nil {
					t.Fatal(err)
				}
				p, _, err := imgio.Decode(data, imgio.Limits{})
				if err != nil {
					t.Fatalf("%s: %v", e.Image, err)
				}
				g := image.NewGray(image.Rect(0, 0, p.W, p.H))
				for y := 0; y < p.H; y++ {
					copy(g.Pix[y*g.Stride:], p.Row(y))
				}
				page := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
				page.Text(60, 60, 14, "FACTURA F-2026-0042")
				s := 400 / float64(max(p.W, p.H))
				if err := page.Image(g, 100, 100, float64(p.W)*s, float64(p.H)*s, false); err != nil {
					t.Fatal(err)
				}
				ok := func(data []byte) bool {
					res, err := r.Read(context.Background(), data)
					if err != nil {
						t.Fatalf("%s: %v", e.Image, err)
					}
					rd := bench.Read{}
					for _, c := range res.Codes {
						rd.Codes = append(rd.Codes, bench.Decoded{Text: c.Text, Corners: codeQuad(c.Points)})
					}
					return bench.ScoreEntry(e, &rd).Success
				}
				d, w := ok(data), ok(pdftest.Build([]*pdftest.Page{page}, pdftest.Options{}))
				if d {
					direct++
				}
				if w {
					wrapped++
				}
				if d && !w {
					t.Errorf("%s: read directly, not wrapped in a PDF", e.Image)
				}
			}
			t.Logf("%s: %d images read directly, %d wrapped in a PDF, of %d", set, direct, wrapped, len(entries))
		})
	}
}
