// Package qrcascade reads QR codes in images for invoice pipelines: a
// cascade of tiers, cheapest first. The classic tier runs preprocessing
// strategies (raw, inversion, rescaling, equalisation, thresholds…) in
// front of a QR decoder and stops at the first that reads; the neural tier
// (a small CNN detector, in later versions) finds what the classic tier
// missed.
//
// Five lines:
//
//	r, err := qrcascade.NewReader(qrcascade.Options{})
//	if err != nil { … }
//	res, err := r.Read(ctx, imageBytes) // JPEG, PNG, GIF, BMP, TIFF, WebP, PDF
//	if err != nil { … }                 // bad input, limits, deadline
//	for _, c := range res.Codes { fmt.Println(c.Text, c.Points) }
//
// Every page is read: PDF pages (rendered at Options.PDFDPI, see
// docs/PDF.md), TIFF directories and GIF frames; Code.Page says where each
// code was found.
//
// Coordinates are pixels of the image as displayed (after EXIF orientation),
// (0,0) the top-left corner, +x right, +y down; for PDF, pixels of the page
// rendered at Options.PDFDPI, /Rotate applied. A Reader is safe for
// concurrent use.
package qrcascade

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/qrcascade/qrcascade/internal/cascade"
	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/invoice"
	"github.com/qrcascade/qrcascade/internal/neural"
	"github.com/qrcascade/qrcascade/internal/pdf"
)

// Mode selects the tiers that run.
type Mode string

// Modes. A neural mode is available when this build embeds its models
// (see Models.Available): nano needs the nano model, large the large one,
// hybrid both.
const (
	ModeClassic Mode = "classic" // classic strategies only
	ModeNano    Mode = "nano"    // classic, then the nano detector
	ModeHybrid  Mode = "hybrid"  // classic, nano, then the large detector when needed
	ModeLarge   Mode = "large"   // classic, then the large detector
)

// ErrModeUnavailable is returned by NewReader for a mode this build cannot run.
var ErrModeUnavailable = errors.New("qrcascade: mode not available in this build")

// Input errors, re-exported so callers can tell them apart with errors.As
// and errors.Is without importing internal packages.
type (
	// FormatError reports malformed or truncated image data.
	FormatError = imgio.FormatError
	// UnsupportedError reports a valid image the reader does not handle.
	UnsupportedError = imgio.UnsupportedError
	// LimitError reports an input over a configured limit (bytes or pixels).
	LimitError = imgio.LimitError
)

// Invoice is a recognised tax-authority invoice payload: scheme, country,
// typed fields, the validations performed and whether they all passed.
type Invoice = invoice.Invoice

// ErrEmpty is returned for an empty input.
var ErrEmpty = imgio.ErrEmpty

// ErrEncrypted is wrapped by the *UnsupportedError returned for a PDF that
// needs a password.
var ErrEncrypted = pdf.ErrEncrypted

// ErrPDFClosed is wrapped by the error a Reader returns for a PDF after
// its PDFEngine was closed.
var ErrPDFClosed = pdf.ErrClosed

