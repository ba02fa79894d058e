package synth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// moduleHomography returns the homography taking module space to the image
// as fixed by the truth corners alone (exact when the symbol is flat).
func moduleHomography(t *testing.T, tr Truth) geom.Homography {
	t.Helper()
	n := float64(tr.Dimension())
	h, ok := geom.QuadToQuad(geom.Quad{{X: 0, Y: 0}, {X: n, Y: 0}, {X: n, Y: n}, {X: 0, Y: n}}, tr.Corners)
	if !ok {
		t.Fatalf("degenerate truth corners %v", tr.Corners)
	}
	return h
}

func pixelAt(p *gray.Plane, q geom.Point) int {
	return int(p.At(int(math.Floor(q.X)), int(math.Floor(q.Y))))
}

func TestRenderDeterministic(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			a := mustRender(sc.Spec(7), 7)
			b := mustRender(sc.Spec(7), 7)
			if !bytes.Equal(a.Plane.Pix, b.Plane.Pix) {
				t.Fatal("two renders of the same (spec, seed) differ")
			}
			if fmt.Sprint(a.Codes) != fmt.Sprint(b.Codes) {
				t.Fatalf("truth differs: %v vs %v", a.Codes, b.Codes)
			}
			c := mustRender(sc.Spec(8), 8)
			if bytes.Equal(a.Plane.Pix, c.Plane.Pix) {
				t.Fatal("seeds 7 and 8 gave the same image")
			}
		})
	}
}

// TestStagesIndependent checks that each stage has its own random stream: a
// different noise level must not move the symbol or change the page.
func TestStagesIndependent(t *testing.T) {
	spec := Spec{W: 500, H: 400, Background: BackgroundInvoice, Symbols: []Symbol{{Code: Code{Text: "stage"}, ModulePx: 4, Perspective: 0.1}}}
	a := mustRender(spec, 3)
	spec.Noise = 10
	b := mustRender(spec, 3)
	if a.Codes[0].Corners != b.Codes[0].Corners {
		t.Fatalf("noise moved the symbol: %v vs %v", a.Codes[0].Corners, b.Codes[0].Corners)
	}
	diff := 0.0
	for i := range a.Plane.Pix {
		diff += math.Abs(float64(a.Plane.Pix[i]) - float64(b.Plane.Pix[i]))
	}
	if mean := diff / float64(len(a.Plane.Pix)); mean < 2 || mean > 12 {
		t.Fatalf("mean |difference| with noise σ=10 is %.2f, want about 8 (only noise added)", mean)
	}
}

