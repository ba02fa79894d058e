package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// label is one corpus-manifest line (see DESIGN.md, "Corpus manifest").
type label struct {
	Image      string          `json:"image"`
	Expected   []string        `json:"expected"`
	Polygons   [][4][2]float64 `json:"polygons"`
	Unreadable [][4][2]float64 `json:"unreadable,omitempty"`
	Category   string          `json:"category"`
	Source     string          `json:"source"`
}

// WriteLabels writes the scene's ground truth to w as one JSON line in the
// corpus manifest shape:
//
//	{"image": image, "expected": [texts], "polygons": [[[x,y]×4], ...],
//	 "unreadable": [[[x,y]×4], ...], "category": s.Name, "source": "synth seed N"}
//
// image is the image path relative to the manifest. expected and polygons
// list the readable codes in the same order (polygon corners TL, TR, BR, BL
// in the symbol frame, rounded to 0.01 px); expected is [] (never null) when
// no code is readable. Deliberately damaged codes (Truth.Readable false) go
// to "unreadable" only, so a reader is neither expected to read them nor
// credited for doing so, while a detector's training can still use them.
func (s *Scene) WriteLabels(w io.Writer, image string) error {
	l := label{Image: image, Expected: []string{}, Polygons: [][4][2]float64{}, Category: s.Name,
		Source: fmt.Sprintf("synth seed %d", s.Seed)}
	for _, c := range s.Codes {
		poly := polygon(c.Corners)
		if c.Readable {
			l.Expected = append(l.Expected, c.Text)
			l.Polygons = append(l.Polygons, poly)
		} else {
			l.Unreadable = append(l.Unreadable, poly)
		}
	}
	b, err := json.Marshal(&l)
	if err != nil {
		return fmt.Errorf("synth: labels: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("synth: labels: %w", err)
	}
	return nil
}

func polygon(q geom.Quad) [4][2]float64 {
	var p [4][2]float64
	for i, c := range q {
		p[i] = [2]float64{math.Round(c.X*100) / 100, math.Round(c.Y*100) / 100}
	}
	return p
}
