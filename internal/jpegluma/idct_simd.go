//go:build goexperiment.simd && amd64 && !noasm

package jpegluma

import (
	"encoding/binary"
	"simd/archsimd"
)

// haveSIMD reports whether idctBlockSIMD may be called: this build has the
// AVX2 transform and the CPU supports AVX2. The transform ends with
// VZEROUPPER (archsimd.ClearAVXUpperBits): the SSE float code that runs on
// the decoded plane afterwards is slow while the upper halves of the
// vector registers are dirty.
var haveSIMD = archsimd.X86.AVX2()

// idctBlockSIMD computes exactly what idctBlock computes, eight lanes at a
// time in AVX2 registers: the same integer operations in the same order with
// the same int32 wrap-around (VPMULLD keeps the low 32 bits of a product, as
// Go's int32 multiplication does, and VPSRAD shifts arithmetically, as >> on
// int32 does), so the pixels are bit-identical. TestIDCTSIMD checks it on
// impulses, random blocks and blocks that overflow.
//
// The row pass needs one coefficient of every row per register, so the
// block is transposed first (eight rows in, eight columns out); after the
// row pass a second transpose gives the column pass its rows back. The
// column pass's results are level-shifted, saturated to [0, 255] by two
// packs (VPACKUSDW, then a byte shuffle, since AVX2's 16-to-8 pack is not
// exposed) and stored eight bytes a row. The row pass has no all-zero-AC
// shortcut: the full pass computes the same values for such a row.
//
// Precondition: haveSIMD; dst holds 7*stride+8 bytes.
func idctBlockSIMD(c *[64]int32, dst []byte, stride int) {
	_ = dst[7*stride+7]
	// Columns of the coefficients: lane i of k0..k7 is row i's coefficient k.
	k0, k1, k2, k3, k4, k5, k6, k7 := transpose8(
		archsimd.LoadInt32x8((*[8]int32)(c[0:8])),
		archsimd.LoadInt32x8((*[8]int32)(c[8:16])),
		archsimd.LoadInt32x8((*[8]int32)(c[16:24])),
		archsimd.LoadInt32x8((*[8]int32)(c[24:32])),
		archsimd.LoadInt32x8((*[8]int32)(c[32:40])),
		archsimd.LoadInt32x8((*[8]int32)(c[40:48])),
		archsimd.LoadInt32x8((*[8]int32)(c[48:56])),
		archsimd.LoadInt32x8((*[8]int32)(c[56:64])),
	)

	// Row pass (idctBlock's first loop, every row at once).
	a0, a1 := k0.ShiftAllLeft(17), k4.ShiftAllLeft(17)
	e0, e1 := a0.Add(a1), a0.Sub(a1)
	e2, e3 := rotV(k2, k6, k18S2iCos6, -k18S2iSin6)
	t0, t1, t2, t3 := e0.Add(e3), e1.Add(e2), e1.Sub(e2), e0.Sub(e3)

	b7, b4 := k1.ShiftAllLeft(7), k7.ShiftAllLeft(7)
	o7, o4 := b7.Add(b4), b7.Sub(b4)
	m := archsimd.BroadcastInt32x8(k8S2i)
	x5, x6 := k3.Mul(m), k5.Mul(m)
	p7, p5 := o7.Add(x5), o7.Sub(x5)
	p4, p6 := o4.Add(x6), o4.Sub(x6)
	q4, q7 := rotV(p4.ShiftAllRight(2), p7.ShiftAllRight(2), k12Cos3, -k12Sin3)
	q5, q6 := rotV(p5.ShiftAllRight(2), p6.ShiftAllRight(2), k12Cos1, -k12Sin1)

	// Rows of the intermediate block: lane j of r0..r7 is tmp[8r+j].
	r0, r1, r2, r3, r4, r5, r6, r7 := transpose8(
		t0.Add(q7), t1.Add(q6), t2.Add(q5), t3.Add(q4),
		t3.Sub(q4), t2.Sub(q5), t1.Sub(q6), t0.Sub(q7),
	)

	// Column pass (idctBlock's second loop, every column at once).
	g0 := r0.Add(archsimd.BroadcastInt32x8(1 << 19))
	e0, e1 = g0.Add(r4).ShiftAllRight(2), g0.Sub(r4).ShiftAllRight(2)
	e2, e3 = rotV(r2.ShiftAllRight(13), r6.ShiftAllRight(13), k12S2iCos6, -k12S2iSin6)
	t0, t1, t2, t3 = e0.Add(e3), e1.Add(e2), e1.Sub(e2), e0.Sub(e3)

	o7, o4 = r1.Add(r7), r1.Sub(r7)
	m = archsimd.BroadcastInt32x8(k14S2i)
	x5, x6 = r3.ShiftAllRight(13).Mul(m), r5.ShiftAllRight(13).Mul(m)
	p7, p5 = o7.Add(x5), o7.Sub(x5)
	p4, p6 = o4.Add(x6), o4.Sub(x6)
	q4, q7 = rotV(p4.ShiftAllRight(14), p7.ShiftAllRight(14), k12Cos3, -k12Sin3)
	q5, q6 = rotV(p5.ShiftAllRight(14), p6.ShiftAllRight(14), k12Cos1, -k12Sin1)

	var rows [8]uint64
	packRows(&rows, 0, t0.Add(q7), t1.Add(q6), t2.Add(q5), t3.Add(q4))
	packRows(&rows, 4, t3.Sub(q4), t2.Sub(q5), t1.Sub(q6), t0.Sub(q7))
	for y, v := range rows {
		binary.LittleEndian.PutUint64(dst[y*stride:], v)
	}
	archsimd.ClearAVXUpperBits()
}

