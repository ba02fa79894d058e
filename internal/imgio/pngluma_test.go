package imgio

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// pngSpec describes a PNG written sample by sample (writePNG), for the
// variants image/png's encoder never writes: low-depth gray, gray+alpha,
// palettes with tRNS, every filter type at every pixel size.
type pngSpec struct {
	w, h      int
	depth     int
	ct        byte
	filter    int    // 0–4, or -1: row y uses filter y%5
	plte      int    // palette entries (colour type 3)
	trns      []byte // tRNS chunk data
	idatSplit int    // IDAT chunk size (0: one chunk)
	interlace byte
	seed      uint64
}

// channels is the samples of one pixel of colour type ct.
func channels(ct byte) int {
	switch ct {
	case pngRGB:
		return 3
	case pngGrayAlpha:
		return 2
	case pngRGBA:
		return 4
	}
	return 1
}

// chunk appends one PNG chunk with its CRC.
func chunk(out []byte, typ string, body []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, body...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// filterRow applies filter ft to raw (prev: the row above, raw; zeros for
// the first row) as an encoder does (ISO/IEC 15948 section 9.2).
func filterRow(ft byte, raw, prev []byte, bpp int) []byte {
	out := make([]byte, len(raw))
	for i := range raw {
		var a, c byte
		if i >= bpp {
			a, c = raw[i-bpp], prev[i-bpp]
		}
		b := prev[i]
		var p byte
		switch ft {
		case 1:
			p = a
		case 2:
			p = b
		case 3:
			p = byte((int(a) + int(b)) / 2)
		case 4:
			pa, pb, pc := abs(int(b)-int(c)), abs(int(a)-int(c)), abs(int(a)+int(b)-2*int(c))
			switch {
			case pa <= pb && pa <= pc:
				p = a
			case pb <= pc:
				p = b
			default:
				p = c
			}
		}
		out[i] = raw[i] - p
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// writePNG encodes a PNG of random samples after s, with smooth regions
// (runs of equal samples) so that every Paeth branch is taken.
func writePNG(t testing.TB, s pngSpec) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(s.seed, 7))
	bits := s.depth * channels(s.ct)
	rowBytes := (s.w*bits + 7) / 8
	bpp := max(1, bits/8)
	var raw bytes.Buffer
	prev := make([]byte, rowBytes)
	for y := 0; y < s.h; y++ {
		row := make([]byte, rowBytes)
		for i := range row {
			if i > 0 && rng.IntN(3) == 0 {
				row[i] = row[i-1]
			} else {
				row[i] = byte(rng.IntN(256))
			}
		}
		if s.ct == pngPalette && s.depth == 8 && s.plte > 0 {
			for i := range row {
				row[i] %= byte(min(s.plte+2, 256) - 1) // a few indices past the palette
			}
		}
		ft := byte(s.filter)
		if s.filter < 0 {
			ft = byte(y % 5)
		}
		raw.WriteByte(ft)
		raw.Write(filterRow(ft, row, prev, bpp))
		prev = row
	}
	var pal []byte
	if s.plte > 0 {
		pal = make([]byte, 3*s.plte)
		for i := range pal {
			pal[i] = byte(rng.IntN(256))
		}
	}
	return pngFile(s, pal, deflate(raw.Bytes()))
}

// deflate is raw as a zlib stream.
func deflate(raw []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	return z.Bytes()
}

// pngFile lays out a PNG file: IHDR after s, an ancillary chunk to skip,
// PLTE when pal is not nil, s.trns, the zlib stream z in IDAT chunks of
// s.idatSplit bytes (one when 0), IEND.
func pngFile(s pngSpec, pal, z []byte) []byte {
	out := []byte(pngSignature)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(s.w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(s.h))
	ihdr[8], ihdr[9], ihdr[12] = byte(s.depth), s.ct, s.interlace
	out = chunk(out, "IHDR", ihdr[:])
	out = chunk(out, "tEXt", []byte("Comment\x00ignored"))
	if pal != nil {
		out = chunk(out, "PLTE", pal)
	}
	if s.trns != nil {
		out = chunk(out, "tRNS", s.trns)
	}
	for len(z) > 0 {
		n := len(z)
		if s.idatSplit > 0 {
			n = min(n, s.idatSplit)
		}
		out = chunk(out, "IDAT", z[:n])
		z = z[n:]
	}
	return chunk(out, "IEND", nil)
}

// imagePNGGray is the reference: image/png's image reduced by toGray.
func imagePNGGray(data []byte) (*gray.Plane, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return toGray(img), nil
}

// samePlane reports where two planes first differ ("" when equal).
func samePlane(a, b *gray.Plane) string {
	if a.W != b.W || a.H != b.H {
		return fmt.Sprintf("size %dx%d against %dx%d", a.W, a.H, b.W, b.H)
	}
	for y := 0; y < a.H; y++ {
		ra, rb := a.Row(y)[:a.W], b.Row(y)[:b.W]
		for x := range ra {
			if ra[x] != rb[x] {
				return fmt.Sprintf("pixel (%d,%d): %d against %d", x, y, ra[x], rb[x])
			}
		}
	}
	return ""
}

// TestPNGLumaMatchesImagePNG decodes every variant decodePNGLuma handles,
// with each filter type and with the image data split over many IDAT
// chunks, and compares the plane with toGray(png.Decode).
func TestPNGLumaMatchesImagePNG(t *testing.T) {
	trns := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 37)
		}
		return b
	}
	var cases []pngSpec
	for _, v := range []struct {
		ct     byte
		depth  int
		plte   int
		trnsN  int
		widths []int
	}{
		{pngGray, 8, 0, 0, []int{1, 7, 64}},
		{pngGray, 4, 0, 0, []int{1, 3, 33}},
		{pngGray, 2, 0, 0, []int{1, 5, 31}},
		{pngGray, 1, 0, 0, []int{1, 9, 70}},
		{pngRGB, 8, 0, 0, []int{1, 2, 45}},
		{pngRGB, 8, 16, 0, []int{20}}, // PLTE as a suggestion, ignored
		{pngGrayAlpha, 8, 0, 0, []int{1, 30}},
		{pngRGBA, 8, 0, 0, []int{1, 2, 41}},
		{pngPalette, 8, 200, 0, []int{1, 50}},
		{pngPalette, 8, 200, 150, []int{50}},
		{pngPalette, 8, 5, 9, []int{50}}, // tRNS longer than PLTE
		{pngPalette, 4, 16, 3, []int{1, 25}},
		{pngPalette, 2, 3, 0, []int{1, 17}}, // index 3 past the palette
		{pngPalette, 1, 2, 1, []int{1, 19}},
	} {
		for _, w := range v.widths {
			for _, f := range []int{0, 1, 2, 3, 4, -1} {
				s := pngSpec{w: w, h: 13, depth: v.depth, ct: v.ct, filter: f, plte: v.plte, seed: uint64(w*10 + f + 1)}
				if v.trnsN > 0 {
					s.trns = trns(v.trnsN)
				}
				if f == -1 {
					s.idatSplit = 7
				}
				cases = append(cases, s)
			}
		}
	}
	for _, s := range cases {
		name := fmt.Sprintf("ct%d depth%d w%d filter%d plte%d trns%d split%d", s.ct, s.depth, s.w, s.filter, s.plte, len(s.trns), s.idatSplit)
		t.Run(name, func(t *testing.T) {
			data := writePNG(t, s)
			want, err := imagePNGGray(data)
			if err != nil {
				t.Fatalf("image/png: %v", err)
			}
			got, err := decodePNGLuma(data, nil)
			if err != nil {
				t.Fatalf("decodePNGLuma: %v", err)
			}
			if d := samePlane(got, want); d != "" {
				t.Fatal(d)
			}
		})
	}
}

