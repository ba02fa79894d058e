package qr

import (
	"fmt"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// TestRefineLocalWarped reads high-version symbols on smoothly bent
// surfaces from their exact finder centres: the homography fitted to the
// finder centres and the bottom-right alignment pattern must fail (the
// middle of the symbol is off by more than a module), and the local grid
// (refineLocal: one homography per alignment-pattern cell) must put every
// module centre within 0.4 module of the truth and decode.
func TestRefineLocalWarped(t *testing.T) {
	const ms = 6.0 // pixels per module
	cases := []struct {
		name string
		v    int
		// scene builds the warp for an n-module symbol
		scene func(n int) synthScene
		blur  int
		inv   bool // light on dark
	}{
		{"v25 sag 3.5 modules", 25, func(n int) synthScene {
			nf := float64(n)
			return sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 3.5*ms)
		}, 0, false},
		{"v25 sag 3.5 modules blurred", 25, func(n int) synthScene {
			nf := float64(n)
			return sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 3.5*ms)
		}, 1, false},
		{"v25 sag 3.5 modules inverted", 25, func(n int) synthScene {
			nf := float64(n)
			return sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 3.5*ms)
		}, 0, true},
		{"v32 cylinder 1 radian", 32, func(n int) synthScene {
			nf := float64(n)
			return cylinderScene(int(nf*ms)+80, int(nf*ms)+80, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 1.0)
		}, 0, false},
		{"v40 sag 4 modules", 40, func(n int) synthScene {
			nf := float64(n)
			return sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 4.0*ms)
		}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := fmt.Sprintf("bent version %d symbol", tc.v)
			m := encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, tc.v)
			n := len(m)
			nf := float64(n)
			sc := tc.scene(n)
			sc.blur = tc.blur
			sc.inverted = tc.inv
			p := sc.render(m)
			s := newSampler(p)
			fp := func(x, y float64) finderPattern {
				c := sc.toImage(geom.Point{X: x, Y: y})
				return finderPattern{c: c, ms: sc.toImage(geom.Point{X: x + 1, Y: y}).Dist(c), count: 1}
			}
			f := newFinderFrame(s, fp(3.5, 3.5), fp(nf-3.5, 3.5), fp(3.5, nf-3.5), tc.inv)
			// worst distance, in modules, between g's and the scene's
			// module centres
			worst := func(g *grid) float64 {
				var w float64
				for y := 0; y < n; y++ {
					for x := 0; x < n; x++ {
						c := geom.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5}
						w = math.Max(w, g.toImage(c.X, c.Y).Dist(sc.toImage(c))/ms)
					}
				}
				return w
			}
			gh := fitGrid(s, &f, n, false, alignNear)
			if gh == nil {
				t.Fatal("no homography grid")
			}
			if _, cerr := readGrid(s, gh, tc.inv, samplingCentred); cerr == nil {
				t.Fatalf("one homography read the symbol (worst module %.2f off): the case does not test the local grid", worst(gh))
			}
			gl := fitGrid(s, &f, n, true, alignNear)
			if gl == nil || gl.cells == nil {
				t.Fatal("no local grid")
			}
			if k := len(gl.pos); gl.aligned != k*k-3 {
				t.Errorf("located %d of %d alignment patterns", gl.aligned, k*k-3)
			}
			if w := worst(gl); w > 0.4 {
				t.Errorf("local grid: worst module centre %.2f modules off (homography %.2f)", w, worst(gh))
			}
			if sym, cerr := readGrid(s, gl, tc.inv, samplingCentred); cerr != nil || sym.Text != text {
				t.Errorf("local grid read %q, %v", sym.Text, cerr)
			}
		})
	}
}

