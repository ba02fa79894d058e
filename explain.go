package qrcascade

import (
	"encoding/json"
	"time"
)

// Explain tells, page by page, what a Read tried and why candidates were
// not read. A Reader fills Result.Explain only when Options.Explain is set;
// otherwise the work of collecting it is not done.
type Explain struct {
	// Pages holds one entry per page read, in page order. A PDF page read
	// several times (its images, its render, regions rendered again) has
	// one entry with every pass merged.
	Pages []PageExplain `json:"pages"`
}

// PageExplain is what the tiers did on one page.
type PageExplain struct {
	// Page is the 1-based page, as in Code.Page; 0 from ReadImage.
	Page int `json:"page"`
	// Unread holds the candidate symbols located (classic tier) or
	// detected (neural tier) but not read, away from every code read on
	// the page, in the order found: classic failures first, then each
	// detector's candidates. Empty when every candidate was read.
	Unread []Candidate `json:"unread"`
	// Attempts lists the classic strategies run on the page, in order.
	Attempts []Attempt `json:"attempts"`
	// Timings is the time each tier spent on the page; DecodeImage and
	// Total are left zero (they are the Result's).
	Timings Timings `json:"timings_ms"`
	// Detections counts the quads the neural detectors proposed on the
	// page, read or not.
	Detections int `json:"detections"`
	// Fallback is why hybrid mode ran the large detector on the page;
	// FallbackNone when it did not.
	Fallback Fallback `json:"fallback,omitempty"`
}

// Candidate is a symbol located or detected but not read.
type Candidate struct {
	// Points are the estimated outer corners, in the frame of Code.Points.
	// A classic candidate's corners are extrapolated from its finder
	// patterns; a neural one's are the detector's quad.
	Points [4]Point `json:"points"`
	// Tier is the tier that found it: TierClassic (a strategy's locator)
	// or TierNeural (a detector).
	Tier Tier `json:"tier"`
	// Strategy is the classic strategy that located it ("" for neural).
	Strategy Strategy `json:"strategy,omitempty"`
	// Model is the detector that proposed it ("" for classic).
	Model Model `json:"model,omitempty"`
	// Score is the detector's score in (0, 1] (0 for classic).
	Score float64 `json:"score,omitempty"`
	// Stage is where decoding stopped, a step of the reading procedure
	// of ISO/IEC 18004 in order: "finder", "grouping", "format",
	// "version", "alignment", "codewords", "errorcorrection",
	// "bitstream"; or "not_tried" for a detector candidate over the
	// candidate budget or past the deadline. For a neural candidate it is
	// the furthest any of its decoding attempts reached.
	Stage string `json:"stage"`
}

// page returns the entry of page p in e, adding it when absent.
func (e *Explain) page(p int) *PageExplain {
	for i := range e.Pages {
		if e.Pages[i].Page == p {
			return &e.Pages[i]
		}
	}
	e.Pages = append(e.Pages, PageExplain{Page: p, Unread: []Candidate{}, Attempts: []Attempt{}})
	return &e.Pages[len(e.Pages)-1]
}

// prune drops the unread candidates that lie on a code read on the same
// page by another pass (a PDF page's images, render and regions). e may be
// nil.
func (e *Explain) prune(codes []Code) {
	if e == nil {
		return
	}
	for i := range e.Pages {
		pe := &e.Pages[i]
		kept := pe.Unread[:0]
		for _, c := range pe.Unread {
			q := codeQuad(c.Points)
			on := false
			for _, code := range codes {
				if code.Page == pe.Page && codeQuad(code.Points).Overlaps(q) {
					on = true
					break
				}
			}
			if !on {
				kept = append(kept, c)
			}
		}
		pe.Unread = kept
	}
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// MarshalJSON writes the timings in milliseconds: decode_image, classic,
// nano, large and total, as in the HTTP API's timings_ms.
func (t Timings) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		DecodeImage float64 `json:"decode_image"`
		Classic     float64 `json:"classic"`
		Nano        float64 `json:"nano"`
		Large       float64 `json:"large"`
		Total       float64 `json:"total"`
	}{ms(t.DecodeImage), ms(t.Classic), ms(t.Nano), ms(t.Large), ms(t.Total)})
}

// MarshalJSON writes the attempt with its duration in milliseconds
// (duration_ms).
func (a Attempt) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Tier       Tier     `json:"tier"`
		Strategy   Strategy `json:"strategy"`
		DurationMS float64  `json:"duration_ms"`
		Codes      int      `json:"codes"`
		Skipped    bool     `json:"skipped,omitempty"`
	}{a.Tier, a.Strategy, ms(a.Duration), a.Codes, a.Skipped})
}
