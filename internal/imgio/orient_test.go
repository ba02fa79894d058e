package imgio

import (
	"encoding/binary"
	"fmt"
	"image"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// refOrient is the reference for orient: for each displayed pixel it looks
// up the stored pixel with the inverse of the Exif Orientation mapping.
func refOrient(p *gray.Plane, o int) *gray.Plane {
	w, h := p.W, p.H
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	q := gray.New(dw, dh)
	for dy := 0; dy < dh; dy++ {
		for dx := 0; dx < dw; dx++ {
			var sx, sy int
			switch o {
			case 1:
				sx, sy = dx, dy
			case 2:
				sx, sy = w-1-dx, dy
			case 3:
				sx, sy = w-1-dx, h-1-dy
			case 4:
				sx, sy = dx, h-1-dy
			case 5:
				sx, sy = dy, dx
			case 6:
				sx, sy = dy, h-1-dx
			case 7:
				sx, sy = w-1-dy, h-1-dx
			case 8:
				sx, sy = w-1-dy, dx
			}
			q.Pix[dy*dw+dx] = p.At(sx, sy)
		}
	}
	return q
}

// TestOrientMatchesReference compares orient with refOrient for all eight
// orientations on sizes that hit the tile edges, degenerate sizes, and a
// crop view with Stride > W.
func TestOrientMatchesReference(t *testing.T) {
	big := gray.New(80, 50)
	for i := range big.Pix {
		big.Pix[i] = byte(i * 31 / 7)
	}
	view := &gray.Plane{W: 45, H: 33, Stride: big.Stride, Pix: big.Pix[3*big.Stride+5:]}
	planes := map[string]*gray.Plane{"1x1": gray.New(1, 1), "1x7": gray.New(1, 7), "9x1": gray.New(9, 1),
		"33x17": gray.New(33, 17), "64x64": gray.New(64, 64), "view45x33": view}
	for name, p := range planes {
		if p != view {
			for i := range p.Pix {
				p.Pix[i] = byte(i*13 + 1)
			}
		}
		for o := 1; o <= 8; o++ {
			t.Run(fmt.Sprintf("%s/o%d", name, o), func(t *testing.T) {
				before := p.Clone()
				got, want := orient(p, o), refOrient(p, o)
				if d, x, y := planeDiff(t, got, want); d != 0 {
					t.Errorf("pixel (%d,%d) differs", x, y)
				}
				if o != 1 && got.Stride != got.W {
					t.Errorf("result not compact: stride %d, W %d", got.Stride, got.W)
				}
				if d, _, _ := planeDiff(t, p, before); d != 0 {
					t.Error("input modified")
				}
			})
		}
	}
}

// TestDecodeJPEGOrientation builds a 48×32 JPEG with a white block at the
// stored top-left corner and a black block at the stored top-right corner,
// splices in an Exif APP1 segment with each orientation in both byte
// orders, and checks where the blocks land, per the Exif definition of
// the tag ("the 0th row represents the visual …").
func TestDecodeJPEGOrientation(t *testing.T) {
	const w, h, s = 48, 32, 16
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := byte(128)
			if y < s && x < s {
				v = 255 // marker A at stored top-left
			} else if y < s && x >= w-s {
				v = 0 // marker B at stored top-right
			}
			m.Pix[y*m.Stride+x] = v
		}
	}
	jpg := encodeJPEG(t, m, 95)
	const (
		tl = iota
		tr
		br
		bl
	)
	tests := []struct {
		o    uint16
		a, b int // displayed corners of markers A and B
	}{
		{1, tl, tr}, {2, tr, tl}, {3, br, bl}, {4, bl, br},
		{5, tl, bl}, {6, tr, br}, {7, br, tr}, {8, bl, tl},
	}
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%v/o%d", bo, tt.o), func(t *testing.T) {
				data := withExif(jpg, exifSegment(tt.o, bo))
				p, info, err := Decode(data, Limits{})
				if err != nil {
					t.Fatal(err)
				}
				dw, dh := w, h
				if tt.o >= 5 {
					dw, dh = h, w
				}
				if info.Orientation != int(tt.o) || info.Width != dw || info.Height != dh || p.W != dw || p.H != dh {
					t.Fatalf("info %+v plane %dx%d, want orientation %d %dx%d", info, p.W, p.H, tt.o, dw, dh)
				}
				cfg, err := DecodeConfig(data)
				if err != nil || cfg != info {
					t.Errorf("DecodeConfig = %+v, %v; want %+v", cfg, err, info)
				}
				centre := func(c int) (int, int) {
					x, y := s/2, s/2
					if c == tr || c == br {
						x = dw - s/2
					}
					if c == br || c == bl {
						y = dh - s/2
					}
					return x, y
				}
				for c := tl; c <= bl; c++ {
					x, y := centre(c)
					v := int(p.At(x, y))
					want := 128
					switch c {
					case tt.a:
						want = 255
					case tt.b:
						want = 0
					}
					if d := v - want; d > 6 || d < -6 {
						t.Errorf("corner %d (%d,%d) = %d, want %d", c, x, y, v, want)
					}
				}
			})
		}
	}
}

