package qr

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// The fuzz targets of this package keep each execution cheap (small inputs,
// planes of at most 113×113 pixels, one grid per input, bounded budgets,
// buffers reused between inputs), so that the fuzzer runs a thousand
// inputs a second or more (#17). Their seed corpora in testdata/fuzz hold
// the edge cases: decodable symbols, blank planes, degenerate and NaN
// quads, coincident finder centres, all-dark and all-light matrices.

// FuzzDecodeQuad's input layout: byte 0 the module size (1–3 pixels, bits
// 0–1), the quiet zone (0–7 pixels, bits 2–4) and the version − 1 (bits
// 5–6: versions 1–4); byte 1 bit 0 inverts the symbol, bit 1 mirrors it,
// bits 2–3 rotate the order of the quad's corners; bytes 2–9 move the
// corners off the symbol's (x then y, top-left first; a byte is a signed
// offset in sixteenths of the module size, −128 meaning NaN); then the
// version's 21×21 to 33×33 modules, one bit a module, row-major (missing
// bits light). Planes are at most 113×113 pixels.
const quadHeader = 10

// quadMaxSide is the largest side, in pixels, of quadPlane's planes: 33
// modules of 3 pixels and two quiet zones of 7.
const quadMaxSide = 33*3 + 2*7

// quadPlane renders data into a plane (reusing buf's pixels) and returns
// the quad of data.
func quadPlane(data []byte, buf *gray.Plane) (*gray.Plane, geom.Quad) {
	var hdr [quadHeader]byte
	copy(hdr[:], data)
	bits := data[min(len(data), quadHeader):]
	n := dimensionForVersion(1 + int(hdr[0]>>5&3))
	ms := 1 + int(hdr[0]&3)%3
	margin := int(hdr[0]>>2) & 7
	side := n*ms + 2*margin
	if cap(buf.Pix) < side*side {
		buf.Pix = make([]byte, quadMaxSide*quadMaxSide)
	}
	buf.W, buf.H, buf.Stride, buf.Pix = side, side, side, buf.Pix[:side*side]
	dark, light := byte(20), byte(235)
	if hdr[1]&1 != 0 {
		dark, light = light, dark
	}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			v := light
			mx, my := (x-margin)/ms, (y-margin)/ms
			if hdr[1]&2 != 0 {
				mx, my = my, mx
			}
			if x >= margin && y >= margin && mx < n && my < n {
				if i := my*n + mx; i/8 < len(bits) && bits[i/8]>>(i%8)&1 != 0 {
					v = dark
				}
			}
			buf.Pix[y*side+x] = v
		}
	}
	lo, hi := float64(margin), float64(margin+n*ms)
	corners := [4]geom.Point{{X: lo, Y: lo}, {X: hi, Y: lo}, {X: hi, Y: hi}, {X: lo, Y: hi}}
	off := func(b byte) float64 {
		if b == 0x80 {
			return math.NaN()
		}
		return float64(int8(b)) * float64(ms) / 16
	}
	var q geom.Quad
	r := int(hdr[1]>>2) & 3
	for i := range q {
		c := corners[(i+r)%4]
		q[i] = geom.Point{X: c.X + off(hdr[2+2*i]), Y: c.Y + off(hdr[3+2*i])}
	}
	return buf, q
}

// packSymbol is FuzzDecodeQuad's input for the module matrix m (versions
// 1–4) with header hdr, whose version bits it sets.
func packSymbol(hdr [quadHeader]byte, m [][]bool) []byte {
	hdr[0] = hdr[0]&^(3<<5) | byte((len(m)-17)/4-1)<<5
	// The modules as packModules packs them, without its version byte.
	return append(hdr[:], packModules(m)[1:]...)
}

// fuzzOptions bound the work per input of FuzzDecodeQuad: one locating
// pass without pair completion, one grid per candidate and per pass (the
// near grid's rescue, the quad-frame finder search and the direct quad
// fits still run). fuzzCheapOptions drop the rescue rungs as well.
var (
	fuzzOptions      = Options{Polarity: BothPolarities, SinglePass: true, NoPairCompletion: true, MaxTransforms: 1, MaxFailedGrids: 1}
	fuzzCheapOptions = func() Options { o := fuzzOptions; o.NoRescue = true; return o }()
)