// rotV is rot on eight lanes.
func rotV(x0, x1 archsimd.Int32x8, kc, ks int32) (y0, y1 archsimd.Int32x8) {
	s := x0.Add(x1).Mul(archsimd.BroadcastInt32x8(kc))
	return s.Add(x1.Mul(archsimd.BroadcastInt32x8(ks - kc))), s.Sub(x0.Mul(archsimd.BroadcastInt32x8(kc + ks)))
}

// transpose8 transposes the 8×8 matrix whose rows are a0..a7.
func transpose8(a0, a1, a2, a3, a4, a5, a6, a7 archsimd.Int32x8) (c0, c1, c2, c3, c4, c5, c6, c7 archsimd.Int32x8) {
	// Pairs of rows interleaved: t0 = a0₀ a1₀ a0₁ a1₁ | a0₄ a1₄ a0₅ a1₅, …
	t0, t1 := a0.InterleaveLoGrouped(a1).AsInt64x4(), a0.InterleaveHiGrouped(a1).AsInt64x4()
	t2, t3 := a2.InterleaveLoGrouped(a3).AsInt64x4(), a2.InterleaveHiGrouped(a3).AsInt64x4()
	t4, t5 := a4.InterleaveLoGrouped(a5).AsInt64x4(), a4.InterleaveHiGrouped(a5).AsInt64x4()
	t6, t7 := a6.InterleaveLoGrouped(a7).AsInt64x4(), a6.InterleaveHiGrouped(a7).AsInt64x4()
	// Quads: u0 = column 0 of rows 0–3 | column 4 of rows 0–3, …
	u0, u1 := t0.InterleaveLoGrouped(t2).AsInt32x8(), t0.InterleaveHiGrouped(t2).AsInt32x8()
	u2, u3 := t1.InterleaveLoGrouped(t3).AsInt32x8(), t1.InterleaveHiGrouped(t3).AsInt32x8()
	u4, u5 := t4.InterleaveLoGrouped(t6).AsInt32x8(), t4.InterleaveHiGrouped(t6).AsInt32x8()
	u6, u7 := t5.InterleaveLoGrouped(t7).AsInt32x8(), t5.InterleaveHiGrouped(t7).AsInt32x8()
	// Halves: rows 0–3 from u, rows 4–7 from the matching u of rows 4–7.
	c0, c4 = u0.Select128FromPair(0, 2, u4), u0.Select128FromPair(1, 3, u4)
	c1, c5 = u1.Select128FromPair(0, 2, u5), u1.Select128FromPair(1, 3, u5)
	c2, c6 = u2.Select128FromPair(0, 2, u6), u2.Select128FromPair(1, 3, u6)
	c3, c7 = u3.Select128FromPair(0, 2, u7), u3.Select128FromPair(1, 3, u7)
	return
}

// packShuffle gathers, in each 128-bit half, the even bytes then the odd
// ones: packRows's 16-bit lanes hold rows 0 and 1 in their low bytes and
// rows 2 and 3 in their high bytes, four columns of each row.
var packShuffle = [32]int8{
	0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15,
	0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15,
}

// packRows divides four rows of column-pass results by 2^18 (as idctBlock's
// stores do), level-shifts them, saturates them to [0, 255] as sample
// does, and stores their bytes in rows[at:at+4] (row y's eight pixels in
// little-endian order).
func packRows(rows *[8]uint64, at int, v0, v1, v2, v3 archsimd.Int32x8) {
	shift := archsimd.BroadcastInt32x8(128)
	hi := archsimd.BroadcastUint16x16(255)
	// 16-bit lanes: v0₀₋₃ v1₀₋₃ | v0₄₋₇ v1₄₋₇, saturated to [0, 65535],
	// then to 255.
	p01 := v0.ShiftAllRight(18).Add(shift).SaturateToUint16ConcatGrouped(v1.ShiftAllRight(18).Add(shift)).Min(hi)
	p23 := v2.ShiftAllRight(18).Add(shift).SaturateToUint16ConcatGrouped(v3.ShiftAllRight(18).Add(shift)).Min(hi)
	// Bytes: 16-bit lane j holds p01's lane j low and p23's lane j high.
	b := p01.Or(p23.ShiftAllLeft(8)).AsUint8x32()
	// Per half, after the shuffle: v0's four, v1's four, v2's four, v3's
	// four (the half's columns); then the halves interleaved by 32 bits.
	w := b.PermuteOrZeroGrouped(archsimd.LoadInt8x32(&packShuffle)).AsUint32x8()
	w = w.Permute(archsimd.LoadUint32x8(&packOrder))
	w.AsUint64x4().Store((*[4]uint64)(rows[at : at+4]))
}

// packOrder puts each row's two 32-bit halves side by side.
var packOrder = [8]uint32{0, 4, 1, 5, 2, 6, 3, 7}
