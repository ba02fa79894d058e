//go:build goexperiment.simd && amd64 && !noasm

package gray

import "simd/archsimd"

// lowBytes gathers, in each 128-bit half, the low bytes of the eight
// 16-bit lanes into the half's first eight bytes (the rest zero).
var lowBytes = [32]int8{
	0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1,
	0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1,
}

// halvesTogether puts the two halves' first eight bytes side by side.
var halvesTogether = [8]uint32{0, 1, 4, 5, 2, 3, 6, 7}

// downscale2Rows is downscale2's loop over one output row, sixteen pixels
// at a time in AVX2 lanes: d[i] = (r0[2i] + r0[2i+1] + r1[2i] + r1[2i+1]
// + 2) >> 2 in 16-bit lanes, the same sums and rounding as the scalar
// loop. It returns how many pixels of d it wrote (a multiple of 16); the
// caller does the rest. len(r0), len(r1) ≥ 2·len(d).
func downscale2Rows(d, r0, r1 []byte) int {
	low := archsimd.BroadcastUint16x16(0x00ff)
	two := archsimd.BroadcastUint16x16(2)
	gather := archsimd.LoadInt8x32(&lowBytes)
	order := archsimd.LoadUint32x8(&halvesTogether)
	ox := 0
	for ; ox+16 <= len(d); ox += 16 {
		a := archsimd.LoadUint8x32Slice(r0[2*ox : 2*ox+32]).AsUint16x16()
		b := archsimd.LoadUint8x32Slice(r1[2*ox : 2*ox+32]).AsUint16x16()
		s := a.And(low).Add(a.ShiftAllRight(8)).Add(b.And(low)).Add(b.ShiftAllRight(8)).Add(two).ShiftAllRight(2)
		v := s.AsUint8x32().PermuteOrZeroGrouped(gather).AsUint32x8().Permute(order).AsUint8x32()
		v.GetLo().StoreSlice(d[ox : ox+16])
	}
	archsimd.ClearAVXUpperBits()
	return ox
}
