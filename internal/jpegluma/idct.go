package jpegluma

import "encoding/binary"

// The inverse DCT (ITU-T T.81 section A.3.3) of one 8×8 block, in integer
// arithmetic that is bit-identical to Go's image/jpeg (Go 1.26, dct.go): the
// same Loeffler–Ligtenberg–Moschytz factorisation ("Practical fast 1-D DCT
// algorithms with 11 multiplications", ICASSP 1989) with the same fixed-point
// constants, the same shifts at the same places and int32 wrap-around, so
// that every block, corrupt ones included, gives the same pixels as the
// standard library. Keeping the output identical means that switching
// decoders cannot change which QR codes are read.
//
// One 1-D IDCT on eight coefficients f0..f7 runs in three steps:
//
//   - even part: f0 and f4 go through a butterfly, f2 and f6 through a
//     rotation by 6π/16 scaled by 1/√2, and the two pairs through a second
//     butterfly (t0..t3);
//   - odd part: f1 and f7 go through a butterfly, f3 and f5 are scaled by
//     1/√2 and added, and the two pairs are rotated by 3π/16 and π/16
//     (q4..q7);
//   - output: out[k] = t[k] ± q[7-k].
//
// A rotation uses three multiplications (rot below). The row pass keeps 17 to
// 20 fractional bits; the column pass adds the rounding half to the DC term,
// drops the fractional bits and leaves 8 × the sample value, to which the
// level shift (+128) and the clamp to [0, 255] are applied as it is stored.
//
// Speed: a row whose AC coefficients are all zero is filled with its DC term
// (exactly what the full row pass computes for it), and a block whose only
// non-zero coefficient is DC is a constant (idctDC). The column pass has no
// shortcut. Builds with Go's simd experiment run idctBlockSIMD
// (idct_simd.go) on CPUs with AVX2: the same bytes, eight rows or columns
// at a time.

// Fixed-point constants, each round(v × 2^bits) for the value v named.
const (
	k18S2iCos6 = 70936  // (1/√2)·cos 6π/16, 18 bits
	k18S2iSin6 = 171254 // (1/√2)·sin 6π/16, 18 bits
	k8S2i      = 181    // 1/√2, 8 bits
	k14S2i     = 11585  // 1/√2, 14 bits
	k12S2iCos6 = 1108   // (1/√2)·cos 6π/16, 12 bits
	k12S2iSin6 = 2676   // (1/√2)·sin 6π/16, 12 bits
	k12Cos3    = 3406   // cos 3π/16, 12 bits
	k12Sin3    = 2276   // sin 3π/16, 12 bits
	k12Cos1    = 4017   // cos π/16, 12 bits
	k12Sin1    = 799    // sin π/16, 12 bits
)

// rot returns (x0·kc + x1·ks, −x0·ks + x1·kc) with three multiplications.
func rot(x0, x1, kc, ks int32) (y0, y1 int32) {
	s := kc * (x0 + x1)
	return s + (ks-kc)*x1, s - (kc+ks)*x0
}

// idctBlock transforms the dequantised coefficients c (natural order) and
// stores the 8×8 samples at dst with the given stride. c is not modified;
// tmp is scratch. dst must hold 7*stride+8 bytes.
func idctBlock(c *[64]int32, tmp *[64]int32, dst []byte, stride int) {
	// Row pass.
	for i := 0; i < 64; i += 8 {
		r := c[i : i+8 : i+8]
		o := tmp[i : i+8 : i+8]
		if r[1]|r[2]|r[3]|r[4]|r[5]|r[6]|r[7] == 0 {
			v := r[0] << 17
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
			continue
		}
		a0, a1 := r[0]<<17, r[4]<<17
		e0, e1 := a0+a1, a0-a1
		e2, e3 := rot(r[2], r[6], k18S2iCos6, -k18S2iSin6)
		t0, t1, t2, t3 := e0+e3, e1+e2, e1-e2, e0-e3

		b7, b4 := r[1]<<7, r[7]<<7
		o7, o4 := b7+b4, b7-b4
		x5, x6 := r[3]*k8S2i, r[5]*k8S2i
		p7, p5 := o7+x5, o7-x5
		p4, p6 := o4+x6, o4-x6
		q4, q7 := rot(p4>>2, p7>>2, k12Cos3, -k12Sin3)
		q5, q6 := rot(p5>>2, p6>>2, k12Cos1, -k12Sin1)

		o[0], o[7] = t0+q7, t0-q7
		o[1], o[6] = t1+q6, t1-q6
		o[2], o[5] = t2+q5, t2-q5
		o[3], o[4] = t3+q4, t3-q4
	}
	// Column pass, level shift, clamp and store.
	_ = dst[7*stride+7]
	for i := 0; i < 8; i++ {
		g0 := tmp[i] + 1<<19
		g4 := tmp[32+i]
		e0, e1 := (g0+g4)>>2, (g0-g4)>>2
		e2, e3 := rot(tmp[16+i]>>13, tmp[48+i]>>13, k12S2iCos6, -k12S2iSin6)
		t0, t1, t2, t3 := e0+e3, e1+e2, e1-e2, e0-e3

		g1, g7 := tmp[8+i], tmp[56+i]
		o7, o4 := g1+g7, g1-g7
		x5, x6 := (tmp[24+i]>>13)*k14S2i, (tmp[40+i]>>13)*k14S2i
		p7, p5 := o7+x5, o7-x5
		p4, p6 := o4+x6, o4-x6
		q4, q7 := rot(p4>>14, p7>>14, k12Cos3, -k12Sin3)
		q5, q6 := rot(p5>>14, p6>>14, k12Cos1, -k12Sin1)

		d := dst[i:]
		d[0] = sample((t0 + q7) >> 18)
		d[stride] = sample((t1 + q6) >> 18)
		d[2*stride] = sample((t2 + q5) >> 18)
		d[3*stride] = sample((t3 + q4) >> 18)
		d[4*stride] = sample((t3 - q4) >> 18)
		d[5*stride] = sample((t2 - q5) >> 18)
		d[6*stride] = sample((t1 - q6) >> 18)
		d[7*stride] = sample((t0 - q7) >> 18)
	}
}

// sample level-shifts v (8 × a centred sample, already divided: see idct)
// by +128 and clamps it to [0, 255] (T.81 section A.3.1).
func sample(v int32) byte {
	if uint32(v+128) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v + 128)
}

// idctDC stores the block whose only non-zero coefficient is the
// dequantised DC term dc: all 64 samples equal, as idctBlock would compute
// them.
func idctDC(dc int32, dst []byte, stride int) {
	v := uint64(sample((dc<<17+1<<19)>>20)) * 0x0101010101010101
	_ = dst[7*stride+7]
	for y := 0; y < 8; y++ {
		binary.LittleEndian.PutUint64(dst[y*stride:], v)
	}
}

// transform is idctBlock, through the AVX2 form where this build and the
// CPU have it (idctBlockSIMD: the same bytes, about 5× faster).
func transform(c *[64]int32, tmp *[64]int32, dst []byte, stride int) {
	if haveSIMD {
		idctBlockSIMD(c, dst, stride)
		return
	}
	idctBlock(c, tmp, dst, stride)
}
