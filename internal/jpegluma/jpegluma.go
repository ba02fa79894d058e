// Package jpegluma decodes the luma (Y) plane of a Huffman-coded 8-bit DCT
// JPEG (ITU-T T.81 | ISO/IEC 10918-1: baseline SOF0, extended sequential
// SOF1 and progressive SOF2) and nothing else. qrcascade reads QR codes from the gray plane only, so the
// chroma planes that a general decoder dequantises, transforms and stores
// are wasted work; no Go library decodes luma alone, which is why this
// decoder exists. It is about three times as fast as image/jpeg: 6.5 against
// 18–25 cpu-ms for the repository's 2 MP gray invoice scan, 69 against 203
// cpu-ms for a synthetic 12 MP 4:2:0 photo (BenchmarkInvoice and
// BenchmarkPhoto12MP on the shared 2-core build machine). Most of the gain
// is in Huffman decoding and in blocks without AC coefficients; on colour
// files the chroma inverse DCT is saved as well. Progressive files gain
// more where they hold colour, because the scans of chroma alone are
// jumped over without decoding (see progressive.go): 131 against 263
// cpu-ms for the 12 MP photo written by libjpeg's cjpeg -progressive at
// quality 90 (BenchmarkPhoto12MPCjpeg), 330 against 1514 cpu-ms for one
// pass over the shared corpus's 27 progressive files, 12 against 56 ms a
// file (BenchmarkCorpusProgressive).
//
// # Procedure
//
// Decode follows the decoding procedure of T.81 Annex E, Annex F and, for
// progressive frames, Annex G:
//
//  1. Markers (Annex B): SOI, then segments up to EOI. APPn and COM are
//     skipped (APP0 "JFIF" and APP14 "Adobe" are noted to tell RGB from
//     YCbCr), DQT, DHT and DRI set up tables, SOF0/SOF1/SOF2 define the
//     frame and each SOS is followed by its entropy-coded data. Fill bytes (0xFF 0xFF…)
//     before a marker and extraneous bytes between segments are skipped, as
//     image/jpeg and libjpeg do.
//  2. Scans (section F.2): for each MCU, the blocks of each scan component in
//     MCU order (a component with sampling factors H×V contributes H×V
//     blocks); non-interleaved scans (one component) run block by block in
//     raster order. The DC difference and the AC run/size symbols are
//     Huffman-decoded (huffman.go: an 11-bit lookup table that also applies
//     RECEIVE and EXTEND when code and magnitude fit, over a 64-bit bit
//     accumulator filled eight bytes at a time where no 0xFF is in the way).
//  3. Luma blocks only: the coefficients are dequantised as they are decoded,
//     the inverse DCT (idct.go, bit-identical to image/jpeg; in builds with
//     Go's simd experiment, on AVX2 CPUs, eight lanes at a time with the
//     same bytes, idct_simd.go) runs and its samples go straight into the
//     output plane; a block without AC
//     coefficients (most of a white page) is filled with one value. Chroma
//     blocks are Huffman-decoded, since the bit stream must be walked, and
//     then dropped.
//  4. Progressive frames (Annex G, progressive.go): a scan carries one band
//     of the zig-zag sequence (spectral selection) or one more bit of it
//     (successive approximation). Luma coefficients accumulate over the
//     scans in a coefficient buffer (int16, zig-zag order, with a mask of
//     the non-zero ones per block) and are dequantised, with the tables in
//     force at the end, and inverse-transformed after the last scan. DC
//     scans that interleave chroma are walked for their chroma bits; a scan
//     without luma is not decoded at all: the decoder jumps to the next
//     marker that is not RSTn or a stuffed 0xFF 0x00.
//  5. Restart intervals (DRI, RSTn; section F.1.2.3): after each interval the
//     decoder expects the next RSTm marker. When it is not next, the decoder
//     skips forward to it as image/jpeg does, and fails with a *FormatError
//     when a different marker comes first (it does not resynchronise on a
//     wrong RSTn the way libjpeg can).
//
// The output is exactly image/jpeg's Y plane (*image.YCbCr's Y or
// *image.Gray's Pix) for every input both accept, and the two accept and
// refuse the same inputs, with the differences listed below.
//
// # Weak spots and differences from image/jpeg
//
//   - Only Huffman frames (sequential or progressive) with 1 or 3
//     components are decoded. Arithmetic coding, lossless, hierarchical, 12-bit
//     samples, 4 components (CMYK, YCCK), a DNL-defined height (height 0),
//     a 3-component file that is RGB rather than YCbCr (Adobe APP14
//     transform 0, or component ids 'R','G','B' without JFIF), a frame whose
//     Y component has smaller sampling factors than a chroma component, a
//     DC magnitude category above 16, a Huffman table whose code lengths do
//     not form a prefix code, and a non-interleaved scan of a subsampled
//     component with restart intervals (image/jpeg counts its restart
//     intervals in MCUs rather than blocks; in progressive frames this is
//     every luma AC scan of a subsampled colour file with DRI, which
//     image/jpeg refuses or misreads), and a progressive coefficient beyond
//     int16 (no conforming 8-bit file has one; image/jpeg keeps int32) give
//     an error wrapping ErrUnsupported. The caller is expected to fall back to a general
//     decoder such as image/jpeg then, which reproduces image/jpeg exactly.
//   - More sampling factors are accepted: any H, V in 1..4 for each
//     component (image/jpeg refuses 3, V = 4 and chroma factors that do not
//     divide luma's).
//   - Errors inside entropy-coded data are not concealed: a scan that needs
//     bits beyond its segment, a bit pattern that is no Huffman code or a
//     wrong restart marker fail the whole decode.
//   - Progressive scans without luma are never decoded, so corrupt or
//     truncated chroma scans (bad codes, wrong restart markers, EOI in the
//     middle), which image/jpeg refuses, go unnoticed, and an EOB run that
//     overruns a chroma scan (image/jpeg carries it into the next scan) is
//     dropped. The luma plane is then image/jpeg's for the file without
//     those scans (FuzzDecode checks exactly that).
//   - Like image/jpeg, a progressive file that ends (with EOI) after any
//     number of complete scans decodes to what those scans hold; its
//     samples outside the image (past W, below H) are zero, where a
//     sequential file has the decoded edge blocks.
//   - The whole input is in memory (a []byte, not an io.Reader). The
//     allocations that grow with the image are the output plane, which the
//     caller may supply, and, for progressive frames, the luma coefficient
//     buffer: 136 bytes per 8×8 block of the MCU grid (about 25 MB for
//     12 MP), kept with the pooled decoder state for the next call.
//
// Coordinates: (0,0) is the top-left sample, +x right, +y down; pixel (x, y)
// is Pix[y*Stride+x] (see internal/gray). Exif orientation is not applied.
package jpegluma

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// ErrUnsupported is wrapped by the error returned for a JPEG that may be
// valid but uses a feature this package does not decode (see the package
// documentation); a general decoder should be tried instead.
var ErrUnsupported = errors.New("jpegluma: unsupported jpeg")

