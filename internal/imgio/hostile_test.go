package imgio

import (
	"encoding/binary"
	"errors"
	"image"
	"runtime"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/hostile"
)

// allocated returns the bytes fn allocates (runtime.MemStats.TotalAlloc),
// an upper bound of the heap it adds at its peak.
func allocated(fn func()) uint64 {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	fn()
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc
}

// TestHostileRefusedByHeader reads the bombs of issue #17 at their full
// size (7000×7000, 49,999,999×1) with the default limits plus the shape
// limits a QR reader uses: each is refused with a *LimitError of the
// expected kind, in well under a second, having allocated under 1 MB.
func TestHostileRefusedByHeader(t *testing.T) {
	want := map[string]string{
		"png-rgba16":            LimitMemory,
		"png-rgba16-interlaced": LimitMemory,
		"png-gray-wide-strip":   LimitSide,
		"png-gray-tall-strip":   LimitSide,
		"tiff-20-pages":         LimitMemory, // page 1 already: 8-bit gray plus its strip buffer
		"gif-20-frames":         LimitWork,
		"webp-lossless":         LimitMemory,
		"bmp-header-only":       LimitMemory,
		"jpeg-huge-dims":        LimitPixels,
		"jpeg-blank":            "", // 49 MB of luma: within the budget
		"jpeg-progressive":      LimitMemory,
		"jpeg-progressive-cmyk": LimitMemory,
	}
	lim := Limits{MinSide: DefaultMinSide, MaxAspect: DefaultMaxAspect}
	for _, b := range hostile.All(7000, 49_999_999) {
		w, ok := want[b.Name]
		if !ok {
			t.Errorf("%s: no expectation", b.Name)
			continue
		}
		if w == "" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			var err error
			start := time.Now()
			alloc := allocated(func() {
				_, err = DecodePages(b.Data, lim, func(int, *gray.Plane) error { return nil })
			})
			took := time.Since(start)
			var le *LimitError
			if !errors.As(err, &le) || le.What != w {
				t.Fatalf("err = %v, want a *LimitError %q", err, w)
			}
			if alloc > 1<<20 || took > time.Second {
				t.Errorf("refusal allocated %d bytes in %v", alloc, took)
			}
			t.Logf("%d bytes: %v (%d bytes allocated, %v)", len(b.Data), err, alloc, took)
		})
	}
}

// TestDecodeCostBoundsAllocation decodes the bombs at a size the budget
// lets through (512×512, strips of 30000×1) with the memory limit off and
// checks decodeCost, the estimate the limit is checked against, against
// the bytes the decode really allocates: the estimate must not be lower.
// Pages after the first are not estimated by decodeCost, so the GIF and
// TIFF bombs are read with Decode (their first page).
func TestDecodeCostBoundsAllocation(t *testing.T) {
	lim := Limits{MaxDecodeBytes: -1}
	for _, b := range hostile.All(512, 30000) {
		if b.Name == "jpeg-huge-dims" {
			continue // header only
		}
		t.Run(b.Name, func(t *testing.T) {
			cfg, err := decodeConfig(b.Data, b.Format)
			if err != nil {
				t.Fatal(err)
			}
			est := decodeCost(b.Data, b.Format, cfg, false)
			if b.Name == "jpeg-progressive-cmyk" {
				est = decodeCost(b.Data, b.Format, cfg, true) // left to image/jpeg
			}
			var p *gray.Plane
			alloc := allocated(func() { p, _, err = Decode(b.Data, lim) })
			if b.Name == "bmp-header-only" {
				// No pixel data: the decoder allocates, then fails.
				var fe *FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want a *FormatError", err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if p.W != b.Width || p.H != b.Height {
				t.Fatalf("plane %dx%d, want %dx%d", p.W, p.H, b.Width, b.Height)
			}
			// 64 KB of slack: decoder structures that do not scale with
			// the pixels (Huffman tables, zlib state, readers).
			if alloc > uint64(est)+64<<10 {
				t.Errorf("allocated %d bytes, estimated %d", alloc, est)
			}
			t.Logf("allocated %d bytes, estimated %d", alloc, est)
		})
	}
}

// TestWorkLimit checks the total-work limit over the pages of a TIFF file
// (16 + 15 pixels): refused before the first page is given when over, and
// following MaxPixels when MaxWork is zero.
func TestWorkLimit(t *testing.T) {
	data := tiffGrayPages(binary.BigEndian, []*image.Gray{grayFill(4, 4, 1), grayFill(5, 3, 2)}, 0, 8)
	for _, tc := range []struct {
		name string
		lim  Limits
		want *LimitError // nil: both pages read
	}{
		{"fits", Limits{MaxWork: 31}, nil},
		{"over", Limits{MaxWork: 30}, &LimitError{LimitWork, 30, 31}},
		{"follows-max-pixels", Limits{MaxPixels: 20}, &LimitError{LimitWork, 20, 31}},
		{"off", Limits{MaxPixels: 20, MaxWork: -1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pages := 0
			_, err := DecodePages(data, tc.lim, func(int, *gray.Plane) error { pages++; return nil })
			var le *LimitError
			switch {
			case tc.want == nil && (err != nil || pages != 2):
				t.Fatalf("err = %v after %d pages, want 2 pages", err, pages)
			case tc.want != nil && (!errors.As(err, &le) || *le != *tc.want || pages != 0):
				t.Fatalf("err = %v after %d pages, want %+v before any", err, pages, tc.want)
			}
		})
	}
}
