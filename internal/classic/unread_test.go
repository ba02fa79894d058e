package classic

import (
	"context"
	"testing"

	"qrcascade/internal/geom"
	"qrcascade/internal/gray"
	"qrcascade/internal/synth"
)

// twoCodes renders two codes side by side; with wipe, the middle of the
// second code is painted white (synth.Scene.WipeCentre), so a reader
// locates it but cannot decode it.
func twoCodes(t *testing.T, wipe bool) (*gray.Plane, []synth.Truth) {
	t.Helper()
	sc, err := synth.Render(synth.Spec{W: 900, H: 500, Symbols: []synth.Symbol{
		{Code: synth.Code{Text: "first code, intact"}, ModulePx: 5, Center: geom.Point{X: 220, Y: 250}},
		{Code: synth.Code{Text: "second code, its data wiped"}, ModulePx: 5, Center: geom.Point{X: 660, Y: 250}},
	}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if wipe {
		sc.WipeCentre(1, 0.45)
	}
	return sc.Plane, sc.Codes
}

// TestOutcomeUnread: the locator reports a located but undecodable code
// beside the one it read, and nothing on a plane whose codes it all read.
func TestOutcomeUnread(t *testing.T) {
	tier, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		wipe       bool
		wantCodes  int
		wantUnread bool
	}{
		{"both intact", false, 2, false},
		{"second wiped", true, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, truth := twoCodes(t, tc.wipe)
			out, err := tier.Read(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Codes) != tc.wantCodes {
				t.Fatalf("read %d codes, want %d", len(out.Codes), tc.wantCodes)
			}
			if got := len(out.Unread) > 0; got != tc.wantUnread {
				t.Fatalf("unread %v, want some: %v", out.Unread, tc.wantUnread)
			}
			for _, q := range out.Unread {
				if !q.Overlaps(truth[1].Corners) {
					t.Errorf("unread quad %v is not on the wiped code %v", q, truth[1].Corners)
				}
				for _, c := range out.Codes {
					if c.Corners.Overlaps(q) {
						t.Errorf("unread quad %v lies on code %q read", q, c.Text)
					}
				}
			}
		})
	}
}
