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
	"math"
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
	// LimitError reports an input over a configured limit: bytes, pixels,
	// pages, work (pixels over all pages), decoder memory, or a shape that
	// cannot hold a code (side, aspect: Unprocessable reports true).
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
	// MaxWork rejects images whose pages hold more pixels together
	// (width × height summed over TIFF directories and GIF frames),
	// checked from the headers before any page is decoded, so that a small
	// file that would cost seconds of reading is refused at once
	// (*LimitError "work"). Zero: MaxPixels (a request of many pages
	// costs at most one image at the pixel limit: 50 million by default);
	// negative: no limit.
	MaxWork int64
	// MaxDecodeMemory rejects images whose pixel format would need more
	// decoder memory than this many bytes for one page (a 7000×7000
	// 16-bit RGBA PNG needs 441 MB), checked from the header before any
	// pixel buffer exists (*LimitError "memory"). Zero: 64 MiB; negative:
	// no limit. JPEG is decoded to its luma plane only: 1 byte a pixel,
	// 3 when progressive.
	MaxDecodeMemory int64
	// MinSide rejects images whose shortest side has fewer pixels (a
	// version 1 QR code is 21 modules wide), and MaxAspect those whose long
	// side exceeds MaxAspect times the short one (*LimitError "side" and
	// "aspect", whose Unprocessable method reports true: an HTTP layer
	// answers 422). Zero: 21 and 100; negative: no limit.
	MinSide, MaxAspect int
	// MaxPages rejects inputs with more pages (PDF pages, TIFF
	// directories, GIF frames) with a *LimitError "pages", before any page
	// is read. Zero: 20; negative: no limit.
	MaxPages int
	// PDFDPI is the resolution PDF pages are rendered at, in dots per
	// inch; a page that would exceed MaxPixels is rendered at the highest
	// resolution that fits. Zero: 200. At most 2400.
	PDFDPI int
	// PDFRetryDPI is the least resolution of the second pass over a PDF
	// page that read nothing at PDFDPI: the regions where the page draws a
	// vector symbol are rendered again, 1000 pixels across (at least this
	// DPI, at most 2400), and read; a page whose content cannot be
	// searched (over 5000 objects) is rendered whole at this DPI when
	// no page of the document read a code. Both are bounded by MaxPixels; code
	// points are mapped back to the PDFDPI frame. Zero: 2 × PDFDPI;
	// negative: no second pass. See docs/PDF.md.
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
	lim := r.imageLimits()
	pages := 0
	decoding := start
	info, err := imgio.DecodePages(data, lim, func(i int, p *gray.Plane) error {
		res.Timings.DecodeImage += time.Since(decoding)
		if i == 0 {
			res.Image.Width, res.Image.Height = p.W, p.H
		}
		pages++
		tierErr = r.read(ctx, p, i+1, nil, res)
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

// imageLimits are the limits of an image decode: Options as they are (imgio
// reads zero as its default), except the shape limits, which imgio leaves
// off in a zero Limits and a QR reader wants on.
func (r *Reader) imageLimits() imgio.Limits {
	orDefault := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	return imgio.Limits{
		MaxBytes: r.opts.MaxBytes, MaxPixels: r.opts.MaxPixels, MaxPages: r.opts.MaxPages,
		MaxWork: r.opts.MaxWork, MaxDecodeBytes: r.opts.MaxDecodeMemory,
		MinSide:   orDefault(r.opts.MinSide, imgio.DefaultMinSide),
		MaxAspect: orDefault(r.opts.MaxAspect, imgio.DefaultMaxAspect),
	}
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

// maxPageImages bounds the image objects read directly on one page: an
// invoice carries a logo or two and the code. A page with more (a scan cut
// into tiles, a catalogue) is only rendered, which reassembles them.
const maxPageImages = 8

// regionSide is the size, in pixels, a candidate region's longer side is
// rendered to in the second pass (at least Options.PDFRetryDPI, at most
// pdf.MaxDPI): the module size is unknown, and a region is small enough
// to afford the detail (a 0.3 pt module becomes 10 px in a 30 pt region).
const regionSide = 1000

// scanCover is the share of the page an image must cover, at a resolution
// at least the render's, for the page to count as a scan: its render would
// only resample the image already read.
const scanCover = 0.9

// readPDF reads every page of a PDF document (see docs/PDF.md). On each
// page, the image objects are first extracted at their native resolution
// and read (a few milliseconds, and sharper than a render); the page is
// then rendered at Options.PDFDPI and read, unless an image read a code or
// the page is a scan (one image over most of it at least as fine as the
// render), and Options.All is not set.
//
// A rendered page that read nothing gets a second pass (unless
// Options.PDFRetryDPI < 0): the regions where its content draws a
// vector symbol (pdf.Document.Candidates) are rendered at a higher
// resolution and read. A page whose content cannot be searched (over
// 5000 objects, or forms nested too deep) is rendered whole at
// Options.PDFRetryDPI instead, when no page of the document read a code.
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
	rendered := make([]int, doc.Pages()) // the DPI page i was rendered at; 0: not rendered
	for i := range rendered {
		w, h, err := doc.PageSize(i)
		if err != nil {
			return pdfResult(res, i, err)
		}
		dpi := pdf.FitDPI(w, h, r.opts.PDFDPI, r.maxPixels())
		if i == 0 {
			s := float64(dpi) / 72
			res.Image.Width, res.Image.Height = int(math.Ceil(w*s)), int(math.Ceil(h*s))
		}
		found, scan, err := r.readImages(ctx, doc, i, w*h, dpi, res)
		if err != nil {
			return res, err
		}
		if (found || scan) && !r.opts.All {
			continue
		}
		p, used, err := r.renderPage(doc, i, dpi, res)
		if err != nil {
			return pdfResult(res, i, err)
		}
		rendered[i] = used
		if err := r.read(ctx, p, i+1, nil, res); err != nil {
			return res, err
		}
	}
	if r.opts.PDFRetryDPI < 0 {
		return res, nil
	}
	var opaque []int // pages to render whole again
	for i, dpi := range rendered {
		if dpi == 0 || onPage(res.Codes, i+1) {
			continue
		}
		whole, err := r.readRegions(ctx, doc, i, dpi, res)
		if err != nil {
			return res, err
		}
		if whole {
			opaque = append(opaque, i)
		}
	}
	if len(res.Codes) > 0 {
		return res, nil
	}
	for _, i := range opaque {
		dpi := rendered[i]
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
		scale := float64(dpi) / float64(hdpi)
		if err := r.read(ctx, p, i+1, func(q geom.Point) geom.Point { return q.Scale(scale) }, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// onPage reports whether a code was read on page.
func onPage(codes []Code, page int) bool {
	for _, c := range codes {
		if c.Page == page {
			return true
		}
	}
	return false
}

// readRegions renders the candidate regions of page i of doc (read at dpi)
// at a higher resolution, regionSide pixels across, and reads them,
// mapping code points to the page at dpi. whole reports that the page's
// content could not be searched and only a whole-page render would see a
// small code; a failure to search counts as that, only the end of ctx is
// an error.
func (r *Reader) readRegions(ctx context.Context, doc *pdf.Document, i, dpi int, res *Result) (whole bool, err error) {
	start := time.Now()
	regions, opaque, err := doc.Candidates(i)
	res.Timings.DecodeImage += time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return false, fmt.Errorf("qrcascade: %w", err)
		}
		return true, nil
	}
	for _, reg := range regions {
		want := int(math.Ceil(regionSide * 72 / math.Max(reg.W, reg.H)))
		rdpi := pdf.FitDPI(reg.W, reg.H, min(max(want, r.opts.PDFRetryDPI), pdf.MaxDPI), r.maxPixels())
		if rdpi <= dpi {
			continue // no more detail than the page render had
		}
		start := time.Now()
		p, used, err := doc.RenderRegion(i, rdpi, reg)
		res.Timings.DecodeImage += time.Since(start)
		if err != nil {
			return false, fmt.Errorf("qrcascade: %w", err)
		}
		k, s := 72/float64(used), float64(dpi)/72
		to := func(q geom.Point) geom.Point {
			return geom.Point{X: (q.X*k + reg.X) * s, Y: (q.Y*k + reg.Y) * s}
		}
		if err := r.read(ctx, p, i+1, to, res); err != nil {
			return false, err
		}
	}
	return opaque, nil
}

// pdfResult returns the error of page i: with no result when it is the
// first page and the error is the input's (as Read documents), with the
// partial result otherwise.
func pdfResult(res *Result, i int, err error) (*Result, error) {
	var fe *FormatError
	if i == 0 && errors.As(err, &fe) {
		return nil, err
	}
	return res, err
}

// readImages reads the image objects of page i of doc (area its size in
// square points) at their native resolution, mapping the codes' points to
// the page rendered at dpi. Each image, and all of them together, are
// bounded by Options.MaxPixels; a page with more than maxPageImages is
// left to the render. found reports a code read; scan, an image that
// covers scanCover of the page at dpi or finer. An image that cannot be
// extracted is left to the render; only the end of ctx is an error.
func (r *Reader) readImages(ctx context.Context, doc *pdf.Document, i int, area float64, dpi int, res *Result) (found, scan bool, err error) {
	start := time.Now()
	ims, err := doc.Images(i, pdf.ImageLimits{MaxPixels: r.maxPixels(), MaxTotal: r.maxPixels(), MaxImages: maxPageImages})
	res.Timings.DecodeImage += time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return false, false, fmt.Errorf("qrcascade: %w", err)
		}
		return false, false, nil // too many images, or none readable: the render sees them
	}
	n := len(res.Codes)
	s := float64(dpi) / 72
	for _, im := range ims {
		W, H := float64(im.Plane.W), float64(im.Plane.H)
		var dst geom.Quad
		for k, c := range im.Corners {
			dst[k] = c.Scale(s)
		}
		h, ok := geom.QuadToQuad(geom.Quad{{X: 0, Y: 0}, {X: W, Y: 0}, {X: W, Y: H}, {X: 0, Y: H}}, dst)
		if !ok {
			continue // painted with a degenerate matrix: invisible
		}
		if err := r.read(ctx, im.Plane, i+1, h.Apply, res); err != nil {
			return false, false, err
		}
		if im.NativeDPI() >= float64(dpi) && im.Corners.Area() >= scanCover*area {
			scan = true
		}
	}
	return len(res.Codes) > n, scan, nil
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
