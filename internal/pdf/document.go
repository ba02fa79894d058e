package pdf

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"sync/atomic"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"

	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
)

// ErrEncrypted is wrapped by the *imgio.UnsupportedError that Open returns
// for a document that needs a password (ISO 32000-1, 7.6: a standard
// security handler whose user password is not empty). Documents encrypted
// with an empty user password (permissions only) open normally.
var ErrEncrypted = errors.New("pdf: encrypted document, a password is required")

// Rect is a rectangle of a page in points (1/72 inch), in the page's
// displayed frame: (X, Y) is the top-left corner, +x right, +y down.
type Rect struct {
	X, Y, W, H float64
}

// Document is an open PDF document bound to one PDFium instance and to the
// context given to Open. It is not safe for concurrent use. Close it.
type Document struct {
	e     *Engine
	inst  pdfium.Pdfium
	doc   references.FPDF_DOCUMENT
	pages int

	ctx    context.Context // Open's context with Config.Timeout
	cancel context.CancelFunc
	stop   func() bool // unregisters the kill watcher
	killed atomic.Bool
	closed bool

	// With Config.ReuseInstances: key names the instance in Engine.served,
	// and faulted records a call that leaves it unfit for another
	// document (instanceFault).
	key     any
	faulted bool
}

// Open opens the PDF document in data (which it copies and does not keep),
// starting the engine if needed. The Document's calls run under ctx and
// Config.Timeout: when either ends, the running call is aborted and every
// later call fails with an error wrapping the context's error.
//
// Before anything reaches PDFium, Scan checks the streams against
// Config.Scan (decompression bombs).
//
// Errors: ErrClosed; the context's error while waiting for the engine or a
// free instance; *imgio.LimitError ("bytes" is the caller's business,
// "pages" and those of Scan are checked here); *imgio.UnsupportedError wrapping ErrEncrypted;
// *imgio.FormatError for a file PDFium cannot open or with no pages.
func (e *Engine) Open(ctx context.Context, data []byte) (*Document, error) {
	if len(data) == 0 {
		return nil, imgio.ErrEmpty
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	if _, err := Scan(ctx, data, e.cfg.Scan); err != nil {
		return nil, err
	}
	if err := e.Warm(ctx); err != nil {
		return nil, err
	}
	var cancel context.CancelFunc
	if e.cfg.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, e.cfg.Timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	inst, err := e.pool.GetInstanceWithContext(ctx)
	if err != nil {
		cancel()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("pdf: waiting for an instance: %w", ctx.Err())
		}
		return nil, fmt.Errorf("pdf: getting an instance: %w", err)
	}
	d := &Document{e: e, inst: inst, ctx: ctx, cancel: cancel}
	if e.cfg.ReuseInstances {
		d.key = inst.GetImplementation()
	}
	d.stop = context.AfterFunc(ctx, func() {
		// Aborts the WebAssembly call in flight, if any, and discards the
		// instance; the pool builds a fresh one for the next document.
		d.killed.Store(true)
		inst.Kill()
	})
	if err := d.open(data); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// open loads the document into the instance and checks its page count.
func (d *Document) open(data []byte) error {
	var doc references.FPDF_DOCUMENT
	err := d.call(func() error {
		r, err := d.inst.OpenDocument(&requests.OpenDocument{File: &data})
		if err == nil {
			doc = r.Document
		}
		return err
	})
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword) || errors.Is(err, pdfiumerrors.ErrSecurity):
		return &imgio.UnsupportedError{Format: "pdf", Reason: "encrypted", Err: ErrEncrypted}
	case err != nil:
		return d.wrap("opening", err)
	}
	d.doc = doc
	var n int
	err = d.call(func() error {
		r, err := d.inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc})
		if err == nil {
			n = r.PageCount
		}
		return err
	})
	if err != nil {
		return d.wrap("counting pages", err)
	}
	if n <= 0 {
		return formatError(errors.New("document has no pages"))
	}
	if max := d.e.cfg.MaxPages; max > 0 && n > max {
		return &imgio.LimitError{What: "pages", Limit: int64(max), Actual: int64(n)}
	}
	d.pages = n
	return nil
}

// Pages returns the document's page count.
func (d *Document) Pages() int { return d.pages }

// MediaSize returns the size of page i (0-based) in points as PDFium
// reads it from the page dictionary, without loading the page (its
// content is not parsed): cheap enough to size the work of a whole
// document before any page is drawn. /Rotate may swap the two.
func (d *Document) MediaSize(i int) (w, h float64, err error) {
	if err := d.check(i); err != nil {
		return 0, 0, err
	}
	err = d.call(func() error {
		r, err := d.inst.FPDF_GetPageSizeByIndexF(&requests.FPDF_GetPageSizeByIndexF{Document: d.doc, Index: i})
		if err == nil {
			w, h = float64(r.Size.Width), float64(r.Size.Height)
		}
		return err
	})
	return d.checkedSize(i, w, h, err)
}

