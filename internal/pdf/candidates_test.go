package pdf

import (
	"testing"

	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// TestCandidates: symbols drawn as one path or piece by piece, on the page
// or inside a form XObject, are found, and their region rendered at 400
// dpi reads (the page at 200 dpi does not); text and images are not
// candidates; a page with more objects than the search examines is
// opaque.
func TestCandidates(t *testing.T) {
	const text = "https://example.com/invoice?id=2026-000123&total=99.90&tax=B12345678"
	m := mustMatrix(t, text)
	const mod = 0.45 // pt per module: 1.25 px at 200 dpi, 2.5 px at 400
	side := float64(len(m)) * mod
	for _, tc := range []struct {
		name    string
		rotate  int
		draw    func(*pdftest.Page) error
		regions int
		opaque  bool
	}{
		{"one path", 0, func(p *pdftest.Page) error { p.VectorQR(m, 300, 300, mod); return nil }, 1, false},
		{"pieces", 0, func(p *pdftest.Page) error { p.VectorQRPieces(m, 300, 300, mod); return nil }, 1, false},
		{"one path, rotate90", 90, func(p *pdftest.Page) error { p.VectorQR(m, 100, 500, mod); return nil }, 1, false},
		{"pieces, rotate270", 270, func(p *pdftest.Page) error { p.VectorQRPieces(m, 100, 500, mod); return nil }, 1, false},
		{"two symbols", 0, func(p *pdftest.Page) error {
			p.VectorQR(m, 420, 620, mod)
			p.VectorQRPieces(m, 300, 500, mod)
			return nil
		}, 2, false},
		{"form", 0, func(p *pdftest.Page) error { p.FormVectorQR(m, 300, 300, mod); return nil }, 1, false},
		{"form, rotate90", 90, func(p *pdftest.Page) error { p.FormVectorQR(m, 100, 500, mod); return nil }, 1, false},
		{"too many objects", 0, func(p *pdftest.Page) error {
			for k := 0; k <= maxObjects; k++ {
				p.Rect(400+float64(k%100), 600+float64((k/100)%200), 0.5, 0.5)
			}
			return nil
		}, 0, true},
		{"text only", 0, func(p *pdftest.Page) error { return nil }, 0, false},
		{"image", 0, func(p *pdftest.Page) error { return p.ImageQR(m, 4, 300, 300, 100, false) }, 0, false},
		{"square box", 0, func(p *pdftest.Page) error { p.Rect(300, 300, 40, 40); return nil }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
			p.Rotate = tc.rotate
			for y := 80.0; y < 300; y += 14 {
				p.Text(60, y, 10, "1 x Widget, reference 0042-AB ........ 121.00 EUR")
			}
			if err := tc.draw(p); err != nil {
				t.Fatal(err)
			}
			d := open(t, engine, pdftest.Build([]*pdftest.Page{p}, pdftest.Options{}))
			regions, opaque, err := d.Candidates(0)
			if err != nil {
				t.Fatal(err)
			}
			if len(regions) != tc.regions || opaque != tc.opaque {
				t.Fatalf("%d regions %v, opaque %v; want %d, %v", len(regions), regions, opaque, tc.regions, tc.opaque)
			}
			if tc.regions == 0 {
				return
			}
			if pl, _, err := d.Render(0, 200); err != nil || len(readAll(t, pl)) != 0 {
				t.Fatalf("the page at 200 dpi reads (%v): the case tests nothing", err)
			}
			for _, r := range regions {
				if r.W < side || r.H < side || r.W > 2*side || r.H > 2*side {
					t.Errorf("region %v, want about the %.1f pt symbol plus its quiet zone", r, side)
				}
				pl, _, err := d.RenderRegion(0, 400, r)
				if err != nil {
					t.Fatal(err)
				}
				if got := readAll(t, pl); len(got) != 1 || got[0] != text {
					t.Errorf("region %v at 400 dpi reads %q, want %q", r, got, text)
				}
			}
		})
	}
}

// TestClusters: touching pieces group, distant ones do not, and a group
// must be square-ish and have minPieces members.
func TestClusters(t *testing.T) {
	grid := func(x0, y0 float64, n, m int, module float64) []Rect {
		var out []Rect
		for r := 0; r < n; r++ {
			for c := 0; c < m; c += 2 { // every other module: light gaps
				out = append(out, Rect{X: x0 + float64(c)*module, Y: y0 + float64(r)*module, W: module, H: module})
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		pieces []Rect
		want   int
	}{
		{"one symbol", grid(10, 10, 21, 21, 0.5), 1},
		{"two apart", append(grid(10, 10, 21, 21, 0.5), grid(100, 100, 25, 25, 0.5)...), 2},
		{"too few", grid(10, 10, 5, 5, 2), 0},
		{"a long strip", grid(10, 10, 3, 200, 0.5), 0},
		{"none", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clusters(tc.pieces); len(got) != tc.want {
				t.Errorf("%d clusters %v, want %d", len(got), got, tc.want)
			}
		})
	}
}
