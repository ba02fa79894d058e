package qr

import (
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Version information (ISO/IEC 18004:2015, 7.10) read from the image in
// frames local to the finder patterns or on the projective guess, and the
// sides a candidate tries, most likely first.

// readVersion reads the version information blocks in frames local to the
// top-right and bottom-left finder patterns, returning the version (0 when
// neither block decodes) and whether both blocks decoded to it.
func (f *finderFrame) readVersion(s sampler) (int, bool) {
	ex := unit(f.tr.c.Sub(f.tl.c))
	ey := unit(f.bl.c.Sub(f.tl.c))
	best, bestDist := 0, 4
	var got [2]int
	// top-right block: module (n−11+i, j) for i in 0..2, j in 0..5, bits read
	// for j = 5..0, i = 2..0 (most significant first); offsets from the TR
	// centre are dx = i−7, dy = j−3.
	for blk := 0; blk < 2; blk++ {
		var w uint32
		for a := 5; a >= 0; a-- {
			for b := 2; b >= 0; b-- {
				var p geom.Point
				if blk == 0 {
					ms := f.tr.ms
					p = f.tr.c.Add(ex.Scale(float64(b-7) * ms)).Add(ey.Scale(float64(a-3) * ms))
				} else {
					ms := f.bl.ms
					p = f.bl.c.Add(ex.Scale(float64(a-3) * ms)).Add(ey.Scale(float64(b-7) * ms))
				}
				w <<= 1
				if f.isDark(s.at(p)) {
					w |= 1
				}
			}
		}
		if v, d, ok := decodeVersionWord(w); ok {
			got[blk] = v
			if d < bestDist {
				best, bestDist = v, d
			}
		}
	}
	return best, best > 0 && got[0] == got[1]
}

// readVersionAt reads both version information blocks (7.10) on the
// module grid h of an n-module symbol: the top-right block at modules
// (n−11+i, j) and the bottom-left one at (j, n−11+i), i in 0..2, j in
// 0..5. It returns the version when both blocks decode to the same one.
func (f *finderFrame) readVersionAt(s sampler, h geom.Homography, n int) int {
	var got [2]int
	for blk := 0; blk < 2; blk++ {
		var w uint32
		for j := 5; j >= 0; j-- {
			for i := 2; i >= 0; i-- {
				x, y := float64(n-11+i)+0.5, float64(j)+0.5
				if blk == 1 {
					x, y = y, x
				}
				w <<= 1
				if f.isDark(s.at(h.Apply(geom.Point{X: x, Y: y}))) {
					w |= 1
				}
			}
		}
		v, _, ok := decodeVersionWord(w)
		if !ok {
			return 0
		}
		got[blk] = v
	}
	if got[0] != got[1] {
		return 0
	}
	return got[0]
}

// candidateSizes returns symbol sides to try, most likely first.
func (f *finderFrame) candidateSizes(s sampler) []int {
	var out []int
	add := func(n int) {
		if n < 21 || n > 177 || (n-17)%4 != 0 {
			return
		}
		for _, m := range out {
			if m == n {
				return
			}
		}
		out = append(out, n)
	}
	round := func(x float64) int {
		v := int(math.Round((x - 17) / 4))
		return 4*v + 17
	}
	est := f.sizeEstimate()
	spacing := est
	if pe := f.perspectiveSizeEstimate(s); pe > 0 {
		est = pe
	}
	// Version information exists from version 7 (side 45); a word read on
	// a smaller symbol is data modules that happen to be near a code word.
	if est > 39 {
		v, both := f.readVersion(s)
		if !both {
			// Under perspective the blocks lie off the frame local to
			// the finder patterns: read them on the projective guess.
			r := int(math.Round((est-17)/4))*4 + 17
			if h, ok := f.projectiveGuess(s, r); ok && r >= 45 {
				if pv := f.readVersionAt(s, h, r); pv > 0 {
					v, both = pv, true
				}
			}
		}
		if v > 0 && math.Abs(float64(dimensionForVersion(v))-est) < 0.25*est+8 {
			add(dimensionForVersion(v))
			f.versionRead, f.versionAgreed = true, both
		}
	}
	t1 := f.timingEstimate(s, f.tl, f.tr, f.bl)
	t2 := f.timingEstimate(s, f.tl, f.bl, f.tr)
	f.timingTop, f.timingLeft = t1, t2
	// Trust the timing count when both agree with each other and roughly
	// with the spacing estimate.
	if t1 > 0 && t1 == t2 && math.Abs(float64(t1)-est) < 0.15*est+4 {
		add(round(float64(t1)))
	}
	add(round(est))
	for _, t := range []int{t1, t2} {
		if t > 0 && math.Abs(float64(t)-est) < 0.2*est+4 {
			add(round(float64(t)))
		}
	}
	r := round(est)
	add(round(spacing))
	add(r + 4)
	add(r - 4)
	return out
}