// checkedSize returns the size PDFium gave for page i, or the error of
// the call, or a *FormatError for a size that is not finite and positive.
func (d *Document) checkedSize(i int, w, h float64, err error) (float64, float64, error) {
	if err != nil {
		return 0, 0, d.wrap(fmt.Sprintf("page %d: size", i+1), err)
	}
	if !(w > 0 && h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
		return 0, 0, formatError(fmt.Errorf("page %d: invalid size %gx%g pt", i+1, w, h))
	}
	return w, h, nil
}

// PageSize returns the size of page i (0-based) in points as displayed,
// /Rotate applied.
func (d *Document) PageSize(i int) (w, h float64, err error) {
	if err := d.check(i); err != nil {
		return 0, 0, err
	}
	err = d.call(func() error {
		r, err := d.inst.GetPageSize(&requests.GetPageSize{Page: d.page(i)})
		if err == nil {
			w, h = r.Width, r.Height
		}
		return err
	})
	return d.checkedSize(i, w, h, err)
}

// FitDPI returns the highest resolution, at most dpi, at which a w×h point
// area renders to no more than maxPixels pixels (maxPixels <= 0: dpi). It is
// at least 1.
func FitDPI(w, h float64, dpi int, maxPixels int64) int {
	if maxPixels <= 0 || w <= 0 || h <= 0 {
		return dpi
	}
	px := func(d int) float64 { return math.Ceil(w*float64(d)/72) * math.Ceil(h*float64(d)/72) }
	if px(dpi) <= float64(maxPixels) {
		return dpi
	}
	fit := int(72 * math.Sqrt(float64(maxPixels)/(w*h)))
	for fit > 1 && px(fit) > float64(maxPixels) {
		fit--
	}
	return max(1, min(fit, dpi))
}

// Render draws page i (0-based) at dpi dots per inch (lowered to fit
// Config.MaxPixels, see FitDPI) as a new compact gray plane, and returns
// the DPI used. Errors: the context's (wrapped), *imgio.FormatError for a
// page PDFium cannot draw.
func (d *Document) Render(i, dpi int) (*gray.Plane, int, error) {
	return d.render(i, dpi, nil)
}

// RenderRegion draws the part r (in points, clipped to the page) of page i
// at dpi dots per inch, lowered to fit Config.MaxPixels, and returns the
// plane and the DPI used. Pixel (0,0) is the point (r.X, r.Y).
func (d *Document) RenderRegion(i, dpi int, r Rect) (*gray.Plane, int, error) {
	return d.render(i, dpi, &r)
}

func (d *Document) render(i, dpi int, region *Rect) (*gray.Plane, int, error) {
	if dpi < 1 || dpi > MaxDPI {
		return nil, 0, fmt.Errorf("pdf: dpi %d outside 1..%d", dpi, MaxDPI)
	}
	w, h, err := d.PageSize(i)
	if err != nil {
		return nil, 0, err
	}
	var crop *requests.RenderPageCrop
	if region != nil {
		x0, y0 := max(0, region.X), max(0, region.Y)
		x1, y1 := min(w, region.X+region.W), min(h, region.Y+region.H)
		if !(x1 > x0 && y1 > y0) {
			return nil, 0, fmt.Errorf("pdf: page %d: region %v outside the %gx%g pt page", i+1, *region, w, h)
		}
		crop = &requests.RenderPageCrop{X: x0, Y: y0, Width: x1 - x0, Height: y1 - y0}
		w, h = x1-x0, y1-y0
	}
	dpi = FitDPI(w, h, dpi, d.e.cfg.MaxPixels)
	var p *gray.Plane
	err = d.call(func() error {
		r, err := d.inst.RenderPageInDPI(&requests.RenderPageInDPI{
			Page: d.page(i), DPI: dpi, Crop: crop,
			ImageFormat: requests.RenderImageFormatGrayscale,
		})
		if err != nil {
			return err
		}
		defer r.Cleanup()
		g, ok := r.Result.RenderedImage.(*image.Gray)
		if !ok {
			return fmt.Errorf("renderer returned %T, not *image.Gray", r.Result.RenderedImage)
		}
		p = planeOf(g)
		return nil
	})
	if err != nil {
		return nil, 0, d.wrap(fmt.Sprintf("page %d: rendering at %d dpi", i+1, dpi), err)
	}
	return p, dpi, nil
}

// planeOf copies g (whose pixels live in WebAssembly memory, valid only
// until the render is cleaned up) into a new compact plane.
func planeOf(g *image.Gray) *gray.Plane {
	b := g.Bounds()
	p := gray.New(b.Dx(), b.Dy())
	for y := 0; y < p.H; y++ {
		off := g.PixOffset(b.Min.X, b.Min.Y+y)
		copy(p.Row(y), g.Pix[off:off+p.W])
	}
	return p
}

