package jpegluma

import (
	"bytes"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// A small sequential-JPEG writer for tests. image/jpeg's encoder writes only
// one interleaved scan with 4:4:4 or 4:2:0 chroma and no restart intervals;
// this one writes what it cannot: restart intervals (DRI/RSTn), any sampling
// factors, one scan per component, other component ids, APP14, code lengths
// above 9 bits. It takes quantised coefficients, so tests can write the same
// luma coefficients into different layouts and compare the decoded planes.

// rawComp is one component of a rawFrame.
type rawComp struct {
	id   byte
	h, v int
	// coef returns the quantised coefficients (natural order) of block
	// (bx, by) of the component.
	coef func(bx, by int) [64]int32
}

// rawFrame describes the JPEG writeJPEG produces.
type rawFrame struct {
	w, h     int
	comps    []rawComp
	ri       int       // restart interval in MCUs; 0: no DRI
	separate bool      // one non-interleaved scan per component
	sof      byte      // 0: SOF0
	adobe    int       // -1 or 0: no APP14; else APP14 with transform adobe-1
	q        byte      // the value of every quantisation step (0: 2)
	qt       *[64]byte // if non-nil, the quantisation table (natural order) instead of q
	// rstBefore, when non-nil, is called before each restart marker is
	// written with the interval number and may append bytes (corruption
	// tests); it returns the marker byte to write.
	rstBefore func(buf *bytes.Buffer, i int, m byte) byte
	// prog, when non-empty, makes the frame progressive (SOF2) with these
	// scans; separate is then ignored.
	prog []testScan
}

// testScan is one scan of a progressive rawFrame (section G.1.1.1): the
// components (indices into rawFrame.comps), the spectral selection Ss..Se
// and the successive approximation bit positions Ah, Al.
type testScan struct {
	comps          []int
	ss, se, ah, al int
}

// scriptGray and scriptColour are libjpeg's default progression
// (jcparam.c, jpeg_simple_progression) for one and three components: DC
// first with Al = 1, the AC bands 1..5 and 6..63 of luma with Al = 2, whole
// AC bands of chroma with Al = 1, then the refinement scans.
var (
	scriptGray = []testScan{
		{[]int{0}, 0, 0, 0, 1},
		{[]int{0}, 1, 5, 0, 2},
		{[]int{0}, 6, 63, 0, 2},
		{[]int{0}, 1, 63, 2, 1},
		{[]int{0}, 0, 0, 1, 0},
		{[]int{0}, 1, 63, 1, 0},
	}
	scriptColour = []testScan{
		{[]int{0, 1, 2}, 0, 0, 0, 1},
		{[]int{0}, 1, 5, 0, 2},
		{[]int{2}, 1, 63, 0, 1},
		{[]int{1}, 1, 63, 0, 1},
		{[]int{0}, 6, 63, 0, 2},
		{[]int{0}, 1, 63, 2, 1},
		{[]int{0, 1, 2}, 0, 0, 1, 0},
		{[]int{2}, 1, 63, 1, 0},
		{[]int{1}, 1, 63, 1, 0},
		{[]int{0}, 1, 63, 1, 0},
	}
)

// testTable is a canonical Huffman table: code and length per symbol.
type testTable struct {
	counts [16]byte
	vals   []byte
	code   [256]uint16
	size   [256]uint8
}

// newTestTable assigns code lengths to syms in order, from 2 bits up to 16,
// lengthening every `every` symbols and wherever the Kraft budget requires
// (leaving the all-ones code unused, as T.81 asks).
func newTestTable(syms []byte, every int) *testTable {
	t := &testTable{vals: syms}
	budget := 1<<16 - 1 // in units of 2^-16
	l := 2
	for i := range syms {
		if every > 0 && i > 0 && i%every == 0 && l < 16 {
			l++
		}
		for l < 16 && budget-(1<<(16-l)) < len(syms)-i-1 {
			l++
		}
		budget -= 1 << (16 - l)
		t.counts[l-1]++
	}
	code, k := 0, 0
	for l := 1; l <= 16; l++ {
		for range int(t.counts[l-1]) {
			t.code[syms[k]], t.size[syms[k]] = uint16(code), uint8(l)
			code++
			k++
		}
		code <<= 1
	}
	return t
}

var (
	testDC = newTestTable([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 3)
	testAC = newTestTable(acSymbols(), 9)
	// testACProg adds the EOBn symbols (section G.1.2.2) of progressive scans.
	testACProg = newTestTable(append(acSymbols(), 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70,
		0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0), 9)
)

// acSymbols lists EOB, ZRL and every run/size symbol with size 1..10,
// roughly most frequent first.
func acSymbols() []byte {
	s := []byte{0x00, 0xf0}
	for sum := 1; sum <= 25; sum++ {
		for size := 1; size <= 10; size++ {
			if r := sum - size; r >= 0 && r <= 15 {
				s = append(s, byte(r<<4|size))
			}
		}
	}
	return s
}

// bitWriter writes entropy-coded data with 0xFF stuffing.
type bitWriter struct {
	buf  *bytes.Buffer
	acc  uint32
	nacc uint
}

func (w *bitWriter) put(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>uint(i))&1
		w.nacc++
		if w.nacc == 8 {
			w.buf.WriteByte(byte(w.acc))
			if byte(w.acc) == 0xff {
				w.buf.WriteByte(0)
			}
			w.acc, w.nacc = 0, 0
		}
	}
}

