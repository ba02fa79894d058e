package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/geom"
)

func writeManifest(t *testing.T, lines ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "myset")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "manifest.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadManifest(t *testing.T) {
	p := writeManifest(t,
		`{"image": "a.png", "expected": ["x", "y"], "category": "c1"}`,
		`{"image": "b.png", "expected": [], "category": 7}`,
		``,
		`{"image": "d/c.jpg", "expected": null, "polygons": [[[0,0],[10,0],[10,10],[0,10]]]}`,
		`{"image": "e.png", "expected": ["a\r\nb"], "caveat": "compare after CRLF->LF normalisation"}`,
	)
	es, err := LoadManifest(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 4 {
		t.Fatalf("got %d entries, want 4", len(es))
	}
	dir := filepath.Dir(p)
	tests := []struct {
		i        int
		image    string
		cat      string
		nExp     int
		detect   bool
		looseEOL bool
	}{
		{0, "a.png", "c1", 2, false, false},
		{1, "b.png", "7", 0, false, false},
		{2, "d/c.jpg", "default", 0, true, false},
		{3, "e.png", "default", 1, false, true},
	}
	for _, tc := range tests {
		e := es[tc.i]
		if e.Image != filepath.Join(dir, tc.image) || e.Category != tc.cat || len(e.Expected) != tc.nExp || e.Detect != tc.detect || e.LooseEOL != tc.looseEOL || e.Set != "myset" {
			t.Errorf("entry %d = %+v", tc.i, e)
		}
	}
	if es[1].Expected == nil {
		t.Error("negative row must have a non-nil empty Expected")
	}
	if es[2].Polygons[0][2] != (geom.Point{X: 10, Y: 10}) {
		t.Errorf("polygon = %v", es[2].Polygons[0])
	}
}

