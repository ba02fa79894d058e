package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/bench"
)

// TestMain turns the test binary into the bench child when the parent
// re-executes it. `bench --modes` re-executes os.Executable(), which under
// `go test` is this test binary: with the hook, the tests exercise the
// real parent (flag forwarding, exec, JSON over stdout, exit codes) and the
// real child (its own process, so its RSS figures are its own) without
// building the command first. The hook is chosen over calling the child
// function in-process because in-process memory figures would be the test
// binary's, which is what the child process exists to avoid.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// modeAvailable reports whether this build can run mode.
func modeAvailable(mode string) bool {
	m := qrcascade.NewModels(qrcascade.ModelOptions{})
	defer m.Close()
	switch mode {
	case "nano":
		return m.Available(qrcascade.ModelNano)
	case "hybrid":
		return m.Available(qrcascade.ModelNano) && m.Available(qrcascade.ModelLarge)
	case "large":
		return m.Available(qrcascade.ModelLarge)
	}
	return true
}

func TestBenchModes(t *testing.T) {
	if !modeAvailable("nano") {
		t.Skip("no nano model in this build")
	}
	// Two sets: a clean invoice (read by classic) and a damaged code (a
	// negative: classic reads nothing, so nano runs, and must read nothing).
	clean := filepath.Join(synthDir(t, "clean_invoice", 1), "manifest.jsonl")
	damaged := filepath.Join(synthDir(t, "damaged", 1), "manifest.jsonl")
	out := t.TempDir()
	docDir := t.TempDir()
	doc := filepath.Join(docDir, "BENCHMARKS.md")
	before := "# Benchmarks\n\nWritten by others.\n\n" + bench.SectionBegin + "\nstale\n" + bench.SectionEnd + "\n\n## Later section\n"
	if err := os.WriteFile(doc, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "bench", "--modes", "classic,nano,hybrid,large", "--workers", "2", "--format", "json",
		"--manifest", clean, "--manifest", damaged, "--out", out, "--update-doc", doc, "--commit", "test123", "--strategies", "raw,locator")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var cmp bench.Comparison
	if err := json.Unmarshal([]byte(stdout), &cmp); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if cmp.Meta.Commit != "test123" || cmp.Meta.Workers != 2 || !strings.Contains(cmp.Meta.Command, "--modes=classic,nano,hybrid,large") {
		t.Errorf("meta %+v", cmp.Meta)
	}
	if len(cmp.Modes) != 4 {
		t.Fatalf("%d modes", len(cmp.Modes))
	}
	for i, name := range []string{"classic", "nano", "hybrid", "large"} {
		m := &cmp.Modes[i]
		t.Run(name, func(t *testing.T) {
			if m.Mode != name {
				t.Fatalf("mode %d is %q", i, m.Mode)
			}
			if !modeAvailable(name) {
				if m.Status() != "not in this build" || !strings.Contains(m.Unavailable, "not embedded") {
					t.Errorf("unavailable mode reported as %q (%q)", m.Status(), m.Unavailable)
				}
				return
			}
			s := &m.Summary
			if m.Status() != "ok" || s.Images != 2 || s.ImagesOK != 2 || s.Negatives != 1 || s.NegativesRead != 0 || s.False != 0 || len(m.PerImage) != 2 {
				t.Errorf("status %s, summary %+v", m.Status(), s)
			}
			if len(s.Wins) == 0 || !strings.HasPrefix(s.Wins[0].Name, "classic/") {
				t.Errorf("wins %+v: the clean invoice is read by the classic tier", s.Wins)
			}
			// The forwarded --strategies reached the child: only raw and
			// locator may have read.
			for _, w := range s.Wins {
				if w.Name != "classic/raw" && w.Name != "classic/locator" && !strings.HasPrefix(w.Name, "neural/") {
					t.Errorf("read by %s, not in --strategies", w.Name)
				}
			}
			// The damaged image reaches the detectors of the mode (hybrid:
			// nano reads nothing, so large runs too).
			wantNano, wantLarge := 0, 0
			switch name {
			case "nano":
				wantNano = 1
			case "hybrid":
				wantNano, wantLarge = 1, 1
			case "large":
				wantLarge = 1
			}
			if s.ReachedNano != wantNano || s.ReachedLarge != wantLarge {
				t.Errorf("reached nano %d large %d, want %d and %d", s.ReachedNano, s.ReachedLarge, wantNano, wantLarge)
			}
			if m.CPUMSPerImage <= 0 || s.Latency.Max <= 0 || m.Throughput == nil || m.Throughput.Workers != 2 || m.Throughput.ImagesPerSec <= 0 {
				t.Errorf("cost: cpu %v, latency %+v, throughput %+v", m.CPUMSPerImage, s.Latency, m.Throughput)
			}
			if runtime.GOOS == "linux" {
				mem := m.Memory
				if mem.Source == "" || mem.Start < 1<<20 || mem.Loaded == 0 || mem.Peak < mem.Start || mem.PeakWorkers < mem.Peak {
					t.Errorf("memory %+v", mem)
				}
			}
			if name == "nano" && (len(m.ModelLoads) != 1 || m.ModelLoads[0].Model != "nano" || m.ModelLoads[0].MS <= 0 || m.ModelLoads[0].Loads != 1) {
				t.Errorf("model loads %+v", m.ModelLoads)
			}
			if name == "classic" && len(m.ModelLoads) != 0 {
				t.Errorf("classic loaded %+v", m.ModelLoads)
			}
		})
	}
	// Outputs in --out: JSON equal to stdout, Markdown, plots.
	js, err := os.ReadFile(filepath.Join(out, "modes.json"))
	if err != nil || !bytes.Equal(js, []byte(stdout)) {
		t.Errorf("modes.json differs from stdout (%v)", err)
	}
	for _, f := range []string{"modes.md", "rate_vs_p95.png", "rate_vs_p95.svg", "latency.png", "latency.svg", "rss.png", "rss.svg"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// The doc: section replaced, the rest kept, images copied beside it.
	got, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	g := string(got)
	if !strings.HasPrefix(g, "# Benchmarks\n\nWritten by others.\n\n"+bench.SectionBegin) || !strings.HasSuffix(g, bench.SectionEnd+"\n\n## Later section\n") ||
		strings.Contains(g, "stale") || !strings.Contains(g, "| classic | 2/2 | 100.0 %") || !strings.Contains(g, "](img/bench-rate_vs_p95.png)") {
		t.Errorf("doc:\n%s", g)
	}
	if st, err := os.Stat(filepath.Join(docDir, "img", "bench-latency.png")); err != nil || st.Size() == 0 {
		t.Errorf("doc image: %v", err)
	}
}

func TestBenchModesScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and reads four scenes, one of them 4K")
	}
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "bench", "--modes", "classic", "--scenarios", "--scenario-count", "1", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var cmp bench.Comparison
	b, err := os.ReadFile(filepath.Join(out, "modes.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cmp); err != nil {
		t.Fatal(err)
	}
	if len(cmp.Modes) != 0 || len(cmp.Scenarios) != 4 {
		t.Fatalf("%d modes, %d scenarios", len(cmp.Modes), len(cmp.Scenarios))
	}
	for _, sc := range cmp.Scenarios {
		if len(sc.Modes) != 1 || sc.Modes[0].Label != sc.Name || sc.Modes[0].Summary.Images != 1 {
			t.Errorf("scenario %s: %+v", sc.Name, sc.Modes)
			continue
		}
		s := sc.Modes[0].Summary
		// The damaged scene is a negative (unreadable by design).
		if (sc.Name == "damaged") != (s.Negatives == 1) {
			t.Errorf("scenario %s: negatives %d", sc.Name, s.Negatives)
		}
		if !strings.Contains(stdout, "| "+sc.Name+" | classic | 1 | ") {
			t.Errorf("no scenario row for %s:\n%s", sc.Name, stdout)
		}
	}
}