// flush pads the last byte with 1 bits (section F.1.2.3).
func (w *bitWriter) flush() {
	for w.nacc != 0 {
		w.put(1, 1)
	}
}

func (w *bitWriter) sym(t *testTable, s byte) {
	if t.size[s] == 0 {
		panic("symbol not in test table")
	}
	w.put(uint32(t.code[s]), uint(t.size[s]))
}

// magnitude returns the size category and the extra bits of v (F.1.2.1).
func magnitude(v int32) (uint, uint32) {
	a := v
	if a < 0 {
		a = -a
	}
	s := uint(bits.Len32(uint32(a)))
	if v < 0 {
		v += 1<<s - 1
	}
	return s, uint32(v) & (1<<s - 1)
}

func (w *bitWriter) block(c *[64]int32, pred *int32) {
	s, e := magnitude(c[0] - *pred)
	*pred = c[0]
	w.sym(testDC, byte(s))
	w.put(e, s)
	run := 0
	for k := 1; k < 64; k++ {
		v := c[unzig[k]]
		if v == 0 {
			run++
			continue
		}
		for run > 15 {
			w.sym(testAC, 0xf0)
			run -= 16
		}
		s, e := magnitude(v)
		w.sym(testAC, byte(run<<4)|byte(s))
		w.put(e, s)
		run = 0
	}
	if run > 0 {
		w.sym(testAC, 0)
	}
}

func seg(buf *bytes.Buffer, m byte, body []byte) {
	buf.Write([]byte{0xff, m, byte((len(body) + 2) >> 8), byte(len(body) + 2)})
	buf.Write(body)
}

func dht(class, id byte, t *testTable) []byte {
	b := []byte{class<<4 | id}
	b = append(b, t.counts[:]...)
	return append(b, t.vals...)
}

