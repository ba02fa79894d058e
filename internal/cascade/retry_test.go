package cascade

import (
	"context"
	"math"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/synth"
)

// TestRetryQuadsGeometry: the first hypothesis is the square whose edge
// midpoints are q's corners, the second q scaled by 1.4 about its centre.
func TestRetryQuadsGeometry(t *testing.T) {
	box := geom.Quad{{X: 90, Y: 90}, {X: 110, Y: 90}, {X: 110, Y: 110}, {X: 90, Y: 110}}
	r := retryQuads(box)
	for i := range 4 {
		mid := geom.Point{X: (r[0].quad[i].X + r[0].quad[(i+1)%4].X) / 2, Y: (r[0].quad[i].Y + r[0].quad[(i+1)%4].Y) / 2}
		// each corner of box is the midpoint of one edge of the square
		found := false
		for _, c := range box {
			if mid.Dist(c) < 1e-9 {
				found = true
			}
		}
		if !found {
			t.Errorf("edge %d midpoint %v is not a corner of %v", i, mid, box)
		}
		want := geom.Point{X: 100 + 1.4*(box[i].X-100), Y: 100 + 1.4*(box[i].Y-100)}
		if r[1].quad[i].Dist(want) > 1e-9 {
			t.Errorf("scaled corner %d = %v, want %v", i, r[1].quad[i], want)
		}
	}
}

// TestDecodeCandidateRetries: a code turned by 45° proposed as the upright
// box of its edge midpoints (how the detectors answer such codes) does not
// read from that box, and reads from the retry hypothesis.
func TestDecodeCandidateRetries(t *testing.T) {
	sc, err := synth.Render(synth.Spec{W: 600, H: 600, Symbols: []synth.Symbol{{
		Code: synth.Code{Text: "turned by forty-five degrees"}, ModulePx: 6, Center: geom.Point{X: 300, Y: 300}, Rotation: 45,
	}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	q := sc.Codes[0].Corners
	var box geom.Quad
	for i := range q {
		box[i] = geom.Point{X: (q[i].X + q[(i+1)%4].X) / 2, Y: (q[i].Y + q[(i+1)%4].Y) / 2}
	}
	c := newTestCascade(t, Config{})
	ctx := context.Background()
	if s, err := c.cfg.Locator.DecodeQuad(ctx, sc.Plane, box); err == nil {
		t.Fatalf("the box itself read %q: the test needs a box that does not", s.Text)
	}
	code, _, ok := c.decodeCandidate(ctx, sc.Plane, box)
	if !ok {
		t.Fatal("decodeCandidate did not read the code from its edge-midpoint box")
	}
	if code.Text != sc.Codes[0].Text || code.Strategy != "quad_retry" {
		t.Errorf("read %q by %q, want %q by quad_retry", code.Text, code.Strategy, sc.Codes[0].Text)
	}
	if e := cornerError(code.Corners, q); e > 0.05 || math.IsNaN(e) {
		t.Errorf("corners %v, want about %v (error %.3f)", code.Corners, q, e)
	}
}
