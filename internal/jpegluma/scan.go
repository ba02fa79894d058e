package jpegluma

import (
	"github.com/qrcascade/qrcascade/internal/gray"
)

// scanComp is one component of a scan (section B.2.3).
type scanComp struct {
	ci     int // index in decoder.comp; 0 is luma
	dc, ac *huffTable
}

// processSOS reads the scan header of n bytes at p, decodes the scan's
// entropy-coded data and returns the offset where the marker search resumes.
func (d *decoder) processSOS(p, n int) (int, error) {
	if !d.haveFrame {
		return p, d.errAt(p, "missing SOF marker")
	}
	if n < 6 || 4+2*d.nComp < n || n%2 != 0 {
		return p, d.errAt(p, "SOS has wrong length")
	}
	if p+n > len(d.data) {
		return p, d.errAt(len(d.data), "segment 0xda truncated")
	}
	s := d.data[p : p+n]
	ns := int(s[0])
	if n != 4+2*ns {
		return p, d.errAt(p, "SOS length inconsistent with number of components")
	}
	var sc [3]scanComp
	totalHV := 0
	for i := 0; i < ns; i++ {
		cs := s[1+2*i]
		ci := -1
		for j, c := range d.comp[:d.nComp] {
			if c.id == cs {
				ci = j
			}
		}
		if ci < 0 {
			return p, d.errAt(p+1+2*i, "unknown component selector")
		}
		for j := 0; j < i; j++ {
			if sc[j].ci == ci {
				return p, d.errAt(p+1+2*i, "repeated component selector")
			}
		}
		td, ta := s[2+2*i]>>4, s[2+2*i]&15
		if td > 3 || (d.baseline && td > 1) {
			return p, d.errAt(p+2+2*i, "bad Td value")
		}
		if ta > 3 || (d.baseline && ta > 1) {
			return p, d.errAt(p+2+2*i, "bad Ta value")
		}
		sc[i] = scanComp{ci: ci, dc: &d.huff[0][td], ac: &d.huff[1][ta]}
		totalHV += d.comp[ci].h * d.comp[ci].v
	}
	if d.nComp > 1 && totalHV > 10 {
		return p, d.errAt(p, "total sampling factors too large")
	}
	if d.isRGB() {
		return p, unsupported("rgb colour transform")
	}
	// The Ss, Se, Ah, Al fields are 0, 63, 0, 0 in a sequential scan and,
	// as by image/jpeg, are not checked there.
	var ps progScan
	if d.progressive {
		ps = progScan{ss: int(s[1+2*ns]), se: int(s[2+2*ns]), ah: uint32(s[3+2*ns] >> 4), al: uint32(s[3+2*ns] & 15)}
		switch {
		case (ps.ss == 0 && ps.se != 0) || ps.ss > ps.se || ps.se >= 64:
			return p, d.errAt(p+1+2*ns, "bad spectral selection bounds")
		case ps.ss != 0 && ns != 1:
			return p, d.errAt(p+1+2*ns, "progressive AC coefficients for more than one component")
		case ps.ah != 0 && ps.ah != ps.al+1:
			return p, d.errAt(p+3+2*ns, "bad successive approximation values")
		}
	}

	mxx := (d.width + 8*d.hMax - 1) / (8 * d.hMax)
	myy := (d.height + 8*d.vMax - 1) / (8 * d.vMax)
	if d.lumaStride == 0 {
		d.makePlane(mxx, myy)
	}
	if ns == 1 && d.nComp > 1 && d.ri > 0 && d.comp[sc[0].ci].h*d.comp[sc[0].ci].v != 1 {
		return p, unsupported("non-interleaved scan of a subsampled component with restart intervals")
	}
	hasLuma := sc[0].ci == 0 || (ns > 1 && (sc[1].ci == 0 || (ns > 2 && sc[2].ci == 0)))
	if hasLuma {
		d.lumaDone = true
	}

	if d.progressive && !hasLuma {
		// Nothing in this scan reaches the luma plane: jump over its
		// entropy-coded data without decoding it.
		return d.skipScan(p + n), nil
	}
	d.br.reset(p + n)
	var err error
	if d.progressive {
		err = d.progScanData(sc[:ns], ps, mxx, myy)
	} else if ns == 1 {
		c := d.comp[sc[0].ci]
		// Section A.1.1: the component is ceil(X·H/Hmax) × ceil(Y·V/Vmax).
		cw := (d.width*c.h + d.hMax - 1) / d.hMax
		ch := (d.height*c.v + d.vMax - 1) / d.vMax
		err = d.scanBlocks(&sc[0], (cw+7)/8, (ch+7)/8)
	} else {
		err = d.scanMCUs(sc[:ns], mxx, myy)
	}
	return d.br.pos, err
}

