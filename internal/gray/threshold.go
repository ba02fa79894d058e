package gray

import "math"

// Binarisation. Every threshold here writes 0 for pixels classified dark
// (candidate dark modules) and 255 for light ones, so the output of any of
// them can go straight to a reader that samples dark modules as 0.
//
// Global thresholds (OtsuLevel + Threshold) are cheap and exact on evenly lit
// scans, but one shadow or glare spot across a symbol breaks them. The local
// thresholds compare each pixel with statistics of the (2r+1)×(2r+1) window
// around it, clamped to the plane at the borders (the window shrinks, it is
// not padded). The window sums come from running column sums (one row added,
// one removed per output row) and a running sum along each row: the same box
// sums an integral image gives, with O(W) scratch instead of an O(W·H)
// table, and no allocation for planes up to 4096 wide.
// Choose the radius near the size of a few modules: much smaller and the
// inside of a large dark module turns light; much larger and the threshold
// stops following the lighting.

// MaxRadius is the largest window radius of AdaptiveMean, Sauvola and
// BoxBlur; larger radii are treated as MaxRadius. A (2·2047+1)² window of
// 255s sums to less than 2^32, so the window sums stay exact in uint32.
const MaxRadius = 2047

// OtsuLevel returns the global threshold level of Otsu (1979), "A threshold
// selection method from gray-level histograms": the level t that maximises the
// between-class variance ω0·ω1·(μ0−μ1)² of the classes {v ≤ t} and {v > t}.
// When a range of levels gives the same maximum (the empty gap between the
// two modes of a clean bimodal image) the middle of that range is returned.
// A plane with a single level returns that level; an empty plane returns 0.
//
// Cost: Histogram plus 256 steps.
func OtsuLevel(src *Plane) uint8 {
	h := Histogram(src)
	return OtsuLevelHist(&h)
}

// OtsuLevelHist is OtsuLevel on a histogram the caller already has.
func OtsuLevelHist(h *[256]uint32) uint8 {
	var n, sumAll int64
	first := -1
	for v, c := range h {
		n += int64(c)
		sumAll += int64(v) * int64(c)
		if c != 0 && first < 0 {
			first = v
		}
	}
	if n == 0 {
		return 0
	}
	var w0, sum0 int64
	best := -1.0
	lo, hi := first, first
	for t := 0; t < 256; t++ {
		w0 += int64(h[t])
		sum0 += int64(t) * int64(h[t])
		if w0 == 0 {
			continue
		}
		w1 := n - w0
		if w1 == 0 {
			break
		}
		// ω0ω1(μ0−μ1)² = (μ·w0 − sum0)² / (w0·w1) up to the constant 1/n².
		// The numerator is exact in int64 for planes below ~2·10^8 pixels, so
		// levels across an empty gap give bit-identical values.
		d := float64(sumAll*w0 - sum0*n)
		between := d * d / (float64(w0) * float64(w1))
		switch {
		case between > best:
			best, lo, hi = between, t, t
		case between == best && hi == t-1:
			hi = t
		}
	}
	return uint8((lo + hi) / 2)
}

// Threshold writes 0 for pixels ≤ level and 255 for pixels above it. Works in
// place when dst == src. Cost: about twelve word operations per eight
// pixels, branch-free.
func Threshold(dst, src *Plane, level uint8) *Plane {
	dst = prepareInPlace(dst, src)
	l := int32(level)
	k := uint64(255-level) * laneOne
	for y := 0; y < dst.H; y++ {
		s, d := src.Row(y), dst.Row(y)
		d = d[:len(s)]
		i := 0
		for ; i+8 <= len(s); i += 8 {
			store64(d[i:], gtMask(load64(s[i:]), k))
		}
		for ; i < len(s); i++ {
			// l−v < 0 exactly when v > level; the sign bit spreads to 0xFF.
			d[i] = byte((l - int32(s[i])) >> 31)
		}
	}
	return dst
}

