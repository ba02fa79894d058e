package bench

import (
	"strings"
	"time"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Decoded is one code a reader returned for an image.
type Decoded struct {
	Text     string
	Corners  geom.Quad // zero when the reader gave no position
	Tier     string
	Strategy string
}

// source names the tier/strategy that produced d ("classic/raw"), or the
// strategy alone when the tier is unknown.
func (d *Decoded) source() string {
	if d.Tier == "" {
		return d.Strategy
	}
	return d.Tier + "/" + d.Strategy
}

// Read is a reader's answer for one entry.
type Read struct {
	Codes   []Decoded
	Latency time.Duration
	Err     string // non-empty when the read failed (bad input, deadline…)
	// Nano and Large are set when the nano or the large detector ran on
	// the image (the cascade fell back to it).
	Nano, Large bool
}

// Score is one entry's score.
type Score struct {
	Labels     int // codes expected (text rows) or labelled (detection rows)
	LabelsRead int // of those, how many were read
	Success    bool
	False      int // distinct decoded texts not expected (text rows)
	Unmatched  int // decoded codes overlapping no label, or without position (detection rows)
	Negative   bool
	Err        bool
}

// ScoreEntry scores r against e.
func ScoreEntry(e *Entry, r *Read) Score {
	s := Score{Err: r.Err != ""}
	if e.Detect {
		s.Labels = len(e.Polygons)
		for _, label := range e.Polygons {
			for _, c := range r.Codes {
				if c.Corners != (geom.Quad{}) && c.Corners.Overlaps(label) {
					s.LabelsRead++
					break
				}
			}
		}
		for _, c := range r.Codes {
			hit := false
			for _, label := range e.Polygons {
				if c.Corners != (geom.Quad{}) && c.Corners.Overlaps(label) {
					hit = true
					break
				}
			}
			if !hit {
				s.Unmatched++
			}
		}
		s.Success = s.LabelsRead == s.Labels
		return s
	}
	norm := func(t string) string {
		if e.LooseEOL {
			return strings.TrimSpace(strings.ReplaceAll(t, "\r\n", "\n"))
		}
		return t
	}
	got := map[string]bool{}
	for _, c := range r.Codes {
		got[norm(c.Text)] = true
	}
	want := map[string]bool{}
	for _, t := range e.Expected {
		want[norm(t)] = true
	}
	s.Labels = len(want)
	s.Negative = len(want) == 0
	for t := range want {
		if got[t] {
			s.LabelsRead++
		}
	}
	for t := range got {
		if !want[t] {
			s.False++
		}
	}
	s.Success = s.LabelsRead == s.Labels && (!s.Negative || len(got) == 0)
	return s
}
