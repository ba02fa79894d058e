// Package bench loads corpus manifests, scores reads against their ground
// truth and summarises the results (read rates, false reads, latency
// percentiles, per-strategy wins). It is the feedback loop for every tuning
// decision: `qrcascade bench` is a thin CLI over it.
//
// Manifest format (../shared/corpus/README.md): one JSON object per line,
// {"image": path relative to the manifest, "expected": [texts] | null,
// "polygons": [[[x,y]×4], …], "category": …}. Text rows succeed when every
// expected text was decoded; a decoded text not expected is a false read;
// "expected": [] marks a negative image. Detection rows ("expected": null
// with polygons) count a labelled code as read when a decoded quad overlaps
// it (the centroid of one lies inside the other).
//
// For the mode comparison (`qrcascade bench --modes`), ModeReport holds
// one mode's run in its own child process (Summary over every set,
// resident memory from SampleMemory, model load times, fallback rates,
// per-image records), Comparison gathers the modes and scenarios,
// EstimateCapacity turns CPU time and peak RSS into requests per core and
// instances for a daily volume, and WriteModeMarkdown / ReplaceSection
// produce the generated section of docs/BENCHMARKS.md. The figures are
// drawn by the plot subpackage.
package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Entry is one manifest row.
type Entry struct {
	Image    string      // absolute (or manifest-relative joined) path of the image
	Set      string      // the manifest's set name (its folder name)
	Category string      // the row's category ("" → "default")
	Expected []string    // expected texts; nil for detection rows
	Polygons []geom.Quad // labelled corner quads (detection rows)
	Detect   bool        // a detection row: score by polygons, not text
	LooseEOL bool        // compare texts with CRLF normalised to LF and trimmed (row caveat)
}

type manifestRow struct {
	Image    string          `json:"image"`
	Expected *[]string       `json:"expected"`
	Polygons [][4][2]float64 `json:"polygons"`
	Category json.RawMessage `json:"category"`
	Caveat   string          `json:"caveat"`
}

// LoadManifest reads a manifest file. Image paths are resolved relative to
// its folder.
func LoadManifest(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	dir := filepath.Dir(path)
	set := filepath.Base(dir)
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var row manifestRow
		if err := json.Unmarshal([]byte(text), &row); err != nil {
			return nil, fmt.Errorf("bench: %s:%d: %w", path, line, err)
		}
		if row.Image == "" {
			return nil, fmt.Errorf("bench: %s:%d: no image", path, line)
		}
		e := Entry{Image: filepath.Join(dir, row.Image), Set: set, Category: categoryString(row.Category)}
		if strings.Contains(row.Caveat, "CRLF->LF") {
			e.LooseEOL = true
		}
		for _, p := range row.Polygons {
			e.Polygons = append(e.Polygons, geom.Quad{{X: p[0][0], Y: p[0][1]}, {X: p[1][0], Y: p[1][1]}, {X: p[2][0], Y: p[2][1]}, {X: p[3][0], Y: p[3][1]}})
		}
		switch {
		case row.Expected != nil:
			e.Expected = append([]string{}, (*row.Expected)...)
		case len(row.Polygons) > 0:
			e.Detect = true
		default:
			return nil, fmt.Errorf("bench: %s:%d: neither expected texts nor polygons", path, line)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, errors.New("bench: " + path + ": empty manifest")
	}
	return out, nil
}

// categoryString accepts a string or a number as category.
func categoryString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "default"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return "default"
		}
		return s
	}
	return strings.Trim(string(raw), `"`)
}

// Spread returns at most n of entries, evenly spaced over the slice (the
// entries at indices ⌊i·len/n⌋ for i = 0..n-1), so that a sample of a
// manifest sorted by category still covers every category of a sufficient
// size. n ≤ 0 or n ≥ len(entries) returns entries unchanged. The result
// shares no backing array with entries when it is shorter.
func Spread(entries []Entry, n int) []Entry {
	if n <= 0 || n >= len(entries) {
		return entries
	}
	out := make([]Entry, n)
	for i := range out {
		out[i] = entries[i*len(entries)/n]
	}
	return out
}
