package qrcascade

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/pdf"
)

// The page policy of documents: PDF files, multi-page TIFF files and GIF
// animations (issue #14). See docs/PDF.md.

// Defaults of the page policy.
const (
	// DefaultMaxPages is the page limit of a zero Options.MaxPages.
	DefaultMaxPages = 100
	// DefaultMaxDocumentPixels is the work budget of a zero
	// Options.MaxDocumentPixels: about 100 A4 pages at 200 dpi.
	DefaultMaxDocumentPixels = 400e6
	// pdfPagePixels bounds one rendered PDF page or extracted image
	// (besides Options.MaxPixels): A4 at 400 dpi. A larger page is
	// rendered at a lower resolution; the bound keeps a page's render
	// and its reading within tens of megabytes.
	pdfPagePixels = 16e6
)

// Reasons a document was not read to its end (Result.Truncated).
const (
	TruncatedMaxPages = "max_pages" // more pages than Options.MaxPages / PageOptions.MaxPages
	TruncatedWork     = "work"      // the work budget, Options.MaxDocumentPixels
	TruncatedDeadline = "deadline"  // the deadline came before the last page
)

// MaxDPI is the highest PDF render resolution a Reader accepts
// (PageOptions.DPI, Options.PDFDPI).
const MaxDPI = pdf.MaxDPI

// PageOptions overrides, for one ReadPages call, the page policy of the
// Reader's Options. Zero fields keep the Options' values. The server
// fills it from the query (max_pages=, pages=, stop=invoice, dpi=).
type PageOptions struct {
	// MaxPages overrides Options.MaxPages (negative: no limit).
	MaxPages int
	// Pages overrides Options.Pages ("1-3,7").
	Pages string
	// StopAtInvoice stops after the first page holding an invoice code,
	// as Options.StopAtInvoice (which it can only turn on).
	StopAtInvoice bool
	// DPI overrides Options.PDFDPI, 1..MaxDPI (2400). The second pass
	// renders regions at no less than twice this (up to MaxDPI).
	DPI int
}

// Validate reports the first invalid field of o.
func (o PageOptions) Validate() error {
	if o.DPI < 0 || o.DPI > pdf.MaxDPI {
		return fmt.Errorf("qrcascade: dpi %d outside 1..%d", o.DPI, pdf.MaxDPI)
	}
	if _, err := parsePages(o.Pages); err != nil {
		return err
	}
	return nil
}

// pageSet is a parsed page selection: 1-based inclusive ranges, hi 0 for
// an open end. Empty: every page.
type pageSet [][2]int

// parsePages parses a page selection: comma-separated 1-based pages and
// ranges, "3", "1-3", "7-" (7 to the end), "-4" (1 to 4). "" selects
// every page.
func parsePages(spec string) (pageSet, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	bad := func(part string) (pageSet, error) {
		return nil, fmt.Errorf("qrcascade: page selection %q: bad part %q (want pages and ranges such as 1-3,5,7-)", spec, part)
	}
	var set pageSet
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		num := func(s string, def int) (int, bool) {
			if s = strings.TrimSpace(s); s == "" {
				return def, true
			}
			n, err := strconv.Atoi(s)
			return n, err == nil && n >= 1
		}
		a, ok1 := num(lo, 1)
		b, ok2 := num(hi, 0)
		if !isRange {
			b = a
		}
		if part == "" || part == "-" || !ok1 || !ok2 || (b != 0 && b < a) || (!isRange && strings.TrimSpace(lo) == "") {
			return bad(part)
		}
		set = append(set, [2]int{a, b})
	}
	return set, nil
}

// has reports whether the 1-based page is selected.
func (s pageSet) has(page int) bool {
	if len(s) == 0 {
		return true
	}
	for _, r := range s {
		if page >= r[0] && (r[1] == 0 || page <= r[1]) {
			return true
		}
	}
	return false
}

// pageSettings is the page policy of one read, Options and PageOptions
// merged.
type pageSettings struct {
	maxPages    int // <= 0: no limit
	sel         pageSet
	stopInvoice bool
	dpi         int   // PDF render resolution
	retryDPI    int   // second pass; < 0: none
	pagePixels  int64 // bound of one rendered page or extracted image
	budget      int64 // work budget in pixels; <= 0: none
}

