package neural

import "math"

// Portable scalar kernels. All maps are C×H×W float32, channel-major; weights
// are in PyTorch's layout (out, in/groups, kh, kw) with batch-norm folded in.
// Convolutions pad with zeros by dil*(k-1)/2 on each side, so a stride-s
// layer maps H to ceil(H/s), as PyTorch does for these shapes.

// pointwise computes out[co] = bias[co] + Σ_ci w[co,ci]·in[ci] (+ res[co])
// over hw pixels, a GEMM W(cout×cin) · X(cin×hw) with no im2col, then ReLU
// when relu is set. res is nil or a cout×hw map added before the ReLU: a
// residual or lateral add fused into the projection, which saves a pass
// over both maps (the sum is rounded exactly as a separate add would round
// it). It uses the SIMD kernel when the build and the CPU have one, for the
// pixels that kernel covers; that kernel packs blocks of the input into
// scratch, which must then hold pointwiseScratch(cin) values.
func pointwise(out, in, w, bias, res, scratch []float32, cin, cout, hw int, relu bool) {
	p0 := 0
	if haveSIMD {
		p0 = pointwiseSIMD(out, in, w, bias, res, scratch, cin, cout, hw, relu)
	}
	if p0 < hw {
		pointwiseScalar(out, in, w, bias, res, cin, cout, hw, p0, relu)
	}
}

// pointwiseScratch is the scratch length pointwise needs for cin input
// channels: one packed block of 16 pixels per input channel.
func pointwiseScratch(cin int) int { return 16 * cin }

// pointwiseScalar is the portable pointwise kernel. It computes pixels
// [p0, hw) of every output channel (p0 is where the SIMD kernel stopped, 0
// when there is none).
func pointwiseScalar(out, in, w, bias, res []float32, cin, cout, hw, p0 int, relu bool) {
	pointwiseBlock(out, in, w, bias, res, cin, 0, cout, hw, p0, relu)
}