// quadFullEvery: one input in quadFullEvery (by a hash of its bytes, so
// that a mutation of any corpus entry is as likely as any other to get
// it) runs DecodeQuad with the rescue rungs (fuzzOptions), the others
// without them (fuzzCheapOptions). On a near-valid symbol the rescue —
// three rounds of the bend, deconvolution, the quad-frame template
// search and refinement — costs 5–40 ms even at version 1, about fifty
// times the rest of DecodeQuad; the other inputs take 0.1–2 ms.
const quadFullEvery = 64

// quadFull reports whether FuzzDecodeQuad reads data with the rescue rungs.
func quadFull(data []byte) bool {
	h := fnv.New32a()
	h.Write(data)
	return h.Sum32()%quadFullEvery == 0
}

// FuzzDecodeQuad feeds small planes of arbitrary version 1–4 module
// patterns, in either polarity, mirrored or not, with quads off by up to
// 8 modules in every corner, in any rotation, coincident or NaN, to
// Detector.DecodeQuad (with its rescue rungs for one input in
// quadFullEvery, see quadFull): nothing may panic, and whatever decodes
// must carry a valid version, EC level and mask, and finite corners.
func FuzzDecodeQuad(f *testing.F) {
	// The seed corpus is testdata/fuzz/FuzzDecodeQuad; decodable symbols
	// are added here too, so that plain `go test` checks the layout.
	f.Add(packSymbol([quadHeader]byte{1 | 4<<2}, encodeSymbol(f, "fuzz seed", decoder.ErrorCorrectionLevel_M, 1)))
	f.Add(packSymbol([quadHeader]byte{2 | 7<<2}, encodeSymbol(f, "fuzz seed v4", decoder.ErrorCorrectionLevel_M, 4)))
	full, cheap := NewDetector(fuzzOptions), NewDetector(fuzzCheapOptions)
	var buf gray.Plane
	f.Fuzz(func(t *testing.T, data []byte) {
		p, q := quadPlane(data, &buf)
		d := cheap
		if quadFull(data) {
			d = full
		}
		s, err := d.DecodeQuad(context.Background(), p, q)
		if err != nil {
			return
		}
		if s.Version < 1 || s.Version > 40 || s.ECLevel == "" || s.Mask < 0 || s.Mask > 7 {
			t.Errorf("invalid symbol %+v", s)
		}
		for _, c := range s.Corners {
			if !finitePoint(c) {
				t.Errorf("corners %v", s.Corners)
			}
		}
	})
}

// TestDecodeQuadSeed checks FuzzDecodeQuad's layout: a symbol rendered by
// quadPlane decodes at 2 and 3 pixels per module, in both polarities,
// mirrored, with the corners rotated and moved by half a module, and at
// versions 2 to 4, with and without the rescue rungs.
func TestDecodeQuadSeed(t *testing.T) {
	cases := []struct {
		name string
		v    int
		hdr  [quadHeader]byte
	}{
		{"2 px", 1, [quadHeader]byte{1 | 4<<2}},
		{"3 px", 1, [quadHeader]byte{2 | 7<<2}},
		{"inverted", 1, [quadHeader]byte{1 | 4<<2, 1}},
		{"mirrored", 1, [quadHeader]byte{1 | 4<<2, 2}},
		{"rotated, moved", 1, [quadHeader]byte{1 | 4<<2, 2 << 2, 8, 8, 0xf8, 8, 8, 0xf8, 0xf8, 0xf8}},
		{"v2", 2, [quadHeader]byte{1 | 4<<2}},
		{"v3 inverted mirrored", 3, [quadHeader]byte{1 | 4<<2, 3}},
		{"v4 3 px", 4, [quadHeader]byte{2 | 7<<2}},
	}
	var buf gray.Plane
	for _, opts := range []Options{{Polarity: BothPolarities}, fuzzCheapOptions} {
		d := NewDetector(opts)
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s rescue=%v", tc.name, !opts.NoRescue), func(t *testing.T) {
				text := fmt.Sprintf("fuzz seed v%d", tc.v)
				p, q := quadPlane(packSymbol(tc.hdr, encodeSymbol(t, text, decoder.ErrorCorrectionLevel_M, tc.v)), &buf)
				if p.W > quadMaxSide {
					t.Fatalf("plane of %d pixels, more than %d", p.W, quadMaxSide)
				}
				s, err := d.DecodeQuad(context.Background(), p, q)
				if err != nil || s.Text != text || s.Version != tc.v {
					t.Fatalf("got %q v%d, %v", s.Text, s.Version, err)
				}
			})
		}
	}
}