func TestTruthGeometry(t *testing.T) {
	cases := []struct {
		name string
		sym  Symbol
	}{
		{"upright", Symbol{ModulePx: 6}},
		{"rotated_37", Symbol{ModulePx: 6, Rotation: 37}},
		{"rotated_180", Symbol{ModulePx: 5, Rotation: 180}},
		{"perspective", Symbol{ModulePx: 6, Perspective: 0.2, Rotation: -20}},
		{"inverted", Symbol{ModulePx: 6, Invert: true, Rotation: 10}},
		{"fractional_module", Symbol{ModulePx: 2.7, Rotation: 5}},
		{"quiet_zone_8", Symbol{ModulePx: 4, QuietZone: 8}},
		{"explicit_quad", Symbol{Quad: geom.Quad{{X: 100, Y: 120}, {X: 420, Y: 90}, {X: 460, Y: 430}, {X: 80, Y: 400}}}},
		{"cylinder", Symbol{ModulePx: 6, Cylinder: 1.2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.sym.Code = Code{Text: "https://example.com/geometry", ECLevel: "Q"}
			s, err := Render(Spec{W: 600, H: 560, Background: BackgroundPhoto, Symbols: []Symbol{tc.sym}}, 11)
			if err != nil {
				t.Fatal(err)
			}
			tr := s.Codes[0]
			n := float64(tr.Dimension())
			h := moduleHomography(t, tr)
			mapTo := h.Apply
			if tr.Cylinder > 0 {
				mapTo = tr.ModuleToImage
			}
			dark, light := func(v int) bool { return v < 80 }, func(v int) bool { return v > 200 }
			if tc.sym.Invert {
				dark, light = light, dark
			}
			if tc.sym.Quad != (geom.Quad{}) && tr.Corners != tc.sym.Quad {
				t.Errorf("corners %v, want the explicit quad %v", tr.Corners, tc.sym.Quad)
			}
			for _, c := range finderCentres(int(n)) {
				if v := pixelAt(s.Plane, mapTo(c)); !dark(v) {
					t.Errorf("finder centre %v → %v: grey %d, want dark module", c, mapTo(c), v)
				}
			}
			// Just outside the symbol, inside the quiet zone, beside each
			// finder pattern: light.
			for _, m := range []geom.Point{{X: -1.5, Y: 3.5}, {X: 3.5, Y: -1.5}, {X: n + 1.5, Y: 3.5}, {X: n - 3.5, Y: -1.5}, {X: -1.5, Y: n - 3.5}, {X: 3.5, Y: n + 1.5}} {
				if v := pixelAt(s.Plane, mapTo(m)); !light(v) {
					t.Errorf("quiet zone %v → %v: grey %d, want light", m, mapTo(m), v)
				}
			}
			// The finder's light ring (module ring 1 around the 3×3 core).
			if v := pixelAt(s.Plane, mapTo(geom.Point{X: 1.5, Y: 3.5})); !light(v) {
				t.Errorf("finder light ring: grey %d, want light", v)
			}
			if want := tc.sym.ModulePx; want > 0 && tc.sym.Perspective == 0 && tc.sym.Cylinder == 0 && math.Abs(tr.ModulePx-want) > 1e-9 {
				t.Errorf("ModulePx %.6f, want %.6f", tr.ModulePx, want)
			}
		})
	}
}

// TestVersions renders every version and reads it back with gozxing's
// pure-barcode path (grid sampled from the symbol bounds, so it checks the
// module matrix alone) and, from a copy turned by 90°, with its detector
// (finder patterns first). The turn is there because gozxing's detector
// misses some upright clean symbols (versions 14, 29, 35 and 39 with this
// payload at 3–4 px per module: it picks false finder-pattern triplets and
// samples outside the image) that it reads when they are turned.
func TestVersions(t *testing.T) {
	for v := 1; v <= 40; v++ {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			n := 17 + 4*v
			spec := Spec{W: n*3 + 80, H: n*3 + 80, Symbols: []Symbol{{Code: Code{Text: fmt.Sprintf("Version %d of 40", v), Version: v, ECLevel: "L"}, ModulePx: 3}}}
			// Centred on whole pixels: gozxing's pure-barcode path wants
			// module edges on pixel edges.
			spec.Symbols[0].Center = geom.Point{X: float64(spec.W) / 2, Y: float64(spec.H) / 2}
			s, err := Render(spec, uint64(v))
			if err != nil {
				t.Fatal(err)
			}
			tr := s.Codes[0]
			if tr.Version != v || tr.Dimension() != n {
				t.Fatalf("version %d dimension %d, want %d and %d", tr.Version, tr.Dimension(), v, n)
			}
			if side := tr.Corners[0].Dist(tr.Corners[1]); math.Abs(side-float64(3*n)) > 1e-6 {
				t.Fatalf("symbol side %.3f px, want %d", side, 3*n)
			}
			// The pure-barcode path samples the grid from the symbol's
			// bounds, so it checks the module matrix alone; the detector path
			// also needs the finder patterns to be found.
			bmp, _ := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(newPlaneSource(s.Plane)))
			res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
			if err != nil || res.GetText() != tr.Text {
				t.Fatalf("pure decode: %v, %v; want %q", res, err, tr.Text)
			}
			spec.Symbols[0].Rotation = 90
			s = mustRender(spec, uint64(v))
			// Turned clockwise on screen, the symbol's top edge runs down
			// the image: TR lies straight below TL.
			if c := s.Codes[0].Corners; math.Abs(c[0].X-c[1].X) > 1e-6 || c[1].Y-c[0].Y < float64(3*n)-1e-6 {
				t.Fatalf("turned by 90°: TL %v, TR %v; want TR %d px straight below TL", c[0], c[1], 3*n)
			}
			got, err := decodeQR(t, s.Plane)
			if err != nil || got != tr.Text {
				t.Fatalf("decoded %q, %v; want %q", got, err, tr.Text)
			}
		})
	}
}

