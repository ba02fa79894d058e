package jpegluma

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// checkSame decodes data with Decode and image/jpeg and requires the same
// outcome: both fail, or both succeed with identical luma planes.
func checkSame(t *testing.T, data []byte) {
	t.Helper()
	got, err := Decode(data, nil)
	want, ok, werr := stdLuma(data)
	switch {
	case err != nil && werr != nil:
		return
	case err != nil:
		t.Fatalf("Decode: %v; image/jpeg succeeds", err)
	case werr != nil:
		t.Fatalf("Decode succeeds; image/jpeg: %v", werr)
	case !ok:
		t.Fatalf("image/jpeg returned no luma plane where Decode succeeded")
	}
	if got.Stride != want.Stride {
		t.Errorf("stride %d, image/jpeg %d", got.Stride, want.Stride)
	}
	if d, x, y := maxDiff(got, want); d != 0 {
		t.Fatalf("%dx%d vs %dx%d: differs by %d at (%d,%d)", got.W, got.H, want.W, want.H, d, x, y)
	}
}

// TestDecodeMatchesStdlib compares Decode with image/jpeg on files written
// by image/jpeg: gray and 4:2:0 colour, odd sizes, qualities 1 to 100.
func TestDecodeMatchesStdlib(t *testing.T) {
	sizes := [][2]int{{1, 1}, {8, 8}, {17, 9}, {16, 16}, {1001, 7}, {7, 1001}, {333, 211}}
	for _, sz := range sizes {
		for _, q := range []int{1, 50, 75, 90, 100} {
			w, h := sz[0], sz[1]
			t.Run(fmt.Sprintf("gray-%dx%d-q%d", w, h, q), func(t *testing.T) {
				checkSame(t, encode(t, grayPattern(w, h, uint64(w*h+q)), q))
			})
			t.Run(fmt.Sprintf("ycbcr420-%dx%d-q%d", w, h, q), func(t *testing.T) {
				checkSame(t, encode(t, photoYCbCr(w, h, image.YCbCrSubsampleRatio420, uint64(q)), q))
			})
		}
	}
}

// lumaComp returns the luma component of a rawFrame for the plane p.
func lumaComp(p *gray.Plane, h, v int) rawComp {
	return rawComp{id: 1, h: h, v: v, coef: fdctCoef(p, 2)}
}

func chromaComps(h, v int) []rawComp {
	return []rawComp{
		{id: 2, h: h, v: v, coef: noiseCoef(2)},
		{id: 3, h: h, v: v, coef: noiseCoef(3)},
	}
}

func planeOf(m *image.Gray) *gray.Plane {
	b := m.Bounds()
	return &gray.Plane{W: b.Dx(), H: b.Dy(), Stride: m.Stride, Pix: m.Pix}
}

// TestDecodeLayouts writes frames that image/jpeg's encoder cannot (restart
// intervals, every chroma subsampling image/jpeg decodes, one scan per
// component) and compares Decode with image/jpeg on them.
func TestDecodeLayouts(t *testing.T) {
	src := planeOf(grayPattern(77, 45, 5))
	type layout struct {
		name       string
		yh, yv     int
		ch, cv     int // 0: gray
		ri         int
		separate   bool
		wantStride int
	}
	var cases []layout
	for _, s := range []struct {
		name           string
		yh, yv, ch, cv int
	}{
		{"gray", 1, 1, 0, 0}, {"gray-declared-2x2", 2, 2, 0, 0},
		{"444", 1, 1, 1, 1}, {"422", 2, 1, 1, 1}, {"440", 1, 2, 1, 1},
		{"420", 2, 2, 1, 1}, {"411", 4, 1, 1, 1}, {"410", 4, 2, 1, 1},
		{"420-chroma-2x1", 2, 2, 2, 1},
	} {
		for _, ri := range []int{0, 1, 3, 7} {
			for _, sep := range []bool{false, true} {
				if sep && s.ch == 0 {
					continue
				}
				if sep && ri > 0 && s.yh*s.yv != 1 {
					continue // unsupported here (see TestDecodeUnsupported)
				}
				cases = append(cases, layout{
					name: fmt.Sprintf("%s-ri%d-separate=%v", s.name, ri, sep),
					yh:   s.yh, yv: s.yv, ch: s.ch, cv: s.cv, ri: ri, separate: sep,
				})
			}
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := rawFrame{w: src.W, h: src.H, ri: c.ri, separate: c.separate,
				comps: []rawComp{lumaComp(src, c.yh, c.yv)}}
			if c.ch > 0 {
				f.comps = append(f.comps, chromaComps(c.ch, c.cv)...)
			}
			data := writeJPEG(f)
			if _, err := Decode(data, nil); err != nil {
				t.Fatal(err)
			}
			checkSame(t, data)
		})
	}
}

