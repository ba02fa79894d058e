package qr

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/synth"
)

func TestFinderPatternCentres(t *testing.T) {
	cases := []struct {
		name string
		q    func(n int) geom.Quad
		blur int
	}{
		{"upright 4px", func(n int) geom.Quad { return squareQuad(200, 200, float64(n)*4, 0) }, 0},
		{"rotated 30 4px", func(n int) geom.Quad { return squareQuad(200, 200, float64(n)*4, 30) }, 0},
		{"rotated 135 4px", func(n int) geom.Quad { return squareQuad(200, 200, float64(n)*4, 135) }, 0},
		{"rotated 45 2.5px", func(n int) geom.Quad { return squareQuad(200, 200, float64(n)*2.5, 45) }, 0},
		{"perspective", func(n int) geom.Quad {
			return geom.Quad{{X: 60, Y: 80}, {X: 330, Y: 50}, {X: 360, Y: 350}, {X: 40, Y: 300}}
		}, 0},
		{"blurred 6px", func(n int) geom.Quad { return squareQuad(200, 200, float64(n)*6, 10) }, 2},
	}
	m := encodeSymbol(t, "finder pattern test 0123456789", decoder.ErrorCorrectionLevel_M, 3)
	n := len(m)
	nf := float64(n)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := homographyScene(400, 400, n, tc.q(n))
			sc.blur = tc.blur
			p := sc.render(m)
			fps := findFinderPatterns(context.Background(), binarize(p), false, 100)
			for _, c := range []geom.Point{{X: 3.5, Y: 3.5}, {X: nf - 3.5, Y: 3.5}, {X: 3.5, Y: nf - 3.5}} {
				want := sc.toImage(c)
				// module pitch at this finder: the finder estimate is the
				// smallest pitch over four directions, so compare with the
				// smaller of the two axis pitches
				ms := math.Min(sc.toImage(c.Add(geom.Point{X: 1})).Dist(want), sc.toImage(c.Add(geom.Point{Y: 1})).Dist(want))
				best := -1
				for i, fp := range fps {
					if best < 0 || fp.c.Dist(want) < fps[best].c.Dist(want) {
						best = i
					}
				}
				if best < 0 {
					t.Fatalf("no finder pattern found")
				}
				if d := fps[best].c.Dist(want) / ms; d > 0.5 {
					t.Errorf("finder at %v: nearest candidate %v is %.2f modules away", want, fps[best].c, d)
				}
				if r := fps[best].ms / ms; r < 0.75 || r > 1.25 {
					t.Errorf("finder at %v: module size %.2f, want %.2f", want, fps[best].ms, ms)
				}
			}
			if testing.Verbose() {
				fmt.Println(tc.name, fps)
			}
		})
	}
}

// TestFinderContrast checks the gray level contrast measured on finder
// patterns of a symbol and that sensor-like noise on a flat dark
// background, which the local mean threshold turns into run-length
// look-alikes, yields no candidate.
func TestFinderContrast(t *testing.T) {
	m := encodeSymbol(t, "finder contrast", decoder.ErrorCorrectionLevel_M, 2)
	n := len(m)
	cases := []struct {
		name        string
		dark, light byte
	}{
		{"full contrast", 20, 230},
		{"low contrast", 110, 150},
		{"dim", 40, 60},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := homographyScene(300, 300, n, squareQuad(150, 150, float64(n)*5, 12))
			sc.dark, sc.light = tc.dark, tc.light
			fps := findFinderPatterns(context.Background(), binarize(sc.render(m)), false, 100)
			want := float64(tc.light) - float64(tc.dark)
			found := 0
			for _, c := range []geom.Point{{X: 3.5, Y: 3.5}, {X: float64(n) - 3.5, Y: 3.5}, {X: 3.5, Y: float64(n) - 3.5}} {
				for _, fp := range fps {
					if fp.c.Dist(sc.toImage(c)) < 2*fp.ms {
						found++
						// anti-aliased run ends are excluded, rotation
						// blends a little of the neighbours in
						if fp.contrast < 0.8*want || fp.contrast > want+1 {
							t.Errorf("finder at %v: contrast %.1f, want about %.0f", fp.c, fp.contrast, want)
						}
						break
					}
				}
			}
			if found != 3 {
				t.Errorf("found %d of 3 finder patterns", found)
			}
		})
	}
	// σ = 2 is what the 3× box reduction leaves of σ = 6 sensor noise;
	// the gate is absolute, so stronger white noise at 1-pixel runs still
	// passes it now and then (see minFinderContrast).
	t.Run("noise", func(t *testing.T) {
		p := gray.New(400, 400)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range p.Pix {
			p.Pix[i] = byte(60 + rng.NormFloat64()*2)
		}
		if fps := findFinderPatterns(context.Background(), binarize(p), false, 100); len(fps) != 0 {
			t.Errorf("found %d finder patterns in noise, first %+v", len(fps), fps[0])
		}
	})
}

// TestRunEnd: the eight-at-a-time run scan ends every run where a plain
// pixel loop does, on rows of random run lengths (1 to 40 pixels).
func TestRunEnd(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 200; trial++ {
		var row []byte
		v := byte(rng.IntN(2))
		for len(row) < 300 {
			for n := 1 + rng.IntN(40); n > 0; n-- {
				row = append(row, v)
			}
			v ^= 1
		}
		row = row[:rng.IntN(len(row))+1]
		for x := 0; x < len(row); x++ {
			want := x + 1
			for want < len(row) && row[want] == row[x] {
				want++
			}
			if got := runEnd(row, x); got != want {
				t.Fatalf("trial %d x %d: runEnd %d, want %d", trial, x, got, want)
			}
		}
	}
}

// TestScanLineSIMD checks that scanLine's AVX2 path finds the hits of the
// scalar scan, in the same order, on lines of runs of every length mix
// (single pixels, module-sized runs, finder patterns, long blanks) and on
// the rows of a binarised page: skipped in builds or on CPUs without it.
func TestScanLineSIMD(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 kernel in this build or on this CPU")
	}
	type hitAt struct{ centre, u float64 }
	scan := func(f func([]byte, byte, func(float64, float64)), line []byte, inv byte) []hitAt {
		var hs []hitAt
		f(line, inv, func(c, u float64) { hs = append(hs, hitAt{c, u}) })
		return hs
	}
	rng := rand.New(rand.NewPCG(3, 5))
	var lines [][]byte
	for n := range 200 {
		var line []byte
		maxRun := 1 + n%40
		for len(line) < n*3 {
			if rng.IntN(8) == 0 {
				// a finder pattern of module m
				m := 1 + rng.IntN(6)
				for k, w := range []int{1, 1, 3, 1, 1} {
					for range w * m {
						line = append(line, byte(1-k%2))
					}
				}
				continue
			}
			v := byte(rng.IntN(2))
			for range 1 + rng.IntN(maxRun) {
				line = append(line, v)
			}
		}
		lines = append(lines, line[:n*3])
	}
	b := binarize(gray.Downscale(nil, synth.CleanInvoice(1).Plane, 2))
	for y := 0; y < b.h; y += 7 {
		lines = append(lines, b.pix[y*b.w:(y+1)*b.w])
	}
	hits := 0
	for i, line := range lines {
		for _, inv := range []byte{0, 1} {
			want := scan(scanLineScalar, line, inv)
			got := scan(scanLineSIMD, line, inv)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("line %d (len %d, inv %d): hits %v, want %v", i, len(line), inv, got, want)
			}
			hits += len(want)
		}
	}
	if hits < 100 {
		t.Errorf("only %d hits over the lines: the cases miss the ratio test", hits)
	}
}
