package imgio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// tiffGrayPages builds an uncompressed 8-bit gray TIFF with one IFD per
// page, chained by their next-IFD links (TIFF 6.0 section 2). orient[i],
// when present and non-zero, adds an Orientation entry to page i.
func tiffGrayPages(bo binary.ByteOrder, pages []*image.Gray, orient ...uint16) []byte {
	var out []byte
	if bo == binary.LittleEndian {
		out = []byte("II*\x00\x00\x00\x00\x00")
	} else {
		out = []byte("MM\x00*\x00\x00\x00\x00")
	}
	link := 4 // where the offset of the next IFD goes
	for i, m := range pages {
		w, h := m.Rect.Dx(), m.Rect.Dy()
		type entry struct{ tag, typ, val uint32 }
		entries := []entry{{256, 4, uint32(w)}, {257, 4, uint32(h)}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1}, {273, 4, 0}}
		if i < len(orient) && orient[i] != 0 {
			entries = append(entries, entry{tagOrientation, 3, uint32(orient[i])})
		}
		entries = append(entries, entry{278, 4, uint32(h)}, entry{279, 4, uint32(w * h)})
		ifd := len(out)
		bo.PutUint32(out[link:], uint32(ifd))
		data := ifd + 2 + 12*len(entries) + 4
		buf := make([]byte, data-ifd+w*h)
		bo.PutUint16(buf, uint16(len(entries)))
		for k, e := range entries {
			if e.tag == 273 {
				e.val = uint32(data)
			}
			p := buf[2+12*k:]
			bo.PutUint16(p, uint16(e.tag))
			bo.PutUint16(p[2:], uint16(e.typ))
			bo.PutUint32(p[4:], 1)
			if e.typ == 3 {
				bo.PutUint16(p[8:], uint16(e.val))
			} else {
				bo.PutUint32(p[8:], e.val)
			}
		}
		for y := 0; y < h; y++ {
			copy(buf[data-ifd+y*w:], m.Pix[y*m.Stride:y*m.Stride+w])
		}
		out = append(out, buf...)
		link = ifd + 2 + 12*len(entries)
	}
	return out
}

// grayFill returns a w×h gray image whose pixel (x, y) is (x*k + y) mod 256,
// different for each k.
func grayFill(w, h, k int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Pix[y*m.Stride+x] = byte(x*k + y)
		}
	}
	return m
}

// collect runs DecodePages and returns the planes.
func collect(data []byte, lim Limits) ([]*gray.Plane, Info, error) {
	var out []*gray.Plane
	info, err := DecodePages(data, lim, func(i int, p *gray.Plane) error {
		if i != len(out) {
			return errors.New("page index out of order")
		}
		out = append(out, p)
		return nil
	})
	return out, info, err
}

