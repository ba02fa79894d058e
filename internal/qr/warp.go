package qr

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Bending the grid: a symbol on a curved surface (a can, bent paper)
// follows no single homography. refinePhase moves a 3×3 lattice of
// control points to where the grid is most in phase with the module edges
// and gives each cell its own homography; read.go applies it to the first
// grid that reached Reed–Solomon.

// phaseRounds is how many times the near grid's bend is refined
// (refinePhase), each round from the last. Measured (make bench-corpus):
// 1 round 592/648 boofcv-dev codes, 2 rounds 594, 3 rounds 596 (curved
// 20 -> 23 of 30, glare 18 -> 19), 4 rounds 596; text sets unchanged;
// 30.5 -> 32.1 ms CPU per image with 3.
const phaseRounds = 3

// refinePhase returns g bent to follow the symbol: a 3×3 lattice of
// control points at module positions 3.5, n/2 and n−3.5 starts on g; the
// three inside finder patterns stay, each of the other six moves, one
// after the other, to where the cells around it are most in phase with
// the module edges (phaseScore; 5×5 offsets 0.6 then 0.25 module apart
// along the local module axes), and each of the four cells gets its own
// homography. One homography cannot follow a symbol on a curved surface;
// this follows a smooth bend, at a cost of about 300 samplings of the
// modules of one or two cells. Nil when a cell degenerates.
func refinePhase(s sampler, g *grid) *grid {
	n := g.n
	nf := float64(n)
	pos := []float64{3.5, nf / 2, nf - 3.5}
	const k = 3
	var pts [k * k]geom.Point
	for j := 0; j < k; j++ {
		for i := 0; i < k; i++ {
			pts[j*k+i] = g.toImage(pos[i], pos[j])
		}
	}
	// The four cells' homographies follow pts; moving one point changes
	// only the cells around it, which are rebuilt for each offset tried.
	var cells [(k - 1) * (k - 1)]geom.Homography
	var fit [(k - 1) * (k - 1)]bool
	setCell := func(ci, cj int) {
		cells[cj*(k-1)+ci], fit[cj*(k-1)+ci] = latticeCell(k, pos, pts[:], ci, cj)
	}
	for cj := 0; cj < k-1; cj++ {
		for ci := 0; ci < k-1; ci++ {
			setCell(ci, cj)
		}
	}
	fitted := func() bool { return fit[0] && fit[1] && fit[2] && fit[3] }
	bounds := []int{0, n / 2, n}
	for _, o := range [6][2]int{{1, 0}, {0, 1}, {1, 1}, {2, 1}, {1, 2}, {2, 2}} {
		i, j := o[0], o[1]
		// the cells around the point, and their modules
		ci0, ci1 := max(i-1, 0), min(i, k-2)
		cj0, cj1 := max(j-1, 0), min(j, k-2)
		moved := func() {
			for cj := cj0; cj <= cj1; cj++ {
				for ci := ci0; ci <= ci1; ci++ {
					setCell(ci, cj)
				}
			}
		}
		x0, x1 := bounds[max(i-1, 0)], bounds[min(i+1, k-1)]
		y0, y1 := bounds[max(j-1, 0)], bounds[min(j+1, k-1)]
		c := pts[j*k+i]
		ex := g.toImage(pos[i]+1, pos[j]).Sub(c)
		ey := g.toImage(pos[i], pos[j]+1).Sub(c)
		score := func() float64 {
			moved()
			if !fitted() {
				return math.Inf(-1)
			}
			return phaseCells(s, &cells, pos[1], x0, x1, y0, y1)
		}
		moveControlPoint(&pts[j*k+i], ex, ey, score)
		moved()
	}
	if !fitted() {
		return nil
	}
	return &grid{n: n, global: g.global, pos: pos, cells: append([]geom.Homography(nil), cells[:]...)}
}

// phaseCells is gridPhase over the module rows y0..y1−1 (sampled across
// columns x0..x1−1) and columns x0..x1−1 (sampled across rows y0..y1−1) of
// a grid of 2×2 cells: a point (x, y) in module coordinates maps through
// cells[j*2+i], i = 1 when x ≥ split, j = 1 when y ≥ split, as
// grid.toImage maps it for anchors {·, split, ·}. Each line's two cells
// are walked in homogeneous coordinates (phaseLine). phaseScore, in the
// tests, is the reference it is checked against.
func phaseCells(s sampler, cells *[4]geom.Homography, split float64, x0, x1, y0, y1 int) float64 {
	var score float64
	var pts [2 * 177]geom.Point // a line's points (sampler.lineSamples' scratch)
	var vals [2 * 177]float64   // a line's values: two a module of side 177 at most
	for axis := 0; axis < 2; axis++ {
		r0, r1, k0, k1 := y0, y1, x0, x1
		if axis == 1 {
			r0, r1, k0, k1 = x0, x1, y0, y1
		}
		for r := r0; r < r1; r++ {
			c := float64(r) + 0.5
			cr := 0
			if c >= split {
				cr = 1
			}
			// the line's cells before (0) and after (1) split along it:
			// base + t·step in homogeneous image coordinates
			var line [2]phaseLine
			for side := range line {
				h := &cells[cr*2+side]
				if axis == 1 {
					h = &cells[side*2+cr]
				}
				line[side] = newPhaseLine(h, axis, c)
			}
			// the line's values two a module, at t = k+0.25 and k+0.75:
			// the points before split on the first cell, the others on
			// the second
			m := k1 - k0
			t0 := float64(k0) + 0.25
			p := min(max(int(math.Ceil(2*(split-t0))), 0), 2*m)
			s.lineSamples(&line[0], t0, vals[:p], pts[:])
			s.lineSamples(&line[1], t0+0.5*float64(p), vals[p:2*m], pts[:])
			var prev float64
			for i := 0; i < m; i++ {
				va, vb := vals[2*i], vals[2*i+1]
				score -= math.Abs(vb - va)
				if i > 0 {
					score += math.Abs(va - prev)
				}
				prev = vb
			}
		}
	}
	return score
}

// moveControlPoint moves the lattice control point *p to the offset, along
// the local module axes ex and ey, where score is highest: 5×5 offsets 0.6
// module apart around where it is, then 0.25 apart around the best of
// those (ties keep the earlier). score rates the lattice with the point
// where *p holds it.
func moveControlPoint(p *geom.Point, ex, ey geom.Point, score func() float64) {
	best, bestScore := *p, score()
	for _, step := range [...]float64{0.6, 0.25} {
		centre := best
		for dj := -2; dj <= 2; dj++ {
			for di := -2; di <= 2; di++ {
				if di == 0 && dj == 0 {
					continue
				}
				*p = centre.Add(ex.Scale(float64(di) * step)).Add(ey.Scale(float64(dj) * step))
				if sc := score(); sc > bestScore {
					best, bestScore = *p, sc
				}
			}
		}
	}
	*p = best
}
