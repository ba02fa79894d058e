package jpegluma

import (
	"bytes"
	"math"
	"math/bits"
)

// Progressive DCT (ITU-T T.81 Annex G, SOF2 with Huffman coding).
//
// A progressive frame sends each block's coefficients in several scans:
// spectral selection splits the zig-zag sequence into bands (Ss..Se; the DC
// coefficient alone is band 0..0) and successive approximation sends the
// bits of a band from the most significant down (a first scan with Ah = 0
// sends the values shifted right by Al, each refinement scan with Ah = Al+1
// one more bit). Only DC scans may interleave components (section G.1.1.1.1).
//
// The luma coefficients are kept between scans in d.prog, 64 int16 per block
// in zig-zag order, over the whole MCU grid (image/jpeg's layout), with a
// 64-bit mask per block of the coefficients that are non-zero (d.progMask):
// a refinement scan then visits only the non-zero coefficients and finds
// the n-th zero one with bit operations instead of testing each of the 63.
// The coefficients are dequantised and transformed once, after the last scan
// (reconstruct). Scans that do not include luma are never Huffman-decoded:
// skipScan jumps to the next marker. Interleaved DC scans walk the chroma
// blocks' bits to stay in step but store nothing for them.
//
// image/jpeg keeps coefficients in int32. A coefficient that does not fit in
// int16 (impossible in a conforming 8-bit file: T.81 bounds DC differences
// to category 11 and AC values to category 10) makes the decode fail with
// ErrUnsupported, so that a fallback to image/jpeg still reproduces it.

// progScan holds the progressive parameters of a scan (section B.2.3).
type progScan struct {
	ss, se int    // spectral selection, zig-zag indices
	ah, al uint32 // successive approximation bit positions
}

// errRange is returned for a coefficient beyond int16.
var errRange = unsupported("progressive coefficient beyond 16 bits")

// fits16 tells whether v is representable as an int16.
func fits16(v int32) bool { return v >= math.MinInt16 && v <= math.MaxInt16 }

// skipScan returns the offset of the first marker at or after p that ends a
// scan's entropy-coded data: a 0xFF followed by neither a stuffed 0x00 nor a
// restart marker RST0..RST7 (section B.1.1.5). It returns len(data) when
// there is none.
func (d *decoder) skipScan(p int) int {
	data := d.data
	for p < len(data) {
		i := bytes.IndexByte(data[p:], 0xff)
		if i < 0 {
			return len(data)
		}
		p += i
		if p+1 >= len(data) {
			return p
		}
		switch m := data[p+1]; {
		case m == 0 || (mRST0 <= m && m <= mRST7):
			p += 2
		case m == 0xff:
			p++
		default:
			return p
		}
	}
	return len(data)
}

// progCoefs returns the luma coefficient buffer and masks, allocating or
// clearing them on the first luma scan of the frame: stride×rows blocks.
func (d *decoder) progCoefs(stride, rows int) ([]int16, []uint64) {
	if d.progStride != 0 {
		return d.prog, d.progMask
	}
	nb := stride * rows
	if cap(d.prog) >= 64*nb {
		d.prog = d.prog[:64*nb]
		clear(d.prog)
	} else {
		d.prog = make([]int16, 64*nb)
	}
	if cap(d.progMask) >= nb {
		d.progMask = d.progMask[:nb]
		clear(d.progMask)
	} else {
		d.progMask = make([]uint64, nb)
	}
	d.progStride = stride
	return d.prog, d.progMask
}