// Close closes the document and gives its instance back (a killed
// instance is already gone). With Config.ReuseInstances the instance goes
// back to the pool for the next document, unless a call faulted or it has
// served maxInstanceDocuments documents: then it is discarded. It is safe
// to call twice.
func (d *Document) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	defer d.cancel()
	if !d.stop() {
		// The kill watcher has run or is running: the instance belongs
		// to it, and its memory is garbage: give it back.
		d.e.retire(d.key)
		d.e.releaseMemory()
		return nil
	}
	if d.e.cfg.ReuseInstances {
		return d.recycle()
	}
	if d.doc != "" {
		d.call(func() error {
			_, err := d.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: d.doc})
			return err
		})
	}
	err := d.inst.Close()
	// The instance's linear memory (about 18 MB fresh, up to
	// Config.MaxMemory) is garbage now: give it back at once, so that
	// instances do not pile up between collections.
	d.e.releaseMemory()
	if err != nil {
		return fmt.Errorf("pdf: closing instance: %w", err)
	}
	return nil
}

// recycle closes the document of a reusable instance (Config.ReuseInstances)
// and gives the instance back to the pool, or discards it when a call
// faulted (the document's close included) or it has served
// maxInstanceDocuments documents.
func (d *Document) recycle() error {
	if d.doc != "" && !d.faulted {
		d.call(func() error {
			_, err := d.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: d.doc})
			return err
		})
	}
	if !d.faulted && d.e.reuse(d.key) {
		if err := d.inst.Close(); err != nil {
			return fmt.Errorf("pdf: returning instance: %w", err)
		}
		return nil
	}
	d.e.retire(d.key)
	err := d.inst.Kill()
	d.e.releaseMemory()
	if err != nil {
		return fmt.Errorf("pdf: discarding instance: %w", err)
	}
	return nil
}

// maxInstanceDocuments bounds the documents one instance serves with
// Config.ReuseInstances, so that what documents leave behind (PDFium's
// caches, leaks, a fragmented heap) does not accumulate without end.
const maxInstanceDocuments = 1000

// reuse counts one more document served by the instance key and reports
// whether it may serve another.
func (e *Engine) reuse(key any) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.served[key] + 1
	if n >= maxInstanceDocuments {
		delete(e.served, key)
		return false
	}
	e.served[key] = n
	return true
}

// retire forgets the instance key, discarded or killed (nil: none).
func (e *Engine) retire(key any) {
	if key == nil {
		return
	}
	e.mu.Lock()
	delete(e.served, key)
	e.mu.Unlock()
}

// pdfiumStatus are the status codes PDFium reports for a document
// (FPDF_GetLastError: unreadable, malformed, encrypted, broken page) and
// our own refusals: an error that wraps one leaves the instance sound.
var pdfiumStatus = [...]error{
	pdfiumerrors.ErrUnknown, pdfiumerrors.ErrFile, pdfiumerrors.ErrFormat,
	pdfiumerrors.ErrPassword, pdfiumerrors.ErrSecurity, pdfiumerrors.ErrPage,
	ErrTooManyImages,
}

// instanceFault reports whether err, from a call into PDFium, leaves the
// instance unfit for another document (Config.ReuseInstances): anything
// but a status code of pdfiumStatus, such as a WebAssembly trap or exit,
// an allocation past Config.MaxMemory ("could not allocate memory", "could
// not create bitmap") or a failure of the binding. Conservative: a
// harmless failure of the binding only costs the next document a fresh
// instance.
func instanceFault(err error) bool {
	if err == nil {
		return false
	}
	for _, st := range pdfiumStatus {
		if errors.Is(err, st) {
			return false
		}
	}
	return true
}

// note records a fault (instanceFault) of an error that the caller then
// leaves aside, such as an image PDFium cannot decode.
func (d *Document) note(err error) {
	if instanceFault(err) {
		d.faulted = true
	}
}

// page names page i of the document for a request.
func (d *Document) page(i int) requests.Page {
	return requests.Page{ByIndex: &requests.PageByIndex{Document: d.doc, Index: i}}
}

// check validates a page index and the document's state.
func (d *Document) check(i int) error {
	switch {
	case d.closed:
		return errors.New("pdf: document closed")
	case d.killed.Load() || d.ctx.Err() != nil:
		return fmt.Errorf("pdf: %w", context.Cause(d.ctx))
	case i < 0 || i >= d.pages:
		return fmt.Errorf("pdf: page index %d outside 0..%d", i, d.pages-1)
	}
	return nil
}

// call runs f, turning a panic inside the binding into an error, and
// records a fault (instanceFault) of its error.
func (d *Document) call(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfium panic: %v", r)
		}
		d.note(err)
	}()
	return f()
}

// wrap classifies an error of step: the context's error when the
// document's context has ended (the instance was killed), a
// *imgio.FormatError otherwise.
func (d *Document) wrap(step string, err error) error {
	if d.killed.Load() || d.ctx.Err() != nil {
		return fmt.Errorf("pdf: %s: %w", step, context.Cause(d.ctx))
	}
	return formatError(fmt.Errorf("%s: %w", step, err))
}
