package qr

import (
	"errors"
	"math"
)

// errBlurModel reports that the blur model did not fit the finder patterns.
var errBlurModel = errors.New("qr: blur model: finder patterns do not fit")

// Module-space deconvolution for blurred symbols.
//
// Under defocus or motion blur each module's sampled value mixes in its
// neighbours: a light module between dark ones reads nearly as dark as a
// dark module among light ones, and no threshold separates them. The
// function patterns give the blur away: the modules of the three finder
// patterns with their separators (6.3.3) and of the timing patterns (6.3.5)
// are known, so we fit, by least squares over the modules whose whole
// neighbourhood is known (outside the symbol: the light quiet zone),
//
//	value = a + b·dark + c·(dark 4-neighbours) + e·(dark diagonal neighbours)
//
// (dark = 1 or 0; the light level a may vary linearly across the symbol; a
// second model adds the 12 modules two away) and then invert the model on
// the data modules: the darkness map in [0, 1] whose prediction is closest
// to the values, by projected gradient descent (deconvolve), known
// function modules held fixed, modules outside the symbol light. The model is then refitted once
// on all modules, the estimates rounded, and inverted again. This is the
// module-space unsharp mask of sample.go with the mask's weights measured
// on the symbol instead of fixed.
//
// Weak spots: one model for the whole symbol (uneven illumination or blur
// that varies across the symbol fits badly); when the neighbours outweigh
// the centre (blur wider than about a module) the inversion is ill-posed
// and the sweeps may settle on a wrong pattern, which Reed–Solomon then
// rejects.

// functionModules returns, for an n×n symbol, the known function modules
// used to fit the blur model: 1 dark, 0 light, −1 unknown. It covers the
// finder patterns with their separators and the timing patterns.
func functionModules(n int) []int8 {
	k := make([]int8, n*n)
	for i := range k {
		k[i] = -1
	}
	for _, o := range [3][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		for y := -1; y <= 7; y++ {
			for x := -1; x <= 7; x++ {
				xx, yy := o[0]+x, o[1]+y
				if xx < 0 || yy < 0 || xx >= n || yy >= n {
					continue
				}
				v := int8(0)
				if x >= 0 && y >= 0 && x < 7 && y < 7 && finderDark[(y+1)*9+x+1] {
					v = 1
				}
				k[yy*n+xx] = v
			}
		}
	}
	for i := 8; i < n-8; i++ {
		v := int8(1 - i%2)
		k[6*n+i] = v
		k[i*n+6] = v
	}
	return k
}

// blurModel is the fitted model: value = a + ax·(x/n − ½) + ay·(y/n − ½)
// + Σ_c w_c·(dark modules of neighbour class c), the classes being the
// symmetric offsets of blurClasses up to the model's radius (class 0 is
// the module itself). w holds a, ax, ay, then the class weights.
type blurModel struct {
	r int
	w []float64
}

// centre returns the weight of the module itself (negative: dark reads low).
func (m *blurModel) centre() float64 { return m.w[3] }

// light returns the value of a light module among light ones at (x, y).
func (m *blurModel) light(x, y, n int) float64 {
	return m.w[0] + m.w[1]*(float64(x)/float64(n)-0.5) + m.w[2]*(float64(y)/float64(n)-0.5)
}

// blurClasses groups the offsets of a 5×5 neighbourhood by distance: the
// centre, the 4 edge and 4 diagonal neighbours, then the 4 at two modules
// along the axes, the 8 knight moves and the 4 at (±2, ±2).
var blurClasses = [6][][2]int{
	{{0, 0}},
	{{-1, 0}, {1, 0}, {0, -1}, {0, 1}},
	{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}},
	{{-2, 0}, {2, 0}, {0, -2}, {0, 2}},
	{{-2, -1}, {-2, 1}, {2, -1}, {2, 1}, {-1, -2}, {1, -2}, {-1, 2}, {1, 2}},
	{{-2, -2}, {2, -2}, {-2, 2}, {2, 2}},
}

// classesFor is the number of neighbour classes of a model of radius r.
func classesFor(r int) int {
	if r == 1 {
		return 3
	}
	return 6
}

