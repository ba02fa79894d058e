package cputime

import (
	"runtime"
	"testing"
	"time"
)

// spin burns CPU on the calling thread for about d of wall time.
func spin(d time.Duration) int {
	n := 0
	for t0 := time.Now(); time.Since(t0) < d; n++ {
	}
	return n
}

// TestClocksAdvance: both clocks grow by at least part of a busy loop's
// duration, and the thread clock by no more than the wall time it took.
func TestClocksAdvance(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, tc := range []struct {
		name string
		read func() (time.Duration, bool)
	}{
		{"thread", Thread},
		{"process", Process},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c0, ok := tc.read()
			if !ok {
				t.Skip("not measured on this platform")
			}
			w0 := time.Now()
			spin(50 * time.Millisecond)
			wall := time.Since(w0)
			c1, _ := tc.read()
			got := c1 - c0
			// a loaded machine may take the core away for part of the loop
			if got < 5*time.Millisecond {
				t.Errorf("%s CPU time grew %v over a %v busy loop", tc.name, got, wall)
			}
			if tc.name == "thread" && got > wall+5*time.Millisecond {
				t.Errorf("thread CPU time grew %v, more than the %v of wall time", got, wall)
			}
		})
	}
}
