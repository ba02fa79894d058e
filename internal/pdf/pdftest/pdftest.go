// Package pdftest writes small PDF files (ISO 32000-1) for tests: pages
// with QR codes drawn as vector rectangles or embedded as gray image
// XObjects, /Rotate, an /Encrypt dictionary. It is a test helper, used by
// the tests of internal/pdf and of the root package; production code must
// not import it.
//
// The files are minimal but well formed: a header, one indirect object per
// catalog, page tree, page, content stream and image, a cross-reference
// table with exact offsets (7.5.4) and a trailer.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
)

// A4 is the size of an A4 page in points.
var A4 = [2]float64{595.28, 841.89}

// Page is one page to write. Coordinates given to its methods are in points
// from the top-left corner of the unrotated page, +y down; they are turned
// into PDF user space (origin bottom-left, +y up) when written.
type Page struct {
	W, H    float64 // MediaBox size in points
	Rotate  int     // /Rotate: 0, 90, 180 or 270
	content strings.Builder
	images  []xobject
}

// xobject is an image XObject (ISO 32000-1, 8.9.5), or a form XObject
// (8.10) when form is set.
type xobject struct {
	w, h   int
	filter string // "FlateDecode" or "DCTDecode"; "" for a form
	data   []byte
	form   bool  // data is a content stream, w×h its bounding box in points
	refs   []int // a form's resources: earlier images of the page, by index
}

// NewPage returns an empty page of w×h points.
func NewPage(w, h float64) *Page { return &Page{W: w, H: h} }

// Matrix encodes text as a QR symbol (EC level M) and returns its modules,
// true for dark, indexed [y][x], without quiet zone.
func Matrix(text string) ([][]bool, error) {
	hints := map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_CHARACTER_SET: "UTF-8"}
	code, err := encoder.Encoder_encode(text, decoder.ErrorCorrectionLevel_M, hints)
	if err != nil {
		return nil, fmt.Errorf("pdftest: encoding %q: %w", text, err)
	}
	m := code.GetMatrix()
	out := make([][]bool, m.GetHeight())
	for y := range out {
		out[y] = make([]bool, m.GetWidth())
		for x := range out[y] {
			out[y][x] = m.Get(x, y) == 1
		}
	}
	return out, nil
}

// VectorQR draws the symbol m with its top-left module at (x, y), each
// module a filled square of the given size in points (one "re" per dark
// run of a row, then one fill).
func (p *Page) VectorQR(m [][]bool, x, y, module float64) {
	p.vectorQR(&p.content, m, x, p.H-y, module, false)
}

// VectorQRPieces draws the symbol m as VectorQR does, but fills each dark
// run on its own ("re f"), so each run is a separate path object, as some
// invoice generators write them.
func (p *Page) VectorQRPieces(m [][]bool, x, y, module float64) {
	p.vectorQR(&p.content, m, x, p.H-y, module, true)
}

// FormVectorQR draws the symbol m as VectorQR does, inside a form XObject
// (ISO 32000-1, 8.10) painted with Do, as templates and overlays do.
func (p *Page) FormVectorQR(m [][]bool, x, y, module float64) {
	side := float64(len(m)) * module
	var c strings.Builder
	p.vectorQR(&c, m, 0, side, module, false)
	name := fmt.Sprintf("Im%d", len(p.images))
	p.images = append(p.images, xobject{w: int(math.Ceil(side)), h: int(math.Ceil(side)), data: []byte(c.String()), form: true})
	fmt.Fprintf(&p.content, "q 1 0 0 1 %.3f %.3f cm /%s Do Q\n", x, p.H-y-side, name)
}

// vectorQR writes the fill of symbol m with its top-left module at user
// space (x, top), top the y of its top edge; pieces fills each run alone.
func (p *Page) vectorQR(w *strings.Builder, m [][]bool, x, top, module float64, pieces bool) {
	w.WriteString("0 g\n")
	for r, row := range m {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			px, py := x+float64(start)*module, top-float64(r+1)*module
			fmt.Fprintf(w, "%.3f %.3f %.3f %.3f re\n", px, py, float64(c-start)*module, module)
			if pieces {
				w.WriteString("f\n")
			}
		}
	}
	if !pieces {
		w.WriteString("f\n")
	}
}

// Rect fills a black rectangle (a mark for geometry checks).
func (p *Page) Rect(x, y, w, h float64) {
	fmt.Fprintf(&p.content, "0 g %.3f %.3f %.3f %.3f re f\n", x, p.H-y-h, w, h)
}

// Text writes a line of Helvetica text, so pages are not only the code.
func (p *Page) Text(x, y, size float64, s string) {
	fmt.Fprintf(&p.content, "BT /F1 %.1f Tf %.3f %.3f Td (%s) Tj ET\n", size, x, p.H-y, s)
}

