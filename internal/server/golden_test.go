package server

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestMetricsGolden pins the exported metric families (HELP and TYPE lines
// of the qrcascade_* families): dashboards and alert rules depend on them.
// Run with -update after an intended change and review the diff.
func TestMetricsGolden(t *testing.T) {
	srv := newTestServer(t, Config{Registry: prometheus.NewRegistry()})
	w := do(srv.Handler(), "GET", "/metrics", "", nil)
	var got strings.Builder
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "# HELP qrcascade_") || strings.HasPrefix(line, "# TYPE qrcascade_") {
			got.WriteString(line + "\n")
		}
	}
	path := filepath.Join("testdata", "metrics.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run MetricsGolden -update)", err)
	}
	if got.String() != string(want) {
		gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("line %d:\n-%s\n+%s", i+1, w, g)
			}
		}
	}
}
