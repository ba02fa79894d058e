package classic

import (
	"encoding/binary"

	"github.com/makiuchi-d/gozxing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// hybridBinarizer is gozxing's HybridBinarizer (ZXing's local block
// threshold) computed straight on a gray plane: the same black points and
// thresholds, bit for bit, without gozxing's per-pixel interface and
// method calls (measured: its GetBlackMatrix was 14 % of the classic
// tier's CPU time on boofcv-dev). The procedure, from ZXing:
//
//  1. The plane is cut into 8×8 blocks (the last row and column of blocks
//     shifted inwards to stay inside the image). A block's black point is
//     its mean; a block whose range (max − min) is at most 24 levels gets
//     min/2 instead, or, when it is not on the top or left edge and its min
//     is below them, the weighted mean of the black points of its top,
//     left (twice) and top-left neighbours.
//  2. A pixel is dark when it is at or below the mean black point of the
//     5×5 blocks around its block (clamped to the image's blocks). Pixels of
//     overlapping edge blocks are dark when either block makes them dark.
//
// Planes smaller than 40 pixels on a side use gozxing's own binarizer (its
// global histogram fallback).
type hybridBinarizer struct {
	src    gozxing.LuminanceSource
	p      *gray.Plane
	matrix *gozxing.BitMatrix
}

// newHybridBinarizer returns the binarizer of p, whose luminance source
// (for row access and inversion) is src.
func newHybridBinarizer(src gozxing.LuminanceSource, p *gray.Plane) gozxing.Binarizer {
	if p.W < 40 || p.H < 40 {
		return gozxing.NewHybridBinarizer(src)
	}
	return &hybridBinarizer{src: src, p: p}
}

func (b *hybridBinarizer) GetLuminanceSource() gozxing.LuminanceSource { return b.src }
func (b *hybridBinarizer) GetWidth() int                               { return b.p.W }
func (b *hybridBinarizer) GetHeight() int                              { return b.p.H }

// GetBlackRow is the 1D readers' access, not used by the QR readers: it is
// left to gozxing.
func (b *hybridBinarizer) GetBlackRow(y int, row *gozxing.BitArray) (*gozxing.BitArray, error) {
	return gozxing.NewHybridBinarizer(b.src).GetBlackRow(y, row)
}

// CreateBinarizer returns gozxing's binarizer for another source (one this
// type has no plane for).
func (b *hybridBinarizer) CreateBinarizer(src gozxing.LuminanceSource) gozxing.Binarizer {
	return gozxing.NewHybridBinarizer(src)
}

// GetBlackMatrix computes the bilevel matrix once and caches it.
func (b *hybridBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) {
	if b.matrix != nil {
		return b.matrix, nil
	}
	words, rowSize := hybridBits(b.p)
	m, err := gozxing.NewBitMatrix(b.p.W, b.p.H)
	if err != nil {
		return nil, err
	}
	row := gozxing.NewBitArray(b.p.W)
	for y := 0; y < b.p.H; y++ {
		for k, w := range words[y*rowSize : (y+1)*rowSize] {
			row.SetBulk(32*k, w)
		}
		m.SetRow(y, row)
	}
	b.matrix = m
	return m, nil
}

// hybridBits returns the dark pixels of p (at least 40×40) as rows of
// 32-bit words, bit x%32 of word x/32 for column x, as gozxing's BitMatrix
// stores them, and the number of words per row.
func hybridBits(p *gray.Plane) ([]uint32, int) {
	const block = 8
	w, h := p.W, p.H
	subW, subH := (w+block-1)/block, (h+block-1)/block
	maxX, maxY := w-block, h-block
	bp := make([]int32, subW*subH)
	for by := 0; by < subH; by++ {
		y0 := min(by*block, maxY)
		for bx := 0; bx < subW; bx++ {
			x0 := min(bx*block, maxX)
			sum, lo, hi := 0, 255, 0
			for yy := 0; yy < block; yy++ {
				for _, v := range p.Row(y0 + yy)[x0 : x0+block] {
					sum += int(v)
					lo = min(lo, int(v))
					hi = max(hi, int(v))
				}
			}
			avg := sum >> 6
			if hi-lo <= 24 {
				avg = lo / 2
				if by > 0 && bx > 0 {
					nb := (int(bp[(by-1)*subW+bx]) + 2*int(bp[by*subW+bx-1]) + int(bp[(by-1)*subW+bx-1])) / 4
					if lo < nb {
						avg = nb
					}
				}
			}
			bp[by*subW+bx] = int32(avg)
		}
	}
	rowSize := (w + 31) / 32
	words := make([]uint32, rowSize*h)
	capv := func(v, lo, hi int) int { return max(lo, min(v, hi)) }
	for by := 0; by < subH; by++ {
		y0 := min(by*block, maxY)
		top := capv(by, 2, subH-3)
		for bx := 0; bx < subW; bx++ {
			x0 := min(bx*block, maxX)
			left := capv(bx, 2, subW-3)
			sum := 0
			for z := -2; z <= 2; z++ {
				r := bp[(top+z)*subW+left-2 : (top+z)*subW+left+3]
				sum += int(r[0]) + int(r[1]) + int(r[2]) + int(r[3]) + int(r[4])
			}
			t := sum / 25
			k, sh := x0/32, uint(x0%32)
			// v ≤ t for eight pixels at once: in each 16-bit lane of the
			// even and of the odd bytes, 256 + t − v is 1 to 511 and has
			// bit 8 set exactly when v ≤ t
			lanes := uint64(0x100+t) * 0x0001000100010001
			for yy := 0; yy < block; yy++ {
				x := binary.LittleEndian.Uint64(p.Row(y0 + yy)[x0 : x0+block])
				even := (lanes - x&0x00FF00FF00FF00FF) >> 8 & 0x0001000100010001
				odd := (lanes - x>>8&0x00FF00FF00FF00FF) >> 8 & 0x0001000100010001
				b := even | odd<<1 // pixel 2j at bit 16j, pixel 2j+1 at bit 16j+1
				m := b&3 | b>>14&0xC | b>>28&0x30 | b>>42&0xC0
				if m == 0 {
					continue
				}
				m <<= sh
				o := (y0+yy)*rowSize + k
				words[o] |= uint32(m)
				if m>>32 != 0 {
					words[o+1] |= uint32(m >> 32)
				}
			}
		}
	}
	return words, rowSize
}
