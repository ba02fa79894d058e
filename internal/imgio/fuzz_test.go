package imgio

import (
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to DecodeConfig and Decode. Seeds are the
// committed files under testdata/fuzz/FuzzDecode (one small file of every
// format, see TestGenerateTestdata) plus sampleFiles. Properties:
//   - no panic escapes (decoder panics become *FormatError);
//   - every error is one of the documented kinds;
//   - on success, the plane is consistent with Info and with DecodeConfig.
//
// Large images are cut off by a small pixel limit to keep iterations fast.
func FuzzDecode(f *testing.F) {
	for _, s := range sampleFiles(f) {
		f.Add(s.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cfgErr := DecodeConfig(data)
		p, info, err := Decode(data, Limits{MaxPixels: 1 << 20})
		if err != nil {
			var (
				fe *FormatError
				ue *UnsupportedError
				le *LimitError
			)
			if !errors.Is(err, ErrEmpty) && !errors.As(err, &fe) && !errors.As(err, &ue) && !errors.As(err, &le) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if p != nil {
				t.Fatal("plane returned with an error")
			}
			return
		}
		if cfgErr != nil {
			t.Fatalf("Decode succeeded but DecodeConfig failed: %v", cfgErr)
		}
		if cfg != info {
			t.Fatalf("DecodeConfig %+v != Decode info %+v", cfg, info)
		}
		if p.W != info.Width || p.H != info.Height || p.W <= 0 || p.H <= 0 {
			t.Fatalf("plane %dx%d, info %+v", p.W, p.H, info)
		}
		if p.Stride < p.W || len(p.Pix) < (p.H-1)*p.Stride+p.W {
			t.Fatalf("plane stride %d len %d for %dx%d", p.Stride, len(p.Pix), p.W, p.H)
		}
		if info.Orientation < 1 || info.Orientation > 8 {
			t.Fatalf("orientation %d", info.Orientation)
		}
	})
}