// pointwiseBlock computes output channels [c0, c1) over pixels [p0, hw).
// Groups of four output channels run pointwiseQuad; a last group of fewer
// channels takes a plain loop. Pixels go in tiles that keep the four output
// rows and the input tile in the L1 cache.
func pointwiseBlock(out, in, w, bias, res []float32, cin, c0, c1, hw, p0 int, relu bool) {
	const tile = 512
	for t0 := p0; t0 < hw; t0 += tile {
		t1 := min(t0+tile, hw)
		co := c0
		for ; co+4 <= c1; co += 4 {
			pointwiseQuad(out, in, w, bias, cin, co, hw, t0, t1)
			o0 := out[co*hw+t0 : co*hw+t1]
			o1 := out[(co+1)*hw+t0 : (co+1)*hw+t1]
			o2 := out[(co+2)*hw+t0 : (co+2)*hw+t1]
			o3 := out[(co+3)*hw+t0 : (co+3)*hw+t1]
			if res != nil {
				addInPlace(o0, res[co*hw+t0:co*hw+t1])
				addInPlace(o1, res[(co+1)*hw+t0:(co+1)*hw+t1])
				addInPlace(o2, res[(co+2)*hw+t0:(co+2)*hw+t1])
				addInPlace(o3, res[(co+3)*hw+t0:(co+3)*hw+t1])
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
			if res != nil {
				addInPlace(o, res[co*hw+t0:co*hw+t1])
			}
			if relu {
				reluInPlace(o)
			}
		}
	}
}

// pointwiseQuad computes output channels co..co+3 over the pixel tile
// [t0, t1): bias plus weighted sum, no residual and no ReLU (the caller
// adds those). Input channels go two at a time through axpy4x2: the four
// output rows of the tile are loaded and stored once per two multiply-adds
// (the loop that did one input channel per pass was bound by its stores:
// nano at 320 took 54 cpu-ms with it, 41 with this). It is a function of its own, apart from the
// residual and ReLU passes, because the compiler keeps the loop's slices in
// registers only when little else is live: merged into pointwiseBlock the
// loop spills and runs about 10 % slower. Register blocking (4 channels × 2
// pixels summed in registers over all input channels, one strided read per
// input channel) measured slower still, 74 against 56 cpu-ms for nano at
// 320: the compiler spills some of the eight sums, and each input channel
// of a pixel lies on another page.
func pointwiseQuad(out, in, w, bias []float32, cin, co, hw, t0, t1 int) {
	n := t1 - t0
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
	ci := 0
	for ; ci+2 <= cin; ci += 2 {
		x := in[ci*hw+t0 : ci*hw+t1]
		y := in[(ci+1)*hw+t0 : (ci+1)*hw+t1]
		axpy4x2(o0, o1, o2, o3, x[:n], y[:n], &[8]float32{
			w0[ci], w1[ci], w2[ci], w3[ci], w0[ci+1], w1[ci+1], w2[ci+1], w3[ci+1]})
	}
	if ci < cin {
		x := in[ci*hw+t0 : ci*hw+t1]
		axpy4(o0, o1, o2, o3, x[:n], w0[ci], w1[ci], w2[ci], w3[ci])
	}
}

// axpy4x2 adds a_k·x + b_k·y to o_k for k = 0..3, where a = w[0:4] and
// b = w[4:8]: two input channels per pass over the four output rows, so
// each output is loaded and stored once per two multiply-adds. The sum is
// formed as (o + a·x) + b·y, the order of two single passes.
//
//go:noinline
func axpy4x2(o0, o1, o2, o3, x, y []float32, w *[8]float32) {
	a0, a1, a2, a3 := w[0], w[1], w[2], w[3]
	b0, b1, b2, b3 := w[4], w[5], w[6], w[7]
	y = y[:len(x)]
	o0, o1, o2, o3 = o0[:len(x)], o1[:len(x)], o2[:len(x)], o3[:len(x)]
	for i, v := range x {
		u := y[i]
		o0[i] = o0[i] + a0*v + b0*u
		o1[i] = o1[i] + a1*v + b1*u
		o2[i] = o2[i] + a2*v + b2*u
		o3[i] = o3[i] + a3*v + b3*u
	}
}

// axpy4 adds a_k·x to o_k for k = 0..3, one read of x for four
// multiply-adds. It is a leaf function so that its loop has the registers
// to itself (inlined into the channel loop, the compiler spills the loop
// counter on every pixel).
//
//go:noinline
func axpy4(o0, o1, o2, o3, x []float32, a0, a1, a2, a3 float32) {
	o0, o1, o2, o3 = o0[:len(x)], o1[:len(x)], o2[:len(x)], o3[:len(x)]
	for i, v := range x {
		o0[i] += a0 * v
		o1[i] += a1 * v
		o2[i] += a2 * v
		o3[i] += a3 * v
	}
}

// addInPlace adds r to o element by element.
func addInPlace(o, r []float32) {
	r = r[:len(o)]
	for i, v := range r {
		o[i] += v
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

// # 3×3 convolutions on padded planes
//
// The depthwise layers and the stem share one inner kernel. Each input
// channel is first copied into a zero-padded plane (d rows and columns of
// zeros on every side, d the dilation), so that every output pixel, border
// or not, reads its nine taps from inside the plane and the inner loops
// need neither bounds tests nor border cases. For stride 2 each padded row
// is also split into its even columns followed by its odd columns: output x
// reads padded columns 2x, 2x+d, 2x+2d, which are then contiguous runs of
// the even or the odd half (for d = 1: even[x], odd[x], even[x+1]), so the
// stride-2 taps load consecutive pixels like the stride-1 ones and the SIMD
// kernel covers both. The copy costs one read and one write per input pixel
// against nine multiply-adds per output pixel; the stem, with one input
// channel and 16 output channels, builds its plane once for all of them.

// taps3x3 is the geometry of a padded plane for one layer: an input of
// ih×iw, stride 1 or 2, dilation d.
type taps3x3 struct {
	stride, d int
	pw        int    // padded row length: iw + 2d
	rows      int    // padded rows: ih + 2d
	ne        int    // stride 2: length of the even half of a row
	off       [3]int // where tap kx of output column 0 sits in a plane row
}

func newTaps3x3(ih, iw, stride, d int) taps3x3 {
	t := taps3x3{stride: stride, d: d, pw: iw + 2*d, rows: ih + 2*d}
	t.ne = (t.pw + 1) / 2
	for kx := 0; kx < 3; kx++ {
		c := kx * d // padded column of tap kx for output column 0
		switch {
		case stride == 1:
			t.off[kx] = c
		case c%2 == 0:
			t.off[kx] = c / 2
		default:
			t.off[kx] = t.ne + c/2
		}
	}
	return t
}

// conv3x3Scratch is the scratch length the 3×3 kernels need for an ih×iw
// input at dilation d: one padded plane.
func conv3x3Scratch(ih, iw, d int) int { return (ih + 2*d) * (iw + 2*d) }

// fill copies the ih×iw channel src into plane (t.rows×t.pw). It writes only
// the positions of real pixels: the padding of plane must already be zero
// (clear the plane once before the first fill of a layer).
func (t *taps3x3) fill(plane, src []float32, ih, iw int) {
	d := t.d
	for y := 0; y < ih; y++ {
		s := src[y*iw : y*iw+iw]
		dst := plane[(y+d)*t.pw : (y+d+1)*t.pw]
		if t.stride == 1 {
			copy(dst[d:], s)
			continue
		}
		// padded column i = c+d goes to even[i/2] or odd[i/2]
		even, odd := dst[:t.ne], dst[t.ne:]
		c0 := d & 1 // first c with c+d even
		for c := c0; c < iw; c += 2 {
			even[(c+d)>>1] = s[c]
		}
		for c := 1 - c0; c < iw; c += 2 {
			odd[(c+d)>>1] = s[c]
		}
	}
}

// conv3x3Plane computes one oh×ow output channel from one padded plane:
// dst = bias + Σ k[ky·3+kx]·tap(ky, kx), then ReLU when relu is set. It takes
// the SIMD kernel when the build and the CPU have one.
func conv3x3Plane(dst, plane, k []float32, bias float32, t *taps3x3, oh, ow int, relu bool) {
	if haveSIMD && conv3x3PlaneSIMD(dst, plane, k, bias, t, oh, ow, relu) {
		return
	}
	conv3x3PlaneScalar(dst, plane, k, bias, t, oh, ow, relu)
}

// conv3x3PlaneScalar is the portable form of conv3x3Plane: one pass per
// output row, nine contiguous input runs, no bounds tests in the loop. The
// three kernel rows are summed apart and then added, which shortens the
// chain of dependent adds per pixel from nine to five (about 7 % faster on
// the stride-1 depthwise layers than one running sum).
func conv3x3PlaneScalar(dst, plane, k []float32, bias float32, t *taps3x3, oh, ow int, relu bool) {
	k = k[:9]
	k0, k1, k2, k3, k4, k5, k6, k7, k8 := k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8]
	o0, o1, o2 := t.off[0], t.off[1], t.off[2]
	for y := 0; y < oh; y++ {
		orow := dst[y*ow : y*ow+ow]
		base := y * t.stride * t.pw
		r0 := plane[base : base+t.pw]
		r1 := plane[base+t.d*t.pw : base+(t.d+1)*t.pw]
		r2 := plane[base+2*t.d*t.pw : base+(2*t.d+1)*t.pw]
		a0, a1, a2 := r0[o0:o0+ow], r0[o1:o1+ow], r0[o2:o2+ow]
		b0, b1, b2 := r1[o0:o0+ow], r1[o1:o1+ow], r1[o2:o2+ow]
		c0, c1, c2 := r2[o0:o0+ow], r2[o1:o1+ow], r2[o2:o2+ow]
		a0, a1, a2 = a0[:len(orow)], a1[:len(orow)], a2[:len(orow)]
		b0, b1, b2 = b0[:len(orow)], b1[:len(orow)], b2[:len(orow)]
		c0, c1, c2 = c0[:len(orow)], c1[:len(orow)], c2[:len(orow)]
		for i := range orow {
			t0 := k0*a0[i] + k1*a1[i] + k2*a2[i]
			t1 := k3*b0[i] + k4*b1[i] + k5*b2[i]
			t2 := k6*c0[i] + k7*c1[i] + k8*c2[i]
			orow[i] = bias + t0 + (t1 + t2)
		}
		if relu {
			reluInPlace(orow)
		}
	}
}

// depthwise3x3 convolves each of c channels with its own 3×3 kernel
// (w: c×1×3×3), stride 1 or 2, dilation d, zero padding d. scratch must
// hold conv3x3Scratch(ih, iw, d) values; its contents are overwritten.
func depthwise3x3(out, in, w, bias, scratch []float32, c, ih, iw, oh, ow, stride, d int, relu bool) {
	t := newTaps3x3(ih, iw, stride, d)
	plane := scratch[:t.rows*t.pw]
	clear(plane)
	for ch := 0; ch < c; ch++ {
		t.fill(plane, in[ch*ih*iw:(ch+1)*ih*iw], ih, iw)
		conv3x3Plane(out[ch*oh*ow:(ch+1)*oh*ow], plane, w[ch*9:ch*9+9], bias[ch], &t, oh, ow, relu)
	}
}

// conv3x3 is a full 3×3 convolution (w: cout×cin×3×3), stride 1 or 2,
// padding 1. scratch must hold conv3x3Scratch(ih, iw, 1) values. With one
// input channel (the stem) the padded plane is built once and every output
// channel runs the shared plane kernel on it; with more input channels it
// falls back to conv3x3Direct.
func conv3x3(out, in, w, bias, scratch []float32, cin, cout, ih, iw, oh, ow, stride int, relu bool) {
	if cin != 1 {
		conv3x3Direct(out, in, w, bias, cin, cout, ih, iw, oh, ow, stride, relu)
		return
	}
	t := newTaps3x3(ih, iw, stride, 1)
	plane := scratch[:t.rows*t.pw]
	clear(plane)
	t.fill(plane, in[:ih*iw], ih, iw)
	for co := 0; co < cout; co++ {
		conv3x3Plane(out[co*oh*ow:(co+1)*oh*ow], plane, w[co*9:co*9+9], bias[co], &t, oh, ow, relu)
	}
}

// conv3x3Direct is a direct full 3×3 convolution for any number of input
// channels, stride 1 or 2, padding 1. Each output row takes one pass per
// input channel and kernel row; only the first and last output columns test
// the image border. No shipped model has a full 3×3 layer beyond the stem,
// so it is the plain form, not a tuned one.
func conv3x3Direct(out, in, w, bias []float32, cin, cout, ih, iw, oh, ow, stride int, relu bool) {
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
