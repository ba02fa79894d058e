package server

import (
	"context"
	"sync/atomic"
)

// limiter is the two-gate admission control described in the package doc:
// admit bounds the requests in the system (decoding or queued) without
// blocking, acquire waits for one of the decode slots.
type limiter struct {
	slots    chan struct{} // a token per running decode
	capacity int64         // slots + queue
	admitted atomic.Int64  // requests admitted and not yet done
	waiting  atomic.Int64  // admitted requests waiting for a slot
	running  atomic.Int64  // requests holding a slot
}

func newLimiter(slots, queue int) *limiter {
	return &limiter{slots: make(chan struct{}, slots), capacity: int64(slots + queue)}
}

// admit reserves a place in the system and reports whether there was one.
// A true result must be paired with one call to leave.
func (l *limiter) admit() bool {
	if l.admitted.Add(1) > l.capacity {
		l.admitted.Add(-1)
		return false
	}
	return true
}

// full reports whether every place is taken (admit would fail now).
func (l *limiter) full() bool { return l.admitted.Load() >= l.capacity }

// leave releases the place reserved by admit.
func (l *limiter) leave() { l.admitted.Add(-1) }

// acquire waits for a decode slot until ctx is done. A nil result must be
// paired with one call to release.
func (l *limiter) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}: // fast path: a free slot, no queueing
		l.running.Add(1)
		return nil
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	select {
	case l.slots <- struct{}{}:
		l.running.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees the slot taken by acquire.
func (l *limiter) release() {
	l.running.Add(-1)
	<-l.slots
}