// makePlane allocates (or takes from d.out) the luma plane: whole MCUs, so
// that every block can be stored without clipping.
func (d *decoder) makePlane(mxx, myy int) {
	stride := 8 * d.comp[0].h * mxx
	rows := 8 * d.comp[0].v * myy
	if d.nComp == 1 {
		stride, rows = 8*mxx, 8*myy
	}
	need := stride * rows
	switch {
	case d.out == nil:
		d.out = &gray.Plane{Pix: make([]byte, need)}
	case cap(d.out.Pix) >= need:
		d.out.Pix = d.out.Pix[:need]
	default:
		d.out.Pix = make([]byte, need)
	}
	d.out.W, d.out.H, d.out.Stride = d.width, d.height, stride
	d.lumaStride = stride
}

// scanMCUs decodes an interleaved scan: mxx×myy MCUs, each holding H×V
// blocks of each scan component in turn (section A.2.3).
func (d *decoder) scanMCUs(sc []scanComp, mxx, myy int) error {
	var pred [3]int32
	total := mxx * myy
	mcu, nextRST := 0, byte(mRST0)
	for my := 0; my < myy; my++ {
		for mx := 0; mx < mxx; mx++ {
			for i := range sc {
				c := &sc[i]
				cp := d.comp[c.ci]
				for j := 0; j < cp.h*cp.v; j++ {
					var err error
					if c.ci == 0 {
						bx, by := mx*cp.h+j%cp.h, my*cp.v+j/cp.h
						err = d.lumaBlock(c, &pred[0], bx, by)
					} else {
						err = d.skipBlock(c, &pred[c.ci])
					}
					if err != nil {
						return err
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

// scanBlocks decodes a non-interleaved scan of bw×bh blocks in raster order,
// each block its own MCU (section A.2.2).
func (d *decoder) scanBlocks(c *scanComp, bw, bh int) error {
	var pred int32
	total := bw * bh
	mcu, nextRST := 0, byte(mRST0)
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			var err error
			if c.ci == 0 {
				err = d.lumaBlock(c, &pred, bx, by)
			} else {
				err = d.skipBlock(c, &pred)
			}
			if err != nil {
				return err
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

// restart consumes the RSTm marker that ends a restart interval (section
// F.1.2.3) and resets the bit reader; the caller resets the DC predictions.
// As image/jpeg does, it skips entropy-coded bytes up to the marker, and
// fails on any other marker.
func (d *decoder) restart(want byte) error {
	data, p := d.data, d.br.pos
	for {
		if p+2 > len(data) {
			return d.errAt(len(data), "unexpected end of data before restart marker")
		}
		if data[p] == 0xff {
			switch m := data[p+1]; {
			case m == want:
				d.br.reset(p + 2)
				d.eobRun = 0
				return nil
			case m == 0xff:
				p++
				continue
			case m != 0:
				return d.errAt(p, "bad RST marker")
			}
			p += 2
			continue
		}
		p++
	}
}

// errShort and errCode are the two ways entropy-coded data goes wrong.
func (d *decoder) errShort() error {
	return d.errAt(d.br.pos, "short Huffman data")
}

func (d *decoder) errCode() error {
	return d.errAt(d.br.pos, "bad Huffman code")
}

// dcDiff decodes one DC difference (section F.2.2.1: a magnitude category
// coded with t, then that many bits) from d.br, which the caller has
// refilled to at least 32 bits. It serves the luma and chroma blocks of
// sequential scans and the first DC scans of progressive ones.
func (d *decoder) dcDiff(t *huffTable) (int32, error) {
	br := &d.br
	if !t.defined {
		return 0, d.errAt(br.pos, "uninitialized Huffman table")
	}
	acc, n := br.acc, br.n
	e := t.lut[acc>>(64-lutBits)]
	var diff int32
	if e&eFast != 0 {
		l := uint(e & eLenMask)
		acc <<= l
		n -= l
		diff = int32(e) >> eValShift
	} else {
		s, l := byte(e>>eValShift), uint(e&eLenMask)
		if l == 0 {
			if s, l = t.decodeSlow(acc); l == 0 {
				return 0, d.errCode()
			}
		}
		acc <<= l
		n -= l
		if s > 16 {
			return 0, unsupported("DC magnitude category above 16")
		}
		if s > 0 {
			diff = extend(acc, uint(s))
			acc <<= s
			n -= uint(s)
		}
	}
	br.acc, br.n = acc, n
	return diff, nil
}

// lumaBlock decodes one luma block (sections F.2.2.1 and F.2.2.2),
// dequantises it as it goes and stores its samples at block (bx, by).
func (d *decoder) lumaBlock(c *scanComp, pred *int32, bx, by int) error {
	br := &d.br
	if br.n < 32 {
		br.refill()
	}
	q := &d.quant[d.comp[0].tq]
	b := &d.coef

	// DC difference.
	diff, err := d.dcDiff(c.dc)
	if err != nil {
		return err
	}
	acc, n := br.acc, br.n
	*pred += diff
	b[0] = *pred * q[0]

	// AC coefficients, or a block of an EOB run.
	last := 0
	if d.eobRun > 0 {
		d.eobRun--
	} else {
		ac := c.ac
		if !ac.defined {
			return d.errAt(br.pos, "uninitialized Huffman table")
		}
		for k := 1; k < 64; k++ {
			if n < 32 {
				var ok bool
				if acc, n, ok = br.fill(acc, n); !ok {
					br.acc, br.n = acc, n
					br.refill()
					acc, n = br.acc, br.n
				}
			}
			e := ac.lut[acc>>(64-lutBits)]
			if e&eFast != 0 {
				k += int(e>>eRunShift) & 15
				if k > 63 {
					l := uint(e>>eCodeShift) & 15
					acc <<= l
					n -= l
					break
				}
				l := uint(e & eLenMask)
				acc <<= l
				n -= l
				// k ≤ 63 here; the masks say so to the compiler, which
				// then drops the store's bounds checks (about 2 % of a
				// 12 MP photo's decode)
				b[unzig[k&63]&63] = (int32(e) >> eValShift) * q[k&63]
				last = k
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
				// EOB, or EOBn (an EOB run, legal in progressive scans only;
				// image/jpeg applies it to the following blocks, and so do we).
				run, used := eobRunLength(acc, r)
				acc <<= used
				n -= used
				d.eobRun = run - 1
				break
			}
			k += r
			if k > 63 {
				break
			}
			b[unzig[k&63]&63] = extend(acc, s) * q[k&63]
			acc <<= s
			n -= s
			last = k
		}
	}
	br.acc, br.n = acc, n
	if n < br.pad {
		return d.errShort()
	}

	dst := d.out.Pix[8*(by*d.lumaStride+bx):]
	if last == 0 {
		idctDC(b[0], dst, d.lumaStride)
		b[0] = 0
		return nil
	}
	transform(b, &d.tmp, dst, d.lumaStride)
	*b = [64]int32{}
	return nil
}

// skipBlock decodes one chroma block and drops it: only the DC prediction
// and the bit position matter.
func (d *decoder) skipBlock(c *scanComp, pred *int32) error {
	br := &d.br
	if br.n < 32 {
		br.refill()
	}
	diff, err := d.dcDiff(c.dc)
	if err != nil {
		return err
	}
	acc, n := br.acc, br.n
	*pred += diff

	if d.eobRun > 0 {
		d.eobRun--
	} else {
		ac := c.ac
		if !ac.defined {
			return d.errAt(br.pos, "uninitialized Huffman table")
		}
		for k := 1; k < 64; k++ {
			if n < 32 {
				var ok bool
				if acc, n, ok = br.fill(acc, n); !ok {
					br.acc, br.n = acc, n
					br.refill()
					acc, n = br.acc, br.n
				}
			}
			e := ac.lut[acc>>(64-lutBits)]
			if e&eFast != 0 {
				k += int(e>>eRunShift) & 15
				l := uint(e & eLenMask)
				if k > 63 {
					l = uint(e>>eCodeShift) & 15
				}
				acc <<= l
				n -= l
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
					k += 15
					continue
				}
				run, used := eobRunLength(acc, r)
				acc <<= used
				n -= used
				d.eobRun = run - 1
				break
			}
			k += r
			if k > 63 {
				break
			}
			acc <<= s
			n -= s
		}
	}
	br.acc, br.n = acc, n
	if n < br.pad {
		return d.errShort()
	}
	return nil
}

// eobRunLength decodes the length of an EOB run whose Huffman symbol had
// run nibble r (T.81 section G.1.2.2): 2^r plus the r bits that follow,
// read from the top of acc. It returns the length and the bits it used.
func eobRunLength(acc uint64, r int) (run int, used uint) {
	run = 1 << r
	if r > 0 {
		run |= int(acc >> (64 - uint(r)))
		used = uint(r)
	}
	return run, used
}
