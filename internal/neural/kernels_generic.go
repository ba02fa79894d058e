//go:build !goexperiment.simd || !amd64 || noasm

package neural

// haveSIMD is false in builds without the simd experiment (or with the
// noasm tag): every kernel takes the portable path.
const haveSIMD = false

// pointwiseSIMD is never called in this build.
func pointwiseSIMD(out, in, w, bias, res, pk []float32, cin, cout, hw int, relu bool) int {
	panic("neural: pointwiseSIMD without SIMD support")
}

// conv3x3PlaneSIMD is never called in this build.
func conv3x3PlaneSIMD(dst, plane, k []float32, bias float32, t *taps3x3, oh, ow int, relu bool) bool {
	panic("neural: conv3x3PlaneSIMD without SIMD support")
}