// Options configures a Reader. The zero value is valid: classic mode,
// default strategies, stop at the first strategy that reads, no timeout
// beyond the caller's context, default input limits.
type Options struct {
	// Mode selects the tiers. Zero value: ModeClassic.
	Mode Mode
	// Strategies names the classic strategies in the order to try them.
	// Nil: the default order (see Strategies()).
	Strategies []string
	// All runs every strategy and returns the union of their codes instead
	// of stopping at the first strategy that reads. Default false.
	All bool
	// Timeout bounds one Read (image decoding included). Zero: no bound
	// beyond the context passed to Read.
	Timeout time.Duration
	// MaxBytes rejects larger inputs. Zero: 32 MiB; negative: no limit.
	MaxBytes int64
	// MaxPixels rejects images with more pixels (width × height), checked
	// from the header before any pixel is decoded. Zero: 50 million;
	// negative: no limit.
	MaxPixels int64
	// Models supplies the neural detectors. Nil: the Reader creates its
	// own with default ModelOptions. Share one between Readers.
	Models *Models
	// MaxPages bounds the pages of a document (PDF pages, TIFF
	// directories, GIF frames) that are read: the first MaxPages (of
	// those Pages selects) are read and the Result is marked Truncated
	// "max_pages". Zero: DefaultMaxPages (100); negative: no limit.
	MaxPages int
	// Pages selects the pages of a document to read, 1-based: "1-3",
	// "2,5,7-" (7 to the end), "-4" (1 to 4). "": every page.
	Pages string
	// StopAtInvoice stops reading a document after the first page on
	// which a code is a recognised invoice payload (see Options.Invoices;
	// the payloads are recognised for this even when Invoices is off).
	StopAtInvoice bool
	// MaxDocumentPixels is the work budget of one document: the pages to
	// read, each counted as its area at PDFDPI in pixels (before the pixel
	// bound lowers the resolution of a huge page), may total this many;
	// the pages past it are not read and the Result is marked Truncated
	// "work". A document whose first page alone exceeds it is refused
	// with a *LimitError "document pixels". Zero:
	// DefaultMaxDocumentPixels (400e6, about 100 A4 pages at 200 dpi);
	// negative: no budget.
	MaxDocumentPixels int64
	// PDFDPI is the resolution PDF pages are rendered at, in dots per
	// inch; a page that would exceed MaxPixels (or 16 million pixels,
	// whichever is less) is rendered at the highest resolution that fits.
	// Zero: 200. At most 2400. Code points are in this frame.
	PDFDPI int
	// PDFRetryDPI is the least resolution of the regions where a PDF
	// page draws a vector symbol: a page whose embedded images read
	// nothing has those regions rendered alone, 1000 pixels across (at
	// least this DPI, at most 2400), and read before the whole page is
	// rendered at PDFDPI, which is skipped when a region read. A page
	// whose content cannot be searched (over 5000 objects) is rendered
	// whole at this DPI when no page of the document read a code. Both
	// are bounded by MaxPixels; code points are mapped back to the PDFDPI
	// frame. Zero: 2 × PDFDPI; negative: no region pass. See docs/PDF.md.
	PDFRetryDPI int
	// PDF renders PDF pages. Nil: the Reader makes its own engine (with
	// PDFCacheDir), starts it on the first PDF and closes it in Close.
	// Share one between the Readers of a process, each engine costs
	// seconds of start-up and its own memory; a Reader does not close an
	// engine it was given.
	PDF *PDFEngine
	// PDFCacheDir holds wazero's compilation cache for the Reader's own
	// PDF engine (ignored when PDF is set), which cuts the first PDF's
	// start-up from seconds to a fraction of one. "": qrcascade/wazero
	// under os.UserCacheDir; "off": no cache. An unwritable directory
	// disables the cache silently.
	PDFCacheDir string
	// Invoices recognises tax-authority invoice payloads (Mexico CFDI,
	// Argentina AFIP, Spain VERI*FACTU, …) in every code read and fills
	// Code.Invoice. Default false. See docs/INVOICES.md.
	Invoices bool
	// AfterRead decides, in nano and hybrid modes, whether the nano
	// detector also runs on images where the classic tier read codes,
	// decoding its candidates away from them (pages and photos with
	// several codes of which the classic tier read only some): "unread"
	// (the default, "") when the classic tier located a candidate it
	// could not decode away from its reads, "always", or "never" (images
	// the classic tier reads then cost exactly what they cost in classic
	// mode). Measured costs and gains in docs/BENCHMARKS.md.
	AfterRead string
}

// Strategies returns the classic strategies run by default, in order.
func Strategies() []string { return classic.DefaultOrder() }

// AllStrategies returns every classic strategy name Options.Strategies
// accepts (the default ones and those run only when named).
func AllStrategies() []string { return classic.Names() }

// Validate reports the first invalid field of o.
func (o Options) Validate() error {
	switch o.Mode {
	case "", ModeClassic, ModeNano, ModeHybrid, ModeLarge:
	default:
		return fmt.Errorf("qrcascade: unknown mode %q", o.Mode)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("qrcascade: negative timeout %v", o.Timeout)
	}
	if o.PDFDPI < 0 || o.PDFDPI > pdf.MaxDPI || o.PDFRetryDPI > pdf.MaxDPI {
		return fmt.Errorf("qrcascade: pdf dpi %d / retry dpi %d outside 0..%d", o.PDFDPI, o.PDFRetryDPI, pdf.MaxDPI)
	}
	if _, err := parsePages(o.Pages); err != nil {
		return err
	}
	return nil
}

