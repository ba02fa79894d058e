package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/qrcascade/qrcascade/internal/cputime"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/geom"
)

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// benchOutput is the JSON form of a bench run.
type benchOutput struct {
	Date       string              `json:"date"`
	GoVersion  string              `json:"go_version"`
	CPUs       int                 `json:"cpus"`
	Options    benchOptions        `json:"options"`
	Sets       []bench.SetReport   `json:"sets"`
	Strategies []strategyStatsJSON `json:"strategies"`
	// WallSeconds is the duration of the whole run; CPUSeconds the process
	// CPU time it used (0 where unavailable). CPU time per image is a
	// steadier cost figure than latency on a shared machine.
	WallSeconds float64 `json:"wall_seconds"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	CPUPerImage float64 `json:"cpu_ms_per_image"`
}

type benchOptions struct {
	Mode       string               `json:"mode"`
	Strategies []qrcascade.Strategy `json:"strategies"`
	All        bool                 `json:"all"`
	Workers    int                  `json:"workers"`
}

type strategyStatsJSON struct {
	Tier     qrcascade.Tier     `json:"tier"`
	Strategy qrcascade.Strategy `json:"strategy"`
	Attempts uint64             `json:"attempts"`
	Wins     uint64             `json:"wins"`
	TotalMS  float64            `json:"total_ms"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("bench", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var rf readerFlags
	rf.register(fset)
	var manifests multiFlag
	fset.Var(&manifests, "manifest", "corpus manifest (JSON lines); repeat for several sets")
	format := fset.String("format", "text", "output: text (Markdown tables) or json")
	workers := fset.Int("workers", 1, "images read in parallel (1 gives honest per-image latency)")
	limit := fset.Int("limit", 0, "read only the first N images of each manifest (0: all)")
	category := fset.String("category", "", "read only rows of this category")
	sample := fset.Int("sample", 0, "read at most N images of each manifest, evenly spread over it so every category is represented (0: all); applied before --limit")
	verbose := fset.Bool("v", false, "print one line per image on stderr")
	cpuProfile := fset.String("cpuprofile", "", "write a CPU profile of the reads to `file` (go tool pprof)")
	memProfile := fset.String("memprofile", "", "write a heap profile (allocations of every size sampled) of the reads to `file` (go tool pprof -sample_index=alloc_space)")
	var mf modeFlags
	mf.register(fset)
	fset.Usage = func() {
		fmt.Fprintf(stderr, "Usage: qrcascade bench [flags] --manifest M.jsonl [--manifest ...]\n       qrcascade bench --modes classic,nano,hybrid,large [--scenarios] [--manifest ...] [--out DIR]\n\nReads every image of the manifests and scores the reads against their ground truth:\nread rate overall, per category and as the mean of per-category rates, false reads,\nreads on negatives, latency (image decoding included, file reading excluded), and\nper-strategy attempts and wins.\n\nWith --modes, every mode runs in a fresh child process (honest memory figures) and\nthe modes are compared: Markdown tables, JSON and plots (see docs/BENCHMARKS.md).\n\nFlags:\n")
		printDefaultsExcept(fset, stderr, childModeFlag, childLabelFlag)
	}
	if err := fset.Parse(args); err != nil {
		return exitFailure
	}
	switch {
	case mf.childMode != "":
		return runBenchChild(ctx, fset, rf, manifests, childSelection{limit: *limit, sample: *sample, category: *category, workers: *workers}, mf, stdout, stderr)
	case mf.modes != "":
		return runBenchModes(ctx, fset, manifests, childSelection{limit: *limit, sample: *sample, category: *category, workers: *workers}, mf, *format, stdout, stderr)
	}
	if len(manifests) == 0 {
		fset.Usage()
		return exitFailure
	}
	opts := rf.options()
	reader, err := qrcascade.NewReader(opts)
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
		return exitFailure
	}
	entries, err := loadEntries(manifests, childSelection{limit: *limit, sample: *sample, category: *category})
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
		return exitFailure
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
			return exitFailure
		}
		defer stop()
	}
	if *memProfile != "" {
		prev := runtime.MemProfileRate
		runtime.MemProfileRate = 64 << 10
		defer func() {
			runtime.MemProfileRate = prev
			if err := writeHeapProfile(*memProfile); err != nil {
				fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
			}
		}()
	}
	cpu0, cpuOK := cputime.Process()
	wall0 := time.Now()
	reads := benchRead(ctx, reader, entries, max(1, *workers))
	wall := time.Since(wall0)
	cpu1, _ := cputime.Process()
	col := bench.NewCollector()
	for i := range entries {
		s := col.Add(&entries[i], &reads[i])
		if *verbose {
			fmt.Fprintf(stderr, "%-60s %s read %d/%d false %d  %.1f ms %s\n", entries[i].Image, mark(s.Success), s.LabelsRead, s.Labels, s.False+s.Unmatched, float64(reads[i].Latency)/1e6, reads[i].Err)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "qrcascade bench: interrupted")
		return exitFailure
	}
	reps := col.Reports()
	stats := reader.StrategyStats()
	switch *format {
	case "json":
		out := benchOutput{
			Date: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
			Options: benchOptions{Mode: string(reader.Options().Mode), Strategies: opts.Strategies, All: opts.All, Workers: *workers},
			Sets:    reps, WallSeconds: wall.Seconds(),
		}
		if cpuOK && len(entries) > 0 {
			out.CPUSeconds = (cpu1 - cpu0).Seconds()
			out.CPUPerImage = 1000 * out.CPUSeconds / float64(len(entries))
		}
		if out.Options.Strategies == nil {
			out.Options.Strategies = qrcascade.Strategies()
		}
		for _, s := range stats {
			out.Strategies = append(out.Strategies, strategyStatsJSON{s.Tier, s.Strategy, s.Attempts, s.Wins, float64(s.Time) / 1e6})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
			return exitFailure
		}
	default:
		if err := bench.WriteText(stdout, reps); err != nil {
			fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
			return exitFailure
		}
		if cpuOK && len(entries) > 0 {
			fmt.Fprintf(stdout, "\n%d images in %.1f s wall, %.1f s CPU: %.1f ms CPU per image (file reading and image decoding included)\n",
				len(entries), wall.Seconds(), (cpu1 - cpu0).Seconds(), float64(cpu1-cpu0)/1e6/float64(len(entries)))
		}
		fmt.Fprintf(stdout, "\nstrategies (all sets): attempts, images read, mean ms per attempt\n\n| tier | strategy | attempts | wins | mean ms |\n|---|---|---:|---:|---:|\n")
		for _, s := range stats {
			mean := 0.0
			if s.Attempts > 0 {
				mean = float64(s.Time) / 1e6 / float64(s.Attempts)
			}
			fmt.Fprintf(stdout, "| %s | %s | %d | %d | %.2f |\n", s.Tier, s.Strategy, s.Attempts, s.Wins, mean)
		}
	}
	return exitOK
}

