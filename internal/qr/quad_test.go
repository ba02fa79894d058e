package qr

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// perturbQuad moves each corner of q by frac of its mean side, in a
// direction fixed by seed, and rotates the corner order by rot.
func perturbQuad(q geom.Quad, frac float64, seed uint64, rot int) geom.Quad {
	side := (q[0].Dist(q[1]) + q[1].Dist(q[2]) + q[2].Dist(q[3]) + q[3].Dist(q[0])) / 4
	r := rand.New(rand.NewPCG(seed, 1))
	var out geom.Quad
	for i := range q {
		dx, dy := 2*r.Float64()-1, 2*r.Float64()-1
		out[(i+rot)%4] = q[i].Add(geom.Point{X: dx * frac * side, Y: dy * frac * side})
	}
	return out
}

func TestLocateQuadFinders(t *testing.T) {
	cases := []struct {
		name    string
		version int
		quad    geom.Quad
		blur    int
		frac    float64 // corner perturbation, fraction of the side
		rot     int
	}{
		{"v2 exact", 2, squareQuad(200, 200, 250, 0), 0, 0, 0},
		{"v2 10% off", 2, squareQuad(200, 200, 250, 10), 0, 0.10, 1},
		{"v4 perspective 10% off", 4, geom.Quad{{X: 70, Y: 60}, {X: 320, Y: 80}, {X: 330, Y: 330}, {X: 55, Y: 310}}, 0, 0.10, 2},
		{"v3 blurred 8% off", 3, squareQuad(200, 200, 260, -25), 6, 0.08, 3},
		{"v10 7% off", 10, squareQuad(200, 200, 330, 5), 1, 0.07, 0},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := encodeSymbol(t, "locate the finder patterns", decoder.ErrorCorrectionLevel_M, tc.version)
			n := len(m)
			sc := homographyScene(400, 400, n, tc.quad)
			sc.blur = tc.blur
			p := sc.render(m)
			q := perturbQuad(tc.quad, tc.frac, uint64(i+1), tc.rot)
			triples := locateQuadFinders(context.Background(), newSampler(p), q, DarkOnLight, 1)
			if len(triples) != 1 || triples[0].inv {
				t.Fatalf("triples %+v", triples)
			}
			tl, tr, bl := triples[0].tl, triples[0].tr, triples[0].bl
			nf := float64(n)
			want := []geom.Point{sc.toImage(geom.Point{X: 3.5, Y: 3.5}), sc.toImage(geom.Point{X: nf - 3.5, Y: 3.5}), sc.toImage(geom.Point{X: 3.5, Y: nf - 3.5})}
			ms := tc.quad[0].Dist(tc.quad[1]) / nf
			for k, got := range []finderPattern{tl, tr, bl} {
				if d := got.c.Dist(want[k]); d > 0.5*ms {
					t.Errorf("finder %d at %v, want %v (%.2f modules off)", k, got.c, want[k], d/ms)
				}
				if got.ms < 0.8*ms || got.ms > 1.25*ms {
					t.Errorf("finder %d module size %.2f, want about %.2f", k, got.ms, ms)
				}
			}
		})
	}
}

func TestDecodeQuadFinders(t *testing.T) {
	const text = "quad 10 % off"
	cases := []struct {
		name    string
		version int
		quad    geom.Quad
		blur    int
		frac    float64
		rot     int
	}{
		{"v2 sharp", 2, squareQuad(200, 200, 240, 15), 0, 0.10, 0},
		{"v3 blurred", 3, squareQuad(200, 200, 270, 0), 5, 0.10, 1},
		{"v5 blurred perspective", 5, geom.Quad{{X: 60, Y: 50}, {X: 340, Y: 75}, {X: 350, Y: 345}, {X: 45, Y: 330}}, 4, 0.10, 2},
		{"v7 blurred", 7, squareQuad(200, 200, 270, 30), 2, 0.08, 3},
	}
	d := NewDetector(Options{})
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, tc.version)
			sc := homographyScene(400, 400, len(m), tc.quad)
			sc.blur = tc.blur
			p := sc.render(m)
			q := perturbQuad(tc.quad, tc.frac, uint64(10+i), tc.rot)
			sym, err := d.decodeQuadFinders(context.Background(), newSampler(p), q)
			if err != nil {
				t.Fatal(err)
			}
			if sym.Text != text || sym.Version != tc.version {
				t.Errorf("got %q v%d", sym.Text, sym.Version)
			}
			if !sym.Corners.Overlaps(tc.quad) {
				t.Errorf("corners %v far from %v", sym.Corners, tc.quad)
			}
		})
	}
}

