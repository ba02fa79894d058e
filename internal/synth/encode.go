package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// grayImage wraps p as an *image.Gray sharing its pixels.
func grayImage(p *gray.Plane) *image.Gray {
	return &image.Gray{Pix: p.Pix, Stride: p.Stride, Rect: image.Rect(0, 0, p.W, p.H)}
}

// EncodeJPEG returns p as a baseline grayscale JPEG at the given quality
// (1..100). It does not modify p.
func EncodeJPEG(p *gray.Plane, quality int) ([]byte, error) {
	if quality < 1 || quality > 100 {
		return nil, fmt.Errorf("synth: encode jpeg: %w: quality %d (want 1..100)", ErrInvalidSpec, quality)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, grayImage(p), &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("synth: encode jpeg: %w", err)
	}
	return b.Bytes(), nil
}

// EncodePNG returns p as an 8-bit grayscale PNG (lossless). It does not
// modify p.
func EncodePNG(p *gray.Plane) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, grayImage(p)); err != nil {
		return nil, fmt.Errorf("synth: encode png: %w", err)
	}
	return b.Bytes(), nil
}

// decodeGray decodes a JPEG or PNG back to a plane (the luma channel for
// colour images).
func decodeGray(b []byte) (*gray.Plane, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	r := img.Bounds()
	p := gray.New(r.Dx(), r.Dy())
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < p.H; y++ {
			copy(p.Row(y), m.Pix[y*m.Stride:y*m.Stride+p.W])
		}
	case *image.YCbCr:
		for y := 0; y < p.H; y++ {
			copy(p.Row(y), m.Y[y*m.YStride:y*m.YStride+p.W])
		}
	default:
		for y := 0; y < p.H; y++ {
			for x := 0; x < p.W; x++ {
				cr, cg, cb, _ := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
				p.Pix[y*p.W+x] = byte((19595*cr + 38470*cg + 7471*cb + 1<<15) >> 24)
			}
		}
	}
	return p, nil
}
