//go:build goexperiment.simd && amd64 && !noasm

package qr

import (
	"encoding/binary"
	"simd/archsimd"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// laneBytes[m] has byte k set to bit k of m: a comparison's eight-lane mask
// as eight bitmap pixels.
var laneBytes = func() (t [256]uint64) {
	for m := range t {
		for k := range 8 {
			t[m] |= uint64(m>>k&1) << (8 * k)
		}
	}
	return t
}()

// binarizeRowsSIMD fills out (w×h, the bitmap's pixels) as binarizeInto's
// scalar loop does, eight pixels at a time in AVX2 lanes: the same uint32
// sums and the same comparison, so the bitmap is the same
// (TestBinarizeMatchesNaive runs on both paths). Each row first updates
// every column sum (eight columns at a time); then the window sums of
// eight pixels are the row's running sum plus an inclusive prefix sum of
// what each step gains (columns entering less columns leaving), taken in
// three shift-and-add steps across the lanes, in the interior and on the
// borders, where the window is clipped (there each lane has its own
// area). The last few pixels of each stretch are done one at a time.
//
// col holds the column sums of the window above row 0 (rows [0, r)).
func binarizeRowsSIMD(p *gray.Plane, out []byte, col []uint32, r int) {
	w, h := p.W, p.H
	lo, hi := min(r, w), max(min(w-r-1, w), min(r, w))
	zero := make([]byte, w)
	// lane k of the shifted vector is lane k−s (zero below s)
	shift := func(s int) (archsimd.Uint32x8, archsimd.Uint32x8) {
		var idx, keep [8]uint32
		for k := range 8 {
			if k >= s {
				idx[k], keep[k] = uint32(k-s), ^uint32(0)
			}
		}
		return archsimd.LoadUint32x8(&idx), archsimd.LoadUint32x8(&keep)
	}
	i1, m1 := shift(1)
	i2, m2 := shift(2)
	i4, m4 := shift(4)
	last := archsimd.BroadcastUint32x8(7)
	lanes := archsimd.LoadUint32x8(&[8]uint32{0, 1, 2, 3, 4, 5, 6, 7})
	k31 := archsimd.BroadcastUint32x8(31)
	for y := 0; y < h; y++ {
		add, sub, rows := windowRows(p, zero, y, r)
		// every column takes row y+r and drops row y−r−1
		x := 0
		for ; x+16 <= w; x += 8 {
			a := archsimd.LoadUint8x16Slice(add[x : x+16]).ExtendLo8ToUint32()
			s := archsimd.LoadUint8x16Slice(sub[x : x+16]).ExtendLo8ToUint32()
			c := col[x : x+8 : x+8]
			archsimd.LoadUint32x8Slice(c).Add(a).Sub(s).StoreSlice(c)
		}
		for ; x < w; x++ {
			col[x] += uint32(add[x]) - uint32(sub[x])
		}
		row := p.Row(y)[:w]
		o := out[y*w : (y+1)*w]
		sum := windowStart(col, r)
		// Eight pixels at a time from x, the window sums of lane k being
		// sum(x) + Σ_{i<k} d_i, where d_i is what the sum gains from
		// pixel x+i to x+i+1: the inclusive prefix sum of d (three
		// shift-and-add steps) less d itself.
		rows32 := archsimd.BroadcastUint32x8(rows * 32)
		base := archsimd.BroadcastUint32x8(sum)
		x = 0
		// left border: the window starts at column 0 and grows (area
		// x+r+1 columns); columns enter, none leaves
		for ; x+8 <= lo && x+r+9 <= w && x+16 <= w; x += 8 {
			d := archsimd.LoadUint32x8Slice(col[x+r+1 : x+r+9])
			in := d.Add(d.Permute(i1).And(m1))
			in = in.Add(in.Permute(i2).And(m2))
			in = in.Add(in.Permute(i4).And(m4))
			areas := lanes.Add(archsimd.BroadcastUint32x8(uint32(x + r + 1))).Mul(rows32)
			v := archsimd.LoadUint8x16Slice(row[x : x+16]).ExtendLo8ToUint32()
			dark := v.Mul(areas).AsInt32x8().Less(base.Add(in).Sub(d).Mul(k31).AsInt32x8())
			binary.LittleEndian.PutUint64(o[x:x+8], laneBytes[dark.ToBits()])
			base = base.Add(in.Permute(last))
		}
		sum = leftBorder(row, o, col, x, lo, r, rows, base.GetLo().GetElem(0))
		x = lo
		if hi > lo {
			// interior: one column enters and one leaves
			area := uint32(2*r+1) * rows * 32
			areas := archsimd.BroadcastUint32x8(area)
			base = archsimd.BroadcastUint32x8(sum)
			for ; x+8 <= hi && x+16 <= w; x += 8 {
				d := archsimd.LoadUint32x8Slice(col[x+r+1 : x+r+9]).Sub(archsimd.LoadUint32x8Slice(col[x-r : x-r+8]))
				in := d.Add(d.Permute(i1).And(m1))
				in = in.Add(in.Permute(i2).And(m2))
				in = in.Add(in.Permute(i4).And(m4))
				v := archsimd.LoadUint8x16Slice(row[x : x+16]).ExtendLo8ToUint32()
				dark := v.Mul(areas).AsInt32x8().Less(base.Add(in).Sub(d).Mul(k31).AsInt32x8())
				binary.LittleEndian.PutUint64(o[x:x+8], laneBytes[dark.ToBits()])
				base = base.Add(in.Permute(last))
			}
			sum = base.GetLo().GetElem(0)
			for ; x < hi; x++ {
				var d byte
				if uint32(row[x])*area < sum*31 {
					d = 1
				}
				o[x] = d
				sum += col[x+r+1] - col[x-r]
			}
		}
		// right border: the window ends at column w and shrinks (area
		// w−(x−r) columns); columns leave, none enters
		x = max(x, hi, lo)
		base = archsimd.BroadcastUint32x8(sum)
		for ; x >= r && x+8 <= w; x += 8 {
			d := archsimd.BroadcastUint32x8(0).Sub(archsimd.LoadUint32x8Slice(col[x-r : x-r+8]))
			in := d.Add(d.Permute(i1).And(m1))
			in = in.Add(in.Permute(i2).And(m2))
			in = in.Add(in.Permute(i4).And(m4))
			areas := archsimd.BroadcastUint32x8(uint32(w - x + r)).Sub(lanes).Mul(rows32)
			var px archsimd.Uint8x16
			if x+16 <= w {
				px = archsimd.LoadUint8x16Slice(row[x : x+16])
			} else {
				px = archsimd.LoadUint8x16SlicePart(row[x:w])
			}
			dark := px.ExtendLo8ToUint32().Mul(areas).AsInt32x8().Less(base.Add(in).Sub(d).Mul(k31).AsInt32x8())
			binary.LittleEndian.PutUint64(o[x:x+8], laneBytes[dark.ToBits()])
			base = base.Add(in.Permute(last))
		}
		rightBorder(row, o, col, x, r, rows, base.GetLo().GetElem(0))
	}
	archsimd.ClearAVXUpperBits()
}
