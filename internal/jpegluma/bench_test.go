package jpegluma

import (
	"bytes"
	"image/jpeg"
	"os"
	"testing"
)

func BenchmarkInvoice(b *testing.B) {
	data, err := os.ReadFile("../../testdata/invoice.jpg")
	if err != nil {
		b.Skip(err)
	}
	b.Run("jpegluma", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Decode(data, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("image-jpeg", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