// TestDecodeQuadFindersRejects checks that look-alikes do not decode: three
// finder patterns around random modules (no valid format information or
// codewords), the same with valid function patterns and format
// information but random codewords, and planes without a symbol.
func TestDecodeQuadFindersRejects(t *testing.T) {
	quad := squareQuad(200, 200, 250, 8)
	lookalike := func(keepFunction bool) *gray.Plane {
		m := encodeSymbol(t, "a real symbol to disguise", decoder.ErrorCorrectionLevel_M, 3)
		n := len(m)
		known := functionModules(n)
		r := rand.New(rand.NewPCG(7, 7))
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				inFormat := (y == 8 && (x <= 8 || x >= n-8)) || (x == 8 && (y <= 8 || y >= n-8))
				if known[y*n+x] >= 0 || (keepFunction && inFormat) {
					continue
				}
				m[y][x] = r.IntN(2) == 0
			}
		}
		return homographyScene(400, 400, n, quad).render(m)
	}
	noise := gray.New(400, 400)
	r := rand.New(rand.NewPCG(3, 3))
	for i := range noise.Pix {
		noise.Pix[i] = byte(r.IntN(256))
	}
	flat := gray.New(400, 400)
	for i := range flat.Pix {
		flat.Pix[i] = 200
	}
	cases := []struct {
		name string
		p    *gray.Plane
	}{
		{"random modules", lookalike(false)},
		{"random codewords", lookalike(true)},
		{"noise", noise},
		{"flat", flat},
	}
	d := NewDetector(Options{Polarity: BothPolarities})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for rot := 0; rot < 4; rot++ {
				q := perturbQuad(quad, 0.05, uint64(rot), rot)
				if sym, err := d.decodeQuadFinders(context.Background(), newSampler(tc.p), q); err == nil {
					t.Fatalf("rotation %d: decoded %q", rot, sym.Text)
				}
			}
		})
	}
}

// TestDeblurModules blurs known module values with a fixed kernel and
// checks that the deconvolution recovers every module, where a plain
// threshold at the mid level does not.
func TestDeblurModules(t *testing.T) {
	m := encodeSymbol(t, "deconvolve me", decoder.ErrorCorrectionLevel_L, 2)
	n := len(m)
	cases := []struct {
		name             string
		centre, edge, dg float64 // kernel weights (they sum to 1)
		r                int
	}{
		{"mild", 0.6, 0.08, 0.02, 1},
		{"strong", 0.36, 0.12, 0.04, 1},
		{"strong radius 2", 0.36, 0.12, 0.04, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vals := make([]float64, n*n)
			dark := func(x, y int) float64 {
				if x < 0 || y < 0 || x >= n || y >= n || !m[y][x] {
					return 0
				}
				return 1
			}
			plainWrong := 0
			for y := 0; y < n; y++ {
				for x := 0; x < n; x++ {
					d := tc.centre*dark(x, y) +
						tc.edge*(dark(x-1, y)+dark(x+1, y)+dark(x, y-1)+dark(x, y+1)) +
						tc.dg*(dark(x-1, y-1)+dark(x+1, y-1)+dark(x-1, y+1)+dark(x+1, y+1))
					vals[y*n+x] = 230 - 200*d
					if (vals[y*n+x] < 130) != m[y][x] {
						plainWrong++
					}
				}
			}
			d, ok := deblurModules(vals, n, tc.r)
			if !ok {
				t.Fatal("model not fitted")
			}
			wrong := 0
			for y := 0; y < n; y++ {
				for x := 0; x < n; x++ {
					if (d[y*n+x] > 0.5) != m[y][x] {
						wrong++
					}
				}
			}
			if wrong > 0 {
				t.Errorf("%d of %d modules wrong after deconvolution (%d with a plain threshold)", wrong, n*n, plainWrong)
			}
			if tc.name == "strong" && plainWrong == 0 {
				t.Errorf("the strong kernel should defeat a plain threshold")
			}
		})
	}
}

func TestSolveLinear(t *testing.T) {
	cases := []struct {
		name string
		a    []float64
		b    []float64
		want []float64
		ok   bool
	}{
		{"identity", []float64{1, 0, 0, 1}, []float64{3, -2}, []float64{3, -2}, true},
		{"pivot", []float64{0, 2, 1, 1}, []float64{4, 3}, []float64{1, 2}, true},
		{"singular", []float64{1, 2, 2, 4}, []float64{1, 2}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x, ok := solveLinear(append([]float64(nil), tc.a...), append([]float64(nil), tc.b...), len(tc.b))
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			for i := range tc.want {
				if d := x[i] - tc.want[i]; d > 1e-9 || d < -1e-9 {
					t.Errorf("x = %v, want %v", x, tc.want)
				}
			}
		})
	}
}

func BenchmarkLocateQuadFinders(b *testing.B) {
	m := encodeSymbol(b, "benchmark the quad finder search", decoder.ErrorCorrectionLevel_M, 6)
	quad := squareQuad(450, 450, 800, 10)
	p := homographyScene(900, 900, len(m), quad).render(m)
	q := perturbQuad(quad, 0.07, 1, 0)
	b.ReportAllocs()
	for b.Loop() {
		if len(locateQuadFinders(context.Background(), newSampler(p), q, DarkOnLight, 1)) == 0 {
			b.Fatal("not found")
		}
	}
}

