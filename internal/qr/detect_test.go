package qr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/synth"
)

// TestVersionEstimation reads a slightly rotated and tilted symbol of every
// version and checks the version found.
func TestVersionEstimation(t *testing.T) {
	for v := 1; v <= 40; v++ {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			m := encodeSymbol(t, fmt.Sprintf("version %d", v), decoder.ErrorCorrectionLevel_L, v)
			n := len(m)
			side := float64(n) * 3.2
			w := int(side) + 60
			q := squareQuad(float64(w)/2, float64(w)/2, side, 7)
			q[2] = q[2].Add(geom.Point{X: -0.03 * side, Y: -0.02 * side}) // mild perspective
			p := homographyScene(w, w, n, q).render(m)
			res := NewDetector(Options{}).Detect(context.Background(), p)
			if len(res.Symbols) != 1 {
				t.Fatalf("got %d symbols; failures %s", len(res.Symbols), fmtFailures(res.Failures))
			}
			if s := res.Symbols[0]; s.Version != v || s.Text != fmt.Sprintf("version %d", v) {
				t.Errorf("got version %d text %q", s.Version, s.Text)
			}
		})
	}
}

// TestPolarityOption: each Options.Polarity reads the symbols of the
// reflectances it names and no other.
func TestPolarityOption(t *testing.T) {
	m := encodeSymbol(t, "either polarity", decoder.ErrorCorrectionLevel_M, 2)
	planes := map[bool]*gray.Plane{}
	for _, inv := range []bool{false, true} {
		sc := homographyScene(300, 300, len(m), squareQuad(150, 150, float64(len(m))*5, 15))
		sc.inverted = inv
		planes[inv] = sc.render(m)
	}
	cases := []struct {
		opts        Options
		dark, light bool // whether a dark-on-light and a light-on-dark symbol are read
	}{
		{Options{}, true, false},
		{Options{Polarity: DarkOnLight}, true, false},
		{Options{Polarity: LightOnDark}, false, true},
		{Options{Polarity: BothPolarities}, true, true},
	}
	for _, tc := range cases {
		d := NewDetector(tc.opts)
		for inv, want := range map[bool]bool{false: tc.dark, true: tc.light} {
			res := d.Detect(context.Background(), planes[inv])
			got := len(res.Symbols) == 1 && res.Symbols[0].Inverted == inv
			if got != want || len(res.Symbols) > 1 {
				t.Errorf("%+v, light on dark %v: read %v (%d symbols), want %v", tc.opts, inv, got, len(res.Symbols), want)
			}
		}
	}
}

func TestPolarityString(t *testing.T) {
	for p, want := range map[Polarity]string{DarkOnLight: "dark-on-light", LightOnDark: "light-on-dark", BothPolarities: "both", 7: "polarity(7)"} {
		if got := p.String(); got != want {
			t.Errorf("Polarity(%d).String() = %q, want %q", int(p), got, want)
		}
	}
}

func TestDecodeQuad(t *testing.T) {
	m := encodeSymbol(t, "decode from a predicted quad", decoder.ErrorCorrectionLevel_M, 4)
	n := len(m)
	truth := geom.Quad{{X: 70, Y: 60}, {X: 320, Y: 80}, {X: 330, Y: 330}, {X: 55, Y: 310}}
	p := homographyScene(400, 400, n, truth).render(m)
	cases := []struct {
		name string
		q    geom.Quad
	}{
		{"exact", truth},
		{"rotated order", geom.Quad{truth[2], truth[3], truth[0], truth[1]}},
		{"noisy", geom.Quad{{X: 75, Y: 52}, {X: 328, Y: 86}, {X: 322, Y: 337}, {X: 50, Y: 303}}},
	}
	d := NewDetector(Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := d.DecodeQuad(context.Background(), p, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if s.Text != "decode from a predicted quad" || s.Version != 4 {
				t.Errorf("got %q v%d", s.Text, s.Version)
			}
			for i := range truth {
				if dd := s.Corners[i].Dist(truth[i]); dd > 2*s.ModuleSize {
					t.Errorf("corner %d: %v, want %v", i, s.Corners[i], truth[i])
				}
			}
		})
	}
	if _, err := d.DecodeQuad(context.Background(), gray.New(400, 400), truth); err == nil {
		t.Errorf("blank plane: no error")
	}
}