func TestDecodePagesTIFF(t *testing.T) {
	pages := []*image.Gray{grayFill(31, 17, 1), grayFill(20, 40, 3), grayFill(9, 9, 7)}
	for _, tc := range []struct {
		name string
		bo   binary.ByteOrder
	}{{"little endian", binary.LittleEndian}, {"big endian", binary.BigEndian}} {
		t.Run(tc.name, func(t *testing.T) {
			// Page 2 carries Orientation 6 (rotate 90° clockwise to display).
			data := tiffGrayPages(tc.bo, pages, 0, 6, 0)
			got, info, err := collect(data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Pages != 3 || len(got) != 3 || info.Format != FormatTIFF || info.Width != 31 || info.Height != 17 {
				t.Fatalf("info %+v, %d planes; want 3 pages of tiff, first 31x17", info, len(got))
			}
			for i, m := range pages {
				want := refPlane(m)
				if i == 1 {
					want = refOrient(want, 6)
				}
				if d, x, y := planeDiff(t, got[i], want); d != 0 {
					t.Errorf("page %d differs by %d at (%d,%d)", i+1, d, x, y)
				}
			}
		})
	}
}

func TestDecodePagesLimitsAndErrors(t *testing.T) {
	three := tiffGrayPages(binary.LittleEndian, []*image.Gray{grayFill(4, 4, 1), grayFill(4, 4, 2), grayFill(4, 4, 3)})
	loop := append([]byte(nil), three...)
	// Point the last IFD's link back at IFD0.
	offs, err := tiffIFDOffsets(three, -1)
	if err != nil || len(offs) != 3 {
		t.Fatalf("offsets %v, %v", offs, err)
	}
	last := offs[2]
	binary.LittleEndian.PutUint32(loop[last+2+12*int64(binary.LittleEndian.Uint16(loop[last:])):], uint32(offs[0]))
	anim := gifAnimation(t, 5, gif.DisposalNone)
	for _, tc := range []struct {
		name  string
		data  []byte
		lim   Limits
		check func(error) bool
	}{
		{"tiff over page limit", three, Limits{MaxPages: 2}, isPageLimit(2, 3)},
		{"gif over page limit", anim, Limits{MaxPages: 4}, isPageLimit(4, 5)},
		{"gif over pixel limit (sum of frames 1600)", anim, Limits{MaxPixels: 1500}, func(err error) bool {
			var le *LimitError
			return errors.As(err, &le) && le.What == "pixels"
		}},
		{"tiff ifd loop", loop, Limits{MaxPages: -1}, func(err error) bool {
			var fe *FormatError
			return errors.As(err, &fe) && errors.Is(err, errIFDLoop)
		}},
		{"empty", nil, Limits{}, func(err error) bool { return errors.Is(err, ErrEmpty) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			_, err := DecodePages(tc.data, tc.lim, func(int, *gray.Plane) error { n++; return nil })
			if !tc.check(err) {
				t.Errorf("error %T %v is not the expected kind", err, err)
			}
			if n != 0 {
				t.Errorf("%d pages decoded before the refusal", n)
			}
		})
	}
	t.Run("no limit", func(t *testing.T) {
		got, info, err := collect(three, Limits{MaxPages: -1})
		if err != nil || len(got) != 3 || info.Pages != 3 {
			t.Errorf("%d pages, info %+v, err %v", len(got), info, err)
		}
	})
	t.Run("fn error stops the walk", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		_, err := DecodePages(three, Limits{}, func(int, *gray.Plane) error { n++; return stop })
		if err != stop || n != 1 {
			t.Errorf("err %v after %d pages, want stop after 1", err, n)
		}
	})
	t.Run("single page formats", func(t *testing.T) {
		got, info, err := collect(encodePNG(t, grayFill(8, 6, 1)), Limits{})
		if err != nil || len(got) != 1 || info.Pages != 1 || info.Format != FormatPNG {
			t.Errorf("%d pages, info %+v, err %v", len(got), info, err)
		}
	})
}

func isPageLimit(limit, actual int64) func(error) bool {
	return func(err error) bool {
		var le *LimitError
		return errors.As(err, &le) && le.What == "pages" && le.Limit == limit && le.Actual == actual
	}
}

// gifAnimation returns an n-frame 40×30 GIF: frame 0 is white with a black
// 10×10 square at (0,0); frame k > 0 is a 10×10 frame at (10k, 10) whose
// left half is black and right half transparent, with the given disposal.
func gifAnimation(t testing.TB, n int, disposal byte) []byte {
	t.Helper()
	pal := color.Palette{color.White, color.Black, color.Transparent}
	g := &gif.GIF{Config: image.Config{Width: 40, Height: 30, ColorModel: pal}}
	first := image.NewPaletted(image.Rect(0, 0, 40, 30), pal)
	for y := 0; y < 10; y++ {
		for x := 0; x < 10; x++ {
			first.SetColorIndex(x, y, 1)
		}
	}
	g.Image = append(g.Image, first)
	g.Delay = append(g.Delay, 10)
	g.Disposal = append(g.Disposal, disposal)
	for k := 1; k < n; k++ {
		r := image.Rect(4*k, 10, 4*k+10, 20)
		f := image.NewPaletted(r, pal)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				idx := uint8(2)
				if x < r.Min.X+5 {
					idx = 1
				}
				f.SetColorIndex(x, y, idx)
			}
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 10)
		g.Disposal = append(g.Disposal, disposal)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodePagesGIF checks the canvas after each frame for each disposal
