package qrcascade

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/geom"
)

// corpusFloor is the ratchet on the real corpus (../shared/corpus, absent on
// a fresh clone: the test then skips). Each set must keep at least this
// many images read and at most this many false reads; raise the floors as
// the reader improves, never lower them. Measured with the default Options.
var corpusFloor = []struct {
	set       string
	minOK     int // images whose expected texts were all read
	maxFalse  int // decoded texts not expected (any read on a negative)
	maxErrors int
}{
	{"boofcv-decoding", 26, 0, 0},
	{"zxing-cpp-negatives", 46, 0, 0},
	{"zxing", 178, 0, 0},
	{"zxing-cpp", 125, 0, 0},
	{"jsqr", 52, 0, 0},
}

func TestCorpusRatchet(t *testing.T) {
	root := filepath.Join("..", "shared", "corpus")
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/corpus not present")
	}
	if testing.Short() {
		t.Skip("short mode")
	}
	r := newReader(t, Options{Mode: ModeClassic})
	for _, f := range corpusFloor {
		t.Run(f.set, func(t *testing.T) {
			entries, err := bench.LoadManifest(filepath.Join(root, f.set, "manifest.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			col := bench.NewCollector()
			for i := range entries {
				e := &entries[i]
				data, err := os.ReadFile(e.Image)
				if err != nil {
					t.Fatal(err)
				}
				res, err := r.Read(context.Background(), data)
				rd := bench.Read{}
				var le *LimitError
				switch {
				case errors.As(err, &le) && le.Unprocessable():
					// A shape that cannot hold a code (the 1×1 and 1×100
					// negatives): an answer with no code, not a failure
					// to decode. On a positive it counts as unread.
				case err != nil:
					rd.Err = err.Error()
				}
				if res != nil {
					for _, c := range res.Codes {
						rd.Codes = append(rd.Codes, bench.Decoded{Text: c.Text, Corners: quadOf(c.Points)})
					}
				}
				if s := col.Add(e, &rd); s.False > 0 {
					t.Logf("%s: false read", e.Image)
				}
			}
			rep := col.Reports()[0]
			t.Logf("%s: %d/%d images read, %d false, %d errors", f.set, rep.ImagesOK, rep.Images, rep.False, rep.Errors)
			if rep.ImagesOK < f.minOK {
				t.Errorf("%d images read, floor %d", rep.ImagesOK, f.minOK)
			}
			if rep.False > f.maxFalse {
				t.Errorf("%d false reads, at most %d", rep.False, f.maxFalse)
			}
			if rep.Errors > f.maxErrors {
				t.Errorf("%d errors, at most %d", rep.Errors, f.maxErrors)
			}
		})
	}
}

func quadOf(p [4]Point) geom.Quad {
	var q geom.Quad
	for i := range p {
		q[i] = geom.Point{X: p[i][0], Y: p[i][1]}
	}
	return q
}
