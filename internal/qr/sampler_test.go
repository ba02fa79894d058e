package qr

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// lineSamplesReference is lineSamples as phaseCells first wrote it: each
// point from phaseLine.at, each value from sampler.at.
func lineSamplesReference(s sampler, l *phaseLine, t0 float64, out []float64) {
	for i := range out {
		out[i] = s.at(l.at(t0 + 0.5*float64(i)))
	}
}

// lineCases returns lines over planes of several shapes (among them a view
// whose stride exceeds its width): lines of random homographies crossing
// the plane and leaving it, lines of a degenerate homography (points at
// infinity, NaN) and lines along the edges, each with a start and a length
// up to a version 40 symbol's 354 samples.
func lineCases(t *testing.T) []struct {
	s  sampler
	l  phaseLine
	t0 float64
	n  int
} {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 16))
	var planes []*gray.Plane
	for _, sz := range [][3]int{{1, 1, 1}, {2, 2, 2}, {97, 61, 97}, {640, 480, 700}, {333, 1000, 333}} {
		w, h, stride := sz[0], sz[1], sz[2]
		p := &gray.Plane{W: w, H: h, Stride: stride, Pix: make([]byte, (h-1)*stride+w)}
		for i := range p.Pix {
			p.Pix[i] = byte(rng.IntN(256))
		}
		planes = append(planes, p)
	}
	type lineCase = struct {
		s  sampler
		l  phaseLine
		t0 float64
		n  int
	}
	var cases []lineCase
	for _, p := range planes {
		s := newSampler(p)
		W, H := float64(p.W), float64(p.H)
		for range 300 {
			ms := 0.5 + 6*rng.Float64()
			h := geom.Homography{
				ms * (1 + 0.3*rng.NormFloat64()), ms * 0.3 * rng.NormFloat64(), W * (rng.Float64()*1.4 - 0.2),
				ms * 0.3 * rng.NormFloat64(), ms * (1 + 0.3*rng.NormFloat64()), H * (rng.Float64()*1.4 - 0.2),
				0.002 * rng.NormFloat64(), 0.002 * rng.NormFloat64(), 1,
			}
			axis := rng.IntN(2)
			c := float64(rng.IntN(60)) + 0.5
			t0 := float64(rng.IntN(100)) + []float64{0.25, 0.75}[rng.IntN(2)]
			cases = append(cases, lineCase{s, newPhaseLine(&h, axis, c), t0, rng.IntN(2*177 + 1)})
		}
		// degenerate: w crosses 0 along the line (points at infinity, NaN)
		deg := geom.Homography{1, 0, 0, 0, 1, 0, 0.1, 0, -3}
		cases = append(cases, lineCase{s, newPhaseLine(&deg, 0, 0.5), 0.25, 100})
		zero := geom.Homography{}
		cases = append(cases, lineCase{s, newPhaseLine(&zero, 1, 0.5), 0.25, 17})
		// along the last row and column, where the interior ends
		for _, e := range []geom.Homography{{1, 0, 0, 0, 1, H - 0.5, 0, 0, 1}, {1, 0, W - 0.5, 0, 1, 0, 0, 0, 1}} {
			cases = append(cases, lineCase{s, newPhaseLine(&e, 0, 0), 0.25, min(2*p.W, 2*177)}, lineCase{s, newPhaseLine(&e, 1, 0), 0.25, min(2*p.H, 2*177)})
		}
	}
	return cases
}

// TestLineSamples checks lineSamples, and lineSamplesSIMD where this build
// and CPU have it, against the reference, bit for bit.
func TestLineSamples(t *testing.T) {
	var pts [2 * 177]geom.Point
	var want, got [2 * 177]float64
	for i, c := range lineCases(t) {
		lineSamplesReference(c.s, &c.l, c.t0, want[:c.n])
		c.s.lineSamples(&c.l, c.t0, got[:c.n], pts[:])
		for k := range c.n {
			if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
				t.Fatalf("case %d (plane %dx%d, line %+v, t0 %v): sample %d = %v, want %v",
					i, c.s.p.W, c.s.p.H, c.l, c.t0, k, got[k], want[k])
			}
		}
	}
}