// method (GIF89a section 23.c.iv).
func TestDecodePagesGIF(t *testing.T) {
	black, white := byte(0), byte(0xff)
	for _, tc := range []struct {
		name     string
		disposal byte
		// Expected pixels of the canvas after frame 2: frame 1 drew black
		// over x 4..8, y 10..19; frame 2 draws black over x 8..12.
		at4, at10 byte
		// The first frame's square survives disposal "none" only: the
		// others, applied to the full-screen frame 0, clear it.
		square byte
	}{
		{"none", gif.DisposalNone, black, black, black},
		{"background", gif.DisposalBackground, white, black, white},
		{"previous", gif.DisposalPrevious, white, black, white},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, info, err := collect(gifAnimation(t, 3, tc.disposal), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || info.Pages != 3 || info.Width != 40 || info.Height != 30 {
				t.Fatalf("%d frames, info %+v", len(got), info)
			}
			// Frame 1's transparent half shows what was under it.
			if v := got[1].At(12, 15); v != white {
				t.Errorf("frame 2 (12,15) under transparency = %d, want white", v)
			}
			if v := got[1].At(5, 5); v != tc.square {
				t.Errorf("frame 2 square (5,5) = %d, want %d", v, tc.square)
			}
			f := got[2]
			if f.At(5, 15) != tc.at4 || f.At(10, 15) != tc.at10 {
				t.Errorf("frame 3 (5,15)=%d (10,15)=%d, want %d %d", f.At(5, 15), f.At(10, 15), tc.at4, tc.at10)
			}
			if f.At(30, 25) != white {
				t.Errorf("frame 3 (30,25) = %d, want white", f.At(30, 25))
			}
		})
	}
}

// FuzzDecodePages feeds arbitrary bytes to DecodePages: no panic, every
// error of a documented kind, page indices in order and at most MaxPages.
func FuzzDecodePages(f *testing.F) {
	for _, s := range sampleFiles(f) {
		f.Add(s.data)
	}
	f.Add(tiffGrayPages(binary.BigEndian, []*image.Gray{grayFill(4, 4, 1), grayFill(5, 3, 2)}, 0, 8))
	f.Add(gifAnimation(f, 3, gif.DisposalPrevious))
	f.Fuzz(func(t *testing.T, data []byte) {
		maxPages := fuzzLimits.MaxPages
		n := 0
		info, err := DecodePages(data, fuzzLimits, func(i int, p *gray.Plane) error {
			if i != n {
				t.Fatalf("page %d given as %d", n, i)
			}
			if p == nil || p.W <= 0 || p.H <= 0 || len(p.Pix) < (p.H-1)*p.Stride+p.W {
				t.Fatalf("page %d: bad plane", i)
			}
			n++
			return nil
		})
		if n > maxPages {
			t.Fatalf("%d pages > limit %d", n, maxPages)
		}
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		if info.Pages != n {
			t.Fatalf("info.Pages %d, %d pages given", info.Pages, n)
		}
	})
}