func TestLoadManifestErrors(t *testing.T) {
	for name, line := range map[string]string{
		"bad json":  `{"image": `,
		"no image":  `{"expected": []}`,
		"no truth":  `{"image": "a.png"}`,
		"not array": `{"image": "a.png", "expected": "x"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := LoadManifest(writeManifest(t, line)); err == nil {
				t.Error("want an error")
			}
		})
	}
	if _, err := LoadManifest(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil {
		t.Error("missing file: want an error")
	}
}

func square(x, y, s float64) geom.Quad {
	return geom.Quad{{X: x, Y: y}, {X: x + s, Y: y}, {X: x + s, Y: y + s}, {X: x, Y: y + s}}
}

func TestScoreEntryText(t *testing.T) {
	tests := []struct {
		name                 string
		expected, got        []string
		loose                bool
		success              bool
		read, labels, falses int
	}{
		{"all read", []string{"a", "b"}, []string{"b", "a"}, false, true, 2, 2, 0},
		{"partial", []string{"a", "b"}, []string{"a"}, false, false, 1, 2, 0},
		{"false read", []string{"a"}, []string{"a", "z", "z"}, false, true, 1, 1, 1},
		{"negative clean", []string{}, nil, false, true, 0, 0, 0},
		{"negative read", []string{}, []string{"q"}, false, false, 0, 0, 1},
		{"crlf strict", []string{"a\r\nb"}, []string{"a\nb"}, false, false, 0, 1, 1},
		{"crlf loose", []string{"a\r\nb"}, []string{"a\nb"}, true, true, 1, 1, 0},
		{"crlf loose trims", []string{"a\nb"}, []string{"a\r\nb\r\n"}, true, true, 1, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &Entry{Expected: tc.expected, LooseEOL: tc.loose}
			r := &Read{}
			for _, g := range tc.got {
				r.Codes = append(r.Codes, Decoded{Text: g})
			}
			s := ScoreEntry(e, r)
			if s.Success != tc.success || s.LabelsRead != tc.read || s.Labels != tc.labels || s.False != tc.falses {
				t.Errorf("score = %+v", s)
			}
		})
	}
}

func TestScoreEntryDetection(t *testing.T) {
	e := &Entry{Detect: true, Polygons: []geom.Quad{square(0, 0, 100), square(200, 0, 100)}}
	tests := []struct {
		name      string
		codes     []geom.Quad
		read      int
		unmatched int
	}{
		{"none", nil, 0, 0},
		{"one exact", []geom.Quad{square(0, 0, 100)}, 1, 0},
		{"shifted but centroid inside", []geom.Quad{square(30, 30, 100)}, 1, 0},
		{"big quad covering label centroid", []geom.Quad{square(150, -100, 400)}, 1, 0},
		{"both", []geom.Quad{square(0, 0, 100), square(205, 5, 90)}, 2, 0},
		{"elsewhere", []geom.Quad{square(500, 500, 50)}, 0, 1},
		{"no position", []geom.Quad{{}}, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Read{}
			for _, q := range tc.codes {
				r.Codes = append(r.Codes, Decoded{Text: "t", Corners: q})
			}
			s := ScoreEntry(e, r)
			if s.LabelsRead != tc.read || s.Unmatched != tc.unmatched || s.Labels != 2 || s.Success != (tc.read == 2) {
				t.Errorf("score = %+v", s)
			}
		})
	}
}

func TestCollectorReports(t *testing.T) {
	c := NewCollector()
	text := []Entry{
		{Set: "t", Category: "x", Expected: []string{"a"}},
		{Set: "t", Category: "x", Expected: []string{"b"}},
		{Set: "t", Category: "y", Expected: []string{"c"}},
		{Set: "t", Category: "neg", Expected: []string{}},
	}
	reads := []Read{
		{Codes: []Decoded{{Text: "a", Tier: "classic", Strategy: "raw"}}, Latency: 10 * time.Millisecond},
		{Latency: 20 * time.Millisecond},
		{Codes: []Decoded{{Text: "c", Tier: "classic", Strategy: "eq"}}, Latency: 30 * time.Millisecond},
		{Codes: []Decoded{{Text: "oops", Tier: "classic", Strategy: "raw"}}, Latency: 40 * time.Millisecond, Err: ""},
	}
	for i := range text {
		c.Add(&text[i], &reads[i])
	}
	det := Entry{Set: "d", Category: "blur", Detect: true, Polygons: []geom.Quad{square(0, 0, 10), square(50, 50, 10)}}
	c.Add(&det, &Read{Codes: []Decoded{{Corners: square(0, 0, 10)}}})
	reps := c.Reports()
	if len(reps) != 2 {
		t.Fatalf("got %d reports", len(reps))
	}
	tr := reps[0]
	if tr.Images != 4 || tr.ImagesOK != 2 || tr.False != 1 || tr.Negatives != 1 || tr.NegativesRead != 1 {
		t.Errorf("text report = %+v", tr)
	}
	if math.Abs(tr.Rate-0.5) > 1e-9 {
		t.Errorf("rate = %v, want 0.5", tr.Rate)
	}
	// categories: neg 0/1, x 1/2, y 1/1 → mean (0 + 0.5 + 1)/3
	if math.Abs(tr.CategoryMean-0.5) > 1e-9 {
		t.Errorf("category mean = %v, want 0.5", tr.CategoryMean)
	}
	if tr.Latency.Max != 40 || tr.Latency.P50 != 20 || tr.Latency.Mean != 25 {
		t.Errorf("latency = %+v", tr.Latency)
	}
	if len(tr.Wins) != 2 || tr.Wins[0] != (Win{"classic/raw", 2}) {
		t.Errorf("wins = %+v", tr.Wins)
	}
	dr := reps[1]
	if !dr.Detect || dr.Labels != 2 || dr.LabelsRead != 1 || math.Abs(dr.Rate-0.5) > 1e-9 {
		t.Errorf("detection report = %+v", dr)
	}
	var sb strings.Builder
	if err := WriteText(&sb, reps); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| t | 4 | 2/4 img | 50.0 %", "| d | 1 | 1/2 codes | 50.0 %", "| blur | 1 | 1/2 codes | 50.0 % |"} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, sb.String())
		}
	}
}

func TestLatencies(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := Latencies(ds)
	if l.P50 != 50 || l.P95 != 95 || l.P99 != 99 || l.Max != 100 || l.Mean != 50.5 {
		t.Errorf("latencies = %+v", l)
	}
	if (Latencies(nil) != LatencyStats{}) {
		t.Error("empty input must give zero stats")
	}
}

func TestSpread(t *testing.T) {
	es := make([]Entry, 10)
	for i := range es {
		es[i].Image = string(rune('a' + i))
	}
	tests := []struct {
		n    int
		want string
	}{
		{0, "abcdefghij"},
		{-1, "abcdefghij"},
		{10, "abcdefghij"},
		{20, "abcdefghij"},
		{1, "a"},
		{2, "af"},
		{3, "adg"},
		{4, "acfh"},
		{5, "acegi"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("n=%d", tc.n), func(t *testing.T) {
			var got strings.Builder
			for _, e := range Spread(es, tc.n) {
				got.WriteString(e.Image)
			}
			if got.String() != tc.want {
				t.Errorf("Spread(%d) = %s, want %s", tc.n, got.String(), tc.want)
			}
		})
	}
}