// AdaptiveMean thresholds each pixel against the mean of its
// (2·radius+1)² window (clamped at the borders): a pixel is dark (0) when
// v ≤ mean − offset, tested in integers as (v+offset)·area ≤ sum. A positive
// offset keeps flat regions light (noise in white paper stays white); 5–10 is
// usual. radius is clamped to [1, MaxRadius].
//
// Cost: about five integer operations per pixel, independent of radius.
func AdaptiveMean(dst, src *Plane, radius, offset int) *Plane {
	dst = prepare(dst, src, src.W, src.H)
	if dst.empty() {
		return dst
	}
	w, h := src.W, src.H
	r := min(max(radius, 1), MaxRadius)
	var colBuf [stackRow]uint32
	col := rowBuf32(colBuf[:], w)
	initColumns(col, nil, src, r)
	for y := 0; y < h; y++ {
		if y > 0 {
			slideColumns(col, nil, src, y, r)
		}
		rows := min(y+r, h-1) - max(y-r, 0) + 1
		meanRow(dst.Row(y), src.Row(y), col, r, rows, offset)
	}
	return dst
}

// meanRow classifies one row for AdaptiveMean, sliding the window sum along
// the column sums col.
func meanRow(d, s []byte, col []uint32, r, rows, offset int) {
	w := len(s)
	col, d = col[:w], d[:w]
	off := int64(offset)
	var sum uint32 // mod 2^32: exact for window sums < 2^32
	for i := range min(r+1, w) {
		sum += col[i]
	}
	edge := func(x0, x1 int) {
		for x := x0; x < x1; x++ {
			area := int64(rows * (min(x+r, w-1) - max(x-r, 0) + 1))
			d[x] = byte((int64(sum) - (int64(s[x])+off)*area) >> 63)
			if x+r+1 < w {
				sum += col[x+r+1]
			}
			if x-r >= 0 {
				sum -= col[x-r]
			}
		}
	}
	lo := min(r, w)      // first x whose window is not clipped on the left
	hi := max(w-r-1, lo) // interior [lo, hi): unclipped, slid unguarded
	edge(0, lo)
	if hi > lo {
		area := int64(rows * (2*r + 1))
		ds, ss := d[lo:hi], s[lo:hi]
		in, out := col[lo+r+1:hi+r+1], col[:hi-lo]
		ss, in, out = ss[:len(ds)], in[:len(ds)], out[:len(ds)]
		for i, v := range ss {
			// Dark (0) when (v+offset)·area ≤ sum: the sign bit of the
			// difference gives 0xFF exactly when the pixel is light.
			ds[i] = byte((int64(sum) - (int64(v)+off)*area) >> 63)
			sum += in[i] - out[i]
		}
	}
	edge(hi, w)
}

// Sauvola thresholds each pixel with the rule of Sauvola & Pietikäinen
// (2000), "Adaptive document image binarization": over the (2·radius+1)²
// window (clamped at the borders) with mean m and standard deviation s, the
// pixel is dark (0) when v ≤ m·(1 + k·(s/dynRange − 1)). dynRange is the
// dynamic range of s; 0 means 128 (the paper's value for 8-bit images).
// k is usually 0.2–0.5: larger k darkens less, which suits low-contrast
// flat regions; k = 0 is the plain local mean. radius is clamped to
// [1, MaxRadius].
//
// Unlike AdaptiveMean, the threshold drops in flat regions (s small), so
// smudges on white paper stay white without a tuned offset; in turn, very
// dark and low-contrast images (s ≪ dynRange everywhere) come out mostly
// light. The square root is avoided by comparing squares.
//
// Cost: running sums of v and v² (uint64) and a few float operations per
// pixel, independent of radius.
func Sauvola(dst, src *Plane, radius int, k, dynRange float64) *Plane {
	dst = prepare(dst, src, src.W, src.H)
	if dst.empty() {
		return dst
	}
	if dynRange <= 0 {
		dynRange = 128
	}
	w, h := src.W, src.H
	r := min(max(radius, 1), MaxRadius)
	var colBuf [stackRow]uint32
	var colSqBuf [stackRow]uint64
	col := rowBuf32(colBuf[:], w)
	colSq := rowBuf64(colSqBuf[:], w)
	initColumns(col, colSq, src, r)
	sv := sauvolaRow{col: col, colSq: colSq, r: r, k1: 1 - k, kr2: k * k / (dynRange * dynRange), negK: k < 0}
	for y := 0; y < h; y++ {
		if y > 0 {
			slideColumns(col, colSq, src, y, r)
		}
		sv.rows = min(y+r, h-1) - max(y-r, 0) + 1
		sv.run(dst.Row(y), src.Row(y))
	}
	return dst
}