// alignPatternScene renders one alignment pattern (6.3.6) centred at module
// (cx, cy) of a field of size×size modules whose other modules are random
// (seeded), with m pixels per module, rotated by deg degrees. present false
// leaves the pattern out (random data modules only).
func alignPatternScene(t testing.TB, seed uint64, size int, cx, cy int, m, deg float64, present bool) (synthScene, [][]bool) {
	t.Helper()
	mods := make([][]bool, size)
	x := seed*2862933555777941757 + 3037000493
	for y := range mods {
		mods[y] = make([]bool, size)
		for i := range mods[y] {
			x = x*6364136223846793005 + 1442695040888963407
			mods[y][i] = x>>33&1 == 1
		}
	}
	if present {
		for dy := -2; dy <= 2; dy++ {
			for dx := -2; dx <= 2; dx++ {
				mods[cy+dy][cx+dx] = max(abs(dx), abs(dy)) != 1
			}
		}
	}
	side := float64(size) * m
	w := int(side*1.5) + 20
	q := squareQuad(float64(w)/2, float64(w)/2, side, deg)
	return homographyScene(w, w, size, q), mods
}

// TestSearchAlignment places alignment patterns among random data modules
// and searches them from predictions up to 1.4 modules off: the centre must
// come back within 0.15 module and score above the acceptance floor. The
// same fields without the pattern must score below it: data modules are
// not taken for a pattern.
func TestSearchAlignment(t *testing.T) {
	const size = 21
	cases := []struct {
		name   string
		m, deg float64
		off    [2]float64 // prediction offset in modules
		blur   int
	}{
		{"8 px on axis", 8, 0, [2]float64{0.4, -0.3}, 0},
		{"6 px rotated", 6, 17, [2]float64{-1.1, 0.8}, 0},
		{"6 px blurred", 6, 33, [2]float64{1.4, 1.2}, 1},
		{"4 px rotated", 4, 61, [2]float64{-0.7, -1.3}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 20; seed++ {
				for _, present := range []bool{true, false} {
					sc, mods := alignPatternScene(t, seed, size, 10, 10, tc.m, tc.deg, present)
					sc.blur = tc.blur
					p := sc.render(mods)
					s := newSampler(p)
					c := sc.toImage(geom.Point{X: 10.5, Y: 10.5})
					ex := sc.toImage(geom.Point{X: 11.5, Y: 10.5}).Sub(c)
					ey := sc.toImage(geom.Point{X: 10.5, Y: 11.5}).Sub(c)
					pred := c.Add(ex.Scale(tc.off[0])).Add(ey.Scale(tc.off[1]))
					contrast := float64(sc.light) - float64(sc.dark)
					got, accepted := searchAlignment(s, pred, ex, ey, 1.5, false, minAlignScore*contrast)
					_, score := scanAlignment(s, pred, ex, ey, 1.5, false)
					if present {
						if !accepted {
							t.Fatalf("seed %d: pattern scored %.2f of the contrast", seed, score/contrast)
						}
						if d := got.Dist(c) / tc.m; d > 0.15 {
							t.Errorf("seed %d: centre %.2f modules off", seed, d)
						}
					} else if accepted {
						t.Errorf("seed %d: data modules accepted as a pattern (score %.2f of the contrast)", seed, score/contrast)
					}
				}
			}
		})
	}
}

// TestAlignScoreEarlyExit checks that the early exit of alignScore does not
// change the best score of a search: the bound is returned unchanged when
// the margin cannot beat it, and the exact margin otherwise.
func TestAlignScoreEarlyExit(t *testing.T) {
	seen := map[int]bool{}
	for _, k := range alignOrder {
		seen[k] = true
	}
	if len(seen) != len(alignOffsets) {
		t.Fatalf("alignOrder covers %d of %d modules", len(seen), len(alignOffsets))
	}
	sc, mods := alignPatternScene(t, 7, 21, 10, 10, 6, 12, true)
	p := sc.render(mods)
	s := newSampler(p)
	c := sc.toImage(geom.Point{X: 10.5, Y: 10.5})
	ex := sc.toImage(geom.Point{X: 11.5, Y: 10.5}).Sub(c)
	ey := sc.toImage(geom.Point{X: 10.5, Y: 11.5}).Sub(c)
	for _, d := range [][2]float64{{0, 0}, {0.5, 0}, {1, 1}, {-2, 0.5}, {3, -3}} {
		q := c.Add(ex.Scale(d[0])).Add(ey.Scale(d[1]))
		exact := alignScore(s, q, ex, ey, false, math.Inf(-1))
		for _, floor := range []float64{-300, -50, 0, 50, 150, 300} {
			got := alignScore(s, q, ex, ey, false, floor)
			if want := math.Max(exact, floor); got != want {
				t.Errorf("offset %v floor %v: %v, want %v (exact %v)", d, floor, got, want, exact)
			}
		}
	}
}

