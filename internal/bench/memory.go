package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ProcStatus is the file SampleMemory reads (Linux).
const ProcStatus = "/proc/self/status"

// ErrNoMemoryStats is returned where the process's resident memory cannot
// be read (no /proc/self/status, as on macOS and Windows).
var ErrNoMemoryStats = errors.New("bench: resident memory not available on this platform")

// MemSample is one reading of the process's resident memory, in bytes.
type MemSample struct {
	RSS  uint64 // VmRSS: resident now
	Peak uint64 // VmHWM: the high-water mark of RSS since the process started
}

// SampleMemory reads the calling process's RSS and its high-water mark from
// /proc/self/status. Elsewhere it returns an error wrapping
// ErrNoMemoryStats.
func SampleMemory() (MemSample, error) { return sampleFile(ProcStatus) }

// SampleProcess is SampleMemory for another process, read from
// /proc/PID/status (a server under test, a child process).
func SampleProcess(pid int) (MemSample, error) {
	return sampleFile(fmt.Sprintf("/proc/%d/status", pid))
}

// sampleFile parses the proc status file at path.
func sampleFile(path string) (MemSample, error) {
	f, err := os.Open(path)
	if err != nil {
		return MemSample{}, fmt.Errorf("%w: %w", ErrNoMemoryStats, err)
	}
	defer f.Close()
	return ParseProcStatus(f)
}

// ParseProcStatus reads VmRSS and VmHWM (in kB, as proc(5) writes them)
// from a /proc/PID/status text. Either line missing is an error wrapping
// ErrNoMemoryStats.
func ParseProcStatus(r io.Reader) (MemSample, error) {
	var s MemSample
	var seen int
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return MemSample{}, fmt.Errorf("bench: %s: unexpected %q", key, val)
		}
		kb, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return MemSample{}, fmt.Errorf("bench: %s: %w", key, err)
		}
		if key == "VmRSS" {
			s.RSS = kb << 10
			seen |= 1
		} else {
			s.Peak = kb << 10
			seen |= 2
		}
	}
	if err := sc.Err(); err != nil {
		return MemSample{}, fmt.Errorf("bench: proc status: %w", err)
	}
	if seen != 3 {
		return MemSample{}, fmt.Errorf("%w: no VmRSS/VmHWM lines", ErrNoMemoryStats)
	}
	return s, nil
}