// settings merges the Reader's Options with o (validated by the caller).
func (r *Reader) settings(o PageOptions) (pageSettings, error) {
	ps := pageSettings{
		maxPages: r.opts.MaxPages, sel: r.pages, stopInvoice: r.opts.StopAtInvoice || o.StopAtInvoice,
		dpi: r.opts.PDFDPI, retryDPI: r.opts.PDFRetryDPI, budget: r.opts.MaxDocumentPixels,
		pagePixels: pdfPagePixels,
	}
	if ps.maxPages == 0 {
		ps.maxPages = DefaultMaxPages
	}
	if o.MaxPages != 0 {
		ps.maxPages = o.MaxPages
	}
	if o.Pages != "" {
		sel, err := parsePages(o.Pages)
		if err != nil {
			return ps, err
		}
		ps.sel = sel
	}
	if o.DPI != 0 {
		if err := o.Validate(); err != nil {
			return ps, err
		}
		ps.dpi = o.DPI
		if ps.retryDPI >= 0 {
			ps.retryDPI = max(ps.retryDPI, min(2*o.DPI, pdf.MaxDPI))
		}
	}
	if ps.budget == 0 {
		ps.budget = DefaultMaxDocumentPixels
	}
	if mp := r.maxPixels(); mp > 0 && mp < ps.pagePixels {
		ps.pagePixels = mp
	}
	return ps, nil
}

// ReadPages is Read with the page policy of o instead of the Options'
// where o sets it (the server's max_pages=, pages=, stop=invoice, dpi=).
// An invalid o is an error before any work.
func (r *Reader) ReadPages(ctx context.Context, data []byte, o PageOptions) (*Result, error) {
	ps, err := r.settings(o)
	if err != nil {
		return nil, publicError(err)
	}
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	res, err := r.readInput(ctx, data, ps)
	if res != nil {
		res.Timings.Total = time.Since(start)
		res.Explain.prune(res.Codes)
	}
	return res, publicError(err)
}

// readInput reads data under the page policy ps, by its format, sniffed
// once here: an image goes to readImagePages, a PDF to readPDF. The size
// limit (Options.MaxBytes) comes first for every input; then ErrEmpty or
// imgio's *UnsupportedError for data that is neither.
func (r *Reader) readInput(ctx context.Context, data []byte, ps pageSettings) (*Result, error) {
	if max := r.maxBytes(); max >= 0 && int64(len(data)) > max {
		return nil, &LimitError{What: LimitBytes, Limit: max, Actual: int64(len(data))}
	}
	format, err := imgio.Sniff(data)
	switch {
	case err == nil:
		return r.readImagePages(ctx, data, format, ps)
	case pdf.Is(data):
		return r.readPDF(ctx, data, ps)
	}
	return nil, err
}

// errStopPages ends an image walk at the page policy's limit.
var errStopPages = errors.New("qrcascade: page limit")

// readImagePages reads the pages of an image file of the sniffed format
// (every directory of a TIFF file, every frame of a GIF animation, the
// single image of other formats) under the page policy ps.
func (r *Reader) readImagePages(ctx context.Context, data []byte, format string, ps pageSettings) (*Result, error) {
	res := &Result{}
	var tierErr error
	// imgio checks the page count from the file structure; the policy
	// here reads the first pages and reports the rest as truncated.
	lim := r.imageLimits()
	lim.MaxPages = -1
	pages := 0
	decoding := time.Now()
	buf := r.planes.get()
	defer r.planes.put(buf)
	info, err := imgio.DecodePagesInto(data, format, lim, buf, func(i int, p *gray.Plane) error {
		res.Timings.DecodeImage += time.Since(decoding)
		defer func() { decoding = time.Now() }()
		if i == 0 {
			res.Image.Width, res.Image.Height = p.W, p.H
		}
		if !ps.sel.has(i + 1) {
			return nil
		}
		if ps.maxPages > 0 && pages >= ps.maxPages {
			res.Truncated = TruncatedMaxPages
			return errStopPages
		}
		if pages > 0 && ctx.Err() != nil {
			res.Truncated = TruncatedDeadline
			return errStopPages
		}
		tierErr = r.read(ctx, p, i+1, nil, res)
		r.release.after(p.W, p.H)
		if tierErr != nil && pages > 0 && ctx.Err() != nil {
			tierErr = nil
			res.Truncated = TruncatedDeadline
			return errStopPages
		}
		pages++
		res.PagesRead = pages
		if tierErr == nil && ps.stopInvoice && r.invoiceOn(res.Codes, i+1) {
			return errStopPages
		}
		return tierErr
	})
	res.Image.Format, res.Image.Pages = info.Format, info.Pages
	switch {
	case errors.Is(err, errStopPages):
		return res, nil
	case tierErr != nil:
		return res, tierErr
	case err != nil && pages == 0 && res.Image.Width == 0:
		return nil, err
	}
	return res, err
}

