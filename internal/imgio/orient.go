package imgio

import "github.com/qrcascade/qrcascade/internal/gray"

// orientedSize returns the displayed size of a w×h stored image under Exif
// orientation o: orientations 5..8 swap the axes.
func orientedSize(w, h, o int) (int, int) {
	if o >= 5 && o <= 8 {
		return h, w
	}
	return w, h
}

// orientTile is the side of the square tiles in which orient copies pixels,
// so that the strided writes of a 90° rotation stay within a few cache lines.
const orientTile = 32

// orient returns p as displayed under Exif orientation o (Exif 2.32, Table 4,
// tag 0x0112: "the 0th row represents the visual top/bottom/left/right…").
// For o == 1 (or out of range) it returns p itself; otherwise a new compact
// plane, and p is not modified.
//
// Stored pixel (sx, sy) of a W×H plane lands at displayed (dx, dy):
//
//	1: (sx, sy)          5: (sy, sx)           transpose
//	2: (W-1-sx, sy)      6: (H-1-sy, sx)       rotate 90° clockwise
//	3: (W-1-sx, H-1-sy)  7: (H-1-sy, W-1-sx)   transverse
//	4: (sx, H-1-sy)      8: (sy, W-1-sx)       rotate 90° counter-clockwise
//
// Each mapping is affine in (sx, sy), so the destination index is
// origin + sx*ax + sy*ay and one tiled loop serves all eight cases.
func orient(p *gray.Plane, o int) *gray.Plane {
	if o < 2 || o > 8 {
		return p
	}
	w, h := p.W, p.H
	dw, dh := orientedSize(w, h, o)
	q := gray.New(dw, dh)
	if w == 0 || h == 0 {
		return q
	}
	var origin, ax, ay int
	switch o {
	case 2:
		origin, ax, ay = w-1, -1, w
	case 3:
		origin, ax, ay = w-1+(h-1)*w, -1, -w
	case 4:
		origin, ax, ay = (h-1)*w, 1, -w
	case 5:
		origin, ax, ay = 0, h, 1
	case 6:
		origin, ax, ay = h-1, h, -1
	case 7:
		origin, ax, ay = h-1+(w-1)*h, -h, -1
	case 8:
		origin, ax, ay = (w-1)*h, -h, 1
	}
	dst := q.Pix
	if o <= 4 {
		// Whole rows map to whole rows: no tiling needed.
		for sy := 0; sy < h; sy++ {
			row := p.Row(sy)
			d := origin + sy*ay
			if ax == 1 {
				copy(dst[d:d+w], row)
				continue
			}
			out := dst[d-w+1 : d+1]
			for sx, v := range row {
				out[w-1-sx] = v
			}
		}
		return q
	}
	for ty := 0; ty < h; ty += orientTile {
		ey := min(ty+orientTile, h)
		for tx := 0; tx < w; tx += orientTile {
			ex := min(tx+orientTile, w)
			for sy := ty; sy < ey; sy++ {
				row := p.Row(sy)[tx:ex]
				d := origin + sy*ay + tx*ax
				for _, v := range row {
					dst[d] = v
					d += ax
				}
			}
		}
	}
	return q
}
