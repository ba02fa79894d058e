package synth

import "testing"

func TestScenariosDecode(t *testing.T) {
	for _, sc := range Scenarios() {
		for seed := uint64(1); seed <= 3; seed++ {
			s := mustRender(sc.Spec(seed), seed)
			got, err := decodeQR(t, s.Plane)
			t.Logf("%s seed %d: v%d %.2f px/module readable=%v: %q err=%v", sc.Name, seed, s.Codes[0].Version, s.Codes[0].ModulePx, s.Codes[0].Readable, got, err)
		}
	}
}
