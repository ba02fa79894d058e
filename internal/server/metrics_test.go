package server

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/qrcascade/qrcascade"
)

// scrape fetches /metrics through h and parses the text exposition.
func scrape(t testing.TB, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	w := do(h, "GET", "/metrics", "", nil)
	if w.Code != 200 {
		t.Fatalf("/metrics: status %d", w.Code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// sample returns the value of the series of family name whose labels
// include want (a counter or gauge value, or a histogram's count); -1 when
// absent.
func sample(mfs map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	mf, ok := mfs[name]
	if !ok {
		return -1
	}
next:
	for _, m := range mf.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestMetricsChange scrapes /metrics before and after requests and checks
// each counter moved by what was served.
func TestMetricsChange(t *testing.T) {
	fx := testFixtures(t)
	srv := newTestServer(t, Config{})
	h := srv.Handler()
	before := scrape(t, h)
	for _, name := range []string{"process_resident_memory_bytes", "go_goroutines", "qrcascade_model_loaded", "qrcascade_decode_slots"} {
		if _, ok := before[name]; !ok {
			t.Errorf("%s missing from /metrics", name)
		}
	}

	do(h, "POST", "/detect", "image/jpeg", fx.invoiceJPEG) // success
	do(h, "POST", "/detect", "image/jpeg", fx.invoiceJPEG) // success
	do(h, "POST", "/detect", "image/png", fx.blankPNG)     // not_found
	do(h, "POST", "/detect", "text/plain", []byte("nope")) // bad_input (415)
	do(h, "GET", "/nowhere", "", nil)                      // not a /detect request
	after := scrape(t, h)

	// Which strategy read the invoice is the classic tier's business; find
	// it from a direct read so the test does not hard-code it.
	r, _ := qrcascade.NewReader(qrcascade.Options{})
	res, err := r.Read(context.Background(), fx.invoiceJPEG)
	if err != nil || !res.Success() {
		t.Fatalf("direct read: %v", err)
	}
	winner := string(res.Codes[0].Strategy)
	tests := []struct {
		name   string
		labels map[string]string
		delta  float64
	}{
		{"qrcascade_requests_total", map[string]string{"outcome": "success"}, 2},
		{"qrcascade_requests_total", map[string]string{"outcome": "not_found"}, 1},
		{"qrcascade_requests_total", map[string]string{"outcome": "bad_input"}, 1},
		{"qrcascade_requests_total", map[string]string{"outcome": "overloaded"}, 0},
		{"qrcascade_request_duration_seconds", map[string]string{"outcome": "success"}, 2},
		{"qrcascade_reads_total", map[string]string{"tier": "classic", "strategy": winner}, 2},
		{"qrcascade_strategy_wins_total", map[string]string{"tier": "classic", "strategy": winner}, 2},
		{"qrcascade_tier_runs_total", map[string]string{"tier": "classic"}, 3},
		{"qrcascade_tier_runs_total", map[string]string{"tier": "neural"}, 0},
		{"qrcascade_tier_duration_seconds", map[string]string{"tier": "classic"}, 3},
		{"qrcascade_inflight_requests", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name+labelString(tc.labels), func(t *testing.T) {
			b, a := sample(before, tc.name, tc.labels), sample(after, tc.name, tc.labels)
			if b < 0 || a < 0 {
				t.Fatalf("series missing: before %v after %v", b, a)
			}
			if a-b != tc.delta {
				t.Errorf("moved by %v, want %v", a-b, tc.delta)
			}
		})
	}
	// The blank image ran strategies that all failed: attempts grew by
	// more than wins.
	first := string(qrcascade.Strategies()[0])
	att := sample(after, "qrcascade_strategy_attempts_total", map[string]string{"strategy": first}) -
		sample(before, "qrcascade_strategy_attempts_total", map[string]string{"strategy": first})
	if att != 3 {
		t.Errorf("%s attempts moved by %v, want 3 (every image starts with it)", first, att)
	}
}

func labelString(l map[string]string) string {
	var parts []string
	for k, v := range l {
		parts = append(parts, k+"="+v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestMetricsLint runs promlint over every metric of the service.
func TestMetricsLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv := newTestServer(t, Config{Registry: reg})
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
	for _, c := range []prometheus.Collector{srv.metrics.requests, srv.metrics.tierDuration, srv.metrics.strategyAttempts} {
		if ps, err := testutil.CollectAndLint(c); err != nil || len(ps) > 0 {
			t.Errorf("CollectAndLint: %v %v", ps, err)
		}
	}
	// Every outcome series exists from the start.
	if n := testutil.CollectAndCount(srv.metrics.requests); n != len(outcomes) {
		t.Errorf("%d outcome series, want %d", n, len(outcomes))
	}
}

// fakeModels reports nano loaded once, large never.
type fakeModels struct{}

func (fakeModels) ModelLoaded(m qrcascade.Model) bool { return m == qrcascade.ModelNano }
func (fakeModels) ModelLoads(m qrcascade.Model) uint64 {
	if m == qrcascade.ModelNano {
		return 1
	}
	return 0
}
func (fakeModels) ModelUnloads(qrcascade.Model) uint64 { return 0 }

// TestModelGauges: the model metrics read ModelStatus at scrape time.
func TestModelGauges(t *testing.T) {
	srv := newTestServer(t, Config{Models: fakeModels{}})
	mfs := scrape(t, srv.Handler())
	tests := []struct {
		name, model string
		want        float64
	}{
		{"qrcascade_model_loaded", "nano", 1},
		{"qrcascade_model_loaded", "large", 0},
		{"qrcascade_model_loads_total", "nano", 1},
		{"qrcascade_model_unloads_total", "large", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.model, func(t *testing.T) {
			if got := sample(mfs, tc.name, map[string]string{"model": tc.model}); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestStrategyLabelClosed: each tier's decoding paths are labels of
// their own (a neural read is not "other"); names outside a tier's set,
// or of another tier, map to "other".
func TestStrategyLabelClosed(t *testing.T) {
	srv := newTestServer(t, Config{})
	tests := []struct {
		tier qrcascade.Tier
		in   qrcascade.Strategy
		want string
	}{
		{qrcascade.TierClassic, "raw", "raw"},
		{qrcascade.TierClassic, "eq_otsu", "eq_otsu"},
		{qrcascade.TierClassic, "made_up", "other"},
		{qrcascade.TierClassic, "", "other"},
		{qrcascade.TierClassic, "quad", "other"},
		{qrcascade.TierNeural, "quad", "quad"},
		{qrcascade.TierNeural, "quad_retry", "quad_retry"},
		{qrcascade.TierNeural, "crop_locator", "crop_locator"},
		{qrcascade.TierNeural, "raw", "other"},
	}
	for _, tc := range tests {
		t.Run(string(tc.tier)+"/"+string(tc.in), func(t *testing.T) {
			if got := srv.metrics.strategyLabel(string(tc.tier), tc.in); got != tc.want {
				t.Errorf("strategyLabel(%q, %q) = %q, want %q", tc.tier, tc.in, got, tc.want)
			}
		})
	}
	if got := tierLabel("quantum"); got != "other" {
		t.Errorf("tierLabel(quantum) = %q", got)
	}
}

// TestMetricsNeuralTier: detector runs, their durations and the hybrid
// fallback reasons are counted from what the Result reports.
func TestMetricsNeuralTier(t *testing.T) {
	tests := []struct {
		name      string
		timings   qrcascade.Timings
		fallback  qrcascade.Fallback
		model     qrcascade.Model
		afterRead bool
		want      map[string]float64 // "family{label=value}" → delta
	}{
		{"nano read", qrcascade.Timings{Classic: 5e6, Nano: 20e6}, "", "nano", false, map[string]float64{
			"qrcascade_detector_runs_total{model=nano}": 1, "qrcascade_detector_runs_total{model=large}": 0,
			"qrcascade_detector_duration_seconds{model=nano}": 1, "qrcascade_tier_runs_total{tier=neural}": 1,
			"qrcascade_fallback_total{reason=no_read}": 0, "qrcascade_after_read_total": 0,
		}},
		{"nano after a classic read", qrcascade.Timings{Classic: 5e6, Nano: 20e6}, "", "nano", true, map[string]float64{
			"qrcascade_detector_runs_total{model=nano}": 1, "qrcascade_after_read_total": 1,
		}},
		{"hybrid fallback", qrcascade.Timings{Classic: 5e6, Nano: 20e6, Large: 90e6}, "no_read", "large_fallback", false, map[string]float64{
			"qrcascade_detector_runs_total{model=nano}": 1, "qrcascade_detector_runs_total{model=large}": 1,
			"qrcascade_fallback_total{reason=no_read}": 1, "qrcascade_fallback_total{reason=small_code}": 0,
		}},
		{"classic only", qrcascade.Timings{Classic: 5e6}, "", "classic", false, map[string]float64{
			"qrcascade_detector_runs_total{model=nano}": 0, "qrcascade_tier_runs_total{tier=neural}": 0, "qrcascade_after_read_total": 0,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGate()
			close(g.release)
			g.result.Timings, g.result.Fallback, g.result.Model, g.result.AfterRead = tc.timings, tc.fallback, tc.model, tc.afterRead
			srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g}})
			before := scrape(t, srv.Handler())
			do(srv.Handler(), "POST", "/detect", "image/png", []byte("x"))
			after := scrape(t, srv.Handler())
			for key, delta := range tc.want {
				name, rest, _ := strings.Cut(strings.TrimSuffix(key, "}"), "{")
				k, v, _ := strings.Cut(rest, "=")
				l := map[string]string{k: v}
				b, a := sample(before, name, l), sample(after, name, l)
				if b < 0 || a < 0 {
					t.Errorf("%s: series missing", key)
				} else if a-b != delta {
					t.Errorf("%s moved by %v, want %v", key, a-b, delta)
				}
			}
		})
	}
}

// TestBuildInfo: qrcascade_build_info is 1 with the configured version.
func TestBuildInfo(t *testing.T) {
	srv := newTestServer(t, Config{Version: "v1.2.3"})
	mfs := scrape(t, srv.Handler())
	if got := sample(mfs, "qrcascade_build_info", map[string]string{"version": "v1.2.3", "goversion": runtime.Version()}); got != 1 {
		t.Errorf("qrcascade_build_info{version=v1.2.3} = %v, want 1", got)
	}
}

// TestReadsNeuralLabel: a request whose first code the neural tier read
// counts under its tier and decoding path, not "other" (#15).
func TestReadsNeuralLabel(t *testing.T) {
	tests := []struct {
		strategy qrcascade.Strategy
		want     string
	}{{"quad", "quad"}, {"crop_locator", "crop_locator"}, {"quad_retry", "quad_retry"}, {"made_up", "other"}}
	for _, tc := range tests {
		t.Run(string(tc.strategy), func(t *testing.T) {
			g := newGate()
			close(g.release)
			g.result.Model = qrcascade.ModelNano
			g.result.Codes = []qrcascade.Code{{Text: "n", Tier: qrcascade.TierNeural, Strategy: tc.strategy, Model: qrcascade.ModelNano, Confidence: 0.9}}
			srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g}})
			l := map[string]string{"tier": "neural", "strategy": tc.want}
			before := sample(scrape(t, srv.Handler()), "qrcascade_reads_total", l)
			do(srv.Handler(), "POST", "/detect", "image/png", []byte("x"))
			after := sample(scrape(t, srv.Handler()), "qrcascade_reads_total", l)
			if before < 0 && tc.want != "other" {
				t.Fatalf("series reads_total%v missing before the first read", l)
			}
			if after-max(before, 0) != 1 {
				t.Errorf("reads_total%v moved by %v, want 1", l, after-max(before, 0))
			}
		})
	}
}
