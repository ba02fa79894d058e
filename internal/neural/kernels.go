package neural

import "math"

// Portable scalar kernels. All maps are C×H×W float32, channel-major; weights
// are in PyTorch's layout (out, in/groups, kh, kw) with batch-norm folded in.
// Convolutions pad with zeros by dil*(k-1)/2 on each side, so a stride-s
// layer maps H to ceil(H/s), as PyTorch does for these shapes.

// pointwise computes out[co] = bias[co] + Σ_ci w[co,ci]·in[ci] over hw pixels,
// a GEMM W(cout×cin) · X(cin×hw) with no im2col. It uses the SIMD kernel
// when the build and the CPU have one, for the pixels that kernel covers.
func pointwise(out, in, w, bias []float32, cin, cout, hw int, relu bool) {
	p0 := 0
	if haveSIMD && cout >= 4 {
		p0 = pointwiseSIMD(out, in, w, bias, cin, cout, hw, relu)
	}
	if p0 < hw || cout%4 != 0 {
		pointwiseScalar(out, in, w, bias, cin, cout, hw, p0, relu)
	}
}

// pointwiseScalar is the portable pointwise kernel. It computes pixels
// [p0, hw) of the first cout&^3 output channels and every pixel of the last
// cout%4 channels (the part the SIMD kernel leaves out; p0 is 0 when there
// is no SIMD kernel).
func pointwiseScalar(out, in, w, bias []float32, cin, cout, hw, p0 int, relu bool) {
	full := cout &^ 3
	pointwiseBlock(out, in, w, bias, cin, 0, full, hw, p0, relu)
	pointwiseBlock(out, in, w, bias, cin, full, cout, hw, 0, relu)
}

// pointwiseBlock computes output channels [c0, c1) over pixels [p0, hw).
// Four output channels share each read of an input row, and pixels go in
// tiles that keep the four output rows and the input tile in the L1 cache.
func pointwiseBlock(out, in, w, bias []float32, cin, c0, c1, hw, p0 int, relu bool) {
	const tile = 512
	for t0 := p0; t0 < hw; t0 += tile {
		t1 := min(t0+tile, hw)
		n := t1 - t0
		co := c0
		for ; co+4 <= c1; co += 4 {
			o0 := out[co*hw+t0 : co*hw+t1]
			o1 := out[(co+1)*hw+t0 : (co+1)*hw+t1]
			o2 := out[(co+2)*hw+t0 : (co+2)*hw+t1]
			o3 := out[(co+3)*hw+t0 : (co+3)*hw+t1]
			o1, o2, o3 = o1[:n], o2[:n], o3[:n]
			b0, b1, b2, b3 := bias[co], bias[co+1], bias[co+2], bias[co+3]
			for i := range o0 {
				o0[i], o1[i], o2[i], o3[i] = b0, b1, b2, b3
			}
			w0 := w[co*cin : co*cin+cin]
			w1 := w[(co+1)*cin : (co+1)*cin+cin]
			w2 := w[(co+2)*cin : (co+2)*cin+cin]
			w3 := w[(co+3)*cin : (co+3)*cin+cin]
			for ci := 0; ci < cin; ci++ {
				x := in[ci*hw+t0 : ci*hw+t1]
				x = x[:n]
				a0, a1, a2, a3 := w0[ci], w1[ci], w2[ci], w3[ci]
				for i, v := range x {
					o0[i] += a0 * v
					o1[i] += a1 * v
					o2[i] += a2 * v
					o3[i] += a3 * v
				}
			}
			if relu {
				relu4(o0, o1, o2, o3)
			}
		}
		for ; co < c1; co++ {
			o := out[co*hw+t0 : co*hw+t1]
			b := bias[co]
			for i := range o {
				o[i] = b
			}
			wr := w[co*cin : co*cin+cin]
			for ci, a := range wr {
				x := in[ci*hw+t0 : ci*hw+t1]
				x = x[:len(o)]
				for i, v := range x {
					o[i] += a * v
				}
			}
			if relu {
				reluInPlace(o)
			}
		}
	}
}

func relu4(o0, o1, o2, o3 []float32) {
	reluInPlace(o0)
	reluInPlace(o1)
	reluInPlace(o2)
	reluInPlace(o3)
}

