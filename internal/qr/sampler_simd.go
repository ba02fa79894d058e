//go:build goexperiment.simd && amd64 && !noasm

package qr

import "simd/archsimd"

// lineSamplesSIMD computes what lineSamples computes, four points at a
// time in AVX2 lanes: each point's coordinates (phaseLine.at), its pixel,
// fractions and index (sampler.at's interior path) and the bilinear blend,
// with the same IEEE operations in the same order, so the values are
// bit-identical (TestLineSamplesSIMD). Only the four pixel pairs of a group
// are loaded one by one (AVX2 has no byte gather) and inserted into lanes.
// A group with a point outside the interior, or NaN, is sampled point by
// point with sampler.at. The lane indices are int32: a plane of 2³¹ bytes
// or more is sampled point by point.
//
// Precondition: haveSIMD; t0 + i/2 is exact for every i (quarter-module
// positions of a symbol are).
func (s sampler) lineSamplesSIMD(l *phaseLine, t0 float64, out []float64) {
	pix, stride := s.p.Pix, s.p.Stride
	if len(pix) >= 1<<31-1 {
		// lane indices are int32
		for i := range out {
			out[i] = s.at(l.at(t0 + 0.5*float64(i)))
		}
		return
	}
	bx, by, bw := archsimd.BroadcastFloat64x4(l.bx), archsimd.BroadcastFloat64x4(l.by), archsimd.BroadcastFloat64x4(l.bw)
	sx, sy, sw := archsimd.BroadcastFloat64x4(l.sx), archsimd.BroadcastFloat64x4(l.sy), archsimd.BroadcastFloat64x4(l.sw)
	half, zero, one := archsimd.BroadcastFloat64x4(0.5), archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(1)
	maxX, maxY := archsimd.BroadcastFloat64x4(s.maxX), archsimd.BroadcastFloat64x4(s.maxY)
	steps := archsimd.LoadFloat64x4(&[4]float64{0, 0.5, 1, 1.5})
	strides := archsimd.BroadcastInt32x4(int32(stride))
	lowByte := archsimd.BroadcastInt32x4(0xff)
	i := 0
	for ; i+4 <= len(out); i += 4 {
		t := archsimd.BroadcastFloat64x4(t0 + 0.5*float64(i)).Add(steps)
		w := bw.Add(t.Mul(sw))
		x := bx.Add(t.Mul(sx)).Div(w).Sub(half)
		y := by.Add(t.Mul(sy)).Div(w).Sub(half)
		in := x.GreaterEqual(zero).And(y.GreaterEqual(zero)).And(x.Less(maxX)).And(y.Less(maxY))
		if in.ToBits() != 0xf {
			archsimd.ClearAVXUpperBits() // sampler.at is SSE code (see simd.go)
			for k := range 4 {
				out[i+k] = s.at(l.at(t0 + 0.5*float64(i+k)))
			}
			continue
		}
		xt, yt := x.Trunc(), y.Trunc()
		fx, fy := x.Sub(xt), y.Sub(yt)
		j := yt.ConvertToInt32().Mul(strides).Add(xt.ConvertToInt32())
		// each lane's two pixel pairs, little-endian: left | right<<8
		j0, j1, j2, j3 := int(j.GetElem(0)), int(j.GetElem(1)), int(j.GetElem(2)), int(j.GetElem(3))
		top := archsimd.Int32x4{}.SetElem(0, pair(pix, j0)).SetElem(1, pair(pix, j1)).SetElem(2, pair(pix, j2)).SetElem(3, pair(pix, j3))
		bot := archsimd.Int32x4{}.SetElem(0, pair(pix, j0+stride)).SetElem(1, pair(pix, j1+stride)).SetElem(2, pair(pix, j2+stride)).SetElem(3, pair(pix, j3+stride))
		p00, p01 := top.And(lowByte).ConvertToFloat64(), top.ShiftAllRight(8).ConvertToFloat64()
		p10, p11 := bot.And(lowByte).ConvertToFloat64(), bot.ShiftAllRight(8).ConvertToFloat64()
		gx, gy := one.Sub(fx), one.Sub(fy)
		a := p00.Mul(gx).Add(p01.Mul(fx))
		b := p10.Mul(gx).Add(p11.Mul(fx))
		a.Mul(gy).Add(b.Mul(fy)).StoreSlice(out[i : i+4])
	}
	archsimd.ClearAVXUpperBits()
	for ; i < len(out); i++ {
		out[i] = s.at(l.at(t0 + 0.5*float64(i)))
	}
}

// pair returns pix[j] | pix[j+1]<<8.
func pair(pix []byte, j int) int32 {
	r := pix[j : j+2 : j+2]
	return int32(r[0]) | int32(r[1])<<8
}