// sauvolaRow classifies one row of Sauvola from the window column sums.
//
// With n pixels in the window, sum s, sum of squares q, m = s/n and
// σ = √D/n where D = n·q − s², the rule v ≤ m(1 + k(σ/R − 1)) reads
// a ≤ s·(k/R)·√D with a = n²v − n·s·(1−k): no division. A signed square
// removes the root: for k ≥ 0 the pixel is dark when a·|a| ≤ (k/R)²·s²·D
// (always when a ≤ 0), and for k < 0 when −a·|a| ≥ (k/R)²·s²·D (only when
// a ≤ 0). The result comes from the sign bit of the difference, not from a
// branch: the classes of neighbouring pixels are unpredictable for a branch.
type sauvolaRow struct {
	col   []uint32 // column sums over the window rows
	colSq []uint64 // column sums of squares
	r     int      // window radius
	rows  int      // window rows for this row
	k1    float64  // 1 − k
	kr2   float64  // (k/R)²
	negK  bool     // k < 0

	vt      [256]float64 // vt[v] = n²·v for the interior window size
	vtScale float64      // the n² of vt
}

// classify returns 0 (dark) or 255 for pixel v with window size n, sum s
// and sum of squares q.
func (p *sauvolaRow) classify(v byte, n int, s uint32, q uint64) byte {
	fn := float64(n)
	s2 := int64(s) * int64(s)
	dd := float64(int64(n)*int64(q) - s2)
	a := fn * (fn*float64(v) - float64(s)*p.k1)
	if p.negK {
		return negative(-a*math.Abs(a) - p.kr2*float64(s2)*dd)
	}
	return positive(a*math.Abs(a) - p.kr2*float64(s2)*dd)
}

// run classifies row s into d, sliding the window along the row.
func (p *sauvolaRow) run(d, s []byte) {
	w, r := len(s), p.r
	col, colSq := p.col[:w], p.colSq[:w]
	d = d[:w]
	// Window [x−r, x+r] ∩ [0, w−1] for x = 0.
	var sum uint32
	var sq uint64
	for i := range min(r+1, w) {
		sum += col[i]
		sq += colSq[i]
	}
	// Borders (window clipped at the left or right, or both), with the
	// slide guarded.
	edge := func(x0, x1 int) {
		for x := x0; x < x1; x++ {
			n := p.rows * (min(x+r, w-1) - max(x-r, 0) + 1)
			d[x] = p.classify(s[x], n, sum, sq)
			if x+r+1 < w {
				sum += col[x+r+1]
				sq += colSq[x+r+1]
			}
			if x-r >= 0 {
				sum -= col[x-r]
				sq -= colSq[x-r]
			}
		}
	}
	lo := min(r, w)      // first unclipped x
	hi := max(w-r-1, lo) // interior [lo, hi): window unclipped and slid unguarded
	edge(0, lo)
	if hi > lo {
		n := p.rows * (2*r + 1)
		fn := float64(n)
		fn2, nk1, kr2 := fn*fn, fn*p.k1, p.kr2
		if fn2 != p.vtScale {
			for i := range p.vt {
				p.vt[i] = fn2 * float64(i)
			}
			p.vtScale = fn2
		}
		vt := &p.vt
		in, inSq := col[lo+r+1:hi+r+1], colSq[lo+r+1:hi+r+1]
		out, outSq := col[:hi-lo], colSq[:hi-lo]
		ds, ss := d[lo:hi], s[lo:hi]
		ss = ss[:len(ds)]
		in, inSq, out, outSq = in[:len(ds)], inSq[:len(ds)], out[:len(ds)], outSq[:len(ds)]
		if p.negK {
			for i, v := range ss {
				fs := float64(sum)
				fs2 := fs * fs
				dd := fn*float64(int64(sq)) - fs2 // exact while n·q < 2^53
				a := vt[v] - nk1*fs
				ds[i] = negative(-a*math.Abs(a) - kr2*fs2*dd)
				sum += in[i] - out[i]
				sq += inSq[i] - outSq[i]
			}
		} else {
			for i, v := range ss {
				fs := float64(sum)
				fs2 := fs * fs
				dd := fn*float64(int64(sq)) - fs2
				a := vt[v] - nk1*fs
				// light ⇔ (k/R)²·s²·D − a·|a| < 0. The minuend is ≥ +0 and
				// a is never −0 (n²v ≥ +0), so the difference is never −0:
				// its sign bit alone decides.
				ds[i] = byte(int64(math.Float64bits(kr2*fs2*dd-a*math.Abs(a))) >> 63)
				sum += in[i] - out[i]
				sq += inSq[i] - outSq[i]
			}
		}
	}
	edge(hi, w)
}

