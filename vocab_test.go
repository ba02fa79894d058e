package qrcascade

import (
	"slices"
	"testing"
)

// TestVocabularies: each list holds its constants once, and the zero
// Options resolve to the command line's defaults.
func TestVocabularies(t *testing.T) {
	tests := []struct {
		name string
		list []string
		want []string
	}{
		{"modes", strs(Modes()), strs([]Mode{ModeClassic, ModeNano, ModeHybrid, ModeLarge})},
		{"tiers", strs(Tiers()), strs([]Tier{TierClassic, TierNeural})},
		{"detectors", strs(Detectors()), strs([]Model{ModelNano, ModelLarge})},
		{"fallbacks", strs(Fallbacks()), strs([]Fallback{FallbackNoRead, FallbackLowConfidence, FallbackSmallCode})},
		{"neural strategies", strs(NeuralStrategies()), []string{"quad", "crop_locator", "crop_adaptive", "crop_raw", "quad_retry"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !slices.Equal(tc.list, tc.want) {
				t.Errorf("%v, want %v", tc.list, tc.want)
			}
		})
	}
	for _, s := range NeuralStrategies() {
		if slices.Contains(AllStrategies(), s) {
			t.Errorf("neural strategy %q is also a classic one", s)
		}
	}
}

func TestZeroOptions(t *testing.T) {
	r, err := NewReader(Options{})
	if err != nil {
		t.Skipf("no nano model in this build: %v", err)
	}
	defer r.Close()
	o := r.Options()
	if o.Mode != ModeNano || o.AfterRead != AfterReadUnread {
		t.Errorf("zero Options: mode %q, after-read %q; want nano, unread", o.Mode, o.AfterRead)
	}
}

func strs[S ~string](vs []S) []string { return convert[string](vs) }