// A FormatError reports that the input is not a valid JPEG, or is truncated.
type FormatError struct {
	Offset int    // byte offset in the input where the problem was found
	Reason string // what is wrong, e.g. "bad huffman code"
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("jpegluma: invalid jpeg at byte %d: %s", e.Offset, e.Reason)
}

// Markers (T.81 Table B.1).
const (
	mSOF0 = 0xc0 // baseline DCT
	mSOF1 = 0xc1 // extended sequential DCT, Huffman
	mSOF2 = 0xc2 // progressive DCT, Huffman
	mDHT  = 0xc4
	mRST0 = 0xd0
	mRST7 = 0xd7
	mSOI  = 0xd8
	mEOI  = 0xd9
	mSOS  = 0xda
	mDQT  = 0xdb
	mDNL  = 0xdc
	mDRI  = 0xdd
	mAPP0 = 0xe0
	mAPPE = 0xee
	mAPPF = 0xef
	mCOM  = 0xfe
)

// unzig maps a zig-zag index (Figure A.6) to the natural (row-major) index.
var unzig = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// component is one frame component (section B.2.2).
type component struct {
	id   byte
	h, v int // sampling factors
	tq   byte
}

// decoder holds the tables of one Decode call. It is large (about 20 KB), so
// Decode takes it from a sync.Pool.
type decoder struct {
	data []byte

	baseline, haveFrame bool
	progressive         bool // SOF2
	width, height       int
	nComp               int
	comp                [3]component
	hMax, vMax          int
	ri                  int // restart interval in MCUs; 0: none
	jfif                bool
	adobe               bool
	adobeTransform      byte
	eobRun              int // EOBn run left over (image/jpeg semantics: survives scans)

	quant [4][64]int32 // in zig-zag order
	huff  [2][4]huffTable

	out        *gray.Plane
	lumaStride int
	lumaDone   bool // a scan has covered the Y component

	br   bitReader
	coef [64]int32
	tmp  [64]int32

	// Progressive frames: the luma coefficients of every block of the MCU
	// grid, 64 per block in zig-zag order, a mask of the non-zero ones per
	// block, progStride blocks per row (0: not allocated for this frame
	// yet). Kept across Decode calls.
	prog       []int16
	progMask   []uint64
	progStride int
}