func TestScenariosDecode(t *testing.T) {
	for _, sc := range Scenarios() {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", sc.Name, seed), func(t *testing.T) {
				s := mustRender(sc.Spec(seed), seed)
				if len(s.Codes) != 1 || s.Name != sc.Name || s.Seed != seed {
					t.Fatalf("scene %q seed %d with %d codes", s.Name, s.Seed, len(s.Codes))
				}
				tr := s.Codes[0]
				got, err := decodeQR(t, s.Plane)
				if sc.Name == NameDamaged {
					if tr.Readable {
						t.Error("damaged symbol labelled readable")
					}
					if err == nil {
						t.Errorf("damaged symbol decoded as %q", got)
					}
					return
				}
				if !tr.Readable {
					t.Error("symbol labelled unreadable")
				}
				if err != nil || got != tr.Text {
					t.Fatalf("decoded %q, %v; want %q", got, err, tr.Text)
				}
			})
		}
	}
}

func TestScenarioShapes(t *testing.T) {
	cases := []struct {
		name         string
		w, h         int
		minPx, maxPx float64 // module size
		minSide      float64 // symbol side in px
		maxSide      float64
	}{
		{NameCleanInvoice, 1240, 1754, 3, 4, 0, math.Inf(1)},
		{NameBlurryPhoto, 2048, 1536, 3.5, 7, 0, math.Inf(1)},
		{NameSmall4K, 3840, 2160, 2, 12, 200, 300},
		{NameDamaged, 1240, 1754, 4, 4, 0, math.Inf(1)},
	}
	specs := map[string]func(uint64) Spec{}
	for _, sc := range Scenarios() {
		specs[sc.Name] = sc.Spec
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(0); seed < 20; seed++ {
				sp := specs[tc.name](seed)
				if err := sp.Validate(); err != nil {
					t.Fatal(err)
				}
				if w, h := sp.size(); w != tc.w || h != tc.h {
					t.Fatalf("seed %d: size %d×%d", seed, w, h)
				}
				if sp.Symbols[0].Quad != (geom.Quad{}) {
					continue // placed through the page homography; checked by rendering
				}
				n := float64(versionFor(sp.Symbols[0].Code.Text))
				m := sp.Symbols[0].ModulePx
				if m < tc.minPx || m > tc.maxPx || n*m < tc.minSide || n*m > tc.maxSide {
					t.Fatalf("seed %d: %.2f px/module, side %.0f px", seed, m, n*m)
				}
			}
		})
	}
}

