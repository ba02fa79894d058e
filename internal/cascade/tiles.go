package cascade

import (
	"context"
	"fmt"
	"image"
	"iter"

	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/neural"
)

// Tiling: a detector that found nothing on the whole plane runs again on
// overlapping tiles, where a small code covers more of the detector's
// input. Its cost is one detector run per tile, so two bounds keep it in
// proportion to what the plane can hold:
//
//   - at most maxTiles tiles: a plane that would need more is cut into
//     larger tiles (tileSide), so a 49 MP image costs what a 12 MP one does
//     rather than four times as much;
//   - a tile whose gray range is under minTileContrast is skipped: a symbol
//     needs dark and light modules, and a tile that flat holds none (blank
//     paper, sky, a flat image sent to hold a decode slot).

// maxTiles is the most tiles one detector run is given on one plane. At
// the default side (1280 px, 25 % overlap) it covers 4000 × 3000 (12 tiles)
// and 5000 × 3500 (15) unchanged.
const maxTiles = 16

// minTileContrast is the gray range (max − min, sampled every second pixel
// of every second row) under which a tile is skipped. JPEG noise on flat
// paper spans a few levels; the darkest readable codes of boofcv-dev's
// brightness category span several tens.
const minTileContrast = 12

// tileStep is the distance between the origins of neighbouring tiles of
// side t (25 % overlap).
func tileStep(t int) int { return t * 3 / 4 }

// tilesAlong is the number of tiles of side t that cover a length n.
func tilesAlong(n, t int) int {
	if n <= t {
		return 1
	}
	step := tileStep(t)
	return (n-t+step-1)/step + 1
}

// tileSide returns the side of the tiles for a w × h plane: base, or the
// smallest multiple of 64 above it that needs at most maxTiles tiles.
func tileSide(w, h, base int) int {
	t := base
	for tilesAlong(w, t)*tilesAlong(h, t) > maxTiles {
		t += 64
	}
	return t
}

// flat reports whether the gray range of p, sampled every second pixel of
// every second row, is under minTileContrast.
func flat(p *gray.Plane) bool {
	lo, hi := byte(255), byte(0)
	for y := 0; y < p.H; y += 2 {
		row := p.Pix[y*p.Stride : y*p.Stride+p.W]
		for x := 0; x < len(row); x += 2 {
			v := row[x]
			lo, hi = min(lo, v), max(hi, v)
		}
		if int(hi)-int(lo) >= minTileContrast {
			return false
		}
	}
	return true
}

// tiles yields the tiles of a w × h plane, row by row: squares of side
// tileSide(w, h, base) (cut by the plane's edges) 25 % apart, the last of a
// row or column flush with the edge.
func tiles(w, h, base int) iter.Seq[image.Rectangle] {
	return func(yield func(image.Rectangle) bool) {
		t := tileSide(w, h, base)
		step := tileStep(t)
		for y0 := 0; y0 < h; y0 += step {
			y1 := min(y0+t, h)
			for x0 := 0; x0 < w; x0 += step {
				x1 := min(x0+t, w)
				if !yield(image.Rect(x0, y0, x1, y1)) {
					return
				}
				if x1 == w {
					break
				}
			}
			if y1 == h {
				break
			}
		}
	}
}

// detectTiles runs m over the tiles of p (tiles; flat ones skipped) and
// maps the detections back to p's coordinates.
func (c *Cascade) detectTiles(ctx context.Context, m *neural.Model, p *gray.Plane, opts neural.DetectOptions) ([]neural.Detection, error) {
	var out []neural.Detection
	for r := range tiles(p.W, p.H, c.cfg.TileSide) {
		tile := gray.Crop(p, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
		if flat(tile) {
			continue
		}
		dets, err := m.DetectWith(ctx, tile, opts)
		if err != nil {
			return out, fmt.Errorf("cascade: tiles: %w", err)
		}
		for _, d := range dets {
			for i := range d.Quad {
				d.Quad[i].X += float64(r.Min.X)
				d.Quad[i].Y += float64(r.Min.Y)
			}
			if !detCovered(out, d.Quad) {
				out = append(out, d)
			}
		}
	}
	return out, nil
}
