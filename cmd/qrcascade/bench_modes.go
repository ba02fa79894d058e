package main

// bench --modes: the mode comparison.
//
// The parent re-executes its own binary (os.Executable) once per mode, and
// once per scenario and mode with --scenarios, with the hidden flag
// --child-mode MODE. Each child samples its RSS (/proc/self/status) at
// start, after loading the mode's models and after its passes, reads the
// images once with one worker (latency, CPU time) and, with --workers N > 1,
// once more with N workers (throughput), then prints one bench.ModeReport as
// JSON on stdout. A mode this build cannot run (its model is not embedded)
// is reported as such by its child, not as a failure. The parent merges the
// reports into a bench.Comparison and writes Markdown, JSON and plots.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/qrcascade/qrcascade/internal/cputime"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/bench/plot"
	"github.com/qrcascade/qrcascade/internal/synth"
)

// childModeFlag is the hidden flag that makes bench a mode child.
const childModeFlag = "child-mode"

// childLabelFlag is the hidden flag naming a child's report (a scenario).
const childLabelFlag = "child-label"

// childEnv is set in every child's environment. The binary ignores it;
// the command's tests use it to turn their test binary into the child.
const childEnv = "QRCASCADE_BENCH_CHILD"

// modeFlags are bench's flags for the mode comparison.
type modeFlags struct {
	modes         string
	scenarios     bool
	scenarioCount int
	scenarioSeed  uint64
	out           string
	updateDoc     string
	commit        string
	note          string
	plan          bench.CapacityPlan
	childMode     string
	childLabel    string
}

func (f *modeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.modes, "modes", "", "compare these modes, each in a fresh child process, e.g. classic,nano,hybrid,large")
	fs.BoolVar(&f.scenarios, "scenarios", false, "with --modes: also generate the four synthetic operator scenarios and compare the modes on each")
	fs.IntVar(&f.scenarioCount, "scenario-count", 24, "with --scenarios: scenes per scenario")
	fs.Uint64Var(&f.scenarioSeed, "scenario-seed", 1, "with --scenarios: first seed (scene i uses seed+i)")
	fs.StringVar(&f.out, "out", "bench-out", "with --modes: folder for modes.json, modes.md, the plots and the scenario images")
	fs.StringVar(&f.updateDoc, "update-doc", "", "with --modes: rewrite the generated section of this Markdown file (e.g. docs/BENCHMARKS.md) and copy the PNG plots to img/ beside it")
	fs.StringVar(&f.commit, "commit", "", "commit to state in the report (default: the binary's VCS stamp)")
	fs.StringVar(&f.note, "note", "", "with --modes: a line printed under the command in the Markdown (e.g. how to regenerate it)")
	fs.Float64Var(&f.plan.DailyVolume, "daily-volume", 0, "capacity line: images per day (0: 100000)")
	fs.Float64Var(&f.plan.CoresPerInstance, "instance-cores", 0, "capacity line: CPU cores per instance (0: 1)")
	fs.StringVar(&f.childMode, childModeFlag, "", "internal: run as the child process of --modes for this mode")
	fs.StringVar(&f.childLabel, childLabelFlag, "", "internal: label of the child's report")
}

// parentOnly are the flags a child does not get.
var parentOnly = map[string]bool{
	"modes": true, "scenarios": true, "scenario-count": true, "scenario-seed": true, "out": true,
	"update-doc": true, "commit": true, "note": true, "daily-volume": true, "instance-cores": true,
	"format": true, "manifest": true, "mode": true, "workers": true, "limit": true, "sample": true, "category": true,
	"v": true, childModeFlag: true, childLabelFlag: true,
}

// childSelection is what a child reads and how.
type childSelection struct {
	limit    int
	sample   int
	category string
	workers  int
}

func printDefaultsExcept(fs *flag.FlagSet, w io.Writer, hidden ...string) {
	tmp := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	tmp.SetOutput(w)
	fs.VisitAll(func(f *flag.Flag) {
		for _, h := range hidden {
			if f.Name == h {
				return
			}
		}
		tmp.Var(f.Value, f.Name, f.Usage)
		tmp.Lookup(f.Name).DefValue = f.DefValue
	})
	tmp.PrintDefaults()
}

var knownModes = map[string]bool{"classic": true, "nano": true, "hybrid": true, "large": true}

