package neural

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refConv is a slow, obviously correct convolution (zero padding
// dil*(k-1)/2, groups 1 or c) used as the reference for every kernel.
func refConv(in, w, b []float32, cin, cout, ih, iw, k, stride, dil, groups int, relu bool) ([]float32, int, int) {
	oh, ow := (ih+stride-1)/stride, (iw+stride-1)/stride
	pad := dil * (k - 1) / 2
	out := make([]float32, cout*oh*ow)
	per := cin / groups
	for co := 0; co < cout; co++ {
		g := co / (cout / groups)
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				s := float64(b[co])
				for cj := 0; cj < per; cj++ {
					ci := g*per + cj
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := y*stride-pad+ky*dil, x*stride-pad+kx*dil
							if iy < 0 || iy >= ih || ix < 0 || ix >= iw {
								continue
							}
							s += float64(w[((co*per+cj)*k+ky)*k+kx]) * float64(in[(ci*ih+iy)*iw+ix])
						}
					}
				}
				if relu && s < 0 {
					s = 0
				}
				out[(co*oh+y)*ow+x] = float32(s)
			}
		}
	}
	return out, oh, ow
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

const kernelTol = 1e-4

// withResidual returns relu(conv + res), computed in float64 from the
// reference output without ReLU.
func withResidual(conv, res []float32, relu bool) []float32 {
	out := make([]float32, len(conv))
	for i, v := range conv {
		s := float64(v)
		if res != nil {
			s += float64(res[i])
		}
		if relu && s < 0 {
			s = 0
		}
		out[i] = float32(s)
	}
	return out
}

func TestPointwise(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ cin, cout, h, w int }{
		{1, 1, 1, 1}, {3, 4, 2, 3}, {5, 7, 3, 5}, {16, 9, 17, 33}, {24, 48, 23, 29}, {8, 4, 40, 40},
		{4, 4, 1, 16}, {4, 8, 1, 17}, {6, 5, 1, 33}, {7, 12, 5, 11}, {2, 3, 1, 15},
		// fewer than four output channels, or a remainder, over whole 16-pixel blocks
		{5, 2, 4, 9}, {3, 1, 2, 16}, {32, 10, 8, 8}, {9, 6, 2, 24},
	} {
		for _, withRes := range []bool{false, true} {
			t.Run(fmt.Sprintf("%dto%d_%dx%d_res%v", tc.cin, tc.cout, tc.h, tc.w, withRes), func(t *testing.T) {
				for _, relu := range []bool{false, true} {
					hw := tc.h * tc.w
					in := randSlice(r, tc.cin*hw)
					w, b := randSlice(r, tc.cout*tc.cin), randSlice(r, tc.cout)
					var res []float32
					if withRes {
						res = randSlice(r, tc.cout*hw)
					}
					conv, _, _ := refConv(in, w, b, tc.cin, tc.cout, tc.h, tc.w, 1, 1, 1, 1, false)
					want := withResidual(conv, res, relu)
					// Both implementations: the portable one, and pointwise, which
					// takes the SIMD kernel when this build and CPU have it.
					for _, impl := range []struct {
						name string
						f    func(out []float32)
					}{
						{"scalar", func(out []float32) { pointwiseScalar(out, in, w, b, res, tc.cin, tc.cout, hw, 0, relu) }},
						{fmt.Sprintf("dispatch(simd=%v)", haveSIMD), func(out []float32) {
							pointwise(out, in, w, b, res, poisoned(pointwiseScratch(tc.cin)), tc.cin, tc.cout, hw, relu)
						}},
					} {
						got := make([]float32, len(want)+3)
						got[len(want)], got[len(want)+1], got[len(want)+2] = 7, 7, 7
						impl.f(got[:len(want)])
						if d := maxAbsDiff(got[:len(want)], want); d > kernelTol {
							t.Errorf("%s relu=%v: max diff %.3g", impl.name, relu, d)
						}
						if got[len(want)] != 7 || got[len(want)+2] != 7 {
							t.Errorf("%s wrote past the output", impl.name)
						}
					}
				}
			})
		}
	}
}

// depthwiseScalarOnly is depthwise3x3 with the portable plane kernel even
// in SIMD builds, so that both kernels are checked against the reference.
func depthwiseScalarOnly(out, in, w, bias []float32, c, ih, iw, oh, ow, stride, d int, relu bool) {
	tp := newTaps3x3(ih, iw, stride, d)
	plane := make([]float32, conv3x3Scratch(ih, iw, d))
	for ch := 0; ch < c; ch++ {
		tp.fill(plane, in[ch*ih*iw:(ch+1)*ih*iw], ih, iw)
		conv3x3PlaneScalar(out[ch*oh*ow:(ch+1)*oh*ow], plane, w[ch*9:ch*9+9], bias[ch], &tp, oh, ow, relu)
	}
}

// poisoned returns a scratch buffer of n values that are not zero, so a
// kernel that relies on stale padding fails.
func poisoned(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 1e3
	}
	return s
}

