package qr

import (
	"context"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/synth"
)

// noCodePlane renders a 12 MP (4000×3000) photo-like plane without a
// symbol: what a phone photo of a page without a code costs to give up on.
func noCodePlane(tb testing.TB) *gray.Plane {
	s, err := synth.Render(synth.Spec{W: 4000, H: 3000, Background: synth.BackgroundPhoto, Noise: 4}, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return s.Plane
}

// BenchmarkDetectNoCode12MP is the time Detect takes to give up on a 12 MP
// plane with no symbol (image decoding excluded).
func BenchmarkDetectNoCode12MP(b *testing.B) {
	p := noCodePlane(b)
	d := NewDetector(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if res := d.Detect(context.Background(), p); len(res.Symbols) != 0 {
			b.Fatal("read a symbol in a plane without one")
		}
	}
}

// BenchmarkDetectNoCode12MPEqualised is BenchmarkDetectNoCode12MP on the
// histogram-equalised plane, as the classic tier's locator_eq strategy
// hands it: equalisation multiplies the noise of the dark photo.
func BenchmarkDetectNoCode12MPEqualised(b *testing.B) {
	p := gray.Equalize(nil, noCodePlane(b))
	d := NewDetector(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if res := d.Detect(context.Background(), p); len(res.Symbols) != 0 {
			b.Fatal("read a symbol in a plane without one")
		}
	}
}

// TestNoCodeWork checks that a photo-like plane without a symbol, as is and
// equalised, yields next to no finder pattern candidates, so that giving up
// costs little more than binarisation and the run-length scan. The
// equalised plane is located as the classic tier's locator_eq strategy
// locates it, in a single pass: the full resolution pass, which that
// strategy does not run, finds the amplified noise's look-alikes there.
func TestNoCodeWork(t *testing.T) {
	s, err := synth.Render(synth.Spec{W: 2000, H: 1500, Background: synth.BackgroundPhoto, Noise: 4}, 2)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		p    *gray.Plane
		opts Options
	}{
		{"photo", s.Plane, Options{}},
		{"equalised", gray.Equalize(nil, s.Plane), Options{SinglePass: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := NewDetector(tc.opts).Detect(context.Background(), tc.p)
			if len(res.Symbols) != 0 || res.Stats.FinderPatterns > 10 || res.Stats.Grids > 10 {
				t.Errorf("%d symbols, stats %+v; want none and at most 10 finder patterns and grids", len(res.Symbols), res.Stats)
			}
		})
	}
}

// BenchmarkBinarize is the local-mean binarisation of a clean invoice page
// as the locator sees it (1240×1754 reduced by 2).
func BenchmarkBinarize(b *testing.B) {
	p := gray.Downscale(nil, synth.CleanInvoice(1).Plane, 2)
	var buf scratch
	b.SetBytes(int64(p.W * p.H))
	for b.Loop() {
		binarizeInto(&buf, p, 10)
		buf.release()
	}
}

// BenchmarkNoiseLevel is the noise estimate of a clean invoice page as the
// locator sees it (1240×1754 reduced by 2).
func BenchmarkNoiseLevel(b *testing.B) {
	p := gray.Downscale(nil, synth.CleanInvoice(1).Plane, 2)
	b.SetBytes(int64(p.W * p.H))
	for b.Loop() {
		noiseLevel(p)
	}
}
