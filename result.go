package qrcascade

import (
	"time"

	"github.com/qrcascade/qrcascade/internal/cascade"
)

// Tier names, the closed set used in results and metric labels.
const (
	TierClassic = "classic"
	TierNeural  = "neural"
)

// Result is what one Read found.
type Result struct {
	// Codes holds every code read, deduplicated by position and text, in
	// the order found. Empty when none was read.
	Codes []Code `json:"codes"`
	// Model names the last tier that ran: "classic", "nano",
	// "large_fallback" or "large" (the old service's field).
	Model string `json:"model"`
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
	// Fallback is why hybrid mode ran the large model: "no_read",
	// "low_confidence", "small_code", or "" when it did not.
	Fallback string `json:"-"`
	// Candidates counts the quads the neural detectors proposed.
	Candidates int `json:"-"`
	// AfterRead reports that the nano detector ran after the classic tier
	// had read codes (Options.AfterRead), looking for more.
	AfterRead bool `json:"-"`
}

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
	Format string `json:"format"` // "jpeg", "png", "gif", "bmp", "tiff", "webp", "pdf"; "gray" for ReadImage
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
	Tier     string
	Strategy string
	Duration time.Duration
	Codes    int  // codes read by this attempt, before deduplication
	Skipped  bool // the strategy did not apply to this image
}

// StrategyStats counts one strategy's runs and wins.
type StrategyStats struct {
	Tier     string
	Strategy string
	Attempts uint64
	Wins     uint64
	Time     time.Duration
}

// Point is a pixel position.
type Point = [2]float64

// Code is one decoded QR code. Its JSON form is the one of the HTTP API and
// of `qrcascade scan`.
type Code struct {
	// Text is the decoded text (per the symbol's ECI, else a charset guess).
	Text string `json:"text"`
	// Bytes is the payload as bytes (base64 in JSON).
	Bytes []byte `json:"bytes_base64"`
	// Points are the four outer corners of the symbol: top-left, top-right,
	// bottom-right, bottom-left in the symbol's own frame.
	Points [4]Point `json:"points"`
	// Tier and Strategy tell what read it; Model names the detector for
	// the neural tier ("" for classic).
	Tier     string `json:"tier"`
	Strategy string `json:"strategy"`
	Model    string `json:"model"`
	// Confidence is 1 for a code whose error correction succeeded.
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

func codeFromCascade(c cascade.Code) Code {
	out := Code{
		Text: c.Text, Bytes: c.Bytes, Tier: c.Tier, Strategy: c.Strategy, Model: c.Model,
		Confidence: c.Confidence, Version: c.Version, ECLevel: c.ECLevel, Mirrored: c.Mirrored,
	}
	for i, p := range c.Corners {
		out.Points[i] = Point{p.X, p.Y}
	}
	return out
}
