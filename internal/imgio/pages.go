package imgio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// DefaultMaxPages is the page limit used for a zero Limits.MaxPages.
const DefaultMaxPages = 20

// maxPages returns the effective page limit; negative means none.
func (l Limits) maxPages() int {
	if l.MaxPages == 0 {
		return DefaultMaxPages
	}
	return l.MaxPages
}

// DecodePages decodes every page of data and calls fn with each, in order,
// with its 0-based index. Pages are the image file directories of a TIFF
// file (TIFF 6.0 section 2: IFD0, then each "next IFD" offset), the frames
// of a GIF animation as a viewer shows them (each frame composited over the
// previous canvas, honouring transparency and the disposal methods of
// GIF89a section 23), and the single image of any other format.
//
// The Info returned describes the first page, with Pages set to the page
// count. Limits apply per page (MaxPixels, MinSide, MaxAspect and
// MaxDecodeBytes to each TIFF page; for GIF, whose frames are all decoded
// before the first is composited, MaxPixels to the sum of the frames'
// stored pixels and the rest to the logical screen), and to the whole
// file: MaxPages and MaxWork (pixels summed over the pages) are checked
// from the file structure and the headers before any pixel is decoded
// (*LimitError "pages", "work").
//
// fn owns each plane it is given. An error from fn stops the walk and is
// returned as it is. Errors are otherwise those of Decode; a page that
// fails to decode ends the walk with its error, pages already given to fn
// stay given.
func DecodePages(data []byte, lim Limits, fn func(page int, p *gray.Plane) error) (Info, error) {
	if err := lim.checkBytes(data); err != nil {
		return Info{}, err
	}
	format, err := Sniff(data)
	if err != nil {
		return Info{}, err
	}
	return decodePages(data, format, lim, nil, fn)
}

// DecodePagesFormat is DecodePages for data whose format a caller has
// sniffed already (to send other inputs elsewhere): format must be what
// Sniff returned for data. It checks Limits.MaxBytes, then decodes as
// DecodePages does, without sniffing again.
func DecodePagesFormat(data []byte, format string, lim Limits, fn func(page int, p *gray.Plane) error) (Info, error) {
	return DecodePagesInto(data, format, lim, nil, fn)
}

// DecodePagesInto is DecodePagesFormat with buf lent for the pixels of a
// JPEG or PNG file's plane (nil: none). The decoder writes into buf.Pix when
// its capacity suffices and replaces buf.Pix with a bigger buffer when it
// does not, so a caller reading many images keeps one buffer per reader
// instead of allocating, clearing and faulting in a fresh one per image
// (12 MB for a 12 MP photo). The plane given to fn may then share buf's
// memory (a JPEG with an Exif orientation is turned into a new plane): fn
// must be done with it when it returns, and buf must not be lent to
// another call while this one runs. A PNG left to image/png, other
// formats and pages leave buf alone.
func DecodePagesInto(data []byte, format string, lim Limits, buf *gray.Plane, fn func(page int, p *gray.Plane) error) (Info, error) {
	if err := lim.checkBytes(data); err != nil {
		return Info{}, err
	}
	return decodePages(data, format, lim, buf, fn)
}

// decodePages is DecodePages once the size is checked and the format
// sniffed.
func decodePages(data []byte, format string, lim Limits, buf *gray.Plane, fn func(page int, p *gray.Plane) error) (Info, error) {
	switch format {
	case FormatTIFF:
		return tiffPages(data, lim, fn)
	case FormatGIF:
		return gifPages(data, lim, fn)
	}
	p, info, err := decodeFormat(data, format, lim.budget(), buf)
	if err != nil {
		return Info{}, err
	}
	info.Pages = 1
	return info, fn(0, p)
}

// tiffPages decodes each IFD of a TIFF file. golang.org/x/image/tiff reads
// IFD0 only, so page n is decoded from a copy of the file whose header
// points at IFD n: the rest of the file is untouched, the offsets inside
// the IFD stay valid.
//
// Every page's header is checked (size, shape, decoder memory) and the
// pixels of all pages summed against Limits.MaxWork before the first page
// is decoded. A page whose header cannot be read ends the scan; the walk
// reports its error in order, after the pages before it.
func tiffPages(data []byte, lim Limits, fn func(int, *gray.Plane) error) (Info, error) {
	b := lim.budget()
	ifds, err := tiffIFDOffsets(data, b.maxPages)
	if err != nil {
		return Info{}, &FormatError{Format: FormatTIFF, Err: err}
	}
	if b.maxPages > 0 && len(ifds) > b.maxPages {
		return Info{}, &LimitError{What: LimitPages, Limit: int64(b.maxPages), Actual: int64(len(ifds))}
	}
	view := data
	if len(ifds) > 1 {
		view = append([]byte(nil), data...)
	}
	bo := tiffByteOrder(view)
	var work int64
	for i, off := range ifds {
		if len(ifds) > 1 {
			bo.PutUint32(view[4:], uint32(off))
		}
		cfg, err := decodeConfig(view, FormatTIFF)
		if err != nil {
			break
		}
		if err := b.checkHeader(view, FormatTIFF, cfg); err != nil {
			return Info{}, tiffPageError(i, len(ifds), err)
		}
		work += int64(cfg.Width) * int64(cfg.Height)
	}
	if err := b.checkWork(work); err != nil {
		return Info{}, err
	}
	var first Info
	for i, off := range ifds {
		if len(ifds) > 1 {
			bo.PutUint32(view[4:], uint32(off))
		}
		// view differs from data only in the IFD offset: still TIFF, and
		// of data's size
		p, info, err := decodeFormat(view, FormatTIFF, b, nil)
		if err != nil {
			return first, tiffPageError(i, len(ifds), err)
		}
		if i == 0 {
			first = info
			first.Pages = len(ifds)
		}
		if err := fn(i, p); err != nil {
			return first, err
		}
	}
	return first, nil
}

