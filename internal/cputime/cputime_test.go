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
			// A loaded machine may take the core away for most of a busy
			// loop: spin until the clock has moved 5 ms, for at most 10 s
			// of wall time (a clock that does not advance fails).
			w0 := time.Now()
			var got time.Duration
			for got < 5*time.Millisecond && time.Since(w0) < 10*time.Second {
				spin(10 * time.Millisecond)
				c1, _ := tc.read()
				got = c1 - c0
			}
			wall := time.Since(w0)
			if got < 5*time.Millisecond {
				t.Errorf("%s CPU time grew %v over a %v busy loop", tc.name, got, wall)
			}
			if tc.name == "thread" && got > wall+5*time.Millisecond {
				t.Errorf("thread CPU time grew %v, more than the %v of wall time", got, wall)
			}
		})
	}
}
