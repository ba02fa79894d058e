package cascade

import (
	"fmt"
	"testing"

	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/qr"
)

// TestStageOf: every sentinel of internal/qr maps to the stage it names,
// wrapped or not; anything else to the finder stage.
func TestStageOf(t *testing.T) {
	tests := []struct {
		err  error
		want qr.Stage
	}{
		{qr.ErrNotFound, qr.StageFinder},
		{qr.ErrFormatInfo, qr.StageFormat},
		{qr.ErrVersionInfo, qr.StageVersion},
		{qr.ErrAlignment, qr.StageAlignment},
		{qr.ErrCodewords, qr.StageCodewords},
		{qr.ErrErrorCorrection, qr.StageErrorCorrection},
		{fmt.Errorf("qr: decode quad: %w", qr.ErrBitstream), qr.StageBitstream},
		{fmt.Errorf("other"), qr.StageFinder},
	}
	for _, tc := range tests {
		t.Run(tc.want.String(), func(t *testing.T) {
			if got := stageOf(tc.err); got != tc.want {
				t.Errorf("stageOf(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestDropRead: candidates on a code read go, the others stay in order.
func TestDropRead(t *testing.T) {
	sq := func(x float64) geom.Quad {
		return geom.Quad{{X: x, Y: 0}, {X: x + 10, Y: 0}, {X: x + 10, Y: 10}, {X: x, Y: 10}}
	}
	us := []Unread{{Corners: sq(0), Stage: "a"}, {Corners: sq(100), Stage: "b"}, {Corners: sq(200), Stage: "c"}}
	codes := []classic.Code{{Text: "x", Corners: sq(101)}}
	got := dropRead(us, codes)
	if len(got) != 2 || got[0].Stage != "a" || got[1].Stage != "c" {
		t.Errorf("dropRead = %+v, want a and c", got)
	}
}
