package imgio

import (
	"errors"
	"strings"
	"testing"
)

// fuzzLimits keep one execution cheap (issue #17: a fuzz target must run
// ≥ 1,000 times a second): a 256×256 page at most, 1 MiB of decoder memory,
// four pages. The defaults would let a mutated header ask for 64 MiB.
var fuzzLimits = Limits{MaxPixels: 1 << 16, MaxWork: 1 << 18, MaxDecodeBytes: 1 << 20, MaxPages: 4}

// checkFuzzError fails t unless err is one of the documented kinds with a
// message in client terms: no package name, no byte offset.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var (
		fe *FormatError
		ue *UnsupportedError
		le *LimitError
	)
	if !errors.Is(err, ErrEmpty) && !errors.As(err, &fe) && !errors.As(err, &ue) && !errors.As(err, &le) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	msg := err.Error()
	for _, bad := range []string{"imgio", "jpegluma", "offset", "image/", "x/image", "panic"} {
		if strings.Contains(msg, bad) {
			t.Fatalf("message %q names %q", msg, bad)
		}
	}
}

// FuzzDecode feeds arbitrary bytes to DecodeConfig and Decode. Seeds are the
// committed files under testdata/fuzz/FuzzDecode (one small file of every
// format, see TestGenerateTestdata, and the small bombs of
// TestGenerateBombSeeds) plus sampleFiles. Properties:
//   - no panic escapes (decoder panics become *FormatError);
//   - every error is one of the documented kinds, its message in client
//     terms (checkFuzzError);
//   - on success, the plane is consistent with Info and with DecodeConfig.
//
// fuzzLimits cut large images off to keep iterations fast.
func FuzzDecode(f *testing.F) {
	for _, s := range sampleFiles(f) {
		f.Add(s.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cfgErr := DecodeConfig(data)
		p, info, err := Decode(data, fuzzLimits)
		if err != nil {
			checkFuzzError(t, err)
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