// Reader reads QR codes. Create it with NewReader; it is safe for
// concurrent use.
type Reader struct {
	opts     Options
	classic  *classic.Tier
	cascade  *cascade.Cascade
	invoices *invoice.Registry // nil unless Options.Invoices
	registry *invoice.Registry // recognises invoices for StopAtInvoice
	pages    pageSet           // Options.Pages, parsed
	pdf      *PDFEngine        // started on the first PDF
	ownsPDF  bool              // pdf was made by NewReader: Close closes it
}

// NewReader validates opts and returns a Reader.
func NewReader(opts Options) (*Reader, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Mode == "" {
		opts.Mode = ModeClassic
	}
	cfg := classic.Config{Strategies: opts.Strategies}
	if opts.All {
		cfg.Stop = classic.StopAll
	}
	t, err := classic.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("qrcascade: %w", err)
	}
	if opts.Models == nil {
		opts.Models = NewModels(ModelOptions{})
	}
	need := map[Mode][]string{ModeNano: {ModelNano}, ModeHybrid: {ModelNano, ModelLarge}, ModeLarge: {ModelLarge}}
	for _, name := range need[opts.Mode] {
		if !opts.Models.Available(name) {
			return nil, fmt.Errorf("%w: %s mode needs the %s model, not embedded in this build", ErrModeUnavailable, opts.Mode, name)
		}
	}
	c, err := cascade.New(cascade.Config{
		Mode: cascade.Mode(opts.Mode), Classic: t,
		Nano: opts.Models.lazy(ModelNano), Large: opts.Models.lazy(ModelLarge),
		LargeDetect: neural.DetectOptions{InputSize: opts.Models.largeInput},
		AfterRead:   cascade.AfterRead(opts.AfterRead),
	})
	if err != nil {
		return nil, fmt.Errorf("qrcascade: %w", err)
	}
	if opts.PDFDPI == 0 {
		opts.PDFDPI = pdf.DefaultDPI
	}
	if opts.PDFRetryDPI == 0 {
		opts.PDFRetryDPI = min(2*opts.PDFDPI, pdf.MaxDPI)
	}
	r := &Reader{opts: opts, classic: t, cascade: c, pdf: opts.PDF}
	if r.pdf == nil {
		// Not started until the first PDF: a Reader that never sees one
		// pays nothing.
		if r.pdf, err = NewPDFEngine(PDFOptions{CacheDir: opts.PDFCacheDir}); err != nil {
			return nil, err
		}
		r.ownsPDF = true
	}
	r.registry = invoice.NewRegistry()
	if opts.Invoices {
		r.invoices = r.registry
	}
	if r.pages, err = parsePages(opts.Pages); err != nil {
		return nil, err
	}
	return r, nil
}

// Options returns the options the Reader was built with (defaults filled).
func (r *Reader) Options() Options { return r.opts }

// Read decodes the image or PDF document in data (format sniffed from its
// bytes) and reads every QR code on every page, within the page policy of
// Options (MaxPages, Pages, StopAtInvoice, MaxDocumentPixels; see
// ReadPages). It does not keep data.
//
// A Result with no codes and a nil error means the input holds no readable
// code. Input errors are *FormatError, *UnsupportedError (ErrEncrypted for
// a PDF that needs a password), *LimitError or ErrEmpty; the Result is nil
// when the first page could not be decoded, and holds the earlier pages'
// codes when a later one could not. A document (PDF, multi-page TIFF, GIF)
// that hits a page limit, the work budget or the deadline after at least
// one page was read returns what was read with Result.Truncated set and a
// nil error. Otherwise, when the deadline (ctx or Options.Timeout) passes,
// Read returns the partial Result with an error wrapping
// context.DeadlineExceeded.
//
// The first PDF a Reader sees starts the PDF engine unless Warm was called
// (see docs/PDF.md).
func (r *Reader) Read(ctx context.Context, data []byte) (*Result, error) {
	return r.ReadPages(ctx, data, PageOptions{})
}

// maxBytes is the effective byte limit for inputs not decoded by imgio.
func (r *Reader) maxBytes() int64 {
	if r.opts.MaxBytes == 0 {
		return imgio.DefaultMaxBytes
	}
	return r.opts.MaxBytes
}

// maxPixels is the effective pixel limit of a rendered PDF page (<= 0:
// none).
func (r *Reader) maxPixels() int64 {
	if r.opts.MaxPixels == 0 {
		return imgio.DefaultMaxPixels
	}
	return r.opts.MaxPixels
}