// reluInPlace clamps o at zero without branches: a negative float has its
// sign bit set, and the arithmetic shift of that bit masks the value to +0.
// (A compare-and-branch mispredicts on activations about half the time, and
// the max builtin carries NaN and signed-zero handling.)
func reluInPlace(o []float32) {
	for i, v := range o {
		b := math.Float32bits(v)
		o[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
	}
}

// depthwise3x3 convolves each of c channels with its own 3×3 kernel
// (w: c×1×3×3), stride 1 or 2, dilation d, zero padding d.
//
// For each output row the interior columns, whose taps all fall inside the
// input, run without bounds tests; only the few border columns test.
func depthwise3x3(out, in, w, bias []float32, c, ih, iw, oh, ow, stride, d int, relu bool) {
	// Output columns x with 0 <= x*stride-d and x*stride+d < iw.
	xlo := (d + stride - 1) / stride
	xhi := (iw - 1 - d) / stride // inclusive
	if iw-1-d < 0 {
		xhi = -1
	}
	xhi = min(xhi, ow-1)
	for ch := 0; ch < c; ch++ {
		src := in[ch*ih*iw : (ch+1)*ih*iw]
		dst := out[ch*oh*ow : (ch+1)*oh*ow]
		k := w[ch*9 : ch*9+9]
		b := bias[ch]
		for y := 0; y < oh; y++ {
			orow := dst[y*ow : y*ow+ow]
			cy := y * stride
			// rows of the three taps, nil when outside (zero padding)
			var r [3][]float32
			var kk [3][3]float32
			for ky := 0; ky < 3; ky++ {
				iy := cy + (ky-1)*d
				if iy >= 0 && iy < ih {
					r[ky] = src[iy*iw : iy*iw+iw]
					kk[ky] = [3]float32{k[ky*3], k[ky*3+1], k[ky*3+2]}
				}
			}
			// border columns
			for x := 0; x < ow; x++ {
				if x == xlo && xlo <= xhi {
					x = xhi
					continue
				}
				s := b
				cx := x * stride
				for ky := 0; ky < 3; ky++ {
					if r[ky] == nil {
						continue
					}
					for kx := 0; kx < 3; kx++ {
						ix := cx + (kx-1)*d
						if ix >= 0 && ix < iw {
							s += kk[ky][kx] * r[ky][ix]
						}
					}
				}
				if relu && s < 0 {
					s = 0
				}
				orow[x] = s
			}
			if xlo > xhi {
				continue
			}
			// interior: bias, then one pass per tap row
			seg := orow[xlo : xhi+1]
			x0 := xlo
			if haveSIMD && stride == 1 {
				done := depthwiseRowSIMD(seg, &r, &kk, xlo-d, d, b, relu)
				seg = seg[done:]
				x0 += done
			}
			for i := range seg {
				seg[i] = b
			}
			for ky := 0; ky < 3; ky++ {
				row := r[ky]
				if row == nil {
					continue
				}
				k0, k1, k2 := kk[ky][0], kk[ky][1], kk[ky][2]
				base := x0*stride - d
				if stride == 1 {
					a := row[base : base+len(seg)]
					m := row[base+d : base+d+len(seg)]
					z := row[base+2*d : base+2*d+len(seg)]
					for i := range seg {
						seg[i] += k0*a[i] + k1*m[i] + k2*z[i]
					}
				} else {
					for i := range seg {
						j := base + 2*i
						seg[i] += k0*row[j] + k1*row[j+d] + k2*row[j+2*d]
					}
				}
			}
			if relu {
				reluInPlace(seg)
			}
		}
	}
}

// conv3x3 is a direct full 3×3 convolution (w: cout×cin×3×3), stride 1 or 2,
// padding 1. It serves only the stem, where cin is 1. Each output row takes
// one pass per input channel and kernel row; only the first and last output
// columns test the image border.
func conv3x3(out, in, w, bias []float32, cin, cout, ih, iw, oh, ow, stride int, relu bool) {
	// Output columns x in [xlo, xhi) read input columns x*stride-1 .. x*stride+1,
	// all inside [0, iw).
	xlo := 1
	xhi := (iw-2)/stride + 1
	xhi = min(xhi, ow)
	for co := 0; co < cout; co++ {
		dst := out[co*oh*ow : (co+1)*oh*ow]
		b := bias[co]
		for i := range dst {
			dst[i] = b
		}
		for ci := 0; ci < cin; ci++ {
			src := in[ci*ih*iw : (ci+1)*ih*iw]
			k := w[(co*cin+ci)*9 : (co*cin+ci)*9+9]
			for y := 0; y < oh; y++ {
				orow := dst[y*ow : y*ow+ow]
				for ky := 0; ky < 3; ky++ {
					iy := y*stride + ky - 1
					if iy < 0 || iy >= ih {
						continue
					}
					row := src[iy*iw : iy*iw+iw]
					k0, k1, k2 := k[ky*3], k[ky*3+1], k[ky*3+2]
					tap := func(x int) float32 {
						ix := x*stride - 1
						var s float32
						for j, kv := range [3]float32{k0, k1, k2} {
							if ix+j >= 0 && ix+j < iw {
								s += kv * row[ix+j]
							}
						}
						return s
					}
					for x := 0; x < min(xlo, ow); x++ {
						orow[x] += tap(x)
					}
					if stride == 2 {
						for x := xlo; x < xhi; x++ {
							r := row[2*x-1 : 2*x+2]
							orow[x] += k0*r[0] + k1*r[1] + k2*r[2]
						}
					} else {
						for x := xlo; x < xhi; x++ {
							r := row[x-1 : x+2]
							orow[x] += k0*r[0] + k1*r[1] + k2*r[2]
						}
					}
					for x := max(xhi, xlo); x < ow; x++ {
						orow[x] += tap(x)
					}
				}
			}
		}
		if relu {
			reluInPlace(dst)
		}
	}
}

// add computes out = a + b, then ReLU when relu is set.
func add(out, a, b []float32, relu bool) {
	b = b[:len(a)]
	out = out[:len(a)]
	for i, v := range a {
		s := v + b[i]
		if relu && s < 0 {
			s = 0
		}
		out[i] = s
	}
}

// upsample2 repeats each pixel of a c×h×w map into a 2×2 block.
func upsample2(out, in []float32, c, h, w int) {
	ow := 2 * w
	for ch := 0; ch < c; ch++ {
		for y := 0; y < h; y++ {
			src := in[(ch*h+y)*w : (ch*h+y)*w+w]
			d0 := out[(ch*2*h+2*y)*ow : (ch*2*h+2*y)*ow+ow]
			for x, v := range src {
				d0[2*x] = v
				d0[2*x+1] = v
			}
			copy(out[(ch*2*h+2*y+1)*ow:(ch*2*h+2*y+1)*ow+ow], d0)
		}
	}
}
