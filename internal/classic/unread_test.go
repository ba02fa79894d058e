package classic

import (
	"context"
	"testing"

	"github.com/qrcascade/qrcascade/internal/qr"
	"github.com/qrcascade/qrcascade/internal/synth"
)

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
			sc := synth.TwoCodes(tc.wipe)
			truth := sc.Codes
			out, err := tier.Read(context.Background(), sc.Plane)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Codes) != tc.wantCodes {
				t.Fatalf("read %d codes, want %d", len(out.Codes), tc.wantCodes)
			}
			if got := len(out.Unread) > 0; got != tc.wantUnread {
				t.Fatalf("unread %v, want some: %v", out.Unread, tc.wantUnread)
			}
			for _, u := range out.Unread {
				q := u.Corners
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

// TestOutcomeFailures: with Config.Explain the tier reports the wiped code
// as a failure with its stage and strategy, and nothing without it.
func TestOutcomeFailures(t *testing.T) {
	sc := synth.TwoCodes(true)
	for _, explain := range []bool{false, true} {
		tier, err := New(Config{Explain: explain})
		if err != nil {
			t.Fatal(err)
		}
		out, err := tier.Read(context.Background(), sc.Plane)
		if err != nil {
			t.Fatal(err)
		}
		if !explain {
			if out.Failures != nil {
				t.Errorf("failures without Explain: %v", out.Failures)
			}
			continue
		}
		found := false
		for _, f := range out.Failures {
			for _, c := range out.Codes {
				if c.Corners.Overlaps(f.Corners) {
					t.Errorf("failure %v lies on code %q read", f, c.Text)
				}
			}
			if f.Strategy == "" {
				t.Errorf("failure %v names no strategy", f)
			}
			if f.Corners.Overlaps(sc.Codes[1].Corners) {
				found = true
				if f.Stage <= qr.StageFormat {
					t.Errorf("wiped code stopped at %v, want past the format information", f.Stage)
				}
			}
		}
		if !found {
			t.Errorf("failures %v: none on the wiped code %v", out.Failures, sc.Codes[1].Corners)
		}
	}
}
