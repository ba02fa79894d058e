// Package cputimetest runs benchmark bodies on a locked OS thread and
// reports their thread CPU time per operation (internal/cputime), a figure
// that stays steady on a shared machine where ns/op does not. It is a
// separate package so that only tests import package testing.
package cputimetest

import (
	"runtime"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/cputime"
)

// Loop runs body b.N times (b.Loop) on a locked OS thread, reports
// allocations, and adds the metric "cpu-ms/op", "cpu-µs/op" or "cpu-ns/op"
// (unit time.Millisecond, time.Microsecond or anything else for
// nanoseconds) where the platform measures thread CPU time.
func Loop(b *testing.B, unit time.Duration, body func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	t0, ok := cputime.Thread()
	n := 0
	for b.Loop() {
		body()
		n++
	}
	t1, _ := cputime.Thread()
	if !ok || n == 0 {
		return
	}
	name := "cpu-ns/op"
	switch unit {
	case time.Millisecond:
		name = "cpu-ms/op"
	case time.Microsecond:
		name = "cpu-µs/op"
	default:
		unit = time.Nanosecond
	}
	b.ReportMetric(float64(t1-t0)/float64(n)/float64(unit), name)
}
