package qr

import (
	"context"
	"encoding/binary"
	"math"
	"math/bits"
	"sort"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// Finder pattern detection (ISO/IEC 18004:2015, 6.3.3).
//
// A finder pattern is three concentric squares: 7×7 dark, 5×5 light, 3×3
// dark. Any straight line through its centre crosses the squares in the run
// ratio dark:light:dark:light:dark = 1:1:3:1:1, whatever the rotation, and
// nearly so under moderate perspective (the squares are scaled copies of one
// another about the centre). The search therefore:
//
//  1. scans every row of the bilevel image for five consecutive runs in that
//     ratio (tolerant: each unit run within ±70 % and the centre within
//     ±50 %, plus one pixel of quantisation slack);
//  2. cross-checks the column through the centre of the middle run, which
//     must show the same ratio, and re-centres vertically; along both lines
//     the gray levels of the plane (not the bilevel image) must show a
//     contrast of at least minFinderContrast between the light ring and the
//     dark rings: this drops the look-alikes that the local threshold makes
//     of sensor noise on smooth backgrounds, which cost whole seconds of
//     grid fitting on big photos without a symbol;
//  3. re-checks the row through the new centre, re-centring horizontally, and
//     the two diagonals, of which at least one must also show the ratio
//     (this rejects most text and hatching);
//  4. merges confirmations of the same pattern (centres within 1.5 modules,
//     module sizes within a factor 1.6), weighting by count.
//
// While an image has yielded no symbol, every fourth column is scanned as
// well for patterns squeezed horizontally by a grazing view
// (findForeshortened), whose horizontal runs are too short for step 1.
//
// Weak spots: a pattern cut by glare or a deep scratch across its centre
// fails step 2; strong blur merges the 1-module light ring into its
// neighbours below about 2 pixels per module; patterns squeezed vertically
// are not searched (tried and dropped on 2026-11-25: docs/DECISIONS.md).

// finderPattern is a confirmed finder pattern candidate.
type finderPattern struct {
	c     geom.Point // centre, pixel coordinates
	ms    float64    // estimated module size in pixels
	count int        // number of confirming scan lines
	// contrast is the mean over confirmations of the gray level contrast
	// between the pattern's dark and light rings (see runContrast), in the
	// levels of the plane that was binarised.
	contrast float64
	// squeezed marks a pattern found by the column scan with a horizontal
	// module size under half its vertical one (findForeshortened); aniso
	// is then that ratio, vertical over horizontal.
	squeezed bool
	aniso    float64
}

// runsMatch reports whether five runs are in the ratio 1:1:3:1:1 and returns
// the estimated module size.
func runsMatch(r *[5]int) (float64, bool) {
	// The centre must be clearly larger than each unit run (checked first:
	// it is exact in integers and rejects most runs of text and noise).
	if 2*r[2] < 3*max(r[0], r[4]) && r[2] < r[0]+r[4] {
		return 0, false
	}
	total := r[0] + r[1] + r[2] + r[3] + r[4]
	if total < 7 {
		return 0, false
	}
	u := float64(total) / 7
	for i, k := range [5]float64{1, 1, 3, 1, 1} {
		tol := 0.7*u + 1
		if k == 3 {
			tol = 1.5*u + 1
		}
		if math.Abs(float64(r[i])-k*u) > tol {
			return 0, false
		}
	}
	return u, true
}

// lineRuns walks from (x, y), which must be dark, in direction (dx, dy)
// and its opposite, and returns the five runs centred on the dark run
// containing (x, y), plus the offset (in steps from (x, y)) of that run's
// centre. maxRun bounds each outer run.
func lineRuns(b *bitmap, inv byte, x, y, dx, dy, maxRun int) (r [5]int, centre float64, lo int, ok bool) {
	if x < 0 || y < 0 || x >= b.w || y >= b.h || b.pix[y*b.w+x]^inv != 1 {
		return r, 0, 0, false
	}
	fw, ok := walkRuns(b, inv, x, y, dx, dy, 0, maxRun)
	if !ok {
		return r, 0, 0, false
	}
	bw, ok := walkRuns(b, inv, x, y, -dx, -dy, 1, maxRun)
	if !ok {
		return r, 0, 0, false
	}
	r = [5]int{bw[2], bw[1], bw[0] + fw[0], fw[1], fw[2]}
	// centre of the middle run relative to (x, y): it spans [-bw0, fw0)
	centre = float64(fw[0]-bw[0]) / 2
	return r, centre, -bw[0], r[0] > 0 && r[1] > 0 && r[3] > 0 && r[4] > 0
}

// walkRuns counts, from step i0 along (dx, dy) from (x, y), the pixels of
// the dark run it starts in, the light run after it and the dark run after
// that. It fails when a run exceeds maxRun or the plane ends before the
// third run has begun.
func walkRuns(b *bitmap, inv byte, x, y, dx, dy, i0, maxRun int) ([3]int, bool) {
	var n [3]int
	for i, state := i0, 0; ; i++ {
		px, py := x+i*dx, y+i*dy
		if px < 0 || py < 0 || px >= b.w || py >= b.h {
			return n, state == 2 && n[2] > 0
		}
		d := b.pix[py*b.w+px]^inv == 1
		if d != (state != 1) {
			state++
			if state == 3 {
				return n, true
			}
		}
		n[state]++
		if n[state] > maxRun {
			return n, false
		}
	}
}

// runContrast returns the gray level contrast of the five runs r along the
// line from (x, y) in direction (dx, dy), the middle run starting lo steps
// from (x, y): the lightest dark run's mean subtracted from the darkest
// light run's mean (reversed for inverted patterns), each run's end pixels
// excluded where it is long enough. A true finder pattern has a contrast
// well above the noise; run-length look-alikes in noise or in smooth
// gradients have one of a few gray levels.
func runContrast(p *gray.Plane, inv byte, x, y, dx, dy int, r *[5]int, lo int) float64 {
	start := lo - r[1] - r[0]
	var m [5]float64
	for i, n := range r {
		a, b := start, start+n
		start = b
		if n >= 3 {
			a, b = a+1, b-1
		}
		sum, cnt := 0, 0
		for k := a; k < b; k++ {
			px, py := x+k*dx, y+k*dy
			if px < 0 || py < 0 || px >= p.W || py >= p.H {
				continue
			}
			sum += int(p.Pix[py*p.Stride+px])
			cnt++
		}
		if cnt == 0 {
			return 0
		}
		m[i] = float64(sum) / float64(cnt)
	}
	dark := max(m[0], m[2], m[4])
	light := min(m[1], m[3])
	if inv == 1 {
		dark = min(m[0], m[2], m[4])
		light = max(m[1], m[3])
		return dark - light
	}
	return light - dark
}

// findFinderPatterns returns up to maxN finder pattern candidates in b,
// strongest (most confirmations) first. inv selects light-on-dark patterns.
// It stops early, with what it has, when ctx is done.
func findFinderPatterns(ctx context.Context, b *bitmap, inverted bool, maxN int) []finderPattern {
	return findFinders(ctx, b, inverted, maxN, false)
}

// findFinders is findFinderPatterns that, with squeezed, also scans the
// columns for patterns squeezed horizontally (findForeshortened).
func findFinders(ctx context.Context, b *bitmap, inverted bool, maxN int, squeezed bool) []finderPattern {
	var inv byte
	if inverted {
		inv = 1
	}
	set := newFinderSet(b.w, b.h)
	for y := 0; y < b.h; y++ {
		if y&63 == 0 && ctx.Err() != nil {
			break
		}
		cy := float64(y) + 0.5
		scanLine(b.pix[y*b.w:(y+1)*b.w], inv, func(cx, u float64) {
			if fp, ok := confirmFinder(b, inv, cx, cy, u); ok {
				set.merge(fp)
			}
		})
	}
	if squeezed {
		findForeshortened(ctx, b, inv, set)
	}
	cands := set.cands
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].count > cands[j].count })
	if len(cands) > maxN {
		cands = cands[:maxN]
	}
	return cands
}