// invoiceOn reports whether a code read on page is a recognised invoice
// payload.
func (r *Reader) invoiceOn(codes []Code, page int) bool {
	for _, c := range codes {
		if c.Page != page {
			continue
		}
		if c.Invoice != nil {
			return true
		}
		if _, ok := r.registry.Parse(c.Text); ok {
			return true
		}
	}
	return false
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

// readPDF reads the pages of a PDF document that the page policy ps
// selects (see docs/PDF.md).
//
// Before any page is drawn, the selection is cut to ps.maxPages and to the
// work budget: each page costs its area at ps.dpi in pixels, from the page
// dictionary (pdf.Document.MediaSize, nothing parsed), and the pages past
// the budget are dropped; a first page over the whole budget is refused
// (*LimitError "document pixels"). Each page is then
// read in order: a page that draws nothing (pdf.Document.Blank) is counted
// read without rendering; its image objects are extracted at their native
// resolution and read (a few milliseconds, and sharper than a render);
// then, unless an image read a code, the regions where the content draws
// a vector symbol (pdf.Document.Candidates) are rendered alone, 1000
// pixels across, and read (a few milliseconds each); the page is rendered
// at ps.dpi and read unless an image or a region read a code or the page
// is a scan (one image over most of it at least as fine as the render),
// and Options.All is not set. Before each page after the first,
// a page is only started when the time left before the deadline is at
// least twice the slowest page so far; otherwise, or when the deadline
// passes during a later page, the pages read are returned marked
// TruncatedDeadline.
//
// A rendered page that read nothing gets a second pass (unless
// ps.retryDPI < 0): the regions where its content draws a vector symbol
// (pdf.Document.Candidates) are rendered at a higher resolution and read.
// A page whose content cannot be searched (over 5000 objects, or forms
// nested too deep) is rendered whole at ps.retryDPI instead, when no page
// of the document read a code.
func (r *Reader) readPDF(ctx context.Context, data []byte, ps pageSettings) (*Result, error) {
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
	res.Image.Pages = doc.Pages()
	todo, err := r.planPDF(doc, ps, res)
	if err != nil {
		return pdfResult(res, 0, err)
	}
	// truncated turns the end of ctx after a page was read into a
	// truncated result.
	truncated := func(err error) (*Result, error) {
		if res.PagesRead > 0 && ctx.Err() != nil {
			res.Truncated = TruncatedDeadline
			return res, nil
		}
		return res, err
	}
	rendered := make(map[int]int)  // the DPI page i (0-based) was rendered at
	searched := make(map[int]bool) // page i's candidate regions were read before its render
	opaqueAt := make(map[int]bool) // and its content could not be searched
	var slowest time.Duration
	for k, i := range todo {
		if k > 0 {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 2*slowest {
				res.Truncated = TruncatedDeadline
				break
			}
		}
		began := time.Now()
		w, h, err := doc.PageSize(i)
		if err != nil {
			if res.PagesRead > 0 && ctx.Err() != nil {
				return truncated(err)
			}
			return pdfResult(res, k, err)
		}
		dpi := pdf.FitDPI(w, h, ps.dpi, ps.pagePixels)
		if k == 0 {
			s := float64(dpi) / 72
			res.Image.Width, res.Image.Height = int(math.Ceil(w*s)), int(math.Ceil(h*s))
		}
		if blank, err := doc.Blank(i); err == nil && blank {
			// Nothing drawn: the render would be an empty sheet.
			res.PagesRead++
			continue
		}
		found, scan, err := r.readImages(ctx, doc, i, w*h, dpi, ps, res)
		if err != nil {
			return truncated(err)
		}
		if !(found || scan) && !r.opts.All && ps.retryDPI >= 0 {
			// Vector symbols next: the regions where the content draws
			// one, rendered alone (a 1000-px square) cost a fraction of
			// the whole page at ps.dpi and of reading it.
			n := len(res.Codes)
			whole, err := r.readRegions(ctx, doc, i, dpi, ps, res)
			if err != nil {
				return truncated(err)
			}
			searched[i], opaqueAt[i] = true, whole
			found = len(res.Codes) > n
		}
		if !(found || scan) || r.opts.All {
			p, used, err := r.renderPage(doc, i, dpi, ps, res)
			if err != nil {
				if res.PagesRead > 0 && ctx.Err() != nil {
					return truncated(err)
				}
				return pdfResult(res, k, err)
			}
			rendered[i] = used
			if err := r.read(ctx, p, i+1, nil, res); err != nil {
				return truncated(err)
			}
		}
		res.PagesRead++
		slowest = max(slowest, time.Since(began))
		if ps.stopInvoice && r.invoiceOn(res.Codes, i+1) {
			if k+1 < len(todo) {
				res.StoppedAt = i + 1
			}
			break
		}
	}
	if ps.retryDPI < 0 {
		return res, nil
	}
	if err := r.retryPDF(ctx, doc, todo, rendered, searched, opaqueAt, ps, res); err != nil {
		return truncated(err)
	}
	return res, nil
}

// retryPDF is readPDF's second pass over the rendered pages todo of doc
// that read nothing: the regions where the content draws a vector symbol,
// rendered at a higher resolution (unless searched before the render);
// then, when no page of the document read a code, the pages whose content
// could not be searched, rendered whole at ps.retryDPI. rendered holds the
// DPI each page was rendered at (0: not rendered), searched and opaqueAt
// what the first pass learnt of each page's regions.
func (r *Reader) retryPDF(ctx context.Context, doc *pdf.Document, todo []int, rendered map[int]int, searched, opaqueAt map[int]bool, ps pageSettings, res *Result) error {
	var opaque []int // pages to render whole again
	for _, i := range todo {
		dpi := rendered[i]
		if dpi == 0 || onPage(res.Codes, i+1) {
			continue
		}
		whole := opaqueAt[i]
		if !searched[i] {
			w, err := r.readRegions(ctx, doc, i, dpi, ps, res)
			if err != nil {
				return err
			}
			whole = w
		}
		if whole {
			opaque = append(opaque, i)
		}
	}
	if len(res.Codes) > 0 {
		return nil
	}
	for _, i := range opaque {
		dpi := rendered[i]
		if ps.retryDPI <= dpi {
			continue
		}
		p, hdpi, err := r.renderPage(doc, i, ps.retryDPI, ps, res)
		if err != nil {
			return err
		}
		if hdpi <= dpi {
			continue // the pixel limit allows no more detail
		}
		scale := float64(dpi) / float64(hdpi)
		if err := r.read(ctx, p, i+1, func(q geom.Point) geom.Point { return q.Scale(scale) }, res); err != nil {
			return err
		}
	}
	return nil
}

// planPDF returns the 0-based pages of doc to read under ps: those
// selected, at most ps.maxPages, within the work budget (see readPDF). It
// sets res.Truncated when it drops pages, and refuses the document
// (*LimitError "document pixels") when its first page alone exceeds the
// budget.
func (r *Reader) planPDF(doc *pdf.Document, ps pageSettings, res *Result) ([]int, error) {
	var todo []int
	for i := 0; i < doc.Pages(); i++ {
		if !ps.sel.has(i + 1) {
			continue
		}
		if ps.maxPages > 0 && len(todo) >= ps.maxPages {
			res.Truncated = TruncatedMaxPages
			break
		}
		todo = append(todo, i)
	}
	if ps.budget <= 0 {
		return todo, nil
	}
	var cost float64
	s := float64(ps.dpi) / 72
	for k, i := range todo {
		w, h, err := doc.MediaSize(i)
		if err != nil {
			return nil, err
		}
		c := math.Ceil(w*s) * math.Ceil(h*s)
		if k == 0 && c > float64(ps.budget) {
			// One page costs more than the whole budget: a poster, or a
			// tiny file of huge empty pages (#17). Refused before any
			// page is drawn.
			return nil, &LimitError{What: "document pixels", Limit: ps.budget, Actual: int64(c)}
		}
		if cost+c > float64(ps.budget) {
			res.Truncated = TruncatedWork
			return todo[:k], nil
		}
		cost += c
	}
	return todo, nil
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
// at a higher resolution (at least ps.retryDPI), regionSide pixels across, and reads them,
// mapping code points to the page at dpi. whole reports that the page's
// content could not be searched and only a whole-page render would see a
// small code; a failure to search counts as that, only the end of ctx is
// an error.
func (r *Reader) readRegions(ctx context.Context, doc *pdf.Document, i, dpi int, ps pageSettings, res *Result) (whole bool, err error) {
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
		rdpi := pdf.FitDPI(reg.W, reg.H, min(max(want, ps.retryDPI), pdf.MaxDPI), ps.pagePixels)
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
// bounded by the page pixel bound (ps.pagePixels); a page with more than maxPageImages is
// left to the render. found reports a code read; scan, an image that
// covers scanCover of the page at dpi or finer. An image that cannot be
// extracted is left to the render; only the end of ctx is an error.
func (r *Reader) readImages(ctx context.Context, doc *pdf.Document, i int, area float64, dpi int, ps pageSettings, res *Result) (found, scan bool, err error) {
	start := time.Now()
	ims, err := doc.Images(i, pdf.ImageLimits{MaxPixels: ps.pagePixels, MaxTotal: ps.pagePixels, MaxImages: maxPageImages})
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
// below it that fits ps.pagePixels (see pdf.FitDPI), counting the time
// as image decoding.
func (r *Reader) renderPage(doc *pdf.Document, i, dpi int, ps pageSettings, res *Result) (*gray.Plane, int, error) {
	start := time.Now()
	w, h, err := doc.PageSize(i)
	if err != nil {
		return nil, 0, fmt.Errorf("qrcascade: %w", err)
	}
	p, used, err := doc.Render(i, pdf.FitDPI(w, h, dpi, ps.pagePixels))
	res.Timings.DecodeImage += time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("qrcascade: %w", err)
	}
	return p, used, nil
}