// ImageQR embeds the symbol m as a gray image with px pixels per module
// and a quiet zone of 4 modules, and draws it with its top-left corner
// (quiet zone included) at (x, y), size points wide and high. dct selects
// DCTDecode (JPEG, quality 90) instead of FlateDecode.
func (p *Page) ImageQR(m [][]bool, px int, x, y, size float64, dct bool) error {
	return p.Image(qrImage(m, px), x, y, size, size, dct)
}

// qrImage draws the symbol m with px pixels per module and a quiet zone of
// 4 modules.
func qrImage(m [][]bool, px int) *image.Gray {
	n := len(m) + 8
	g := image.NewGray(image.Rect(0, 0, n*px, n*px))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	for r, row := range m {
		for c, dark := range row {
			if !dark {
				continue
			}
			for yy := (r + 4) * px; yy < (r+5)*px; yy++ {
				for xx := (c + 4) * px; xx < (c+5)*px; xx++ {
					g.Pix[yy*g.Stride+xx] = 0
				}
			}
		}
	}
	return g
}

// Image embeds g and draws it at (x, y), w×h points.
func (p *Page) Image(g *image.Gray, x, y, w, h float64, dct bool) error {
	name, err := p.addImage(g, dct)
	if err != nil {
		return err
	}
	fmt.Fprintf(&p.content, "q %.3f 0 0 %.3f %.3f %.3f cm /%s Do Q\n", w, h, x, p.H-y-h, name)
	return nil
}

// FormImageQR draws the symbol m as ImageQR does (Flate), inside a form
// XObject (ISO 32000-1, 8.10) whose /Matrix scales it by 2, so that the
// image's own matrix and the form's compose.
func (p *Page) FormImageQR(m [][]bool, px int, x, y, size float64) error {
	g := qrImage(m, px)
	im, err := p.addImage(g, false)
	if err != nil {
		return err
	}
	half := size / 2
	content := fmt.Sprintf("q %.3f 0 0 %.3f 0 0 cm /%s Do Q\n", half, half, im)
	name := fmt.Sprintf("Im%d", len(p.images))
	p.images = append(p.images, xobject{w: int(math.Ceil(half)), h: int(math.Ceil(half)), data: []byte(content), form: true, refs: []int{len(p.images) - 1}})
	// The form's /Matrix is the identity; the scale by 2 is in the cm.
	fmt.Fprintf(&p.content, "q 2 0 0 2 %.3f %.3f cm /%s Do Q\n", x, p.H-y-size, name)
	return nil
}

// addImage embeds g as an image XObject of the page and returns its name.
func (p *Page) addImage(g *image.Gray, dct bool) (string, error) {
	var buf bytes.Buffer
	xo := xobject{w: g.Rect.Dx(), h: g.Rect.Dy()}
	if dct {
		xo.filter = "DCTDecode"
		if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: 90}); err != nil {
			return "", fmt.Errorf("pdftest: %w", err)
		}
	} else {
		xo.filter = "FlateDecode"
		zw := zlib.NewWriter(&buf)
		for row := 0; row < xo.h; row++ {
			zw.Write(g.Pix[row*g.Stride : row*g.Stride+xo.w])
		}
		zw.Close()
	}
	xo.data = buf.Bytes()
	name := fmt.Sprintf("Im%d", len(p.images))
	p.images = append(p.images, xo)
	return name, nil
}

// Options selects document-level variants.
type Options struct {
	// Encrypt adds a standard security handler dictionary (7.6.3, revision
	// 2, RC4 40-bit) whose /O and /U entries match no password, so a reader
	// must ask for one.
	Encrypt bool
}