// ReadImage reads every QR code in img, which it neither modifies nor keeps.
// Errors are as for Read, without the input errors.
func (r *Reader) ReadImage(ctx context.Context, img *image.Gray) (*Result, error) {
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	b := img.Bounds()
	p := &gray.Plane{W: b.Dx(), H: b.Dy(), Stride: img.Stride}
	if !b.Empty() {
		p.Pix = img.Pix[img.PixOffset(b.Min.X, b.Min.Y):]
	}
	res := &Result{Image: ImageInfo{Format: "gray", Width: p.W, Height: p.H, Pages: 1}, PagesRead: 1}
	err := r.read(ctx, p, 0, nil, res)
	res.Timings.Total = time.Since(start)
	return res, err
}

func (r *Reader) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.opts.Timeout > 0 {
		return context.WithTimeout(ctx, r.opts.Timeout)
	}
	return context.WithCancel(ctx)
}

// read runs the tiers over p, page page of the input (0 for ReadImage),
// and appends to res the codes not already there (same page and text,
// overlapping corners); to maps code points to the page's frame (nil:
// unchanged).
func (r *Reader) read(ctx context.Context, p *gray.Plane, page int, to func(geom.Point) geom.Point, res *Result) error {
	out, err := r.cascade.Read(ctx, p)
	res.Timings.Classic += out.Classic
	res.Timings.Nano += out.Nano
	res.Timings.Large += out.Large
	if res.Model == "" || len(out.Codes) > 0 {
		res.Model = out.Model
	}
	if out.Fallback != "" {
		res.Fallback = out.Fallback
	}
	res.AfterRead = res.AfterRead || out.AfterRead
	res.Candidates += out.Candidates
	for _, a := range out.Attempts {
		res.Attempts = append(res.Attempts, Attempt{Tier: TierClassic, Strategy: a.Strategy, Duration: a.Duration, Codes: a.Codes, Skipped: a.Skipped})
	}
	for _, c := range out.Codes {
		code := codeFromCascade(c)
		code.Page = page
		if to != nil {
			for k, q := range code.Points {
				m := to(geom.Point{X: q[0], Y: q[1]})
				code.Points[k] = Point{m.X, m.Y}
			}
		}
		if seen(res.Codes, code) {
			continue
		}
		if r.invoices != nil {
			if inv, ok := r.invoices.Parse(code.Text); ok {
				code.Invoice = inv
			}
		}
		res.Codes = append(res.Codes, code)
	}
	if err != nil {
		return fmt.Errorf("qrcascade: %w", err)
	}
	return nil
}

// seen reports whether codes holds c already: same page and text, and
// overlapping corners (one's centroid inside the other).
func seen(codes []Code, c Code) bool {
	q := codeQuad(c.Points)
	for _, d := range codes {
		if d.Page == c.Page && d.Text == c.Text && codeQuad(d.Points).Overlaps(q) {
			return true
		}
	}
	return false
}

// codeQuad returns a code's corners as a quad.
func codeQuad(p [4]Point) geom.Quad {
	return geom.Quad{{X: p[0][0], Y: p[0][1]}, {X: p[1][0], Y: p[1][1]}, {X: p[2][0], Y: p[2][1]}, {X: p[3][0], Y: p[3][1]}}
}

// Warm starts the Reader's PDF engine (compiling PDFium, or loading it
// from the compilation cache) and waits for it or for ctx, so that no
// request waits for it; a server calls it before it reports ready. When
// ctx ends first the start goes on in the background. The error is the
// engine's start-up error, which is final.
func (r *Reader) Warm(ctx context.Context) error { return r.pdf.Warm(ctx) }

// Ready reports, without blocking, whether the Reader's PDF engine has
// started (nil) or not yet, or failed (an error): a readiness probe.
func (r *Reader) Ready() error { return r.pdf.Ready() }

// Close releases the Reader's own PDF engine, if a PDF started it; an
// engine given in Options.PDF is left to its owner. The Reader must not be
// used afterwards.
func (r *Reader) Close() error {
	if !r.ownsPDF {
		return nil
	}
	return r.pdf.Close()
}

// StrategyStats returns, for each classic strategy, how often it ran and how
// often it read a code since the Reader was created.
func (r *Reader) StrategyStats() []StrategyStats {
	var out []StrategyStats
	for _, s := range r.classic.Stats() {
		out = append(out, StrategyStats{Tier: TierClassic, Strategy: s.Strategy, Attempts: s.Attempts, Wins: s.Wins, Time: s.Time})
	}
	return out
}
