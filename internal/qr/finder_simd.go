//go:build goexperiment.simd && amd64 && !noasm

package qr

import (
	"math/bits"
	"simd/archsimd"
)

// scanLineSIMD is scanLine with the run ends found 32 pixels at a time:
// each block of the line is compared in AVX2 lanes with itself shifted by
// one pixel, and the set bits of the mask of differences are the ends of
// the runs, taken in order. The runs, and so the hits, are the same as
// scanLineScalar's (TestScanLineSIMD).
func scanLineSIMD(line []byte, inv byte, hit func(centre, u float64)) {
	if len(line) == 0 {
		return
	}
	rs := runScan{c: line[0] ^ inv}
	i := 1
	for ; i+32 <= len(line); i += 32 {
		cur := archsimd.LoadUint8x32Slice(line[i : i+32])
		prev := archsimd.LoadUint8x32Slice(line[i-1 : i+31])
		m := ^cur.Equal(prev).ToBits()
		archsimd.ClearAVXUpperBits() // match and hit run SSE float code
		for ; m != 0; m &= m - 1 {
			t := i + bits.TrailingZeros32(m)
			if rs.end(t) {
				rs.match(t, hit)
			}
		}
	}
	for ; i < len(line); i++ {
		if line[i] != line[i-1] && rs.end(i) {
			rs.match(i, hit)
		}
	}
	if rs.end(len(line)) {
		rs.match(len(line), hit)
	}
}

// runScan is scanLineSIMD's state: the last five runs, how many runs
// ended, where the current one started and its colour (1 dark, after inv).
type runScan struct {
	runs  [5]int
	seen  int
	start int
	c     byte
}

// end ends the current run at t and starts the next, of the other colour;
// it reports whether the five runs ending there end with a dark one, the
// only ones scanLine tests.
func (s *runScan) end(t int) bool {
	s.runs[0], s.runs[1], s.runs[2], s.runs[3], s.runs[4] = s.runs[1], s.runs[2], s.runs[3], s.runs[4], t-s.start
	s.seen++
	dark := s.seen >= 5 && s.c == 1
	s.start, s.c = t, s.c^1
	return dark
}

// match calls hit when the five runs ending at t are in the ratio
// 1:1:3:1:1, as scanLineScalar does.
func (s *runScan) match(t int, hit func(centre, u float64)) {
	if u, ok := runsMatch(&s.runs); ok {
		hit(float64(t-s.runs[4]-s.runs[3])-float64(s.runs[2])/2, u)
	}
}