// invoicePlane renders a 2 MP (1600×1250) page with one version 10 symbol
// of 4-pixel modules in a corner, like a scanned invoice.
func invoicePlane(tb testing.TB) *gray.Plane {
	m := encodeSymbol(tb, "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=AAA010101AAA&rr=XAXX010101000&tt=0000001234.560000&fe=A1B2C3D4", decoder.ErrorCorrectionLevel_L, 10)
	n := len(m)
	side := float64(n * 4)
	sc := homographyScene(1600, 1250, n, geom.Quad{{X: 1300, Y: 950}, {X: 1300 + side, Y: 950}, {X: 1300 + side, Y: 950 + side}, {X: 1300, Y: 950 + side}})
	return sc.render(m)
}

func TestInvoicePlane(t *testing.T) {
	res := NewDetector(Options{}).Detect(context.Background(), invoicePlane(t))
	if len(res.Symbols) != 1 || res.Symbols[0].Version != 10 {
		t.Fatalf("got %d symbols; failures %s", len(res.Symbols), fmtFailures(res.Failures))
	}
}

func BenchmarkDetectInvoice2MP(b *testing.B) {
	p := invoicePlane(b)
	d := NewDetector(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := d.Detect(context.Background(), p); len(res.Symbols) != 1 {
			b.Fatal("not read")
		}
	}
}

// TestInvoiceTextLookalikes: on a synthetic invoice page, whose text and
// table rules make finder-pattern look-alikes, the symbol is read and the
// look-alike candidates left after it cost few grids (113 failed grids
// before the after-read rules; about 1 with them).
func TestInvoiceTextLookalikes(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		sc := synth.CleanInvoice(seed)
		res := NewDetector(Options{}).Detect(context.Background(), sc.Plane)
		if len(res.Symbols) != 1 || res.Symbols[0].Text != sc.Codes[0].Text {
			t.Errorf("seed %d: %d symbols; failures %s", seed, len(res.Symbols), fmtFailures(res.Failures))
			continue
		}
		if res.Stats.FailedGrids > 12 {
			t.Errorf("seed %d: %d failed grids after the read (stats %+v)", seed, res.Stats.FailedGrids, res.Stats)
		}
	}
}

// TestDamagedPageLookalikes: on synthetic invoice pages whose symbol lost
// a finder pattern under ink and white-out blots (make bench's damaged
// scenario), nothing is read, and the large look-alike triples of the page
// (version 7+ sides with neither version information, alignment patterns
// nor alternating timing patterns) are refused at the screen instead of
// costing grids: seeds 1–4 sampled 28, 72, 4 and 20 grids before the
// screen refused them (2–15 ms each), 0, 18, 4 and 0 with it.
func TestDamagedPageLookalikes(t *testing.T) {
	grids, refused := 0, 0
	for seed := uint64(1); seed <= 4; seed++ {
		sc := synth.Damaged(seed)
		res := NewDetector(Options{}).Detect(context.Background(), sc.Plane)
		if len(res.Symbols) != 0 {
			t.Errorf("seed %d: read %q from a symbol damaged beyond reading", seed, res.Symbols[0].Text)
		}
		for _, f := range res.Failures {
			if f.Stage == StageVersion && errors.Is(f.Err, ErrVersionInfo) {
				refused++
			}
		}
		grids += res.Stats.Grids
		t.Logf("seed %d: %+v", seed, res.Stats)
	}
	if refused == 0 || grids > 40 {
		t.Errorf("%d candidates refused at the screen, %d grids sampled; want some refused and at most 40 grids", refused, grids)
	}
}

