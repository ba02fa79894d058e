package bench

import (
	"fmt"
	"sort"
	"time"
)

// Mode comparison.
//
// `qrcascade bench --modes classic,nano,hybrid,large` runs every mode in a
// fresh child process of its own binary, so that each mode's resident
// memory (RSS) starts from the same empty process and is not inflated by
// the models or heap of the modes before it. Each child prints one
// ModeReport as JSON; the parent gathers them into a Comparison and writes
// the Markdown tables (WriteModeMarkdown), the JSON document and the plots
// (package plot).
//
// Weak spots, stated once: wall-clock latency depends on what else runs on
// the machine, so each ModeReport also carries the CPU time per image, and
// modes should only be compared within one run. RSS is sampled from
// /proc/self/status (Linux); elsewhere the memory figures are zero and
// Memory.Source is empty. Peak RSS is the kernel's high-water mark (VmHWM)
// of the whole child, model loading and image decoding included.

// ModeReport is one mode's measurements, produced by one child process.
type ModeReport struct {
	// Mode is the reader mode: classic, nano, hybrid or large.
	Mode string `json:"mode"`
	// Label qualifies the run (a scenario name), "" for the main run.
	Label string `json:"label,omitempty"`
	// Available is false when this build cannot run the mode; Unavailable
	// then says why (for example the large model is not embedded).
	Available   bool   `json:"available"`
	Unavailable string `json:"unavailable,omitempty"`
	// Error is set when the child process failed; the figures are then
	// zero.
	Error string `json:"error,omitempty"`
	// Summary covers every image of every set.
	Summary Summary `json:"summary"`
	// Sets holds one report per manifest.
	Sets []SetReport `json:"sets"`
	// Memory is the child's resident memory at the sampling points.
	Memory Memory `json:"memory"`
	// ModelLoads lists the detectors the mode loaded and how long each took.
	ModelLoads []ModelLoad `json:"model_loads"`
	// CPUMSPerImage is the child's CPU time (user + system) during the
	// one-worker pass divided by its images, file reading included, model
	// loading excluded (models are loaded before the pass, except lazy
	// ones); 0 where unavailable.
	CPUMSPerImage float64 `json:"cpu_ms_per_image"`
	// Throughput is the optional second pass with several workers; nil
	// when the run used one worker.
	Throughput *Throughput `json:"throughput,omitempty"`
	// PerImage lists every image of the one-worker pass: outcome, latency
	// and which tier/strategy produced each code.
	PerImage []ImageRecord `json:"per_image"`
}

// Status returns "ok", "not in this build" or "failed".
func (m *ModeReport) Status() string {
	switch {
	case m.Error != "":
		return "failed"
	case !m.Available:
		return "not in this build"
	}
	return "ok"
}

// Memory holds resident set sizes in bytes.
type Memory struct {
	// Source names where the figures come from ("/proc/self/status"), ""
	// when the platform offers none (the figures are then zero).
	Source string `json:"source"`
	// Start is the RSS when the child started, before reading manifests.
	Start uint64 `json:"rss_start_bytes"`
	// Loaded is the RSS after the mode's eager models were loaded.
	Loaded uint64 `json:"rss_loaded_bytes"`
	// Peak is the high-water mark after the one-worker pass.
	Peak uint64 `json:"rss_peak_bytes"`
	// PeakWorkers is the high-water mark after the throughput pass (0
	// without one).
	PeakWorkers uint64 `json:"rss_peak_workers_bytes"`
}

// Max returns the larger of Peak and PeakWorkers: what a container
// running the measured concurrency needs.
func (m Memory) Max() uint64 { return max(m.Peak, m.PeakWorkers) }

// ModelLoad is one detector load.
type ModelLoad struct {
	// Model is the detector's name (nano, large).
	Model string `json:"model"`
	// MS is the load time in milliseconds (weights parsed and validated);
	// 0 for a lazy load, whose time is part of the image that caused it.
	MS float64 `json:"ms"`
	// Lazy is set for a model the mode loads on demand (large in hybrid
	// mode); Loads then counts the loads during the run.
	Lazy  bool   `json:"lazy,omitempty"`
	Loads uint64 `json:"loads"`
}

// Throughput is a pass over the same images with several workers.
type Throughput struct {
	Workers       int     `json:"workers"`           // images read in parallel
	Images        int     `json:"images"`            // images in the pass
	WallSeconds   float64 `json:"wall_seconds"`      // duration of the pass
	ImagesPerSec  float64 `json:"images_per_second"` // Images / WallSeconds
	CPUMSPerImage float64 `json:"cpu_ms_per_image"`  // process CPU time of the pass per image
}

// ImageRecord is one image's outcome in a mode run.
type ImageRecord struct {
	Image    string   `json:"image"`                   // path as in the manifest entry
	Set      string   `json:"set"`                     // manifest set
	Category string   `json:"category"`                // manifest category
	OK       bool     `json:"ok"`                      // read as the manifest demands (see Score.Success)
	Codes    int      `json:"codes_read"`              // expected (or labelled) codes read
	False    int      `json:"false"`                   // false reads or unmatched codes
	ReadBy   []string `json:"read_by"`                 // tier/strategy of every code returned
	MS       float64  `json:"latency_ms"`              // wall latency of the read
	Nano     bool     `json:"reached_nano,omitempty"`  // the nano detector ran
	Large    bool     `json:"reached_large,omitempty"` // the large detector ran
	Err      string   `json:"error,omitempty"`         // the read's error
}

