package jpegluma

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// FuzzDecode checks that Decode never panics or hangs, and that it agrees
// with image/jpeg: when both succeed the planes have the same size and
// samples; when exactly one succeeds, the other must have called the file
// unsupported (jpegluma's ErrUnsupported, or image/jpeg's UnsupportedError
// for sampling factors it does not handle).
//
// Progressive files have one documented difference: Decode jumps over
// scans without luma, which image/jpeg decodes (and may refuse, or carry an
// over-long EOB run out of). Where the two disagree on such a file, Decode
// must agree with image/jpeg on the file without those scans
// (withoutChromaScans).
func FuzzDecode(f *testing.F) {
	src := planeOf(grayPattern(19, 13, 1))
	colour := func(h, v int) []rawComp {
		return append([]rawComp{lumaComp(src, h, v)}, chromaComps(1, 1)...)
	}
	seeds := [][]byte{
		encode(f, grayPattern(9, 9, 1), 75),
		encode(f, photoYCbCr(17, 11, image.YCbCrSubsampleRatio420, 1), 50),
		writeJPEG(rawFrame{w: src.W, h: src.H, ri: 1, comps: []rawComp{lumaComp(src, 1, 1)}}),
		writeJPEG(rawFrame{w: src.W, h: src.H, ri: 2, comps: colour(2, 1)}),
		writeJPEG(rawFrame{w: src.W, h: src.H, separate: true, comps: colour(2, 2)}),
		writeJPEG(rawFrame{w: src.W, h: src.H, prog: scriptGray, comps: []rawComp{lumaComp(src, 1, 1)}}),
		writeJPEG(rawFrame{w: src.W, h: src.H, ri: 2, prog: scriptApprox, comps: []rawComp{lumaComp(src, 1, 1)}}),
		writeJPEG(rawFrame{w: src.W, h: src.H, prog: scriptColour, comps: colour(2, 2)}),
		writeJPEG(rawFrame{w: src.W, h: src.H, ri: 3, prog: colourScript(scriptSpectral), comps: colour(1, 1)}),
	}
	fixtures, _ := filepath.Glob("testdata/*.jpg")
	for _, name := range fixtures {
		if data, err := os.ReadFile(name); err == nil {
			seeds = append(seeds, data)
		}
	}
	for _, s := range seeds {
		f.Add(s)
		f.Add(s[:len(s)/2])
		f.Add(append(append([]byte{}, s[:len(s)*3/4]...), 0xff, mEOI))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err == nil && cfg.Width*cfg.Height > 1<<20 {
			return
		}
		got, err := Decode(data, nil)
		if err != nil && !errors.Is(err, ErrUnsupported) {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is neither ErrUnsupported nor *FormatError", err)
			}
		}
		// A reused plane, dirty from another image, gives the same result:
		// every sample of the W×H image is written (or cleared) by Decode
		// (the padding of partial MCUs beyond it need not be).
		dirty := &gray.Plane{Pix: bytes.Repeat([]byte{0xa5}, 1<<12)}
		again, err2 := Decode(data, dirty)
		if (err == nil) != (err2 == nil) || err == nil && (again.W != got.W || again.H != got.H || again.Stride != got.Stride) {
			t.Fatalf("decoding into a dirty plane differs: %v, %v", err, err2)
		}
		for y := 0; err == nil && y < got.H; y++ {
			if !bytes.Equal(got.Pix[y*got.Stride:][:got.W], again.Pix[y*got.Stride:][:got.W]) {
				t.Fatalf("decoding into a dirty plane differs in row %d", y)
			}
		}
		msg := agree(got, err, data)
		if msg != "" && bytes.Contains(data, []byte{0xff, mSOF2}) && agreeSkipped(got, err, data) {
			return
		}
		if msg != "" {
			t.Fatal(msg)
		}
	})
}

// agreeSkipped tells whether Decode's result (got, err) is image/jpeg's
// on data without its chroma-only progressive scans. Where no scan is left,
// image/jpeg reports a missing SOS marker; Decode, which has seen the SOS
// segments, must then return a zero plane, as image/jpeg does for a frame
// whose scans leave luma out.
func agreeSkipped(got *gray.Plane, err error, data []byte) bool {
	stripped := withoutChromaScans(data)
	if agree(got, err, stripped) == "" {
		return true
	}
	_, werr := jpeg.Decode(bytes.NewReader(stripped))
	if err != nil || werr == nil || werr.Error() != jpeg.FormatError("missing SOS marker").Error() {
		return false
	}
	for _, v := range got.Pix {
		if v != 0 {
			return false
		}
	}
	return true
}

// agree compares Decode's result (got, err) with image/jpeg on ref and
// returns what disagrees, or "".
func agree(got *gray.Plane, err error, ref []byte) string {
	unsupported := errors.Is(err, ErrUnsupported)
	img, werr := jpeg.Decode(bytes.NewReader(ref))
	var ju jpeg.UnsupportedError
	switch {
	case err == nil && werr == nil:
		want, ok, _ := stdLuma(ref)
		if !ok {
			return "Decode succeeded; image/jpeg returned " + typeName(img)
		}
		if d, x, y := maxDiff(got, want); d != 0 {
			return fmtDiff(got, want, d, x, y)
		}
	case err == nil && !errors.As(werr, &ju):
		return "Decode succeeded; image/jpeg: " + werr.Error()
	case err != nil && !unsupported && werr == nil:
		return "Decode: " + err.Error() + "; image/jpeg succeeded"
	}
	return ""
}

// withoutChromaScans returns data without the scans of a progressive frame
// that do not include its first (luma) component: their SOS segment and
// entropy-coded data, up to the next marker that is not RSTn. Segments it
// cannot parse are kept as they are.
func withoutChromaScans(data []byte) []byte {
	var out []byte
	luma, haveLuma := byte(0), false
	last := 0
	for p := 2; p+1 < len(data); {
		if data[p] != 0xff || data[p+1] == 0 || data[p+1] == 0xff {
			p++
			continue
		}
		m := data[p+1]
		if m == mEOI {
			break
		}
		if m == mSOI || (mRST0 <= m && m <= mRST7) || p+4 > len(data) {
			p += 2
			continue
		}
		n := int(data[p+2])<<8 | int(data[p+3])
		body := data[p+4 : min(len(data), p+2+max(n, 2))]
		switch {
		case m == mSOF2 && len(body) >= 7:
			luma, haveLuma = body[6], true
		case m == mSOS && haveLuma && len(body) >= 1 && n == 6+2*int(body[0]) && len(body) == n-2:
			keep := false
			for i := 0; i < int(body[0]); i++ {
				keep = keep || body[1+2*i] == luma
			}
			if !keep {
				d := decoder{data: data}
				end := d.skipScan(p + 2 + n)
				out = append(out, data[last:p]...)
				last, p = end, end
				continue
			}
		}
		p += 2 + max(n, 0)
	}
	return append(out, data[last:]...)
}
