package gray

// Resampling.
//
// Geometry: output pixel centres map onto source pixel centres, so output
// pixel x of a w-wide result samples the source at sx = (x+½)·W/w − ½ (the
// convention of image/draw and of most imaging libraries). The whole image
// is scaled: the output's corners coincide with the source's corners, not
// its corner pixel centres.
//
// Downscale and ResizeArea average areas and are the right tools for
// reducing an image (no aliasing of fine module patterns into moiré).
// ResizeBilinear and ResizeBicubic interpolate and are meant for enlarging
// (small symbols before decoding); used to reduce by more than about 2 they
// skip pixels and alias.
//
// Interpolation positions are 16.16 fixed point, computed once per output
// column and once per output row; weights come from 8-bit phases (1/256
// pixel). Separable passes work on one row buffer padded with replicated
// edge pixels, so borders replicate and the inner loops carry no test.
// None runs in place: dst == src gives a new plane.

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Downscale reduces src by an integer factor, each output pixel being the
// rounded mean of a factor×factor block: out(x,y) = round(Σ block / factor²).
// The output is ⌊W/factor⌋×⌊H/factor⌋; the last W mod factor columns and
// H mod factor rows are dropped (use ResizeArea to keep them). factor ≤ 1
// copies src. Cost: one add per source pixel read, with dedicated loops for
// factors 2 (four output pixels a step), 3 (a block at once) and 4.
func Downscale(dst, src *Plane, factor int) *Plane {
	if factor <= 1 {
		return Copy(dst, src)
	}
	w, h := src.W/factor, src.H/factor
	dst = prepare(dst, src, w, h)
	if dst.empty() {
		return dst
	}
	switch factor {
	case 2:
		downscale2(dst, src)
		return dst
	case 3:
		downscale3(dst, src)
		return dst
	}
	var accBuf [stackRow]uint32
	acc := rowBuf32(accBuf[:], w)
	div := newDivider(factor * factor)
	for oy := 0; oy < h; oy++ {
		clear(acc)
		for j := 0; j < factor; j++ {
			row := src.Row(oy*factor + j)
			row = row[:w*factor]
			if factor == 4 {
				for ox := range acc {
					v := row[4*ox : 4*ox+4 : 4*ox+4]
					acc[ox] += uint32(v[0]) + uint32(v[1]) + uint32(v[2]) + uint32(v[3])
				}
				continue
			}
			for ox := range acc {
				var s uint32
				for _, v := range row[ox*factor : ox*factor+factor] {
					s += uint32(v)
				}
				acc[ox] += s
			}
		}
		d := dst.Row(oy)
		for ox, s := range acc {
			d[ox] = div.round(uint64(s))
		}
	}
	return dst
}

// downscale3 is Downscale for factor 3 (8–12 MP photos located at a
// third): the nine pixels of a block summed at once and rounded by
// divider's multiply.
func downscale3(dst, src *Plane) {
	div := newDivider(9)
	for oy := 0; oy < dst.H; oy++ {
		d := dst.Row(oy)
		n := 3 * len(d)
		r0, r1, r2 := src.Row(3 * oy)[:n], src.Row(3*oy + 1)[:n], src.Row(3*oy + 2)[:n]
		for ox := range d {
			i := 3 * ox
			a, b, c := r0[i:i+3:i+3], r1[i:i+3:i+3], r2[i:i+3:i+3]
			s := uint32(a[0]) + uint32(a[1]) + uint32(a[2]) +
				uint32(b[0]) + uint32(b[1]) + uint32(b[2]) +
				uint32(c[0]) + uint32(c[1]) + uint32(c[2])
			d[ox] = div.round(uint64(s))
		}
	}
}

