package gray

// Binarisation. Every threshold here writes 0 for pixels classified dark
// (candidate dark modules) and 255 for light ones, so the output of any of
// them can go straight to a reader that samples dark modules as 0.
//
// Global thresholds (OtsuLevel + Threshold) are cheap and exact on evenly lit
// scans, but one shadow or glare spot across a symbol breaks them. The local
// thresholds compare each pixel with statistics of the (2r+1)×(2r+1) window
// around it, clamped to the plane at the borders (the window shrinks, it is
// not padded). The window sums come from running column sums plus a per-row
// prefix sum: the same box sums an integral image gives, with O(W) scratch
// instead of an O(W·H) table, and no allocation for planes up to 4096 wide.
// Choose the radius near the size of a few modules: much smaller and the
// inside of a large dark module turns light; much larger and the threshold
// stops following the lighting.

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
// place when dst == src. Cost: one compare per pixel, branch-free.
func Threshold(dst, src *Plane, level uint8) *Plane {
	dst = prepareInPlace(dst, src)
	l := int32(level)
	for y := 0; y < dst.H; y++ {
		s, d := src.Row(y), dst.Row(y)
		d = d[:len(s)]
		for i, v := range s {
			// l−v < 0 exactly when v > level; the sign bit spreads to 0xFF.
			d[i] = byte((l - int32(v)) >> 31)
		}
	}
	return dst
}

// AdaptiveMean thresholds each pixel against the mean of its
// (2·radius+1)² window (clamped at the borders): a pixel is dark (0) when
// v ≤ mean − offset, tested in integers as (v+offset)·area ≤ sum. A positive
// offset keeps flat regions light (noise in white paper stays white); 5–10 is
// usual. radius < 1 is treated as 1. dst must not alias src.
//
// Cost: about five integer operations per pixel, independent of radius.
func AdaptiveMean(dst, src *Plane, radius, offset int) *Plane {
	dst = prepare(dst, src.W, src.H)
	if dst.empty() {
		return dst
	}
	w, h := src.W, src.H
	r := max(radius, 1)
	var colBuf, preBuf [stackRow + 1]uint32
	col := rowBuf32(colBuf[:], w)
	pre := rowBuf32(preBuf[:], w+1)
	initColumns(col, nil, src, r)
	off := int64(offset)
	for y := 0; y < h; y++ {
		if y > 0 {
			slideColumns(col, nil, src, y, r)
		}
		prefix32(pre, col)
		rows := int64(min(y+r, h-1) - max(y-r, 0) + 1)
		s, d := src.Row(y), dst.Row(y)
		meanSpan(d, s, pre, 0, min(r, w), r, rows, off)
		if r < w-r {
			// Interior: the window never touches the left or right border.
			area := rows * int64(2*r+1)
			dm := d[r : w-r]
			sm := s[r : w-r]
			lo := pre[:w-2*r]
			hi := pre[2*r+1:]
			hi = hi[:len(lo)]
			sm = sm[:len(lo)]
			dm = dm[:len(lo)]
			for i, v := range sm {
				sum := int64(hi[i] - lo[i]) // mod 2^32: exact for window sums < 2^32
				dm[i] = byte((sum - (int64(v)+off)*area) >> 63)
			}
		}
		meanSpan(d, s, pre, max(w-r, r), w, r, rows, off)
	}
	return dst
}

// meanSpan is AdaptiveMean's pixel test for x in [x0, x1), with the window
// clamped to the row.
func meanSpan(d, s []byte, pre []uint32, x0, x1, r int, rows, off int64) {
	w := len(s)
	for x := x0; x < x1; x++ {
		a, b := max(x-r, 0), min(x+r+1, w)
		sum := int64(pre[b] - pre[a])
		area := rows * int64(b-a)
		d[x] = byte((sum - (int64(s[x])+off)*area) >> 63)
	}
}

