package qr

import (
	"context"
	"math"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// The fuzz targets of this package keep each execution cheap (small inputs,
// planes of at most 77×77 pixels, one grid per input, bounded budgets,
// buffers reused between inputs), so that the fuzzer runs about a thousand
// inputs a second or more. Their seed corpora in testdata/fuzz hold the
// edge cases: decodable symbols, blank planes, degenerate and NaN quads,
// coincident finder centres, all-dark and all-light matrices.

// FuzzDecodeQuad's input layout: byte 0 the module size (1–3 pixels, bits
// 0–1) and the quiet zone (0–7 pixels, bits 2–4); byte 1 bit 0 inverts the
// symbol, bit 1 mirrors it, bits 2–3 rotate the order of the quad's
// corners; bytes 2–9 move the corners off the symbol's (x then y, top-left
// first; a byte is a signed offset in sixteenths of the module size, −128
// meaning NaN); then the 21×21 modules of a version 1 symbol, one bit a
// module, row-major (missing bits light). Planes are at most 77×77 pixels.
const quadHeader = 10

// quadPlane renders data into a plane (reusing buf's pixels) and returns
// the quad of data.
func quadPlane(data []byte, buf *gray.Plane) (*gray.Plane, geom.Quad) {
	const n = 21
	var hdr [quadHeader]byte
	copy(hdr[:], data)
	bits := data[min(len(data), quadHeader):]
	ms := 1 + int(hdr[0]&3)%3
	margin := int(hdr[0]>>2) & 7
	side := n*ms + 2*margin
	if cap(buf.Pix) < side*side {
		buf.Pix = make([]byte, 77*77)
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

// packSymbol is FuzzDecodeQuad's input for the version 1 module matrix m
// with header hdr.
func packSymbol(hdr [quadHeader]byte, m [][]bool) []byte {
	out := append([]byte(nil), hdr[:]...)
	var cur byte
	k := 0
	for y := range m {
		for x := range m[y] {
			if m[y][x] {
				cur |= 1 << (k % 8)
			}
			if k++; k%8 == 0 {
				out = append(out, cur)
				cur = 0
			}
		}
	}
	return append(out, cur)
}

// fuzzOptions bound the work per input of FuzzDecodeQuad: one locating
// pass without pair completion, one grid per candidate and per pass (the
// near grid's rescue, the quad-frame finder search and the direct quad
// fits still run).
var fuzzOptions = Options{TryInverted: true, SinglePass: true, NoPairCompletion: true, MaxTransforms: 1, MaxFailedGrids: 1}

// FuzzDecodeQuad feeds small planes of arbitrary version 1 module
// patterns, in either polarity, mirrored or not, with quads off by up to
// 8 modules in every corner, in any rotation, coincident or NaN, to
// Detector.DecodeQuad: nothing may panic, and whatever decodes must carry
// a valid version, EC level and mask, and finite corners.
func FuzzDecodeQuad(f *testing.F) {
	// The seed corpus is testdata/fuzz/FuzzDecodeQuad; one decodable
	// symbol is added here too, so that plain `go test` checks its layout.
	m := encodeSymbol(f, "fuzz seed", decoder.ErrorCorrectionLevel_M, 1)
	f.Add(packSymbol([quadHeader]byte{1 | 4<<2}, m))
	d := NewDetector(fuzzOptions)
	var buf gray.Plane
	f.Fuzz(func(t *testing.T, data []byte) {
		p, q := quadPlane(data, &buf)
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
// mirrored, and with the corners rotated and moved by half a module.
func TestDecodeQuadSeed(t *testing.T) {
	m := encodeSymbol(t, "fuzz seed", decoder.ErrorCorrectionLevel_M, 1)
	cases := []struct {
		name string
		hdr  [quadHeader]byte
	}{
		{"2 px", [quadHeader]byte{1 | 4<<2}},
		{"3 px", [quadHeader]byte{2 | 7<<2}},
		{"inverted", [quadHeader]byte{1 | 4<<2, 1}},
		{"mirrored", [quadHeader]byte{1 | 4<<2, 2}},
		{"rotated, moved", [quadHeader]byte{1 | 4<<2, 2 << 2, 8, 8, 0xf8, 8, 8, 0xf8, 0xf8, 0xf8}},
	}
	d := NewDetector(Options{TryInverted: true})
	var buf gray.Plane
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, q := quadPlane(packSymbol(tc.hdr, m), &buf)
			s, err := d.DecodeQuad(context.Background(), p, q)
			if err != nil || s.Text != "fuzz seed" {
				t.Fatalf("got %q, %v", s.Text, err)
			}
		})
	}
}

// fitInput is FuzzFitGridLocal's input layout: the three finder centres
// (bytes 0–5, one byte a coordinate in pixels of the 150×150 scene), the
// module size (byte 6: 1 + b/32 pixels) and byte 7: bit 0 the polarity,
// bits 1–2 the grid method (gridLadder), bits 3–4 the version (7–10).
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
	s := sampler{p: sc.render(m), buf: new(gridBufs)}
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
	s := sampler{p: sc.render(m)}
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
