package qr

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// Binarisation.
//
// Finder patterns are searched on a bilevel image made by a local mean
// threshold: a pixel is dark when it is darker than the mean of the window
// around it less a small margin. The window is about a tenth of the (reduced)
// image side, clamped to 24–160 pixels, which covers a finder pattern of up
// to about 20-pixel modules while still following shadows and glare edges.
// The mean comes from running window sums, so the cost is O(W·H) whatever
// the window; where the CPU has AVX2, binarize_simd.go computes the same
// bitmap eight pixels at a time. Weak spot: inside large uniform dark areas wider than the window
// (huge modules) the threshold follows the dark level and noise shows through;
// big symbols are found on the reduced copy, where modules are smaller, and
// when a big plane yields nothing Detect locates once more at twice the
// reduction (coarseMinSide).
//
// Module sampling does not use this image: modules are read from the gray
// plane at full resolution and thresholded in module space (see sample.go).

// bitmap is a bilevel image: 1 for dark, 0 for light.
type bitmap struct {
	w, h int
	pix  []byte
	src  *gray.Plane // the plane whose gray levels finder contrasts are measured on
	// minContrast is the smallest finder pattern contrast accepted, in
	// levels of src (see finderContrastFloor).
	minContrast float64
}

func (b *bitmap) at(x, y int) byte { return b.pix[y*b.w+x] }

// scene holds what Detect computes once per plane and shares between
// candidates: the full-resolution plane, the reduced copy used for locating
// and its bilevel images, made on first use.
type scene struct {
	full  *gray.Plane
	small *gray.Plane  // == full when no reduction was needed
	scale float64      // full-resolution pixels per reduced pixel
	bins  [2]*bitmap   // local mean threshold of small, and of small equalised
	floor float64      // finder contrast floor of small (0: not yet measured)
	hist  *[256]uint32 // gray level histogram of small (nil: not yet counted)
	buf   *scratch     // where the reduced plane and bitmaps live (nil: heap)
}

// sampler returns a sampler of the full-resolution plane that borrows the
// scene's grid buffers.
func (s *scene) sampler() sampler {
	smp := newSampler(s.full)
	if s.buf != nil {
		smp.buf = &s.buf.grid
	}
	return smp
}

// bitmap returns the bilevel image of a locating pass: 0 thresholds the
// reduced plane, 1 its histogram-equalised copy. Equalisation spreads the
// crowded gray levels of an image dominated by glare or a bright spot, so
// that a symbol squeezed into a few levels beside it clears the threshold
// margin; on blurred images it amplifies noise, hence a second pass only.
func (s *scene) bitmap(pass int) *bitmap {
	if s.bins[pass] == nil {
		if s.floor == 0 {
			s.floor = finderContrastFloor(noiseLevel(s.small))
		}
		if pass == 0 {
			s.bins[0] = binarizeInto(s.buf, s.small, s.floor)
		} else {
			// contrasts are measured on the unequalised plane
			eq := gray.EqualizeHist(s.buf.plane(s.small.W, s.small.H), s.small, s.histogram())
			s.bins[1] = binarizeInto(s.buf, eq, s.floor)
			s.bins[1].src = s.small
		}
	}
	return s.bins[pass]
}

// histogram returns the gray level histogram of the reduced plane,
// counted once.
func (s *scene) histogram() *[256]uint32 {
	if s.hist == nil {
		h := gray.Histogram(s.small)
		s.hist = &h
	}
	return s.hist
}

// Dark planes (scene.dark): at least darkShare of the reduced plane's pixels
// at levels below darkLevels.
const (
	darkLevels = 16
	darkShare  = 0.2
)

// dark reports whether a large share of the reduced plane lies in the
// darkest gray levels (darkShare of its pixels below darkLevels): a photo
// exposed for a bright spot or glare, where a code in the rest of the
// scene spans a few levels that the equalised pass spreads.
func (s *scene) dark() bool {
	h := s.histogram()
	var n uint32
	for _, c := range h[:darkLevels] {
		n += c
	}
	return float64(n) >= darkShare*float64(s.small.W*s.small.H)
}

func newScene(p *gray.Plane, maxDim int, buf *scratch) *scene {
	f := 1
	for max(p.W, p.H)/f > maxDim {
		f++
	}
	return newSceneAt(p, f, buf)
}

// newSceneAt returns the scene of p located at reduction factor f.
func newSceneAt(p *gray.Plane, f int, buf *scratch) *scene {
	small := p
	if f > 1 {
		small = gray.Downscale(buf.plane(p.W/f, p.H/f), p, f)
	}
	return &scene{full: p, small: small, scale: float64(f), buf: buf}
}

