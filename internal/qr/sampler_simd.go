//go:build goexperiment.simd && amd64 && !noasm

package qr

import (
	"simd/archsimd"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// lineSamplesSIMD computes what lineSamples computes, four points at a
// time in AVX2 lanes: each point's coordinates (phaseLine.at), its pixel,
// fractions and index (sampler.at's interior path) and the bilinear blend,
// with the same IEEE operations in the same order, so the values are
// bit-identical (TestLineSamplesSIMD). Only the four pixel pairs of a group
// are loaded one by one (AVX2 has no byte gather) and inserted into lanes.
// A group with a point outside the interior, or NaN, goes through
// bilinear4.sampleClamped, sampler.at's border path in lanes. The lane
// indices are int32: a plane of 2³¹ bytes or more is sampled point by
// point.
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
	b := s.newBilinear4()
	steps := archsimd.LoadFloat64x4(&[4]float64{0, 0.5, 1, 1.5})
	i := 0
	for ; i+4 <= len(out); i += 4 {
		t := archsimd.BroadcastFloat64x4(t0 + 0.5*float64(i)).Add(steps)
		w := bw.Add(t.Mul(sw))
		px, py := bx.Add(t.Mul(sx)).Div(w), by.Add(t.Mul(sy)).Div(w)
		if !b.sample(pix, stride, px, py, out[i:i+4]) {
			b.sampleClamped(pix, stride, px, py, out[i:i+4])
		}
	}
	archsimd.ClearAVXUpperBits()
	for ; i < len(out); i++ {
		out[i] = s.at(l.at(t0 + 0.5*float64(i)))
	}
}

// templateSamplesSIMD computes what templateSamples computes, the 81
// points in row order as groups of four AVX2 lanes (templateLanes; a
// group may span two rows, the last is the 81st point four times): each
// point's coordinates (the row's start c + y·ey, then x·ex added, as
// templateSamples adds them) and the bilinear blend of sampler.at (its
// interior path, or its border path for a group with a point outside the
// interior), the same IEEE operations in the same order, so the values
// are bit-identical (TestTemplateSamples).
//
// Precondition: haveSIMD.
func (s sampler) templateSamplesSIMD(c, ex, ey geom.Point, out *[81]float64) {
	pix, stride := s.p.Pix, s.p.Stride
	if len(pix) >= 1<<31-1 {
		s.templateSamplesScalar(c, ex, ey, out)
		return
	}
	b := s.newBilinear4()
	cx, cy := archsimd.BroadcastFloat64x4(c.X), archsimd.BroadcastFloat64x4(c.Y)
	exX, exY := archsimd.BroadcastFloat64x4(ex.X), archsimd.BroadcastFloat64x4(ex.Y)
	eyX, eyY := archsimd.BroadcastFloat64x4(ey.X), archsimd.BroadcastFloat64x4(ey.Y)
	var last [4]float64
	for g := range templateLanes {
		xs := archsimd.LoadFloat64x4(&templateLanes[g][0])
		ys := archsimd.LoadFloat64x4(&templateLanes[g][1])
		px := cx.Add(eyX.Mul(ys)).Add(exX.Mul(xs))
		py := cy.Add(eyY.Mul(ys)).Add(exY.Mul(xs))
		o := last[:]
		if g < 20 {
			o = out[4*g : 4*g+4]
		}
		if !b.sample(pix, stride, px, py, o) {
			b.sampleClamped(pix, stride, px, py, o)
		}
	}
	archsimd.ClearAVXUpperBits()
	out[80] = last[0]
}

// templateLanes holds, for each group of four of the template's 81 points
// in row order, their x and y offsets in modules (−4…4); the last group
// is the last point four times.
var templateLanes = func() (t [21][2][4]float64) {
	for i := range 84 {
		j := min(i, 80)
		t[i/4][0][i%4] = float64(j%9 - 4)
		t[i/4][1][i%4] = float64(j/9 - 4)
	}
	return t
}()

// bilinear4 holds the constants of sample.
type bilinear4 struct {
	half, zero, one, maxX, maxY archsimd.Float64x4
	strides, lowByte            archsimd.Int32x4
	ones, lastX, lastY          archsimd.Int32x4 // 1, W−1 and H−1 (sampleClamped)
}

// newBilinear4 returns the constants of s's four-lane bilinear blend.
func (s sampler) newBilinear4() bilinear4 {
	return bilinear4{
		half: archsimd.BroadcastFloat64x4(0.5), zero: archsimd.BroadcastFloat64x4(0), one: archsimd.BroadcastFloat64x4(1),
		maxX: archsimd.BroadcastFloat64x4(s.maxX), maxY: archsimd.BroadcastFloat64x4(s.maxY),
		strides: archsimd.BroadcastInt32x4(int32(s.p.Stride)), lowByte: archsimd.BroadcastInt32x4(0xff),
		ones: archsimd.BroadcastInt32x4(1), lastX: archsimd.BroadcastInt32x4(int32(s.p.W - 1)), lastY: archsimd.BroadcastInt32x4(int32(s.p.H - 1)),
	}
}

