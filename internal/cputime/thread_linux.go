//go:build linux

package cputime

import (
	"syscall"
	"time"
	"unsafe"
)

// clockThreadCPUTimeID is CLOCK_THREAD_CPUTIME_ID of Linux's clock_gettime.
const clockThreadCPUTimeID = 3

// Thread returns the CPU time consumed by the calling OS thread and true,
// or false where the platform does not measure it. Callers that want the
// time of one goroutine lock it to its thread (runtime.LockOSThread).
func Thread() (time.Duration, bool) {
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
