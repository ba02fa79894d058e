package qr

import (
	"github.com/qrcascade/qrcascade/internal/geom"
)

// grid maps module coordinates to pixel coordinates.
type grid struct {
	n      int
	global geom.Homography
	// local transforms, when set: cell (i, j) spans anchors pos[i]..pos[i+1]
	// horizontally and pos[j]..pos[j+1] vertically.
	pos   []float64
	cells []geom.Homography
	// alignment patterns located by refineLocal (0 when it did not run to
	// the end)
	aligned int
}

// toImage maps module coordinates (x, y) to pixel coordinates.
func (g *grid) toImage(x, y float64) geom.Point {
	if g.cells == nil {
		return g.global.Apply(geom.Point{X: x, Y: y})
	}
	k := len(g.pos) - 1
	i := cellIndex(g.pos, x)
	j := cellIndex(g.pos, y)
	return g.cells[j*k+i].Apply(geom.Point{X: x, Y: y})
}

func cellIndex(pos []float64, v float64) int {
	i := 0
	for i < len(pos)-2 && v >= pos[i+1] {
		i++
	}
	return i
}

// corners returns the outer corners of the symbol in pixel coordinates.
func (g *grid) corners() geom.Quad {
	n := float64(g.n)
	return geom.Quad{g.toImage(0, 0), g.toImage(n, 0), g.toImage(n, n), g.toImage(0, n)}
}

// moduleSize returns the mean module pitch in pixels along the top and left
// edges.
func (g *grid) moduleSize() float64 {
	c := g.corners()
	return (c[0].Dist(c[1]) + c[1].Dist(c[2]) + c[2].Dist(c[3]) + c[3].Dist(c[0])) / (4 * float64(g.n))
}

// sameGrid reports whether grids a and b (of one side) put every point of a
// 5×5 lattice over the symbol, corners included, within half a module of
// each other: sampling b after a would read the same modules. Local grids
// fitted from different global transforms can share their bottom-right
// corner and still differ inside, so the corner alone does not tell.
func sameGrid(a, b *grid) bool {
	if a == nil || b == nil || a.n != b.n {
		return false
	}
	tol := 0.5 * a.moduleSize()
	nf := float64(a.n)
	for j := 0; j <= 4; j++ {
		for i := 0; i <= 4; i++ {
			x, y := nf*float64(i)/4, nf*float64(j)/4
			if a.toImage(x, y).Dist(b.toImage(x, y)) >= tol {
				return false
			}
		}
	}
	return true
}
