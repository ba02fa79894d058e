//go:build !goexperiment.simd || !amd64 || noasm

package jpegluma

// haveSIMD is false in builds without the simd experiment (or with the
// noasm tag): every block takes idctBlock.
const haveSIMD = false

// idctBlockSIMD is never called in this build.
func idctBlockSIMD(c *[64]int32, dst []byte, stride int) {
	panic("jpegluma: idctBlockSIMD without SIMD support")
}
