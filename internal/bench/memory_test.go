package bench

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestParseProcStatus(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    MemSample
		wantErr bool
		noStats bool
	}{
		{"linux", "Name:\tqrcascade\nVmPeak:\t  800000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   20480 kB\nThreads:\t5\n",
			MemSample{RSS: 20 << 20, Peak: 50 << 20}, false, false},
		{"no VmHWM", "VmRSS:\t 100 kB\n", MemSample{}, true, true},
		{"empty", "", MemSample{}, true, true},
		{"bad unit", "VmRSS:\t 100 MB\nVmHWM:\t 100 kB\n", MemSample{}, true, false},
		{"bad number", "VmRSS:\t x kB\nVmHWM:\t 100 kB\n", MemSample{}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProcStatus(strings.NewReader(tc.text))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v, error %v", got, err, tc.want, tc.wantErr)
			}
			if err != nil && errors.Is(err, ErrNoMemoryStats) != tc.noStats {
				t.Errorf("errors.Is(ErrNoMemoryStats) = %v for %v", !tc.noStats, err)
			}
		})
	}
}

func TestSampleMemory(t *testing.T) {
	s, err := SampleMemory()
	if runtime.GOOS != "linux" {
		if !errors.Is(err, ErrNoMemoryStats) {
			t.Errorf("on %s: want ErrNoMemoryStats, got %v", runtime.GOOS, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	// A running Go test binary holds at least a MiB, and the high-water
	// mark is never below the current RSS.
	if s.RSS < 1<<20 || s.Peak < s.RSS {
		t.Errorf("sample %+v", s)
	}
	// Touching 64 MiB raises the high-water mark by about as much.
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	s2, err := SampleMemory()
	if err != nil {
		t.Fatal(err)
	}
	if s2.Peak < s.Peak+48<<20 {
		t.Errorf("peak %d → %d after touching 64 MiB", s.Peak, s2.Peak)
	}
	runtime.KeepAlive(buf)
}

func FuzzParseProcStatus(f *testing.F) {
	f.Add("VmHWM:\t 2048 kB\nVmRSS:\t 1024 kB\n")
	f.Add("VmRSS: 1 kB\nVmHWM: x kB\n")
	f.Add("VmRSS:\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseProcStatus(strings.NewReader(text))
		if err != nil && s != (MemSample{}) {
			t.Errorf("error %v with a non-zero sample %+v", err, s)
		}
		if err == nil && (s.RSS%1024 != 0 || s.Peak%1024 != 0) {
			t.Errorf("sample %+v is not whole kB", s)
		}
	})
}
