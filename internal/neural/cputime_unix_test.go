//go:build unix

package neural

import (
	"syscall"
	"time"
)

// cpuTime returns the user+system CPU time of the process. On a shared
// machine wall time depends on the load; CPU time per call much less so.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