// Sauvola thresholds each pixel with the rule of Sauvola & Pietikäinen
// (2000), "Adaptive document image binarization": over the (2·radius+1)²
// window (clamped at the borders) with mean m and standard deviation s, the
// pixel is dark (0) when v ≤ m·(1 + k·(s/dynRange − 1)). dynRange is the
// dynamic range of s; 0 means 128 (the paper's value for 8-bit images).
// k is usually 0.2–0.5: larger k darkens less, which suits low-contrast
// flat regions; k = 0 is the plain local mean. radius < 1 is treated as 1.
// dst must not alias src.
//
// Unlike AdaptiveMean, the threshold drops in flat regions (s small), so
// smudges on white paper stay white without a tuned offset; in turn, very
// dark and low-contrast images (s ≪ dynRange everywhere) come out mostly
// light. The square root is avoided by comparing squares.
//
// Cost: running sums of v and v² (uint64) and a few float operations per
// pixel, independent of radius.
func Sauvola(dst, src *Plane, radius int, k, dynRange float64) *Plane {
	dst = prepare(dst, src.W, src.H)
	if dst.empty() {
		return dst
	}
	if dynRange <= 0 {
		dynRange = 128
	}
	w, h := src.W, src.H
	r := max(radius, 1)
	var colBuf, preBuf [stackRow + 1]uint32
	var colSqBuf, preSqBuf [stackRow + 1]uint64
	col := rowBuf32(colBuf[:], w)
	pre := rowBuf32(preBuf[:], w+1)
	colSq := rowBuf64(colSqBuf[:], w)
	preSq := rowBuf64(preSqBuf[:], w+1)
	initColumns(col, colSq, src, r)
	p := sauvolaParams{k: k, kr: k / dynRange}
	for y := 0; y < h; y++ {
		if y > 0 {
			slideColumns(col, colSq, src, y, r)
		}
		prefix32(pre, col)
		prefix64(preSq, colSq)
		rows := min(y+r, h-1) - max(y-r, 0) + 1
		s, d := src.Row(y), dst.Row(y)
		for x := range w {
			a, b := max(x-r, 0), min(x+r+1, w)
			d[x] = p.classify(s[x], pre[b]-pre[a], preSq[b]-preSq[a], rows*(b-a))
		}
	}
	return dst
}

// sauvolaParams holds Sauvola's constants.
type sauvolaParams struct {
	k  float64 // Sauvola's k
	kr float64 // k / dynRange
}

// classify returns 0 (dark) or 255 for pixel v whose window of area n has sum
// s and sum of squares s2.
func (p sauvolaParams) classify(v byte, s uint32, s2 uint64, n int) byte {
	fn := float64(n)
	m := float64(s) / fn
	variance := float64(s2)/fn - m*m
	// v ≤ m(1 + k(σ/R − 1))  ⇔  a ≤ c·σ with a = v − m(1−k), c = m·k/R.
	a := float64(v) - m*(1-p.k)
	c := m * p.kr
	var dark bool
	if c >= 0 {
		dark = a <= 0 || (variance > 0 && a*a <= c*c*variance)
	} else {
		dark = a <= 0 && a*a >= c*c*max(variance, 0)
	}
	if dark {
		return 0
	}
	return 255
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
	if y+r < src.H {
		addRow(col, sq, src.Row(y+r))
	}
	if y-r-1 >= 0 {
		subRow(col, sq, src.Row(y-r-1))
	}
}

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

// prefix32 sets pre[i] = col[0] + … + col[i−1] (mod 2^32; len(pre) = len(col)+1).
func prefix32(pre, col []uint32) {
	var s uint32
	pre[0] = 0
	pre = pre[1:]
	pre = pre[:len(col)]
	for i, c := range col {
		s += c
		pre[i] = s
	}
}

// prefix64 is prefix32 for uint64.
func prefix64(pre, col []uint64) {
	var s uint64
	pre[0] = 0
	pre = pre[1:]
	pre = pre[:len(col)]
	for i, c := range col {
		s += c
		pre[i] = s
	}
}