func TestCodeOptionsDecode(t *testing.T) {
	cases := []struct {
		name string
		sym  Symbol
		spec Spec
	}{
		{name: "ec_L", sym: Symbol{Code: Code{Text: "level L", ECLevel: "L"}}},
		{name: "ec_H", sym: Symbol{Code: Code{Text: "level H", ECLevel: "H"}}},
		{name: "numeric", sym: Symbol{Code: Code{Text: "0123456789012345678901234567890"}}},
		{name: "alphanumeric", sym: Symbol{Code: Code{Text: "HELLO WORLD $%*+-./:"}}},
		{name: "utf8_eci", sym: Symbol{Code: Code{Text: "Grüße aus Köln – 東京 ✓", Charset: "UTF-8"}}},
		{name: "iso8859_1_eci", sym: Symbol{Code: Code{Text: "Größe: 3 € Œuvre", Charset: "ISO-8859-15"}}},
		{name: "kanji", sym: Symbol{Code: Code{Text: "漢字請求書", Kanji: true}}},
		{name: "rotated_perspective", sym: Symbol{Code: Code{Text: "tilted"}, Rotation: 33, Perspective: 0.12}},
		{name: "cylinder", sym: Symbol{Code: Code{Text: "on a can"}, Cylinder: 1.0}},
		{name: "blur_noise_jpeg", sym: Symbol{Code: Code{Text: "degraded"}}, spec: Spec{Blur: 1.2, Noise: 6, JPEGQuality: 60}},
		{name: "motion_blur", sym: Symbol{Code: Code{Text: "moving"}}, spec: Spec{MotionLength: 4, MotionAngle: 30}},
		{name: "low_contrast_shadow_glare", sym: Symbol{Code: Code{Text: "dim"}}, spec: Spec{Contrast: 0.35, Shadow: 0.5, Glare: 0.4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.W, spec.H, spec.Background = 640, 480, BackgroundInvoice
			if tc.sym.ModulePx == 0 {
				tc.sym.ModulePx = 6
			}
			spec.Symbols = []Symbol{tc.sym}
			s, err := Render(spec, 5)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Codes[0].Readable {
				t.Fatalf("labelled unreadable")
			}
			got, err := decodeQR(t, s.Plane)
			if err != nil || got != tc.sym.Code.Text {
				t.Fatalf("decoded %q, %v; want %q", got, err, tc.sym.Code.Text)
			}
		})
	}
}

// TestInvert checks that an inverted symbol does not decode as is, and does
// once the luminance is inverted back.
func TestInvert(t *testing.T) {
	spec := Spec{W: 400, H: 400, Symbols: []Symbol{{Code: Code{Text: "reversed"}, ModulePx: 5, Invert: true}}}
	s, err := Render(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeQR(t, s.Plane); err == nil {
		t.Error("inverted symbol decoded without inversion")
	}
	bmp, _ := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(newPlaneSource(s.Plane).Invert()))
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || res.GetText() != "reversed" {
		t.Fatalf("inverted back: %v, %v", res, err)
	}
}

// TestDamageOnOff renders the same symbol with and without damage.
func TestDamageOnOff(t *testing.T) {
	sym := Symbol{Code: Code{Text: "https://example.com/damage", ECLevel: "H"}, ModulePx: 5}
	for seed := uint64(1); seed <= 5; seed++ {
		spec := Spec{W: 400, H: 400, Symbols: []Symbol{sym}}
		s := mustRender(spec, seed)
		if _, err := decodeQR(t, s.Plane); err != nil || !s.Codes[0].Readable {
			t.Fatalf("seed %d: intact symbol: readable=%v, %v", seed, s.Codes[0].Readable, err)
		}
		spec.Symbols[0].Damage, spec.Symbols[0].DamageFinder = 0.55, true
		s = mustRender(spec, seed)
		if got, err := decodeQR(t, s.Plane); err == nil || s.Codes[0].Readable {
			t.Fatalf("seed %d: damaged symbol: readable=%v, decoded %q", seed, s.Codes[0].Readable, got)
		}
	}
}

// TestLightDamageLabel checks the Readable heuristic in the direction that
// matters for scoring: a lightly damaged symbol labelled readable must
// decode.
func TestLightDamageLabel(t *testing.T) {
	const ink = "https://example.com/a-little-ink-on-a-version-6-symbol"
	readable := 0
	for seed := uint64(1); seed <= 12; seed++ {
		spec := Spec{W: 400, H: 400, Symbols: []Symbol{{Code: Code{Text: ink, ECLevel: "H"}, ModulePx: 5, Damage: 0.03}}}
		s := mustRender(spec, seed)
		if !s.Codes[0].Readable {
			continue
		}
		readable++
		if got, err := decodeQR(t, s.Plane); err != nil || got != ink {
			t.Errorf("seed %d: labelled readable but decoded %q, %v", seed, got, err)
		}
	}
	if readable == 0 {
		t.Fatal("no lightly damaged symbol was labelled readable")
	}
	t.Logf("%d of 12 labelled readable", readable)
}

