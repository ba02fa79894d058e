package qr

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Module sampling.
//
// Each module is read as the mean of five bilinear samples: its centre and
// four points a quarter module away along the module axes, so a single
// noisy pixel or a slightly misplaced grid does not flip it. The module
// values are then thresholded in module space, which matches the threshold
// scale to the module size whatever the resolution: samplingCentred compares
// each module with the mean of the 9×9 modules around it, blended half and
// half with the symbol's global mid level (robust to shadows and
// gradients); samplingShifted uses the mean of a 5×5-module window only
// and a grid shifted by a fifth of a module towards the bottom right (a
// second chance for blur and small grid errors).

// lattice holds the pixel positions of the integer module coordinates
// (i, j), 0 ≤ i, j ≤ n, of a grid. Points in between are interpolated
// bilinearly: within one module every transform we use is affine to well
// under a pixel, and this replaces a homography evaluation (and, for local
// grids, a cell search) per sample by a few multiply-adds.
type lattice struct {
	n   int
	pts []geom.Point // (n+1)×(n+1), row-major
}

func newLattice(g *grid, buf *gridBufs) lattice {
	n := g.n
	l := lattice{n: n, pts: buf.points((n + 1) * (n + 1))}
	for j := 0; j <= n; j++ {
		for i := 0; i <= n; i++ {
			l.pts[j*(n+1)+i] = g.toImage(float64(i), float64(j))
		}
	}
	return l
}

// at maps module coordinates (u, v) to pixel coordinates.
func (l *lattice) at(u, v float64) geom.Point {
	i, j := int(math.Floor(u)), int(math.Floor(v))
	i = min(max(i, 0), l.n-1)
	j = min(max(j, 0), l.n-1)
	a, b := u-float64(i), v-float64(j)
	k := j*(l.n+1) + i
	p00, p10 := l.pts[k], l.pts[k+1]
	p01, p11 := l.pts[k+l.n+1], l.pts[k+l.n+2]
	x := (1-b)*((1-a)*p00.X+a*p10.X) + b*((1-a)*p01.X+a*p11.X)
	y := (1-b)*((1-a)*p00.Y+a*p10.Y) + b*((1-a)*p01.Y+a*p11.Y)
	return geom.Point{X: x, Y: y}
}

// sampling is one way of sampling and thresholding a grid's modules.
type sampling int

const (
	// samplingCentred samples the grid as fitted and thresholds each
	// module against the mean of the 9×9 modules around it, blended half
	// and half with the symbol's mean.
	samplingCentred sampling = iota
	// samplingShifted samples the grid shifted by a fifth of a module
	// towards the bottom right and thresholds against a 5×5-module mean
	// only: a second chance for blur and small grid errors.
	samplingShifted
)

// samplings are the samplings readCandidate tries on each grid, in order.
var samplings = [...]sampling{samplingCentred, samplingShifted}

// sampleModules returns the n×n module matrix (dark = true) of g, sampled
// and thresholded by sm (its first threshold, see sampleThresholds).
func sampleModules(s sampler, g *grid, inv bool, sm sampling) [][]bool {
	lat := newLattice(g, s.buf)
	vals := sampleValues(s, lat, inv, sm.shift())
	return thresholdModules(vals, lat.n, sampleThresholds(sm)[0], s.buf)
}

// shift is the grid shift of sm, in modules towards the bottom right.
func (sm sampling) shift() float64 {
	if sm == samplingShifted {
		return 0.2
	}
	return 0
}

// moduleThreshold is one way to threshold module values.
type moduleThreshold struct {
	r       int     // half side of the local mean window, in modules
	global  float64 // weight of the symbol's mean in the threshold
	sharpen float64 // weight of the module-space unsharp mask (0: none)
}

// sampleThresholds returns the thresholds tried, in order, on the module
// values of sampling sm: the first is always tried; the others only
// when the format information read but the codewords did not correct, and
// cost a threshold pass and a Reed–Solomon decoding, not a new sampling.
//
// The unsharp mask subtracts a share of the mean of the 8 neighbouring
// modules: blur spreads each module into its neighbours, so a light module
// between dark ones reads darker than a light module among light ones, and
// the mask undoes a first-order share of that.
func sampleThresholds(sm sampling) []moduleThreshold {
	if sm == samplingShifted {
		return []moduleThreshold{{r: 2}, {r: 2, sharpen: 0.7}}
	}
	return []moduleThreshold{{r: 4, global: 0.5}, {r: 4, global: 0.5, sharpen: 0.7}}
}