// writeJPEG encodes f.
func writeJPEG(f rawFrame) []byte {
	var buf bytes.Buffer
	buf.Write([]byte{0xff, mSOI})
	if f.adobe > 0 {
		seg(&buf, mAPPE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(f.adobe - 1)})
	}
	q := f.q
	if q == 0 {
		q = 2
	}
	dqt := append([]byte{0}, bytes.Repeat([]byte{q}, 64)...)
	if f.qt != nil {
		for k, z := range unzig {
			dqt[1+k] = f.qt[z]
		}
	}
	seg(&buf, mDQT, dqt)
	sof := f.sof
	if sof == 0 {
		sof = mSOF0
	}
	body := []byte{8, byte(f.h >> 8), byte(f.h), byte(f.w >> 8), byte(f.w), byte(len(f.comps))}
	hMax, vMax := 1, 1
	for _, c := range f.comps {
		body = append(body, c.id, byte(c.h<<4|c.v), 0)
		hMax, vMax = max(hMax, c.h), max(vMax, c.v)
	}
	if len(f.prog) > 0 {
		sof = mSOF2
	}
	seg(&buf, sof, body)
	seg(&buf, mDHT, append(dht(0, 0, testDC), dht(1, 0, testAC)...))
	if f.ri > 0 {
		seg(&buf, mDRI, []byte{byte(f.ri >> 8), byte(f.ri)})
	}
	if len(f.prog) > 0 {
		writeProgScans(&buf, f, hMax, vMax)
		buf.Write([]byte{0xff, mEOI})
		return buf.Bytes()
	}
	scans := [][]int{}
	if f.separate || len(f.comps) == 1 {
		for i := range f.comps {
			scans = append(scans, []int{i})
		}
	} else {
		all := []int{}
		for i := range f.comps {
			all = append(all, i)
		}
		scans = append(scans, all)
	}
	for _, sc := range scans {
		body := []byte{byte(len(sc))}
		for _, i := range sc {
			body = append(body, f.comps[i].id, 0x00)
		}
		seg(&buf, mSOS, append(body, 0, 63, 0))
		w := &bitWriter{buf: &buf}
		var pred [4]int32
		nRST := 0
		restart := func(done, total int) {
			if f.ri == 0 || done%f.ri != 0 || done >= total {
				return
			}
			w.flush()
			m := byte(mRST0 + nRST%8)
			if f.rstBefore != nil {
				m = f.rstBefore(&buf, nRST, m)
			}
			buf.Write([]byte{0xff, m})
			nRST++
			pred = [4]int32{}
		}
		if len(sc) == 1 {
			c := f.comps[sc[0]]
			if len(f.comps) == 1 {
				c.h, c.v, hMax, vMax = 1, 1, 1, 1
			}
			bw := ((f.w*c.h+hMax-1)/hMax + 7) / 8
			bh := ((f.h*c.v+vMax-1)/vMax + 7) / 8
			for by := 0; by < bh; by++ {
				for bx := 0; bx < bw; bx++ {
					b := c.coef(bx, by)
					w.block(&b, &pred[0])
					restart(by*bw+bx+1, bw*bh)
				}
			}
		} else {
			mxx := (f.w + 8*hMax - 1) / (8 * hMax)
			myy := (f.h + 8*vMax - 1) / (8 * vMax)
			for my := 0; my < myy; my++ {
				for mx := 0; mx < mxx; mx++ {
					for _, i := range sc {
						c := f.comps[i]
						for j := 0; j < c.h*c.v; j++ {
							b := c.coef(mx*c.h+j%c.h, my*c.v+j/c.h)
							w.block(&b, &pred[i])
						}
					}
					restart(my*mxx+mx+1, mxx*myy)
				}
			}
		}
		w.flush()
	}
	buf.Write([]byte{0xff, mEOI})
	return buf.Bytes()
}

// progWriter writes the entropy-coded data of progressive scans (section
// G.1.2), with EOB runs and the correction bits they carry.
type progWriter struct {
	*bitWriter
	eobRun int    // blocks ended by the pending EOBn
	corr   []byte // correction bits that follow the pending EOBn
}

// flushEOB writes the pending EOB run and its correction bits.
func (w *progWriter) flushEOB() {
	if w.eobRun == 0 {
		return
	}
	r := uint(bits.Len(uint(w.eobRun)) - 1)
	w.sym(testACProg, byte(r<<4))
	w.put(uint32(w.eobRun)&(1<<r-1), r)
	for _, b := range w.corr {
		w.put(uint32(b), 1)
	}
	w.eobRun, w.corr = 0, w.corr[:0]
}

// endBlock counts a block that ends with an EOB, whose trailing correction
// bits are corr.
func (w *progWriter) endBlock(corr []byte) {
	w.eobRun++
	w.corr = append(w.corr, corr...)
	if w.eobRun == 0x7fff {
		w.flushEOB()
	}
}

// scaled returns |v| >> al with v's sign (the AC point transform, G.1.2.2).
func scaled(v int32, al int) int32 {
	if v < 0 {
		return -(-v >> al)
	}
	return v >> al
}

