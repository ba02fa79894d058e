package qr

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/qrcascade/qrcascade/internal/corpustest"
	"github.com/qrcascade/qrcascade/internal/geom"
)

// TestCoarsePass reads the boofcv-dev photos that only the equalised pass
// at twice the reduction reads (coarseMinSide): each must yield a symbol
// over its labelled polygon, with the text it holds, and with
// Options.NoCoarsePass none. It needs ../shared/corpus and skips without it.
func TestCoarsePass(t *testing.T) {
	if testing.Short() {
		t.Skip("12 MP photos; skipped in short mode")
	}
	dir := filepath.Join(corpustest.Dir(t), "boofcv-dev")
	polys := labelledPolygons(t, filepath.Join(dir, "manifest.jsonl"))
	tests := []struct {
		image, text string
	}{
		{"detection/close/image027.jpg", "VERSION 2 8CM"},
		{"detection/curved/image014.jpg", "New"},
		{"detection/glare/image041.jpg", "http://www.youtube.com/watch?v=7qa6Bho4OyM&feature=share&list=PLk13TE2t32tgRCVo0q8tTB1CyZyMDQCNH&index=10"},
		{"detection/blurred/image020.jpg", "Version 1 QR"},
	}
	det := NewDetector(Options{})
	without := NewDetector(Options{NoCoarsePass: true})
	for _, tc := range tests {
		t.Run(filepath.Base(filepath.Dir(tc.image))+"/"+filepath.Base(tc.image), func(t *testing.T) {
			_, p, err := loadImage(filepath.Join(dir, tc.image))
			if err != nil {
				t.Fatal(err)
			}
			if res := without.Detect(context.Background(), p); len(res.Symbols) > 0 {
				t.Errorf("NoCoarsePass: read %q", res.Symbols[0].Text)
			}
			res := det.Detect(context.Background(), p)
			for _, s := range res.Symbols {
				if s.Text != tc.text {
					t.Errorf("read %q, want %q", s.Text, tc.text)
					continue
				}
				for _, q := range polys[tc.image] {
					if q.Overlaps(s.Corners) {
						return
					}
				}
				t.Errorf("%q read at %v, over no labelled polygon", s.Text, s.Corners)
			}
			t.Errorf("%d symbols, none with %q over a labelled polygon", len(res.Symbols), tc.text)
		})
	}
}

// labelledPolygons returns the labelled code polygons of a detection
// manifest, by image path.
func labelledPolygons(t *testing.T, manifest string) map[string][]geom.Quad {
	t.Helper()
	out := map[string][]geom.Quad{}
	for _, r := range readManifest(t, manifest) {
		for _, poly := range r.Polygons {
			var q geom.Quad
			for i := 0; i < 4 && i < len(poly); i++ {
				q[i] = geom.Point{X: poly[i][0], Y: poly[i][1]}
			}
			out[r.Image] = append(out[r.Image], q)
		}
	}
	return out
}

// readManifest returns the rows of a corpus manifest.
func readManifest(t *testing.T, manifest string) []manifestRow {
	t.Helper()
	f, err := os.Open(manifest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r manifestRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", manifest, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}
