package neural

import (
	"math"
	"sort"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// decoder turns the head tensor into quads. Its candidate list is reused.
type decoder struct {
	cands []Detection
}

func sigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

func logit(p float32) float32 { return float32(math.Log(float64(p) / (1 - float64(p)))) }

// decode reads detections from head (10×gh×gw) in network-input pixels.
//
//  1. Peaks of the centre heatmap: cells whose logit reaches the threshold's
//     logit and is not below any of its 8 neighbours.
//  2. Corners: cell centre ((j+0.5)·stride, (i+0.5)·stride) plus the four
//     regressed offsets times the offset scale.
//  3. Corner snapping: each corner moves to the strongest peak of the corner
//     heatmap within a radius of max(1.5 cells, 20 % of the code side) when
//     that peak is confident enough, refined to sub-cell precision by the
//     centroid of its 3×3 neighbourhood. The snapped quad is kept only when
//     it stays convex, no two corners share a peak, and its area is within
//     a factor 2 of the regressed one; otherwise the regressed quad stands.
//     (Regressed offsets alone tend toward axis-aligned quads.)
//  4. Non-maximum suppression: a candidate is dropped when its bounding box
//     overlaps a stronger one's by IoU above opts.NMSIoU or its centroid
//     lies inside a stronger quad.
func (d *decoder) decode(head tensor, info Info, o DetectOptions) []Detection {
	gh, gw := head.h, head.w
	n := gh * gw
	cen := head.data[:n]
	cor := head.data[9*n : 10*n]
	thr := logit(o.Threshold)
	snapThr := logit(o.SnapThreshold)
	st := float32(info.Stride)
	sc := info.OffsetScale
	d.cands = d.cands[:0]
	for i := 0; i < gh; i++ {
		for j := 0; j < gw; j++ {
			v := cen[i*gw+j]
			if v < thr || !isPeak(cen, gw, gh, j, i, v) {
				continue
			}
			cx, cy := (float32(j)+0.5)*st, (float32(i)+0.5)*st
			var q geom.Quad
			for k := 0; k < 4; k++ {
				dx := head.data[(1+2*k)*n+i*gw+j]
				dy := head.data[(2+2*k)*n+i*gw+j]
				q[k] = geom.Point{X: float64(cx + dx*sc), Y: float64(cy + dy*sc)}
			}
			q = snapCorners(q, cor, gw, gh, st, snapThr)
			d.cands = append(d.cands, Detection{Quad: q, Score: sigmoid(v)})
		}
	}
	sort.Slice(d.cands, func(a, b int) bool { return d.cands[a].Score > d.cands[b].Score })
	kept := d.cands[:0]
	for _, c := range d.cands {
		ok := true
		for _, k := range kept {
			if boxIoU(c.Quad, k.Quad) > o.NMSIoU || k.Quad.Contains(c.Quad.Centroid()) {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, c)
			if len(kept) == o.MaxDetections {
				break
			}
		}
	}
	return kept
}

func isPeak(hm []float32, w, h, x, y int, v float32) bool {
	for dy := -1; dy <= 1; dy++ {
		yy := y + dy
		if yy < 0 || yy >= h {
			continue
		}
		for dx := -1; dx <= 1; dx++ {
			xx := x + dx
			if (dx == 0 && dy == 0) || xx < 0 || xx >= w {
				continue
			}
			u := hm[yy*w+xx]
			// Ties go to the first cell in raster order.
			if u > v || (u == v && (dy < 0 || (dy == 0 && dx < 0))) {
				return false
			}
		}
	}
	return true
}

func snapCorners(q geom.Quad, cor []float32, gw, gh int, st, thr float32) geom.Quad {
	side := math.Sqrt(math.Abs(q.Area()))
	r := int(math.Ceil(math.Max(1.5, 0.2*side/float64(st))))
	var s geom.Quad
	var cells [4]int
	for k, p := range q {
		px, py := int(p.X/float64(st)), int(p.Y/float64(st))
		best, bi, bj := thr, -1, -1
		for i := max(0, py-r); i <= min(gh-1, py+r); i++ {
			for j := max(0, px-r); j <= min(gw-1, px+r); j++ {
				if v := cor[i*gw+j]; v >= best {
					best, bi, bj = v, i, j
				}
			}
		}
		if bi < 0 {
			s[k] = p
			cells[k] = -1 - k
			continue
		}
		cells[k] = bi*gw + bj
		// sub-cell refinement: probability-weighted centroid of the 3×3 cells
		var sw, sx, sy float64
		for i := max(0, bi-1); i <= min(gh-1, bi+1); i++ {
			for j := max(0, bj-1); j <= min(gw-1, bj+1); j++ {
				w := float64(sigmoid(cor[i*gw+j]))
				sw += w
				sx += w * (float64(j) + 0.5)
				sy += w * (float64(i) + 0.5)
			}
		}
		s[k] = geom.Point{X: sx / sw * float64(st), Y: sy / sw * float64(st)}
	}
	for a := 0; a < 4; a++ {
		for b := a + 1; b < 4; b++ {
			if cells[a] == cells[b] {
				return q
			}
		}
	}
	qa, sa := math.Abs(q.Area()), math.Abs(s.Area())
	if !convex(s) || sa < qa/2 || sa > qa*2 {
		return q
	}
	return s
}

// convex reports whether the quad's four turns all have the same sign.
func convex(q geom.Quad) bool {
	var pos, neg int
	for k := 0; k < 4; k++ {
		a, b, c := q[k], q[(k+1)%4], q[(k+2)%4]
		cr := (b.X-a.X)*(c.Y-b.Y) - (b.Y-a.Y)*(c.X-b.X)
		if cr > 0 {
			pos++
		} else if cr < 0 {
			neg++
		}
	}
	return pos == 4 || neg == 4
}

func boxIoU(a, b geom.Quad) float32 {
	ax0, ay0, ax1, ay1 := a.Bounds()
	bx0, by0, bx1, by1 := b.Bounds()
	iw := math.Min(ax1, bx1) - math.Max(ax0, bx0)
	ih := math.Min(ay1, by1) - math.Max(ay0, by0)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	u := (ax1-ax0)*(ay1-ay0) + (bx1-bx0)*(by1-by0) - inter
	if u <= 0 {
		return 0
	}
	return float32(inter / u)
}