// confirmFinder cross-checks a horizontal hit centred at (cx, cy) (pixel
// coordinates) vertically, horizontally again and diagonally.
func confirmFinder(b *bitmap, inv byte, cx, cy, u float64) (finderPattern, bool) {
	fp, _, _, ok := crossCheck(b, inv, cx, cy, u, false, func(uv float64) bool {
		return uv <= 2.5*u && u <= 2.5*uv
	})
	return fp, ok
}

// crossCheck confirms a hit centred at (cx, cy) on a row (byColumn false)
// or a column of b whose module size along that line is u: the line
// across it must show the ratio with a module size that accept takes,
// then the scan line again, each with enough gray level contrast, both
// re-centring the hit; then one of the two diagonals. It returns the
// pattern, whose module size is the smallest of the line estimates
// (diagonal ones included, scaled by √2) unless the hit is byColumn,
// where the diagonals only confirm, and the module sizes measured across
// and along the scan line.
func crossCheck(b *bitmap, inv byte, cx, cy, u float64, byColumn bool, accept func(across float64) bool) (fp finderPattern, across, along float64, ok bool) {
	maxRun := int(3*u) + 3
	ix, iy := int(cx), int(cy)
	ax, ay := 0, 1 // across the scan line
	if byColumn {
		ax, ay = 1, 0
	}
	ra, off, loa, ok := lineRuns(b, inv, ix, iy, ax, ay, maxRun)
	if !ok {
		return finderPattern{}, 0, 0, false
	}
	ua, ok := runsMatch(&ra)
	if !ok || !accept(ua) {
		return finderPattern{}, 0, 0, false
	}
	contrast := runContrast(b.src, inv, ix, iy, ax, ay, &ra, loa)
	if contrast < b.minContrast {
		return finderPattern{}, 0, 0, false
	}
	if byColumn {
		cx = float64(ix) + off
		ix = int(cx)
	} else {
		cy = float64(iy) + off
		iy = int(cy)
	}
	rs, off, los, ok := lineRuns(b, inv, ix, iy, ay, ax, maxRun)
	if !ok {
		return finderPattern{}, 0, 0, false
	}
	us, ok := runsMatch(&rs)
	if !ok {
		return finderPattern{}, 0, 0, false
	}
	contrast = min(contrast, runContrast(b.src, inv, ix, iy, ay, ax, &rs, los))
	if contrast < b.minContrast {
		return finderPattern{}, 0, 0, false
	}
	if byColumn {
		cy = float64(iy) + off
		iy = int(cy)
	} else {
		cx = float64(ix) + off
		ix = int(cx)
	}
	// Diagonals: at least one must match. The run lengths along a line at
	// angle φ to the pattern's sides are stretched by 1/max(|cos φ|, |sin φ|),
	// so the smallest of the four directions' estimates is within 8 % of the
	// module size.
	diag := false
	ms := min(ua, us)
	for _, d := range [2][2]int{{1, 1}, {1, -1}} {
		rd, _, _, ok := lineRuns(b, inv, ix, iy, d[0], d[1], maxRun)
		if !ok {
			continue
		}
		if ud, ok := runsMatch(&rd); ok {
			diag = true
			if !byColumn {
				ms = min(ms, ud*math.Sqrt2)
			}
		}
	}
	if !diag {
		return finderPattern{}, 0, 0, false
	}
	return finderPattern{c: geom.Point{X: cx, Y: cy}, ms: ms, count: 1, contrast: contrast}, ua, us, true
}

