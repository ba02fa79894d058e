package pdf

import (
	"errors"
	"fmt"
	"math"

	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// MinImageSide is the smallest width and height, in samples, of an image
// Images returns: a version 1 symbol has 21 modules (ISO/IEC 18004:2015,
// 5.3.1), so a smaller image cannot hold a readable code.
const MinImageSide = 21

// An Image is an image XObject painted on a page (ISO 32000-1, 8.9.5),
// decoded at its own resolution rather than resampled to a render DPI.
type Image struct {
	// Plane holds the image's samples as gray, row 0 the image's first
	// (top) row, at its native size.
	Plane *gray.Plane
	// Corners are where the plane's corners (0,0), (W,0), (W,H) and (0,H)
	// land on the page, in points in the displayed frame (see Rect):
	// the image's transformation and the page's /Rotate applied. Map a
	// point of the plane to the page with geom.QuadToQuad.
	Corners geom.Quad
}

// NativeDPI returns the resolution at which the image is painted: its
// samples per inch along its wider side on the page.
func (im Image) NativeDPI() float64 {
	w := im.Corners[0].Dist(im.Corners[1])
	h := im.Corners[0].Dist(im.Corners[3])
	if w <= 0 || h <= 0 {
		return 0
	}
	return 72 * math.Max(float64(im.Plane.W)/w, float64(im.Plane.H)/h)
}

// ImageLimits bounds what Images decodes. The zero value bounds nothing.
type ImageLimits struct {
	// MaxPixels skips images with more samples (width × height), undecoded.
	// <= 0: no bound.
	MaxPixels int64
	// MaxTotal bounds the samples decoded on one page: images that would
	// pass it are skipped, undecoded. <= 0: no bound.
	MaxTotal int64
	// MaxImages refuses a page with more images (of at least
	// MinImageSide) than this, with ErrTooManyImages, before decoding
	// any. <= 0: no bound.
	MaxImages int
}

// ErrTooManyImages is returned by Images for a page with more images than
// ImageLimits.MaxImages.
var ErrTooManyImages = errors.New("pdf: too many images on the page")

// Images decodes the image objects painted on page i (0-based), in content
// order, skipping images smaller than MinImageSide and those beyond lim.
// Image masks, soft masks and the colour space's alpha are ignored: a
// sample is the luma of its colour (ISO 32000-1, 8.9.6 and 11.6.5.2 are
// not applied), which is what a QR code stored as an image needs. An image
// PDFium cannot decode is skipped (the render draws what it can of it).
//
// Images inside form XObjects (ISO 32000-1, 8.10) are found too, up to
// maxFormDepth levels and maxObjects objects per page.
//
// Errors are as for Render, and ErrTooManyImages.
func (d *Document) Images(i int, lim ImageLimits) ([]Image, error) {
	if err := d.check(i); err != nil {
		return nil, err
	}
	w, h, err := d.PageSize(i)
	if err != nil {
		return nil, err
	}
	type found struct {
		obj   references.FPDF_PAGEOBJECT
		space affine
		n     int64 // samples
	}
	var objs []found
	var out []Image
	err = d.call(func() error {
		_, err := d.visit(i, w, h, func(obj references.FPDF_PAGEOBJECT, t enums.FPDF_PAGEOBJ, space affine) error {
			if t != enums.FPDF_PAGEOBJ_IMAGE {
				return nil
			}
			size, err := d.inst.FPDFImageObj_GetImagePixelSize(&requests.FPDFImageObj_GetImagePixelSize{ImageObject: obj})
			if err != nil {
				d.note(err)
				return nil // not an image PDFium can size: left to the render
			}
			iw, ih := int64(size.Width), int64(size.Height)
			if iw < MinImageSide || ih < MinImageSide {
				return nil
			}
			objs = append(objs, found{obj, space, iw * ih})
			return nil
		})
		if err != nil {
			return err
		}
		if lim.MaxImages > 0 && len(objs) > lim.MaxImages {
			return ErrTooManyImages
		}
		total := int64(0)
		for _, o := range objs {
			if err := d.ctx.Err(); err != nil {
				return err
			}
			if (lim.MaxPixels > 0 && o.n > lim.MaxPixels) || (lim.MaxTotal > 0 && total+o.n > lim.MaxTotal) {
				continue
			}
			im, err := d.image(o.obj, o.space)
			if err != nil {
				d.note(err)
				continue // undecodable: left to the render
			}
			total += o.n
			out = append(out, im)
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrTooManyImages):
		return nil, fmt.Errorf("pdf: page %d: %d images: %w", i+1, len(objs), err)
	case err != nil:
		return nil, d.wrap(fmt.Sprintf("page %d: images", i+1), err)
	}
	return out, nil
}

// image decodes one image object whose container's space maps to the
// display by disp.
func (d *Document) image(obj references.FPDF_PAGEOBJECT, disp affine) (im Image, err error) {
	m, err := d.objectMatrix(obj)
	if err != nil {
		return im, err
	}
	// Image space: sample (0,0) is the top-left corner of the unit
	// square, (0,1) in user space; the object's matrix maps the unit
	// square to its container (ISO 32000-1, 8.9.5, Figure 39).
	toDisplay := m.then(disp)
	for k, u := range [4][2]float64{{0, 1}, {1, 1}, {1, 0}, {0, 0}} {
		im.Corners[k] = toDisplay.apply(u[0], u[1])
	}
	bm, err := d.inst.FPDFImageObj_GetBitmap(&requests.FPDFImageObj_GetBitmap{ImageObject: obj})
	if err != nil {
		return im, err
	}
	defer d.inst.FPDFBitmap_Destroy(&requests.FPDFBitmap_Destroy{Bitmap: bm.Bitmap})
	im.Plane, err = d.bitmapPlane(bm.Bitmap)
	return im, err
}

// displayScale is the device resolution displayMap asks PDFium for, in
// pixels per point: its answers are in whole pixels.
const displayScale = 16

// affine maps page user space to the displayed frame in points:
// (x, y) -> (a·x + c·y + e, b·x + d·y + f).
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) geom.Point {
	return geom.Point{X: m.a*x + m.c*y + m.e, Y: m.b*x + m.d*y + m.f}
}

// displayMap returns the map from page i's user space to its displayed
// frame (w×h points displayed): PDFium applies the crop box origin and
// /Rotate. It asks PDFium for three points 1000 units apart, so its
// rounding to 1/displayScale pt costs less than 1e-4 in the linear part.
func (d *Document) displayMap(i int, w, h float64) (affine, error) {
	var p [3]geom.Point
	for k, u := range [3][2]float64{{0, 0}, {1000, 0}, {0, 1000}} {
		r, err := d.inst.FPDF_PageToDevice(&requests.FPDF_PageToDevice{
			Page: d.page(i), SizeX: int(math.Round(w * displayScale)), SizeY: int(math.Round(h * displayScale)),
			Rotate: enums.FPDF_PAGE_ROTATION_NONE, PageX: u[0], PageY: u[1],
		})
		if err != nil {
			return affine{}, err
		}
		p[k] = geom.Point{X: float64(r.DeviceX) / displayScale, Y: float64(r.DeviceY) / displayScale}
	}
	return affine{
		a: (p[1].X - p[0].X) / 1000, b: (p[1].Y - p[0].Y) / 1000,
		c: (p[2].X - p[0].X) / 1000, d: (p[2].Y - p[0].Y) / 1000,
		e: p[0].X, f: p[0].Y,
	}, nil
}

// bitmapPlane converts a PDFium bitmap to a new compact gray plane: gray
// is copied, BGR(x/A) become luma (ITU-R BT.601 weights, as image/color),
// alpha ignored.
func (d *Document) bitmapPlane(bm references.FPDF_BITMAP) (*gray.Plane, error) {
	fw, err := d.inst.FPDFBitmap_GetWidth(&requests.FPDFBitmap_GetWidth{Bitmap: bm})
	if err != nil {
		return nil, err
	}
	fh, err := d.inst.FPDFBitmap_GetHeight(&requests.FPDFBitmap_GetHeight{Bitmap: bm})
	if err != nil {
		return nil, err
	}
	fs, err := d.inst.FPDFBitmap_GetStride(&requests.FPDFBitmap_GetStride{Bitmap: bm})
	if err != nil {
		return nil, err
	}
	ff, err := d.inst.FPDFBitmap_GetFormat(&requests.FPDFBitmap_GetFormat{Bitmap: bm})
	if err != nil {
		return nil, err
	}
	fb, err := d.inst.FPDFBitmap_GetBuffer(&requests.FPDFBitmap_GetBuffer{Bitmap: bm})
	if err != nil {
		return nil, err
	}
	w, h, stride, buf := fw.Width, fh.Height, fs.Stride, fb.Buffer
	bpp := map[enums.FPDF_BITMAP_FORMAT]int{
		enums.FPDF_BITMAP_FORMAT_GRAY: 1, enums.FPDF_BITMAP_FORMAT_BGR: 3,
		enums.FPDF_BITMAP_FORMAT_BGRX: 4, enums.FPDF_BITMAP_FORMAT_BGRA: 4,
	}[ff.Format]
	switch {
	case bpp == 0:
		return nil, fmt.Errorf("image bitmap format %d", ff.Format)
	case w <= 0 || h <= 0 || stride < w*bpp || len(buf) < (h-1)*stride+w*bpp:
		return nil, fmt.Errorf("image bitmap %dx%d, stride %d, %d bytes", w, h, stride, len(buf))
	}
	p := gray.New(w, h)
	for y := 0; y < h; y++ {
		src, dst := buf[y*stride:y*stride+w*bpp], p.Row(y)
		if bpp == 1 {
			copy(dst, src)
			continue
		}
		for x := range dst {
			s := src[x*bpp : x*bpp+3]
			// 19595, 38470, 7471: 0.299, 0.587, 0.114 in 16.16.
			dst[x] = uint8((19595*uint32(s[2]) + 38470*uint32(s[1]) + 7471*uint32(s[0]) + 1<<15) >> 16)
		}
	}
	return p, nil
}
