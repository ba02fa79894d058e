//go:build !goexperiment.simd || !amd64 || noasm

package neural

// haveSIMD is false in builds without the simd experiment (or with the
// noasm tag): pointwise always takes the portable path.
const haveSIMD = false

// pointwiseSIMD is never called in this build.
func pointwiseSIMD(out, in, w, bias []float32, cin, cout, hw int, relu bool) int {
	panic("neural: pointwiseSIMD without SIMD support")
}

// depthwiseRowSIMD is never called in this build.
func depthwiseRowSIMD(out []float32, r *[3][]float32, kk *[3][3]float32, base, d int, b float32, relu bool) int {
	panic("neural: depthwiseRowSIMD without SIMD support")
}
