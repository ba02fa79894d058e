package jpegluma

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"testing"
)

// FuzzDecode checks that Decode never panics or hangs, and that it agrees
// with image/jpeg: when both succeed the planes have the same size and
// samples; when exactly one succeeds, the other must have called the file
// unsupported (jpegluma's ErrUnsupported, or image/jpeg's UnsupportedError
// for sampling factors it does not handle).
func FuzzDecode(f *testing.F) {
	src := planeOf(grayPattern(19, 13, 1))
	seeds := [][]byte{
		encode(f, grayPattern(9, 9, 1), 75),
		encode(f, photoYCbCr(17, 11, image.YCbCrSubsampleRatio420, 1), 50),
		writeJPEG(rawFrame{w: src.W, h: src.H, ri: 1, comps: []rawComp{lumaComp(src, 1, 1)}}),
		writeJPEG(rawFrame{w: src.W, h: src.H, ri: 2,
			comps: append([]rawComp{lumaComp(src, 2, 1)}, chromaComps(1, 1)...)}),
		writeJPEG(rawFrame{w: src.W, h: src.H, separate: true,
			comps: append([]rawComp{lumaComp(src, 2, 2)}, chromaComps(1, 1)...)}),
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
		unsupported := errors.Is(err, ErrUnsupported)
		if err != nil && !unsupported {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is neither ErrUnsupported nor *FormatError", err)
			}
		}
		img, werr := jpeg.Decode(bytes.NewReader(data))
		var ju jpeg.UnsupportedError
		switch {
		case err == nil && werr == nil:
			want, ok, _ := stdLuma(data)
			if !ok {
				t.Fatalf("Decode succeeded; image/jpeg returned %T", img)
			}
			if d, x, y := maxDiff(got, want); d != 0 {
				t.Fatalf("%dx%d, image/jpeg %dx%d: differs by %d at (%d,%d)", got.W, got.H, want.W, want.H, d, x, y)
			}
		case err == nil && !errors.As(werr, &ju):
			t.Fatalf("Decode succeeded; image/jpeg: %v", werr)
		case err != nil && !unsupported && werr == nil:
			t.Fatalf("Decode: %v; image/jpeg succeeded", err)
		}
	})
}