// TestEqualisedPassByEvidence checks that the equalised pass runs only on
// evidence of another symbol (equalisedPassWanted): a plane with one symbol
// and nothing else stops after the first pass, and so does an invoice page,
// whose text makes only weakly confirmed look-alikes, and a plane of two
// symbols on white; one with a symbol and a lone finder pattern (seen on
// many scan lines, the visible part of a symbol the first pass could not
// read) runs both, and so do two symbols with such a pattern and two
// symbols on a plane a quarter black (scene.dark).
func TestEqualisedPassByEvidence(t *testing.T) {
	one := encodeSymbol(t, "first of two", decoder.ErrorCorrectionLevel_M, 3)
	two := encodeSymbol(t, "second of two", decoder.ErrorCorrectionLevel_M, 3)
	side := float64(len(one)) * 5
	left := homographyScene(600, 300, len(one), squareQuad(150, 150, side, 8)).render(one)
	right := homographyScene(600, 300, len(two), squareQuad(450, 150, side, -6)).render(two)
	both := gray.New(600, 300)
	for i := range both.Pix {
		both.Pix[i] = min(left.Pix[i], right.Pix[i])
	}
	// a finder pattern alone, 5 px a module, at (450, 150)
	lonePattern := left.Clone()
	drawFinderPattern(lonePattern, 450, 150, 5)
	// the lone pattern's 50×50 px block moved from (450, 150) to (520, 40),
	// above the second symbol
	twoAndPattern := both.Clone()
	for y := 0; y < 50; y++ {
		copy(twoAndPattern.Pix[(15+y)*twoAndPattern.Stride+495:][:50], lonePattern.Pix[(125+y)*lonePattern.Stride+425:][:50])
	}
	// a quarter of the plane black: rows above and below the symbols
	darkFrame := both.Clone()
	for y := 0; y < 300; y++ {
		if y < 40 || y >= 260 {
			clear(darkFrame.Pix[y*darkFrame.Stride : (y+1)*darkFrame.Stride])
		}
	}
	cases := []struct {
		name          string
		p             *gray.Plane
		symbols, pass int
	}{
		{"one symbol", left, 1, 1},
		{"invoice page", synth.CleanInvoice(1).Plane, 1, 1},
		{"two symbols", both, 2, 1},
		{"one symbol and a lone finder pattern", lonePattern, 1, 2},
		{"two symbols and a lone finder pattern", twoAndPattern, 2, 2},
		{"two symbols on a dark plane", darkFrame, 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := NewDetector(Options{}).Detect(context.Background(), tc.p)
			if len(res.Symbols) != tc.symbols || res.Stats.Passes != tc.pass {
				t.Errorf("%d symbols in %d passes, want %d in %d; failures %s", len(res.Symbols), res.Stats.Passes, tc.symbols, tc.pass, fmtFailures(res.Failures))
			}
		})
	}
}

// TestMaxNearRescues checks the bound on near-grid rescues: two symbols
// whose data modules are damaged beyond correction, on one plane, each
// reach Reed–Solomon and go through the near-grid rescue; with
// MaxNearRescues 1 only the first does, and so on DecodeQuad's crop
// (cropMaxNearRescues).
func TestMaxNearRescues(t *testing.T) {
	var planes [2]*gray.Plane
	for i := range planes {
		m := encodeSymbol(t, fmt.Sprintf("rescue bound %d", i), decoder.ErrorCorrectionLevel_L, 2)
		n := len(m)
		for y := 9; y < n-9; y++ {
			for x := 9; x < n-9; x++ {
				if (x*7+y*3)%5 < 2 {
					m[y][x] = !m[y][x]
				}
			}
		}
		planes[i] = homographyScene(600, 300, n, squareQuad(float64(150+300*i), 150, 200, float64(5+10*i))).render(m)
	}
	p := planes[0]
	for j, v := range planes[1].Pix {
		p.Pix[j] = min(p.Pix[j], v)
	}
	for _, tc := range []struct {
		max       int
		want, min int // NearRescues bounds: exactly want, or at least min
	}{
		{0, 0, 2},
		{1, 1, 0},
	} {
		res := NewDetector(Options{MaxNearRescues: tc.max}).Detect(context.Background(), p)
		if len(res.Symbols) != 0 {
			t.Fatalf("read %q from symbols damaged beyond correction", res.Symbols[0].Text)
		}
		got := res.Stats.NearRescues
		if tc.want > 0 && got != tc.want || got < tc.min {
			t.Errorf("MaxNearRescues %d: %d rescues (%+v)", tc.max, got, res.Stats)
		}
	}
	if got := NewDetector(Options{}).crop.Detect(context.Background(), p).Stats.NearRescues; got != cropMaxNearRescues {
		t.Errorf("DecodeQuad's crop: %d rescues, want %d", got, cropMaxNearRescues)
	}
}

// TestCropPasses checks that DecodeQuad's crop gets the plain locating
// pass only (cropOptions), where Detect on the same plane, which reads
// nothing, runs the equalised pass and the full resolution pass too.
func TestCropPasses(t *testing.T) {
	p := synth.Damaged(2).Plane
	d := NewDetector(Options{})
	whole, crop := d.Detect(context.Background(), p), d.crop.Detect(context.Background(), p)
	if len(whole.Symbols)+len(crop.Symbols) != 0 {
		t.Fatal("read a symbol damaged beyond reading")
	}
	if whole.Stats.Passes != 3 || crop.Stats.Passes != 1 {
		t.Errorf("passes: Detect %d (want 3), crop %d (want 1)", whole.Stats.Passes, crop.Stats.Passes)
	}
}

