//go:build !goexperiment.simd || !amd64 || noasm

package gray

// haveSIMD is false in builds without Go's simd experiment (or with the
// noasm tag): the scalar loops run everywhere.
const haveSIMD = false

// downscale2Rows is never called in this build.
func downscale2Rows(d, r0, r1 []byte) int {
	panic("gray: downscale2Rows without SIMD support")
}
