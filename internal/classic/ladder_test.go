package classic

import (
	"context"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/qr"
)

// TestLocatorEqSkippedWhereRedundant: after the default two-pass locator,
// locator_eq does not run on a plane that is its own working plane (the
// locator's second pass already located on it equalised); it still runs on
// a plane larger than the working plane (located at a reduction), when it
// is listed without the locator, and after a locator engine supplied by
// the configuration.
func TestLocatorEqSkippedWhereRedundant(t *testing.T) {
	blank := func(w, h int) *gray.Plane {
		p := gray.New(w, h)
		for i := range p.Pix {
			p.Pix[i] = 200
		}
		return p
	}
	tests := []struct {
		name        string
		cfg         Config
		plane       *gray.Plane
		wantSkipped bool
	}{
		{"default locator, small plane", Config{Strategies: []string{Locator, LocatorEq}}, blank(600, 400), true},
		{"default locator, plane above the working side", Config{Strategies: []string{Locator, LocatorEq}}, blank(2400, 600), false},
		{"locator_eq alone", Config{Strategies: []string{LocatorEq}}, blank(600, 400), false},
		{"configured locator engine", Config{Strategies: []string{Locator, LocatorEq}, LocatorEngine: NewLocatorEngine(qr.Options{SinglePass: true})}, blank(600, 400), false},
		{"default order, small plane", Config{}, blank(600, 400), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tier, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			out, err := tier.Read(context.Background(), tc.plane)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, a := range out.Attempts {
				if a.Strategy != LocatorEq {
					continue
				}
				found = true
				if a.Skipped != tc.wantSkipped {
					t.Errorf("locator_eq skipped %v, want %v", a.Skipped, tc.wantSkipped)
				}
			}
			if !found {
				t.Fatalf("no locator_eq attempt in %+v", out.Attempts)
			}
		})
	}
}