// DecoderBytes is the memory of one decoder whatever the image: its
// quantisation and Huffman tables (8 KiB of lookup table each) and its
// state. A decode allocates it when no decoder is free for reuse.
const DecoderBytes = int64(unsafe.Sizeof(decoder{}))

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// maxKeptProg bounds the progressive coefficient buffer a pooled decoder
// keeps for the next call (in int16s: 8 MB, a 4 MP photo). A larger one,
// up to 2 bytes a pixel of the largest progressive JPEG decoded, is
// dropped, so that the memory of one large image is not held after it
// (#17: RSS back near idle after a request).
const maxKeptProg = 4 << 20

// Decode returns the luma plane of the JPEG in data: W×H samples with the
// frame's dimensions, Stride rounded up to whole MCUs, as image/jpeg lays out
// its Y plane. The samples past W in each row and the rows past H hold the
// decoded padding of the edge blocks.
//
// dst may be nil: a new plane is allocated. Otherwise the result is dst
// itself, its Pix reused when its capacity suffices and replaced by a larger
// one when not; on error dst's dimensions and samples are unspecified. data
// is only read, and the result never aliases it.
//
// Errors: one wrapping ErrUnsupported for a variant this package does not
// decode (use a general decoder then), else a *FormatError for malformed or
// truncated input. Decode never panics on bad input and its work is bounded
// by the size of data and the frame dimensions, which the caller should
// check first (with image/jpeg's DecodeConfig). It is safe for concurrent
// use.
func Decode(data []byte, dst *gray.Plane) (*gray.Plane, error) {
	d := decoders.Get().(*decoder)
	defer func() {
		d.data, d.out, d.br.data = nil, nil, nil
		if cap(d.prog) > maxKeptProg {
			d.prog, d.progMask = nil, nil
		}
		decoders.Put(d)
	}()
	d.reset(data, dst)
	if err := d.decode(); err != nil {
		return nil, err
	}
	return d.out, nil
}

// reset prepares d for a new input.
func (d *decoder) reset(data []byte, dst *gray.Plane) {
	d.data = data
	d.baseline, d.haveFrame, d.progressive = false, false, false
	d.progStride = 0
	d.width, d.height, d.nComp, d.hMax, d.vMax, d.ri = 0, 0, 0, 0, 0, 0
	d.jfif, d.adobe, d.adobeTransform = false, false, 0
	d.eobRun = 0
	clear(d.quant[:])
	for i := range d.huff {
		for j := range d.huff[i] {
			d.huff[i][j].defined = false
		}
	}
	d.out, d.lumaStride, d.lumaDone = dst, 0, false
	d.br.data = data
	d.coef = [64]int32{}
}

func (d *decoder) errAt(off int, reason string) error {
	return &FormatError{Offset: off, Reason: reason}
}

func unsupported(what string) error {
	return fmt.Errorf("jpegluma: %s: %w", what, ErrUnsupported)
}