func mark(ok bool) string {
	if ok {
		return "OK  "
	}
	return "MISS"
}

// benchRead reads every entry with n workers; reads[i] answers entries[i].
func benchRead(ctx context.Context, r *qrcascade.Reader, entries []bench.Entry, n int) []bench.Read {
	reads := make([]bench.Read, len(entries))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reads[i] = benchOne(ctx, r, &entries[i])
			}
		}()
	}
	for i := range entries {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return reads
}

func benchOne(ctx context.Context, r *qrcascade.Reader, e *bench.Entry) bench.Read {
	data, err := os.ReadFile(e.Image)
	if err != nil {
		return bench.Read{Err: err.Error()}
	}
	start := time.Now()
	res, err := r.Read(ctx, data)
	out := bench.Read{Latency: time.Since(start)}
	if err != nil {
		out.Err = err.Error()
	}
	if res != nil {
		out.Nano, out.Large = res.Timings.Nano > 0, res.Timings.Large > 0
		for _, c := range res.Codes {
			q := geom.Quad{}
			for i, p := range c.Points {
				q[i] = geom.Point{X: p[0], Y: p[1]}
			}
			out.Codes = append(out.Codes, bench.Decoded{Text: c.Text, Corners: q, Tier: string(c.Tier), Strategy: string(c.Strategy)})
		}
	}
	return out
}

// startCPUProfile starts a CPU profile written to path; the returned
// function stops it and closes the file.
// writeHeapProfile writes the heap profile, whose alloc_space and
// alloc_objects samples cover every allocation since the rate was set.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