// runBenchModes is the parent of the mode comparison.
func runBenchModes(ctx context.Context, fset *flag.FlagSet, manifests []string, sel childSelection, mf modeFlags, format string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
		return exitFailure
	}
	var modes []string
	for _, m := range strings.Split(mf.modes, ",") {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		if !knownModes[m] {
			return fail(fmt.Errorf("unknown mode %q (want classic, nano, hybrid or large)", m))
		}
		modes = append(modes, m)
	}
	if len(modes) == 0 || (len(manifests) == 0 && !mf.scenarios) || (format != "text" && format != "json") {
		fset.Usage()
		return exitFailure
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(mf.out, 0o755); err != nil {
		return fail(err)
	}
	// Reader flags given to the parent go to every child unchanged.
	var common []string
	fset.Visit(func(f *flag.Flag) {
		if !parentOnly[f.Name] {
			common = append(common, "--"+f.Name+"="+f.Value.String())
		}
	})
	cmp := bench.Comparison{Meta: machineMeta(mf.commit)}
	cmp.Meta.Command = "qrcascade bench " + strings.Join(fsetArgs(fset, manifests), " ")
	cmp.Meta.Note = mf.note
	cmp.Meta.Manifests = manifests
	cmp.Meta.Limit = sel.limit
	cmp.Meta.Sample = sel.sample
	cmp.Meta.Workers = max(1, sel.workers)

	runChild := func(mode, label string, args []string) bench.ModeReport {
		fmt.Fprintf(stderr, "qrcascade bench: mode %s %s…\n", mode, label)
		full := append([]string{"bench", "--" + childModeFlag, mode, "--" + childLabelFlag + "=" + label}, common...)
		full = append(full, args...)
		return runChildProcess(ctx, exe, full, mode, label, stderr)
	}
	if len(manifests) > 0 {
		args := []string{"--workers", strconv.Itoa(max(1, sel.workers)), "--limit", strconv.Itoa(sel.limit), "--sample", strconv.Itoa(sel.sample)}
		if sel.category != "" {
			args = append(args, "--category", sel.category)
		}
		for _, m := range manifests {
			args = append(args, "--manifest", m)
		}
		for _, mode := range modes {
			cmp.Modes = append(cmp.Modes, runChild(mode, "", args))
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
		}
	}
	if mf.scenarios {
		dir := filepath.Join(mf.out, "scenarios")
		if err := writeScenarios(ctx, dir, mf.scenarioCount, mf.scenarioSeed, stderr); err != nil {
			return fail(err)
		}
		for _, sc := range synth.Scenarios() {
			rep := bench.ScenarioReport{Name: sc.Name}
			for _, mode := range modes {
				args := []string{"--workers", "1", "--category", sc.Name, "--manifest", filepath.Join(dir, "manifest.jsonl")}
				rep.Modes = append(rep.Modes, runChild(mode, sc.Name, args))
				if ctx.Err() != nil {
					return fail(ctx.Err())
				}
			}
			cmp.Scenarios = append(cmp.Scenarios, rep)
		}
	}
	cmp.FillCapacity(mf.plan)
	return writeComparison(&cmp, mf, format, stdout, stderr)
}

// fsetArgs reconstructs the flags given (for the report's command line).
func fsetArgs(fs *flag.FlagSet, manifests []string) []string {
	var out []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "note", "commit", "update-doc", "out":
			return // not about what was measured
		case "manifest":
			return // listed last
		}
		out = append(out, "--"+f.Name+"="+f.Value.String())
	})
	for _, m := range manifests {
		out = append(out, "--manifest", m)
	}
	return out
}

// writeScenarios renders the four scenarios into dir with their manifest,
// through the synth command (same files as `qrcascade synth`).
func writeScenarios(ctx context.Context, dir string, count int, seed uint64, stderr io.Writer) error {
	if count < 1 {
		return fmt.Errorf("--scenario-count %d: want at least 1", count)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "qrcascade bench: rendering %d scenes per scenario into %s…\n", count, dir)
	args := []string{"--scenario", "all", "--count", strconv.Itoa(count), "--seed", strconv.FormatUint(seed, 10), dir}
	if code := runSynth(ctx, args, io.Discard, stderr); code != exitOK {
		return errors.New("rendering the scenarios failed")
	}
	return nil
}