// decode runs the marker loop (T.81 Annex B, Figure B.2).
func (d *decoder) decode() error {
	data := d.data
	if len(data) < 2 || data[0] != 0xff || data[1] != mSOI {
		return d.errAt(0, "missing SOI marker")
	}
	p := 2
	for {
		// Find the next marker: extraneous bytes and "FF 00" are skipped,
		// fill bytes "FF FF…" too (section B.1.1.2).
		if p+2 > len(data) {
			return d.errAt(len(data), "unexpected end of data (no EOI marker)")
		}
		a, m := data[p], data[p+1]
		p += 2
		for a != 0xff {
			if p >= len(data) {
				return d.errAt(p, "unexpected end of data (no EOI marker)")
			}
			a, m = m, data[p]
			p++
		}
		if m == 0 {
			continue
		}
		for m == 0xff {
			if p >= len(data) {
				return d.errAt(p, "unexpected end of data (no EOI marker)")
			}
			m = data[p]
			p++
		}
		if m == mEOI {
			break
		}
		if mRST0 <= m && m <= mRST7 {
			continue // a stray restart marker after the last interval
		}
		if p+2 > len(data) {
			return d.errAt(p, "unexpected end of data in segment length")
		}
		n := int(data[p])<<8 | int(data[p+1]) - 2
		p += 2
		if n < 0 {
			return d.errAt(p-2, "short segment length")
		}
		var err error
		switch {
		case m == mDNL:
			return unsupported("DNL marker")
		case m < 0xc0:
			return d.errAt(p-4, fmt.Sprintf("unknown marker 0x%02x", m))
		case m > mSOF2 && m < mSOI && m != mDHT:
			return unsupported(fmt.Sprintf("marker 0x%02x (arithmetic, lossless or hierarchical coding)", m))
		case m != mSOS && p+n > len(data):
			return d.errAt(len(data), fmt.Sprintf("segment 0x%02x truncated", m))
		}
		switch {
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			d.baseline, d.progressive = m == mSOF0, m == mSOF2
			err = d.processSOF(p, n)
		case m == mDHT:
			err = d.processDHT(p, n)
		case m == mDQT:
			err = d.processDQT(p, n)
		case m == mDRI:
			err = d.processDRI(p, n)
		case m == mSOS:
			p, err = d.processSOS(p, n)
			if err != nil {
				return err
			}
			continue
		case m == mAPP0:
			if n >= 5 {
				d.jfif = string(data[p:p+5]) == "JFIF\x00"
			}
		case m == mAPPE:
			if n >= 12 && string(data[p:p+5]) == "Adobe" {
				d.adobe, d.adobeTransform = true, data[p+11]
			}
		case mAPP0 <= m && m <= mAPPF || m == mCOM:
		default:
			err = unsupported(fmt.Sprintf("marker 0x%02x (arithmetic, lossless or hierarchical coding)", m))
		}
		if err != nil {
			return err
		}
		p += n
	}
	if d.lumaStride == 0 {
		return d.errAt(len(data), "missing SOS marker")
	}
	if d.isRGB() {
		return unsupported("rgb colour transform")
	}
	switch {
	case !d.lumaDone:
		// image/jpeg leaves a component that no scan covers at zero.
		clear(d.out.Pix)
	case d.progressive:
		d.reconstruct()
	}
	return nil
}

// isRGB tells whether a 3-component frame holds R, G, B rather than Y, Cb,
// Cr, by image/jpeg's rules: not with a JFIF APP0; yes with Adobe APP14
// transform 0; else yes when the component ids are 'R', 'G', 'B'.
func (d *decoder) isRGB() bool {
	if d.nComp != 3 || d.jfif {
		return false
	}
	if d.adobe && d.adobeTransform == 0 {
		return true
	}
	return d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B'
}