// acFirst writes band ss..se of c, point-transformed by al (G.1.2.2).
func (w *progWriter) acFirst(c *[64]int32, ss, se, al int) {
	r := 0
	for k := ss; k <= se; k++ {
		v := scaled(c[unzig[k]], al)
		if v == 0 {
			r++
			continue
		}
		w.flushEOB()
		for ; r > 15; r -= 16 {
			w.sym(testACProg, 0xf0)
		}
		s, e := magnitude(v)
		w.sym(testACProg, byte(r<<4)|byte(s))
		w.put(e, s)
		r = 0
	}
	if r > 0 {
		w.endBlock(nil)
	}
}

// acRefine writes bit al of band ss..se of c (G.1.2.3): a symbol for each
// coefficient that becomes non-zero, with the correction bits of the
// coefficients already non-zero that the decoder passes on the way.
func (w *progWriter) acRefine(c *[64]int32, ss, se, al int) {
	last := -1 // the last coefficient that becomes non-zero
	for k := ss; k <= se; k++ {
		if a := scaled(c[unzig[k]], al); a == 1 || a == -1 {
			last = k
		}
	}
	var corr []byte
	r := 0
	for k := ss; k <= se; k++ {
		v := scaled(c[unzig[k]], al)
		a := max(v, -v)
		if a == 0 {
			r++
			continue
		}
		for r > 15 && k <= last {
			w.flushEOB()
			w.sym(testACProg, 0xf0)
			r -= 16
			for _, b := range corr {
				w.put(uint32(b), 1)
			}
			corr = corr[:0]
		}
		if a > 1 {
			corr = append(corr, byte(a&1))
			continue
		}
		w.flushEOB()
		w.sym(testACProg, byte(r<<4)|1)
		if v > 0 {
			w.put(1, 1)
		} else {
			w.put(0, 1)
		}
		for _, b := range corr {
			w.put(uint32(b), 1)
		}
		corr, r = corr[:0], 0
	}
	if r > 0 || len(corr) > 0 {
		w.endBlock(corr)
	}
}

// writeProgScans writes the scans of f.prog, each preceded by the DHT of the
// AC table (as libjpeg does with optimised tables), and tables DC 0, AC 1.
func writeProgScans(buf *bytes.Buffer, f rawFrame, hMax, vMax int) {
	for _, sc := range f.prog {
		if sc.ss > 0 {
			seg(buf, mDHT, dht(1, 1, testACProg))
		}
		body := []byte{byte(len(sc.comps))}
		for _, i := range sc.comps {
			body = append(body, f.comps[i].id, 0x01)
		}
		seg(buf, mSOS, append(body, byte(sc.ss), byte(sc.se), byte(sc.ah<<4|sc.al)))
		w := &progWriter{bitWriter: &bitWriter{buf: buf}}
		var pred [4]int32
		nRST := 0
		restart := func(done, total int) {
			if f.ri == 0 || done%f.ri != 0 || done >= total {
				return
			}
			w.flushEOB()
			w.flush()
			m := byte(mRST0 + nRST%8)
			if f.rstBefore != nil {
				m = f.rstBefore(buf, nRST, m)
			}
			buf.Write([]byte{0xff, m})
			nRST++
			pred = [4]int32{}
		}
		block := func(i int, c *[64]int32) {
			switch {
			case sc.ss == 0 && sc.ah == 0:
				v := c[0] >> sc.al // arithmetic shift (G.1.2.1)
				s, e := magnitude(v - pred[i])
				pred[i] = v
				w.sym(testDC, byte(s))
				w.put(e, s)
			case sc.ss == 0:
				w.put(uint32(c[0]>>sc.al)&1, 1)
			case sc.ah == 0:
				w.acFirst(c, sc.ss, sc.se, sc.al)
			default:
				w.acRefine(c, sc.ss, sc.se, sc.al)
			}
		}
		if len(sc.comps) == 1 {
			c := f.comps[sc.comps[0]]
			hm, vm := hMax, vMax
			if len(f.comps) == 1 {
				c.h, c.v, hm, vm = 1, 1, 1, 1
			}
			bw := ((f.w*c.h+hm-1)/hm + 7) / 8
			bh := ((f.h*c.v+vm-1)/vm + 7) / 8
			for by := 0; by < bh; by++ {
				for bx := 0; bx < bw; bx++ {
					b := c.coef(bx, by)
					block(sc.comps[0], &b)
					restart(by*bw+bx+1, bw*bh)
				}
			}
		} else {
			mxx := (f.w + 8*hMax - 1) / (8 * hMax)
			myy := (f.h + 8*vMax - 1) / (8 * vMax)
			for my := 0; my < myy; my++ {
				for mx := 0; mx < mxx; mx++ {
					for _, i := range sc.comps {
						c := f.comps[i]
						for j := 0; j < c.h*c.v; j++ {
							b := c.coef(mx*c.h+j%c.h, my*c.v+j/c.h)
							block(i, &b)
						}
					}
					restart(my*mxx+mx+1, mxx*myy)
				}
			}
		}
		w.flushEOB()
		w.flush()
	}
}