func TestMultipleSymbols(t *testing.T) {
	texts := []string{"first", "second", "third", "fourth"}
	var syms []Symbol
	for i, s := range texts {
		syms = append(syms, Symbol{Code: Code{Text: s}, ModulePx: 5, Rotation: float64(20 * i)})
	}
	s, err := Render(Spec{W: 1200, H: 900, Background: BackgroundPhoto, Symbols: syms}, 9)
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range s.Codes {
		for j := range i {
			if tr.Corners.Overlaps(s.Codes[j].Corners) {
				t.Errorf("symbols %d and %d overlap", i, j)
			}
		}
		// Decode each from a crop around its truth corners.
		x0, y0, x1, y1 := tr.Corners.Bounds()
		pad := 6 * tr.ModulePx
		l, tp := max(0, int(x0-pad)), max(0, int(y0-pad))
		r, b := min(s.Plane.W, int(x1+pad)), min(s.Plane.H, int(y1+pad))
		crop := &gray.Plane{W: r - l, H: b - tp, Stride: s.Plane.Stride, Pix: s.Plane.Pix[tp*s.Plane.Stride+l:]}
		if got, err := decodeQR(t, crop); err != nil || got != texts[i] {
			t.Errorf("symbol %d: decoded %q, %v; want %q", i, got, err, texts[i])
		}
	}
}

