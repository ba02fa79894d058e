//go:build goexperiment.simd && amd64 && !noasm

package neural

import "simd/archsimd"

// haveSIMD reports whether pointwiseSIMD may be called: this build has the
// AVX2/FMA kernel and the CPU supports it. The kernels end with VZEROUPPER
// (archsimd.ClearAVXUpperBits): the scalar SSE code between and after
// them is slow while the upper halves of the vector registers are dirty.
var haveSIMD = archsimd.X86.AVX2() && archsimd.X86.FMA()

// pointwiseSIMD is the AVX2/FMA form of pointwiseScalar. Its micro-kernel
// keeps a 4-channel × 16-pixel block of outputs in eight 8-wide accumulators
// while it walks the input channels: per input channel it loads two vectors
// of pixels, broadcasts four weights and issues eight fused multiply-adds,
// and it stores each output once; the last cout%4 channels go one at a
// time through the same loop. A last block of fewer than 16 pixels is packed
// with zeros and stored with masked stores. It computes every pixel of every
// output channel and returns hw. A non-nil res is added to the accumulators
// before the ReLU.
//
// Pixel blocks are the outer loop: the 16 pixels of every input channel
// are first packed into pk (cin×16 values, contiguous, so the block sits
// in a few pages of the L1 cache), then every group of four output channels
// runs over them. Walking the input in place instead, one channel every
// H·W floats, costs a page and a cache line per input channel per block;
// with the output channels as the outer loop the whole input streams from
// L2 once per group of four.
//
// Precondition: haveSIMD, len(pk) >= 16·cin, the other slices sized as for
// pointwiseScalar.
func pointwiseSIMD(out, in, w, bias, res, pk []float32, cin, cout, hw int, relu bool) int {
	zero := archsimd.BroadcastFloat32x8(0)
	pk = pk[:16*cin]
	for p := 0; p < hw; p += 16 {
		n := min(16, hw-p)
		for ci := 0; ci < cin; ci++ {
			lo, hi := load16(in[ci*hw+p : ci*hw+p+n])
			d := pk[ci*16 : ci*16+16]
			lo.StoreSlice(d[:8])
			hi.StoreSlice(d[8:16])
		}
		for co := 0; co+4 <= cout; co += 4 {
			w0 := w[co*cin : co*cin+cin]
			w1 := w[(co+1)*cin : (co+1)*cin+cin]
			w2 := w[(co+2)*cin : (co+2)*cin+cin]
			w3 := w[(co+3)*cin : (co+3)*cin+cin]
			w1, w2, w3 = w1[:len(w0)], w2[:len(w0)], w3[:len(w0)]
			a0 := archsimd.BroadcastFloat32x8(bias[co])
			a1 := archsimd.BroadcastFloat32x8(bias[co+1])
			a2 := archsimd.BroadcastFloat32x8(bias[co+2])
			a3 := archsimd.BroadcastFloat32x8(bias[co+3])
			c0, c1, c2, c3 := a0, a1, a2, a3
			for ci, wv := range w0 {
				x := pk[ci*16 : ci*16+16]
				xl := archsimd.LoadFloat32x8Slice(x[:8])
				xh := archsimd.LoadFloat32x8Slice(x[8:16])
				v := archsimd.BroadcastFloat32x8(wv)
				a0, c0 = xl.MulAdd(v, a0), xh.MulAdd(v, c0)
				v = archsimd.BroadcastFloat32x8(w1[ci])
				a1, c1 = xl.MulAdd(v, a1), xh.MulAdd(v, c1)
				v = archsimd.BroadcastFloat32x8(w2[ci])
				a2, c2 = xl.MulAdd(v, a2), xh.MulAdd(v, c2)
				v = archsimd.BroadcastFloat32x8(w3[ci])
				a3, c3 = xl.MulAdd(v, a3), xh.MulAdd(v, c3)
			}
			if res != nil {
				a0, c0 = addResidual(a0, c0, res[co*hw+p:co*hw+p+n])
				a1, c1 = addResidual(a1, c1, res[(co+1)*hw+p:(co+1)*hw+p+n])
				a2, c2 = addResidual(a2, c2, res[(co+2)*hw+p:(co+2)*hw+p+n])
				a3, c3 = addResidual(a3, c3, res[(co+3)*hw+p:(co+3)*hw+p+n])
			}
			if relu {
				a0, c0, a1, c1 = a0.Max(zero), c0.Max(zero), a1.Max(zero), c1.Max(zero)
				a2, c2, a3, c3 = a2.Max(zero), c2.Max(zero), a3.Max(zero), c3.Max(zero)
			}
			store16(a0, c0, out[co*hw+p:co*hw+p+n])
			store16(a1, c1, out[(co+1)*hw+p:(co+1)*hw+p+n])
			store16(a2, c2, out[(co+2)*hw+p:(co+2)*hw+p+n])
			store16(a3, c3, out[(co+3)*hw+p:(co+3)*hw+p+n])
		}
		for co := cout &^ 3; co < cout; co++ {
			wr := w[co*cin : co*cin+cin]
			a := archsimd.BroadcastFloat32x8(bias[co])
			c := a
			for ci, wv := range wr {
				x := pk[ci*16 : ci*16+16]
				v := archsimd.BroadcastFloat32x8(wv)
				a = archsimd.LoadFloat32x8Slice(x[:8]).MulAdd(v, a)
				c = archsimd.LoadFloat32x8Slice(x[8:16]).MulAdd(v, c)
			}
			if res != nil {
				a, c = addResidual(a, c, res[co*hw+p:co*hw+p+n])
			}
			if relu {
				a, c = a.Max(zero), c.Max(zero)
			}
			store16(a, c, out[co*hw+p:co*hw+p+n])
		}
	}
	archsimd.ClearAVXUpperBits()
	return hw
}