// TestDecodeOtherSampling checks sampling factors image/jpeg refuses (3,
// V = 4 for luma, chroma factors that do not divide luma's): the luma plane
// must equal image/jpeg's decoding of a gray file with the same luma
// coefficients.
func TestDecodeOtherSampling(t *testing.T) {
	src := planeOf(grayPattern(61, 53, 9))
	ref := writeJPEG(rawFrame{w: src.W, h: src.H, comps: []rawComp{lumaComp(src, 1, 1)}})
	want, _, err := stdLuma(ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name           string
		yh, yv, ch, cv int
		ri             int
	}{
		{"3x1-1x1", 3, 1, 1, 1, 0}, {"1x3-1x1", 1, 3, 1, 1, 0}, {"3x2-1x1", 3, 2, 1, 1, 2},
		{"2x4-1x1", 2, 4, 1, 1, 0}, {"4x1-3x1", 4, 1, 3, 1, 0}, {"3x2-2x1-ri5", 3, 2, 2, 1, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := writeJPEG(rawFrame{w: src.W, h: src.H, ri: c.ri,
				comps: append([]rawComp{lumaComp(src, c.yh, c.yv)}, chromaComps(c.ch, c.cv)...)})
			got, err := Decode(data, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d, x, y := maxDiff(got, want); d != 0 {
				t.Errorf("differs from the gray reference by %d at (%d,%d)", d, x, y)
			}
			if got.Stride%(8*c.yh) != 0 || got.Stride < got.W {
				t.Errorf("stride %d is not whole MCUs of %d", got.Stride, 8*c.yh)
			}
		})
	}
}

// TestDecodeRestartMarkers checks restart-marker handling against image/jpeg:
// bytes before a marker are skipped, a wrong or missing marker is an error.
func TestDecodeRestartMarkers(t *testing.T) {
	src := planeOf(grayPattern(40, 40, 3))
	cases := []struct {
		name   string
		before func(buf *bytes.Buffer, i int, m byte) byte
		ok     bool
	}{
		{"clean", nil, true},
		{"garbage-before-rst", func(buf *bytes.Buffer, i int, m byte) byte {
			if i == 2 {
				buf.Write([]byte{0x12, 0xff, 0x00, 0x34})
			}
			return m
		}, true},
		{"fill-bytes-before-rst", func(buf *bytes.Buffer, i int, m byte) byte {
			if i == 1 {
				buf.Write([]byte{0xff, 0xff})
			}
			return m
		}, true},
		{"wrong-rst-number", func(buf *bytes.Buffer, i int, m byte) byte {
			if i == 1 {
				return m ^ 1
			}
			return m
		}, false},
		{"other-marker", func(buf *bytes.Buffer, i int, m byte) byte {
			if i == 1 {
				return mCOM
			}
			return m
		}, false},
	}
	for _, c := range cases {
		for _, layout := range []string{"gray", "420"} {
			t.Run(c.name+"-"+layout, func(t *testing.T) {
				f := rawFrame{w: src.W, h: src.H, ri: 2, rstBefore: c.before,
					comps: []rawComp{lumaComp(src, 1, 1)}}
				if layout == "420" {
					f.comps = []rawComp{lumaComp(src, 2, 2)}
					f.comps = append(f.comps, chromaComps(1, 1)...)
				}
				data := writeJPEG(f)
				_, err := Decode(data, nil)
				if (err == nil) != c.ok {
					t.Fatalf("Decode error %v, want ok=%v", err, c.ok)
				}
				var fe *FormatError
				if err != nil && !errors.As(err, &fe) {
					t.Fatalf("error %v is not a *FormatError", err)
				}
				checkSame(t, data)
			})
		}
	}
}

