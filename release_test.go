package qrcascade

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestReleaser(t *testing.T) {
	var calls atomic.Int32
	rl := releaser{free: func() { calls.Add(1) }, every: 200 * time.Millisecond}
	wait := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for calls.Load() < want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := calls.Load(); got != want {
			t.Fatalf("%d releases, want %d", got, want)
		}
	}
	rl.after(4000, 3000) // 12 MP: kept for reuse
	time.Sleep(50 * time.Millisecond)
	if calls.Load() != 0 {
		t.Fatal("a 12 MP plane was released")
	}
	rl.after(7000, 7000) // released at once
	wait(1)
	rl.after(7000, 7000) // within the interval: deferred to its end,
	rl.after(7000, 7000) // once for both
	time.Sleep(50 * time.Millisecond)
	if calls.Load() != 1 {
		t.Fatalf("%d releases within the interval, want 1", calls.Load())
	}
	wait(2)
	time.Sleep(300 * time.Millisecond)
	if calls.Load() != 2 {
		t.Fatalf("%d releases, want 2", calls.Load())
	}
}
