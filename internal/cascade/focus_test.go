package cascade

import (
	"testing"

	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/qr"
	"github.com/qrcascade/qrcascade/internal/vocab"
)

func square(x, y, side float64) geom.Quad {
	return geom.Quad{{X: x, Y: y}, {X: x + side, Y: y}, {X: x + side, Y: y + side}, {X: x, Y: y + side}}
}

// TestDetectAfterReadFocus: under the default policy the after-read pass
// runs only for unread candidates wholly inside the plane, and those quads
// are the focus its candidates must meet; after a lone read, only for
// candidates that got past grid fitting (a look-alike in the text of a
// one-code page stops at the alignment or before). "always" runs with no
// focus, "never" and large mode do not run.
func TestDetectAfterReadFocus(t *testing.T) {
	p := gray.New(1000, 800)
	at := func(q geom.Quad, st qr.Stage) classic.Failure { return classic.Failure{Corners: q, Stage: st} }
	in, out := square(100, 100, 200), square(-20, 300, 200)
	one := []classic.Code{{Text: "read", Corners: square(600, 500, 150)}}
	two := append([]classic.Code{{Text: "also read", Corners: square(600, 100, 150)}}, one...)
	tests := []struct {
		name      string
		mode      vocab.Mode
		policy    vocab.AfterRead
		codes     []classic.Code
		unread    []classic.Failure
		wantRun   bool
		wantFocus int
	}{
		{"unread inside", vocab.ModeNano, vocab.AfterReadUnread, two, []classic.Failure{at(in, qr.StageVersion)}, true, 1},
		{"unread across the border", vocab.ModeNano, vocab.AfterReadUnread, two, []classic.Failure{at(out, qr.StageErrorCorrection)}, false, 0},
		{"one of each", vocab.ModeNano, vocab.AfterReadUnread, two, []classic.Failure{at(out, qr.StageErrorCorrection), at(in, qr.StageErrorCorrection)}, true, 1},
		{"none", vocab.ModeNano, vocab.AfterReadUnread, two, nil, false, 0},
		{"lone read, look-alike", vocab.ModeNano, vocab.AfterReadUnread, one, []classic.Failure{at(in, qr.StageAlignment)}, false, 0},
		{"lone read, symbol", vocab.ModeNano, vocab.AfterReadUnread, one, []classic.Failure{at(in, qr.StageCodewords)}, true, 1},
		{"always", vocab.ModeNano, vocab.AfterReadAlways, one, nil, true, 0},
		{"never", vocab.ModeNano, vocab.AfterReadNever, two, []classic.Failure{at(in, qr.StageErrorCorrection)}, false, 0},
		{"large mode", vocab.ModeLarge, vocab.AfterReadUnread, two, []classic.Failure{at(in, qr.StageErrorCorrection)}, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cascade{cfg: Config{Mode: tc.mode, AfterRead: tc.policy}}
			run, focus := c.detectAfterRead(&classic.Outcome{Codes: tc.codes, Unread: tc.unread}, p)
			if run != tc.wantRun || len(focus) != tc.wantFocus {
				t.Errorf("run %v focus %v, want run %v and %d focus quads", run, focus, tc.wantRun, tc.wantFocus)
			}
		})
	}
}

// TestMeetsAny: a candidate is decoded after a read when its bounding box
// meets that of an unread quad.
func TestMeetsAny(t *testing.T) {
	focus := []geom.Quad{square(100, 100, 100)}
	tests := []struct {
		name string
		q    geom.Quad
		want bool
	}{
		{"same place", square(100, 100, 100), true},
		{"overlapping corner", square(180, 180, 100), true},
		{"inside", square(120, 120, 20), true},
		{"elsewhere", square(400, 400, 100), false},
		{"beside, not touching", square(201, 100, 100), false},
	}
	for _, tc := range tests {
		if got := meetsAny(focus, tc.q); got != tc.want {
			t.Errorf("%s: meetsAny %v, want %v", tc.name, got, tc.want)
		}
	}
}
