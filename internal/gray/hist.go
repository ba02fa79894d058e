package gray

import "math"

// Histogram returns the number of pixels of src at each gray level.
//
// Cost: one pass over the pixels. Four sub-histograms are filled in turn so
// that runs of equal pixels (flat paper, the usual case on invoices) do not
// serialise on one counter.
func Histogram(src *Plane) [256]uint32 {
	var h0, h1, h2, h3 [256]uint32
	for y := 0; y < src.H; y++ {
		row := src.Row(y)
		i := 0
		for ; i+4 <= len(row); i += 4 {
			h0[row[i]]++
			h1[row[i+1]]++
			h2[row[i+2]]++
			h3[row[i+3]]++
		}
		for ; i < len(row); i++ {
			h0[row[i]]++
		}
	}
	for i := range h0 {
		h0[i] += h1[i] + h2[i] + h3[i]
	}
	return h0
}

// Equalize applies global histogram equalisation: level v becomes
// round(255·(cdf(v)−cdf_min)/(n−cdf_min)), where cdf(v) counts the pixels ≤ v
// and cdf_min is the count of the darkest level present, so the darkest level
// maps to 0 and the brightest to 255 and the output histogram is as flat as a
// monotone remapping allows. A plane with a single level is copied unchanged.
//
// Weak spot: a large flat background (white paper) takes most of the output
// range; a small code on it gains little contrast. Stretch or the adaptive
// thresholds do better there. Works in place when dst == src.
//
// Cost: Histogram plus one table lookup per pixel.
func Equalize(dst, src *Plane) *Plane {
	h := Histogram(src)
	return EqualizeHist(dst, src, &h)
}

// EqualizeHist is Equalize with src's histogram h (Histogram) already
// counted, for a caller that needs it for something else too.
func EqualizeHist(dst, src *Plane, h *[256]uint32) *Plane {
	lut := equalizeLUT(h)
	return ApplyLUT(dst, src, &lut)
}

// equalizeLUT builds the equalisation table for histogram h.
func equalizeLUT(h *[256]uint32) [256]byte {
	var lut [256]byte
	var n, cdfMin uint64
	for _, c := range h {
		if c != 0 && cdfMin == 0 {
			cdfMin = uint64(c)
		}
		n += uint64(c)
	}
	if n == cdfMin { // empty or a single level: identity
		for i := range lut {
			lut[i] = byte(i)
		}
		return lut
	}
	den := n - cdfMin
	var cdf uint64
	for v, c := range h {
		cdf += uint64(c)
		if cdf < cdfMin {
			continue // below the darkest level present: never looked up
		}
		lut[v] = byte(((cdf-cdfMin)*510 + den) / (2 * den))
	}
	return lut
}

// Stretch normalises contrast by percentiles: the lowPct-th percentile level
// lo maps to 0, the highPct-th percentile level hi maps to 255, levels in
// between are scaled linearly (rounded) and levels outside are clipped.
// Percentiles are in [0, 100] (clamped; swapped if lowPct > highPct) and are
// taken on the sorted pixels s[0..n-1] as lo = s[⌊lowPct/100·(n−1)⌋] and
// hi = s[n−1−⌊(100−highPct)/100·(n−1)⌋]; Stretch(dst, src, 0, 100) maps the
// darkest pixel to 0 and the brightest to 255. When hi ≤ lo the plane is
// copied unchanged. Works in place when dst == src.
//
// Cost: Histogram plus one table lookup per pixel.
func Stretch(dst, src *Plane, lowPct, highPct float64) *Plane {
	h := Histogram(src)
	lo, hi := percentileLevels(&h, lowPct, highPct)
	var lut [256]byte
	if hi <= lo {
		for i := range lut {
			lut[i] = byte(i)
		}
		return ApplyLUT(dst, src, &lut)
	}
	span := hi - lo
	for v := range lut {
		switch {
		case v <= lo:
			lut[v] = 0
		case v >= hi:
			lut[v] = 255
		default:
			lut[v] = byte(((v-lo)*510 + span) / (2 * span))
		}
	}
	return ApplyLUT(dst, src, &lut)
}

// percentileLevels returns the levels at the two percentiles described in
// Stretch.
func percentileLevels(h *[256]uint32, lowPct, highPct float64) (lo, hi int) {
	var n uint64
	for _, c := range h {
		n += uint64(c)
	}
	if n == 0 {
		return 0, 0
	}
	lowPct = math.Max(0, math.Min(100, lowPct))
	highPct = math.Max(0, math.Min(100, highPct))
	if lowPct > highPct {
		lowPct, highPct = highPct, lowPct
	}
	last := float64(n - 1)
	kLo := uint64(lowPct / 100 * last)
	kHi := n - 1 - uint64((100-highPct)/100*last)
	return levelOfRank(h, kLo), levelOfRank(h, kHi)
}

// levelOfRank returns s[k] for the sorted pixels described by h: the
// smallest level whose cumulative count exceeds k.
func levelOfRank(h *[256]uint32, k uint64) int {
	var cdf uint64
	for v, c := range h {
		cdf += uint64(c)
		if cdf > k {
			return v
		}
	}
	return 255
}

// MeanStd returns the mean and the population standard deviation of the
// pixels of src (0, 0 for an empty plane). Cost: Histogram.
func MeanStd(src *Plane) (mean, std float64) {
	h := Histogram(src)
	var n, s, s2 uint64
	for v, c := range h {
		n += uint64(c)
		s += uint64(c) * uint64(v)
		s2 += uint64(c) * uint64(v) * uint64(v)
	}
	if n == 0 {
		return 0, 0
	}
	fn := float64(n)
	mean = float64(s) / fn
	variance := float64(s2)/fn - mean*mean
	if variance < 0 { // rounding on a constant plane
		variance = 0
	}
	return mean, math.Sqrt(variance)
}

// MinMax returns the darkest and the brightest pixel of src (0, 0 for an
// empty plane). Cost: one pass over the pixels, eight at a time.
func MinMax(src *Plane) (lo, hi byte) {
	if src.empty() {
		return 0, 0
	}
	lo, hi = 255, 0
	lo8, hi8 := ^uint64(0), uint64(0) // bytewise running minimum and maximum
	for y := 0; y < src.H; y++ {
		row := src.Row(y)
		i := 0
		for ; i+8 <= len(row); i += 8 {
			x := load64(row[i:])
			lo8, hi8 = minBytes(lo8, x), maxBytes(hi8, x)
		}
		for _, v := range row[i:] {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for i := 0; i < 64; i += 8 {
		lo, hi = min(lo, byte(lo8>>i)), max(hi, byte(hi8>>i))
	}
	return lo, hi
}
