//go:build goexperiment.simd && amd64 && !noasm

package neural

import "simd/archsimd"

// haveSIMD reports whether pointwiseSIMD may be called: this build has the
// AVX2/FMA kernel and the CPU supports it.
var haveSIMD = archsimd.X86.AVX2() && archsimd.X86.FMA()

// pointwiseSIMD is the AVX2/FMA form of pointwiseScalar. Its micro-kernel
// keeps a 4-channel × 16-pixel block of outputs in eight 8-wide accumulators
// while it walks the input channels: per input channel it loads two vectors
// of pixels, broadcasts four weights and issues eight fused multiply-adds,
// and it stores each output once. It computes pixels [0, hw&^15) of the first
// cout&^3 output channels and returns hw&^15; the caller finishes the rest
// with the scalar kernel.
//
// Precondition: haveSIMD, cout >= 4, slices sized as for pointwiseScalar.
func pointwiseSIMD(out, in, w, bias []float32, cin, cout, hw int, relu bool) int {
	n16 := hw &^ 15
	zero := archsimd.BroadcastFloat32x8(0)
	for co := 0; co+4 <= cout; co += 4 {
		w0 := w[co*cin : co*cin+cin]
		w1 := w[(co+1)*cin : (co+1)*cin+cin]
		w2 := w[(co+2)*cin : (co+2)*cin+cin]
		w3 := w[(co+3)*cin : (co+3)*cin+cin]
		b0 := archsimd.BroadcastFloat32x8(bias[co])
		b1 := archsimd.BroadcastFloat32x8(bias[co+1])
		b2 := archsimd.BroadcastFloat32x8(bias[co+2])
		b3 := archsimd.BroadcastFloat32x8(bias[co+3])
		for p := 0; p < n16; p += 16 {
			a0, c0 := b0, b0
			a1, c1 := b1, b1
			a2, c2 := b2, b2
			a3, c3 := b3, b3
			for ci := 0; ci < cin; ci++ {
				x := in[ci*hw+p : ci*hw+p+16]
				xl := archsimd.LoadFloat32x8Slice(x[:8])
				xh := archsimd.LoadFloat32x8Slice(x[8:16])
				v := archsimd.BroadcastFloat32x8(w0[ci])
				a0, c0 = xl.MulAdd(v, a0), xh.MulAdd(v, c0)
				v = archsimd.BroadcastFloat32x8(w1[ci])
				a1, c1 = xl.MulAdd(v, a1), xh.MulAdd(v, c1)
				v = archsimd.BroadcastFloat32x8(w2[ci])
				a2, c2 = xl.MulAdd(v, a2), xh.MulAdd(v, c2)
				v = archsimd.BroadcastFloat32x8(w3[ci])
				a3, c3 = xl.MulAdd(v, a3), xh.MulAdd(v, c3)
			}
			if relu {
				a0, c0, a1, c1 = a0.Max(zero), c0.Max(zero), a1.Max(zero), c1.Max(zero)
				a2, c2, a3, c3 = a2.Max(zero), c2.Max(zero), a3.Max(zero), c3.Max(zero)
			}
			o := out[co*hw+p : co*hw+p+16]
			a0.StoreSlice(o[:8])
			c0.StoreSlice(o[8:16])
			o = out[(co+1)*hw+p : (co+1)*hw+p+16]
			a1.StoreSlice(o[:8])
			c1.StoreSlice(o[8:16])
			o = out[(co+2)*hw+p : (co+2)*hw+p+16]
			a2.StoreSlice(o[:8])
			c2.StoreSlice(o[8:16])
			o = out[(co+3)*hw+p : (co+3)*hw+p+16]
			a3.StoreSlice(o[:8])
			c3.StoreSlice(o[8:16])
		}
	}
	return n16
}

// depthwiseRowSIMD computes the interior of one output row of a stride-1
// depthwise 3×3 convolution, 8 pixels per step with nine fused
// multiply-adds: out[i] = b + Σ_ky Σ_kx kk[ky][kx]·r[ky][base+i+kx·d], where
// a nil r[ky] is a row of zero padding. It writes out[:len(out)&^7] (ReLU
// applied when relu is set) and returns that count; the caller does the rest.
func depthwiseRowSIMD(out []float32, r *[3][]float32, kk *[3][3]float32, base, d int, b float32, relu bool) int {
	n8 := len(out) &^ 7
	if n8 == 0 {
		return 0
	}
	bias := archsimd.BroadcastFloat32x8(b)
	zero := archsimd.BroadcastFloat32x8(0)
	var kv [3][3]archsimd.Float32x8
	for ky := 0; ky < 3; ky++ {
		for kx := 0; kx < 3; kx++ {
			kv[ky][kx] = archsimd.BroadcastFloat32x8(kk[ky][kx])
		}
	}
	for i := 0; i < n8; i += 8 {
		acc := bias
		for ky := 0; ky < 3; ky++ {
			row := r[ky]
			if row == nil {
				continue
			}
			j := base + i
			acc = archsimd.LoadFloat32x8Slice(row[j:j+8]).MulAdd(kv[ky][0], acc)
			acc = archsimd.LoadFloat32x8Slice(row[j+d:j+d+8]).MulAdd(kv[ky][1], acc)
			acc = archsimd.LoadFloat32x8Slice(row[j+2*d:j+2*d+8]).MulAdd(kv[ky][2], acc)
		}
		if relu {
			acc = acc.Max(zero)
		}
		acc.StoreSlice(out[i : i+8])
	}
	return n8
}