// TestPNGLumaStdlibEncoder decodes what image/png's encoder writes (its
// filter choice per row) for every image type, into a reused plane: the
// types it writes with 8-bit samples must be decoded, the 16-bit ones are
// left to image/png.
func TestPNGLumaStdlibEncoder(t *testing.T) {
	dst := &gray.Plane{Pix: make([]byte, 10)}
	for name, img := range randomImages(97) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			want, err := imagePNGGray(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodePNGLuma(data, dst)
			// image/png writes these in 8-bit samples; the others
			// (YCbCr, CMYK, the 16-bit types) in 16, left to it
			base, _, _ := strings.Cut(name, "/")
			eight := base == "Gray" || base == "NRGBA" || base == "RGBA" || base == "Paletted" || base == "Alpha-generic" || base == "opaque-generic"
			if errors.Is(err, errPNGFallback) && !eight {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := samePlane(got, want); d != "" {
				t.Fatal(d)
			}
			if got != dst {
				t.Error("the plane given was not reused")
			}
		})
	}
}

// TestPNGLumaFallback: what decodePNGLuma leaves to image/png, and that
// Decode then answers as image/png does (the same plane or an error).
func TestPNGLumaFallback(t *testing.T) {
	base := pngSpec{w: 21, h: 9, depth: 8, ct: pngRGB, filter: -1, seed: 3}
	good := writePNG(t, base)
	idatEnd := bytes.LastIndex(good, []byte("IEND")) - 4
	tests := []struct {
		name string
		data []byte
	}{
		{"16-bit", writePNG(t, pngSpec{w: 8, h: 4, depth: 16, ct: pngRGB, seed: 1})},
		{"interlaced", writePNG(t, pngSpec{w: 8, h: 8, depth: 8, ct: pngGray, interlace: 1, seed: 1})},
		{"tRNS on RGB", writePNG(t, pngSpec{w: 8, h: 4, depth: 8, ct: pngRGB, trns: make([]byte, 6), seed: 1})},
		{"tRNS on gray", writePNG(t, pngSpec{w: 8, h: 4, depth: 8, ct: pngGray, trns: make([]byte, 2), seed: 1})},
		{"bad CRC", func() []byte {
			b := bytes.Clone(good)
			b[idatEnd-1] ^= 1
			return b
		}()},
		{"no IEND", good[:idatEnd]},
		{"bad filter type", writePNGWith(t, base, func(raw []byte) { raw[0] = 9 })},
		{"trailing data in IDAT", writePNGWith(t, base, nil, 0x00, 0x01)},
		{"trailing data in split IDAT", writePNGWith(t, pngSpec{w: 21, h: 9, depth: 8, ct: pngGray, filter: -1, idatSplit: 10, seed: 3}, nil, 0x00)},
		{"too little data", writePNGWith(t, base, func(raw []byte) {}, -1)},
		{"IDAT chunks apart", func() []byte {
			// a good file's zlib stream in two IDAT chunks with a tEXt
			// chunk between them
			s := pngSpec{w: 21, h: 9, depth: 8, ct: pngGray, filter: -1, seed: 3}
			l, _ := pngChunks(writePNG(t, s))
			z := bytes.Join(l.idat, nil)
			half := len(z) / 2
			out := pngFile(pngSpec{w: s.w, h: s.h, depth: s.depth, ct: s.ct}, nil, z[:half])
			out = out[:len(out)-12] // IEND off
			out = chunk(out, "tEXt", []byte("a\x00b"))
			out = chunk(out, "IDAT", z[half:])
			return chunk(out, "IEND", nil)
		}()},
		{"palette without PLTE", writePNG(t, pngSpec{w: 8, h: 4, depth: 8, ct: pngPalette, seed: 1})},
		{"PLTE on gray", writePNG(t, pngSpec{w: 8, h: 4, depth: 8, ct: pngGray, plte: 4, seed: 1})},
		{"not a PNG", []byte("GIF89a")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodePNGLuma(tc.data, nil); !errors.Is(err, errPNGFallback) {
				t.Fatalf("decodePNGLuma: %v, want errPNGFallback", err)
			}
			want, werr := imagePNGGray(tc.data)
			got, _, gerr := Decode(tc.data, Limits{})
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("Decode error %v, image/png error %v", gerr, werr)
			}
			if werr == nil {
				if d := samePlane(got, want); d != "" {
					t.Fatal(d)
				}
			}
		})
	}
}