// TestDecodeMarkers checks the marker loop: APPn and COM segments, fill
// bytes and extraneous bytes between segments are skipped as image/jpeg
// skips them.
func TestDecodeMarkers(t *testing.T) {
	base := encode(t, grayPattern(30, 20, 1), 80)
	insert := func(at int, b ...byte) []byte {
		return append(append(append([]byte{}, base[:at]...), b...), base[at:]...)
	}
	cases := map[string][]byte{
		"com":            insert(2, 0xff, mCOM, 0, 5, 'a', 'b', 'c'),
		"app15":          insert(2, 0xff, mAPPF, 0, 3, 9),
		"fill-bytes":     insert(2, 0xff, 0xff, 0xff),
		"extraneous":     insert(2, 1, 2, 3),
		"stuffed-zero":   insert(2, 0xff, 0x00),
		"stray-rst":      insert(2, 0xff, mRST0+3),
		"app0-short":     insert(2, 0xff, mAPP0, 0, 2),
		"trailing-bytes": append(append([]byte{}, base...), 1, 2, 3),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode(data, nil); err != nil {
				t.Fatal(err)
			}
			checkSame(t, data)
		})
	}
}

// TestDecodeUnsupported checks that each variant this package leaves to a
// general decoder gives an error wrapping ErrUnsupported.
func TestDecodeUnsupported(t *testing.T) {
	src := planeOf(grayPattern(24, 16, 2))
	gray1 := encode(t, grayPattern(24, 16, 2), 90)
	sofAt := bytes.Index(gray1, []byte{0xff, mSOF0})
	patch := func(off int, b byte) []byte {
		d := append([]byte{}, gray1...)
		d[sofAt+off] = b
		return d
	}
	color := func(f rawFrame) []byte {
		f.w, f.h = src.W, src.H
		if f.comps == nil {
			f.comps = append([]rawComp{lumaComp(src, 2, 2)}, chromaComps(1, 1)...)
		}
		return writeJPEG(f)
	}
	overSubscribed := append([]byte{}, gray1...)
	dhtAt := bytes.Index(overSubscribed, []byte{0xff, mDHT})
	overSubscribed[dhtAt+5] = 3  // three codes of length 1 (of length 3 in
	overSubscribed[dhtAt+7] -= 3 // image/jpeg's luminance DC table: same total)
	cases := map[string][]byte{
		"lossless":   patch(1, 0xc3),
		"arithmetic": patch(1, 0xc9),
		"12-bit":     patch(4, 12),
		"dnl-height": append(patch(5, 0), nil...),
		"cmyk": color(rawFrame{comps: append(append([]rawComp{lumaComp(src, 1, 1)}, chromaComps(1, 1)...),
			rawComp{id: 4, h: 1, v: 1, coef: noiseCoef(4)})}),
		"rgb-adobe": color(rawFrame{adobe: 1}),
		"rgb-ids": color(rawFrame{comps: []rawComp{{id: 'R', h: 1, v: 1, coef: fdctCoef(src, 2)},
			{id: 'G', h: 1, v: 1, coef: noiseCoef(1)}, {id: 'B', h: 1, v: 1, coef: noiseCoef(2)}}}),
		"chroma-denser":      color(rawFrame{comps: append([]rawComp{lumaComp(src, 1, 1)}, chromaComps(2, 1)...)}),
		"separate-420-ri":    color(rawFrame{separate: true, ri: 2}),
		"progressive-420-ri": color(rawFrame{prog: scriptColour, ri: 2}),
		"over-subscribed":    overSubscribed,
		"dnl-marker-present": append(append([]byte{}, gray1[:len(gray1)-2]...), 0xff, mDNL, 0, 4, 0, 16, 0xff, mEOI),
	}
	cases["dnl-height"][sofAt+6] = 0
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(data, nil)
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error %v, want ErrUnsupported", err)
			}
		})
	}
	// Adobe transform 1 (YCbCr) is not RGB, and neither is a JFIF file with
	// ids 'R','G','B', even when a short APP0 follows the JFIF one —
	// image/jpeg's rules.
	jfif := []byte{0xff, mAPP0, 0, 7, 'J', 'F', 'I', 'F', 0}
	withAPP0 := func(data []byte, app0 ...byte) []byte {
		return append(append([]byte{0xff, mSOI}, app0...), data[2:]...)
	}
	for name, data := range map[string][]byte{
		"adobe-ycbcr":             color(rawFrame{adobe: 2}),
		"jfif-rgb-ids":            withAPP0(cases["rgb-ids"], jfif...),
		"jfif-short-app0-rgb-ids": withAPP0(cases["rgb-ids"], append(jfif, 0xff, mAPP0, 0, 4, 1, 2)...),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode(data, nil); err != nil {
				t.Fatal(err)
			}
			checkSame(t, data)
		})
	}
}

