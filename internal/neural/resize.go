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

// axisWeights holds, for each output index, the source span and its weights.
type axisWeights struct {
	start []int
	n     []int
	wts   []float32 // concatenated, n[i] per output
	off   []int
}

// build fills a for a src→dst resampling by the area filter: output i covers
// the source interval [i·src/dst, (i+1)·src/dst) and each source pixel weighs
// by its overlap. For upscaling this degrades gracefully to linear weights
// over at most two pixels.
func (a *axisWeights) build(src, dst int) {
	a.start, a.n, a.off, a.wts = a.start[:0], a.n[:0], a.off[:0], a.wts[:0]
	scale := float64(src) / float64(dst)
	for i := 0; i < dst; i++ {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		s := int(lo)
		e := min(int(hi+0.999999), src)
		if e <= s {
			e = s + 1
		}
		a.start = append(a.start, s)
		a.n = append(a.n, e-s)
		a.off = append(a.off, len(a.wts))
		var sum float32
		for j := s; j < e; j++ {
			w := float32(min(hi, float64(j+1)) - max(lo, float64(j)))
			if w < 0 {
				w = 0
			}
			a.wts = append(a.wts, w)
			sum += w
		}
		for j := a.off[i]; j < len(a.wts); j++ {
			a.wts[j] /= sum
		}
	}
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
		ys, yn, yo := r.ys.start[y], r.ys.n[y], r.ys.off[y]
		for j := 0; j < yn; j++ {
			wy := r.ys.wts[yo+j] * inv
			src := p.Row(ys + j)
			for x := 0; x < sw; x++ {
				xs, xn, xo := r.xs.start[x], r.xs.n[x], r.xs.off[x]
				var s float32
				for i, wx := range r.xs.wts[xo : xo+xn] {
					s += wx * float32(src[xs+i])
				}
				out[x] += wy * s
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