// TestAlignLatticeSearch checks locateAlignment's coarse search, read
// from one table of lattice samples, against scoring every offset on its
// own with alignTemplateScore (the reference below): the same best
// offset and score, up to rounding in the sample positions, for patterns
// present and absent, both polarities, alignNear's radius and alignWide's.
func TestAlignLatticeSearch(t *testing.T) {
	reference := func(s sampler, c, ex, ey geom.Point, radius float64, inv bool) (bx, by, best float64) {
		best = math.Inf(-1)
		for dy := -radius; dy <= radius; dy += 0.5 {
			for dx := -radius; dx <= radius; dx += 0.5 {
				if v := alignTemplateScore(s, c.Add(ex.Scale(dx)).Add(ey.Scale(dy)), ex, ey, inv); v > best {
					best, bx, by = v, dx, dy
				}
			}
		}
		return bx, by, best
	}
	searched := 0
	for seed := uint64(1); seed <= 12; seed++ {
		for _, present := range []bool{true, false} {
			sc, mods := alignPatternScene(t, seed, 41, 20, 20, 3+float64(seed%4), 9*float64(seed), present)
			p := sc.render(mods)
			s := newSampler(p)
			c := sc.toImage(geom.Point{X: 20.3, Y: 19.6})
			ex := sc.toImage(geom.Point{X: 21.3, Y: 19.6}).Sub(c)
			ey := sc.toImage(geom.Point{X: 20.3, Y: 20.6}).Sub(c)
			for _, radius := range []float64{4, 0.2*57 + 4, 0.3} {
				for _, inv := range []bool{false, true} {
					wx, wy, want := reference(s, c, ex, ey, radius, inv)
					gx, gy, got := alignLatticeSearch(s, c, ex, ey, radius, inv)
					if math.Abs(gx-wx) > 1e-9 || math.Abs(gy-wy) > 1e-9 || math.Abs(got-want) > 1e-9 {
						t.Errorf("seed %d present %v radius %.1f inv %v: (%v, %v) %v, want (%v, %v) %v",
							seed, present, radius, inv, gx, gy, got, wx, wy, want)
					}
					searched++
				}
			}
		}
	}
	if searched != 12*2*3*2 {
		t.Fatalf("%d searches", searched)
	}
}

// TestSameGrid checks that grids are told apart by their interior, not
// only by their bottom-right corner.
func TestSameGrid(t *testing.T) {
	const n = 45
	nf := float64(n)
	h, _ := geom.QuadToQuad(geom.Quad{{X: 0, Y: 0}, {X: nf, Y: 0}, {X: nf, Y: nf}, {X: 0, Y: nf}},
		geom.Quad{{X: 10, Y: 10}, {X: 190, Y: 12}, {X: 195, Y: 200}, {X: 8, Y: 190}})
	a := &grid{n: n, global: h}
	// b: same corners, the middle pulled by 2 modules (4 px per module)
	pos := []float64{0, nf / 2, nf}
	pts := make([]geom.Point, 9)
	for j := 0; j < 3; j++ {
		for i := 0; i < 3; i++ {
			pts[j*3+i] = h.Apply(geom.Point{X: pos[i], Y: pos[j]})
		}
	}
	pts[4] = pts[4].Add(geom.Point{X: 8, Y: 0})
	cells := make([]geom.Homography, 4)
	for j := 0; j < 2; j++ {
		for i := 0; i < 2; i++ {
			src := geom.Quad{{X: pos[i], Y: pos[j]}, {X: pos[i+1], Y: pos[j]}, {X: pos[i+1], Y: pos[j+1]}, {X: pos[i], Y: pos[j+1]}}
			dst := geom.Quad{pts[j*3+i], pts[j*3+i+1], pts[(j+1)*3+i+1], pts[(j+1)*3+i]}
			cells[j*2+i], _ = geom.QuadToQuad(src, dst)
		}
	}
	b := &grid{n: n, global: h, pos: pos, cells: cells}
	if d := b.corners()[2].Dist(a.corners()[2]); d > 1e-6 {
		t.Fatalf("the bent grid's corner moved by %g px: the case does not test the interior", d)
	}
	cases := []struct {
		name string
		a, b *grid
		want bool
	}{
		{"identical", a, &grid{n: n, global: h}, true},
		{"bent inside, same corners", a, b, false},
		{"other side", a, &grid{n: n + 4, global: h}, false},
		{"nil", a, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameGrid(tc.a, tc.b); got != tc.want {
				t.Errorf("sameGrid = %v, want %v", got, tc.want)
			}
		})
	}
}