// finderSet accumulates confirmed finder patterns, merging confirmations of
// the same pattern. Candidates are bucketed on a coarse grid of cells so a
// merge looks at nearby candidates only: the cost stays linear in the
// number of confirmations on images with hundreds of patterns.
type finderSet struct {
	cands   []finderPattern
	cols    int
	rows    int
	buckets [][]int32 // candidate indices by the cell of their first centre
}

// finderCell is the side of a finderSet cell in pixels.
const finderCell = 32

func newFinderSet(w, h int) *finderSet {
	cols, rows := w/finderCell+1, h/finderCell+1
	return &finderSet{cols: cols, rows: rows, buckets: make([][]int32, cols*rows)}
}

func (s *finderSet) cell(p geom.Point) (int, int) {
	cx := min(max(int(p.X)/finderCell, 0), s.cols-1)
	cy := min(max(int(p.Y)/finderCell, 0), s.rows-1)
	return cx, cy
}

// merge adds fp, merging it with an existing candidate of the same pattern
// (centres within 1.5 modules, module sizes within a factor 1.6).
func (s *finderSet) merge(fp finderPattern) {
	// A merged centre may have drifted from the cell it was bucketed in by
	// up to the merge distance, which is at most 2.4 fp.ms.
	r := int(5*fp.ms)/finderCell + 1
	cx, cy := s.cell(fp.c)
	for y := max(cy-r, 0); y <= min(cy+r, s.rows-1); y++ {
		for x := max(cx-r, 0); x <= min(cx+r, s.cols-1); x++ {
			for _, i := range s.buckets[y*s.cols+x] {
				c := &s.cands[i]
				if c.c.Dist(fp.c) > 1.5*max(c.ms, fp.ms) {
					continue
				}
				if q := c.ms / fp.ms; q > 1.6 || q < 1/1.6 {
					continue
				}
				n := float64(c.count)
				c.c = c.c.Scale(n).Add(fp.c).Scale(1 / (n + 1))
				c.ms = (c.ms*n + fp.ms) / (n + 1)
				c.contrast = (c.contrast*n + fp.contrast) / (n + 1)
				c.count++
				return
			}
		}
	}
	k := cy*s.cols + cx
	s.buckets[k] = append(s.buckets[k], int32(len(s.cands)))
	s.cands = append(s.cands, fp)
}