// fdctCoef returns a coefficient source for a plane: the forward DCT (A.3.3,
// in float64, computed separably) of each 8×8 block, edge samples
// replicated, divided by q and rounded, with AC values clamped to the test
// table's size 10.
func fdctCoef(p *gray.Plane, q byte) func(bx, by int) [64]int32 {
	var qt [64]byte
	for i := range qt {
		qt[i] = q
	}
	return fdctCoefTable(p, &qt)
}

// stdQuant returns T.81 Table K.1 (the example luminance quantisation
// table, natural order) scaled to a quality as libjpeg does.
func stdQuant(quality int) *[64]byte {
	k1 := [64]int{
		16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
		14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
		18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
		49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
	}
	scale := 200 - 2*quality
	if quality < 50 {
		scale = 5000 / quality
	}
	var qt [64]byte
	for i, v := range k1 {
		qt[i] = byte(max(1, min(255, (v*scale+50)/100)))
	}
	return &qt
}

// cachedCoef computes every block of src once (bw×bh blocks), for files
// written with many scans.
func cachedCoef(src func(bx, by int) [64]int32, bw, bh int) func(bx, by int) [64]int32 {
	blocks := make([][64]int32, bw*bh)
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			blocks[by*bw+bx] = src(bx, by)
		}
	}
	return func(bx, by int) [64]int32 {
		if bx >= bw || by >= bh {
			return src(bx, by)
		}
		return blocks[by*bw+bx]
	}
}

// fdctCoefTable is fdctCoef with a quantisation table (natural order).
func fdctCoefTable(p *gray.Plane, qt *[64]byte) func(bx, by int) [64]int32 {
	var cos [8][8]float64 // cos[u][x] = C(u)/2 · cos((2x+1)uπ/16)
	for u := range 8 {
		cu := 0.5
		if u == 0 {
			cu = 0.5 / math.Sqrt2
		}
		for x := range 8 {
			cos[u][x] = cu * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16)
		}
	}
	return func(bx, by int) [64]int32 {
		var f, t [64]float64
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				sx, sy := min(8*bx+x, p.W-1), min(8*by+y, p.H-1)
				f[y*8+x] = float64(p.At(sx, sy)) - 128
			}
		}
		for y := range 8 { // rows: t[y][u]
			for u := range 8 {
				s := 0.0
				for x := range 8 {
					s += f[y*8+x] * cos[u][x]
				}
				t[y*8+u] = s
			}
		}
		var c [64]int32
		for v := range 8 {
			for u := range 8 {
				s := 0.0
				for y := range 8 {
					s += t[y*8+u] * cos[v][y]
				}
				r := math.Round(s / float64(qt[v*8+u]))
				c[v*8+u] = int32(max(-1023, min(1023, r)))
			}
		}
		return c
	}
}

// noiseCoef returns a seeded source of sparse random blocks (for chroma).
func noiseCoef(seed uint64) func(bx, by int) [64]int32 {
	return func(bx, by int) [64]int32 {
		rng := rand.New(rand.NewPCG(seed, uint64(bx)<<32|uint64(by)))
		var c [64]int32
		c[0] = int32(rng.IntN(200)) - 100
		for range rng.IntN(6) {
			c[1+rng.IntN(63)] = int32(rng.IntN(61)) - 30
		}
		return c
	}
}
