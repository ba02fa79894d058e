package jpegluma

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"runtime"
	"sync"
	"testing"

	"qrcascade/internal/gray"
)

// cpuLoop runs body b.N times on a locked OS thread and reports cpu-ms/op,
// the thread's CPU time per operation, which stays steady on a shared
// machine where wall time does not.
func cpuLoop(b *testing.B, body func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	t0, ok := threadCPU()
	n := 0
	for b.Loop() {
		body()
		n++
	}
	if t1, _ := threadCPU(); ok && n > 0 {
		b.ReportMetric(float64(t1-t0)/float64(n)/1e6, "cpu-ms/op")
	}
}

// benchPair benchmarks Decode (with a fresh plane and with a reused one)
// against image/jpeg on data.
func benchPair(b *testing.B, data []byte) {
	b.Run("jpegluma", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cpuLoop(b, func() {
			if _, err := Decode(data, nil); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("jpegluma-reuse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var dst gray.Plane
		cpuLoop(b, func() {
			if _, err := Decode(data, &dst); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("image-jpeg", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cpuLoop(b, func() {
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
