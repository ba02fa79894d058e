package qrcascade

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qrcascade/qrcascade/internal/synth"
)

// TestExplain: with Options.Explain a page holding a read code and a
// wiped one reports the wiped one as unread, with its stage, and the
// strategies run; without it Result.Explain is nil.
func TestExplain(t *testing.T) {
	sc := synth.TwoCodes(true)
	data := jpegOf(t, sc)
	for _, tc := range []struct {
		name    string
		explain bool
	}{{"off", false}, {"on", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(Options{Mode: ModeClassic, Explain: tc.explain})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			res, err := r.Read(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Codes) != 1 {
				t.Fatalf("read %d codes, want 1", len(res.Codes))
			}
			if !tc.explain {
				if res.Explain != nil {
					t.Fatalf("Explain %+v without Options.Explain", res.Explain)
				}
				return
			}
			if res.Explain == nil || len(res.Explain.Pages) != 1 {
				t.Fatalf("Explain %+v, want one page", res.Explain)
			}
			pe := res.Explain.Pages[0]
			if pe.Page != 1 || len(pe.Attempts) == 0 || pe.Timings.Classic <= 0 {
				t.Errorf("page %d, %d attempts, classic %v: want page 1, attempts, a classic time", pe.Page, len(pe.Attempts), pe.Timings.Classic)
			}
			wiped := sc.Codes[1].Corners
			found := false
			for _, c := range pe.Unread {
				if codeQuad(res.Codes[0].Points).Overlaps(codeQuad(c.Points)) {
					t.Errorf("unread %+v lies on the code read", c)
				}
				if codeQuad(c.Points).Overlaps(wiped) {
					found = true
					if c.Tier != TierClassic || c.Strategy == "" || c.Stage == "" {
						t.Errorf("unread %+v: want a classic tier, strategy and stage", c)
					}
				}
			}
			if !found {
				t.Errorf("unread %+v: none on the wiped code", pe.Unread)
			}
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{`"explain":{"pages":[{"page":1,"unread":[{"points":`, `"stage":"`, `"timings_ms":{"decode_image":0,"classic":`, `"duration_ms":`} {
				if !strings.Contains(string(b), key) {
					t.Errorf("JSON lacks %s: %s", key, b)
				}
			}
		})
	}
}