// fitInput is FuzzFitGridLocal's input layout: the three finder centres
// (bytes 0–5, one byte a coordinate in pixels of the 150×150 scene), the
// module size (byte 6: 1 + b/32 pixels) and byte 7: bit 0 the polarity,
// b>>1 modulo len(gridLadder) the grid method, bits 3–4 the version (7–10).
const fitInputLen = 8

// FuzzFitGridLocal fits one grid per input, by any method and with local
// transforms, to an arbitrary finder triple on a rendered version 7
// symbol: nothing may panic, and a local grid must have one homography
// per lattice cell.
func FuzzFitGridLocal(f *testing.F) {
	m := encodeSymbol(f, "fuzz local grid", decoder.ErrorCorrectionLevel_M, 7)
	n := len(m)
	nf := float64(n)
	sc := homographyScene(150, 150, n, geom.Quad{{X: 12, Y: 16}, {X: 138, Y: 8}, {X: 142, Y: 140}, {X: 8, Y: 134}})
	s := newSampler(sc.render(m))
	s.buf = new(gridBufs)
	centre := func(x, y float64) (byte, byte) {
		c := sc.toImage(geom.Point{X: x, Y: y})
		return byte(math.Round(c.X)), byte(math.Round(c.Y))
	}
	a, b := centre(3.5, 3.5)
	c, d := centre(nf-3.5, 3.5)
	e, g := centre(3.5, nf-3.5)
	for meth := range gridLadder {
		f.Add([]byte{a, b, c, d, e, g, 64, byte(meth << 1)})
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < fitInputLen {
			return
		}
		pt := func(i int) geom.Point { return geom.Point{X: float64(in[i]), Y: float64(in[i+1])} }
		ms := 1 + float64(in[6])/32
		fp := func(q geom.Point) finderPattern { return finderPattern{c: q, ms: ms, count: 1} }
		fr := newFinderFrame(s, fp(pt(0)), fp(pt(2)), fp(pt(4)), in[7]&1 == 1)
		side := dimensionForVersion(7 + int(in[7]>>3)%4)
		gr := fitGrid(s, &fr, side, true, gridLadder[int(in[7]>>1)%len(gridLadder)])
		if gr == nil {
			return
		}
		if gr.cells != nil {
			if k := len(gr.pos) - 1; len(gr.cells) != k*k {
				t.Fatalf("%d cells for %d lattice positions", len(gr.cells), len(gr.pos))
			}
		}
		readGrid(s, gr, fr.inv, samplingCentred)
	})
}

// TestFitGridLocalSeed checks that the true triple of FuzzFitGridLocal's
// scene reads with the alignNear method.
func TestFitGridLocalSeed(t *testing.T) {
	m := encodeSymbol(t, "fuzz local grid", decoder.ErrorCorrectionLevel_M, 7)
	n := len(m)
	nf := float64(n)
	sc := homographyScene(150, 150, n, geom.Quad{{X: 12, Y: 16}, {X: 138, Y: 8}, {X: 142, Y: 140}, {X: 8, Y: 134}})
	s := newSampler(sc.render(m))
	fp := func(x, y float64) finderPattern {
		c := sc.toImage(geom.Point{X: x, Y: y})
		return finderPattern{c: c, ms: sc.toImage(geom.Point{X: x + 1, Y: y}).Dist(c), count: 1}
	}
	fr := newFinderFrame(s, fp(3.5, 3.5), fp(nf-3.5, 3.5), fp(3.5, nf-3.5), false)
	g := fitGrid(s, &fr, n, true, alignNear)
	if g == nil {
		t.Fatal("no grid")
	}
	if sym, cerr := readGrid(s, g, false, samplingCentred); cerr != nil || sym.Text != "fuzz local grid" {
		t.Fatalf("got %q, %v", sym.Text, cerr)
	}
}
