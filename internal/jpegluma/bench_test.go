package jpegluma

import (
	"bytes"
	"fmt"
	"github.com/qrcascade/qrcascade/internal/cputime/cputimetest"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// benchPair benchmarks Decode (with a fresh plane and with a reused one)
// against image/jpeg on data.
func benchPair(b *testing.B, data []byte) {
	b.Run("jpegluma", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cputimetest.Loop(b, time.Millisecond, func() {
			if _, err := Decode(data, nil); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("jpegluma-reuse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var dst gray.Plane
		cputimetest.Loop(b, time.Millisecond, func() {
			if _, err := Decode(data, &dst); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cputimetest.Loop(b, time.Millisecond, func() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkInvoice decodes testdata/invoice.jpg of the repository (a 2 MP
// gray scan, 494 KB).
func BenchmarkInvoice(b *testing.B) {
	data, err := os.ReadFile("../../testdata/invoice.jpg")
	if err != nil {
		b.Skip(err)
	}
	benchPair(b, data)
}

var (
	photoOnce sync.Once
	photoJPEG []byte
)

// BenchmarkPhoto12MP decodes a synthetic 4000×3000 4:2:0 colour JPEG with
// photo-like content (smooth gradients, texture and edges), quality 90.
func BenchmarkPhoto12MP(b *testing.B) {
	photoOnce.Do(func() {
		m := photoYCbCr(4000, 3000, image.YCbCrSubsampleRatio420, 1)
		photoJPEG = encode(b, m, 90)
	})
	benchPair(b, photoJPEG)
}

var (
	progOnce sync.Once
	progJPEG []byte
)

// BenchmarkPhoto12MPProgressive decodes the luma of BenchmarkPhoto12MP's
// photo written as a progressive 4:2:0 file by the test encoder: libjpeg's
// scan script (10 scans), T.81 Table K.1 scaled to quality 90 for every
// component, the test encoder's fixed (not optimised) Huffman tables.
func BenchmarkPhoto12MPProgressive(b *testing.B) {
	progOnce.Do(func() {
		m := photoYCbCr(4000, 3000, image.YCbCrSubsampleRatio420, 1)
		progJPEG = progressivePhoto(m, 90)
	})
	benchPair(b, progJPEG)
}

// progressivePhoto writes m (4:2:0) with the test encoder as a progressive
// file with libjpeg's scan script.
func progressivePhoto(m *image.YCbCr, quality int) []byte {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	qt := stdQuant(quality)
	y := &gray.Plane{W: w, H: h, Stride: m.YStride, Pix: m.Y}
	cw, ch := (w+1)/2, (h+1)/2
	cb := &gray.Plane{W: cw, H: ch, Stride: m.CStride, Pix: m.Cb}
	cr := &gray.Plane{W: cw, H: ch, Stride: m.CStride, Pix: m.Cr}
	mxx, myy := (w+15)/16, (h+15)/16
	return writeJPEG(rawFrame{w: w, h: h, qt: qt, prog: scriptColour, comps: []rawComp{
		{id: 1, h: 2, v: 2, coef: cachedCoef(fdctCoefTable(y, qt), 2*mxx, 2*myy)},
		{id: 2, h: 1, v: 1, coef: cachedCoef(fdctCoefTable(cb, qt), mxx, myy)},
		{id: 3, h: 1, v: 1, coef: cachedCoef(fdctCoefTable(cr, qt), mxx, myy)},
	}})
}

var (
	cjpegOnce sync.Once
	cjpegJPEG []byte
	cjpegErr  error
)

// BenchmarkPhoto12MPCjpeg decodes BenchmarkPhoto12MP's photo written by
// libjpeg's cjpeg as a progressive 4:2:0 file, quality 90 (libjpeg's
// default scan script and optimised Huffman tables, as a camera or web
// pipeline writes them). It is skipped when cjpeg is not installed.
func BenchmarkPhoto12MPCjpeg(b *testing.B) {
	cjpeg, err := exec.LookPath("cjpeg")
	if err != nil {
		b.Skip("cjpeg not installed")
	}
	cjpegOnce.Do(func() {
		m := photoYCbCr(4000, 3000, image.YCbCrSubsampleRatio420, 1)
		var ppm bytes.Buffer
		fmt.Fprintf(&ppm, "P6\n4000 3000\n255\n")
		row := make([]byte, 3*4000)
		for y := 0; y < 3000; y++ {
			for x := 0; x < 4000; x++ {
				r, g, bb := color.YCbCrToRGB(m.Y[m.YOffset(x, y)], m.Cb[m.COffset(x, y)], m.Cr[m.COffset(x, y)])
				row[3*x], row[3*x+1], row[3*x+2] = r, g, bb
			}
			ppm.Write(row)
		}
		cmd := exec.Command(cjpeg, "-progressive", "-quality", "90")
		cmd.Stdin = &ppm
		cjpegJPEG, cjpegErr = cmd.Output()
	})
	if cjpegErr != nil {
		b.Fatal(cjpegErr)
	}
	benchPair(b, cjpegJPEG)
}

// BenchmarkCorpusProgressive decodes every progressive JPEG of the shared
// corpus once per op (27 files in the corpus of November 2026); divide by
// the file count the log line gives for a per-file figure. It is skipped
// when the corpus is absent.
func BenchmarkCorpusProgressive(b *testing.B) {
	var files [][]byte
	for _, path := range corpusJPEGs(b) {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if isProgressive(data) {
			files = append(files, data)
		}
	}
	if len(files) == 0 {
		b.Skip("no progressive JPEG in the corpus")
	}
	b.Logf("%d progressive files", len(files))
	b.Run("jpegluma", func(b *testing.B) {
		var dst gray.Plane
		cputimetest.Loop(b, time.Millisecond, func() {
			for _, data := range files {
				if _, err := Decode(data, &dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("image-jpeg", func(b *testing.B) {
		cputimetest.Loop(b, time.Millisecond, func() {
			for _, data := range files {
				if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// isProgressive tells whether data's frame header is SOF2, by walking its
// marker segments up to the first SOFn.
func isProgressive(data []byte) bool {
	for p := 2; p+4 <= len(data) && data[p] == 0xff; {
		m := data[p+1]
		if m >= 0xc0 && m <= 0xcf && m != mDHT && m != 0xc8 && m != 0xcc {
			return m == mSOF2
		}
		p += 2 + (int(data[p+2])<<8 | int(data[p+3]))
	}
	return false
}
