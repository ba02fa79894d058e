package neural

import "github.com/qrcascade/qrcascade/internal/gray"

// resizer converts a gray plane into the network input: scaled by an area
// (box) filter so that its long side becomes the input size, values in
// [0, 1], padded by edge replication up to multiples of netAlign. The weight
// tables and the row buffer are kept between calls.
type resizer struct {
	xs, ys axisWeights
	row    []float32
}

// axisWeights holds, for each output index, the source span and its
// weights. Only the two ends of a span have fractional weights, every
// source pixel inside it weighs the same, so three weights per output are
// kept instead of one per source pixel: the tables are O(dst), not
// O(src + dst), and a 49,999,999-pixel-wide plane (issue #17) no longer
// costs 200 MB of float32 weights. The weights and the order of the sums
// are those of the per-pixel tables they replace, so the output is
// bit-identical.
type axisWeights struct {
	start []int
	n     []int
	// first, inner and last weight of each span (normalised); for n == 1
	// only first is used.
	first, inner, last []float32
}

// build fills a for a src→dst resampling by the area filter: output i covers
// the source interval [i·src/dst, (i+1)·src/dst) and each source pixel weighs
// by its overlap. For upscaling this degrades gracefully to linear weights
// over at most two pixels.
func (a *axisWeights) build(src, dst int) {
	a.start, a.n = a.start[:0], a.n[:0]
	a.first, a.inner, a.last = a.first[:0], a.inner[:0], a.last[:0]
	scale := float64(src) / float64(dst)
	for i := 0; i < dst; i++ {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		s := int(lo)
		e := min(int(hi+0.999999), src)
		if e <= s {
			e = s + 1
		}
		weight := func(j int) float32 {
			w := float32(min(hi, float64(j+1)) - max(lo, float64(j)))
			if w < 0 {
				w = 0
			}
			return w
		}
		// The sum in the order the per-pixel tables added it; every
		// weight strictly inside the span is 1.
		var sum float32
		for j := s; j < e; j++ {
			if j == s || j == e-1 {
				sum += weight(j)
			} else {
				sum++
			}
		}
		a.start = append(a.start, s)
		a.n = append(a.n, e-s)
		a.first = append(a.first, weight(s)/sum)
		a.inner = append(a.inner, 1/sum)
		a.last = append(a.last, weight(e-1)/sum)
	}
}

// dot returns the weighted sum of output i over src (the span of i starts
// at src[0]), adding in source order.
func (a *axisWeights) dot(i int, src []byte) float32 {
	n := a.n[i]
	s := a.first[i] * float32(src[0])
	if n == 1 {
		return s
	}
	w := a.inner[i]
	for _, v := range src[1 : n-1] {
		s += w * float32(v)
	}
	return s + a.last[i]*float32(src[n-1])
}

// weight returns the weight of the j-th source pixel of output i's span.
func (a *axisWeights) weight(i, j int) float32 {
	switch {
	case j == 0:
		return a.first[i]
	case j == a.n[i]-1:
		return a.last[i]
	}
	return a.inner[i]
}

// inputSize returns the network input size for a w×h plane and long side L:
// the scaled size (sw, sh) and the padded size (pw, ph).
func inputSize(w, h, long int) (sw, sh, pw, ph int, scale float64) {
	scale = float64(long) / float64(max(w, h))
	sw = max(1, int(float64(w)*scale+0.5))
	sh = max(1, int(float64(h)*scale+0.5))
	pw = (sw + netAlign - 1) / netAlign * netAlign
	ph = (sh + netAlign - 1) / netAlign * netAlign
	return
}

// fill writes p, resized to sw×sh, into dst (pw×ph), replicating the last
// column and row into the padding.
func (r *resizer) fill(dst []float32, p *gray.Plane, sw, sh, pw, ph int) {
	r.xs.build(p.W, sw)
	r.ys.build(p.H, sh)
	if cap(r.row) < sw {
		r.row = make([]float32, sw)
	}
	const inv = 1.0 / 255
	for y := 0; y < sh; y++ {
		out := dst[y*pw : y*pw+pw]
		for x := range out[:sw] {
			out[x] = 0
		}
		ys, yn := r.ys.start[y], r.ys.n[y]
		for j := 0; j < yn; j++ {
			wy := r.ys.weight(y, j) * inv
			src := p.Row(ys + j)
			for x := 0; x < sw; x++ {
				out[x] += wy * r.xs.dot(x, src[r.xs.start[x]:])
			}
		}
		v := out[sw-1]
		for x := sw; x < pw; x++ {
			out[x] = v
		}
	}
	last := dst[(sh-1)*pw : sh*pw]
	for y := sh; y < ph; y++ {
		copy(dst[y*pw:(y+1)*pw], last)
	}
}
