package jpegluma

import "encoding/binary"

// Huffman decoding (ITU-T T.81 Annex C and section F.2.2) with a lookup table
// on the next lutBits bits of the stream. An entry holds, for the code that
// those bits begin with:
//
//   - nothing (0): the code is longer than lutBits; decodeSlow walks the
//     canonical code lengths lutBits+1..16 (the DECODE procedure of Figure
//     F.16);
//   - the symbol and the code length, when the code fits but its extra bits
//     (the magnitude of section F.1.2.1) do not, or it has none (EOB, ZRL);
//   - fast: the run (AC), the code length and the already EXTENDed value
//     (section F.2.2.1), when code and extra bits together fit in lutBits:
//     one lookup then replaces DECODE, RECEIVE and EXTEND. For typical
//     tables most coefficients of a photograph or a scan take this path.
//
// Entry layout (uint32):
//
//	bits 0-4   bits to consume (the code length, or code length + size when fast)
//	bit  5     fast flag
//	bits 6-9   code length (fast entries)
//	bits 10-13 run R (fast AC entries)
//	bits 16-31 value (fast entries, signed) or symbol RS (bits 16-23, others)
//
// Eleven bits rather than the nine of image/jpeg: an AC coefficient of a
// photograph is mostly a code of up to 8 bits and 1 to 4 magnitude bits,
// which nine bits often cannot hold together. A table is then 8 KiB.
const (
	lutBits    = 11
	eLenMask   = 0x1f
	eFast      = 1 << 5
	eCodeShift = 6
	eRunShift  = 10
	eValShift  = 16
)

// huffTable is one decoded DHT table (section B.2.4.2).
type huffTable struct {
	defined bool
	lut     [1 << lutBits]uint32
	// maxCode[l] is the largest code of length l (−1 when none), valPtr[l]
	// the index in vals of the first code of length l minus that code
	// (Figure F.15's VALPTR − MINCODE): symbol = vals[valPtr[l]+code].
	maxCode [17]int32
	valPtr  [17]int32
	vals    [256]byte
}

// build derives the table from the 16 code-length counts and the symbols
// (Annex C, Figures C.1–C.3). It reports false when the counts do not form a
// prefix code (they over-subscribe some length, which image/jpeg decodes in
// its own way): the caller then calls the file unsupported.
func (h *huffTable) build(counts *[16]byte, vals []byte, ac bool) bool {
	*h = huffTable{defined: true}
	copy(h.vals[:], vals)
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		h.valPtr[l] = k - code
		h.maxCode[l] = -1
		if n > 0 {
			h.maxCode[l] = code + n - 1
		}
		if code+n > 1<<l {
			return false
		}
		for i := int32(0); i < n; i++ {
			if l <= lutBits {
				h.fill(code, l, vals[k], ac)
			}
			code++
			k++
		}
		code <<= 1
	}
	return true
}

// fill sets the lookup entries of the l-bit code c with symbol rs.
func (h *huffTable) fill(c int32, l int, rs byte, ac bool) {
	shift := lutBits - l
	first := int(c) << shift
	for j := 0; j < 1<<shift; j++ {
		idx := first | j
		e := uint32(l) | uint32(rs)<<eValShift
		run, size := 0, int(rs)
		if ac {
			run, size = int(rs>>4), int(rs&15)
		}
		if (size > 0 || !ac) && l+size <= lutBits {
			// The size extra bits follow the code inside idx. A DC
			// difference of size 0 is 0; an AC symbol of size 0 (EOB,
			// ZRL) is never fast.
			v := int32(0)
			if size > 0 {
				v = int32(idx>>(lutBits-l-size)) & (1<<size - 1)
				if v < 1<<(size-1) {
					v += -1<<size + 1
				}
			}
			e = uint32(l+size) | eFast | uint32(l)<<eCodeShift | uint32(run)<<eRunShift | uint32(v)<<eValShift
		}
		h.lut[idx] = e
	}
}

// bitReader reads the entropy-coded data of a scan (section F.1.2.3: a 0xFF
// data byte is stuffed as 0xFF 0x00) into a 64-bit accumulator, most
// significant bit first. When it meets a marker (0xFF followed by anything
// but 0x00) or the end of the input it stops there and supplies zero bits,
// counting them in pad: a scan that consumes any of them is truncated, which
// the block loop checks once per block (image/jpeg, too, refuses to read
// past the end of an entropy-coded segment).
type bitReader struct {
	data []byte
	pos  int    // next byte to load; at a marker once the reader has met one
	acc  uint64 // valid bits at the top; the bits below them are 0 or the start of data[pos]
	n    uint   // number of valid bits in acc
	pad  uint   // how many of the n bits (the last ones) are zero padding
}

// reset starts reading entropy-coded data at data[pos].
func (r *bitReader) reset(pos int) {
	r.pos, r.acc, r.n, r.pad = pos, 0, 0, 0
}

// refill loads bytes until at least 56 bits are valid. Eight bytes without
// 0xFF are loaded with one 64-bit read, of which all complete bytes that fit
// are kept; the bits of the next byte that land below r.n are that byte's
// own first bits, so loading it again later ORs the same bits in.
func (r *bitReader) refill() {
	for r.n < 56 {
		if r.pos+8 <= len(r.data) {
			x := binary.BigEndian.Uint64(r.data[r.pos:])
			if y := ^x; (y-0x0101010101010101)&^y&0x8080808080808080 == 0 {
				r.acc |= x >> r.n
				r.pos += int(63-r.n) >> 3
				r.n |= 56
				return
			}
		}
		var b byte
		switch {
		case r.pos >= len(r.data):
			r.pad += 8
		case r.data[r.pos] != 0xff:
			b = r.data[r.pos]
			r.pos++
		case r.pos+1 < len(r.data) && r.data[r.pos+1] == 0:
			b = 0xff
			r.pos += 2
		default:
			r.pad += 8 // a marker: stay on it
		}
		r.acc |= uint64(b) << (56 - r.n)
		r.n += 8
	}
}

// fill is refill's common case, small enough to be inlined into the block
// loops, which keep the accumulator in registers: the eight bytes at pos
// hold no 0xFF, and acc (n valid bits, n < 56) takes all of them that fit.
// ok is false, and nothing is read, otherwise; the caller then stores acc
// and n and calls refill.
func (r *bitReader) fill(acc uint64, n uint) (uint64, uint, bool) {
	if r.pos+8 > len(r.data) {
		return acc, n, false
	}
	x := binary.BigEndian.Uint64(r.data[r.pos:])
	if y := ^x; (y-0x0101010101010101)&^y&0x8080808080808080 != 0 {
		return acc, n, false
	}
	r.pos += int(63-n) >> 3
	return acc | x>>n, n | 56, true
}

// decodeSlow decodes a code longer than lutBits at the top of acc and
// returns its symbol and length, or length 0 for a bit pattern that is no
// code. acc must hold at least 16 valid bits.
func (h *huffTable) decodeSlow(acc uint64) (rs byte, l uint) {
	for l = lutBits + 1; l <= 16; l++ {
		c := int32(acc >> (64 - l))
		if c <= h.maxCode[l] {
			return h.vals[(h.valPtr[l]+c)&0xff], l
		}
	}
	return 0, 0
}

// extend is RECEIVE followed by EXTEND (section F.2.2.1, Figure F.12): the
// top s bits of acc as a signed magnitude category s value. 1 <= s <= 16.
func extend(acc uint64, s uint) int32 {
	t := int32(acc >> (64 - s))
	return t + ((t>>(s-1))-1)&(-1<<s+1)
}