// rowBuf32 returns n elements of buf, or a new slice when buf is too short.
func rowBuf32(buf []uint32, n int) []uint32 {
	if n <= len(buf) {
		return buf[:n]
	}
	return make([]uint32, n)
}

// rowBuf64 is rowBuf32 for uint64.
func rowBuf64(buf []uint64, n int) []uint64 {
	if n <= len(buf) {
		return buf[:n]
	}
	return make([]uint64, n)
}

// initColumns sets col[x] (and sq[x] when sq is not nil) to the sum (of
// squares) of src's column x over rows [0, r], the clamped window of row 0.
func initColumns(col []uint32, sq []uint64, src *Plane, r int) {
	clear(col)
	clear(sq)
	for y := 0; y <= min(r, src.H-1); y++ {
		addRow(col, sq, src.Row(y))
	}
}

// slideColumns moves the clamped column window from row y−1 to row y.
func slideColumns(col []uint32, sq []uint64, src *Plane, y, r int) {
	in, out := y+r < src.H, y-r-1 >= 0
	switch {
	case in && out:
		swapRow(col, sq, src.Row(y+r), src.Row(y-r-1))
	case in:
		addRow(col, sq, src.Row(y+r))
	case out:
		subRow(col, sq, src.Row(y-r-1))
	}
}

// swapRow adds row a and subtracts row b in one pass (modular arithmetic:
// intermediate wrap-around cancels out).
func swapRow(col []uint32, sq []uint64, a, b []byte) {
	col = col[:len(a)]
	b = b[:len(a)]
	if sq == nil {
		for i, v := range a {
			col[i] += uint32(v) - uint32(b[i])
		}
		return
	}
	sq = sq[:len(a)]
	for i, v := range a {
		u := b[i]
		col[i] += uint32(v) - uint32(u)
		sq[i] += uint64(squares[v]) - uint64(squares[u])
	}
}

// squares[v] is v².
var squares = func() (t [256]uint32) {
	for i := range t {
		t[i] = uint32(i * i)
	}
	return t
}()

func addRow(col []uint32, sq []uint64, row []byte) {
	col = col[:len(row)]
	for i, v := range row {
		col[i] += uint32(v)
	}
	if sq != nil {
		sq = sq[:len(row)]
		for i, v := range row {
			sq[i] += uint64(v) * uint64(v)
		}
	}
}

func subRow(col []uint32, sq []uint64, row []byte) {
	col = col[:len(row)]
	for i, v := range row {
		col[i] -= uint32(v)
	}
	if sq != nil {
		sq = sq[:len(row)]
		for i, v := range row {
			sq[i] -= uint64(v) * uint64(v)
		}
	}
}

// positive returns 255 when f > 0 and 0 otherwise (f ≤ 0), without a branch.
// f must not be NaN.
func positive(f float64) byte {
	// f+0 turns −0 into +0, so the bits of f are > 0 exactly when f > 0.
	return byte(-int64(math.Float64bits(f+0)) >> 63)
}

// negative returns 255 when f < 0 and 0 otherwise, without a branch. f must
// not be NaN.
func negative(f float64) byte {
	return byte(int64(math.Float64bits(f+0)) >> 63)
}
