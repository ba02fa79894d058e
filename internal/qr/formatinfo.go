package qr

import (
	"math/bits"
	"sort"
)

// Format information (ISO/IEC 18004:2015, 7.9).
//
// Fifteen bits: two error correction level bits and three mask pattern bits,
// extended by a BCH(15,5) code with generator x¹⁰+x⁸+x⁵+x⁴+x²+x+1 and XORed
// with 101010000010010 so that no valid word is all zero. The code has
// minimum distance 7: up to 3 bit errors are corrected. Two copies are
// placed around the finder patterns (Figure 25).

const (
	formatGenerator  = 0x537
	formatXOR        = 0x5412
	versionGenerator = 0x1F25
)

// ecLevelNames maps the two error correction level bits (Table 12) to names.
var ecLevelNames = [4]string{"M", "L", "H", "Q"}

// formatWord returns the masked 15-bit format information word for the five
// data bits (EC level bits << 3 | mask).
func formatWord(data int) uint32 {
	v := uint32(data) << 10
	r := v
	for i := 14; i >= 10; i-- {
		if r&(1<<uint(i)) != 0 {
			r ^= formatGenerator << uint(i-10)
		}
	}
	return (v | r) ^ formatXOR
}

// formatInfo is decoded format information.
type formatInfo struct {
	ecBits int // error correction level bits (Table 12)
	mask   int // data mask pattern reference (Table 10)
	dist   int // Hamming distance of the read word to the chosen codeword
}

func (f formatInfo) ecLevel() string { return ecLevelNames[f.ecBits&3] }

// formatCodewords holds formatWord(data) for the 32 data values; it is
// computed once and never modified.
var formatCodewords = func() (t [32]uint32) {
	for data := range t {
		t[data] = formatWord(data)
	}
	return t
}()

// decodeFormatWord returns the format information nearest to the 15-bit word
// w, and false when it is more than 3 bits away from every codeword.
func decodeFormatWord(w uint32) (formatInfo, bool) {
	best := formatInfo{dist: 16}
	for data, cw := range formatCodewords {
		d := bits.OnesCount32(cw ^ w)
		if d < best.dist {
			best = formatInfo{ecBits: data >> 3, mask: data & 7, dist: d}
		}
	}
	return best, best.dist <= 3
}

// readFormatBits reads both copies of the format information (7.9) of an
// n×n symbol whose module (x, y) is dark when dark(x, y); transposed reads
// a mirror image. Only the 30 format information modules are read. It
// returns the copy nearest to a codeword. When strict, it also requires
// the two copies to agree or one of them to be within 1 bit of a codeword.
// agreed reports that both copies are within 1 bit of the same codeword.
func readFormatBits(dark func(x, y int) bool, n int, transposed, strict bool) (fi formatInfo, ok, agreed bool) {
	w1, w2 := formatWords(dark, n, transposed)
	f1, ok1 := decodeFormatWord(w1)
	f2, ok2 := decodeFormatWord(w2)
	agree := ok1 && ok2 && f1.ecBits == f2.ecBits && f1.mask == f2.mask
	if strict {
		// Random bits are within 3 of some codeword more than half the
		// time; within 1, or two agreeing copies, much more rarely.
		if !agree && min(f1.dist, f2.dist) > 1 {
			return formatInfo{}, false, false
		}
	}
	agreed = agree && f1.dist <= 1 && f2.dist <= 1
	switch {
	case ok1 && (!ok2 || f1.dist <= f2.dist):
		return f1, true, agreed
	case ok2:
		return f2, true, agreed
	}
	return formatInfo{}, false, false
}

// formatModules visits the 15 modules of each format information copy of
// an n×n symbol, most significant bit first: copy 1 is row 8 left to
// right, then column 8 upwards (skipping the timing pattern); copy 2 is
// column 8 from the bottom up, then row 8 right of the top-right finder
// pattern (Figure 25).
func formatModules(n int, visit func(copy, x, y int)) {
	for x := 0; x <= 5; x++ {
		visit(1, x, 8)
	}
	visit(1, 7, 8)
	visit(1, 8, 8)
	visit(1, 8, 7)
	for y := 5; y >= 0; y-- {
		visit(1, 8, y)
	}
	for y := n - 1; y >= n-7; y-- {
		visit(2, 8, y)
	}
	for x := n - 8; x < n; x++ {
		visit(2, x, 8)
	}
}

