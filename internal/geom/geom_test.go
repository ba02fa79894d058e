package geom

import (
	"math"
	"testing"
)

func near(a, b Point, tol float64) bool { return a.Dist(b) <= tol }

func TestQuadToQuadMapsCorners(t *testing.T) {
	tests := []struct {
		name     string
		src, dst Quad
	}{
		{"identity", Quad{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, Quad{{0, 0}, {1, 0}, {1, 1}, {0, 1}}},
		{"affine", Quad{{0, 0}, {21, 0}, {21, 21}, {0, 21}}, Quad{{10, 20}, {52, 20}, {52, 62}, {10, 62}}},
		{"perspective", Quad{{3.5, 3.5}, {21.5, 3.5}, {18.5, 18.5}, {3.5, 21.5}}, Quad{{100, 80}, {300, 95}, {280, 260}, {90, 310}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, ok := QuadToQuad(tc.src, tc.dst)
			if !ok {
				t.Fatal("degenerate")
			}
			for i := range tc.src {
				if got := h.Apply(tc.src[i]); !near(got, tc.dst[i], 1e-9) {
					t.Errorf("corner %d: %v, want %v", i, got, tc.dst[i])
				}
			}
			inv, ok := h.Inverse()
			if !ok {
				t.Fatal("not invertible")
			}
			id := h.Mul(&inv)
			p := Point{7.25, -3.5}
			if got := id.Apply(p); !near(got, p, 1e-9) {
				t.Errorf("h·h⁻¹ maps %v to %v", p, got)
			}
		})
	}
	if _, ok := QuadToQuad(Quad{{0, 0}, {1, 1}, {2, 2}, {3, 3}}, Quad{{0, 0}, {1, 0}, {1, 1}, {0, 1}}); ok {
		t.Error("collinear quad accepted")
	}
}

func TestQuadMeasures(t *testing.T) {
	sq := Quad{{0, 0}, {10, 0}, {10, 10}, {0, 10}}
	if sq.Area() != 100 || sq.Centroid() != (Point{5, 5}) {
		t.Errorf("area %v centroid %v", sq.Area(), sq.Centroid())
	}
	minX, minY, maxX, maxY := Quad{{3, 9}, {-2, 4}, {7, -1}, {0, 0}}.Bounds()
	if minX != -2 || minY != -1 || maxX != 7 || maxY != 9 {
		t.Errorf("bounds %v %v %v %v", minX, minY, maxX, maxY)
	}
	tests := []struct {
		p    Point
		want bool
	}{
		{Point{5, 5}, true}, {Point{0.1, 9.9}, true}, {Point{-1, 5}, false}, {Point{5, 10.5}, false},
	}
	for _, tc := range tests {
		if got := sq.Contains(tc.p); got != tc.want {
			t.Errorf("Contains(%v) = %v", tc.p, got)
		}
	}
	shifted := Quad{{3, 3}, {13, 3}, {13, 13}, {3, 13}}
	far := Quad{{20, 20}, {30, 20}, {30, 30}, {20, 30}}
	if !sq.Overlaps(shifted) || sq.Overlaps(far) {
		t.Error("Overlaps")
	}
	if d := (Point{0, 0}).Dist(Point{3, 4}); math.Abs(d-5) > 1e-12 {
		t.Errorf("Dist = %v", d)
	}
}

func TestOverlapsAny(t *testing.T) {
	sq := func(x float64) Quad { return Quad{{X: x, Y: 0}, {X: x + 10, Y: 0}, {X: x + 10, Y: 10}, {X: x, Y: 10}} }
	type item struct{ q Quad }
	items := []item{{sq(0)}, {sq(100)}}
	get := func(it *item) Quad { return it.q }
	tests := []struct {
		name  string
		q     Quad
		items []item
		want  bool
	}{
		{"on the first", sq(2), items, true},
		{"on the second", sq(104), items, true},
		{"between", sq(50), items, false},
		{"no items", sq(0), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := OverlapsAny(tc.q, tc.items, get); got != tc.want {
				t.Errorf("OverlapsAny = %v, want %v", got, tc.want)
			}
		})
	}
}
