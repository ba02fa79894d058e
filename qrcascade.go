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

	"qrcascade/internal/cascade"
	"qrcascade/internal/classic"
	"qrcascade/internal/gray"
	"qrcascade/internal/imgio"
	"qrcascade/internal/invoice"
	"qrcascade/internal/pdf"
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
	// MaxPages rejects inputs with more pages (PDF pages, TIFF
	// directories, GIF frames) with a *LimitError "pages", before any page
	// is read. Zero: 20; negative: no limit.
	MaxPages int
	// PDFDPI is the resolution PDF pages are rendered at, in dots per
	// inch; a page that would exceed MaxPixels is rendered at the highest
	// resolution that fits. Zero: 200. At most 2400.
	PDFDPI int
	// PDFRetryDPI: when nothing was read on any page of a PDF at PDFDPI,
	// every page is rendered again at this resolution (bounded by
	// MaxPixels) and read once more; code points are mapped back to the
	// PDFDPI frame. Zero: 2 × PDFDPI; negative: no second render.
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
}

// Strategies returns every classic strategy name, in the default order.
func Strategies() []string { return classic.DefaultOrder() }

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
	return nil
}

// Reader reads QR codes. Create it with NewReader; it is safe for
// concurrent use.
type Reader struct {
	opts     Options
	classic  *classic.Tier
	cascade  *cascade.Cascade
	invoices *invoice.Registry // nil unless Options.Invoices
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
	if opts.Invoices {
		r.invoices = invoice.NewRegistry()
	}
	return r, nil
}

// Options returns the options the Reader was built with (defaults filled).
func (r *Reader) Options() Options { return r.opts }

// Read decodes the image or PDF document in data (format sniffed from its
// bytes) and reads every QR code on every page. It does not keep data.
//
// A Result with no codes and a nil error means the input holds no readable
// code. Input errors are *FormatError, *UnsupportedError (ErrEncrypted for
// a PDF that needs a password), *LimitError or ErrEmpty; the Result is nil
// when the first page could not be decoded, and holds the earlier pages'
// codes when a later one could not. When the deadline (ctx or
// Options.Timeout) passes, Read returns the partial Result with an error
// wrapping context.DeadlineExceeded.
//
// The first PDF a Reader sees starts the PDF engine (see docs/PDF.md).
func (r *Reader) Read(ctx context.Context, data []byte) (*Result, error) {
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	if _, serr := imgio.Sniff(data); serr != nil && pdf.Is(data) {
		res, err := r.readPDF(ctx, data)
		if res != nil {
			res.Timings.Total = time.Since(start)
		}
		return res, err
	}
	res := &Result{}
	var tierErr error
	lim := imgio.Limits{MaxBytes: r.opts.MaxBytes, MaxPixels: r.opts.MaxPixels, MaxPages: r.opts.MaxPages}
	pages := 0
	decoding := start
	info, err := imgio.DecodePages(data, lim, func(i int, p *gray.Plane) error {
		res.Timings.DecodeImage += time.Since(decoding)
		if i == 0 {
			res.Image.Width, res.Image.Height = p.W, p.H
		}
		pages++
		tierErr = r.read(ctx, p, i+1, 1, res)
		decoding = time.Now()
		return tierErr
	})
	res.Image.Format, res.Image.Pages = info.Format, info.Pages
	res.Timings.Total = time.Since(start)
	switch {
	case tierErr != nil:
		return res, tierErr
	case err != nil && pages == 0:
		return nil, err
	}
	return res, err
}

// maxBytes is the effective byte limit for inputs not decoded by imgio.
func (r *Reader) maxBytes() int64 {
	if r.opts.MaxBytes == 0 {
		return imgio.DefaultMaxBytes
	}
	return r.opts.MaxBytes
}

// maxPages is the effective page limit for PDF documents (<= 0: none).
func (r *Reader) maxPages() int {
	if r.opts.MaxPages == 0 {
		return imgio.DefaultMaxPages
	}
	return r.opts.MaxPages
}

// maxPixels is the effective pixel limit of a rendered PDF page (<= 0:
// none).
func (r *Reader) maxPixels() int64 {
	if r.opts.MaxPixels == 0 {
		return imgio.DefaultMaxPixels
	}
	return r.opts.MaxPixels
}

// readPDF renders and reads every page of a PDF document. When no page
// yields a code, every page is rendered again at Options.PDFRetryDPI and
// read once more (see docs/PDF.md for why per document, not per page).
func (r *Reader) readPDF(ctx context.Context, data []byte) (*Result, error) {
	if max := r.maxBytes(); max >= 0 && int64(len(data)) > max {
		return nil, &LimitError{What: "bytes", Limit: max, Actual: int64(len(data))}
	}
	start := time.Now()
	res := &Result{Image: ImageInfo{Format: "pdf"}}
	doc, err := r.pdf.e.Open(ctx, data)
	res.Timings.DecodeImage = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("qrcascade: %w", err)
		}
		return nil, err
	}
	defer doc.Close()
	if max := r.maxPages(); max > 0 && doc.Pages() > max {
		return nil, &LimitError{What: "pages", Limit: int64(max), Actual: int64(doc.Pages())}
	}
	res.Image.Pages = doc.Pages()
	dpis := make([]int, doc.Pages()) // the DPI each page was read at
	for i := range dpis {
		p, dpi, err := r.renderPage(doc, i, r.opts.PDFDPI, res)
		if err != nil {
			return res, err
		}
		if i == 0 {
			res.Image.Width, res.Image.Height = p.W, p.H
		}
		dpis[i] = dpi
		if err := r.read(ctx, p, i+1, 1, res); err != nil {
			return res, err
		}
	}
	if len(res.Codes) > 0 {
		return res, nil
	}
	for i, dpi := range dpis {
		if r.opts.PDFRetryDPI <= dpi {
			continue
		}
		p, hdpi, err := r.renderPage(doc, i, r.opts.PDFRetryDPI, res)
		if err != nil {
			return res, err
		}
		if hdpi <= dpi {
			continue // the pixel limit allows no more detail
		}
		if err := r.read(ctx, p, i+1, float64(dpi)/float64(hdpi), res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// renderPage renders page i of doc at dpi, or at the highest resolution
// below it that fits Options.MaxPixels (see pdf.FitDPI), counting the time
// as image decoding.
func (r *Reader) renderPage(doc *pdf.Document, i, dpi int, res *Result) (*gray.Plane, int, error) {
	start := time.Now()
	w, h, err := doc.PageSize(i)
	if err != nil {
		return nil, 0, fmt.Errorf("qrcascade: %w", err)
	}
	p, used, err := doc.Render(i, pdf.FitDPI(w, h, dpi, r.maxPixels()))
	res.Timings.DecodeImage += time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("qrcascade: %w", err)
	}
	return p, used, nil
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
	res := &Result{Image: ImageInfo{Format: "gray", Width: p.W, Height: p.H, Pages: 1}}
	err := r.read(ctx, p, 0, 1, res)
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
// and appends to res; code points are multiplied by scale.
func (r *Reader) read(ctx context.Context, p *gray.Plane, page int, scale float64, res *Result) error {
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
	res.Candidates += out.Candidates
	for _, a := range out.Attempts {
		res.Attempts = append(res.Attempts, Attempt{Tier: TierClassic, Strategy: a.Strategy, Duration: a.Duration, Codes: a.Codes, Skipped: a.Skipped})
	}
	for _, c := range out.Codes {
		code := codeFromCascade(c)
		code.Page = page
		for k := range code.Points {
			code.Points[k] = Point{code.Points[k][0] * scale, code.Points[k][1] * scale}
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
