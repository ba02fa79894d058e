package qr

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// TestCorpus measures the Detector, and plain gozxing (QRCodeMultiReader,
// TRY_HARDER) beside it, on the shared real corpus. It runs only when
// QRCASCADE_CORPUS is set and ../shared/corpus exists:
//
//	QRCASCADE_CORPUS=all                      every set
//	QRCASCADE_CORPUS=zxing,jsqr               some sets
//	QRCASCADE_CORPUS=boofcv-dev/blurred       one category of a set
//	QRCASCADE_BASELINE=0                      skip the gozxing baseline
//	QRCASCADE_INVERTED=1                      both polarities (Options.Polarity)
//
// Text sets: an image succeeds when every expected text is decoded; a decoded
// text not expected is a false read. Detection sets (boofcv-dev): a labelled
// code is read when a decoded symbol's corners overlap its polygon (centroid
// of one inside the other). Timings include image decoding.
func TestCorpus(t *testing.T) {
	sel := os.Getenv("QRCASCADE_CORPUS")
	if sel == "" {
		t.Skip("set QRCASCADE_CORPUS=all (or a set, or set/category) to run")
	}
	root := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not found at %s", root)
	}
	sets := []string{"zxing", "zxing-cpp", "zxing-cpp-negatives", "jsqr", "boofcv-decoding", "qreader", "boofcv-dev"}
	want := map[string]string{} // set -> category filter ("" = all)
	if sel != "all" {
		for _, s := range strings.Split(sel, ",") {
			set, cat, _ := strings.Cut(s, "/")
			want[set] = cat
		}
	}
	baseline := os.Getenv("QRCASCADE_BASELINE") != "0"
	var opts Options
	if os.Getenv("QRCASCADE_INVERTED") == "1" {
		opts.Polarity = BothPolarities
	}
	det := NewDetector(opts)
	for _, set := range sets {
		cat, ok := want[set]
		if sel != "all" && !ok {
			continue
		}
		runSet(t, det, filepath.Join(root, set), set, cat, baseline)
	}
}

type manifestRow struct {
	Image    string   `json:"image"`
	Expected []string `json:"expected"`
	// ExpectedHex holds the payload bytes of Expected, where given.
	ExpectedHex []string        `json:"expected_hex"`
	Category    string          `json:"category"`
	Polygons    [][][2]float64  `json:"polygons"`
	Extra       json.RawMessage `json:"-"`
}

type tally struct {
	images, ok, codes, read, falseReads, unmatched int
	dur                                            time.Duration
	cats                                           map[string]*[2]int // category -> read, total
}

func (t *tally) cat(c string) *[2]int {
	if t.cats == nil {
		t.cats = map[string]*[2]int{}
	}
	if t.cats[c] == nil {
		t.cats[c] = &[2]int{}
	}
	return t.cats[c]
}

type found struct {
	text    string
	corners geom.Quad
}

