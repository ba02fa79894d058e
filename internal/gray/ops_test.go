package gray

import (
	"fmt"
	"testing"
)

// Tests that hold for every operation: crop views, in-place use, dst reuse
// without allocation, empty planes.

var opSizes = [][2]int{{1, 1}, {2, 3}, {3, 2}, {5, 4}, {17, 5}, {33, 31}, {64, 48}, {97, 55}}

func TestOpsViewMatchesCompact(t *testing.T) {
	for _, o := range allOps() {
		for _, sz := range opSizes {
			t.Run(fmt.Sprintf("%s/%dx%d", o.name, sz[0], sz[1]), func(t *testing.T) {
				src := photo(sz[0], sz[1], 7)
				want := o.fn(nil, src)
				v, parent := view(src)
				before := parent.Clone()
				got := o.fn(nil, v)
				if err := samePixels(got, want); err != nil {
					t.Fatalf("view input: %v", err)
				}
				if got.Stride != got.W {
					t.Errorf("output Stride %d, want W=%d", got.Stride, got.W)
				}
				if err := samePixels(parent, before); err != nil {
					t.Fatalf("src modified: %v", err)
				}
			})
		}
	}
}

func TestOpsInPlace(t *testing.T) {
	for _, o := range allOps() {
		if !o.inPlace {
			continue
		}
		t.Run(o.name, func(t *testing.T) {
			src := photo(33, 17, 3)
			want := o.fn(nil, src)
			v, parent := view(src)
			before := parent.Clone()
			got := o.fn(v, v)
			if got != v {
				t.Fatalf("in place: returned a new plane")
			}
			if err := samePixels(got, want); err != nil {
				t.Fatalf("in place on a view: %v", err)
			}
			// Outside the view the parent is untouched.
			for y := range parent.H {
				for x := range parent.W {
					if x >= 3 && x < 3+src.W && y >= 2 && y < 2+src.H {
						continue
					}
					if parent.Pix[y*parent.Stride+x] != before.Pix[y*before.Stride+x] {
						t.Fatalf("pixel (%d,%d) outside the view changed", x, y)
					}
				}
			}
		})
	}
}

func TestOpsReuseDst(t *testing.T) {
	src := photo(200, 150, 11)
	for _, o := range allOps() {
		t.Run(o.name, func(t *testing.T) {
			want := o.fn(nil, src)
			// A larger dst of another shape: its memory is reused.
			dst := New(500, 500)
			backing := &dst.Pix[:1][0]
			got := o.fn(dst, src)
			if got != dst || &got.Pix[:1][0] != backing {
				t.Fatalf("dst not reused")
			}
			if err := samePixels(got, want); err != nil {
				t.Fatalf("reused dst: %v", err)
			}
			allocs := testing.AllocsPerRun(20, func() { o.fn(dst, src) })
			if allocs != 0 {
				t.Errorf("%v allocations per call with a large enough dst, want 0", allocs)
			}
		})
	}
}

func TestOpsEmpty(t *testing.T) {
	for _, o := range allOps() {
		for _, src := range []*Plane{{}, New(0, 5), New(4, 0)} {
			t.Run(fmt.Sprintf("%s/%dx%d", o.name, src.W, src.H), func(t *testing.T) {
				got := o.fn(nil, src)
				if got.W*got.H != 0 {
					t.Errorf("empty input gave %dx%d", got.W, got.H)
				}
			})
		}
	}
}

// TestOpsDstIsSrc: operations that cannot run in place return a new plane
// when dst == src, leaving src intact; the others work in place.
func TestOpsDstIsSrc(t *testing.T) {
	for _, o := range allOps() {
		t.Run(o.name, func(t *testing.T) {
			src := photo(41, 29, 13)
			orig := src.Clone()
			want := o.fn(nil, orig)
			got := o.fn(src, src)
			if err := samePixels(got, want); err != nil {
				t.Fatal(err)
			}
			if o.inPlace {
				if got != src {
					t.Errorf("in-place operation returned a new plane")
				}
				return
			}
			if got == src {
				t.Fatalf("returned src itself")
			}
			if err := samePixels(src, orig); err != nil {
				t.Fatalf("src modified: %v", err)
			}
		})
	}
}