// Record returns the ImageRecord of e read as r.
func Record(e *Entry, r *Read) ImageRecord {
	s := ScoreEntry(e, r)
	rec := ImageRecord{
		Image: e.Image, Set: e.Set, Category: e.Category, OK: s.Success, Codes: s.LabelsRead,
		False: s.False + s.Unmatched, ReadBy: []string{}, MS: float64(r.Latency) / 1e6, Nano: r.Nano, Large: r.Large, Err: r.Err,
	}
	for _, d := range r.Codes {
		rec.ReadBy = append(rec.ReadBy, d.source())
	}
	return rec
}

// Summary totals a run over every set.
type Summary struct {
	Images   int `json:"images"`
	ImagesOK int `json:"images_ok"`
	// Rate is images_ok / images over all sets: an image succeeds when
	// every expected (text sets) or labelled (detection sets) code was read
	// and, for a negative, nothing was.
	Rate float64 `json:"rate"`
	// Labels and LabelsRead count expected or labelled codes.
	Labels     int     `json:"codes"`
	LabelsRead int     `json:"codes_read"`
	CodeRate   float64 `json:"code_rate"`
	// CategoryMean is the mean of the per-category rates over every
	// (set, category) pair, each rate as its set defines it.
	CategoryMean  float64      `json:"category_mean"`
	False         int          `json:"false_reads"`
	Unmatched     int          `json:"unmatched"`
	Negatives     int          `json:"negatives"`
	NegativesRead int          `json:"negatives_read"`
	Errors        int          `json:"errors"`
	Latency       LatencyStats `json:"latency_ms"`
	// ReachedNano and ReachedLarge count the images on which the nano or
	// the large detector ran (the fallback rate is their share of Images).
	ReachedNano  int     `json:"reached_nano"`
	ReachedLarge int     `json:"reached_large"`
	NanoRate     float64 `json:"reached_nano_rate"`
	LargeRate    float64 `json:"reached_large_rate"`
	Wins         []Win   `json:"wins"`
}

// Summary totals every image added so far.
func (c *Collector) Summary() Summary {
	var s Summary
	var lat []time.Duration
	wins := map[string]int{}
	cats, catSum := 0, 0.0
	for _, rep := range c.Reports() {
		s.Images += rep.Images
		s.ImagesOK += rep.ImagesOK
		s.Labels += rep.Labels
		s.LabelsRead += rep.LabelsRead
		s.False += rep.False
		s.Unmatched += rep.Unmatched
		s.Negatives += rep.Negatives
		s.NegativesRead += rep.NegativesRead
		s.Errors += rep.Errors
		s.ReachedNano += rep.ReachedNano
		s.ReachedLarge += rep.ReachedLarge
		for _, cat := range rep.Categories {
			catSum += cat.Rate
			cats++
		}
		for _, w := range rep.Wins {
			wins[w.Name] += w.Codes
		}
	}
	for _, name := range c.order {
		lat = append(lat, c.sets[name].latencies...)
	}
	s.Latency = Latencies(lat)
	s.Rate = ratio(s.ImagesOK, s.Images)
	s.CodeRate = ratio(s.LabelsRead, s.Labels)
	s.NanoRate = ratio(s.ReachedNano, s.Images)
	s.LargeRate = ratio(s.ReachedLarge, s.Images)
	if cats > 0 {
		s.CategoryMean = catSum / float64(cats)
	}
	s.Wins = sortedWins(wins)
	return s
}

func sortedWins(m map[string]int) []Win {
	out := make([]Win, 0, len(m))
	for n, k := range m {
		out = append(out, Win{Name: n, Codes: k})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Codes != out[j].Codes {
			return out[i].Codes > out[j].Codes
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Meta describes where and how a comparison was measured.
type Meta struct {
	Date      string   `json:"date"` // RFC 3339, UTC
	GoVersion string   `json:"go_version"`
	OS        string   `json:"os"`
	Arch      string   `json:"arch"`
	CPUModel  string   `json:"cpu_model"` // "" when unknown
	Cores     int      `json:"cores"`
	Commit    string   `json:"commit"` // "" when unknown
	Command   string   `json:"command"`
	Manifests []string `json:"manifests"`
	Limit     int      `json:"limit"`  // first images per manifest, 0: all
	Sample    int      `json:"sample"` // images spread over each manifest, 0: all
	// Note is free text printed under the command (how to regenerate).
	Note    string `json:"note,omitempty"`
	Workers int    `json:"workers"` // of the throughput pass (1: none)
}

// Comparison is the result of `qrcascade bench --modes`: one ModeReport per
// mode over the manifests, optionally one per scenario and mode, and a
// capacity estimate per mode.
type Comparison struct {
	Meta      Meta             `json:"meta"`
	Modes     []ModeReport     `json:"modes"`
	Scenarios []ScenarioReport `json:"scenarios,omitempty"`
	Plan      CapacityPlan     `json:"capacity_plan"`
	Capacity  []Capacity       `json:"capacity"`
}

// ScenarioReport holds every mode's run on one synthetic scenario.
type ScenarioReport struct {
	Name  string       `json:"name"`
	Modes []ModeReport `json:"modes"`
}

// FillCapacity computes c.Capacity from the modes' CPU time and peak RSS
// with plan p (zero fields take their defaults; p is stored with them
// filled). Modes that did not run get a zero Capacity with their name.
func (c *Comparison) FillCapacity(p CapacityPlan) {
	c.Plan = p.withDefaults()
	c.Capacity = c.Capacity[:0]
	for i := range c.Modes {
		m := &c.Modes[i]
		if m.Status() != "ok" {
			c.Capacity = append(c.Capacity, Capacity{Mode: m.Mode})
			continue
		}
		cp := EstimateCapacity(m.CPUMSPerImage, m.Memory.Max(), c.Plan)
		cp.Mode = m.Mode
		c.Capacity = append(c.Capacity, cp)
	}
}

// mib formats bytes as MiB with one decimal, or "n/a" for zero.
func mib(b uint64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", float64(b)/(1<<20))
}
