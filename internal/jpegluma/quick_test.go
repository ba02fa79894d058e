package jpegluma

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"testing"
)

func TestQuickInvoice(t *testing.T) {
	data, err := os.ReadFile("../../testdata/invoice.jpg")
	if err != nil {
		t.Skip(err)
	}
	p, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var pix []byte
	var stride int
	switch m := img.(type) {
	case *image.Gray:
		pix, stride = m.Pix, m.Stride
	case *image.YCbCr:
		pix, stride = m.Y, m.YStride
	}
	diffs := 0
	for y := 0; y < p.H; y++ {
		for x := 0; x < p.W; x++ {
			if p.Pix[y*p.Stride+x] != pix[y*stride+x] {
				diffs++
			}
		}
	}
	t.Logf("%dx%d stride %d/%d diffs %d", p.W, p.H, p.Stride, stride, diffs)
	if diffs > 0 {
		t.Fail()
	}
}
