package qr

import (
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// packModules packs an n×n module matrix into bytes, row-major, one bit a
// module, preceded by the version byte (version − 1).
func packModules(m [][]bool) []byte {
	n := len(m)
	out := []byte{byte((n-17)/4 - 1)}
	var cur byte
	k := 0
	for y := range m {
		for x := range m[y] {
			if m[y][x] {
				cur |= 1 << (k % 8)
			}
			k++
			if k%8 == 0 {
				out = append(out, cur)
				cur = 0
			}
		}
	}
	return append(out, cur)
}

// unpackModules is the inverse of packModules for any input: the version
// byte is taken modulo 40, missing bits are light.
func unpackModules(data []byte) [][]bool {
	v := 1
	if len(data) > 0 {
		v = int(data[0])%40 + 1
		data = data[1:]
	}
	n := dimensionForVersion(v)
	m := make([][]bool, n)
	for y := range m {
		m[y] = make([]bool, n)
		for x := range m[y] {
			k := y*n + x
			m[y][x] = k/8 < len(data) && data[k/8]>>(k%8)&1 == 1
		}
	}
	return m
}

// identityGrid is an n-module grid with one pixel per module.
func identityGrid(n int) *grid {
	nf := float64(n)
	q := geom.Quad{{X: 0, Y: 0}, {X: nf, Y: 0}, {X: nf, Y: nf}, {X: 0, Y: nf}}
	h, _ := geom.QuadToQuad(q, q)
	return &grid{n: n, global: h}
}

// FuzzDecodeModules feeds arbitrary module matrices to the bit-matrix
// decoding path (function pattern gate, format candidates, clean format
// and version codewords, gozxing's decoder): it must never panic, and
// whatever it decodes must carry a valid version, EC level and mask.
func FuzzDecodeModules(f *testing.F) {
	for _, tc := range []struct {
		text string
		v    int
	}{{"fuzz seed", 1}, {"fuzz seed with version information", 7}} {
		m := encodeSymbol(f, tc.text, decoder.ErrorCorrectionLevel_M, tc.v)
		f.Add(packModules(m))
	}
	f.Add([]byte{})
	f.Add([]byte{39, 0xff, 0x00, 0x55})
	f.Fuzz(func(t *testing.T, data []byte) {
		// A near-valid matrix past version 10 takes up to 2 ms to fail
		// error correction. One input in eight (by its last byte) keeps
		// its version; the others are folded to versions 1–10, so that the
		// target runs at over 1,000 executions a second and still reaches
		// every version.
		if len(data) > 1 && data[0]%40 >= 10 && data[len(data)-1]%8 != 0 {
			data = append([]byte{data[0] % 10}, data[1:]...)
		}
		m := unpackModules(data)
		sym, cerr := decodeModules(m, identityGrid(len(m)), false)
		if cerr != nil {
			if cerr.err == nil {
				t.Fatal("failure without an error")
			}
			return
		}
		if sym.Version != (len(m)-17)/4 || sym.Mask < 0 || sym.Mask > 7 {
			t.Errorf("decoded %+v from a %d-module matrix", sym, len(m))
		}
		switch sym.ECLevel {
		case "L", "M", "Q", "H":
		default:
			t.Errorf("EC level %q", sym.ECLevel)
		}
	})
}

// TestDecodeModulesSeeds checks that the fuzz seeds round-trip, so the
// fuzzer starts from decodable symbols.
func TestDecodeModulesSeeds(t *testing.T) {
	for _, v := range []int{1, 7, 40} {
		m := encodeSymbol(t, "seed", decoder.ErrorCorrectionLevel_Q, v)
		sym, cerr := decodeModules(unpackModules(packModules(m)), identityGrid(len(m)), false)
		if cerr != nil || sym.Text != "seed" || sym.Version != v || sym.ECLevel != "Q" {
			t.Errorf("v%d: %+v, %v", v, sym, cerr)
		}
	}
}
