package pdf

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// engine is the test binary's one Engine: starting PDFium costs seconds
// without the compilation cache, so every test shares it. Tests that need
// other limits build a Document-level check or their own short-lived
// Engine (which then loads from the cache).
var engine *Engine

func TestMain(m *testing.M) {
	var err error
	engine, err = New(Config{})
	if err != nil {
		panic(err)
	}
	code := m.Run()
	engine.Close()
	os.Exit(code)
}

func mustMatrix(t testing.TB, text string) [][]bool {
	t.Helper()
	m, err := pdftest.Matrix(text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func open(t testing.TB, e *Engine, data []byte) *Document {
	t.Helper()
	d, err := e.Open(context.Background(), data)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// dark reports whether the pixel at (x, y) is dark.
func dark(p *gray.Plane, x, y int) bool { return p.At(x, y) < 128 }

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want bool
	}{
		{"header", "%PDF-1.7\n", true},
		{"junk before header", "\x00\x01garbage\n%PDF-1.4\n", true},
		{"empty", "", false},
		{"png", "\x89PNG\r\n\x1a\n", false},
		{"header past 1024 bytes", string(make([]byte, 1024)) + "%PDF-1.4", false},
		{"prefix only", "%PDF", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Is([]byte(tc.data)); got != tc.want {
				t.Errorf("Is = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRenderGeometry draws a black square at a known place and checks the
// plane size and where the square lands, at several resolutions and
// rotations.
func TestRenderGeometry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rotate int
		dpi    int
	}{
		{"72dpi", 0, 72},
		{"144dpi", 0, 144},
		{"rotate90", 90, 72},
		{"rotate180", 180, 72},
		{"rotate270", 270, 144},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A 200×100 pt page with a 20 pt square whose top-left is at
			// (30, 10) on the unrotated page.
			p := pdftest.NewPage(200, 100)
			p.Rotate = tc.rotate
			p.Rect(30, 10, 20, 20)
			d := open(t, engine, pdftest.Build([]*pdftest.Page{p}, pdftest.Options{}))
			if d.Pages() != 1 {
				t.Fatalf("Pages = %d", d.Pages())
			}
			pl, dpi, err := d.Render(0, tc.dpi)
			if err != nil {
				t.Fatal(err)
			}
			if dpi != tc.dpi {
				t.Errorf("dpi = %d, want %d", dpi, tc.dpi)
			}
			s := float64(tc.dpi) / 72
			w, h := 200.0, 100.0
			// Square centre (40, 20) on the unrotated page, turned
			// clockwise by /Rotate (ISO 32000-1, Table 30).
			cx, cy := 40.0, 20.0
			switch tc.rotate {
			case 90:
				w, h, cx, cy = h, w, h-cy, cx
			case 180:
				cx, cy = w-cx, h-cy
			case 270:
				w, h, cx, cy = h, w, cy, w-cx
			}
			if pl.W != int(math.Round(w*s)) || pl.H != int(math.Round(h*s)) {
				t.Fatalf("plane %dx%d, want %gx%g", pl.W, pl.H, w*s, h*s)
			}
			x, y := int(cx*s), int(cy*s)
			if !dark(pl, x, y) {
				t.Errorf("square centre (%d,%d) is %d, want dark", x, y, pl.At(x, y))
			}
			// 15 pt away from the centre is outside the square.
			for _, off := range [][2]float64{{-15, 0}, {15, 0}, {0, -15}, {0, 15}} {
				ox, oy := int((cx+off[0])*s), int((cy+off[1])*s)
				if ox < 0 || oy < 0 || ox >= pl.W || oy >= pl.H {
					continue
				}
				if dark(pl, ox, oy) {
					t.Errorf("(%d,%d) outside the square is dark", ox, oy)
				}
			}
		})
	}
}

func TestRenderRegion(t *testing.T) {
	p := pdftest.NewPage(200, 200)
	p.Rect(100, 100, 10, 10)
	d := open(t, engine, pdftest.Build([]*pdftest.Page{p}, pdftest.Options{}))
	pl, dpi, err := d.RenderRegion(0, 288, Rect{X: 90, Y: 90, W: 40, H: 30})
	if err != nil {
		t.Fatal(err)
	}
	if dpi != 288 || pl.W != 160 || pl.H != 120 {
		t.Fatalf("region %dx%d at %d dpi, want 160x120 at 288", pl.W, pl.H, dpi)
	}
	// The square covers points 100..110, i.e. pixels 40..80 of the region.
	if !dark(pl, 60, 60) || dark(pl, 30, 60) || dark(pl, 90, 60) || dark(pl, 60, 100) {
		t.Errorf("square not where expected: (60,60)=%d (30,60)=%d (90,60)=%d (60,100)=%d",
			pl.At(60, 60), pl.At(30, 60), pl.At(90, 60), pl.At(60, 100))
	}
	if _, _, err := d.RenderRegion(0, 72, Rect{X: 500, Y: 500, W: 10, H: 10}); err == nil {
		t.Error("region outside the page: no error")
	}
}

func TestFitDPI(t *testing.T) {
	for _, tc := range []struct {
		name      string
		w, h      float64
		dpi       int
		maxPixels int64
		want      int
	}{
		{"fits", 595, 842, 200, 50e6, 200},
		{"no limit", 595, 842, 600, -1, 600},
		{"a4 at 300 into 4MP", 595, 842, 300, 4e6, 203},
		{"poster", 14400, 14400, 200, 50e6, 35},
		{"tiny limit", 595, 842, 200, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := FitDPI(tc.w, tc.h, tc.dpi, tc.maxPixels)
			if got != tc.want {
				t.Errorf("FitDPI = %d, want %d", got, tc.want)
			}
			if tc.maxPixels > 0 && got > 1 {
				px := math.Ceil(tc.w*float64(got)/72) * math.Ceil(tc.h*float64(got)/72)
				if px > float64(tc.maxPixels) {
					t.Errorf("%d dpi gives %g pixels > %d", got, px, tc.maxPixels)
				}
			}
		})
	}
}

// readAll runs the classic tier on p and returns the texts read.
func readAll(t testing.TB, p *gray.Plane) []string {
	t.Helper()
	tier, err := classic.New(classic.Config{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := tier.Read(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, c := range out.Codes {
		texts = append(texts, c.Text)
	}
	return texts
}

// TestQRRoundTrip writes codes into PDFs in the ways invoices carry them
// and reads them back through Render and the classic tier.
func TestQRRoundTrip(t *testing.T) {
	const text = "https://verifactu.example/q?nif=B12345678&num=F-2026-0042&importe=121.00"
	m := mustMatrix(t, text)
	type build func(*pdftest.Page) error
	for _, tc := range []struct {
		name  string
		draw  build
		pages int // the code is on the last page
	}{
		{"vector", func(p *pdftest.Page) error { p.VectorQR(m, 400, 60, 2); return nil }, 1},
		{"flate image", func(p *pdftest.Page) error { return p.ImageQR(m, 4, 380, 40, 130, false) }, 1},
		{"dct image", func(p *pdftest.Page) error { return p.ImageQR(m, 6, 380, 40, 130, true) }, 1},
		{"vector on page 3", func(p *pdftest.Page) error { p.VectorQR(m, 60, 600, 2.5); return nil }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pages []*pdftest.Page
			for i := 0; i < tc.pages; i++ {
				p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
				p.Text(60, 80, 14, "INVOICE F-2026-0042")
				pages = append(pages, p)
			}
			if err := tc.draw(pages[len(pages)-1]); err != nil {
				t.Fatal(err)
			}
			d := open(t, engine, pdftest.Build(pages, pdftest.Options{}))
			if d.Pages() != tc.pages {
				t.Fatalf("Pages = %d, want %d", d.Pages(), tc.pages)
			}
			for i := 0; i < tc.pages; i++ {
				pl, _, err := d.Render(i, DefaultDPI)
				if err != nil {
					t.Fatal(err)
				}
				got := readAll(t, pl)
				want := i == tc.pages-1
				if want && (len(got) != 1 || got[0] != text) {
					t.Errorf("page %d: read %q, want %q", i+1, got, text)
				}
				if !want && len(got) != 0 {
					t.Errorf("page %d: read %q from a page without code", i+1, got)
				}
			}
		})
	}
}

// TestOpenErrors checks that every bad document gives its documented error
// kind, quickly.
func TestOpenErrors(t *testing.T) {
	good := pdftest.Build([]*pdftest.Page{pdftest.NewPage(100, 100)}, pdftest.Options{})
	many := make([]*pdftest.Page, DefaultMaxPages+1)
	for i := range many {
		many[i] = pdftest.NewPage(100, 100)
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		check func(error) bool
	}{
		{"empty", nil, func(err error) bool { return errors.Is(err, imgio.ErrEmpty) }},
		{"encrypted", pdftest.Build([]*pdftest.Page{pdftest.NewPage(100, 100)}, pdftest.Options{Encrypt: true}), func(err error) bool {
			var ue *imgio.UnsupportedError
			return errors.As(err, &ue) && ue.Format == "pdf" && errors.Is(err, ErrEncrypted)
		}},
		{"header only", good[:9], isFormatError},
		{"not a pdf body", []byte("%PDF-1.7\nthis is not a document\n"), isFormatError},
		{"too many pages", pdftest.Build(many, pdftest.Options{}), func(err error) bool {
			var le *imgio.LimitError
			return errors.As(err, &le) && le.What == "pages" && le.Limit == DefaultMaxPages && le.Actual == DefaultMaxPages+1
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			d, err := engine.Open(context.Background(), tc.data)
			if err == nil {
				d.Close()
				t.Fatal("no error")
			}
			if !tc.check(err) {
				t.Errorf("error %T %v is not the documented kind", err, err)
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

func isFormatError(err error) bool {
	var fe *imgio.FormatError
	return errors.As(err, &fe) && fe.Format == "pdf"
}

// TestTruncated cuts a three-page document at many lengths. PDFium repairs
// what it can (it rebuilds a lost cross-reference table by scanning for
// objects), so a cut file may still open with fewer pages; what must hold
// is that every outcome is a documented error or a renderable document.
func TestTruncated(t *testing.T) {
	m := mustMatrix(t, "TRUNCATED-0001")
	var pages []*pdftest.Page
	for i := 0; i < 3; i++ {
		p := pdftest.NewPage(300, 300)
		p.VectorQR(m, 50, 50, 4)
		pages = append(pages, p)
	}
	full := pdftest.Build(pages, pdftest.Options{})
	failed := 0
	for _, frac := range []float64{0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 0.99} {
		n := int(float64(len(full)) * frac)
		d, err := engine.Open(context.Background(), full[:n])
		if err != nil {
			if !isFormatError(err) {
				t.Errorf("cut at %d/%d: error %T %v", n, len(full), err, err)
			}
			failed++
			continue
		}
		for i := 0; i < d.Pages(); i++ {
			if _, _, err := d.Render(i, 72); err != nil && !isFormatError(err) {
				t.Errorf("cut at %d/%d: page %d: %T %v", n, len(full), i+1, err, err)
			}
		}
		d.Close()
	}
	if failed == 0 {
		t.Error("no cut was refused; the 5 % cut (no page object) must be")
	}
}

func TestDeadline(t *testing.T) {
	p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	p.VectorQR(mustMatrix(t, "DEADLINE"), 50, 50, 3)
	data := pdftest.Build([]*pdftest.Page{p}, pdftest.Options{})

	t.Run("cancelled before open", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := engine.Open(ctx, data); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("expires during render", func(t *testing.T) {
		e, err := New(Config{MaxPixels: -1, MaxMemory: 1 << 30}) // the render must run, not fail to allocate under the default cap
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if err := e.Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The deadline passes 30 ms after the document is open, not 30 ms
		// after Open is called: on a machine loaded by parallel test
		// binaries, Open alone took longer than that. The document's
		// errors carry its context's cause.
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		d, err := e.Open(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		expire := time.AfterFunc(30*time.Millisecond, func() { cancel(context.DeadlineExceeded) })
		defer expire.Stop()
		start := time.Now()
		_, _, err = d.Render(0, MaxDPI) // about 560 megapixels: far longer than 30 ms
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
		// A hang guard, not a speed check: alone this returns in well under
		// a second, but memory growth inside the module is not interruptible
		// and takes seconds when parallel test binaries load the machine.
		if el := time.Since(start); el > 30*time.Second {
			t.Errorf("render returned %v after the deadline", el)
		}
		if _, _, err := d.Render(0, 72); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("render after the deadline: %v", err)
		}
		// The engine is still usable: a fresh instance replaces the killed one.
		d2 := open(t, e, data)
		if _, _, err := d2.Render(0, 72); err != nil {
			t.Errorf("render after a kill: %v", err)
		}
	})
}

func TestMaxPixelsLowersDPI(t *testing.T) {
	e, err := New(Config{MaxPixels: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	d := open(t, e, pdftest.Build([]*pdftest.Page{pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])}, pdftest.Options{}))
	pl, dpi, err := d.Render(0, 300)
	if err != nil {
		t.Fatal(err)
	}
	if dpi >= 300 || int64(pl.W)*int64(pl.H) > 1e6 {
		t.Errorf("rendered %dx%d at %d dpi, over the 1e6 pixel bound", pl.W, pl.H, dpi)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"dpi too high", Config{DPI: MaxDPI + 1}, false},
		{"negative dpi", Config{DPI: -1}, false},
		{"negative instances", Config{Instances: -1}, false},
		{"memory too small", Config{MaxMemory: 1 << 20}, false},
		{"memory too large", Config{MaxMemory: 8 << 30}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if (err == nil) != tc.ok {
				t.Errorf("New: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestClosedEngine(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Open(context.Background(), []byte("%PDF-1.7")); !errors.Is(err, ErrClosed) {
		t.Errorf("Open after Close: %v", err)
	}
}

// TestCacheKeyMatchesGoMod: the compilation cache path names the module
// versions that go.mod requires (see cacheKey).
func TestCacheKeyMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Skip("go.mod not found:", err)
	}
	for _, req := range []struct{ path, key string }{
		{"github.com/klippa-app/go-pdfium ", "go-pdfium-"},
		{"github.com/tetratelabs/wazero ", "wazero-"},
	} {
		i := strings.Index(string(mod), req.path)
		if i < 0 {
			t.Fatalf("go.mod does not require %s", req.path)
		}
		version := strings.Fields(string(mod[i+len(req.path):]))[0]
		if !strings.Contains(cacheKey, req.key+version) {
			t.Errorf("cacheKey %q does not name %s%s", cacheKey, req.key, version)
		}
	}
}

// TestCompilationCache: once the shared test engine has started (and
// filled the default cache), a second engine on the same directory loads
// the compiled module instead of compiling it (compare BenchmarkStartup for
// the cold figure); an unusable directory disables the cache without
// failing.
func TestCompilationCache(t *testing.T) {
	if err := engine.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, used := engine.StartupInfo(); used == "" {
		t.Skip("no usable default cache directory on this machine")
	}
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	took, used := e.StartupInfo()
	if want := filepath.Join(DefaultCacheDir(), cacheKey); used != want {
		t.Errorf("cache dir %q, want %q", used, want)
	}
	// Cold compilation takes seconds here (about 4 to 10 s on 2 busy
	// cores); loading takes a few hundred milliseconds.
	if took > 2*time.Second {
		t.Errorf("start from the cache took %v", took)
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dir  string
		ok   bool
	}{
		{"writable", t.TempDir(), true},
		{"under a file", filepath.Join(file, "sub"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := writableDir(tc.dir); got != tc.ok {
				t.Errorf("writableDir = %v, want %v", got, tc.ok)
			}
		})
	}
}
