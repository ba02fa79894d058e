package qr

import (
	"fmt"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

func TestFormatInfoWords(t *testing.T) {
	// Annex C, Table C.1: EC level M (00), mask 0 → 101010000010010; L
	// (01), mask 7 → 110100101110110 (after the XOR mask).
	known := map[int]uint32{0: 0x5412, 0b01111: 0b110100101110110}
	for data, w := range known {
		if got := formatWord(data); got != w {
			t.Errorf("formatWord(%05b) = %015b, want %015b", data, got, w)
		}
	}
	for data := 0; data < 32; data++ {
		w := formatWord(data)
		for flips := 0; flips <= 4; flips++ {
			t.Run(fmt.Sprintf("data %05b flips %d", data, flips), func(t *testing.T) {
				// flip the lowest `flips` bits of a rotating window
				e := w
				for k := 0; k < flips; k++ {
					e ^= 1 << uint((data+3*k)%15)
				}
				fi, ok := decodeFormatWord(e)
				if flips <= 3 {
					if !ok || fi.ecBits != data>>3 || fi.mask != data&7 || fi.dist != flips {
						t.Errorf("decode = %+v, %v; want ec %d mask %d dist %d", fi, ok, data>>3, data&7, flips)
					}
				} else if ok && fi.ecBits == data>>3 && fi.mask == data&7 {
					t.Errorf("4 flipped bits decoded as the original word")
				}
			})
		}
	}
}

func TestVersionInfoWords(t *testing.T) {
	// Annex D, Table D.1: version 7 → 000111110010010100, version 40 →
	// 101000110001101001.
	if got := versionWord(7); got != 0b000111110010010100 {
		t.Errorf("versionWord(7) = %018b", got)
	}
	if got := versionWord(40); got != 0b101000110001101001 {
		t.Errorf("versionWord(40) = %018b", got)
	}
	for v := 7; v <= 40; v++ {
		for flips := 0; flips <= 3; flips++ {
			w := versionWord(v)
			for k := 0; k < flips; k++ {
				w ^= 1 << uint((v+5*k)%18)
			}
			got, d, ok := decodeVersionWord(w)
			if !ok || got != v || d != flips {
				t.Errorf("v%d with %d flips: got v%d dist %d ok %v", v, flips, got, d, ok)
			}
		}
	}
}

func TestDimensionForVersion(t *testing.T) {
	for v := 1; v <= 40; v++ {
		if n := dimensionForVersion(v); n != 4*v+17 || (n-17)%4 != 0 {
			t.Errorf("v%d: %d modules", v, n)
		}
	}
	if dimensionForVersion(1) != 21 || dimensionForVersion(40) != 177 {
		t.Errorf("endpoints wrong")
	}
}

// TestWriteFormatVersionBits writes the format and version information
// that a symbol encoded by gozxing carries back into it: a clean symbol
// must not change, and a symbol whose format and version modules were
// inverted must be restored exactly; formatCandidates must read the
// symbol's format first, also from its mirror image.
func TestWriteFormatVersionBits(t *testing.T) {
	cases := []struct {
		name string
		v    int
		ec   decoder.ErrorCorrectionLevel
	}{
		{"v1 L", 1, decoder.ErrorCorrectionLevel_L},
		{"v7 M", 7, decoder.ErrorCorrectionLevel_M},
		{"v22 Q", 22, decoder.ErrorCorrectionLevel_Q},
		{"v40 H", 40, decoder.ErrorCorrectionLevel_H},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := encodeSymbol(t, "fv "+tc.name, tc.ec, tc.v)
			n := len(m)
			fc := formatCandidates(m)
			if len(fc) == 0 || fc[0].dist != 0 || fc[0].transposed || fc[0].ecLevel() != tc.ec.String() {
				t.Fatalf("format candidates %+v, want %s at distance 0 first", fc, tc.ec)
			}
			want := formatCodewords[fc[0].ecBits<<3|fc[0].mask]
			for _, damage := range []bool{false, true} {
				c := make([][]bool, n)
				for y := range m {
					c[y] = append([]bool(nil), m[y]...)
				}
				put := func(x, y int, dark bool) { c[y][x] = dark }
				if damage {
					formatModules(n, func(_, x, y int) { c[y][x] = !c[y][x] })
					if n >= 45 {
						writeVersionBits(func(x, y int, _ bool) { c[y][x] = !m[y][x] }, n, 0)
					}
				}
				writeFormatBits(put, n, want)
				if n >= 45 {
					writeVersionBits(put, n, versionWord(tc.v))
				}
				for y := range m {
					for x := range m[y] {
						if c[y][x] != m[y][x] {
							t.Fatalf("damaged %v: module (%d,%d) differs after writing", damage, x, y)
						}
					}
				}
			}
			tr := make([][]bool, n)
			for y := range tr {
				tr[y] = make([]bool, n)
				for x := range tr[y] {
					tr[y][x] = m[x][y]
				}
			}
			if fc := formatCandidates(tr); len(fc) == 0 || !fc[0].transposed || fc[0].dist != 0 {
				t.Errorf("mirror image: format candidates %+v, want a transposed reading first", fc)
			}
		})
	}
}

// TestReadFormatBitsAgreed checks readFormatBits' agreed flag: both copies
// of the format information within 1 bit of one codeword, and only then.
func TestReadFormatBitsAgreed(t *testing.T) {
	m := encodeSymbol(t, "copies", decoder.ErrorCorrectionLevel_M, 1)
	other := encodeSymbol(t, "copies", decoder.ErrorCorrectionLevel_H, 1)
	n := len(m)
	// the modules of copy 1 or 2, most significant bit first
	modules := func(copy int) [][2]int {
		var out [][2]int
		formatModules(n, func(c, x, y int) {
			if c == copy {
				out = append(out, [2]int{x, y})
			}
		})
		return out
	}
	// flip inverts module k of copy c for each pair c, k
	flip := func(m [][]bool, ck ...int) {
		for i := 0; i < len(ck); i += 2 {
			p := modules(ck[i])[ck[i+1]]
			m[p[1]][p[0]] = !m[p[1]][p[0]]
		}
	}
	cases := []struct {
		name       string
		edit       func(c [][]bool)
		ok, agreed bool
	}{
		{"clean", func([][]bool) {}, true, true},
		{"one bit off in copy 2", func(c [][]bool) { flip(c, 2, 4) }, true, true},
		{"one bit off in each copy", func(c [][]bool) { flip(c, 1, 3, 2, 11) }, true, true},
		{"two bits off in copy 1", func(c [][]bool) { flip(c, 1, 2, 1, 9) }, true, false},
		{"two bits off in each copy", func(c [][]bool) { flip(c, 1, 2, 1, 9, 2, 2, 2, 9) }, true, false},
		{"copy 2 of another level", func(c [][]bool) {
			for _, p := range modules(2) {
				c[p[1]][p[0]] = other[p[1]][p[0]]
			}
		}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := make([][]bool, n)
			for y := range m {
				c[y] = append([]bool(nil), m[y]...)
			}
			tc.edit(c)
			_, ok, agreed := readFormatBits(func(x, y int) bool { return c[y][x] }, n, false, true)
			if ok != tc.ok || agreed != tc.agreed {
				t.Errorf("ok %v agreed %v, want %v %v", ok, agreed, tc.ok, tc.agreed)
			}
		})
	}
}
