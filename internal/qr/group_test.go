package qr

import (
	"fmt"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// TestGroupSheetOfSymbols lays out the finder patterns of a sheet of
// identical symbols in rows and columns, where the cross triples between
// neighbours score like true ones, and checks that every symbol's own
// triple survives the budget.
func TestGroupSheetOfSymbols(t *testing.T) {
	for _, tc := range []struct {
		rows, cols, budget int
	}{
		{1, 1, 80},
		{4, 4, 80},
		{8, 8, 80},
		{8, 8, 10},
	} {
		t.Run(fmt.Sprintf("%dx%d budget %d", tc.rows, tc.cols, tc.budget), func(t *testing.T) {
			const ms, side, gap = 2.0, 25.0, 6.0 // module px, version 2, quiet gap in modules
			var fps []finderPattern
			type sym struct{ tl, tr, bl int }
			var syms []sym
			for r := 0; r < tc.rows; r++ {
				for c := 0; c < tc.cols; c++ {
					ox, oy := float64(c)*(side+gap)*ms, float64(r)*(side+gap)*ms
					at := func(x, y float64) int {
						fps = append(fps, finderPattern{c: geom.Point{X: ox + x*ms, Y: oy + y*ms}, ms: ms, count: 5})
						return len(fps) - 1
					}
					syms = append(syms, sym{at(3.5, 3.5), at(side-3.5, 3.5), at(3.5, side-3.5)})
				}
			}
			got := groupFinderPatterns(fps, tc.budget)
			for i, s := range syms {
				found := false
				for _, tr := range got {
					if tr.tl == s.tl && tr.tr == s.tr && tr.bl == s.bl {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("symbol %d: its triple is not among the %d returned", i, len(got))
				}
			}
			// the budget is exceeded by at most keepPerPattern per pattern
			if limit := tc.budget + keepPerPattern*len(fps); len(got) > limit {
				t.Errorf("%d triples, more than %d", len(got), limit)
			}
		})
	}
}

// TestFineScale: an extra, finer locating pass follows only a coarse
// (3× or more) reduction that yielded a symbol with modules under two
// reduced pixels.
func TestFineScale(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scale  float64
		module []float64 // module sizes of the symbols read, full-resolution pixels
		want   int
	}{
		{"not reduced", 1, []float64{1.5}, 0},
		{"halved", 2, []float64{2.5}, 0},
		{"third, nothing read", 3, nil, 0},
		{"third, big modules", 3, []float64{9, 12}, 0},
		{"third, one small symbol", 3, []float64{12, 5.5}, 2},
		{"quarter, small", 4, []float64{7}, 2},
		{"fifth, small", 5, []float64{9}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var syms []Symbol
			for _, m := range tc.module {
				syms = append(syms, Symbol{ModuleSize: m})
			}
			if got := fineScale(tc.scale, syms); got != tc.want {
				t.Errorf("fineScale(%v, %v) = %d, want %d", tc.scale, tc.module, got, tc.want)
			}
		})
	}
}

// TestGroupSkewedTriple: an oblique view skews a symbol's corner angle far
// from 90° (boofcv-dev nominal/image016, 119°): the triple must still be
// formed, with the right orientation; a straight line of three patterns
// must not.
func TestGroupSkewedTriple(t *testing.T) {
	fp := func(x, y, ms float64) finderPattern {
		return finderPattern{c: geom.Point{X: x, Y: y}, ms: ms, count: 10}
	}
	// measured finder centres of nominal/image016: top-left, top-right, bottom-left
	skewed := []finderPattern{fp(380, 120, 4.1), fp(518, 126, 4.6), fp(328, 206, 5.8)}
	got := groupFinderPatterns(skewed, 80)
	found := false
	for _, tr := range got {
		if tr.tl == 0 && tr.tr == 1 && tr.bl == 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("skewed triple not formed: %+v", got)
	}
	line := []finderPattern{fp(100, 100, 4), fp(200, 100, 4), fp(300, 100, 4)}
	if got := groupFinderPatterns(line, 80); len(got) != 0 {
		t.Errorf("collinear patterns grouped: %+v", got)
	}
}