// progScanData decodes the entropy-coded data of a progressive scan that
// includes the luma component (processSOS has checked its header).
func (d *decoder) progScanData(sc []scanComp, ps progScan, mxx, myy int) error {
	h0, v0 := d.comp[0].h, d.comp[0].v
	if d.nComp == 1 {
		h0, v0 = 1, 1
	}
	coefs, masks := d.progCoefs(mxx*h0, myy*v0)
	stride := d.progStride
	if len(sc) == 1 {
		// Non-interleaved: luma blocks in raster order, each its own MCU
		// (section A.2.2); only blocks inside the image are coded.
		bw, bh := (d.width+7)/8, (d.height+7)/8
		var pred int32
		total := bw * bh
		mcu, nextRST := 0, byte(mRST0)
		for by := 0; by < bh; by++ {
			for bx := 0; bx < bw; bx++ {
				if ps.ss > 0 && ps.ah == 0 && d.eobRun > 0 {
					d.eobRun-- // inside an EOB run: nothing to read
				} else {
					i := by*stride + bx
					if err := d.progBlock(&sc[0], ps, &pred, (*[64]int16)(coefs[64*i:]), &masks[i]); err != nil {
						return err
					}
				}
				mcu++
				if d.ri > 0 && mcu%d.ri == 0 && mcu < total {
					if err := d.restart(nextRST); err != nil {
						return err
					}
					nextRST = mRST0 + (nextRST-mRST0+1)&7
					pred = 0
				}
			}
		}
		return nil
	}
	// Interleaved (DC only): every block of every MCU, padding included,
	// each component's H×V blocks in raster order within the MCU.
	var pred [3]int32
	total := mxx * myy
	mcu, nextRST := 0, byte(mRST0)
	for my := 0; my < myy; my++ {
		for mx := 0; mx < mxx; mx++ {
			for i := range sc {
				c := &sc[i]
				h, v := d.comp[c.ci].h, d.comp[c.ci].v
				for y := 0; y < v; y++ {
					for x := 0; x < h; x++ {
						var blk *[64]int16
						if c.ci == 0 {
							blk = (*[64]int16)(coefs[64*((my*v+y)*stride+mx*h+x):])
						}
						var err error
						if ps.ah == 0 {
							err = d.dcFirst(c, ps.al, &pred[c.ci], blk)
						} else {
							err = d.dcRefine(ps.al, blk)
						}
						if err != nil {
							return err
						}
						if d.br.n < d.br.pad {
							return d.errShort()
						}
					}
				}
			}
			mcu++
			if d.ri > 0 && mcu%d.ri == 0 && mcu < total {
				if err := d.restart(nextRST); err != nil {
					return err
				}
				nextRST = mRST0 + (nextRST-mRST0+1)&7
				pred = [3]int32{}
			}
		}
	}
	return nil
}

// progBlock decodes one block's part of a non-interleaved progressive scan
// into blk and its mask of non-zero AC coefficients.
func (d *decoder) progBlock(c *scanComp, ps progScan, pred *int32, blk *[64]int16, mask *uint64) error {
	var err error
	switch {
	case ps.ss == 0 && ps.ah == 0:
		err = d.dcFirst(c, ps.al, pred, blk)
	case ps.ss == 0:
		err = d.dcRefine(ps.al, blk)
	case ps.ah == 0:
		err = d.acFirst(c.ac, ps, blk, mask)
	default:
		err = d.acRefine(c.ac, ps, blk, mask)
	}
	if err != nil {
		return err
	}
	if d.br.n < d.br.pad {
		return d.errShort()
	}
	return nil
}

// dcFirst decodes a DC difference (section G.1.2.1: F.2.2.1 on the value
// shifted right by Al) and stores the prediction shifted back.
func (d *decoder) dcFirst(c *scanComp, al uint32, pred *int32, blk *[64]int16) error {
	br := &d.br
	if br.n < 32 {
		br.refill()
	}
	diff, err := d.dcDiff(c.dc)
	if err != nil {
		return err
	}
	*pred += diff
	if blk != nil {
		v := *pred << al
		if !fits16(v) {
			return errRange
		}
		blk[0] = int16(v)
	}
	return nil
}

// dcRefine reads one more bit of the DC coefficient (section G.1.2.1).
func (d *decoder) dcRefine(al uint32, blk *[64]int16) error {
	br := &d.br
	if br.n < 32 {
		br.refill()
	}
	bit := br.acc >> 63
	br.acc <<= 1
	br.n--
	if blk != nil && bit != 0 {
		v := int32(blk[0]) | 1<<al
		if !fits16(v) {
			return errRange
		}
		blk[0] = int16(v)
	}
	return nil
}