// sampleValues returns the n×n module values (mean of five bilinear
// samples, dark low; reversed when inv) of lat, with the grid shifted by
// shift modules towards the bottom right.
func sampleValues(s sampler, lat lattice, inv bool, shift float64) []float64 {
	n := lat.n
	vals := s.buf.values(n * n)
	const q = 0.25
	// a row's five points a module, sampled at once (sampler.atAll)
	var pts [5 * 177]geom.Point
	var row [5 * 177]float64
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			cx, cy := float64(x)+0.5+shift, float64(y)+0.5+shift
			pts[5*x] = lat.at(cx, cy)
			pts[5*x+1], pts[5*x+2] = lat.at(cx-q, cy), lat.at(cx+q, cy)
			pts[5*x+3], pts[5*x+4] = lat.at(cx, cy-q), lat.at(cx, cy+q)
		}
		s.atAll(pts[:5*n], row[:5*n])
		for x := 0; x < n; x++ {
			m := row[5*x : 5*x+5 : 5*x+5]
			v := m[0] + m[1] + m[2] + m[3] + m[4]
			v /= 5
			if inv {
				v = 255 - v
			}
			vals[y*n+x] = v
		}
	}
	return vals
}

// thresholdModules thresholds the n×n module values vals with th.
// buf lends the working buffers (nil allocates them).
func thresholdModules(vals []float64, n int, th moduleThreshold, buf *gridBufs) [][]bool {
	if th.sharpen > 0 {
		sh := buf.sharpened(len(vals))
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				var sum float64
				cnt := 0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := x+dx, y+dy
						if (dx == 0 && dy == 0) || xx < 0 || yy < 0 || xx >= n || yy >= n {
							continue
						}
						sum += vals[yy*n+xx]
						cnt++
					}
				}
				v := vals[y*n+x]
				sh[y*n+x] = v + th.sharpen*(v-sum/float64(cnt))
			}
		}
		vals = sh
	}
	var sum float64
	for _, v := range vals {
		sum += v
	}
	global := sum / float64(n*n)
	r, wg := th.r, th.global
	// summed-area table over module values
	sw := n + 1
	sat := buf.table(sw * sw)
	for y := 0; y < n; y++ {
		var rs float64
		for x := 0; x < n; x++ {
			rs += vals[y*n+x]
			sat[(y+1)*sw+x+1] = sat[y*sw+x+1] + rs
		}
	}
	m := make([][]bool, n)
	flat := make([]bool, n*n)
	for y := 0; y < n; y++ {
		m[y] = flat[y*n : (y+1)*n : (y+1)*n]
		y0, y1 := max(y-r, 0), min(y+r+1, n)
		for x := 0; x < n; x++ {
			x0, x1 := max(x-r, 0), min(x+r+1, n)
			local := (sat[y1*sw+x1] - sat[y0*sw+x1] - sat[y1*sw+x0] + sat[y0*sw+x0]) / float64((x1-x0)*(y1-y0))
			t := wg*global + (1-wg)*local
			m[y][x] = vals[y*n+x] < t
		}
	}
	return m
}

// minFunctionAgreement is the smallest share of the finder and timing
// pattern modules a sampled matrix must show as specified before its
// codewords are decoded. A grid on a true symbol matches nearly all of them
// even where the data modules are too damaged to correct; a grid on a
// triple of look-alikes matches about half of them by chance. The gate
// saves the Reed–Solomon attempts, which dominated the cost on images
// without symbols.
const minFunctionAgreement = 0.75

// functionAgreement returns the share of the modules of the three finder
// patterns (7×7 each) and of both timing patterns (6.3.5) that m shows as
// specified. The set is symmetric under transposition, so a mirror image
// scores the same.
func functionAgreement(m [][]bool) float64 {
	n := len(m)
	match, total := 0, 0
	finder := func(x0, y0 int) {
		for y := 0; y < 7; y++ {
			for x := 0; x < 7; x++ {
				// dark: the outer ring and the 3×3 centre
				d := max(abs(x-3), abs(y-3))
				if m[y0+y][x0+x] == (d != 2) {
					match++
				}
				total++
			}
		}
	}
	finder(0, 0)
	finder(n-7, 0)
	finder(0, n-7)
	for i := 8; i < n-8; i++ {
		dark := i%2 == 0
		if m[6][i] == dark {
			match++
		}
		if m[i][6] == dark {
			match++
		}
		total += 2
	}
	return float64(match) / float64(total)
}