// binarize thresholds p against its local mean (see the comment above),
// with the finder contrast floor measured on p itself.
func binarize(p *gray.Plane) *bitmap {
	return binarizeFloor(p, finderContrastFloor(noiseLevel(p)))
}

// binarizeFloor is binarize with a given finder contrast floor.
//
// The window sums come from running column sums (each row adds the row
// entering the window and subtracts the one leaving it) and a sum of those
// that slides along the row: the same sums as a summed-area table, with
// O(W) memory that stays in cache instead of a (W+1)·(H+1) table.
func binarizeFloor(p *gray.Plane, minContrast float64) *bitmap {
	return binarizeInto(nil, p, minContrast)
}

// binarizeInto is binarizeFloor with the bilevel image in a buffer of buf.
func binarizeInto(buf *scratch, p *gray.Plane, minContrast float64) *bitmap {
	w, h := p.W, p.H
	win := max(w, h) / 10
	win = min(max(win, 24), 160)
	r := win / 2
	b := &bitmap{w: w, h: h, pix: buf.bytes(w * h), src: p, minContrast: minContrast}
	col := make([]uint32, w) // column sums over the rows of the window
	for y := 0; y < min(r, h); y++ {
		for x, v := range p.Row(y)[:w] {
			col[x] += uint32(v)
		}
	}
	if haveSIMD {
		binarizeRowsSIMD(p, b.pix, col, r)
		return b
	}
	// Interior columns, where the window is not clipped: constant width.
	lo, hi := min(r, w), max(min(w-r-1, w), min(r, w))
	zero := make([]byte, w) // the row added or dropped where the window has none
	for y := 0; y < h; y++ {
		// the window covers rows [y-r, y+r]: col takes row y+r and drops
		// row y-r-1 (zero where they fall outside); columns up to lo+r
		// are updated here, the others as the interior loop reaches them
		add, sub, rows := windowRows(p, zero, y, r)
		split := w
		if hi > lo {
			split = lo + r + 1
		}
		for x := range col[:split] {
			col[x] += uint32(add[x]) - uint32(sub[x])
		}
		row := p.Row(y)[:w]
		out := b.pix[y*w : (y+1)*w]
		// At each x, sum is the sum of col over the window's columns
		// [max(x-r, 0), min(x+r+1, w)). A pixel is dark when
		// v·area < sum·(1-1/32), i.e. ~3 % below the local mean. 32-bit
		// products: the window is at most 161×161 pixels, so
		// v·area ≤ 255·161²·32 and sum·31 ≤ 255·161²·31 fit.
		sum := leftBorder(row, out, col, 0, lo, r, rows, windowStart(col, r))
		if hi > lo {
			// interior: the window is never clipped, one column enters
			// and one leaves
			area := uint32(2*r+1) * rows * 32
			n := hi - lo
			o := out[lo:hi:hi]
			enter, leave := col[lo+r+1 : lo+r+1+n][:len(o)], col[lo-r : lo-r+n][:len(o)]
			in := row[lo:hi][:len(o)]
			ea, es := add[lo+r+1 : lo+r+1+n][:len(o)], sub[lo+r+1 : lo+r+1+n][:len(o)]
			for i := range o {
				var d byte
				if uint32(in[i])*area < sum*31 {
					d = 1
				}
				o[i] = d
				e := enter[i] + uint32(ea[i]) - uint32(es[i])
				enter[i] = e
				sum += e - leave[i]
			}
		}
		rightBorder(row, out, col, max(hi, lo), r, rows, sum)
	}
	return b
}

// windowRows returns, for row y of p and a window of radius r, the row the
// column sums take in (y+r) and the row they drop (y−r−1), zero (a row of
// zeros) where either falls outside the plane, and how many rows the window
// covers. Shared by binarizeInto and binarizeRowsSIMD.
func windowRows(p *gray.Plane, zero []byte, y, r int) (add, sub []byte, rows uint32) {
	add, sub = zero, zero
	if y+r < p.H {
		add = p.Row(y + r)[:p.W]
	}
	if y-r-1 >= 0 {
		sub = p.Row(y - r - 1)[:p.W]
	}
	return add, sub, uint32(min(y+r+1, p.H) - max(y-r, 0))
}

// windowStart returns the window sum at a row's first pixel: the column
// sums of columns [0, r].
func windowStart(col []uint32, r int) uint32 {
	var sum uint32
	for _, v := range col[:min(r+1, len(col))] {
		sum += v
	}
	return sum
}