// processSOF reads the frame header (section B.2.2) of n bytes at p.
func (d *decoder) processSOF(p, n int) error {
	if d.haveFrame {
		return d.errAt(p, "multiple SOF markers")
	}
	var nc int
	switch n {
	case 6 + 3*1:
		nc = 1
	case 6 + 3*3:
		nc = 3
	case 6 + 3*4:
		return unsupported("4-component (CMYK or YCCK) jpeg")
	default:
		return unsupported("number of components")
	}
	s := d.data[p : p+n]
	if s[0] != 8 {
		return unsupported(fmt.Sprintf("%d-bit precision", s[0]))
	}
	d.height = int(s[1])<<8 | int(s[2])
	d.width = int(s[3])<<8 | int(s[4])
	if int(s[5]) != nc {
		return d.errAt(p+5, "SOF has wrong length")
	}
	for i := 0; i < nc; i++ {
		c := &d.comp[i]
		c.id = s[6+3*i]
		for j := 0; j < i; j++ {
			if d.comp[j].id == c.id {
				return d.errAt(p+6+3*i, "repeated component identifier")
			}
		}
		c.tq = s[8+3*i]
		if c.tq > 3 {
			return d.errAt(p+8+3*i, "bad Tq value")
		}
		hv := s[7+3*i]
		c.h, c.v = int(hv>>4), int(hv&15)
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return d.errAt(p+7+3*i, "bad sampling factors")
		}
		if nc == 1 {
			// A single component is non-interleaved: its MCU is one block
			// whatever H and V say (sections A.2 and 4.8.2).
			c.h, c.v = 1, 1
		}
	}
	d.nComp = nc
	d.hMax, d.vMax = d.comp[0].h, d.comp[0].v
	for _, c := range d.comp[1:nc] {
		if c.h > d.hMax || c.v > d.vMax {
			return unsupported("chroma sampled more densely than luma")
		}
	}
	if d.width == 0 || d.height == 0 {
		return unsupported("zero width or DNL-defined height")
	}
	d.haveFrame = true
	return nil
}

// processDQT reads quantisation tables (section B.2.4.1), with image/jpeg's
// treatment of a segment whose length does not match its tables.
func (d *decoder) processDQT(p, n int) error {
	for n > 0 {
		n--
		x := d.data[p]
		p++
		tq := x & 15
		if tq > 3 {
			return d.errAt(p-1, "bad Tq value")
		}
		switch x >> 4 {
		case 0:
			if n < 64 {
				return d.dqtShort(p, n)
			}
			for i := range 64 {
				d.quant[tq][i] = int32(d.data[p+i])
			}
			p, n = p+64, n-64
		case 1:
			if n < 128 {
				return d.dqtShort(p, n)
			}
			for i := range 64 {
				d.quant[tq][i] = int32(d.data[p+2*i])<<8 | int32(d.data[p+2*i+1])
			}
			p, n = p+128, n-128
		default:
			return d.errAt(p-1, "bad Pq value")
		}
	}
	return nil
}

// dqtShort ends a DQT segment whose n bytes left after a Pq/Tq byte are
// fewer than its table: as image/jpeg does, the segment is accepted when
// nothing is left (the table keeps its values) and is an error otherwise.
func (d *decoder) dqtShort(p, n int) error {
	if n == 0 {
		return nil
	}
	return d.errAt(p, "DQT has wrong length")
}

// processDHT reads Huffman tables (section B.2.4.2).
func (d *decoder) processDHT(p, n int) error {
	for n > 0 {
		if n < 17 {
			return d.errAt(p, "DHT has wrong length")
		}
		tc, th := d.data[p]>>4, d.data[p]&15
		if tc > 1 {
			return d.errAt(p, "bad Tc value")
		}
		if th > 3 || (d.baseline && th > 1) {
			return d.errAt(p, "bad Th value")
		}
		var counts [16]byte
		copy(counts[:], d.data[p+1:p+17])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if total == 0 {
			return d.errAt(p, "Huffman table has zero length")
		}
		if total > 256 {
			return d.errAt(p, "Huffman table has excessive length")
		}
		n -= 17 + total
		if n < 0 {
			return d.errAt(p, "DHT has wrong length")
		}
		if !d.huff[tc][th].build(&counts, d.data[p+17:p+17+total], tc == 1) {
			return unsupported("Huffman code lengths that are no prefix code")
		}
		p += 17 + total
	}
	return nil
}

// processDRI reads the restart interval (section B.2.4.4).
func (d *decoder) processDRI(p, n int) error {
	if n != 2 {
		return d.errAt(p, "DRI has wrong length")
	}
	d.ri = int(d.data[p])<<8 | int(d.data[p+1])
	return nil
}