// acFirst decodes the first scan of band Ss..Se of a block (section
// G.1.2.2): run/size symbols as in a sequential scan, the values shifted
// left by Al, and EOBn symbols that end this block and the next ones.
func (d *decoder) acFirst(ac *huffTable, ps progScan, blk *[64]int16, mask *uint64) error {
	if d.eobRun > 0 {
		d.eobRun--
		return nil
	}
	br := &d.br
	if !ac.defined {
		return d.errAt(br.pos, "uninitialized Huffman table")
	}
	acc, n := br.acc, br.n
	al, se := ps.al, ps.se
	m := *mask
	for k := ps.ss; k <= se; k++ {
		if n < 32 {
			br.acc, br.n = acc, n
			br.refill()
			acc, n = br.acc, br.n
		}
		e := ac.lut[acc>>(64-lutBits)]
		if e&eFast != 0 {
			k += int(e>>eRunShift) & 15
			if k > se {
				// As image/jpeg: the run leaves the band, the value's
				// bits are not read.
				l := uint(e>>eCodeShift) & 15
				acc <<= l
				n -= l
				break
			}
			l := uint(e & eLenMask)
			acc <<= l
			n -= l
			v := (int32(e) >> eValShift) << al
			if !fits16(v) {
				return errRange
			}
			blk[k&63] = int16(v)
			m |= 1 << uint(k)
			continue
		}
		rs, l := byte(e>>eValShift), uint(e&eLenMask)
		if l == 0 {
			if rs, l = ac.decodeSlow(acc); l == 0 {
				return d.errCode()
			}
		}
		acc <<= l
		n -= l
		r, s := int(rs>>4), uint(rs&15)
		if s == 0 {
			if r == 15 {
				k += 15 // ZRL
				continue
			}
			// EOBn (section G.1.2.2): this block and 2^r − 1 + (r extra
			// bits) more end here.
			run, used := eobRunLength(acc, r)
			acc <<= used
			n -= used
			d.eobRun = run - 1
			break
		}
		k += r
		if k > se {
			break
		}
		v := extend(acc, s) << al
		acc <<= s
		n -= s
		if !fits16(v) {
			return errRange
		}
		blk[k&63] = int16(v)
		m |= 1 << uint(k)
	}
	br.acc, br.n = acc, n
	*mask = m
	return nil
}

