package qr

import (
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// TestGridGuesses checks the ladder's order and its rules: the alignment
// methods only from side 25, cornerStart only for a certain candidate, a
// side's grids in gridLadder's order, and more ending the sequence before
// the next fit.
func TestGridGuesses(t *testing.T) {
	cases := []struct {
		name    string
		version int
		sizes   []int
		start   bool         // a certain candidate: cornerStart before cornerByPhase
		want    []gridMethod // methods yielded, in order, for the first side
	}{
		{"version 1: no alignment pattern", 1, []int{21}, false, []gridMethod{cornerByPhase, parallelogram}},
		{"version 2", 2, []int{25}, false, []gridMethod{alignNear, alignWide, cornerByPhase, parallelogram}},
		{"version 1, certain", 1, []int{21}, true, []gridMethod{cornerStart, cornerByPhase, parallelogram}},
		{"version 2, certain", 2, []int{25}, true, []gridMethod{alignNear, alignWide, cornerStart, cornerByPhase, parallelogram}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := encodeSymbol(t, "grid ladder", decoder.ErrorCorrectionLevel_L, tc.version)
			n := len(m)
			sc := homographyScene(300, 300, n, geom.Quad{{X: 40, Y: 50}, {X: 250, Y: 30}, {X: 270, Y: 260}, {X: 30, Y: 240}})
			s := newSampler(sc.render(m))
			nf := float64(n)
			f := newFinderFrame(s, sceneFinder(sc, 3.5, 3.5), sceneFinder(sc, nf-3.5, 3.5), sceneFinder(sc, 3.5, nf-3.5), false)
			var got []gridMethod
			for gg := range gridGuesses(s, &f, tc.sizes, true, tc.start, func() bool { return true }) {
				if gg.g == nil {
					t.Fatalf("side %d not fitted by %v", gg.n, gg.method)
				}
				got = append(got, gg.method)
			}
			// sameGrid may drop a method whose grid repeats the one
			// before; the rest keep the ladder's order
			for _, g := range got {
				if !slices.Contains(tc.want, g) {
					t.Errorf("yielded %v, want only %v", g, tc.want)
				}
			}
			if !slices.IsSortedFunc(got, func(a, b gridMethod) int {
				return slices.Index(tc.want, a) - slices.Index(tc.want, b)
			}) || len(got) == 0 || got[0] != tc.want[0] {
				t.Errorf("got %v, want a subsequence of %v starting with %v", got, tc.want, tc.want[0])
			}
			calls := 0
			once := func() bool { calls++; return calls == 1 }
			k := 0
			for range gridGuesses(s, &f, tc.sizes, true, tc.start, once) {
				k++
			}
			if k != 1 {
				t.Errorf("%d guesses after more said no, want 1", k)
			}
		})
	}
}

// TestInData checks which finder patterns count as a read symbol's data
// modules: inside it at its module size, not outside it, and not at
// another module size (a symbol nested in another one's centre).
func TestInData(t *testing.T) {
	syms := []Symbol{{
		Corners:    geom.Quad{{X: 100, Y: 100}, {X: 300, Y: 100}, {X: 300, Y: 300}, {X: 100, Y: 300}},
		ModuleSize: 4,
	}}
	cases := []struct {
		name string
		fp   finderPattern
		want bool
	}{
		{"data modules", finderPattern{c: geom.Point{X: 200, Y: 180}, ms: 4.5}, true},
		{"outside", finderPattern{c: geom.Point{X: 350, Y: 180}, ms: 4}, false},
		{"nested, smaller modules", finderPattern{c: geom.Point{X: 200, Y: 180}, ms: 1.5}, false},
		{"larger modules", finderPattern{c: geom.Point{X: 200, Y: 180}, ms: 7}, false},
	}
	for _, tc := range cases {
		if got := inData(syms, tc.fp); got != tc.want {
			t.Errorf("%s: inData = %v, want %v", tc.name, got, tc.want)
		}
	}
}