// TestDecodeBadInput checks malformed and truncated input: a *FormatError,
// never a panic, and the same accept/reject decision as image/jpeg.
func TestDecodeBadInput(t *testing.T) {
	gray1 := encode(t, grayPattern(40, 24, 4), 75)
	col := encode(t, photoYCbCr(40, 24, image.YCbCrSubsampleRatio420, 4), 75)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"no-soi", []byte{0xff, 0xd9}},
		{"soi-only", []byte{0xff, mSOI}},
		{"sos-before-sof", []byte{0xff, mSOI, 0xff, mSOS, 0, 8, 1, 1, 0, 0, 63, 0, 0xff, mEOI}},
		{"short-segment-length", []byte{0xff, mSOI, 0xff, mCOM, 0, 1, 0xff, mEOI}},
		{"unknown-marker", []byte{0xff, mSOI, 0xff, 0x01, 0, 2, 0xff, mEOI}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data, nil)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want *FormatError", err)
			}
			checkSame(t, c.data)
		})
	}
	// Every truncation, and every truncation followed by EOI (which makes
	// the entropy-coded data end early): same decision as image/jpeg.
	for name, data := range map[string][]byte{"gray": gray1, "420": col} {
		t.Run("truncated-"+name, func(t *testing.T) {
			for n := 0; n < len(data); n++ {
				cut := data[:n]
				if _, err := Decode(cut, nil); err == nil {
					t.Fatalf("prefix of %d bytes accepted", n)
				}
				withEOI := append(append([]byte{}, cut...), 0xff, mEOI)
				checkSame(t, withEOI)
			}
		})
	}
}

// TestDecodeReuse checks the dst contract: a large enough plane is reused,
// and a warm Decode into it allocates nothing.
func TestDecodeReuse(t *testing.T) {
	a := encode(t, grayPattern(100, 60, 1), 90)
	b := encode(t, photoYCbCr(64, 32, image.YCbCrSubsampleRatio420, 2), 90)
	dst := &gray.Plane{}
	for i, data := range [][]byte{a, b, a} {
		got, err := Decode(data, dst)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := stdLuma(data)
		if d, _, _ := maxDiff(got, want); d != 0 {
			t.Fatalf("decode %d into a reused plane differs", i)
		}
		if got != dst {
			t.Fatalf("decode %d did not return dst", i)
		}
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = Decode(a, dst) }); n != 0 {
		t.Errorf("Decode into a reused plane: %v allocations, want 0", n)
	}
}

// TestDecodeConfigAgrees checks that the plane has image/jpeg's dimensions.
func TestDecodeConfigAgrees(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {9, 17}, {640, 3}} {
		data := encode(t, photoYCbCr(sz[0], sz[1], image.YCbCrSubsampleRatio420, 1), 60)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Decode(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.W != cfg.Width || p.H != cfg.Height {
			t.Errorf("%dx%d, DecodeConfig %dx%d", p.W, p.H, cfg.Width, cfg.Height)
		}
	}
}
