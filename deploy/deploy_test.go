package deploy

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/server"
)

// exportedMetrics returns the metric family names a fresh server exposes.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	readers, err := server.NewReaders(qrcascade.Options{}, server.AllModes()...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Readers: readers})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	names := map[string]bool{}
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names[f[2]] = true
		}
	}
	if len(names) == 0 {
		t.Fatal("no metric families on /metrics")
	}
	return names
}

// metricRef matches metric names in PromQL (recording rules contain a
// colon and are skipped).
var metricRef = regexp.MustCompile(`\b(?:qrcascade|process|go)_[a-z0-9_]+\b`)

// checkRefs fails for each referenced metric that the service does not
// export (histogram series suffixes resolved to their family).
func checkRefs(t *testing.T, file, text string, exported map[string]bool) int {
	t.Helper()
	refs := metricRef.FindAllString(text, -1)
	for _, r := range refs {
		base := r
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(r, suf); ok && exported[b] {
				base = b
			}
		}
		if !exported[base] {
			t.Errorf("%s queries %s, which the service does not export", file, r)
		}
	}
	return len(refs)
}

// TestDashboard: the Grafana dashboard is valid JSON, every panel has a
// query, and every query uses exported metrics.
func TestDashboard(t *testing.T) {
	const file = "grafana/qrcascade.json"
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatalf("%s: uid %q, %d panels", file, dash.UID, len(dash.Panels))
	}
	exported := exportedMetrics(t)
	var titles []string
	for _, p := range dash.Panels {
		titles = append(titles, p.Title)
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			checkRefs(t, file+": "+p.Title, tg.Expr, exported)
		}
	}
	// The issue asks for these views.
	for _, want := range []string{"Read rate by tier and strategy", "Latency p50 / p95 / p99 (answered images)",
		"Resident memory per pod", "Neural fallback rate", "In flight, queued, slots", "Model loaded"} {
		if !slices.Contains(titles, want) {
			t.Errorf("no panel %q", want)
		}
	}
}

// TestAlertRulesUseExportedMetrics: the rules query only exported metrics
// (promtool validates their syntax in `make deploy-check`).
func TestAlertRulesUseExportedMetrics(t *testing.T) {
	exported := exportedMetrics(t)
	for _, file := range []string{"prometheus/alerts.yaml"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if n := checkRefs(t, file, string(b), exported); n < 5 {
			t.Errorf("%s: only %d metric references", file, n)
		}
		for _, alert := range []string{"QrcascadeMemoryOverBudget", "QrcascadeLatencyHigh", "QrcascadeReadRateLow", "QrcascadeTargetDown", "QrcascadeTargetsMissing"} {
			if !strings.Contains(string(b), "alert: "+alert) {
				t.Errorf("%s: no alert %s", file, alert)
			}
		}
	}
}