func BenchmarkDeblurModules(b *testing.B) {
	m := encodeSymbol(b, "benchmark the deconvolution", decoder.ErrorCorrectionLevel_M, 7)
	n := len(m)
	vals := make([]float64, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			d := 0.0
			for _, o := range [5][2]int{{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				xx, yy := x+o[0], y+o[1]
				if xx >= 0 && yy >= 0 && xx < n && yy < n && m[yy][xx] {
					d += 0.2
				}
			}
			vals[y*n+x] = 230 - 200*d
		}
	}
	for _, r := range []int{1, 2} {
		b.Run(fmt.Sprintf("radius%d", r), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := deblurModules(vals, n, r); !ok {
					b.Fatal("not fitted")
				}
			}
		})
	}
}

// TestDecodeQuadFindersPolarity: a light-on-dark symbol is read from its
// quad only when Options.Polarity allows it.
func TestDecodeQuadFindersPolarity(t *testing.T) {
	const text = "inverted quad"
	m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, 3)
	quad := squareQuad(200, 200, 250, -12)
	sc := homographyScene(400, 400, len(m), quad)
	sc.inverted = true
	sc.blur = 2
	p := sc.render(m)
	q := perturbQuad(quad, 0.08, 5, 1)
	cases := []struct {
		polarity Polarity
		want     bool
	}{
		{DarkOnLight, false},
		{LightOnDark, true},
		{BothPolarities, true},
	}
	for _, tc := range cases {
		t.Run(tc.polarity.String(), func(t *testing.T) {
			d := NewDetector(Options{Polarity: tc.polarity})
			sym, err := d.decodeQuadFinders(context.Background(), newSampler(p), q)
			if (err == nil) != tc.want {
				t.Fatalf("err %v, want a read %v", err, tc.want)
			}
			if err == nil && (sym.Text != text || !sym.Inverted) {
				t.Errorf("got %q inverted %v", sym.Text, sym.Inverted)
			}
		})
	}
}

// TestDecodeQuadBlurred: through the public DecodeQuad, a blurred symbol
// whose quad is 10 % off reads, where Detect on the same plane finds
// nothing (the case the quad finder search exists for).
func TestDecodeQuadBlurred(t *testing.T) {
	const text = "blurred quad"
	m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, 2)
	quad := squareQuad(200, 200, 230, 20)
	sc := homographyScene(400, 400, len(m), quad)
	sc.blur = 7 // box radius 7 twice, modules of 7 pixels
	p := sc.render(m)
	d := NewDetector(Options{})
	if res := d.Detect(context.Background(), p); len(res.Symbols) > 0 {
		t.Skipf("Detect reads the symbol (%q): the case does not exercise the quad path", res.Symbols[0].Text)
	}
	for rot := 0; rot < 4; rot++ {
		q := perturbQuad(quad, 0.10, uint64(20+rot), rot)
		sym, err := d.DecodeQuad(context.Background(), p, q)
		if err != nil {
			t.Errorf("rotation %d: %v", rot, err)
			continue
		}
		if sym.Text != text || !sym.Corners.Overlaps(quad) {
			t.Errorf("rotation %d: %q at %v", rot, sym.Text, sym.Corners)
		}
	}
}

// TestDecodeQuadSteps: each step of DecodeQuadSteps reads a clean symbol
// from its exact quad on its own, corners in plane coordinates; no step
// reads nothing and says so with ErrNotFound; and the finder search alone
// reads from a quad 10 % off.
func TestDecodeQuadSteps(t *testing.T) {
	const text = "steps of a quad"
	quad := squareQuad(260, 240, 220, 10)
	m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, 3)
	p := homographyScene(520, 480, len(m), quad).render(m)
	d := NewDetector(Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		steps QuadSteps
	}{
		{"locate", QuadLocate},
		{"finders", QuadFinders},
		{"sample", QuadSample},
		{"all", QuadAll},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sym, err := d.DecodeQuadSteps(ctx, p, quad, tc.steps)
			if err != nil {
				t.Fatal(err)
			}
			if sym.Text != text {
				t.Errorf("read %q, want %q", sym.Text, text)
			}
			if e := quadError(sym.Corners, quad); e > 0.05 {
				t.Errorf("corners %v, want about %v (error %.3f of the side)", sym.Corners, quad, e)
			}
		})
	}
	if _, err := d.DecodeQuadSteps(ctx, p, quad, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("no step: err %v, want ErrNotFound", err)
	}
	off := perturbQuad(quad, 0.10, 7, 0)
	if _, err := d.DecodeQuadSteps(ctx, p, off, QuadFinders); err != nil {
		t.Errorf("finders on a quad 10 %% off: %v", err)
	}
}

// quadError is the largest distance between matching corners of a and b,
// over the four cyclic orders of a, as a fraction of b's mean side.
func quadError(a, b geom.Quad) float64 {
	side := (b[0].Dist(b[1]) + b[1].Dist(b[2]) + b[2].Dist(b[3]) + b[3].Dist(b[0])) / 4
	best := math.Inf(1)
	for r := range 4 {
		worst := 0.0
		for i := range 4 {
			worst = math.Max(worst, a[(i+r)%4].Dist(b[i]))
		}
		best = math.Min(best, worst)
	}
	return best / side
}