// load16 loads up to 16 values of s (len(s) <= 16) as two vectors, zeros
// past the end.
func load16(s []float32) (lo, hi archsimd.Float32x8) {
	h := min(8, len(s))
	return archsimd.LoadFloat32x8SlicePart(s[:h]), archsimd.LoadFloat32x8SlicePart(s[h:])
}

// store16 stores the first len(s) (at most 16) lanes of lo, hi into s.
func store16(lo, hi archsimd.Float32x8, s []float32) {
	h := min(8, len(s))
	lo.StoreSlicePart(s[:h])
	hi.StoreSlicePart(s[h:])
}

// addResidual adds the values of r (at most 16; a shorter r adds zeros to
// the lanes past its end) to the pixel block held in lo, hi.
func addResidual(lo, hi archsimd.Float32x8, r []float32) (archsimd.Float32x8, archsimd.Float32x8) {
	rl, rh := load16(r)
	return lo.Add(rl), hi.Add(rh)
}

// conv3x3PlaneSIMD is the AVX2/FMA form of conv3x3PlaneScalar: 8 output
// pixels per step, nine contiguous loads and nine fused multiply-adds, the
// nine weights, the bias and zero held in registers for the whole channel.
// A row whose width is not a multiple of 8 ends with a block that overlaps
// the one before it (outputs depend only on the input, so writing a pixel
// twice writes the same value). It reports false, doing nothing, when ow is
// under 8; the caller then runs the scalar kernel.
func conv3x3PlaneSIMD(dst, plane, k []float32, bias float32, t *taps3x3, oh, ow int, relu bool) bool {
	if ow < 8 {
		return false
	}
	k = k[:9]
	k0, k1, k2 := archsimd.BroadcastFloat32x8(k[0]), archsimd.BroadcastFloat32x8(k[1]), archsimd.BroadcastFloat32x8(k[2])
	k3, k4, k5 := archsimd.BroadcastFloat32x8(k[3]), archsimd.BroadcastFloat32x8(k[4]), archsimd.BroadcastFloat32x8(k[5])
	k6, k7, k8 := archsimd.BroadcastFloat32x8(k[6]), archsimd.BroadcastFloat32x8(k[7]), archsimd.BroadcastFloat32x8(k[8])
	b := archsimd.BroadcastFloat32x8(bias)
	zero := archsimd.BroadcastFloat32x8(0)
	o0, o1, o2 := t.off[0], t.off[1], t.off[2]
	last := ow - 8
	for y := 0; y < oh; y++ {
		orow := dst[y*ow : y*ow+ow]
		base := y * t.stride * t.pw
		r0 := plane[base : base+t.pw]
		r1 := plane[base+t.d*t.pw : base+(t.d+1)*t.pw]
		r2 := plane[base+2*t.d*t.pw : base+(2*t.d+1)*t.pw]
		for x := 0; x < ow; x += 8 {
			x := min(x, last)
			acc := archsimd.LoadFloat32x8Slice(r0[o0+x:o0+x+8]).MulAdd(k0, b)
			acc = archsimd.LoadFloat32x8Slice(r0[o1+x:o1+x+8]).MulAdd(k1, acc)
			acc = archsimd.LoadFloat32x8Slice(r0[o2+x:o2+x+8]).MulAdd(k2, acc)
			acc = archsimd.LoadFloat32x8Slice(r1[o0+x:o0+x+8]).MulAdd(k3, acc)
			acc = archsimd.LoadFloat32x8Slice(r1[o1+x:o1+x+8]).MulAdd(k4, acc)
			acc = archsimd.LoadFloat32x8Slice(r1[o2+x:o2+x+8]).MulAdd(k5, acc)
			acc = archsimd.LoadFloat32x8Slice(r2[o0+x:o0+x+8]).MulAdd(k6, acc)
			acc = archsimd.LoadFloat32x8Slice(r2[o1+x:o1+x+8]).MulAdd(k7, acc)
			acc = archsimd.LoadFloat32x8Slice(r2[o2+x:o2+x+8]).MulAdd(k8, acc)
			if relu {
				acc = acc.Max(zero)
			}
			acc.StoreSlice(orow[x : x+8])
		}
	}
	archsimd.ClearAVXUpperBits()
	return true
}
