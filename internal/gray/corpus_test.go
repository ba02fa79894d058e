package gray

import (
	"bufio"
	"encoding/json"
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/qrcascade/qrcascade/internal/corpustest"
)

// corpusDir returns the shared corpus, or skips the test when it (or
// its zxing set) is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	c := corpustest.Dir(t)
	if _, err := os.Stat(filepath.Join(c, "zxing", "manifest.jsonl")); err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	return c
}

// corpusPlanes loads the first image of each zxing category as gray planes.
func corpusPlanes(t *testing.T) map[string]*Plane {
	dir := filepath.Join(corpusDir(t), "zxing")
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	planes := map[string]*Plane{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct{ Image, Category string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if _, ok := planes[e.Category]; ok {
			continue
		}
		r, err := os.Open(filepath.Join(dir, e.Image))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(r)
		r.Close()
		if err != nil {
			continue // a format the standard library does not read
		}
		b := img.Bounds()
		planes[e.Category] = mk(b.Dx(), b.Dy(), func(x, y int) byte {
			return color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return planes
}

// TestCorpusImages runs the operations on real scans and phone photos:
// views equal compact planes, the fast paths equal the slow references, and
// Otsu's level maximises the between-class variance.
func TestCorpusImages(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus check skipped in -short mode")
	}
	for name, src := range corpusPlanes(t) {
		t.Run(name, func(t *testing.T) {
			v, _ := view(src)
			for _, o := range allOps() {
				if err := samePixels(o.fn(nil, v), o.fn(nil, src)); err != nil {
					t.Errorf("%s on a view: %v", o.name, err)
				}
			}
			if err := samePixels(AdaptiveMean(nil, src, 3, 4), refAdaptiveMean(src, 3, 4)); err != nil {
				t.Errorf("AdaptiveMean: %v", err)
			}
			if err := samePixels(Downscale(nil, src, 2), refDownscale(src, 2)); err != nil {
				t.Errorf("Downscale: %v", err)
			}
			h := Histogram(src)
			level := int(OtsuLevelHist(&h))
			best := 0.0
			for lv := range 256 {
				best = max(best, otsuVariance(&h, lv))
			}
			if got := otsuVariance(&h, level); got < best*(1-1e-9) {
				t.Errorf("Otsu level %d: variance %g < best %g", level, got, best)
			}
		})
	}
}
