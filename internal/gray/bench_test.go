package gray

import (
	"github.com/qrcascade/qrcascade/internal/cputime/cputimetest"
	"sync"
	"testing"
	"time"
)

// Benchmarks on a 1600×1200 (≈2 MP) photo-like plane, each with a reused
// dst, as the classic tier calls them. Besides ns/op (wall time) each
// reports cpu-ns/op, the CPU time of the benchmarking thread per operation,
// which stays meaningful when other jobs share the cores.

var benchPlane = sync.OnceValue(func() *Plane { return photo(1600, 1200, 42) })

func benchOp(b *testing.B, fn func(dst, src *Plane) *Plane) {
	src := benchPlane()
	dst := fn(nil, src)
	b.SetBytes(int64(src.W * src.H))
	cputimetest.Loop(b, time.Nanosecond, func() { fn(dst, src) })
}

func BenchmarkHistogram(b *testing.B) {
	src := benchPlane()
	b.SetBytes(int64(src.W * src.H))
	cputimetest.Loop(b, time.Nanosecond, func() { Histogram(src) })
}

func BenchmarkOtsuLevel(b *testing.B) {
	src := benchPlane()
	cputimetest.Loop(b, time.Nanosecond, func() { OtsuLevel(src) })
}

func BenchmarkMeanStd(b *testing.B) {
	src := benchPlane()
	cputimetest.Loop(b, time.Nanosecond, func() { MeanStd(src) })
}

func BenchmarkMinMax(b *testing.B) {
	src := benchPlane()
	cputimetest.Loop(b, time.Nanosecond, func() { MinMax(src) })
}

func BenchmarkCopy(b *testing.B) { benchOp(b, Copy) }
func BenchmarkApplyLUT(b *testing.B) {
	var lut [256]byte
	for i := range lut {
		lut[i] = byte(255 - i/2)
	}
	benchOp(b, func(d, s *Plane) *Plane { return ApplyLUT(d, s, &lut) })
}
func BenchmarkEqualize(b *testing.B) { benchOp(b, Equalize) }
func BenchmarkStretch(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return Stretch(d, s, 1, 99) })
}
func BenchmarkThreshold(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return Threshold(d, s, 128) })
}
func BenchmarkInvert(b *testing.B) { benchOp(b, Invert) }
func BenchmarkAdaptiveMean(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return AdaptiveMean(d, s, 15, 5) })
}
func BenchmarkSauvola(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return Sauvola(d, s, 15, 0.3, 128) })
}
func BenchmarkBoxBlur(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return BoxBlur(d, s, 3) })
}
func BenchmarkGaussianBlur1(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return GaussianBlur(d, s, 1) })
}
func BenchmarkSharpen(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return Sharpen(d, s, 1) })
}
func BenchmarkErode(b *testing.B)  { benchOp(b, Erode) }
func BenchmarkDilate(b *testing.B) { benchOp(b, Dilate) }
func BenchmarkDownscale2(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return Downscale(d, s, 2) })
}
func BenchmarkDownscale3(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return Downscale(d, s, 3) })
}
func BenchmarkDownscale4(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return Downscale(d, s, 4) })
}
func BenchmarkResizeArea1000(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return ResizeArea(d, s, 1000, 750) })
}
func BenchmarkResizeArea640(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return ResizeArea(d, s, 640, 480) })
}
func BenchmarkResizeBilinearHalf(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return ResizeBilinear(d, s, 800, 600) })
}

// Upscaling a 400×400 crop (a small symbol) by 2, the neural tier's use.
func benchUpscale(b *testing.B, fn func(dst, src *Plane, w, h int) *Plane) {
	src := Crop(benchPlane(), 700, 350, 1100, 750)
	dst := fn(nil, src, 800, 800)
	b.SetBytes(int64(dst.W * dst.H))
	cputimetest.Loop(b, time.Nanosecond, func() { fn(dst, src, 800, 800) })
}

func BenchmarkResizeBilinearUp2(b *testing.B) { benchUpscale(b, ResizeBilinear) }
func BenchmarkResizeBicubicUp2(b *testing.B)  { benchUpscale(b, ResizeBicubic) }
func BenchmarkCrop(b *testing.B) {
	src := benchPlane()
	cputimetest.Loop(b, time.Nanosecond, func() { Crop(src, 100, 100, 1500, 1100) })
}
func BenchmarkCropCopy(b *testing.B) {
	benchOp(b, func(d, s *Plane) *Plane { return CropCopy(d, s, 100, 100, 1500, 1100) })
}