// downscale2 is Downscale for factor 2: (a+b+c+d+2)>>2 per 2×2 block,
// four output pixels a step: the even and odd bytes of eight source pixels
// of each row are summed in the 16-bit lanes of a uint64 (at most 4·255 + 2).
func downscale2(dst, src *Plane) {
	const lanes = 0x00FF00FF00FF00FF
	const half = 0x0002000200020002 // rounding: +2 before >>2
	for oy := 0; oy < dst.H; oy++ {
		d := dst.Row(oy)
		r0 := src.Row(2 * oy)
		r1 := src.Row(2*oy + 1)
		r0, r1 = r0[:2*len(d)], r1[:2*len(d)]
		ox := 0
		if haveSIMD {
			ox = downscale2Rows(d, r0, r1)
		}
		for ; ox+4 <= len(d); ox += 4 {
			va := binary.LittleEndian.Uint64(r0[2*ox:])
			vb := binary.LittleEndian.Uint64(r1[2*ox:])
			s := va&lanes + (va>>8)&lanes + vb&lanes + (vb>>8)&lanes + half
			s = (s >> 2) & lanes
			s |= s >> 8
			binary.LittleEndian.PutUint32(d[ox:], uint32(s&0xFFFF)|uint32(s>>32)<<16)
		}
		for ; ox < len(d); ox++ {
			i := 2 * ox
			d[ox] = byte((uint32(r0[i]) + uint32(r0[i+1]) + uint32(r1[i]) + uint32(r1[i+1]) + 2) >> 2)
		}
	}
}

// samplePos returns the 16.16 fixed-point source coordinate of the centre of
// output pixel i when n source pixels map onto m output pixels.
func samplePos(i, n, m int) int64 {
	// ((2i+1)·n − m) / 2m pixels, floored, in units of 1/65536.
	return floorDiv((int64(2*i+1)*int64(n)-int64(m))<<16, int64(2*m))
}

// ResizeBilinear resamples src to w×h by bilinear interpolation with 8-bit
// weights: the result is within ±1 of exact bilinear interpolation, a
// constant plane stays constant and a linear ramp stays linear. w or h ≤ 0,
// or an empty src, gives an empty plane.
//
// Cost: per output row, one vertical blend over the source width, then one
// horizontal blend per output pixel (2 multiply-adds each).
func ResizeBilinear(dst, src *Plane, w, h int) *Plane {
	if src.empty() {
		return prepare(dst, src, 0, 0)
	}
	dst = prepare(dst, src, w, h)
	if dst.empty() || src.empty() {
		return dst
	}
	sw, sh := src.W, src.H
	// Column table: index of the left tap in the padded row, and its phase.
	var xiBuf [stackRow]int32
	var xfBuf [stackRow]uint32
	xi := rowBuf32i(xiBuf[:], w)
	xf := rowBuf32(xfBuf[:], w)
	for x := range w {
		p := samplePos(x, sw, w)
		xi[x] = int32(p>>16) + 1 // +1: offset of the padded row
		xf[x] = uint32(p>>8) & 255
	}
	var vBuf [stackRow + 2]uint32
	v := rowBuf32(vBuf[:], sw+2)
	body := v[1 : sw+1]
	for y := range h {
		p := samplePos(y, sh, h)
		i0 := int(p >> 16)
		fy := uint32(p>>8) & 255
		r0 := src.Row(clampInt(i0, 0, sh-1))
		r1 := src.Row(clampInt(i0+1, 0, sh-1))
		r0, r1 = r0[:len(body)], r1[:len(body)]
		for x := range body {
			body[x] = uint32(r0[x])*(256-fy) + uint32(r1[x])*fy
		}
		v[0], v[sw+1] = body[0], body[sw-1]
		d := dst.Row(y)
		d = d[:len(xi)]
		for x, i := range xi {
			f := xf[x]
			d[x] = byte((v[i]*(256-f) + v[i+1]*f + 1<<15) >> 16)
		}
	}
	return dst
}

// cubicPhases is the number of sub-pixel phases of the bicubic weight table.
const cubicPhases = 256