// acRefine decodes a refinement scan of band Ss..Se of a block (section
// G.1.2.3): each symbol announces a coefficient that becomes non-zero (size
// 1, with its sign bit) after a run of coefficients that are still zero, or
// ZRL (16 such coefficients), or an EOB run; every coefficient already
// non-zero that the decoder passes gets one correction bit. The block's
// mask of non-zero coefficients finds both without looking at the others.
// image/jpeg's rules are kept: a correction bit adds 2^Al to the magnitude
// whatever it held, and a run that leaves the band is an error.
func (d *decoder) acRefine(ac *huffTable, ps progScan, blk *[64]int16, mask *uint64) error {
	br := &d.br
	delta := int32(1) << ps.al
	k, se := ps.ss, ps.se
	band := ^uint64(0) >> (63 - uint(se)) // bits 0..Se
	m := *mask
	acc, n := br.acc, br.n
	if d.eobRun == 0 {
		if !ac.defined {
			return d.errAt(br.pos, "uninitialized Huffman table")
		}
		for k <= se {
			if n < 32 {
				br.acc, br.n = acc, n
				br.refill()
				acc, n = br.acc, br.n
			}
			var r, s byte
			var z int32
			if e := ac.lut[acc>>(64-lutBits)]; e&eFast != 0 {
				// Run R, size 1, and the sign bit already EXTENDed
				// to ±1 (fast entries never have size 0).
				l := uint(e & eLenMask)
				acc <<= l
				n -= l
				r, s = byte(e>>eRunShift)&15, byte(l-uint(e>>eCodeShift)&15)
				z = (int32(e) >> eValShift) * delta
			} else {
				rs, l := byte(e>>eValShift), uint(e&eLenMask)
				if l == 0 {
					if rs, l = ac.decodeSlow(acc); l == 0 {
						return d.errCode()
					}
				}
				acc <<= l
				n -= l
				r, s = rs>>4, rs&15
				if s == 1 {
					z = delta
					if acc>>63 == 0 {
						z = -delta
					}
					acc <<= 1
					n--
				}
			}
			switch s {
			case 0:
				if r != 15 {
					run, used := eobRunLength(acc, int(r))
					acc <<= used
					n -= used
					d.eobRun = run
					goto eob
				}
			case 1:
			default:
				br.acc, br.n = acc, n
				return d.errAt(br.pos, "unexpected Huffman code")
			}
			// The coefficient announced is the (r+1)-th zero one from k.
			zeros := ^m & band &^ (1<<uint(k) - 1)
			for ; r > 0; r-- {
				zeros &= zeros - 1
			}
			if zeros == 0 {
				br.acc, br.n = acc, n
				return d.errAt(br.pos, "too many coefficients")
			}
			p := bits.TrailingZeros64(zeros)
			// Correction bits of the non-zero coefficients before it.
			for nz := m & (1<<uint(p) - 1) &^ (1<<uint(k) - 1); nz != 0; nz &= nz - 1 {
				if n < 32 {
					br.acc, br.n = acc, n
					br.refill()
					acc, n = br.acc, br.n
				}
				j := bits.TrailingZeros64(nz) & 63
				v := int32(blk[j])
				sign := v >> 31
				v += (delta ^ sign - sign) & -int32(acc>>63)
				acc <<= 1
				n--
				if !fits16(v) {
					return errRange
				}
				blk[j] = int16(v)
			}
			if z != 0 {
				blk[p&63] = int16(z)
				m |= 1 << uint(p)
			}
			k = p + 1
		}
		br.acc, br.n = acc, n
		*mask = m
		return nil
	}
eob:
	if d.eobRun > 0 {
		d.eobRun--
		for nz := m & band &^ (1<<uint(k) - 1); nz != 0; nz &= nz - 1 {
			if n < 32 {
				br.acc, br.n = acc, n
				br.refill()
				acc, n = br.acc, br.n
			}
			j := bits.TrailingZeros64(nz) & 63
			v := int32(blk[j])
			sign := v >> 31
			v += (delta ^ sign - sign) & -int32(acc>>63)
			acc <<= 1
			n--
			if !fits16(v) {
				return errRange
			}
			blk[j] = int16(v)
		}
	}
	br.acc, br.n = acc, n
	*mask = m
	return nil
}

// reconstruct dequantises the luma coefficients with the quantisation table
// in force at the end of the frame (as image/jpeg does), transforms the
// blocks inside the image into the output plane and zeroes the rest of the
// plane, which image/jpeg leaves unwritten in progressive mode.
func (d *decoder) reconstruct() {
	bw, bh := (d.width+7)/8, (d.height+7)/8
	q := &d.quant[d.comp[0].tq] // zig-zag order, as d.prog
	stride := d.lumaStride
	pix := d.out.Pix
	b := &d.coef
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			i := by*d.progStride + bx
			src := (*[64]int16)(d.prog[64*i:])
			dst := pix[8*(by*stride+bx):]
			m := d.progMask[i] &^ 1
			if m == 0 {
				idctDC(int32(src[0])*q[0], dst, stride)
				continue
			}
			b[0] = int32(src[0]) * q[0]
			for nz := m; nz != 0; nz &= nz - 1 {
				k := bits.TrailingZeros64(nz) & 63
				b[unzig[k]] = int32(src[k]) * q[k]
			}
			transform(b, &d.tmp, dst, stride)
			for nz := m; nz != 0; nz &= nz - 1 {
				b[unzig[bits.TrailingZeros64(nz)&63]] = 0
			}
		}
		if 8*bw < stride {
			for y := 8 * by; y < 8*by+8; y++ {
				clear(pix[y*stride+8*bw : (y+1)*stride])
			}
		}
	}
	clear(pix[8*bh*stride:])
	b[0] = 0
}
