//go:build !goexperiment.simd || !amd64 || noasm

package qr

import (
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// haveSIMD is false in builds without Go's simd experiment (or with the
// noasm tag): the scalar loops run everywhere.
const haveSIMD = false

// binarizeRowsSIMD is never called in this build.
func binarizeRowsSIMD(p *gray.Plane, out []byte, col []uint32, r int) {
	panic("qr: binarizeRowsSIMD without SIMD support")
}

// lineSamplesSIMD is never called in this build.
func (s sampler) lineSamplesSIMD(l *phaseLine, t0 float64, out []float64) {
	panic("qr: lineSamplesSIMD without SIMD support")
}

// scanLineSIMD is never called in this build.
func scanLineSIMD(line []byte, inv byte, hit func(centre, u float64)) {
	panic("qr: scanLineSIMD without SIMD support")
}

// templateSamplesSIMD is never called in this build.
func (s sampler) templateSamplesSIMD(c, ex, ey geom.Point, out *[81]float64) {
	panic("qr: templateSamplesSIMD without SIMD support")
}