// formatWords reads the two format information copies as 15-bit words.
func formatWords(dark func(x, y int) bool, n int, transposed bool) (w1, w2 uint32) {
	formatModules(n, func(c, x, y int) {
		if transposed {
			x, y = y, x
		}
		var b uint32
		if dark(x, y) {
			b = 1
		}
		if c == 1 {
			w1 = w1<<1 | b
		} else {
			w2 = w2<<1 | b
		}
	})
	return w1, w2
}

// writeFormatBits writes the 15-bit word w into both format information
// copies of an n×n symbol through put.
func writeFormatBits(put func(x, y int, dark bool), n int, w uint32) {
	i1, i2 := 14, 14
	formatModules(n, func(c, x, y int) {
		if c == 1 {
			put(x, y, w>>uint(i1)&1 == 1)
			i1--
		} else {
			put(x, y, w>>uint(i2)&1 == 1)
			i2--
		}
	})
}

// formatCandidate is one reading of the format information.
type formatCandidate struct {
	formatInfo
	transposed bool // read from the mirror image
}

// formatCandidates returns the distinct format information readings of
// the module matrix m (both copies, both orientations) within 3 bits of a
// codeword, nearest first, the upright orientation first among equals.
func formatCandidates(m [][]bool) []formatCandidate {
	var out []formatCandidate
	dark := func(x, y int) bool { return m[y][x] }
	for _, tr := range []bool{false, true} {
		w1, w2 := formatWords(dark, len(m), tr)
		for _, w := range []uint32{w1, w2} {
			f, ok := decodeFormatWord(w)
			if !ok {
				continue
			}
			dup := false
			for i := range out {
				if o := &out[i]; o.transposed == tr && o.ecBits == f.ecBits && o.mask == f.mask {
					o.dist = min(o.dist, f.dist)
					dup = true
				}
			}
			if !dup {
				out = append(out, formatCandidate{f, tr})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].dist < out[j].dist })
	return out
}

// Version information (7.10): six version bits extended by a BCH(18,6) code
// with generator x¹²+x¹¹+x¹⁰+x⁹+x⁸+x⁵+x²+1 (Annex D), minimum distance 8,
// placed in two 6×3 blocks next to the top-right and bottom-left finder
// patterns for versions 7 and up.

// versionWord returns the 18-bit version information word for version v.
func versionWord(v int) uint32 {
	d := uint32(v) << 12
	r := d
	for i := 17; i >= 12; i-- {
		if r&(1<<uint(i)) != 0 {
			r ^= versionGenerator << uint(i-12)
		}
	}
	return d | r
}

// decodeVersionWord returns the version (7–40) whose word is nearest to w,
// and false when none is within 3 bits.
func decodeVersionWord(w uint32) (version, dist int, ok bool) {
	dist = 19
	for v := 7; v <= 40; v++ {
		if d := bits.OnesCount32(versionWord(v) ^ w); d < dist {
			version, dist = v, d
		}
	}
	return version, dist, dist <= 3
}

// writeVersionBits writes the 18-bit version information word w into both
// blocks of an n×n symbol through put, in the order versionMatches and the
// decoder read them: the block above the bottom-left finder pattern is the
// transpose of the one left of the top-right finder pattern.
func writeVersionBits(put func(x, y int, dark bool), n int, w uint32) {
	k := 17
	for j := 5; j >= 0; j-- {
		for i := n - 9; i >= n-11; i-- {
			b := w>>uint(k)&1 == 1
			put(i, j, b)
			put(j, i, b)
			k--
		}
	}
}

// dimensionForVersion returns the number of modules per side, 4v+17 (6.3.1).
func dimensionForVersion(v int) int { return 4*v + 17 }