// leftBorder thresholds pixels [x, lo) of a row of w = len(row) pixels on
// the left border, where the window starts at column 0 and grows: sum is
// the window sum at x (rows rows high, column sums col) and the window sum
// at lo is returned. Shared by binarizeInto and binarizeRowsSIMD.
func leftBorder(row, out []byte, col []uint32, x, lo, r int, rows, sum uint32) uint32 {
	w := len(row)
	for ; x < lo; x++ {
		var d byte
		if uint32(row[x])*uint32(min(x+r+1, w))*rows*32 < sum*31 {
			d = 1
		}
		out[x] = d
		if x+r+1 < w {
			sum += col[x+r+1]
		}
		if x-r >= 0 {
			sum -= col[x-r]
		}
	}
	return sum
}

// rightBorder thresholds pixels [x, w) of a row on the right border, where
// the window ends at column w = len(row) and shrinks, from the window sum
// at x. Shared by binarizeInto and binarizeRowsSIMD.
func rightBorder(row, out []byte, col []uint32, x, r int, rows, sum uint32) {
	w := len(row)
	for ; x < w; x++ {
		var d byte
		if uint32(row[x])*uint32(w-max(x-r, 0))*rows*32 < sum*31 {
			d = 1
		}
		out[x] = d
		if x-r >= 0 {
			sum -= col[x-r]
		}
	}
}

// minFinderContrast is the smallest gray level contrast (runContrast, on
// the unequalised plane) of a finder pattern confirmation on a plane with
// little noise (see finderContrastFloor). Measured on
// boofcv-dev, the confirmations of finder patterns of decoded symbols are
// above 4 levels but for about 1 %, and run-length look-alikes in sensor
// noise on smooth backgrounds are below it. The gate is absolute: white
// noise of more than about 3 levels with 1-pixel runs still passes it now
// and then; a gate relative to the local noise level would be better.
const minFinderContrast = 4

// finderContrastFloor returns the smallest gray level contrast between the
// light and dark rings of a finder pattern (runContrast) accepted on a
// plane with pixel noise sigma: minFinderContrast, or three times the
// noise where that is more. Look-alikes that the local threshold makes of
// noise have contrasts of one to three σ; the floor follows the noise when
// a caller hands in a plane whose noise was amplified (histogram
// equalisation of a dark photo multiplies it several times).
func finderContrastFloor(sigma float64) float64 {
	return max(minFinderContrast, 3*sigma)
}

// noiseLevel estimates the standard deviation of the pixel noise of p from
// the median absolute difference of horizontally adjacent pixels, on every
// fourth row: in flat areas the difference of two pixels is noise with
// standard deviation σ√2, and edges, a minority of pixels, do not move the
// median much. Gaussian noise has a median absolute value of 0.6745 σ.
func noiseLevel(p *gray.Plane) float64 {
	// Four histograms, one per pixel of each group of four: on a page
	// most differences are 0, and a single counter would be incremented
	// by a chain of dependent stores. They are summed before the median.
	var hists [4][256]int32
	total := 0
	for y := 0; y < p.H; y += 4 {
		row := p.Row(y)
		if len(row) < 2 {
			continue
		}
		prev, next := row[:len(row)-1], row[1:]
		prev = prev[:len(next)]
		total += len(next)
		x := 0
		for ; x+4 <= len(next); x += 4 {
			a, b := next[x:x+4:x+4], prev[x:x+4:x+4]
			hists[0][absDiff(a[0], b[0])]++
			hists[1][absDiff(a[1], b[1])]++
			hists[2][absDiff(a[2], b[2])]++
			hists[3][absDiff(a[3], b[3])]++
		}
		for ; x < len(next); x++ {
			hists[0][absDiff(next[x], prev[x])]++
		}
	}
	var hist [256]int
	for d := range hist {
		hist[d] = int(hists[0][d]) + int(hists[1][d]) + int(hists[2][d]) + int(hists[3][d])
	}
	return noiseFromDiffs(&hist, total)
}

// noiseFromDiffs is noiseLevel's estimate from the histogram of the total
// absolute differences: their median, interpolated within its integer bin
// (with low noise most differences are 0 or 1), over 0.6745·√2.
func noiseFromDiffs(hist *[256]int, total int) float64 {
	if total == 0 {
		return 0
	}
	half := float64(total) / 2
	acc := 0
	for d, n := range hist {
		if float64(acc+n) >= half {
			med := float64(d) + (half-float64(acc))/float64(n) - 0.5
			return max(med, 0) / 0.6745 / math.Sqrt2
		}
		acc += n
	}
	return 0
}

// absDiff returns |a − b|, without a branch: on a photo's noise the sign
// of a − b is a coin toss, and noiseLevel's loop spent most of its time
// on mispredicted branches (0.72 → 0.10 ms on a 756×1008 photo plane).
func absDiff(a, b byte) byte {
	d := int32(a) - int32(b)
	m := d >> 31
	return byte((d ^ m) - m)
}
