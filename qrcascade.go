// Package qrcascade reads QR codes in images and PDF documents for invoice
// pipelines: a cascade of tiers, cheapest first, each read labelled with
// the tier, decoding path and detector that produced it.
//
//	r, err := qrcascade.NewReader(qrcascade.Options{}) // nano mode
//	if err != nil { … }
//	defer r.Close()
//	res, err := r.Read(ctx, data) // JPEG, PNG, GIF, BMP, TIFF, WebP, PDF
//	if err != nil { … }           // input errors, limits, deadline
//	for _, c := range res.Codes { fmt.Println(c.Text, c.Points) }
//
// # Pipeline
//
// Read checks the size (Options.MaxBytes), sniffs the format once from its
// magic bytes, checks the limits from the header (MaxPixels, MaxPages)
// before any pixel is decoded, applies the EXIF orientation and reduces
// every page to an 8-bit gray plane (PDF pages are rendered, docs/PDF.md).
// On each plane the tiers run, by Options.Mode:
//
//   - classic (TierClassic): preprocessing strategies (Strategies) in
//     front of a QR decoder, stopping at the first that reads;
//   - nano (the default): then the small embedded CNN detector where the
//     classic tier read nothing (or, per Options.AfterRead, where it read
//     some codes and located others it could not decode); its candidate
//     quads are decoded again at full resolution (NeuralStrategies);
//   - hybrid: then the large detector when nano read nothing, was unsure
//     or saw a small code (Result.Fallback says why);
//   - large: the large detector instead of nano.
//
// # Guarantees
//
//   - Every page is read (PDF pages, TIFF directories, GIF frames);
//     Code.Page says where each code was found. Codes are deduplicated by
//     page, text and position.
//   - A Result with no codes and a nil error means the input holds no
//     readable code. Input errors are *FormatError, *UnsupportedError
//     (ErrEncrypted for a PDF that needs a password), *LimitError and
//     ErrEmpty. When the deadline (ctx or Options.Timeout) passes, Read
//     returns the partial Result with an error wrapping
//     context.DeadlineExceeded.
//   - Every code passed Reed–Solomon error correction. Code.Tier,
//     Code.Strategy and Code.Model say which tier, decoding path and
//     detector read it; Result.Model names the stage that read the first
//     code.
//   - Options.Explain adds, per page, the candidates located but not read
//     with the stage where each stopped (Result.Explain); without it no
//     such work is done.
//   - A Reader is safe for concurrent use; Read neither modifies nor
//     keeps its input. Models are loaded on first use and shared through
//     Options.Models.
//   - Between reads a Reader keeps, per read in flight, the decoded plane
//     of a JPEG under 16 MP for the next JPEG to decode into, and drops
//     it when unused through two garbage collections; after a read of 16
//     MP or more it returns the heap's free memory to the operating system.
//
// # Weaknesses
//
//   - Codes bent, crumpled or blurred beyond the quad deconvolution, and
//     codes no detector proposes, stay unread (docs/BENCHMARKS.md has the
//     read rates per category and mode).
//   - Neural modes cost more on images the classic tier cannot read (a
//     detector pass and candidate decodes); classic mode is the cheapest
//     and reads least.
//   - The first PDF a Reader sees starts a WebAssembly PDF engine
//     (seconds without its compilation cache, see Options.PDFCacheDir).
//
// Coordinates are pixels of the image as displayed (after EXIF
// orientation), (0,0) the top-left corner, +x right, +y down; for PDF,
// pixels of the page rendered at Options.PDFDPI, /Rotate applied; from
// ReadImage, relative to the image's Bounds().Min.
package qrcascade

import (
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"time"

	"github.com/qrcascade/qrcascade/internal/cascade"
	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/invoice"
	"github.com/qrcascade/qrcascade/internal/neural"
	"github.com/qrcascade/qrcascade/internal/pdf"
	"github.com/qrcascade/qrcascade/internal/vocab"
)