// runChildProcess runs one child and decodes its report. A child that
// fails gives a report with Error set.
func runChildProcess(ctx context.Context, exe string, args []string, mode, label string, stderr io.Writer) bench.ModeReport {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var out bytes.Buffer
	var errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	failed := func(msg string) bench.ModeReport {
		return bench.ModeReport{Mode: mode, Label: label, Available: true, Error: msg}
	}
	if err != nil {
		msg := strings.TrimSpace(lastLine(errb.String()))
		if msg == "" {
			msg = err.Error()
		}
		fmt.Fprintf(stderr, "qrcascade bench: mode %s %s: child failed: %v: %s\n", mode, label, err, msg)
		return failed(msg)
	}
	var rep bench.ModeReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return failed("bad child output: " + err.Error())
	}
	if rep.Mode != mode {
		return failed(fmt.Sprintf("child reported mode %q", rep.Mode))
	}
	return rep
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// writeComparison writes modes.json, modes.md and the plots into mf.out,
// the chosen format on stdout and, with --update-doc, the doc section.
func writeComparison(cmp *bench.Comparison, mf modeFlags, format string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
		return exitFailure
	}
	js, err := json.MarshalIndent(cmp, "", "  ")
	if err != nil {
		return fail(err)
	}
	js = append(js, '\n')
	if err := os.WriteFile(filepath.Join(mf.out, "modes.json"), js, 0o644); err != nil {
		return fail(err)
	}
	files, err := plot.Write(mf.out, cmp)
	if err != nil && !errors.Is(err, plot.ErrNoData) {
		return fail(err)
	}
	var md bytes.Buffer
	if err := bench.WriteModeMarkdown(&md, cmp, bench.Images{RateVsP95: files.RateVsP95PNG, Latency: files.LatencyPNG, RSS: files.RSSPNG}); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(mf.out, "modes.md"), md.Bytes(), 0o644); err != nil {
		return fail(err)
	}
	if mf.updateDoc != "" {
		if err := updateDoc(mf.updateDoc, mf.out, cmp, files); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "qrcascade bench: updated %s\n", mf.updateDoc)
	}
	if format == "json" {
		_, err = stdout.Write(js)
	} else {
		_, err = stdout.Write(md.Bytes())
	}
	if err != nil {
		return fail(err)
	}
	// Outputs are written either way; a failed child fails the command.
	for _, r := range allReports(cmp) {
		if r.Error != "" {
			fmt.Fprintf(stderr, "qrcascade bench: mode %s %s failed\n", r.Mode, r.Label)
			return exitFailure
		}
	}
	return exitOK
}

// allReports lists every report of cmp, scenarios included.
func allReports(cmp *bench.Comparison) []*bench.ModeReport {
	var out []*bench.ModeReport
	for i := range cmp.Modes {
		out = append(out, &cmp.Modes[i])
	}
	for i := range cmp.Scenarios {
		for j := range cmp.Scenarios[i].Modes {
			out = append(out, &cmp.Scenarios[i].Modes[j])
		}
	}
	return out
}

// updateDoc copies the PNG plots to img/ beside doc and rewrites doc's
// generated section with links to them.
func updateDoc(doc, out string, cmp *bench.Comparison, files plot.Files) error {
	imgDir := filepath.Join(filepath.Dir(doc), "img")
	if err := os.MkdirAll(imgDir, 0o755); err != nil {
		return err
	}
	var links [3]string
	for i, f := range []string{files.RateVsP95PNG, files.LatencyPNG, files.RSSPNG} {
		if f == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			return err
		}
		name := "bench-" + filepath.Base(f)
		if err := os.WriteFile(filepath.Join(imgDir, name), data, 0o644); err != nil {
			return err
		}
		links[i] = "img/" + name
	}
	var md bytes.Buffer
	if err := bench.WriteModeMarkdown(&md, cmp, bench.Images{RateVsP95: links[0], Latency: links[1], RSS: links[2]}); err != nil {
		return err
	}
	old, err := os.ReadFile(doc)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	updated, err := bench.ReplaceSection(old, md.Bytes())
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	return os.WriteFile(doc, updated, 0o644)
}

// machineMeta describes this machine and build.
func machineMeta(commit string) bench.Meta {
	m := bench.Meta{
		Date: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH, Cores: runtime.NumCPU(), CPUModel: cpuModel(), Commit: commit,
	}
	if m.Commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			rev, dirty := "", false
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if len(rev) > 7 {
				rev = rev[:7]
			}
			if rev != "" && dirty {
				rev += "-dirty"
			}
			m.Commit = rev
		}
	}
	return m
}

