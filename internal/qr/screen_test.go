package qr

import (
	"errors"
	"testing"
)

// TestUnsupported: a screened candidate is refused only when it claims a
// side of 45 or more with no version information read, and its timing
// patterns barely alternate.
func TestUnsupported(t *testing.T) {
	cases := []struct {
		name        string
		rank        int
		side        int
		versionRead bool
		refused     bool
	}{
		{"large look-alike", 5, 141, false, true},
		{"version 7 look-alike", 6, 45, false, true},
		{"version 6", 5, 41, false, false},
		{"timing alternates", 7, 141, false, false},
		{"alignment patterns shown", 10, 141, false, false},
		{"version information read", 3, 141, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := candidate{rank: tc.rank, sizes: []int{tc.side}}
			c.f.versionRead = tc.versionRead
			cerr := c.unsupported()
			if (cerr != nil) != tc.refused {
				t.Fatalf("unsupported() = %v, want refused %v", cerr, tc.refused)
			}
			if cerr != nil && (cerr.stage != StageVersion || !errors.Is(cerr.err, ErrVersionInfo)) {
				t.Errorf("refused at stage %v with %v, want the version stage and ErrVersionInfo", cerr.stage, cerr.err)
			}
		})
	}
}

// TestAfterReadRules: once the image has yielded a symbol, a candidate
// that passed only the loose format screen is passed over unless its
// timing patterns fully agree, and a triple whose timing patterns do not
// fully agree gets afterReadBudget transforms.
func TestAfterReadRules(t *testing.T) {
	cases := []struct {
		name       string
		rank       int
		loose      bool
		budget     int
		skipped    bool
		wantBudget int
	}{
		{"strict, rank 10", 10, false, 6, false, 6},
		{"strict, rank 8", 8, false, 6, false, afterReadBudget},
		{"strict, rank 6, budget 4", 6, false, 4, false, afterReadBudget},
		{"loose, rank 10", 10, true, 2, false, 2},
		{"loose, rank 9", 9, true, 2, true, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := candidate{rank: tc.rank, loose: tc.loose, budget: tc.budget}
			if got := looseLookAlike(&c); got != tc.skipped {
				t.Errorf("looseLookAlike = %v, want %v", got, tc.skipped)
			}
			budgetAfterRead(&c)
			if c.budget != tc.wantBudget {
				t.Errorf("budget %d, want %d", c.budget, tc.wantBudget)
			}
		})
	}
}