// cubicWeights returns the 11-bit Catmull-Rom weights (Keys' cubic with
// a = −½) of the four taps at offsets −1, 0, 1, 2 for each phase t = p/256;
// every row sums to exactly 2048.
func cubicWeights() [cubicPhases][4]int32 {
	var tab [cubicPhases][4]int32
	for p := range cubicPhases {
		t := float64(p) / cubicPhases
		f := [4]float64{
			((-0.5*t+1)*t - 0.5) * t,
			(1.5*t-2.5)*t*t + 1,
			((-1.5*t+2)*t + 0.5) * t,
			(0.5*t - 0.5) * t * t,
		}
		var sum int32
		for j := range f {
			tab[p][j] = int32(math.Round(f[j] * 2048))
			sum += tab[p][j]
		}
		// Put the rounding residue on the heavier centre tap.
		if t < 0.5 {
			tab[p][1] += 2048 - sum
		} else {
			tab[p][2] += 2048 - sum
		}
	}
	return tab
}

// ResizeBicubic resamples src to w×h with the Catmull-Rom cubic (Keys 1981,
// a = −½), 11-bit weights per axis and 1/256-pixel phases, rounding and
// clamping to 0..255. It keeps module edges sharper than ResizeBilinear when
// enlarging a small symbol, at the price of a slight overshoot (ringing) next
// to each edge. A constant plane stays constant. w or h ≤ 0, or an empty src,
// gives an empty plane.
//
// Cost: per output row, a 4-tap vertical pass over the source width, then a
// 4-tap horizontal pass per output pixel.
func ResizeBicubic(dst, src *Plane, w, h int) *Plane {
	if src.empty() {
		return prepare(dst, src, 0, 0)
	}
	dst = prepare(dst, src, w, h)
	if dst.empty() || src.empty() {
		return dst
	}
	sw, sh := src.W, src.H
	tab := cubicWeights()
	var xiBuf [stackRow]int32
	var xfBuf [stackRow]uint32
	xi := rowBuf32i(xiBuf[:], w)
	xf := rowBuf32(xfBuf[:], w)
	for x := range w {
		p := samplePos(x, sw, w)
		xi[x] = int32(p>>16) + 1 // first tap at index−1, row padded by 2
		xf[x] = uint32(p>>8) & 255
	}
	var vBuf [stackRow + 4]int32
	v := rowBuf32i(vBuf[:], sw+4)
	body := v[2 : sw+2]
	for y := range h {
		p := samplePos(y, sh, h)
		i0 := int(p >> 16)
		wy := &tab[uint32(p>>8)&255]
		ra := src.Row(clampInt(i0-1, 0, sh-1))
		rb := src.Row(clampInt(i0, 0, sh-1))
		rc := src.Row(clampInt(i0+1, 0, sh-1))
		rd := src.Row(clampInt(i0+2, 0, sh-1))
		ra, rb, rc, rd = ra[:len(body)], rb[:len(body)], rc[:len(body)], rd[:len(body)]
		w0, w1, w2, w3 := wy[0], wy[1], wy[2], wy[3]
		for x := range body {
			body[x] = w0*int32(ra[x]) + w1*int32(rb[x]) + w2*int32(rc[x]) + w3*int32(rd[x])
		}
		v[0], v[1] = body[0], body[0]
		v[sw+2], v[sw+3] = body[sw-1], body[sw-1]
		d := dst.Row(y)
		d = d[:len(xi)]
		for x, i := range xi {
			wx := &tab[xf[x]]
			t := v[i : i+4 : i+4]
			s := wx[0]*t[0] + wx[1]*t[1] + wx[2]*t[2] + wx[3]*t[3]
			d[x] = byte(min(max((s+1<<21)>>22, 0), 255))
		}
	}
	return dst
}

