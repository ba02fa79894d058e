package neural

import (
	"math"
	"runtime"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// spanOverlaps returns, for a src→dst area filter, each output's first
// source pixel and the overlap of each source pixel of its span (areaSpan;
// clamped at 0, not normalised): the references below build their weights
// from it.
func spanOverlaps(src, dst int) (start []int, overlaps [][]float64) {
	for i := 0; i < dst; i++ {
		lo, hi, s, e := areaSpan(i, src, dst)
		var ov []float64
		for j := s; j < e; j++ {
			ov = append(ov, max(min(hi, float64(j+1))-max(lo, float64(j)), 0))
		}
		start, overlaps = append(start, s), append(overlaps, ov)
	}
	return start, overlaps
}

// refFill is the resize as it was before the weight tables were made
// O(dst): one float32 weight per source pixel of each span, summed pixel by
// pixel in float32. TestResizeAccurate holds fill to at least its
// accuracy.
func refFill(dst []float32, p *gray.Plane, sw, sh, pw, ph int) {
	type axis struct {
		start, n, off []int
		wts           []float32
	}
	build := func(src, dst int) axis {
		var a axis
		start, overlaps := spanOverlaps(src, dst)
		for i, ov := range overlaps {
			a.start = append(a.start, start[i])
			a.n = append(a.n, len(ov))
			a.off = append(a.off, len(a.wts))
			var sum float32
			for _, v := range ov {
				a.wts = append(a.wts, float32(v))
				sum += float32(v)
			}
			for j := a.off[i]; j < len(a.wts); j++ {
				a.wts[j] /= sum
			}
		}
		return a
	}
	xs, ys := build(p.W, sw), build(p.H, sh)
	const inv = 1.0 / 255
	for y := 0; y < sh; y++ {
		out := dst[y*pw : y*pw+pw]
		for x := range out[:sw] {
			out[x] = 0
		}
		for j := 0; j < ys.n[y]; j++ {
			wy := ys.wts[ys.off[y]+j] * inv
			src := p.Row(ys.start[y] + j)
			for x := 0; x < sw; x++ {
				var s float32
				for i, wx := range xs.wts[xs.off[x] : xs.off[x]+xs.n[x]] {
					s += wx * float32(src[xs.start[x]+i])
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

// exactFill is the area filter in float64: the exact value each output
// should approximate, from the spans and overlaps of spanOverlaps.
func exactFill(p *gray.Plane, sw, sh int) []float64 {
	weights := func(src, dst int) ([]int, [][]float64) {
		start, wts := spanOverlaps(src, dst)
		for _, w := range wts {
			sum := 0.0
			for _, v := range w {
				sum += v
			}
			for j := range w {
				w[j] /= sum
			}
		}
		return start, wts
	}
	xs, xw := weights(p.W, sw)
	ys, yw := weights(p.H, sh)
	out := make([]float64, sw*sh)
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			v := 0.0
			for j, wy := range yw[y] {
				row := p.Row(ys[y] + j)
				for i, wx := range xw[x] {
					v += wy * wx * float64(row[xs[x]+i])
				}
			}
			out[y*sw+x] = v / 255
		}
	}
	return out
}

// TestResizeAccurate: fill (inner pixels of a span summed as integers)
// stays within 1e-6 of the exact area filter and as close to it as the
// per-pixel float32 sum it replaced (refFill, to 1e-7: both errors are
// 1–3e-7), and replicates the last column and row into the padding.
func TestResizeAccurate(t *testing.T) {
	for _, tc := range []struct{ w, h, long int }{
		{640, 480, 320}, {4000, 3000, 640}, {333, 777, 320}, {100, 60, 320}, // down, odd, up
		{21, 21, 320}, {5000, 1, 640}, {1, 5000, 640}, {2100, 21, 640}, {997, 13, 64},
		// spans over resizeChunk columns (inner rows summed one by one),
		// over laneRows inner rows (lanes widened more than once)
		{50000, 30, 8}, {45, 6000, 8},
	} {
		p := gray.New(tc.w, tc.h)
		for i := range p.Pix {
			p.Pix[i] = byte(i*131 + i/tc.w*17)
		}
		sw, sh, pw, ph, _ := inputSize(tc.w, tc.h, tc.long)
		got, old := make([]float32, pw*ph), make([]float32, pw*ph)
		var r resizer
		r.fill(got, p, sw, sh, pw, ph)
		refFill(old, p, sw, sh, pw, ph)
		exact := exactFill(p, sw, sh)
		var worst, worstOld float64
		for y := 0; y < sh; y++ {
			for x := 0; x < sw; x++ {
				e := exact[y*sw+x]
				worst = math.Max(worst, math.Abs(float64(got[y*pw+x])-e))
				worstOld = math.Max(worstOld, math.Abs(float64(old[y*pw+x])-e))
			}
		}
		if worst > 1e-6 || worst > worstOld+1e-7 {
			t.Errorf("%dx%d→%dx%d: error %.2g (per-pixel float32 sum: %.2g)", tc.w, tc.h, sw, sh, worst, worstOld)
		}
		for y := 0; y < ph; y++ {
			for x := 0; x < pw; x++ {
				want := got[min(y, sh-1)*pw+min(x, sw-1)]
				if got[y*pw+x] != want {
					t.Fatalf("%dx%d: padding (%d,%d) = %v, want %v", tc.w, tc.h, x, y, got[y*pw+x], want)
				}
			}
		}
	}
}

// TestResizeExtremeAspectIsCheap resizes a 5,000,000×1 plane (issue #17:
// the neural tier took 983 MB for a 49,999,999×1 PNG): the weight tables
// are now O(output), so the bytes allocated beyond the plane and the input
// tensor stay under 64 KB (the per-pixel tables took 20 MB here).
func TestResizeExtremeAspectIsCheap(t *testing.T) {
	const w = 5_000_000
	p := gray.New(w, 1)
	sw, sh, pw, ph, _ := inputSize(w, 1, 640)
	dst := make([]float32, pw*ph)
	var r resizer
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	r.fill(dst, p, sw, sh, pw, ph)
	runtime.ReadMemStats(&m1)
	if got := m1.TotalAlloc - m0.TotalAlloc; got > 64<<10 {
		t.Errorf("resize of %d×1 allocated %d bytes", w, got)
	}
}