// TestJPEGOrientationParser feeds the Exif parser valid, invalid and
// truncated segments; it must return the tag or 1, never panic.
func TestJPEGOrientationParser(t *testing.T) {
	jpg := encodeJPEG(t, patternGray(8, 8), 90)
	le := exifSegment(6, binary.LittleEndian)
	be := exifSegment(8, binary.BigEndian)
	bad := func(seg []byte, i int, v byte) []byte {
		s := append([]byte{}, seg...)
		s[i] = v
		return s
	}
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"no-exif", jpg, 1},
		{"le", withExif(jpg, le), 6},
		{"be", withExif(jpg, be), 8},
		{"fill-bytes-before-marker", withExif(jpg, append([]byte{0xff, 0xff}, le...)), 6},
		{"out-of-range-value", withExif(jpg, exifSegment(9, binary.LittleEndian)), 1},
		{"zero-value", withExif(jpg, exifSegment(0, binary.BigEndian)), 1},
		{"bad-byte-order", withExif(jpg, bad(le, 10, 'X')), 1},
		{"bad-magic-42", withExif(jpg, bad(le, 12, 43)), 1},
		{"ifd-offset-beyond", withExif(jpg, bad(le, 17, 0x7f)), 1},
		{"entry-count-huge", withExif(jpg, bad(le, 18, 0xff)), 6}, // entries beyond the segment are not read
		{"segment-length-beyond-end", withExif(jpg[:2], le[:20]), 1},
		{"segment-length-too-small", withExif(jpg, bad(le, 3, 1)), 1},
		{"exif-after-sos", append(append([]byte{}, jpg[:len(jpg)-2]...), le...), 1},
		{"not-jpeg", le, 1},
		{"empty", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jpegOrientation(tt.data); got != tt.want {
				t.Errorf("jpegOrientation = %d, want %d", got, tt.want)
			}
		})
	}
	// Every prefix of a valid Exif JPEG: no panic, result 1 or 6.
	full := withExif(jpg, le)
	for n := range len(full) {
		if got := jpegOrientation(full[:n]); got != 1 && got != 6 {
			t.Fatalf("prefix %d: orientation %d", n, got)
		}
	}
}

// TestDecodeTIFFOrientation checks that a TIFF's own Orientation tag is
// applied like JPEG's Exif one: the result equals refOrient of the stored
// pixels.
func TestDecodeTIFFOrientation(t *testing.T) {
	g := patternGray(13, 7)
	stored := &gray.Plane{W: 13, H: 7, Stride: g.Stride, Pix: g.Pix}
	for o := uint16(1); o <= 8; o++ {
		t.Run(fmt.Sprintf("o%d", o), func(t *testing.T) {
			data := tiffGrayMM(g, o)
			p, info, err := Decode(data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Orientation != int(o) {
				t.Errorf("orientation %d, want %d", info.Orientation, o)
			}
			if d, x, y := planeDiff(t, p, refOrient(stored, int(o))); d != 0 {
				t.Errorf("pixel (%d,%d) differs", x, y)
			}
		})
	}
}
