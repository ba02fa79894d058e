// Command inputs writes the inputs of the sizing run (deploy/sizing/measure.sh,
// #14) that the synth scenarios do not cover: three invoice PDFs (vector,
// a scanned page, five pages) and, given a photo scene, a 12 MP colour photo.
// It uses the test PDF writer of internal/pdf: it is a measurement tool,
// not part of the service.
package main

import (
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

func main() {
	dir := os.Args[1]
	text, _ := os.ReadFile("testdata/invoice.txt")
	m, err := pdftest.Matrix(string(text))
	if err != nil {
		panic(err)
	}
	// vector: one page, text and a vector QR (an e-invoice PDF).
	p := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	p.Text(60, 80, 14, "FACTURA F-2026-0042")
	p.VectorQR(m, 400, 650, 3)
	write(filepath.Join(dir, "vector.pdf"), pdftest.Build([]*pdftest.Page{p}, pdftest.Options{}))
	// scan: one page holding the 2.2 MP invoice photo as a JPEG image.
	f, _ := os.Open("testdata/invoice.jpg")
	img, err := jpeg.Decode(f)
	if err != nil {
		panic(err)
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, image.Point{}, draw.Src)
	s := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	if err := s.Image(g, 0, 0, pdftest.A4[0], pdftest.A4[1], true); err != nil {
		panic(err)
	}
	write(filepath.Join(dir, "scan.pdf"), pdftest.Build([]*pdftest.Page{s}, pdftest.Options{}))
	// five pages, the code on the last.
	var pages []*pdftest.Page
	for i := 0; i < 5; i++ {
		q := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
		q.Text(60, 80, 14, "FACTURA F-2026-0042")
		if i == 4 {
			q.VectorQR(m, 400, 650, 3)
		}
		pages = append(pages, q)
	}
	write(filepath.Join(dir, "pages5.pdf"), pdftest.Build(pages, pdftest.Options{}))
	// photo12: a 12 MP (4032×3024) colour phone-sized photo, the blurry
	// photo scene scaled up (nearest neighbour) with a tint.
	if len(os.Args) > 2 {
		f, _ := os.Open(os.Args[2])
		src, err := jpeg.Decode(f)
		if err != nil {
			panic(err)
		}
		b := src.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, 4032, 3024))
		for y := 0; y < 3024; y++ {
			for x := 0; x < 4032; x++ {
				r, _, _, _ := src.At(b.Min.X+x*b.Dx()/4032, b.Min.Y+y*b.Dy()/3024).RGBA()
				v := uint8(r >> 8)
				i := dst.PixOffset(x, y)
				dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = v, uint8(int(v)*9/10), uint8(int(v)*8/10), 255
			}
		}
		out, _ := os.Create(filepath.Join(dir, "photo12.jpg"))
		if err := jpeg.Encode(out, dst, &jpeg.Options{Quality: 90}); err != nil {
			panic(err)
		}
		out.Close()
	}
}

func write(name string, b []byte) {
	if err := os.WriteFile(name, b, 0o644); err != nil {
		panic(err)
	}
}
