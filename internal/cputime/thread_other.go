//go:build !linux

package cputime

import "time"

// Thread is not measured off Linux: it returns false.
func Thread() (time.Duration, bool) { return 0, false }