// BenchmarkRefineLocal40 fits the local grid of a version 40 symbol (46
// alignment patterns) sagging by 4 modules, 6 pixels per module.
func BenchmarkRefineLocal40(b *testing.B) {
	m := encodeSymbol(b, "bench", decoder.ErrorCorrectionLevel_M, 40)
	n := len(m)
	nf := float64(n)
	const ms = 6.0
	sc := sagScene(int(nf*ms)+80, int(nf*ms)+100, n, nf*ms/2+40, nf*ms/2+40, nf*ms, 4*ms)
	p := sc.render(m)
	s := newSampler(p)
	fp := func(x, y float64) finderPattern {
		c := sc.toImage(geom.Point{X: x, Y: y})
		return finderPattern{c: c, ms: ms, count: 1}
	}
	f := newFinderFrame(s, fp(3.5, 3.5), fp(nf-3.5, 3.5), fp(3.5, nf-3.5), false)
	g0 := fitGrid(s, &f, n, false, alignNear)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		g := *g0
		refineLocal(s, &g, &f, math.Abs(f.light-f.dark))
		if g.cells == nil {
			b.Fatal("no local grid")
		}
	}
}

// TestAlignmentEvidence checks the screen's evidence for a high-version
// symbol: the two alignment patterns next to the top-left finder pattern
// are found on a version 25 symbol under perspective, and not on fields of
// random modules of the same size (what look-alike triples inside a large
// symbol's data region see).
func TestAlignmentEvidence(t *testing.T) {
	const v = 25
	n := dimensionForVersion(v)
	nf := float64(n)
	q := geom.Quad{{X: 60, Y: 80}, {X: 700, Y: 40}, {X: 740, Y: 720}, {X: 40, Y: 690}}
	t.Run("symbol", func(t *testing.T) {
		m := encodeSymbol(t, "evidence", decoder.ErrorCorrectionLevel_Q, v)
		sc := homographyScene(800, 800, n, q)
		p := sc.render(m)
		s := newSampler(p)
		fp := func(x, y float64) finderPattern {
			c := sc.toImage(geom.Point{X: x, Y: y})
			return finderPattern{c: c, ms: sc.toImage(geom.Point{X: x + 1, Y: y}).Dist(c), count: 1}
		}
		f := newFinderFrame(s, fp(3.5, 3.5), fp(nf-3.5, 3.5), fp(3.5, nf-3.5), false)
		// the parallelogram grid of the screen, modules off near the
		// bottom-right but close next to the top-left finder pattern
		g := fitGrid(s, &f, n, false, parallelogram)
		if !alignmentEvidence(s, g, &f) {
			t.Error("no evidence on a version 25 symbol")
		}
	})
	for seed := uint64(1); seed <= 10; seed++ {
		t.Run(fmt.Sprintf("random modules %d", seed), func(t *testing.T) {
			sc, mods := alignPatternScene(t, seed, n, 0, 0, 6, 9, false)
			p := sc.render(mods)
			h, _ := geom.QuadToQuad(geom.Quad{{X: 0, Y: 0}, {X: nf, Y: 0}, {X: nf, Y: nf}, {X: 0, Y: nf}},
				geom.Quad{sc.toImage(geom.Point{X: 0, Y: 0}), sc.toImage(geom.Point{X: nf, Y: 0}), sc.toImage(geom.Point{X: nf, Y: nf}), sc.toImage(geom.Point{X: 0, Y: nf})})
			f := finderFrame{dark: float64(sc.dark), light: float64(sc.light)}
			if alignmentEvidence(newSampler(p), &grid{n: n, global: h}, &f) {
				t.Error("evidence on random modules")
			}
		})
	}
}