// cpuModel returns the first "model name" of /proc/cpuinfo, "" elsewhere.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// runBenchChild is one mode's child: it prints a bench.ModeReport as JSON.
func runBenchChild(ctx context.Context, fset *flag.FlagSet, rf readerFlags, manifests []string, sel childSelection, mf modeFlags, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "qrcascade bench child %s: %v\n", mf.childMode, err)
		return exitFailure
	}
	rep := bench.ModeReport{Mode: mf.childMode, Label: mf.childLabel}
	if m0, err := bench.SampleMemory(); err == nil {
		rep.Memory.Source, rep.Memory.Start = bench.ProcStatus, m0.RSS
	}
	if len(manifests) == 0 {
		fset.Usage()
		return exitFailure
	}
	entries, err := loadEntries(manifests, sel)
	if err != nil {
		return fail(err)
	}
	rf.mode = mf.childMode
	opts := rf.options()
	reader, err := qrcascade.NewReader(opts)
	switch {
	case errors.Is(err, qrcascade.ErrModeUnavailable):
		rep.Unavailable = err.Error()
		return printJSON(stdout, stderr, &rep)
	case err != nil:
		return fail(err)
	}
	defer reader.Close()
	rep.Available = true
	eager := map[string][]qrcascade.Model{"nano": {qrcascade.ModelNano}, "hybrid": {qrcascade.ModelNano}, "large": {qrcascade.ModelLarge}}
	for _, name := range eager[mf.childMode] {
		t0 := time.Now()
		if err := opts.Models.Load(name); err != nil {
			return fail(err)
		}
		rep.ModelLoads = append(rep.ModelLoads, bench.ModelLoad{Model: string(name), MS: float64(time.Since(t0)) / 1e6, Loads: opts.Models.ModelLoads(name)})
	}
	if m1, err := bench.SampleMemory(); err == nil {
		rep.Memory.Loaded = m1.RSS
	}
	cpu0, cpuOK := cputime.Process()
	reads := benchRead(ctx, reader, entries, 1)
	cpu1, _ := cputime.Process()
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	if m2, err := bench.SampleMemory(); err == nil {
		rep.Memory.Peak = m2.Peak
	}
	if cpuOK && len(entries) > 0 {
		rep.CPUMSPerImage = float64(cpu1-cpu0) / 1e6 / float64(len(entries))
	}
	if sel.workers > 1 {
		c0, _ := cputime.Process()
		w0 := time.Now()
		benchRead(ctx, reader, entries, sel.workers)
		wall := time.Since(w0)
		c1, _ := cputime.Process()
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		tp := &bench.Throughput{Workers: sel.workers, Images: len(entries), WallSeconds: wall.Seconds()}
		if wall > 0 {
			tp.ImagesPerSec = float64(len(entries)) / wall.Seconds()
		}
		if cpuOK && len(entries) > 0 {
			tp.CPUMSPerImage = float64(c1-c0) / 1e6 / float64(len(entries))
		}
		rep.Throughput = tp
		if m3, err := bench.SampleMemory(); err == nil {
			rep.Memory.PeakWorkers = m3.Peak
		}
	}
	if mf.childMode == "hybrid" {
		rep.ModelLoads = append(rep.ModelLoads, bench.ModelLoad{Model: string(qrcascade.ModelLarge), Lazy: true, Loads: opts.Models.ModelLoads(qrcascade.ModelLarge)})
	}
	col := bench.NewCollector()
	for i := range entries {
		col.Add(&entries[i], &reads[i])
		rep.PerImage = append(rep.PerImage, bench.Record(&entries[i], &reads[i]))
	}
	rep.Sets = col.Reports()
	rep.Summary = col.Summary()
	return printJSON(stdout, stderr, &rep)
}

func printJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "qrcascade bench: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// loadEntries loads the manifests, keeping the rows of sel.category (""
// all), then at most sel.sample of them spread over each manifest (0: all),
// then the first sel.limit (0: all).
func loadEntries(manifests []string, sel childSelection) ([]bench.Entry, error) {
	var entries []bench.Entry
	for _, m := range manifests {
		es, err := bench.LoadManifest(m)
		if err != nil {
			return nil, err
		}
		var keep []bench.Entry
		for _, e := range es {
			if sel.category == "" || e.Category == sel.category {
				keep = append(keep, e)
			}
		}
		keep = bench.Spread(keep, sel.sample)
		if sel.limit > 0 && len(keep) > sel.limit {
			keep = keep[:sel.limit]
		}
		entries = append(entries, keep...)
	}
	return entries, nil
}
