package cascade

import (
	"context"
	"fmt"
	"github.com/qrcascade/qrcascade/internal/vocab"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/models"
)

// TestQuadCorpus tallies, per labelled code of the boofcv-dev corpus, where
// the cascade's neural tier stands: read by the classic tier, left unread
// by it on an image where it read another code (the neural tier does not
// run there), read from a detected quad, detected but unread, or not
// detected. A code is detected when a candidate quad overlaps its label
// (the corpus rule: either centroid inside the other quad). For detected
// but unread codes it prints the image, the label's side in pixels and the
// corner error of the best candidate relative to the side.
//
// It is a measuring tool, not a gate: it runs only with
// QRCASCADE_QUAD_CORPUS=1 and skips when ../../../shared/corpus is absent.
// QRCASCADE_QUAD_MODEL=large runs the large detector instead of nano;
// QRCASCADE_QUAD_CATEGORY restricts to one category; QRCASCADE_QUAD_SAMPLE=N
// spreads N images over the categories; QRCASCADE_QUAD_DUMP=DIR writes the
// rectified best candidate of each detected but unread code there as PNG;
// QRCASCADE_QUAD_AFTER_READ=1 also runs the detector where the classic
// tier read a code (vocab.AfterReadAlways) and counts what that adds;
// QRCASCADE_QUAD_ORACLE=1 also decodes every code the classic tier missed
// from its hand-labelled quad, as a perfect detector would propose it
// (column "label": the most any detector can add with this decoding).
//
//	QRCASCADE_QUAD_CORPUS=1 go test -run TestQuadCorpus -v ./internal/cascade/
func TestQuadCorpus(t *testing.T) {
	if os.Getenv("QRCASCADE_QUAD_CORPUS") != "1" {
		t.Skip("set QRCASCADE_QUAD_CORPUS=1 to run the corpus tally")
	}
	manifest := filepath.Join("..", "..", "..", "shared", "corpus", "boofcv-dev", "manifest.jsonl")
	if _, err := os.Stat(manifest); err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	entries, err := bench.LoadManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(os.Getenv("QRCASCADE_QUAD_SAMPLE")); n > 0 {
		entries = bench.Spread(entries, n)
	}
	model := vocab.ModelNano
	if os.Getenv("QRCASCADE_QUAD_MODEL") == "large" {
		model = vocab.ModelLarge
	}
	tier, err := classic.New(classic.Config{})
	if err != nil {
		t.Fatal(err)
	}
	lm := NewLazyModel(string(model), func() ([]byte, error) { return models.Load(string(model)) }, 0, nil)
	defer lm.Close()
	nm, err := lm.Get()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Mode: vocab.ModeNano, Classic: tier, Nano: lm})
	if err != nil {
		t.Fatal(err)
	}
	cat := os.Getenv("QRCASCADE_QUAD_CATEGORY")
	// QRCASCADE_QUAD_AFTER_READ=1 also runs the detector on images where
	// the classic tier read a code, to count what that would add.
	afterRead := os.Getenv("QRCASCADE_QUAD_AFTER_READ") == "1"
	var afterTime time.Duration
	oracle := os.Getenv("QRCASCADE_QUAD_ORACLE") == "1"
	type tally struct{ labels, classic, partial, afterRead, neural, detected, missed, label int }
	per := map[string]*tally{}
	var lines []string
	var decodeTime time.Duration
	ctx := context.Background()
	for _, e := range entries {
		if cat != "" && e.Category != cat {
			continue
		}
		data, err := os.ReadFile(e.Image)
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := imgio.Decode(data, imgio.Limits{})
		if err != nil {
			t.Errorf("%s: %v", e.Image, err)
			continue
		}
		tl := per[e.Category]
		if tl == nil {
			tl = &tally{}
			per[e.Category] = tl
		}
		tl.labels += len(e.Polygons)
		co, err := tier.Read(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(co.Codes) > 0 {
			var extra []classic.Code
			if afterRead && len(co.Codes) > 0 {
				start := time.Now()
				_, extra, _, err = c.neural(ctx, p, nm, model, c.cfg.Detect, co.Codes, true, nil)
				afterTime += time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, label := range e.Polygons {
				if classicCovers(co.Codes, label) {
					tl.classic++
				} else if codeCovered(extra, label) {
					tl.afterRead++
				} else {
					if oracle {
						if _, _, ok := c.decodeCandidate(ctx, p, label); ok {
							tl.label++
						}
					}
					tl.partial++
					lines = append(lines, fmt.Sprintf("%-13s %-40s side %5.0f px  partial (classic read %d of %d)", e.Category, filepath.Base(e.Image), quadSide(label), len(co.Codes), len(e.Polygons)))
				}
			}
			continue
		}
		start := time.Now()
		dets, codes, _, err := c.neural(ctx, p, nm, model, c.cfg.Detect, nil, true, nil)
		decodeTime += time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		for _, label := range e.Polygons {
			if oracle {
				if _, _, ok := c.decodeCandidate(ctx, p, label); ok {
					tl.label++
				}
			}
			if codeCovered(codes, label) {
				tl.neural++
				continue
			}
			best := math.Inf(1)
			var bestQuad geom.Quad
			for _, d := range dets {
				if d.Quad.Overlaps(label) {
					if e := cornerError(d.Quad, label); e < best {
						best, bestQuad = e, d.Quad
					}
				}
			}
			if dir := os.Getenv("QRCASCADE_QUAD_DUMP"); dir != "" && !math.IsInf(best, 1) {
				dumpQuad(t, dir, e.Category+"-"+strings.TrimSuffix(filepath.Base(e.Image), filepath.Ext(e.Image)), p, bestQuad)
			}
			if math.IsInf(best, 1) {
				tl.missed++
				continue
			}
			tl.detected++
			lines = append(lines, fmt.Sprintf("%-13s %-40s side %5.0f px  corner error %4.1f %%", e.Category, filepath.Base(e.Image), quadSide(label), 100*best))
		}
	}
	sort.Strings(lines)
	t.Logf("%s detected but unread:\n%s", model, strings.Join(lines, "\n"))
	cats := make([]string, 0, len(per))
	for k := range per {
		cats = append(cats, k)
	}
	sort.Strings(cats)
	var sum tally
	var b strings.Builder
	fmt.Fprintf(&b, "%-13s %6s %7s %7s %6s %8s %6s %5s\n", "category", "labels", "classic", "partial", "neural", "detected", "missed", "label")
	for _, k := range cats {
		v := per[k]
		fmt.Fprintf(&b, "%-13s %6d %7d %7d %6d %8d %6d %5d\n", k, v.labels, v.classic, v.partial, v.neural, v.detected, v.missed, v.label)
		sum.labels += v.labels
		sum.classic += v.classic
		sum.partial += v.partial
		sum.afterRead += v.afterRead
		sum.neural += v.neural
		sum.detected += v.detected
		sum.missed += v.missed
		sum.label += v.label
	}
	fmt.Fprintf(&b, "%-13s %6d %7d %7d %6d %8d %6d %5d\n", "all", sum.labels, sum.classic, sum.partial, sum.neural, sum.detected, sum.missed, sum.label)
	if afterRead {
		t.Logf("after a classic read: %d more codes, %v", sum.afterRead, afterTime.Round(time.Millisecond))
	}
	t.Logf("%s tier (detected: a candidate overlaps the label but no code was read; neural tier time %v):\n%s", model, decodeTime.Round(time.Millisecond), b.String())
}

// dumpQuad writes the rectified quad q of p as a PNG under dir.
func dumpQuad(t *testing.T, dir, name string, p *gray.Plane, q geom.Quad) {
	rect, _, ok := rectify(p, q)
	if !ok {
		return
	}
	img := image.NewGray(image.Rect(0, 0, rect.W, rect.H))
	for y := 0; y < rect.H; y++ {
		copy(img.Pix[y*img.Stride:y*img.Stride+rect.W], rect.Pix[y*rect.Stride:])
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%.0f.png", name, q[0].X))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// classicCovers reports whether a classic code lies on label.
func classicCovers(codes []classic.Code, label geom.Quad) bool {
	for _, c := range codes {
		if c.Corners != (geom.Quad{}) && c.Corners.Overlaps(label) {
			return true
		}
	}
	return false
}

// cornerError is the mean distance between the corners of q and label,
// over the cyclic orders and orientations of q, relative to label's mean
// side.
func cornerError(q, label geom.Quad) float64 {
	best := math.Inf(1)
	for _, rev := range []bool{false, true} {
		for r := 0; r < 4; r++ {
			var d float64
			for i := 0; i < 4; i++ {
				j := (i + r) % 4
				if rev {
					j = (4 - i + r) % 4
				}
				d += q[j].Dist(label[i])
			}
			best = math.Min(best, d/4)
		}
	}
	return best / quadSide(label)
}
