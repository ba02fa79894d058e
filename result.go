package qrcascade

import (
	"time"

	"github.com/qrcascade/qrcascade/internal/cascade"
	"github.com/qrcascade/qrcascade/internal/classic"
)

// Result is what one Read found.
type Result struct {
	// Codes holds every code read, deduplicated by position and text, in
	// the order found. Empty when none was read.
	Codes []Code `json:"codes"`
	// Model names the stage that read the first code (Text): ModelClassic
	// when the classic tier read it (in every mode: the classic tier runs
	// first), else the detector whose candidate it was, ModelLargeFallback
	// for hybrid mode's large detector; when no code was read, the last
	// stage that ran. Over several pages, the first page's that read a
	// code. The old service's field.
	Model Model `json:"model"`
	// Image describes the decoded input.
	Image ImageInfo `json:"image"`
	// PagesRead counts the pages of the input that were read (Image.Pages
	// counts those it has).
	PagesRead int `json:"pages_read"`
	// Truncated says why a document was not read to its end although
	// pages were left that the page selection chose: TruncatedMaxPages,
	// TruncatedWork or TruncatedDeadline; "" when none was left.
	Truncated string `json:"truncated,omitempty"`
	// StoppedAt is the page after which reading stopped because it held
	// an invoice code (Options.StopAtInvoice), when pages were left; 0
	// otherwise.
	StoppedAt int `json:"stopped_at,omitempty"`
	// Timings breaks down where the time went.
	Timings Timings `json:"-"`
	// Attempts lists every strategy run, in order.
	Attempts []Attempt `json:"-"`
	// Fallback is why hybrid mode ran the large model, FallbackNone when
	// it did not.
	Fallback Fallback `json:"-"`
	// Candidates counts the quads the neural detectors proposed.
	Candidates int `json:"-"`
	// AfterRead reports that the nano detector ran after the classic tier
	// had read codes (Options.AfterRead), looking for more.
	AfterRead bool `json:"-"`
	// Explain is what the tiers tried on each page and why candidates
	// were not read; nil unless Options.Explain is set.
	Explain *Explain `json:"explain,omitempty"`

	// Skipped lists the tiers that were due to run but could not, because
	// their model could not be loaded (Options.Models.MemoryBudget, missing
	// weights), once per model and reason. The codes of the tiers that ran
	// are in Codes: such a Result is partial, not an error. Empty when
	// every tier due to run ran.
	Skipped []Skipped `json:"skipped,omitempty"`

	// read holds Codes as the tiers returned them (corners mapped to the
	// page's frame), with their page, for the one "same code" rule
	// (classic.Same).
	read []pageCode
}

// pageCode is a code read on a page (0: ReadImage).
type pageCode struct {
	page int
	code classic.Code
}

// Skip reasons, the closed set of Skipped.Reason.
const (
	// SkipMemoryBudget: loading the model would have exceeded
	// Models.MemoryBudget.
	SkipMemoryBudget = cascade.SkipMemoryBudget
	// SkipModelUnavailable: the model's weights could not be loaded.
	SkipModelUnavailable = cascade.SkipModelUnavailable
)

// Skipped is a tier that was due to run on the input but could not.
type Skipped struct {
	Tier   Tier   `json:"tier"`   // TierNeural
	Model  Model  `json:"model"`  // ModelNano or ModelLarge
	Reason string `json:"reason"` // SkipMemoryBudget or SkipModelUnavailable
	// Err is the load error, for the operator's log; it names internal
	// details and is not meant for clients.
	Err error `json:"-"`
}

// Partial reports whether a tier due to run was skipped (see Skipped).
func (r *Result) Partial() bool { return r != nil && len(r.Skipped) > 0 }

// Success reports whether at least one code was read.
func (r *Result) Success() bool { return r != nil && len(r.Codes) > 0 }

// Text returns the first code's text, or "" when none was read.
func (r *Result) Text() string {
	if !r.Success() {
		return ""
	}
	return r.Codes[0].Text
}