// ErrModeUnavailable is returned by NewReader for a mode this build cannot run.
var ErrModeUnavailable = errors.New("qrcascade: mode not available in this build")

// ErrEmpty is returned for an empty input.
var ErrEmpty = imgio.ErrEmpty

// ErrEncrypted is wrapped by the *UnsupportedError returned for a PDF that
// needs a password.
var ErrEncrypted = pdf.ErrEncrypted

// ErrPDFClosed is wrapped by the error a Reader returns for a PDF after
// its PDFEngine was closed.
var ErrPDFClosed = pdf.ErrClosed

// Options configures a Reader. The zero value is valid and is the
// command line's default: nano mode, default strategies, stop at the
// first strategy that reads, no timeout beyond the caller's context,
// default input limits, no invoice parsing, no explanation.
type Options struct {
	// Mode selects the tiers. Zero value: ModeNano.
	Mode Mode
	// Strategies names the classic strategies in the order to try them.
	// Nil: the default order (see Strategies()).
	Strategies []Strategy
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
	// decoding its candidates away from them. Zero value:
	// AfterReadUnread. Measured costs and gains in docs/BENCHMARKS.md.
	AfterRead AfterRead
	// Explain fills Result.Explain: per page, the candidates located or
	// detected but not read with the stage where each stopped, the
	// strategies run and the time per tier. Default false: a Read then
	// collects none of it.
	Explain bool
}

