package neural

import (
	"math"
	"runtime"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// refFill is the resize as it was before the weight tables were made
// O(dst): one float32 weight per source pixel of each span. TestResizeBitIdentical
// holds the compact tables to its output, bit for bit.
func refFill(dst []float32, p *gray.Plane, sw, sh, pw, ph int) {
	type axis struct {
		start, n, off []int
		wts           []float32
	}
	build := func(src, dst int) axis {
		var a axis
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

func TestResizeBitIdentical(t *testing.T) {
	for _, tc := range []struct{ w, h, long int }{
		{640, 480, 320}, {4000, 3000, 640}, {333, 777, 320}, {100, 60, 320}, // down, odd, up
		{21, 21, 320}, {5000, 1, 640}, {1, 5000, 640}, {2100, 21, 640}, {997, 13, 64},
	} {
		p := gray.New(tc.w, tc.h)
		for i := range p.Pix {
			p.Pix[i] = byte(i*131 + i/tc.w*17)
		}
		sw, sh, pw, ph, _ := inputSize(tc.w, tc.h, tc.long)
		got, want := make([]float32, pw*ph), make([]float32, pw*ph)
		var r resizer
		r.fill(got, p, sw, sh, pw, ph)
		refFill(want, p, sw, sh, pw, ph)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%dx%d→%dx%d: value %d = %v, want %v", tc.w, tc.h, sw, sh, i, got[i], want[i])
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
