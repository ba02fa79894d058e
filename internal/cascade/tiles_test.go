package cascade

import (
	"image"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

func TestTiles(t *testing.T) {
	for _, tc := range []struct {
		w, h, base int
		wantSide   int // tile side expected (0: any over base)
		wantCount  int // tiles expected (0: any up to maxTiles)
	}{
		{w: 4000, h: 3000, base: 1280, wantSide: 1280, wantCount: 12}, // 12 MP photo: unchanged
		{w: 3840, h: 2160, base: 1280, wantSide: 1280, wantCount: 8},  // 4K
		{w: 2000, h: 1000, base: 1280, wantSide: 1280, wantCount: 2},
		{w: 1000, h: 800, base: 1280, wantSide: 1280, wantCount: 1},
		{w: 7000, h: 7000, base: 1280},    // 49 MP: larger tiles
		{w: 49_999_999, h: 1, base: 1280}, // a line: larger tiles, bounded count
		{w: 1, h: 20_000_000, base: 1280},
	} {
		side := tileSide(tc.w, tc.h, tc.base)
		if tc.wantSide != 0 && side != tc.wantSide {
			t.Errorf("%d×%d: side %d, want %d", tc.w, tc.h, side, tc.wantSide)
		}
		covered := image.Rectangle{}
		n := 0
		for r := range tiles(tc.w, tc.h, tc.base) {
			n++
			if r.Empty() || r.Dx() > side || r.Dy() > side {
				t.Errorf("%d×%d: tile %v (side %d)", tc.w, tc.h, r, side)
			}
			covered = covered.Union(r)
		}
		if n > maxTiles || tc.wantCount != 0 && n != tc.wantCount {
			t.Errorf("%d×%d: %d tiles (side %d), want %d, at most %d", tc.w, tc.h, n, side, tc.wantCount, maxTiles)
		}
		if n != tilesAlong(tc.w, side)*tilesAlong(tc.h, side) {
			t.Errorf("%d×%d: %d tiles yielded, tilesAlong says %d×%d", tc.w, tc.h, n, tilesAlong(tc.w, side), tilesAlong(tc.h, side))
		}
		if covered != image.Rect(0, 0, tc.w, tc.h) {
			t.Errorf("%d×%d: tiles cover %v", tc.w, tc.h, covered)
		}
	}
}

func TestFlat(t *testing.T) {
	mk := func(fill func(x, y int) byte) *gray.Plane {
		p := gray.New(64, 48)
		for y := 0; y < p.H; y++ {
			for x := 0; x < p.W; x++ {
				p.Pix[y*p.Stride+x] = fill(x, y)
			}
		}
		return p
	}
	for _, tc := range []struct {
		name string
		p    *gray.Plane
		want bool
	}{
		{"blank", mk(func(x, y int) byte { return 255 }), true},
		{"paper noise", mk(func(x, y int) byte { return byte(240 + (x*7+y*13)%(minTileContrast-1)) }), true},
		{"dark code", mk(func(x, y int) byte { return byte(20 + 30*((x/4+y/4)%2)) }), false},
		{"one dark module", mk(func(x, y int) byte {
			if x >= 40 && x < 42 && y >= 30 && y < 32 {
				return 0
			}
			return 200
		}), false},
	} {
		if got := flat(tc.p); got != tc.want {
			t.Errorf("%s: flat %v, want %v", tc.name, got, tc.want)
		}
	}
}
