package server

import (
	"time"

	"github.com/qrcascade/qrcascade"
)

// explainJSON is the "explain" member of POST /detect?explain=1: what the
// operator page draws to show why an image read the way it did.
//
// Page images are not included: the page shows the uploaded file itself for
// the formats a browser decodes (JPEG, PNG, GIF, WebP, BMP) and draws the
// outlines on a blank canvas of the page's size for the others (PDF, TIFF),
// which keeps the answer small and the server's work unchanged.
type explainJSON struct {
	Pages              []explainPage    `json:"pages"`
	Attempts           []explainAttempt `json:"attempts"`
	Fallback           string           `json:"fallback,omitempty"`
	DetectorCandidates int              `json:"detector_candidates,omitempty"`
}

// explainPage is one page: the indices of its codes in the answer's codes
// and the candidates that were not read.
type explainPage struct {
	Page       int                `json:"page"`
	Width      int                `json:"width"`
	Height     int                `json:"height"`
	Codes      []int              `json:"codes"`
	Candidates []explainCandidate `json:"candidates"`
	// TimingsMS is the time each tier spent on this page, when the
	// reader collected it (qrcascade.Options.Explain).
	TimingsMS *pageTimingsMS `json:"timings_ms,omitempty"`
	// Detections counts the quads the neural detectors proposed here.
	Detections int `json:"detections,omitempty"`
}

// pageTimingsMS is one page's time per tier, in milliseconds.
type pageTimingsMS struct {
	Classic float64 `json:"classic"`
	Nano    float64 `json:"nano"`
	Large   float64 `json:"large"`
}

// explainCandidate is a region that looked like a code but did not read,
// with the stage where its read stopped.
type explainCandidate struct {
	Points     [4]qrcascade.Point `json:"points"`
	Stage      string             `json:"stage"`
	Tier       string             `json:"tier,omitempty"`
	Strategy   string             `json:"strategy,omitempty"`
	Model      string             `json:"model,omitempty"`
	Confidence float64            `json:"confidence,omitempty"`
}

// explainAttempt is one strategy run.
type explainAttempt struct {
	Tier       string  `json:"tier"`
	Strategy   string  `json:"strategy"`
	DurationMS float64 `json:"duration_ms"`
	Codes      int     `json:"codes"`
	Skipped    bool    `json:"skipped,omitempty"`
}

// buildExplain gathers the explain member from res and the codes of the
// answer (which multi=0 may have cut to one). Every page of the input gets
// an entry, with or without codes; the page size is the first page's (the
// Result does not carry the others'), so later pages of a PDF with mixed
// page sizes are drawn at the first page's size. The unread candidates and
// per-page timings come from res.Explain, which the reader fills when it
// was built with qrcascade.Options.Explain (the service's readers are);
// without it the candidates are empty.
func buildExplain(res *qrcascade.Result, codes []codeJSON) *explainJSON {
	pages := max(1, res.Image.Pages)
	ex := &explainJSON{
		Pages:              make([]explainPage, pages),
		Attempts:           make([]explainAttempt, 0, len(res.Attempts)),
		Fallback:           string(res.Fallback),
		DetectorCandidates: res.Candidates,
	}
	for i := range ex.Pages {
		ex.Pages[i] = explainPage{Page: i + 1, Width: res.Image.Width, Height: res.Image.Height,
			Codes: []int{}, Candidates: []explainCandidate{}}
	}
	for i, c := range codes {
		p := min(max(c.Page, 1), pages) - 1
		ex.Pages[p].Codes = append(ex.Pages[p].Codes, i)
	}
	if res.Explain != nil {
		for _, pe := range res.Explain.Pages {
			p := min(max(pe.Page, 1), pages) - 1
			ep := &ex.Pages[p]
			ms := func(d time.Duration) float64 { return float64(d/time.Microsecond) / 1000 }
			ep.TimingsMS = &pageTimingsMS{Classic: ms(pe.Timings.Classic), Nano: ms(pe.Timings.Nano), Large: ms(pe.Timings.Large)}
			ep.Detections += pe.Detections
			for _, c := range pe.Unread {
				ep.Candidates = append(ep.Candidates, explainCandidate{Points: c.Points, Stage: string(c.Stage), Tier: string(c.Tier),
					Strategy: string(c.Strategy), Model: string(c.Model), Confidence: c.Score})
			}
		}
	}
	for _, a := range res.Attempts {
		ex.Attempts = append(ex.Attempts, explainAttempt{
			Tier: string(a.Tier), Strategy: string(a.Strategy), DurationMS: float64(a.Duration/time.Microsecond) / 1000,
			Codes: a.Codes, Skipped: a.Skipped,
		})
	}
	return ex
}
