package pdf

import (
	"fmt"
	"math"
	"sort"

	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// Limits of the vector-symbol search in Candidates, in points unless said.
const (
	// minSymbolSide: 21 modules (version 1, ISO/IEC 18004:2015, 5.3.1)
	// of 0.25 pt, 1 px at 288 dpi, are below anything worth a retry.
	minSymbolSide = 5.0
	// maxSquareAspect bounds the ratio of a candidate's longer side to
	// its shorter: a symbol is square, its drawing's bounds nearly so.
	maxSquareAspect = 1.3
	// minPathSegments: a symbol drawn as one path holds at least the
	// three finder patterns (ISO/IEC 18004:2015, 6.3.3), 15 row runs of 5
	// segments each (move, three lines, close) when drawn row by row.
	minPathSegments = 60
	// maxPieceSide bounds one piece of a symbol drawn as many small
	// paths (a module, or a run of modules of a row or column); its
	// shorter side is at most maxModule.
	maxPieceSide = 80.0
	maxModule    = 6.0
	// minPieces: a symbol drawn piece by piece has at least the finder
	// patterns' 15 runs and some data.
	minPieces = 30
	// maxObjects bounds the objects examined on a page, forms' included
	// (each costs a few WebAssembly calls, about 5 µs); beyond, the page
	// is reported opaque. Invoice pages hold hundreds.
	maxObjects = 5000
	// maxPieces bounds the small paths clustered (the clustering is
	// quadratic in the worst case); beyond, the page is reported opaque.
	// A symbol of version 15 (77 modules, ISO/IEC 18004:2015, Table 1)
	// drawn module by module has about 3000 dark modules.
	maxPieces = 4000
)

// Candidates returns the regions of page i (0-based) that may hold a QR
// symbol drawn with vector paths (ISO 32000-1, 8.5), in points in the
// displayed frame, for rendering at a higher resolution with RenderRegion
// when the page's render read nothing. It reads the page's content
// objects, draws nothing, and costs a few microseconds per object.
//
// A region is the bounds of a square-ish path object with many segments
// (a symbol drawn as one path), or of a square-ish cluster of small
// touching path objects (drawn module by module or run by run), padded
// by 4 modules' worth for the quiet zone.
//
// Paths inside form XObjects (8.10) are searched too. opaque reports
// content Candidates could not search: more than maxObjects objects or
// maxPieces small paths, or forms nested deeper than maxFormDepth. A caller that wants every small
// symbol must then render the whole page again. Symbols drawn as text (a
// QR font), shadings or patterns are never candidates.
func (d *Document) Candidates(i int) (regions []Rect, opaque bool, err error) {
	if err := d.check(i); err != nil {
		return nil, false, err
	}
	w, h, err := d.PageSize(i)
	if err != nil {
		return nil, false, err
	}
	var pieces []Rect
	err = d.call(func() error {
		complete, err := d.visit(i, w, h, func(obj references.FPDF_PAGEOBJECT, t enums.FPDF_PAGEOBJ, space affine) error {
			if t != enums.FPDF_PAGEOBJ_PATH {
				return nil
			}
			r, err := d.bounds(obj, space)
			if err != nil {
				return err
			}
			long, short := math.Max(r.W, r.H), math.Min(r.W, r.H)
			switch {
			case short <= maxModule && long <= maxPieceSide:
				pieces = append(pieces, r)
			case short >= minSymbolSide && long <= maxSquareAspect*short:
				segs, err := d.inst.FPDFPath_CountSegments(&requests.FPDFPath_CountSegments{PageObject: obj})
				if err != nil {
					return err
				}
				if segs.Count >= minPathSegments {
					regions = append(regions, r)
				}
			}
			return nil
		})
		opaque = !complete || len(pieces) > maxPieces
		return err
	})
	if err != nil {
		return nil, false, d.wrap(fmt.Sprintf("page %d: candidates", i+1), err)
	}
	if len(pieces) <= maxPieces {
		regions = append(regions, clusters(pieces)...)
	}
	for k, r := range regions {
		regions[k] = pad(r, w, h)
	}
	return regions, opaque, nil
}

// bounds returns the displayed-frame bounds of a page object whose
// container's space maps to the display by disp.
func (d *Document) bounds(obj references.FPDF_PAGEOBJECT, disp affine) (Rect, error) {
	b, err := d.inst.FPDFPageObj_GetBounds(&requests.FPDFPageObj_GetBounds{PageObject: obj})
	if err != nil {
		return Rect{}, err
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range [4][2]float32{{b.Left, b.Bottom}, {b.Right, b.Bottom}, {b.Right, b.Top}, {b.Left, b.Top}} {
		p := disp.apply(float64(c[0]), float64(c[1]))
		x0, y0, x1, y1 = math.Min(x0, p.X), math.Min(y0, p.Y), math.Max(x1, p.X), math.Max(y1, p.Y)
	}
	return Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}, nil
}

// clusters groups pieces whose rectangles touch (within a module's gap:
// light modules between dark ones) and returns the bounds of the groups
// that look like a symbol: at least minPieces pieces, square-ish, at least
// minSymbolSide.
func clusters(pieces []Rect) []Rect {
	parent := make([]int, len(pieces))
	for k := range parent {
		parent[k] = k
	}
	var find func(int) int
	find = func(k int) int {
		for parent[k] != k {
			parent[k] = parent[parent[k]]
			k = parent[k]
		}
		return k
	}
	// Sweep in order of left edge: b can touch a only while b starts
	// within a's right edge plus the largest gap. Quadratic at worst (all
	// pieces in one column); maxPieces bounds that.
	byX := make([]int, len(pieces))
	for k := range byX {
		byX[k] = k
	}
	sort.Slice(byX, func(i, j int) bool { return pieces[byX[i]].X < pieces[byX[j]].X })
	const maxGap = maxModule * 1.01
	for ia, a := range byX {
		pa := pieces[a]
		ga := math.Min(pa.W, pa.H) // about one module
		for _, b := range byX[ia+1:] {
			pb := pieces[b]
			if pb.X >= pa.X+pa.W+maxGap {
				break
			}
			g := math.Max(ga, math.Min(pb.W, pb.H)) * 1.01
			if near(pa, pb, g) {
				parent[find(a)] = find(b)
			}
		}
	}
	type group struct {
		n              int
		x0, y0, x1, y1 float64
	}
	groups := map[int]*group{}
	var order []int
	for k, r := range pieces {
		root := find(k)
		gr := groups[root]
		if gr == nil {
			gr = &group{x0: r.X, y0: r.Y, x1: r.X + r.W, y1: r.Y + r.H}
			groups[root] = gr
			order = append(order, root)
		}
		gr.n++
		gr.x0, gr.y0 = math.Min(gr.x0, r.X), math.Min(gr.y0, r.Y)
		gr.x1, gr.y1 = math.Max(gr.x1, r.X+r.W), math.Max(gr.y1, r.Y+r.H)
	}
	var out []Rect
	for _, root := range order {
		gr := groups[root]
		w, h := gr.x1-gr.x0, gr.y1-gr.y0
		long, short := math.Max(w, h), math.Min(w, h)
		if gr.n >= minPieces && short >= minSymbolSide && long <= maxSquareAspect*short {
			out = append(out, Rect{X: gr.x0, Y: gr.y0, W: w, H: h})
		}
	}
	return out
}

// near reports whether a and b, each grown by gap on every side, overlap.
func near(a, b Rect, gap float64) bool {
	return a.X-gap < b.X+b.W && b.X-gap < a.X+a.W && a.Y-gap < b.Y+b.H && b.Y-gap < a.Y+a.H
}

// pad grows r by 4 modules' worth of quiet zone (4/21 of its side, the
// most a version 1 symbol needs, ISO/IEC 18004:2015, 6.3.8), clipped to
// the w×h page.
func pad(r Rect, w, h float64) Rect {
	m := math.Max(r.W, r.H) * 4 / 21
	x0, y0 := math.Max(0, r.X-m), math.Max(0, r.Y-m)
	x1, y1 := math.Min(w, r.X+r.W+m), math.Min(h, r.Y+r.H+m)
	return Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}