// fitBlur fits the blur model of radius r (1 or 2 modules) by least
// squares to the n×n module values vals (dark low), given each module's
// darkness dark (0 or 1; −1 unknown), over the modules whose whole
// neighbourhood is known (modules outside the symbol are the light quiet
// zone). It reports false when the system is singular or a dark module
// among light ones does not read clearly darker.
func fitBlur(vals, dark []float64, n, r int) (blurModel, bool) {
	nc := classesFor(r)
	k := nc + 3
	ata := make([]float64, k*k)
	atb := make([]float64, k)
	row := make([]float64, k)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= n || y >= n {
			return 0
		}
		return dark[y*n+x]
	}
	rows := 0
	for y := 0; y < n; y++ {
	module:
		for x := 0; x < n; x++ {
			row[0] = 1
			row[1] = float64(x)/float64(n) - 0.5
			row[2] = float64(y)/float64(n) - 0.5
			for c := 0; c < nc; c++ {
				sum := 0.0
				for _, off := range blurClasses[c] {
					v := at(x+off[0], y+off[1])
					if v < 0 {
						continue module
					}
					sum += v
				}
				row[c+3] = sum
			}
			v := vals[y*n+x]
			for i := 0; i < k; i++ {
				for j := 0; j < k; j++ {
					ata[i*k+j] += row[i] * row[j]
				}
				atb[i] += row[i] * v
			}
			rows++
		}
	}
	if rows < 4*k {
		return blurModel{}, false
	}
	for i := 1; i < k; i++ {
		ata[i*k+i] += 1e-3 // ridge: keeps the system solvable
	}
	w, ok := solveLinear(ata, atb, k)
	if !ok {
		return blurModel{}, false
	}
	m := blurModel{r: r, w: w}
	if m.centre() > -4 {
		return m, false
	}
	return m, true
}

