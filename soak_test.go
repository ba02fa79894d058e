package qrcascade

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/hostile"
)

// Soak: the bombs of issue #17 at full size, each read by a fresh child
// process with two concurrent requests, its peak RSS measured (Linux
// /proc). Run by `make soak` (QRCASCADE_SOAK=1); minutes, not part of
// `make test`. Targets (#17): every request answered within 2 s; peak RSS
// ≤ 200 MB with two at once; RSS back near idle after.
const (
	soakEnv       = "QRCASCADE_SOAK"
	soakChildEnv  = "QRCASCADE_SOAK_CHILD" // "bomb mode": the child's work
	soakMaxTime   = 2 * time.Second
	soakMaxPeakMB = 200
)

// soakOverTarget lists the bombs known to miss the targets, with the
// reason: reported, not failed. None at present: the flat 49 MP JPEG, the
// last one, is read within them since flat tiles are skipped
// (internal/cascade/tiles.go).
var soakOverTarget = map[string]string{}

func TestSoakHostile(t *testing.T) {
	if os.Getenv(soakEnv) == "" {
		t.Skip("set " + soakEnv + "=1 (make soak)")
	}
	if _, err := bench.SampleMemory(); err != nil {
		t.Skip(err)
	}
	modes := []Mode{ModeClassic}
	if NewModels(ModelOptions{}).Available(ModelNano) {
		modes = append(modes, ModeNano)
	}
	for _, mode := range modes {
		for _, b := range hostile.All(7000, 49_999_999) {
			t.Run(string(mode)+"/"+b.Name, func(t *testing.T) {
				cmd := exec.Command(os.Args[0], "-test.run", "^TestSoakChild$", "-test.v")
				cmd.Env = append(os.Environ(), soakChildEnv+"="+b.Name+" "+string(mode))
				out, err := cmd.CombinedOutput()
				line := ""
				sc := bufio.NewScanner(strings.NewReader(string(out)))
				for sc.Scan() {
					if i := strings.Index(sc.Text(), "SOAK "); i >= 0 {
						line = sc.Text()[i:]
					}
				}
				if err != nil || line == "" {
					t.Fatalf("child: %v\n%s", err, out)
				}
				var tookMS float64
				var peak, idle, rssAfter, rssFreed uint64
				var errText string
				if _, err := fmt.Sscanf(line, "SOAK took_ms=%f peak_mb=%d idle_mb=%d after_mb=%d freed_mb=%d",
					&tookMS, &peak, &idle, &rssAfter, &rssFreed); err != nil {
					t.Fatalf("child line %q: %v", line, err)
				}
				took := time.Duration(tookMS * float64(time.Millisecond))
				if i := strings.Index(line, " err="); i >= 0 {
					errText = line[i+5:]
				}
				t.Logf("%s %s: slowest %v, peak RSS %d MB (idle %d), after %d MB, after FreeOSMemory %d MB: %s",
					mode, b.Name, took.Round(time.Microsecond), peak, idle, rssAfter, rssFreed, errText)
				if took > soakMaxTime || peak > soakMaxPeakMB {
					if why, ok := soakOverTarget[b.Name]; ok {
						t.Logf("over target, known: %s", why)
						return
					}
					t.Errorf("over target: %v (at most %v), peak %d MB (at most %d)", took, soakMaxTime, peak, soakMaxPeakMB)
				}
			})
		}
	}
}

// TestSoakChild is the child process of TestSoakHostile: two concurrent
// Reads of one bomb, then one line with the slowest time, the peak RSS and
// the RSS after the requests (after 2 s idle, then after FreeOSMemory).
func TestSoakChild(t *testing.T) {
	spec := strings.Fields(os.Getenv(soakChildEnv))
	if len(spec) != 2 {
		t.Skip("child of TestSoakHostile only")
	}
	var data []byte
	for _, b := range hostile.All(7000, 49_999_999) {
		if b.Name == spec[0] {
			data = b.Data
		}
	}
	r, err := NewReader(Options{Mode: Mode(spec[1]), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	runtime.GC()
	idle, _ := bench.SampleMemory()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		slowest time.Duration
		errText = "ok"
	)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			res, err := r.Read(context.Background(), data)
			took := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			slowest = max(slowest, took)
			if err != nil {
				errText = err.Error()
			} else if res != nil {
				errText = fmt.Sprintf("ok, %d codes", len(res.Codes))
			}
		}()
	}
	wg.Wait()
	peak, _ := bench.SampleMemory()
	time.Sleep(2 * time.Second)
	after, _ := bench.SampleMemory()
	debug.FreeOSMemory()
	freed, _ := bench.SampleMemory()
	fmt.Printf("SOAK took_ms=%.3f peak_mb=%d idle_mb=%d after_mb=%d freed_mb=%d err=%s\n",
		float64(slowest)/float64(time.Millisecond), peak.Peak>>20, idle.RSS>>20, after.RSS>>20, freed.RSS>>20, errText)
}