// tiffPageError names the page of a multi-page TIFF file in err.
func tiffPageError(i, pages int, err error) error {
	if pages == 1 {
		return err
	}
	return fmt.Errorf("TIFF page %d: %w", i+1, err)
}

// tiffByteOrder returns the byte order named by a TIFF header (checked by
// the caller).
func tiffByteOrder(b []byte) binary.ByteOrder {
	if b[0] == 'I' {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// tiffIFDOffsets follows the IFD chain of a TIFF file and returns the
// offset of each IFD, stopping after limit+1 (limit < 0: no limit) so that
// the caller can report the excess. A loop in the chain or an offset past
// the end of data is an error; the walk reads 2 bytes of count and 4 of
// link per IFD and never panics.
func tiffIFDOffsets(b []byte, limit int) ([]int64, error) {
	if len(b) < 8 || (string(b[:4]) != "II*\x00" && string(b[:4]) != "MM\x00*") {
		return nil, errTIFFHeader
	}
	bo := tiffByteOrder(b)
	seen := map[int64]bool{}
	var out []int64
	for off := int64(bo.Uint32(b[4:])); off != 0; {
		if off < 8 || off+2 > int64(len(b)) {
			return nil, errIFDTruncated
		}
		if seen[off] {
			return nil, errIFDLoop
		}
		seen[off] = true
		out = append(out, off)
		if limit >= 0 && len(out) > limit {
			break
		}
		link := off + 2 + 12*int64(bo.Uint16(b[off:]))
		if link+4 > int64(len(b)) {
			if len(out) == 1 {
				break // IFD0 cut short: readIFD0 reports it with its own words
			}
			return nil, errIFDTruncated
		}
		off = int64(bo.Uint32(b[link:]))
	}
	if len(out) == 0 {
		return nil, errIFDTruncated
	}
	return out, nil
}

// errIFDLoop reports an IFD chain that comes back to an IFD already read.
var errIFDLoop = errors.New("ifd chain loops")

// GIF block introducers (GIF89a sections 20, 23 and 27).
const (
	gifImageSeparator   = 0x2c
	gifExtensionIntro   = 0x21
	gifTrailer          = 0x3b
	gifColorTableFlag   = 0x80
	gifHeaderAndLSDSize = 13 // header (6) + logical screen descriptor (7)
)

// gifFrameCount walks the block structure of a GIF file (GIF89a sections
// 17-27) without decompressing anything and returns the number of image
// descriptors and the sum of their stored pixels. A file cut short simply
// ends the count: the decoder reports truncation in its own words. The walk
// is bounded by len(b) and never panics.
func gifFrameCount(b []byte) (frames int, pixels int64) {
	if len(b) < gifHeaderAndLSDSize {
		return 0, 0
	}
	pos := gifHeaderAndLSDSize
	if flags := b[10]; flags&gifColorTableFlag != 0 {
		pos += 3 << (flags&7 + 1)
	}
	// skipSubBlocks skips data sub-blocks up to the block terminator.
	skipSubBlocks := func() bool {
		for pos < len(b) {
			n := int(b[pos])
			pos += 1 + n
			if n == 0 {
				return true
			}
		}
		return false
	}
	for pos < len(b) {
		switch b[pos] {
		case gifExtensionIntro:
			pos += 2 // introducer, label
			if !skipSubBlocks() {
				return frames, pixels
			}
		case gifImageSeparator:
			if pos+10 > len(b) {
				return frames, pixels
			}
			w, h := int64(binary.LittleEndian.Uint16(b[pos+5:])), int64(binary.LittleEndian.Uint16(b[pos+7:]))
			flags := b[pos+9]
			frames++
			pixels += w * h
			pos += 10
			if flags&gifColorTableFlag != 0 {
				pos += 3 << (flags&7 + 1)
			}
			pos++ // LZW minimum code size
			if !skipSubBlocks() {
				return frames, pixels
			}
		default: // trailer or garbage: the decoder decides
			return frames, pixels
		}
	}
	return frames, pixels
}

// gifPages decodes a GIF animation and gives fn the canvas after each
// frame.
func gifPages(data []byte, lim Limits, fn func(int, *gray.Plane) error) (info Info, err error) {
	b := lim.budget()
	frames, pixels := gifFrameCount(data)
	if b.maxPages > 0 && frames > b.maxPages {
		return Info{}, &LimitError{What: LimitPages, Limit: int64(b.maxPages), Actual: int64(frames)}
	}
	cfg, err := decodeConfig(data, FormatGIF)
	if err != nil {
		return Info{}, err
	}
	screen := int64(cfg.Width) * int64(cfg.Height)
	if b.maxPixels >= 0 && max(pixels, screen) > b.maxPixels {
		return Info{}, &LimitError{What: LimitPixels, Limit: b.maxPixels, Actual: max(pixels, screen)}
	}
	if err := b.checkSize(cfg.Width, cfg.Height); err != nil {
		return Info{}, err
	}
	// Each frame's canvas is a page to read; gif.DecodeAll holds every
	// frame at once, beside the canvas, the copy given to fn and the one
	// saved for "restore to previous".
	if err := b.checkWork(int64(max(frames, 1)) * screen); err != nil {
		return Info{}, err
	}
	if err := b.checkDecode(pixels + 3*screen); err != nil {
		return Info{}, err
	}
	g, err := decodeGIFAll(data)
	if err != nil {
		return Info{}, err
	}
	if len(g.Image) == 0 {
		return Info{}, &FormatError{Format: FormatGIF, Reason: "no frames", Err: errors.New("no frames")}
	}
	info = Info{Format: FormatGIF, Width: cfg.Width, Height: cfg.Height, Orientation: 1, Pages: len(g.Image)}
	if b.maxPages > 0 && len(g.Image) > b.maxPages { // the structure walk was fooled
		return Info{}, &LimitError{What: LimitPages, Limit: int64(b.maxPages), Actual: int64(len(g.Image))}
	}
	if err := b.checkWork(int64(len(g.Image)) * screen); err != nil {
		return Info{}, err
	}
	canvas := gray.New(cfg.Width, cfg.Height)
	for i := range canvas.Pix {
		canvas.Pix[i] = 0xff
	}
	var saved *gray.Plane
	for i, frame := range g.Image {
		var disposal byte
		if i < len(g.Disposal) {
			disposal = g.Disposal[i]
		}
		r := frame.Rect.Intersect(image.Rect(0, 0, cfg.Width, cfg.Height))
		if disposal == gif.DisposalPrevious {
			saved = canvas.Clone()
		}
		drawPaletted(canvas, frame, r)
		if err := fn(i, canvas.Clone()); err != nil {
			return info, err
		}
		switch disposal {
		case gif.DisposalBackground:
			// Restore to the background: white, as for the first frame.
			for y := r.Min.Y; y < r.Max.Y; y++ {
				row := canvas.Row(y)[r.Min.X:r.Max.X]
				for x := range row {
					row[x] = 0xff
				}
			}
		case gif.DisposalPrevious:
			canvas = saved
		}
	}
	return info, nil
}

// decodeGIFAll runs gif.DecodeAll, recovering panics.
func decodeGIFAll(data []byte) (g *gif.GIF, err error) {
	defer recoverAs(FormatGIF, &err)
	g, err = gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, classify(FormatGIF, err)
	}
	return g, nil
}

// drawPaletted composites the part r of frame over canvas: opaque palette
// entries replace the canvas pixel, fully transparent ones keep it, partly
// transparent ones (not produced by image/gif, handled for safety) blend.
func drawPaletted(canvas *gray.Plane, frame *image.Paletted, r image.Rectangle) {
	var lum, alpha [256]byte // indices beyond the palette: opaque black
	for i := range alpha {
		alpha[i] = 0xff
	}
	for i, c := range frame.Palette {
		if i == len(lum) || c == nil {
			continue
		}
		cr, cg, cb, ca := c.RGBA()
		alpha[i] = to8(ca)
		if ca > 0 {
			// Un-premultiply for the blend below.
			lum[i] = to8(min(luma(cr, cg, cb)*0xffff/ca, 0xffff))
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := frame.Pix[frame.PixOffset(r.Min.X, y):][:r.Dx()]
		dst := canvas.Row(y)[r.Min.X:r.Max.X]
		for x, idx := range src {
			switch a := alpha[idx]; a {
			case 0xff:
				dst[x] = lum[idx]
			case 0:
			default:
				dst[x] = byte((uint32(lum[idx])*uint32(a) + uint32(dst[x])*(0xff-uint32(a)) + 0x7f) / 0xff)
			}
		}
	}
}
