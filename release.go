package qrcascade

import (
	"runtime/debug"
	"sync"
	"time"
)

// bigPlanePixels is the plane size from which a read gives its memory back
// to the operating system when it ends: a 49 MP image holds about 170 MB
// at its peak (its plane, the tiers' reduced copies and bitmaps), which the
// heap would otherwise keep for minutes after a single upload. Phone
// photos up to 16 MP are common traffic and keep their memory for reuse.
const bigPlanePixels = 16_000_000

// releaseEvery bounds how often a Reader forces the release: a stream of
// big images then costs one collection a second, not one per image.
const releaseEvery = time.Second

// releaser returns the heap's free memory to the operating system in the
// background (debug.FreeOSMemory: a collection, then the free pages
// returned), at most once per releaseEvery: a request for a release
// within releaseEvery of the last is deferred to its end, so that the last
// of several big reads at once is released too.
type releaser struct {
	free  func()        // nil: debug.FreeOSMemory
	every time.Duration // 0: releaseEvery

	mu      sync.Mutex
	last    time.Time // when the last release started
	pending bool      // a deferred release is scheduled
}

// after is called when a read of a w × h plane ended.
func (rl *releaser) after(w, h int) {
	if int64(w)*int64(h) < bigPlanePixels {
		return
	}
	free, every := rl.free, rl.every
	if free == nil {
		free = debug.FreeOSMemory
	}
	if every == 0 {
		every = releaseEvery
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.pending {
		return
	}
	wait := every - time.Since(rl.last)
	if wait <= 0 {
		rl.last = time.Now()
		go free()
		return
	}
	rl.pending = true
	time.AfterFunc(wait, func() {
		rl.mu.Lock()
		rl.pending, rl.last = false, time.Now()
		rl.mu.Unlock()
		free()
	})
}