// TestDecodePagesFormat: given the format Sniff names, DecodePagesFormat
// decodes the same pages and reports the same Info and errors as
// DecodePages, the byte limit first.
func TestDecodePagesFormat(t *testing.T) {
	three := tiffGrayPages(binary.BigEndian, []*image.Gray{grayFill(31, 17, 1), grayFill(20, 40, 3), grayFill(9, 9, 7)}, 0, 6, 0)
	png := encodePNG(t, grayFill(8, 6, 1))
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
	}{
		{"tiff", three, Limits{}},
		{"tiff over page limit", three, Limits{MaxPages: 2}},
		{"gif", gifAnimation(t, 5, gif.DisposalPrevious), Limits{}},
		{"png", png, Limits{}},
		{"jpeg", encodeJPEG(t, grayFill(16, 16, 2), 90), Limits{}},
		{"over the byte limit", png, Limits{MaxBytes: int64(len(png) - 1)}},
		{"truncated", png[:len(png)/2], Limits{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			format, err := Sniff(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			want, wantInfo, wantErr := collect(tc.data, tc.lim)
			var got []*gray.Plane
			info, err := DecodePagesFormat(tc.data, format, tc.lim, func(_ int, p *gray.Plane) error {
				got = append(got, p)
				return nil
			})
			if info != wantInfo || fmt.Sprint(err) != fmt.Sprint(wantErr) || len(got) != len(want) {
				t.Fatalf("%d pages, %+v, %v; DecodePages: %d pages, %+v, %v", len(got), info, err, len(want), wantInfo, wantErr)
			}
			for i := range got {
				if got[i].W != want[i].W || got[i].H != want[i].H || !bytes.Equal(got[i].Pix, want[i].Pix) {
					t.Errorf("page %d differs", i)
				}
			}
		})
	}
	t.Run("a format imgio does not decode", func(t *testing.T) {
		var ue *UnsupportedError
		_, err := DecodePagesFormat([]byte("%PDF-1.7\n"), "pdf", Limits{}, func(int, *gray.Plane) error { return nil })
		if !errors.As(err, &ue) || ue.Format != "pdf" {
			t.Errorf("err %T %v, want an *UnsupportedError pdf", err, err)
		}
	})
}

// TestDecodePagesInto: a buffer lent to DecodePagesInto, dirty from the
// files decoded into it before, gives every file the plane DecodePages
// gives it; a JPEG's or PNG's plane is decoded into the buffer's memory
// (an Exif-turned one is a new plane turned from it), a bigger JPEG grows
// the buffer, and other formats leave it alone.
func TestDecodePagesInto(t *testing.T) {
	lends := func(format string) bool { return format == FormatJPEG || format == FormatPNG }
	files := sampleFiles(t)
	files = append(files,
		sample{"jpeg-big", FormatJPEG, encodeJPEG(t, patternNRGBA(120, 90, true), 85)},
		sample{"jpeg-small-after-big", FormatJPEG, encodeJPEG(t, patternGray(40, 24), 75)},
		sample{"jpeg-truncated", FormatJPEG, encodeJPEG(t, patternGray(40, 24), 75)[:200]},
	)
	buf := &gray.Plane{Pix: bytes.Repeat([]byte{0xa5}, 64)}
	for _, s := range files {
		t.Run(s.name, func(t *testing.T) {
			want, wantInfo, wantErr := collect(s.data, Limits{})
			before := buf.Pix[:cap(buf.Pix)]
			var got []*gray.Plane
			info, err := DecodePagesInto(s.data, s.format, Limits{}, buf, func(_ int, p *gray.Plane) error {
				c := *p
				c.Pix = append([]byte(nil), p.Pix...) // buf is lent again by the next file
				got = append(got, &c)
				if lends(s.format) && wantInfo.Orientation < 2 && &p.Pix[0] != &buf.Pix[0] {
					t.Errorf("the %s plane is not in the lent buffer", s.format)
				}
				return nil
			})
			if info != wantInfo || fmt.Sprint(err) != fmt.Sprint(wantErr) || len(got) != len(want) {
				t.Fatalf("%d pages, %+v, %v; DecodePages: %d pages, %+v, %v", len(got), info, err, len(want), wantInfo, wantErr)
			}
			for i := range got {
				if d, x, y := planeDiff(t, got[i], want[i]); d != 0 {
					t.Errorf("page %d differs by %d at (%d,%d)", i, d, x, y)
				}
			}
			if !lends(s.format) && (cap(buf.Pix) != len(before) || &buf.Pix[:1][0] != &before[0]) {
				t.Errorf("a %s file changed the lent buffer", s.format)
			}
		})
	}
	if cap(buf.Pix) < 120*90 {
		t.Errorf("the buffer did not grow to the biggest JPEG: cap %d", cap(buf.Pix))
	}
}