// solveLinear solves the k×k system a·x = b (a row-major, both
// overwritten) by Gaussian elimination with partial pivoting.
func solveLinear(a, b []float64, k int) ([]float64, bool) {
	for col := 0; col < k; col++ {
		p := col
		for r := col + 1; r < k; r++ {
			if math.Abs(a[r*k+col]) > math.Abs(a[p*k+col]) {
				p = r
			}
		}
		if math.Abs(a[p*k+col]) < 1e-9 {
			return nil, false
		}
		for c := 0; c < k; c++ {
			a[col*k+c], a[p*k+c] = a[p*k+c], a[col*k+c]
		}
		b[col], b[p] = b[p], b[col]
		for r := col + 1; r < k; r++ {
			f := a[r*k+col] / a[col*k+col]
			for c := col; c < k; c++ {
				a[r*k+c] -= f * a[col*k+c]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, k)
	for r := k - 1; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < k; c++ {
			s -= a[r*k+c] * x[c]
		}
		x[r] = s / a[r*k+r]
	}
	return x, true
}

// deconvolveIterations is the number of gradient steps of deconvolve.
const deconvolveIterations = 40

// deblurModules returns each module's estimated darkness in [0, 1] from
// the n×n module values vals (dark low) under a blur model of radius r, or
// false when the model cannot be fitted. The model is fitted on the
// function modules, the data modules deconvolved, and then, once, the
// model refitted on every module with the estimates rounded and the data
// modules deconvolved again from scratch.
func deblurModules(vals []float64, n, r int) ([]float64, bool) {
	known := functionModules(n)
	dark := make([]float64, n*n)
	for i, k := range known {
		dark[i] = float64(k)
	}
	m, ok := fitBlur(vals, dark, n, r)
	if !ok {
		return nil, false
	}
	d := deconvolve(vals, known, n, &m)
	for i, k := range known {
		if k < 0 {
			dark[i] = math.Round(d[i])
		}
	}
	if m2, ok := fitBlur(vals, dark, n, r); ok {
		d = deconvolve(vals, known, n, &m2)
	}
	return d, true
}

// deconvolve inverts model m on the n×n module values vals: the
// darkness map d in [0, 1]^(n×n) that minimises the squared difference
// between vals and the model's prediction, known function modules held
// fixed, by projected gradient descent with Nesterov momentum (FISTA).
// Unlike a direct inversion (or Gauss–Seidel sweeps, which diverge once
// the neighbours outweigh the module itself) it converges whatever the
// kernel; the bounds keep the ill-posed directions from running away.
func deconvolve(vals []float64, known []int8, n int, m *blurModel) []float64 {
	// Work on arrays padded by two modules of light (0) quiet zone, so
	// that the kernel loops need no bounds tests.
	const pad = 2
	w := n + 2*pad
	nc := classesFor(m.r)
	var taps []kernelTap
	norm := 0.0
	for c := 0; c < nc; c++ {
		for _, o := range blurClasses[c] {
			taps = append(taps, kernelTap{o[1]*w + o[0], m.w[c+3]})
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
	// The light level of each module does not change between iterations.
	light := make([]float64, n*n)
	for yy := 0; yy < n; yy++ {
		for xx := 0; xx < n; xx++ {
			light[yy*n+xx] = m.light(xx, yy, n)
		}
	}
	// Both kernel loops run four modules of a row at a time
	// (applyKernel4), the last few of a row one at a time (applyKernel).
	t := 1.0
	for it := 0; it < deconvolveIterations; it++ {
		for yy := 0; yy < n; yy++ {
			j := (yy+pad)*w + pad
			lr, vr := light[yy*n:(yy+1)*n], vals[yy*n:(yy+1)*n]
			xx := 0
			for ; xx+4 <= n; xx += 4 {
				p0, p1, p2, p3 := applyKernel4(taps, y, j+xx, lr[xx], lr[xx+1], lr[xx+2], lr[xx+3])
				r := res[j+xx : j+xx+4 : j+xx+4]
				r[0], r[1], r[2], r[3] = p0-vr[xx], p1-vr[xx+1], p2-vr[xx+2], p3-vr[xx+3]
			}
			for ; xx < n; xx++ {
				res[j+xx] = applyKernel(taps, y, j+xx, lr[xx]) - vr[xx]
			}
		}
		copy(prev, d)
		for yy := 0; yy < n; yy++ {
			j := (yy+pad)*w + pad
			kr := known[yy*n : (yy+1)*n]
			xx := 0
			for ; xx+4 <= n; xx += 4 {
				k := kr[xx : xx+4 : xx+4]
				if k[0] >= 0 && k[1] >= 0 && k[2] >= 0 && k[3] >= 0 {
					continue
				}
				// the kernel is symmetric: its adjoint is itself
				g0, g1, g2, g3 := applyKernel4(taps, res, j+xx, 0, 0, 0, 0)
				for i, g := range [4]float64{g0, g1, g2, g3} {
					if k[i] < 0 {
						d[j+xx+i] = clamp01(y[j+xx+i] - step*g)
					}
				}
			}
			for ; xx < n; xx++ {
				if kr[xx] >= 0 {
					continue
				}
				d[j+xx] = clamp01(y[j+xx] - step*applyKernel(taps, res, j+xx, 0))
			}
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

// kernelTap is one tap of deconvolve's kernel: an offset in the padded
// module array and its weight.
type kernelTap struct {
	off int
	w   float64
}

// applyKernel returns s + Σ w·a[o+off] over taps, summed in their order.
func applyKernel(taps []kernelTap, a []float64, o int, s float64) float64 {
	for _, tp := range taps {
		s += tp.w * a[o+tp.off]
	}
	return s
}

// applyKernel4 is applyKernel at o, o+1, o+2 and o+3 (starting from s0..s3),
// four sums in one pass over the taps: each in the order applyKernel takes,
// so the same values, with their chains of additions overlapping.
func applyKernel4(taps []kernelTap, a []float64, o int, s0, s1, s2, s3 float64) (float64, float64, float64, float64) {
	for _, tp := range taps {
		i := o + tp.off
		q := a[i : i+4 : i+4]
		s0 += tp.w * q[0]
		s1 += tp.w * q[1]
		s2 += tp.w * q[2]
		s3 += tp.w * q[3]
	}
	return s0, s1, s2, s3
}

// readGridDeblurred samples g, deconvolves the module values
// (deblurModules, radius 2: on boofcv-dev it read every code radius 1 read
// and one more) and decodes the modules darker than each of a few levels.
func readGridDeblurred(s sampler, g *grid, inv bool) (Symbol, *candidateError) {
	vals := sampleValues(s, newLattice(g, s.buf), inv, 0)
	d, ok := deblurModules(vals, g.n, 2)
	if !ok {
		return Symbol{}, &candidateError{stage: StageAlignment, corners: g.corners(), err: errBlurModel}
	}
	return decodeDeblurred(d, g, inv)
}

// decodeDeblurred decodes the modules darker than each of a few levels of
// the deconvolved darkness d.
func decodeDeblurred(d []float64, g *grid, inv bool) (Symbol, *candidateError) {
	levels := [...]float64{0.5, 0.4, 0.6}
	return decodeEach(g, inv, len(levels), func(i int) [][]bool {
		m := make([][]bool, g.n)
		for y := range m {
			m[y] = make([]bool, g.n)
			for x := range m[y] {
				m[y][x] = d[y*g.n+x] > levels[i]
			}
		}
		return m
	})
}