// TestLineSamplesSIMD checks the AVX2 path on its own (lineSamples takes it
// whenever it can): skipped in builds or on CPUs without it.
func TestLineSamplesSIMD(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 kernel in this build or on this CPU")
	}
	var want, got [2 * 177]float64
	interior := 0
	for i, c := range lineCases(t) {
		lineSamplesReference(c.s, &c.l, c.t0, want[:c.n])
		c.s.lineSamplesSIMD(&c.l, c.t0, got[:c.n])
		for k := range c.n {
			if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
				t.Fatalf("case %d: sample %d = %v, want %v", i, k, got[k], want[k])
			}
			q := c.l.at(c.t0 + 0.5*float64(k))
			if x, y := q.X-0.5, q.Y-0.5; x >= 0 && y >= 0 && x < c.s.maxX && y < c.s.maxY {
				interior++
			}
		}
	}
	if interior < 10000 {
		t.Errorf("only %d interior samples: the cases miss the vector path", interior)
	}
}

// TestTemplateSamples checks templateSamples (templateSamplesSIMD where
// this build and CPU have it) against finderAt's template sampled point
// by point with sampler.at, bit for bit: templates wholly inside planes
// of several shapes, crossing their edges and corners, lying outside
// them, along the last row and column, and with infinite coordinates.
func TestTemplateSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 81))
	border, interior := 0, 0
	for _, sz := range [][3]int{{1, 1, 1}, {2, 3, 2}, {97, 61, 97}, {640, 480, 700}, {333, 1000, 333}} {
		w, h, stride := sz[0], sz[1], sz[2]
		p := &gray.Plane{W: w, H: h, Stride: stride, Pix: make([]byte, (h-1)*stride+w)}
		for i := range p.Pix {
			p.Pix[i] = byte(rng.IntN(256))
		}
		s := newSampler(p)
		W, H := float64(w), float64(h)
		type tc struct{ c, ex, ey geom.Point }
		var cases []tc
		for range 2000 {
			ms := 0.3 + 8*rng.Float64()
			a := rng.Float64() * 2 * math.Pi
			sk := 0.2 * rng.NormFloat64()
			cases = append(cases, tc{
				geom.Point{X: W * (rng.Float64()*1.4 - 0.2), Y: H * (rng.Float64()*1.4 - 0.2)},
				geom.Point{X: ms * math.Cos(a), Y: ms * math.Sin(a)},
				geom.Point{X: -ms * math.Sin(a+sk), Y: ms * math.Cos(a+sk)},
			})
		}
		// along the last column and row, exactly on them, and far away
		cases = append(cases,
			tc{geom.Point{X: W - 0.5, Y: H / 2}, geom.Point{Y: 0.25}, geom.Point{X: 0.125}},
			tc{geom.Point{X: W / 2, Y: H - 0.5}, geom.Point{X: 0.25}, geom.Point{Y: 0.125}},
			tc{geom.Point{X: 1e308, Y: -1e308}, geom.Point{X: 1e308, Y: 1e308}, geom.Point{X: -1e308, Y: 1}},
		)
		for i, c := range cases {
			var want, got [81]float64
			for y := -4; y <= 4; y++ {
				row := c.c.Add(c.ey.Scale(float64(y)))
				for x := -4; x <= 4; x++ {
					q := row.Add(c.ex.Scale(float64(x)))
					want[(y+4)*9+x+4] = s.at(q)
					if qx, qy := q.X-0.5, q.Y-0.5; qx >= 0 && qy >= 0 && qx < s.maxX && qy < s.maxY {
						interior++
					} else {
						border++
					}
				}
			}
			s.templateSamples(c.c, c.ex, c.ey, &got)
			for k := range want {
				if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
					t.Fatalf("plane %dx%d, case %d (%+v): sample %d = %v, want %v", w, h, i, c, k, got[k], want[k])
				}
			}
		}
	}
	if interior < 100000 || border < 100000 {
		t.Errorf("%d interior and %d border samples: the cases miss a path", interior, border)
	}
}
