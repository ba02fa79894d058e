package bench

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// handMade is a run over two sets with known answers: a text set with two
// categories and a negative, and a detection set.
func handMade() *Collector {
	c := NewCollector()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	rows := []struct {
		e Entry
		r Read
	}{
		// text set "t": x 1/2, neg 0/1 (a read on the negative), y 1/1
		{Entry{Set: "t", Category: "x", Expected: []string{"a"}}, Read{Codes: []Decoded{{Text: "a", Tier: "classic", Strategy: "raw"}}, Latency: ms(10)}},
		{Entry{Set: "t", Category: "x", Expected: []string{"b"}}, Read{Latency: ms(20), Nano: true}},
		{Entry{Set: "t", Category: "neg", Expected: []string{}}, Read{Codes: []Decoded{{Text: "ghost", Tier: "neural", Strategy: "quad"}}, Latency: ms(30), Nano: true, Large: true}},
		{Entry{Set: "t", Category: "y", Expected: []string{"c"}}, Read{Codes: []Decoded{{Text: "c", Tier: "neural", Strategy: "quad"}}, Latency: ms(40), Nano: true}},
		// detection set "d": one image, 1 of 2 codes, plus an unmatched code
		{Entry{Set: "d", Category: "blur", Detect: true, Polygons: polys(square(0, 0, 10), square(50, 50, 10))},
			Read{Codes: []Decoded{{Corners: square(0, 0, 10), Tier: "classic", Strategy: "raw"}, {Corners: square(500, 500, 10), Tier: "classic", Strategy: "raw"}}, Latency: ms(50), Err: "deadline"}},
	}
	for i := range rows {
		c.Add(&rows[i].e, &rows[i].r)
	}
	return c
}

func polys(qs ...geom.Quad) []geom.Quad { return qs }