func TestBenchModesErrors(t *testing.T) {
	manifest := filepath.Join(synthDir(t, "damaged", 1), "manifest.jsonl")
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"unknown mode", []string{"--modes", "classic,turbo", "--manifest", manifest}, exitFailure, `unknown mode "turbo"`},
		{"nothing to read", []string{"--modes", "classic"}, exitFailure, "Usage"},
		{"bad format", []string{"--modes", "classic", "--format", "xml", "--manifest", manifest}, exitFailure, "Usage"},
		// The child cannot load the manifest: the parent still writes its
		// outputs, with the mode marked failed, and exits 2.
		{"child fails", []string{"--modes", "classic", "--manifest", filepath.Join(t.TempDir(), "missing.jsonl")}, exitFailure, "child failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, append(append([]string{"bench"}, tc.args...), "--out", out)...)
			if code != tc.want || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr %s", code, stderr)
			}
			if tc.name == "child fails" && !strings.Contains(stdout, "| classic | failed: ") {
				t.Errorf("stdout lacks the failed row:\n%s", stdout)
			}
		})
	}
}

func TestBenchChildHiddenFlag(t *testing.T) {
	code, _, stderr := runCLI(t, "bench", "-h")
	if code != exitFailure || strings.Contains(stderr, childModeFlag) || strings.Contains(stderr, childLabelFlag) || !strings.Contains(stderr, "-modes") {
		t.Errorf("exit %d, usage:\n%s", code, stderr)
	}
}

func TestBenchSample(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "synth", "--scenario", "blurry_photo", "--count", "3", dir); code != 0 {
		t.Fatalf("synth: %s", stderr)
	}
	tests := []struct {
		args []string
		want int
	}{
		{nil, 3},
		{[]string{"--sample", "2"}, 2},
		{[]string{"--sample", "2", "--limit", "1"}, 1},
		{[]string{"--sample", "9"}, 3},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"bench", "--format", "json", "--strategies", "raw", "--manifest", filepath.Join(dir, "manifest.jsonl")}, tc.args...)
			code, stdout, stderr := runCLI(t, args...)
			var out benchOutput
			if code != exitOK || json.Unmarshal([]byte(stdout), &out) != nil || len(out.Sets) != 1 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if out.Sets[0].Images != tc.want {
				t.Errorf("%d images, want %d", out.Sets[0].Images, tc.want)
			}
		})
	}
}
