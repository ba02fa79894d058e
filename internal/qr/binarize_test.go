package qr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"qrcascade/internal/gray"
)

// TestNoiseLevel estimates known Gaussian noise on a flat plane and on one
// with vertical stripes (edges in one column out of eight).
func TestNoiseLevel(t *testing.T) {
	for _, sigma := range []float64{1, 2, 4, 8} {
		for _, stripes := range []bool{false, true} {
			t.Run(fmt.Sprintf("sigma %.0f stripes %v", sigma, stripes), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(5, uint64(sigma)))
				p := gray.New(400, 300)
				for y := 0; y < p.H; y++ {
					for x := 0; x < p.W; x++ {
						base := 120.0
						if stripes && (x/8)%2 == 1 {
							base = 60
						}
						p.Pix[y*p.Stride+x] = byte(math.Round(min(max(base+sigma*rng.NormFloat64(), 0), 255)))
					}
				}
				got := noiseLevel(p)
				tol := 0.15*sigma + 0.3 // rounding to integer levels adds ~0.3
				if stripes {
					tol += 0.1 * sigma
				}
				if math.Abs(got-sigma) > tol {
					t.Errorf("noise level %.2f, want %.0f ± %.2f", got, sigma, tol)
				}
				if f := finderContrastFloor(got); f < minFinderContrast || f < 2.5*sigma {
					t.Errorf("contrast floor %.1f below max(%d, 2.5σ)", f, minFinderContrast)
				}
			})
		}
	}
}