func runSet(t *testing.T, det *Detector, dir, set, catFilter string, baseline bool) {
	f, err := os.Open(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		t.Logf("%s: %v", set, err)
		return
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r manifestRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: manifest: %v", set, err)
		}
		if catFilter != "" && r.Category != catFilter {
			continue
		}
		rows = append(rows, r)
	}
	engines := []string{"qr"}
	if baseline {
		engines = append(engines, "gozxing")
	}
	tallies := map[string]*tally{}
	for _, e := range engines {
		tallies[e] = &tally{}
	}
	verbose := os.Getenv("QRCASCADE_VERBOSE") == "1"
	norm := func(s string) string { return s }
	if set == "boofcv-decoding" {
		// its ground truth uses LF and drops the final newline: compare
		// after CR LF → LF normalisation (see the manifest's caveat)
		norm = func(s string) string { return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n") }
	}
	for _, r := range rows {
		for _, e := range engines {
			start := time.Now()
			img, p, err := loadImage(filepath.Join(dir, r.Image))
			if err != nil {
				t.Logf("%s: %v", r.Image, err)
				continue
			}
			var got []found
			var st Stats
			if e == "qr" {
				res := det.Detect(context.Background(), p)
				st = res.Stats
				for _, s := range res.Symbols {
					txt := s.Text
					// binary payloads: the manifest's text is one reading
					// of the bytes; compare the bytes where it gives them
					for i, h := range r.ExpectedHex {
						if i < len(r.Expected) && h == hex.EncodeToString(s.Bytes) {
							txt = r.Expected[i]
						}
					}
					got = append(got, found{txt, s.Corners})
				}
			} else {
				got = gozxingRead(img)
			}
			tl := tallies[e]
			tl.dur += time.Since(start)
			tl.images++
			before := tl.falseReads
			score(tl, r, got, norm)
			if tl.falseReads > before {
				for _, g := range got {
					t.Logf("%s %s (%s): decoded %q at %v", set, r.Image, e, g.text, g.corners)
				}
			}
			if verbose && e == "qr" {
				t.Logf("%s %s: %d found, %d expected/labelled, %.0f ms, %+v", set, r.Image, len(got), max(len(r.Expected), len(r.Polygons)), float64(time.Since(start).Microseconds())/1e3, st)
			}
		}
	}
	for _, e := range engines {
		tl := tallies[e]
		if tl.images == 0 {
			continue
		}
		ms := float64(tl.dur.Milliseconds()) / float64(tl.images)
		if set == "boofcv-dev" {
			var names []string
			for c := range tl.cats {
				names = append(names, c)
			}
			sort.Strings(names)
			mean := 0.0
			line := ""
			for _, c := range names {
				v := tl.cats[c]
				rate := float64(v[0]) / float64(v[1])
				mean += rate
				line += fmt.Sprintf(" %s=%d/%d", c, v[0], v[1])
			}
			mean /= float64(len(names))
			t.Logf("%-8s %s: codes %d/%d = %.1f%%, mean of categories %.1f%%, unmatched %d, %.0f ms/image\n   %s",
				e, set, tl.read, tl.codes, 100*float64(tl.read)/float64(tl.codes), 100*mean, tl.unmatched, ms, line)
		} else {
			t.Logf("%-8s %s: images %d/%d = %.1f%%, false reads %d, %.0f ms/image",
				e, set, tl.ok, tl.images, 100*float64(tl.ok)/float64(tl.images), tl.falseReads, ms)
		}
	}
}

func score(tl *tally, r manifestRow, got []found, norm func(string) string) {
	if r.Polygons != nil {
		used := make([]bool, len(got))
		c := tl.cat(r.Category)
		for _, poly := range r.Polygons {
			var q geom.Quad
			for i := 0; i < 4 && i < len(poly); i++ {
				q[i] = geom.Point{X: poly[i][0], Y: poly[i][1]}
			}
			tl.codes++
			c[1]++
			for i, g := range got {
				if q.Overlaps(g.corners) {
					used[i] = true
					tl.read++
					c[0]++
					break
				}
			}
		}
		for _, u := range used {
			if !u {
				tl.unmatched++
			}
		}
		return
	}
	texts := map[string]bool{}
	for _, g := range got {
		texts[norm(g.text)] = true
	}
	ok := true
	for _, e := range r.Expected {
		if !texts[norm(e)] {
			ok = false
		}
	}
	if ok {
		tl.ok++
	}
	exp := map[string]bool{}
	for _, e := range r.Expected {
		exp[norm(e)] = true
	}
	for txt := range texts {
		if !exp[txt] {
			tl.falseReads++
		}
	}
}

// loadImage decodes an image file and converts it to an 8-bit luma plane
// (Rec. 601 weights; the Y plane as is for YCbCr images).
func loadImage(path string) (image.Image, *gray.Plane, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(bufio.NewReader(f))
	if err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", path, err)
	}
	b := img.Bounds()
	p := gray.New(b.Dx(), b.Dy())
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < p.H; y++ {
			copy(p.Row(y), m.Y[(y)*m.YStride:(y)*m.YStride+p.W])
		}
	case *image.Gray:
		for y := 0; y < p.H; y++ {
			copy(p.Row(y), m.Pix[y*m.Stride:y*m.Stride+p.W])
		}
	default:
		for y := 0; y < p.H; y++ {
			row := p.Row(y)
			for x := range row {
				r, g, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				row[x] = byte((19595*r + 38470*g + 7471*bb + 1<<15) >> 24)
			}
		}
	}
	return img, p, nil
}

func gozxingRead(img image.Image) []found {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	rs, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	if err != nil {
		return nil
	}
	var out []found
	for _, r := range rs {
		pts := r.GetResultPoints()
		if len(pts) < 3 {
			continue
		}
		// result points: bottom-left, top-left, top-right finder centres
		bl := geom.Point{X: pts[0].GetX(), Y: pts[0].GetY()}
		tl := geom.Point{X: pts[1].GetX(), Y: pts[1].GetY()}
		tr := geom.Point{X: pts[2].GetX(), Y: pts[2].GetY()}
		out = append(out, found{r.GetText(), geom.Quad{tl, tr, tr.Add(bl).Sub(tl), bl}})
	}
	return out
}