func TestSummary(t *testing.T) {
	s := handMade().Summary()
	ints := []struct {
		name      string
		got, want int
	}{
		{"images", s.Images, 5},
		{"images ok", s.ImagesOK, 2}, // t/x "a" and t/y "c"; the negative has a read, d misses a code
		{"codes", s.Labels, 5},       // 3 texts + 2 polygons
		{"codes read", s.LabelsRead, 3},
		{"false reads", s.False, 1},
		{"unmatched", s.Unmatched, 1},
		{"negatives", s.Negatives, 1},
		{"negatives read", s.NegativesRead, 1},
		{"errors", s.Errors, 1},
		{"reached nano", s.ReachedNano, 3},
		{"reached large", s.ReachedLarge, 1},
	}
	for _, tc := range ints {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %d, want %d", tc.got, tc.want)
			}
		})
	}
	floats := []struct {
		name      string
		got, want float64
	}{
		{"rate", s.Rate, 2.0 / 5},
		{"code rate", s.CodeRate, 3.0 / 5},
		// (t,neg) 0, (t,x) 0.5, (t,y) 1, (d,blur) 0.5 → 2/4
		{"category mean", s.CategoryMean, 0.5},
		{"nano rate", s.NanoRate, 3.0 / 5},
		{"large rate", s.LargeRate, 1.0 / 5},
		{"latency mean", s.Latency.Mean, 30},
		{"latency p50", s.Latency.P50, 30},
		{"latency max", s.Latency.Max, 50},
	}
	for _, tc := range floats {
		t.Run(tc.name, func(t *testing.T) {
			if math.Abs(tc.got-tc.want) > 1e-9 {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	want := []Win{{"classic/raw", 3}, {"neural/quad", 2}}
	if len(s.Wins) != len(want) || s.Wins[0] != want[0] || s.Wins[1] != want[1] {
		t.Errorf("wins = %+v, want %+v", s.Wins, want)
	}
}

func TestSetReportFallbacksAndCategoryLatency(t *testing.T) {
	reps := handMade().Reports()
	if reps[0].ReachedNano != 3 || reps[0].ReachedLarge != 1 || reps[1].ReachedNano != 0 {
		t.Errorf("reached: t %d/%d, d %d", reps[0].ReachedNano, reps[0].ReachedLarge, reps[1].ReachedNano)
	}
	for _, c := range reps[0].Categories {
		if c.Name == "x" && (c.Latency.Mean != 15 || c.Latency.Max != 20) {
			t.Errorf("category x latency = %+v, want mean 15 max 20", c.Latency)
		}
	}
}

func TestRecord(t *testing.T) {
	e := Entry{Image: "/c/a.png", Set: "t", Category: "x", Expected: []string{"a", "b"}}
	r := Read{Codes: []Decoded{{Text: "a", Tier: "classic", Strategy: "eq"}, {Text: "z", Tier: "neural", Strategy: "quad"}}, Latency: 1500 * time.Microsecond, Nano: true}
	got := Record(&e, &r)
	if got.OK || got.Codes != 1 || got.False != 1 || got.MS != 1.5 || !got.Nano || got.Large ||
		strings.Join(got.ReadBy, ",") != "classic/eq,neural/quad" || got.Image != e.Image {
		t.Errorf("record = %+v", got)
	}
}

func TestModeReportStatus(t *testing.T) {
	tests := []struct {
		r    ModeReport
		want string
	}{
		{ModeReport{Mode: "classic", Available: true}, "ok"},
		{ModeReport{Mode: "large", Unavailable: "no model"}, "not in this build"},
		{ModeReport{Mode: "nano", Available: true, Error: "boom"}, "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.r.Mode, func(t *testing.T) {
			if got := tc.r.Status(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// sampleComparison has one mode that ran, one not in this build and one
// that failed, and a scenario.
func sampleComparison() *Comparison {
	c := handMade()
	ok := ModeReport{Mode: "classic", Available: true, Sets: c.Reports(), Summary: c.Summary(), CPUMSPerImage: 50,
		Memory:     Memory{Source: ProcStatus, Start: 10 << 20, Loaded: 11 << 20, Peak: 40 << 20, PeakWorkers: 60 << 20},
		Throughput: &Throughput{Workers: 2, Images: 5, WallSeconds: 0.25, ImagesPerSec: 20, CPUMSPerImage: 55},
		PerImage:   []ImageRecord{{Image: "a", MS: 10}, {Image: "b", MS: 20}, {Image: "c", MS: 200}}}
	cmp := &Comparison{
		Meta: Meta{Date: "2026-11-24T00:00:00Z", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPUModel: "Test CPU", Cores: 2,
			Commit: "abc1234", Command: "qrcascade bench --modes classic,large,nano", Limit: 10, Workers: 2, Note: "Regenerate: `make bench`."},
		Modes:     []ModeReport{ok, {Mode: "large", Unavailable: "qrcascade: mode not available in this build"}, {Mode: "nano", Available: true, Error: "child exited 2"}},
		Scenarios: []ScenarioReport{{Name: "small_4k", Modes: []ModeReport{ok, {Mode: "large", Unavailable: "x"}}}},
	}
	cmp.FillCapacity(CapacityPlan{DailyVolume: 86400})
	return cmp
}

func TestComparisonJSONSchema(t *testing.T) {
	b, err := json.Marshal(sampleComparison())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		var ks []string
		for k := range v.(map[string]any) {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	modes := doc["modes"].([]any)
	first := modes[0].(map[string]any)
	tests := []struct {
		name string
		obj  any
		want []string
	}{
		{"top", doc, []string{"capacity", "capacity_plan", "meta", "modes", "scenarios"}},
		{"meta", doc["meta"], []string{"arch", "command", "commit", "cores", "cpu_model", "date", "go_version", "limit", "manifests", "note", "os", "sample", "workers"}},
		{"mode", first, []string{"available", "cpu_ms_per_image", "memory", "mode", "model_loads", "per_image", "sets", "summary", "throughput"}},
		{"unavailable mode", modes[1], []string{"available", "cpu_ms_per_image", "memory", "mode", "model_loads", "per_image", "sets", "summary", "unavailable"}},
		{"memory", first["memory"], []string{"rss_loaded_bytes", "rss_peak_bytes", "rss_peak_workers_bytes", "rss_start_bytes", "source"}},
		{"summary", first["summary"], []string{"category_mean", "code_rate", "codes", "codes_read", "errors", "false_reads", "images", "images_ok", "latency_ms", "negatives", "negatives_read", "rate", "reached_large", "reached_large_rate", "reached_nano", "reached_nano_rate", "unmatched", "wins"}},
		{"throughput", first["throughput"], []string{"cpu_ms_per_image", "images", "images_per_second", "wall_seconds", "workers"}},
		{"capacity", doc["capacity"].([]any)[0], []string{"instances", "memory_limit_bytes", "mode", "peak_requests_per_second", "requests_per_second_per_core", "requests_per_second_per_instance"}},
		{"image record", first["per_image"].([]any)[0], []string{"category", "codes_read", "false", "image", "latency_ms", "ok", "read_by", "set"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := keys(tc.obj); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("keys\n got %v\nwant %v", got, tc.want)
			}
		})
	}
	// The document round-trips.
	var back Comparison
	if err := json.Unmarshal(b, &back); err != nil || back.Modes[0].Summary.ImagesOK != 2 || back.Modes[1].Status() != "not in this build" {
		t.Errorf("round trip: %v %+v", err, back.Modes)
	}
}

func TestFillCapacity(t *testing.T) {
	cmp := sampleComparison()
	if len(cmp.Capacity) != 3 {
		t.Fatalf("capacity rows %d", len(cmp.Capacity))
	}
	// classic: 50 ms/img → 20 req/s per core, 14 per instance; 86400/day ×3
	// peak = 3 req/s → 1 instance; memory max(40, 60) MiB × 1.25 = 75 MiB.
	c := cmp.Capacity[0]
	if c.Mode != "classic" || c.PerCore != 20 || math.Abs(c.PerInstance-14) > 1e-9 || c.Instances != 1 || c.MemoryLimit != 75<<20 {
		t.Errorf("classic capacity = %+v", c)
	}
	for _, c := range cmp.Capacity[1:] {
		if c.Instances != 0 || c.PerCore != 0 || c.Mode == "" {
			t.Errorf("capacity of a mode that did not run = %+v", c)
		}
	}
	if cmp.Plan.PeakFactor != 3 || cmp.Plan.DailyVolume != 86400 {
		t.Errorf("plan defaults not filled: %+v", cmp.Plan)
	}
}

func TestMemoryMax(t *testing.T) {
	if (Memory{Peak: 5, PeakWorkers: 0}).Max() != 5 || (Memory{Peak: 5, PeakWorkers: 9}).Max() != 9 {
		t.Error("Max must be the larger peak")
	}
}

// TestSummaryFromManifests scores reads against hand-written manifest
// files: a text set with a CRLF caveat row and negatives, and a detection
// set with polygons.
func TestSummaryFromManifests(t *testing.T) {
	text := writeManifest(t,
		`{"image": "a.png", "expected": ["A"], "category": "clean"}`,
		`{"image": "b.png", "expected": ["B1", "B2"], "category": "clean"}`,
		`{"image": "c.png", "expected": ["l1\r\nl2"], "category": "eol", "caveat": "compare after CRLF->LF normalisation"}`,
		`{"image": "n1.png", "expected": [], "category": "neg"}`,
		`{"image": "n2.png", "expected": [], "category": "neg"}`,
	)
	det := writeNamedManifest(t, "detset",
		`{"image": "p.jpg", "expected": null, "polygons": [[[0,0],[100,0],[100,100],[0,100]], [[200,0],[300,0],[300,100],[200,100]]], "category": "lots"}`,
		`{"image": "q.jpg", "expected": null, "polygons": [[[0,0],[50,0],[50,50],[0,50]]], "category": "blurred"}`,
	)
	reads := map[string]Read{
		"a.png":  {Codes: []Decoded{{Text: "A", Tier: "classic", Strategy: "raw"}}},
		"b.png":  {Codes: []Decoded{{Text: "B1", Tier: "classic", Strategy: "raw"}}},                 // one of two: not read
		"c.png":  {Codes: []Decoded{{Text: "l1\nl2", Tier: "neural", Strategy: "quad"}}, Nano: true}, // read after normalisation
		"n1.png": {Nano: true},
		"n2.png": {Codes: []Decoded{{Text: "junk", Tier: "neural", Strategy: "quad"}}, Nano: true, Large: true}, // a read on a negative
		"p.jpg":  {Codes: []Decoded{{Corners: square(210, 10, 80), Tier: "classic", Strategy: "locator"}}},
		"q.jpg":  {Codes: []Decoded{{Corners: square(0, 0, 50), Tier: "classic", Strategy: "raw"}, {Corners: square(400, 400, 50), Tier: "classic", Strategy: "raw"}}},
	}
	c := NewCollector()
	for _, m := range []string{text, det} {
		// Two sets, told apart by their folder names.
		es, err := LoadManifest(m)
		if err != nil {
			t.Fatal(err)
		}
		for i := range es {
			r := reads[filepath.Base(es[i].Image)]
			c.Add(&es[i], &r)
		}
	}
	if reps := c.Reports(); len(reps) != 2 || !reps[1].Detect {
		t.Fatalf("reports %+v", reps)
	}
	s := c.Summary()
	// Images read: a, c, n1, q → 4 of 7. Codes: text A, B1, B2, l1l2 (4,
	// 3 read) + polygons 3 (2 read: the second of p, q's one).
	// Categories: clean 1/2, eol 1/1, neg 1/2, lots 1/2 codes, blurred 1/1.
	want := Summary{Images: 7, ImagesOK: 4, Labels: 7, LabelsRead: 5, False: 1, Unmatched: 1, Negatives: 2, NegativesRead: 1, ReachedNano: 3, ReachedLarge: 1}
	got := s
	got.Rate, got.CodeRate, got.CategoryMean, got.NanoRate, got.LargeRate, got.Latency, got.Wins = 0, 0, 0, 0, 0, LatencyStats{}, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summary\n got %+v\nwant %+v", got, want)
	}
	if mean := (0.5 + 1 + 0.5 + 0.5 + 1) / 5; math.Abs(s.CategoryMean-mean) > 1e-9 {
		t.Errorf("category mean %v, want %v", s.CategoryMean, mean)
	}
	if math.Abs(s.Rate-4.0/7) > 1e-9 || math.Abs(s.CodeRate-5.0/7) > 1e-9 {
		t.Errorf("rates %v %v", s.Rate, s.CodeRate)
	}
}

// writeNamedManifest writes lines as DIR/set/manifest.jsonl (the set name
// is the folder's).
func writeNamedManifest(t *testing.T, set string, lines ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), set)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "manifest.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