// writePNGWith is writePNG whose zlib stream is rebuilt from the inflated
// data after edit (when not nil), with extra bytes appended to the zlib
// stream (past its checksum), or, with extra -1, the stream cut before its
// last row.
func writePNGWith(t testing.TB, s pngSpec, edit func(raw []byte), extra ...int) []byte {
	t.Helper()
	l, ok := pngChunks(writePNG(t, s))
	if !ok {
		t.Fatal("writePNG wrote a file pngChunks refuses")
	}
	zr, err := zlib.NewReader(bytes.NewReader(bytes.Join(l.idat, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	raw.ReadFrom(zr)
	b := raw.Bytes()
	if edit != nil {
		edit(b)
	}
	if len(extra) == 1 && extra[0] == -1 {
		b = b[:len(b)-(len(b)/s.h)]
		extra = nil
	}
	z := deflate(b)
	for _, e := range extra {
		z = append(z, byte(e))
	}
	return pngFile(s, nil, z)
}

// TestCorpusPNG decodes every PNG of the shared corpus with decodePNGLuma
// and image/png: the same plane, or a file left to image/png.
func TestCorpusPNG(t *testing.T) {
	root := corpusDir(t)
	files := corpusFiles(t, ".png")
	var handled, left int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		want, werr := imagePNGGray(data)
		got, err := decodePNGLuma(data, nil)
		if errors.Is(err, errPNGFallback) {
			left++
			continue
		}
		if err != nil || werr != nil {
			t.Errorf("%s: decodePNGLuma %v, image/png %v", rel, err, werr)
			continue
		}
		handled++
		if d := samePlane(got, want); d != "" {
			t.Errorf("%s: %s", rel, d)
		}
	}
	t.Logf("%d PNG files: %d decoded, %d left to image/png", len(files), handled, left)
	if handled == 0 {
		t.Error("no corpus PNG decoded by decodePNGLuma")
	}
}

// FuzzPNGLuma compares decodePNGLuma with image/png on any input:
// whatever it decodes, image/png decodes to the same plane. Inputs whose
// header claims more than 1<<16 pixels are skipped (Decode's limits stop
// them before the decoders).
func FuzzPNGLuma(f *testing.F) {
	for i, s := range []pngSpec{
		{w: 9, h: 5, depth: 8, ct: pngRGB, filter: -1},
		{w: 9, h: 5, depth: 8, ct: pngRGBA, filter: 4, idatSplit: 5},
		{w: 9, h: 5, depth: 2, ct: pngPalette, plte: 3, trns: []byte{0, 128}, filter: -1},
		{w: 17, h: 3, depth: 1, ct: pngGray, filter: 3},
		{w: 6, h: 6, depth: 8, ct: pngGrayAlpha, filter: -1},
	} {
		s.seed = uint64(i)
		f.Add(writePNG(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<16 {
			return
		}
		got, err := decodePNGLuma(data, nil)
		if err != nil {
			return
		}
		want, werr := imagePNGGray(data)
		if werr != nil {
			t.Fatalf("decodePNGLuma decoded what image/png refuses: %v", werr)
		}
		if d := samePlane(got, want); d != "" {
			t.Fatal(d)
		}
	})
}
