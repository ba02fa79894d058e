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