// sample stores into out[0:4] the gray levels at the four points (px, py)
// (pixel coordinates, centres at +0.5) by sampler.at's interior path, and
// reports true; it stores nothing and reports false when a point lies
// outside the interior or is NaN. Only the four pixel pairs of each row
// are loaded one by one (AVX2 has no byte gather) and inserted into
// lanes. The lane indices are int32: the caller samples planes of 2³¹
// bytes or more point by point.
func (b *bilinear4) sample(pix []byte, stride int, px, py archsimd.Float64x4, out []float64) bool {
	x, y := px.Sub(b.half), py.Sub(b.half)
	in := x.GreaterEqual(b.zero).And(y.GreaterEqual(b.zero)).And(x.Less(b.maxX)).And(y.Less(b.maxY))
	if in.ToBits() != 0xf {
		return false
	}
	xt, yt := x.Trunc(), y.Trunc()
	fx, fy := x.Sub(xt), y.Sub(yt)
	j := yt.ConvertToInt32().Mul(b.strides).Add(xt.ConvertToInt32())
	// each lane's two pixel pairs, little-endian: left | right<<8
	j0, j1, j2, j3 := int(j.GetElem(0)), int(j.GetElem(1)), int(j.GetElem(2)), int(j.GetElem(3))
	top := archsimd.Int32x4{}.SetElem(0, pair(pix, j0)).SetElem(1, pair(pix, j1)).SetElem(2, pair(pix, j2)).SetElem(3, pair(pix, j3))
	bot := archsimd.Int32x4{}.SetElem(0, pair(pix, j0+stride)).SetElem(1, pair(pix, j1+stride)).SetElem(2, pair(pix, j2+stride)).SetElem(3, pair(pix, j3+stride))
	p00, p01 := top.And(b.lowByte).ConvertToFloat64(), top.ShiftAllRight(8).ConvertToFloat64()
	p10, p11 := bot.And(b.lowByte).ConvertToFloat64(), bot.ShiftAllRight(8).ConvertToFloat64()
	gx, gy := b.one.Sub(fx), b.one.Sub(fy)
	u := p00.Mul(gx).Add(p01.Mul(fx))
	v := p10.Mul(gx).Add(p11.Mul(fx))
	u.Mul(gy).Add(v.Mul(fy)).StoreSlice(out[:4])
	return true
}

// sampleClamped stores into out[0:4] the gray levels at the four points
// (px, py) by sampler.at's border path, for points anywhere (sample's
// precondition aside): coordinates clamped to the plane, NaN to 0, the
// right and lower neighbours to its last column and row. On interior
// points the clamps do nothing and the values are sample's.
func (b *bilinear4) sampleClamped(pix []byte, stride int, px, py archsimd.Float64x4, out []float64) {
	x, y := px.Sub(b.half), py.Sub(b.half)
	x, y = x.Masked(x.GreaterEqual(b.zero)), y.Masked(y.GreaterEqual(b.zero))
	x, y = x.Merge(b.maxX, x.LessEqual(b.maxX)), y.Merge(b.maxY, y.LessEqual(b.maxY))
	xt, yt := x.Trunc(), y.Trunc()
	fx, fy := x.Sub(xt), y.Sub(yt)
	x0, y0 := xt.ConvertToInt32(), yt.ConvertToInt32()
	x1, y1 := x0.Add(b.ones).Min(b.lastX), y0.Add(b.ones).Min(b.lastY)
	r0, r1 := y0.Mul(b.strides), y1.Mul(b.strides)
	var p [4][4]int32 // p[k]: lane k's four pixels
	for k := range uint8(4) {
		a, c := int(r0.GetElem(k)), int(r1.GetElem(k))
		l, r := int(x0.GetElem(k)), int(x1.GetElem(k))
		p[0][k], p[1][k], p[2][k], p[3][k] = int32(pix[a+l]), int32(pix[a+r]), int32(pix[c+l]), int32(pix[c+r])
	}
	p00, p01 := archsimd.LoadInt32x4(&p[0]).ConvertToFloat64(), archsimd.LoadInt32x4(&p[1]).ConvertToFloat64()
	p10, p11 := archsimd.LoadInt32x4(&p[2]).ConvertToFloat64(), archsimd.LoadInt32x4(&p[3]).ConvertToFloat64()
	gx, gy := b.one.Sub(fx), b.one.Sub(fy)
	u := p00.Mul(gx).Add(p01.Mul(fx))
	v := p10.Mul(gx).Add(p11.Mul(fx))
	u.Mul(gy).Add(v.Mul(fy)).StoreSlice(out[:4])
}

// pair returns pix[j] | pix[j+1]<<8.
func pair(pix []byte, j int) int32 {
	r := pix[j : j+2 : j+2]
	return int32(r[0]) | int32(r[1])<<8
}
