package qr

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// TestFunctionAgreement: a clean symbol and its mirror image match every
// finder and timing module, a symbol with a damaged finder pattern still
// clears the gate, and random modules do not.
func TestFunctionAgreement(t *testing.T) {
	m := encodeSymbol(t, "function patterns", decoder.ErrorCorrectionLevel_M, 5)
	n := len(m)
	clone := func() [][]bool {
		c := make([][]bool, n)
		for y := range m {
			c[y] = append([]bool(nil), m[y]...)
		}
		return c
	}
	mirror := clone()
	for y := range mirror {
		for x := range mirror[y] {
			mirror[y][x] = m[x][y]
		}
	}
	damaged := clone()
	for y := 0; y < 4; y++ { // a quarter of the top-right finder pattern
		for x := n - 4; x < n; x++ {
			damaged[y][x] = !damaged[y][x]
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	random := clone()
	for y := range random {
		for x := range random[y] {
			random[y][x] = rng.IntN(2) == 0
		}
	}
	cases := []struct {
		name   string
		m      [][]bool
		lo, hi float64
	}{
		{"clean", m, 1, 1},
		{"mirrored", mirror, 1, 1},
		{"damaged finder", damaged, minFunctionAgreement, 0.95},
		{"random", random, 0.3, minFunctionAgreement - 0.05},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if f := functionAgreement(tc.m); f < tc.lo || f > tc.hi {
				t.Errorf("agreement %.3f, want in [%.2f, %.2f]", f, tc.lo, tc.hi)
			}
		})
	}
}

// TestThresholdSharpen blurs the module values of a symbol in module space
// (each module keeps 40 % of its own level and takes 60 % from its 8
// neighbours) and checks that the unsharp threshold recovers modules that
// the plain one gets wrong (more than half of them).
func TestThresholdSharpen(t *testing.T) {
	for _, v := range []int{2, 10} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			m := encodeSymbol(t, "sharpen in module space", decoder.ErrorCorrectionLevel_M, v)
			n := len(m)
			level := func(x, y int) float64 {
				if x < 0 || y < 0 || x >= n || y >= n || !m[y][x] {
					return 200 // quiet zone and light modules
				}
				return 50
			}
			vals := make([]float64, n*n)
			for y := 0; y < n; y++ {
				for x := 0; x < n; x++ {
					var nb float64
					for dy := -1; dy <= 1; dy++ {
						for dx := -1; dx <= 1; dx++ {
							if dx != 0 || dy != 0 {
								nb += level(x+dx, y+dy)
							}
						}
					}
					vals[y*n+x] = 0.4*level(x, y) + 0.6*nb/8
				}
			}
			errs := func(th moduleThreshold) int {
				got := thresholdModules(vals, n, th, nil)
				e := 0
				for y := range m {
					for x := range m[y] {
						if got[y][x] != m[y][x] {
							e++
						}
					}
				}
				return e
			}
			th := sampleThresholds(0)
			plain, sharp := errs(th[0]), errs(th[1])
			if plain == 0 || 2*sharp >= plain {
				t.Errorf("module errors: plain %d, sharpened %d; want the sharpened threshold to remove more than half", plain, sharp)
			}
		})
	}
}