func TestRenderErrors(t *testing.T) {
	big := strings.Repeat("x", 200)
	cases := []struct {
		name string
		spec Spec
		want error
	}{
		{"half_size", Spec{W: 100}, ErrInvalidSpec},
		{"too_large", Spec{W: 20000, H: 100}, ErrInvalidSpec},
		{"contrast", Spec{Contrast: 1.5}, ErrInvalidSpec},
		{"nan_blur", Spec{Blur: math.NaN()}, ErrInvalidSpec},
		{"jpeg_quality", Spec{JPEGQuality: 101}, ErrInvalidSpec},
		{"background", Spec{Background: 9}, ErrInvalidSpec},
		{"perspective", Spec{Symbols: []Symbol{{Code: Code{Text: "a"}, Perspective: 0.9}}}, ErrInvalidSpec},
		{"degenerate_quad", Spec{Symbols: []Symbol{{Code: Code{Text: "a"}, Quad: geom.Quad{{X: 1, Y: 1}, {X: 1, Y: 1}, {X: 1, Y: 1}, {X: 2, Y: 2}}}}}, ErrInvalidSpec},
		{"empty_text", Spec{Symbols: []Symbol{{}}}, ErrInvalidCode},
		{"ec_level", Spec{Symbols: []Symbol{{Code: Code{Text: "a", ECLevel: "X"}}}}, ErrInvalidCode},
		{"version_41", Spec{Symbols: []Symbol{{Code: Code{Text: "a", Version: 41}}}}, ErrInvalidCode},
		{"charset", Spec{Symbols: []Symbol{{Code: Code{Text: "a", Charset: "KOI-9"}}}}, ErrInvalidCode},
		{"not_kanji", Spec{Symbols: []Symbol{{Code: Code{Text: "abc", Kanji: true}}}}, ErrInvalidCode},
		{"too_long_for_version", Spec{Symbols: []Symbol{{Code: Code{Text: big, Version: 2}}}}, ErrEncode},
		{"too_big_for_image", Spec{W: 100, H: 100, Symbols: []Symbol{{Code: Code{Text: "a"}, ModulePx: 10}}}, ErrNoRoom},
		{"no_free_spot", Spec{W: 200, H: 200, Symbols: []Symbol{{Code: Code{Text: "a"}, ModulePx: 5}, {Code: Code{Text: "b"}, ModulePx: 5}}}, ErrNoRoom},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(tc.spec, 1)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "synth: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	s := mustRender(Spec{W: 320, H: 240, Background: BackgroundPhoto, Symbols: []Symbol{{Code: Code{Text: "round trip"}, ModulePx: 4}}}, 4)
	t.Run("png", func(t *testing.T) {
		b, err := EncodePNG(s.Plane)
		if err != nil {
			t.Fatal(err)
		}
		p, err := decodeGray(b)
		if err != nil {
			t.Fatal(err)
		}
		if p.W != s.Plane.W || p.H != s.Plane.H || !bytes.Equal(p.Pix, s.Plane.Pix) {
			t.Fatal("PNG round trip is not lossless")
		}
	})
	for _, q := range []int{50, 90} {
		t.Run(fmt.Sprintf("jpeg_q%d", q), func(t *testing.T) {
			b, err := EncodeJPEG(s.Plane, q)
			if err != nil {
				t.Fatal(err)
			}
			p, err := decodeGray(b)
			if err != nil {
				t.Fatal(err)
			}
			if p.W != s.Plane.W || p.H != s.Plane.H {
				t.Fatalf("size %d×%d", p.W, p.H)
			}
			sum := 0.0
			for i := range p.Pix {
				sum += math.Abs(float64(p.Pix[i]) - float64(s.Plane.Pix[i]))
			}
			if mean := sum / float64(len(p.Pix)); mean > 6 {
				t.Fatalf("mean |error| %.2f grey levels at quality %d", mean, q)
			}
		})
	}
	t.Run("jpeg_bad_quality", func(t *testing.T) {
		if _, err := EncodeJPEG(s.Plane, 0); !errors.Is(err, ErrInvalidSpec) {
			t.Fatalf("quality 0: %v", err)
		}
	})
}

func TestWriteLabels(t *testing.T) {
	spec := Spec{W: 800, H: 600, Name: "mixed", Symbols: []Symbol{
		{Code: Code{Text: "ok"}, ModulePx: 4},
		{Code: Code{Text: "gone"}, ModulePx: 4, Damage: 0.6, DamageFinder: true},
	}}
	s := mustRender(spec, 2)
	var b bytes.Buffer
	if err := s.WriteLabels(&b, "mixed/0002.png"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "}\n") || strings.Count(b.String(), "\n") != 1 {
		t.Fatalf("not one JSON line: %q", b.String())
	}
	var l struct {
		Image      string
		Expected   []string
		Polygons   [][][]float64
		Unreadable [][][]float64
		Category   string
	}
	if err := json.Unmarshal(b.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	if l.Image != "mixed/0002.png" || l.Category != "mixed" || len(l.Expected) != 1 || l.Expected[0] != "ok" ||
		len(l.Polygons) != 1 || len(l.Unreadable) != 1 || len(l.Polygons[0]) != 4 {
		t.Fatalf("labels %+v", l)
	}
	for i, p := range l.Polygons[0] {
		c := s.Codes[0].Corners[i]
		if math.Abs(p[0]-c.X) > 0.006 || math.Abs(p[1]-c.Y) > 0.006 {
			t.Fatalf("corner %d: %v, want %v", i, p, c)
		}
	}
	// A scene with nothing readable still writes "expected": [].
	s.Codes = s.Codes[1:]
	b.Reset()
	if err := s.WriteLabels(&b, "x.png"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"expected":[]`) {
		t.Fatalf("want an empty expected list: %s", b.String())
	}
}

func BenchmarkRender(b *testing.B) {
	for _, sc := range Scenarios() {
		b.Run(sc.Name, func(b *testing.B) {
			spec := sc.Spec(1)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Render(spec, uint64(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