// ResizeArea resamples src to w×h by exact area averaging: each output pixel
// is the mean of the source area it covers, fractional pixels at its edges
// weighted by the covered fraction, rounded to nearest. It handles any
// ratio (including up, where it degrades to nearest-neighbour-like blocks);
// when W and H are exact multiples of w and h it is the same as Downscale.
// w or h ≤ 0, or an empty src, gives an empty plane.
//
// Cost: about three integer operations per source pixel plus one or two
// multiply-adds per output pixel and source row.
func ResizeArea(dst, src *Plane, w, h int) *Plane {
	if src.empty() {
		return prepare(dst, src, 0, 0)
	}
	if w > 0 && h > 0 && src.W%w == 0 && src.H%h == 0 && src.W/w == src.H/h {
		return Downscale(dst, src, src.W/w)
	}
	dst = prepare(dst, src, w, h)
	if dst.empty() || src.empty() {
		return dst
	}
	sw, sh := src.W, src.H
	var hBuf [stackRow]uint32
	var vBuf [stackRow]uint64
	hacc := rowBuf32(hBuf[:], w)
	vacc := rowBuf64(vBuf[:], w)
	clear(vacc)
	total := uint64(sw) * uint64(sh) // weight of one output pixel
	div := newWideDivider(2 * total)
	// Output row oy covers source units [oy·sh, (oy+1)·sh) in units of 1/h
	// source row; source row j covers [j·h, (j+1)·h). Same for columns.
	oy, yEnd := 0, sh
	for j := range sh {
		areaRow(hacc, src.Row(j), sw, w)
		s, e := j*h, (j+1)*h
		for e > yEnd {
			accumulate(vacc, hacc, uint64(yEnd-s))
			emitArea(dst.Row(oy), vacc, div, total)
			s = yEnd
			oy++
			yEnd += sh
		}
		accumulate(vacc, hacc, uint64(e-s))
		if e == yEnd && oy < h {
			emitArea(dst.Row(oy), vacc, div, total)
			oy++
			yEnd += sh
		}
	}
	return dst
}

// areaRow sets hacc[ox] to Σ overlap·pixel for output column ox of a w-wide
// row (overlaps in units of 1/w source pixel, summing to sw per column). The
// running column total stays in a register; it is stored when the column
// ends.
func areaRow(hacc []uint32, row []byte, sw, w int) {
	hacc = hacc[:w]
	ox, end := 0, sw // current output column and where it ends
	var acc uint32
	uw := uint32(w)
	for i, p := range row[:sw] {
		e := (i + 1) * w
		if e < end { // the usual case when reducing: inside the column
			acc += uint32(p) * uw
			continue
		}
		s := i * w
		// The pixel reaches the end of column ox (and, when enlarging,
		// covers further columns whole).
		hacc[ox] = acc + uint32(p)*uint32(end-s)
		ox++
		s = end
		end += sw
		for e >= end && ox < w {
			hacc[ox] = uint32(p) * uint32(sw)
			ox++
			s = end
			end += sw
		}
		acc = uint32(p) * uint32(e-s)
	}
}

func accumulate(vacc []uint64, hacc []uint32, wt uint64) {
	if wt == 0 {
		return
	}
	hacc = hacc[:len(vacc)]
	for i, v := range hacc {
		vacc[i] += uint64(v) * wt
	}
}

// emitArea writes round(vacc/total) to d and clears vacc.
func emitArea(d []byte, vacc []uint64, div wideDivider, total uint64) {
	d = d[:len(vacc)]
	for i, s := range vacc {
		d[i] = byte(div.div(2*s + total)) // ⌊(2s+t)/2t⌋ = round(s/t)
		vacc[i] = 0
	}
}

// wideDivider divides by a fixed d with one 64×64→128-bit multiply instead
// of a 64-bit division (Granlund & Montgomery 1994, "Division by invariant
// integers using multiplication"): with 2^l ≤ d < 2^(l+1) and
// m = ⌈2^(64+l)/d⌉, ⌊x/d⌋ = ⌊x·m / 2^(64+l)⌋ for every x < 2^63.
type wideDivider struct {
	m     uint64
	shift uint
	pow2  bool // d is a power of two: a shift
}

func newWideDivider(d uint64) wideDivider {
	l := uint(bits.Len64(d) - 1)
	if d&(d-1) == 0 {
		return wideDivider{shift: l, pow2: true}
	}
	m, _ := bits.Div64(1<<l, 0, d) // ⌊2^(64+l)/d⌋; d is not a power of two
	return wideDivider{m: m + 1, shift: l}
}

// div returns ⌊x/d⌋ for x < 2^63.
func (v wideDivider) div(x uint64) uint64 {
	if v.pow2 {
		return x >> v.shift
	}
	hi, _ := bits.Mul64(x, v.m)
	return hi >> v.shift
}