// runEnd returns the index of the first pixel after x whose value differs
// from row[x] (len(row) at the end of the row). The bitmap holds 0 and 1
// only: eight pixels are compared at a time against row[x] repeated, and
// the first differing byte is the lowest set byte of the XOR. Short runs of
// text cost one step, long runs of blank paper one step per eight pixels.
func runEnd(row []byte, x int) int {
	rep := uint64(row[x]) * 0x0101010101010101
	x++
	for x+8 <= len(row) {
		if d := binary.LittleEndian.Uint64(row[x:]) ^ rep; d != 0 {
			return x + bits.TrailingZeros64(d)/8
		}
		x += 8
	}
	c := byte(rep)
	for x < len(row) && row[x] == c {
		x++
	}
	return x
}

// findForeshortened scans the columns of b for finder patterns squeezed
// horizontally (a symbol seen at a grazing angle about a vertical axis),
// whose horizontal runs are too short for the row scan: a column hit is
// cross-checked horizontally, re-checked vertically and diagonally, and
// kept only when its horizontal module size is under half its vertical
// one (the patterns the row scan finds are not counted twice).
func findForeshortened(ctx context.Context, b *bitmap, inv byte, set *finderSet) {
	col := make([]byte, b.h)
	// Every fourth column: the 3-module centre of a pattern squeezed to
	// 1.4 px per module is still crossed once.
	for x := 0; x < b.w; x += 4 {
		if x&63 == 0 && ctx.Err() != nil {
			return
		}
		for y := range col {
			col[y] = b.pix[y*b.w+x]
		}
		cx := float64(x) + 0.5
		scanLine(col, inv, func(cy, u float64) {
			if fp, ok := confirmForeshortened(b, inv, cx, cy, u); ok {
				set.merge(fp)
			}
		})
	}
}

// scanLine run-length encodes line (a row or a column of a bitmap, from
// its first pixel) and calls hit with the centre of the middle run, in
// pixels along the line, and the module size of every five runs in the
// ratio 1:1:3:1:1 that end with a dark run (dark-light-dark-light-dark).
func scanLine(line []byte, inv byte, hit func(centre, u float64)) {
	if haveSIMD {
		scanLineSIMD(line, inv, hit)
		return
	}
	scanLineScalar(line, inv, hit)
}

// scanLineScalar is scanLine one run at a time (runEnd).
func scanLineScalar(line []byte, inv byte, hit func(centre, u float64)) {
	var runs [5]int
	n := 0 // runs seen
	for i := 0; i < len(line); {
		start := i
		c := line[i] ^ inv
		i = runEnd(line, i)
		runs[0], runs[1], runs[2], runs[3], runs[4] = runs[1], runs[2], runs[3], runs[4], i-start
		n++
		if n < 5 || c != 1 {
			continue
		}
		if u, ok := runsMatch(&runs); ok {
			hit(float64(i-runs[4]-runs[3])-float64(runs[2])/2, u)
		}
	}
}

// confirmForeshortened cross-checks a vertical hit centred at (cx, cy)
// whose vertical module size is u: horizontally, with a module size from
// u/6 to u/2, vertically again and diagonally.
func confirmForeshortened(b *bitmap, inv byte, cx, cy, u float64) (finderPattern, bool) {
	fp, uh, uv, ok := crossCheck(b, inv, cx, cy, u, true, func(uh float64) bool {
		return uh <= u/2 && uh >= u/6
	})
	if !ok {
		return finderPattern{}, false
	}
	fp.squeezed = true
	fp.aniso = uv / uh
	return fp, true
}

// scaleFinders maps finder patterns found on the reduced copy to full
// resolution coordinates.
func (s *scene) scaleFinders(fps []finderPattern) {
	if s.scale == 1 {
		return
	}
	for i := range fps {
		fps[i].c = fps[i].c.Scale(s.scale)
		fps[i].ms *= s.scale
	}
}
