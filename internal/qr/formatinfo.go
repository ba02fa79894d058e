package qr

import "math/bits"

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

// readFormatInfo reads both copies of the format information from the module
// matrix m (dark = true, m[y][x]); transposed reads a mirror image. It
// returns the copy nearest to a codeword. When strict, it also requires the
// two copies to agree or one of them to be within 1 bit of a codeword.
func readFormatInfo(m [][]bool, transposed, strict bool) (formatInfo, bool) {
	return readFormatBits(func(x, y int) bool { return m[y][x] }, len(m), transposed, strict)
}

// readFormatBits is readFormatInfo over any module source: dark(x, y)
// reports whether module (x, y) of an n×n symbol is dark. Only the 30
// format information modules are read.
func readFormatBits(dark func(x, y int) bool, n int, transposed, strict bool) (formatInfo, bool) {
	get := func(x, y int) uint32 {
		if transposed {
			x, y = y, x
		}
		if dark(x, y) {
			return 1
		}
		return 0
	}
	// Copy 1, most significant bit first: row 8 left to right, then column 8
	// upwards (skipping the timing pattern).
	var w1 uint32
	for x := 0; x <= 5; x++ {
		w1 = w1<<1 | get(x, 8)
	}
	w1 = w1<<1 | get(7, 8)
	w1 = w1<<1 | get(8, 8)
	w1 = w1<<1 | get(8, 7)
	for y := 5; y >= 0; y-- {
		w1 = w1<<1 | get(8, y)
	}
	// Copy 2: column 8 from the bottom up, then row 8 right of the top-right
	// finder pattern.
	var w2 uint32
	for y := n - 1; y >= n-7; y-- {
		w2 = w2<<1 | get(8, y)
	}
	for x := n - 8; x < n; x++ {
		w2 = w2<<1 | get(x, 8)
	}
	f1, ok1 := decodeFormatWord(w1)
	f2, ok2 := decodeFormatWord(w2)
	if strict {
		// Random bits are within 3 of some codeword more than half the
		// time; within 1, or two agreeing copies, much more rarely.
		agree := ok1 && ok2 && f1.ecBits == f2.ecBits && f1.mask == f2.mask
		if !agree && min(f1.dist, f2.dist) > 1 {
			return formatInfo{}, false
		}
	}
	switch {
	case ok1 && (!ok2 || f1.dist <= f2.dist):
		return f1, true
	case ok2:
		return f2, true
	}
	return formatInfo{}, false
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

// dimensionForVersion returns the number of modules per side, 4v+17 (6.3.1).
func dimensionForVersion(v int) int { return 4*v + 17 }
