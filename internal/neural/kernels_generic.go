//go:build !goexperiment.simd || !amd64 || noasm

package neural

// haveSIMD is false in builds without the simd experiment (or with the
// noasm tag): pointwise always takes the portable path.
const haveSIMD = false

// pointwiseSIMD is never called in this build.
func pointwiseSIMD(out, in, w, bias []float32, cin, cout, hw int, relu bool) int {
	panic("neural: pointwiseSIMD without SIMD support")
}