// ImageInfo describes the decoded input image.
type ImageInfo struct {
	Format string `json:"format"` // "jpeg", "png", "gif", "bmp", "tiff", "webp", "pdf"; from ReadImage "gray" (*image.Gray) or "image"
	Width  int    `json:"width"`  // of the first page, after EXIF orientation (PDF: rendered at Options.PDFDPI)
	Height int    `json:"height"`
	Pages  int    `json:"pages"` // pages (PDF pages, TIFF directories, GIF frames); 1 for single images
}

// Timings breaks a Read down by stage.
type Timings struct {
	DecodeImage time.Duration // bytes → gray plane
	Classic     time.Duration // classic tier
	Nano        time.Duration // nano detector and its decodes
	Large       time.Duration // large detector and its decodes
	Total       time.Duration // the whole Read
}

// Attempt records one strategy run.
type Attempt struct {
	Tier     Tier
	Strategy Strategy
	Duration time.Duration
	Codes    int  // codes read by this attempt, before deduplication
	Skipped  bool // the strategy did not apply to this image
}

// StrategyStats counts one strategy's runs and wins.
type StrategyStats struct {
	Tier     Tier
	Strategy Strategy
	Attempts uint64
	Wins     uint64
	Time     time.Duration
}

// Point is a pixel position, x then y (a JSON array [x, y]).
type Point = [2]float64

// Code is one decoded QR code. Its JSON form is the one of the HTTP API and
// of `qrcascade scan`.
type Code struct {
	// Text is the decoded text (per the symbol's ECI, else a charset guess).
	Text string `json:"text"`
	// Bytes is the payload as bytes (base64 in JSON): every data segment
	// in order, digits and alphanumerics as ASCII, byte segments as
	// encoded, Kanji as Shift JIS (ISO/IEC 18004 7.4); mode indicators,
	// ECI designators and structured append headers are not part of it.
	Bytes []byte `json:"bytes_base64"`
	// Points are the four outer corners of the symbol: top-left, top-right,
	// bottom-right, bottom-left in the symbol's own frame.
	Points [4]Point `json:"points"`
	// Tier and Strategy tell which tier and decoding path read it: a
	// classic strategy (AllStrategies) for TierClassic, a neural
	// decoding path (NeuralStrategies) for TierNeural. Model names the
	// detector whose candidate it was read from, ModelNano or ModelLarge;
	// "" for a classic read.
	Tier     Tier     `json:"tier"`
	Strategy Strategy `json:"strategy"`
	Model    Model    `json:"model"`
	// Confidence is 1 for a classic read; for a neural read, the
	// detector's score in (0, 1] for the candidate the code was decoded
	// from. It ranks how surely a code was located, not whether its text
	// is right: every code returned passed Reed–Solomon error correction.
	Confidence float64 `json:"confidence"`
	// Version is the symbol version 1..40 (0 when unknown); ECLevel is
	// "L", "M", "Q" or "H".
	Version int    `json:"version"`
	ECLevel string `json:"ec_level"`
	// Page is the 1-based page (PDF page, TIFF directory, GIF frame) the
	// code was read on; 0 from ReadImage.
	Page int `json:"page,omitempty"`
	// Mirrored is set for a code read mirror-imaged.
	Mirrored bool `json:"mirrored,omitempty"`
	// Invoice holds the parsed invoice payload when Options.Invoices is set
	// and the text is a known scheme; nil otherwise.
	Invoice *Invoice `json:"invoice,omitempty"`
}

// publicCode converts a code of the tiers, the one place corners leave
// geom.Quad.
func publicCode(c *classic.Code, page int) Code {
	out := Code{
		Text: c.Text, Bytes: c.Bytes, Tier: Tier(c.Tier), Strategy: Strategy(c.Strategy), Model: Model(c.Model),
		Confidence: c.Confidence, Version: c.Version, ECLevel: c.ECLevel, Page: page, Mirrored: c.Mirrored,
	}
	for i, p := range c.Corners {
		out.Points[i] = Point{p.X, p.Y}
	}
	return out
}