func TestDepthwise3x3(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ c, h, w, stride, dil int }{
		{1, 1, 1, 1, 1}, {1, 1, 1, 2, 1}, {2, 2, 2, 1, 2}, {3, 5, 7, 1, 1}, {3, 5, 7, 2, 1},
		{4, 8, 8, 1, 2}, {4, 9, 11, 2, 2}, {2, 3, 17, 1, 2}, {5, 16, 33, 2, 1}, {3, 20, 20, 1, 1},
		{2, 4, 40, 1, 1}, {2, 5, 27, 1, 2}, {1, 3, 12, 1, 1}, {1, 3, 14, 1, 2}, {2, 6, 80, 2, 2},
		// output widths around the 8-pixel SIMD block: 7, 8, 9, 15, 16, 17
		{2, 4, 7, 1, 1}, {2, 4, 8, 1, 1}, {2, 4, 9, 1, 2}, {2, 5, 15, 1, 1}, {2, 5, 16, 1, 2},
		{2, 5, 17, 1, 1}, {2, 6, 14, 2, 1}, {2, 6, 15, 2, 1}, {2, 7, 16, 2, 1}, {2, 7, 17, 2, 2},
		{2, 9, 33, 2, 1}, {2, 9, 34, 2, 2}, {3, 10, 10, 1, 2}, {3, 11, 20, 2, 1},
	} {
		t.Run(fmt.Sprintf("c%d_%dx%d_s%d_d%d", tc.c, tc.h, tc.w, tc.stride, tc.dil), func(t *testing.T) {
			for _, relu := range []bool{false, true} {
				in := randSlice(r, tc.c*tc.h*tc.w)
				w, b := randSlice(r, tc.c*9), randSlice(r, tc.c)
				want, oh, ow := refConv(in, w, b, tc.c, tc.c, tc.h, tc.w, 3, tc.stride, tc.dil, tc.c, relu)
				got := make([]float32, len(want))
				depthwiseScalarOnly(got, in, w, b, tc.c, tc.h, tc.w, oh, ow, tc.stride, tc.dil, relu)
				if d := maxAbsDiff(got, want); d > kernelTol {
					t.Errorf("scalar relu=%v: max diff %.3g", relu, d)
				}
				got = make([]float32, len(want)+1)
				got[len(want)] = 7
				scratch := poisoned(conv3x3Scratch(tc.h, tc.w, tc.dil))
				depthwise3x3(got[:len(want)], in, w, b, scratch, tc.c, tc.h, tc.w, oh, ow, tc.stride, tc.dil, relu)
				if d := maxAbsDiff(got[:len(want)], want); d > kernelTol {
					t.Errorf("dispatch(simd=%v) relu=%v: max diff %.3g", haveSIMD, relu, d)
				}
				if got[len(want)] != 7 {
					t.Errorf("dispatch wrote past the output")
				}
			}
		})
	}
}

func TestConv3x3(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ cin, cout, h, w, stride int }{
		{1, 1, 1, 1, 1}, {1, 4, 6, 7, 2}, {1, 3, 9, 8, 1}, {2, 5, 10, 13, 2}, {3, 2, 17, 5, 1},
		// the stem: one input channel, 16 outputs, stride 2, odd and even widths
		{1, 16, 32, 32, 2}, {1, 16, 17, 33, 2}, {1, 16, 9, 31, 2}, {1, 5, 12, 16, 1}, {1, 5, 12, 17, 1},
		{1, 3, 4, 15, 2}, {1, 3, 4, 16, 2},
	} {
		t.Run(fmt.Sprintf("%dto%d_%dx%d_s%d", tc.cin, tc.cout, tc.h, tc.w, tc.stride), func(t *testing.T) {
			for _, relu := range []bool{false, true} {
				in := randSlice(r, tc.cin*tc.h*tc.w)
				w, b := randSlice(r, tc.cout*tc.cin*9), randSlice(r, tc.cout)
				want, oh, ow := refConv(in, w, b, tc.cin, tc.cout, tc.h, tc.w, 3, tc.stride, 1, 1, relu)
				got := make([]float32, len(want))
				conv3x3(got, in, w, b, poisoned(conv3x3Scratch(tc.h, tc.w, 1)), tc.cin, tc.cout, tc.h, tc.w, oh, ow, tc.stride, relu)
				if d := maxAbsDiff(got, want); d > kernelTol {
					t.Errorf("conv3x3 relu=%v: max diff %.3g", relu, d)
				}
				got = make([]float32, len(want))
				conv3x3Direct(got, in, w, b, tc.cin, tc.cout, tc.h, tc.w, oh, ow, tc.stride, relu)
				if d := maxAbsDiff(got, want); d > kernelTol {
					t.Errorf("conv3x3Direct relu=%v: max diff %.3g", relu, d)
				}
			}
		})
	}
}

func TestUpsample2AndAdd(t *testing.T) {
	in := []float32{1, 2, 3, 4, 5, 6} // 1×2×3
	want := []float32{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}
	got := make([]float32, 24)
	upsample2(got, in, 1, 2, 3)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("upsample2 = %v, want %v", got, want)
		}
	}
	sum := make([]float32, 3)
	add(sum, []float32{1, -5, 2}, []float32{1, 2, -3}, true)
	if sum[0] != 2 || sum[1] != 0 || sum[2] != 0 {
		t.Errorf("add with relu = %v, want [2 0 0]", sum)
	}
	add(sum, []float32{1, -5, 2}, []float32{1, 2, -3}, false)
	if sum[1] != -3 || sum[2] != -1 {
		t.Errorf("add = %v, want [2 -3 -1]", sum)
	}
}