// TestFullResolutionPass checks Detect's last rung (fullPassWanted): a
// symbol of 3 px a module on a plane reduced three times for locating (1 px
// a module there), beside a finder pattern large enough to be seen at that
// scale, is read by the plain pass at full resolution, and not without it
// (Options.NoFullPass). Without any pattern seen at the reduced scale the
// pass does not run, nor after a candidate got to Reed–Solomon decoding
// there, and a plane small enough to be located at full size never needs
// it.
func TestFullResolutionPass(t *testing.T) {
	m := encodeSymbol(t, "full resolution", decoder.ErrorCorrectionLevel_M, 2)
	side := float64(len(m)) * 3
	alone := homographyScene(3000, 2000, len(m), squareQuad(1700, 900, side, 7)).render(m)
	// a finder pattern of 15 px a module at (600, 600)
	seen := alone.Clone()
	drawFinderPattern(seen, 600, 600, 15)
	small := homographyScene(1200, 800, len(m), squareQuad(600, 400, side, 7)).render(m)
	// a symbol of 10 px a module whose data modules are damaged beyond
	// correction: located at the reduced scale, it fails at Reed–Solomon
	dm := encodeSymbol(t, "damaged beyond correction", decoder.ErrorCorrectionLevel_L, 2)
	for y := 9; y < len(dm)-9; y++ {
		for x := 9; x < len(dm)-9; x++ {
			if (x*7+y*3)%5 < 2 {
				dm[y][x] = !dm[y][x]
			}
		}
	}
	damaged := homographyScene(3000, 2000, len(dm), squareQuad(1500, 1000, float64(len(dm))*10, 5)).render(dm)
	cases := []struct {
		name          string
		p             *gray.Plane
		opts          Options
		symbols, pass int
	}{
		// Passes counts the plain and equalised passes, the coarse pass
		// (the reduced plane is 1000 px wide) and the full resolution one
		{"reduced plane, a pattern seen", seen, Options{}, 1, 4},
		{"reduced plane, a pattern seen, NoFullPass", seen, Options{NoFullPass: true}, 0, 3},
		{"reduced plane, no pattern seen", alone, Options{}, 0, 3},
		{"reduced plane, a symbol failing at Reed–Solomon", damaged, Options{}, 0, 3},
		{"plane located at full size", small, Options{}, 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := NewDetector(tc.opts).Detect(context.Background(), tc.p)
			if len(res.Symbols) != tc.symbols || res.Stats.Passes != tc.pass {
				t.Errorf("%d symbols in %d passes, want %d in %d; failures %s", len(res.Symbols), res.Stats.Passes, tc.symbols, tc.pass, fmtFailures(res.Failures))
			}
			if tc.symbols == 1 && res.Symbols[0].Text != "full resolution" {
				t.Errorf("read %q", res.Symbols[0].Text)
			}
		})
	}
}

// TestCertainFirst: on a plane of three clean symbols in a row, every
// symbol is a certain candidate (candidate.certain), read as soon as it is
// screened, and the cross triples that share a finder pattern with a
// symbol read are never screened: fewer triples are screened than grouped.
func TestCertainFirst(t *testing.T) {
	p := gray.New(900, 300)
	for i := range p.Pix {
		p.Pix[i] = 255
	}
	for k, text := range []string{"first of three", "second of three", "third of three"} {
		m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, 2)
		one := homographyScene(900, 300, len(m), squareQuad(150+300*float64(k), 150, float64(len(m))*5, float64(6*k-6))).render(m)
		for i := range p.Pix {
			p.Pix[i] = min(p.Pix[i], one.Pix[i])
		}
	}
	opts := Options{SinglePass: true, NoPairCompletion: true}
	res := NewDetector(opts).Detect(context.Background(), p)
	if len(res.Symbols) != 3 {
		t.Fatalf("%d symbols, want 3; failures %s", len(res.Symbols), fmtFailures(res.Failures))
	}
	sc := newScene(p, 1400, new(scratch))
	fps := findFinders(context.Background(), sc.bitmap(0), false, 400, true)
	sc.scaleFinders(fps)
	triples := groupFinderPatterns(fps, max(80, 3*len(fps)))
	if len(fps) < 9 || res.Stats.Triples >= len(triples) {
		t.Errorf("%d finder patterns, %d triples grouped, %d screened; want 9 or more patterns and fewer triples screened than grouped", len(fps), len(triples), res.Stats.Triples)
	}
	t.Logf("%d finder patterns, %d triples grouped, %d screened", len(fps), len(triples), res.Stats.Triples)
}