// Validate reports the first invalid field of o.
func (o Options) Validate() error {
	if o.Mode != "" && !slices.Contains(Modes(), o.Mode) {
		return fmt.Errorf("qrcascade: unknown mode %q", o.Mode)
	}
	if o.AfterRead != "" && !slices.Contains(convert[AfterRead](vocab.AfterReads()), o.AfterRead) {
		return fmt.Errorf("qrcascade: unknown after-read policy %q", o.AfterRead)
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
	release  releaser          // gives big images' memory back (release.go)
	planes   planePool         // decoded planes' buffers, reused (planes.go)
}

// NewReader validates opts and returns a Reader.
func NewReader(opts Options) (*Reader, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Mode == "" {
		opts.Mode = ModeNano
	}
	if opts.AfterRead == "" {
		opts.AfterRead = AfterReadUnread
	}
	cfg := classic.Config{Strategies: convert[string](opts.Strategies), Explain: opts.Explain}
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
	need := map[Mode][]Model{ModeNano: {ModelNano}, ModeHybrid: {ModelNano, ModelLarge}, ModeLarge: {ModelLarge}}
	for _, name := range need[opts.Mode] {
		if !opts.Models.Available(name) {
			return nil, fmt.Errorf("%w: %s mode needs the %s model, not embedded in this build", ErrModeUnavailable, opts.Mode, name)
		}
	}
	c, err := cascade.New(cascade.Config{
		Mode: vocab.Mode(opts.Mode), Classic: t,
		Nano: opts.Models.lazy(ModelNano), Large: opts.Models.lazy(ModelLarge),
		LargeDetect: neural.DetectOptions{InputSize: opts.Models.largeInput},
		AfterRead:   vocab.AfterRead(opts.AfterRead),
		Explain:     opts.Explain,
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

// maxPixels is the effective pixel limit of a rendered PDF page (<= 0:
// none).
func (r *Reader) maxPixels() int64 {
	if r.opts.MaxPixels == 0 {
		return imgio.DefaultMaxPixels
	}
	return r.opts.MaxPixels
}

// ReadImage reads every QR code in img, an image already decoded (any
// image.Image: colour is composited over white and reduced to BT.601
// luma; *image.Gray and *image.YCbCr are read in place, without a copy).
// It neither modifies nor keeps img, and the caller must not modify img
// during the call. Code.Page is 0 and points are relative to
// img.Bounds().Min. Errors are as for Read, without the input errors
// (no input limit applies).
func (r *Reader) ReadImage(ctx context.Context, img image.Image) (*Result, error) {
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	p := imgio.ToGray(img)
	res := &Result{Image: ImageInfo{Format: imageFormat(img), Width: p.W, Height: p.H, Pages: 1}, PagesRead: 1}
	err := r.read(ctx, p, 0, nil, res)
	res.Timings.Total = time.Since(start)
	res.Explain.prune(res.Codes)
	return res, err
}

// imageFormat is ImageInfo.Format for an image given to ReadImage: "gray"
// for *image.Gray (as before ReadImage took any image), "image" otherwise.
func imageFormat(img image.Image) string {
	if _, ok := img.(*image.Gray); ok {
		return "gray"
	}
	return "image"
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
	if len(res.Codes) == 0 {
		res.Model = Model(out.Model) // until a code is read: the last stage that ran
	}
	if out.Fallback != vocab.FallbackNone {
		res.Fallback = Fallback(out.Fallback)
	}
	res.AfterRead = res.AfterRead || out.AfterRead
	res.Candidates += out.Candidates
	for _, sk := range out.Skipped {
		if !slices.ContainsFunc(res.Skipped, func(s Skipped) bool { return s.Model == Model(sk.Model) && s.Reason == sk.Reason }) {
			res.Skipped = append(res.Skipped, Skipped{Tier: Tier(sk.Tier), Model: Model(sk.Model), Reason: sk.Reason, Err: sk.Err})
		}
	}
	attempts := len(res.Attempts)
	for _, a := range out.Attempts {
		res.Attempts = append(res.Attempts, Attempt{Tier: TierClassic, Strategy: Strategy(a.Strategy), Duration: a.Duration, Codes: a.Codes, Skipped: a.Skipped})
	}
	if r.opts.Explain {
		explain(res, page, to, &out, res.Attempts[attempts:])
	}
	for _, c := range out.Codes {
		if to != nil {
			for k, q := range c.Corners {
				c.Corners[k] = to(q)
			}
		}
		if res.seen(page, &c) {
			continue
		}
		res.read = append(res.read, pageCode{page, c})
		code := publicCode(&c, page)
		if r.invoices != nil {
			if inv, ok := r.invoices.Parse(code.Text); ok {
				code.Invoice = publicInvoice(inv)
			}
		}
		res.Codes = append(res.Codes, code)
	}
	if err != nil {
		return fmt.Errorf("qrcascade: %w", err)
	}
	return nil
}

// explain adds to res.Explain what one pass of the tiers over page did:
// out's unread candidates (points mapped by to) and timings, attempts.
func explain(res *Result, page int, to func(geom.Point) geom.Point, out *cascade.Outcome, attempts []Attempt) {
	if res.Explain == nil {
		res.Explain = &Explain{}
	}
	pe := res.Explain.page(page)
	pe.Timings.Classic += out.Classic
	pe.Timings.Nano += out.Nano
	pe.Timings.Large += out.Large
	pe.Detections += out.Candidates
	if out.Fallback != vocab.FallbackNone {
		pe.Fallback = Fallback(out.Fallback)
	}
	pe.Attempts = append(pe.Attempts, attempts...)
	for _, u := range out.Unread {
		c := Candidate{Tier: Tier(u.Tier), Strategy: Strategy(u.Strategy), Model: Model(u.Model), Score: u.Score, Stage: u.Stage}
		for k, q := range u.Corners {
			if to != nil {
				q = to(q)
			}
			c.Points[k] = Point{q.X, q.Y}
		}
		pe.Unread = append(pe.Unread, c)
	}
}

// seen reports whether res holds c, read on page, already: the same page
// and the same code (classic.Same).
func (res *Result) seen(page int, c *classic.Code) bool {
	for i := range res.read {
		if res.read[i].page == page && classic.Same(&res.read[i].code, c) {
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
		out = append(out, StrategyStats{Tier: TierClassic, Strategy: Strategy(s.Strategy), Attempts: s.Attempts, Wins: s.Wins, Time: s.Time})
	}
	return out
}
