package neural

import (
	"encoding/binary"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// resizer converts a gray plane into the network input: scaled by an area
// (box) filter so that its long side becomes the input size, values in
// [0, 1], padded by edge replication up to multiples of netAlign. The weight
// tables and the column sums are kept between calls.
//
// An output's span of source rows weighs its first and last rows by their
// overlap and every row between them the same, so those inner rows are
// summed first, as integers, eight columns at a time (SWAR: even and odd
// bytes of a uint64 in 16-bit lanes, up to laneRows rows before widening),
// and the output row is three weighted horizontal sums (first row, inner
// sums, last row) instead of one per source row: about a third of the
// per-pixel float sums' time on a 12 MP photo (BenchmarkResize4K), and
// exact where they rounded at every pixel (TestResizeAccurate). Columns
// are summed in chunks of at most resizeChunk, so the buffers do not grow
// with the plane.
type resizer struct {
	xs, ys axisWeights
	lanes  []uint64 // inner-row sums of a chunk, 2 words per 8 columns
	sums   []uint32 // the same per column, widened
}

const (
	// resizeChunk is the most source columns summed at a time.
	resizeChunk = 4096
	// laneRows is the most rows summed in 16-bit lanes (255·257 < 2^16).
	laneRows = 257
)

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
	for i := 0; i < dst; i++ {
		lo, hi, s, e := areaSpan(i, src, dst)
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

// areaSpan returns the source interval [lo, hi) that output i of a
// src→dst area filter covers and the source pixels [s, e) it touches (at
// least one).
func areaSpan(i, src, dst int) (lo, hi float64, s, e int) {
	scale := float64(src) / float64(dst)
	lo, hi = float64(i)*scale, float64(i+1)*scale
	s = int(lo)
	e = min(int(hi+0.999999), src)
	if e <= s {
		e = s + 1
	}
	return lo, hi, s, e
}

// spanDot returns the weighted sum of output i of a over src, pixels or
// column sums (the span of i starts at src[0]). The inner values, which
// weigh the same, are summed as integers and weighted once: exact where a
// per-pixel float sum rounds at every pixel, and no float conversion,
// multiply and dependent add per value. 64 bits hold the sum of any plane.
func spanDot[T uint8 | uint32](a *axisWeights, i int, src []T) float32 {
	n := a.n[i]
	s := a.first[i] * float32(src[0])
	if n == 1 {
		return s
	}
	var in uint64
	for _, v := range src[1 : n-1] {
		in += uint64(v)
	}
	return s + a.inner[i]*float32(in) + a.last[i]*float32(src[n-1])
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
	const inv = 1.0 / 255
	for y := 0; y < sh; y++ {
		out := dst[y*pw : y*pw+pw]
		ys, yn := r.ys.start[y], r.ys.n[y]
		if yn <= 2 {
			// no inner rows: each row weighted on its own
			for x := range out[:sw] {
				out[x] = 0
			}
			for j := 0; j < yn; j++ {
				wy := r.ys.weight(y, j) * inv
				src := p.Row(ys + j)
				for x := 0; x < sw; x++ {
					out[x] += wy * spanDot(&r.xs, x, src[r.xs.start[x]:])
				}
			}
		} else {
			r.innerRow(out[:sw], p, y)
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

// innerRow writes output row y, whose span has inner rows, into out: per
// chunk of outputs whose source columns fit resizeChunk, the inner rows'
// column sums, then each output from its first row, the sums and its last
// row. An output wider than a chunk (a plane over resizeChunk·sw pixels
// wide) sums its inner rows one by one.
func (r *resizer) innerRow(out []float32, p *gray.Plane, y int) {
	const inv = 1.0 / 255
	ys, yn := r.ys.start[y], r.ys.n[y]
	fy, iy, ly := r.ys.first[y]*inv, r.ys.inner[y]*inv, r.ys.last[y]*inv
	top, bot := p.Row(ys), p.Row(ys+yn-1)
	xs := &r.xs
	for x0 := 0; x0 < len(out); {
		c0 := xs.start[x0]
		x1 := x0 + 1
		for x1 < len(out) && xs.start[x1]+xs.n[x1]-c0 <= resizeChunk {
			x1++
		}
		c1 := xs.start[x1-1] + xs.n[x1-1]
		if c1-c0 > resizeChunk {
			var in float32
			for j := 1; j < yn-1; j++ {
				in += spanDot(xs, x0, p.Row(ys + j)[c0:])
			}
			out[x0] = fy*spanDot(xs, x0, top[c0:]) + iy*in + ly*spanDot(xs, x0, bot[c0:])
			x0 = x1
			continue
		}
		sums := r.columnSums(p, ys+1, ys+yn-1, c0, c1)
		for x := x0; x < x1; x++ {
			s := xs.start[x]
			out[x] = fy*spanDot(xs, x, top[s:]) + iy*spanDot(xs, x, sums[s-c0:]) + ly*spanDot(xs, x, bot[s:])
		}
		x0 = x1
	}
}

// columnSums returns the sums of rows [y0, y1) of p over columns [c0, c1)
// (c1−c0 ≤ resizeChunk), eight columns at a time in 16-bit lanes.
func (r *resizer) columnSums(p *gray.Plane, y0, y1, c0, c1 int) []uint32 {
	if r.sums == nil {
		r.sums = make([]uint32, resizeChunk)
		r.lanes = make([]uint64, resizeChunk/4)
	}
	n := c1 - c0
	sums := r.sums[:n]
	clear(sums)
	words := n / 8
	lanes := r.lanes[:2*words]
	for b := y0; b < y1; b += laneRows {
		clear(lanes)
		for yy := b; yy < min(b+laneRows, y1); yy++ {
			row := p.Row(yy)[c0:c1]
			for k := 0; k < words; k++ {
				w := binary.LittleEndian.Uint64(row[8*k:])
				lanes[2*k] += w & evenBytes
				lanes[2*k+1] += w >> 8 & evenBytes
			}
			for i := 8 * words; i < n; i++ {
				sums[i] += uint32(row[i])
			}
		}
		for k := 0; k < words; k++ {
			e, o := lanes[2*k], lanes[2*k+1]
			s := sums[8*k : 8*k+8 : 8*k+8]
			for i := 0; i < 4; i++ {
				s[2*i] += uint32(e >> (16 * i) & 0xFFFF)
				s[2*i+1] += uint32(o >> (16 * i) & 0xFFFF)
			}
		}
	}
	return sums
}

// evenBytes masks the low byte of each 16-bit lane.
const evenBytes = 0x00FF00FF00FF00FF