// Build writes a PDF file with the given pages.
func Build(pages []*Page, opt Options) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) int {
		offsets = append(offsets, b.Len())
		n := len(offsets)
		fmt.Fprintf(&b, "%d 0 obj\n%s", n, body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
		return n
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	// Object numbers are assigned in order: 1 catalog, 2 page tree, 3 font,
	// then for each page its images, content and page object.
	catalog := obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	// The page tree is written last-known: reserve its number now.
	treeAt := len(offsets)
	offsets = append(offsets, 0)
	font := obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	var kids []string
	for _, p := range pages {
		var xobjs []string
		nums := make([]int, len(p.images))
		for i, im := range p.images {
			var n int
			if im.form {
				var res []string
				for _, r := range im.refs {
					res = append(res, fmt.Sprintf("/Im%d %d 0 R", r, nums[r]))
				}
				n = obj(fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << /XObject << %s >> >> /Length %d >>",
					im.w, im.h, strings.Join(res, " "), len(im.data)), im.data)
			} else {
				n = obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /%s /Length %d >>",
					im.w, im.h, im.filter, len(im.data)), im.data)
			}
			nums[i] = n
			xobjs = append(xobjs, fmt.Sprintf("/Im%d %d 0 R", i, n))
		}
		content := []byte(p.content.String())
		c := obj(fmt.Sprintf("<< /Length %d >>", len(content)), content)
		rot := ""
		if p.Rotate != 0 {
			rot = fmt.Sprintf(" /Rotate %d", p.Rotate)
		}
		n := obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f]%s /Resources << /Font << /F1 %d 0 R >> /XObject << %s >> >> /Contents %d 0 R >>",
			p.W, p.H, rot, font, strings.Join(xobjs, " "), c), nil)
		kids = append(kids, fmt.Sprintf("%d 0 R", n))
	}
	offsets[treeAt] = b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n", treeAt+1, strings.Join(kids, " "), len(kids))
	encrypt := ""
	if opt.Encrypt {
		o := strings.Repeat("4f", 32) // hex strings of 32 bytes that match no password
		u := strings.Repeat("55", 32)
		n := obj(fmt.Sprintf("<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <%s> /U <%s> >>", o, u), nil)
		encrypt = fmt.Sprintf(" /Encrypt %d 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]", n)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, catalog, encrypt, xref)
	return b.Bytes()
}

// Bombs: small files that cost a reader far more than their size. They
// are built by streaming, so that the test holding them pays only for the
// compressed bytes.

// flateOf returns n copies of fill, deflated (zlib, best compression),
// without holding the n bytes.
func flateOf(n int64, fill byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	chunk := bytes.Repeat([]byte{fill}, 1<<20)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		zw.Write(chunk[:k])
		n -= k
	}
	zw.Close()
	return buf.Bytes()
}

// single writes a one-page document whose page has the given extra
// resources and content stream dictionary entries (ISO 32000-1, 7.3.8),
// with the objects given after the page's (numbered from 5).
func single(w, h float64, contentDict string, content []byte, resources string, extra ...[2]any) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << %s >> /Contents 4 0 R >>", w, h, resources), nil)
	obj(fmt.Sprintf("<< %s /Length %d >>", contentDict, len(content)), content)
	for _, x := range extra {
		body, _ := x[0].(string)
		stream, _ := x[1].([]byte)
		obj(fmt.Sprintf(body, len(stream)), stream)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// ContentBomb writes an A4 page whose Flate content stream inflates to n
// bytes of spaces (issue #17: 300 MB from about 300 KB).
func ContentBomb(n int64) []byte {
	return single(A4[0], A4[1], "/Filter /FlateDecode", flateOf(n, ' '), "")
}

// ImageBomb writes an A4 page that paints one w×h 8-bit gray image whose
// Flate stream inflates to w·h zero bytes (issue #17: 0.3 GB from about
// 300 KB).
func ImageBomb(w, h int) []byte {
	content := []byte("q 595 0 0 842 0 0 cm /Im0 Do Q\n")
	return single(A4[0], A4[1], "", content, "/XObject << /Im0 5 0 R >>",
		[2]any{fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %%d >>", w, h),
			flateOf(int64(w)*int64(h), 0)})
}

// BlankPages writes n empty pages of side×side points (issue #17: 20
// pages of 14400 pt, the largest PDF allows, in 2.3 KB).
func BlankPages(n int, side float64) []byte {
	pages := make([]*Page, n)
	for i := range pages {
		pages[i] = NewPage(side, side)
	}
	return Build(pages, Options{})
}

// LongDocument writes n A4 pages, each with a line of text and a QR code
// whose text is Payload(i) for page i (1-based): drawn with vector
// rectangles (3 pt modules, top-left corner at 400, 650 pt), or embedded
// as a Flate image at 4 pixels per module when image is set. It returns the
// file.
func LongDocument(n int, image bool) ([]byte, error) {
	pages := make([]*Page, n)
	for i := range pages {
		p := NewPage(A4[0], A4[1])
		p.Text(60, 60, 14, fmt.Sprintf("FACTURA F-2026-%04d", i+1))
		m, err := Matrix(Payload(i + 1))
		if err != nil {
			return nil, err
		}
		if image {
			if err := p.ImageQR(m, 4, 400, 650, 120, false); err != nil {
				return nil, err
			}
		} else {
			p.VectorQR(m, 400, 650, 3)
		}
		pages[i] = p
	}
	return Build(pages, Options{}), nil
}

// Payload is the text of the code on page i (1-based) of LongDocument.
func Payload(i int) string {
	return fmt.Sprintf("https://www.afip.gob.ar/fe/qr/?p=INVOICE-PAGE-%04d", i)
}
