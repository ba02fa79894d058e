package qr

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDeconvolveMatchesReference: deconvolve, whose kernel loops run four
// modules at a time, returns exactly the values of the loop written one
// module at a time (deconvolveReference, below), for both model radii,
// sides that are and are not multiples of four, and random known modules.
func TestDeconvolveMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{21, 25, 29, 45, 57} {
		for _, r := range []int{1, 2} {
			vals := make([]float64, n*n)
			known := make([]int8, n*n)
			for i := range vals {
				vals[i] = 255 * rng.Float64()
				known[i] = int8(rng.IntN(3)) - 1
			}
			m := &blurModel{r: r, w: make([]float64, 3+classesFor(r))}
			for i := range m.w {
				m.w[i] = 40*rng.Float64() - 20
			}
			m.w[0] = 200
			m.w[3] = -120
			got, want := deconvolve(vals, known, n, m), deconvolveReference(vals, known, n, m)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n %d r %d module %d: %v, reference %v", n, r, i, got[i], want[i])
				}
			}
		}
	}
}

// deconvolveReference is deconvolve as written before its kernel loops ran
// four modules at a time.
func deconvolveReference(vals []float64, known []int8, n int, m *blurModel) []float64 {
	// Work on arrays padded by two modules of light (0) quiet zone, so
	// that the kernel loops need no bounds tests.
	const pad = 2
	w := n + 2*pad
	nc := classesFor(m.r)
	type tap struct {
		off int
		w   float64
	}
	var taps []tap
	norm := 0.0
	for c := 0; c < nc; c++ {
		for _, o := range blurClasses[c] {
			taps = append(taps, tap{o[1]*w + o[0], m.w[c+3]})
			norm += math.Abs(m.w[c+3])
		}
	}
	step := 1 / (norm * norm)
	d := make([]float64, w*w)    // current estimate
	y := make([]float64, w*w)    // extrapolated point
	prev := make([]float64, w*w) // previous estimate
	res := make([]float64, w*w)  // prediction minus value (0 in the padding)
	for i, k := range known {
		j := (i/n+pad)*w + i%n + pad
		if k >= 0 {
			d[j] = float64(k)
		} else {
			d[j] = 0.5
		}
	}
	copy(y, d)
	t := 1.0
	for it := 0; it < deconvolveIterations; it++ {
		for yy := 0; yy < n; yy++ {
			j := (yy+pad)*w + pad
			for xx := 0; xx < n; xx++ {
				pred := m.light(xx, yy, n)
				for _, tp := range taps {
					pred += tp.w * y[j+xx+tp.off]
				}
				res[j+xx] = pred - vals[yy*n+xx]
			}
		}
		copy(prev, d)
		for i, k := range known {
			if k >= 0 {
				continue
			}
			j := (i/n+pad)*w + i%n + pad
			// the kernel is symmetric: its adjoint is itself
			g := 0.0
			for _, tp := range taps {
				g += tp.w * res[j+tp.off]
			}
			d[j] = clamp01(y[j] - step*g)
		}
		tn := (1 + math.Sqrt(1+4*t*t)) / 2
		mom := (t - 1) / tn
		for j := range y {
			y[j] = d[j] + mom*(d[j]-prev[j])
		}
		t = tn
	}
	out := make([]float64, n*n)
	for i := range out {
		out[i] = d[(i/n+pad)*w+i%n+pad]
	}
	return out
}
