package qr

import (
	"context"
	"testing"

	"qrcascade/internal/gray"
	"qrcascade/internal/synth"
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
