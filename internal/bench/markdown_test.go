package bench

import (
	"errors"
	"strings"
	"testing"
)

func TestReplaceSection(t *testing.T) {
	sec := "| new |\n"
	tests := []struct {
		name, doc, want string
		err             error
	}{
		{"replace", "# B\n\nbefore\n" + SectionBegin + "\nold\nold\n" + SectionEnd + "\nafter\n",
			"# B\n\nbefore\n" + SectionBegin + "\n| new |\n" + SectionEnd + "\nafter\n", nil},
		{"append", "# B\n\ntext", "# B\n\ntext\n\n" + SectionBegin + "\n| new |\n" + SectionEnd + "\n", nil},
		{"empty doc", "", SectionBegin + "\n| new |\n" + SectionEnd + "\n", nil},
		{"begin only", "a\n" + SectionBegin + "\n", "", ErrMarkers},
		{"end only", SectionEnd + "\n", "", ErrMarkers},
		{"reversed", SectionEnd + "\n" + SectionBegin + "\n", "", ErrMarkers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReplaceSection([]byte(tc.doc), []byte(sec))
			if !errors.Is(err, tc.err) || string(got) != tc.want {
				t.Errorf("got %q, %v\nwant %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
	// Replacing twice gives the same document (idempotent regeneration).
	doc := []byte("x\n" + SectionBegin + "\n" + SectionEnd + "\ny\n")
	once, _ := ReplaceSection(doc, []byte(sec))
	twice, _ := ReplaceSection(once, []byte(sec))
	if string(once) != string(twice) {
		t.Errorf("not idempotent:\n%s\n---\n%s", once, twice)
	}
}

func TestWriteModeMarkdown(t *testing.T) {
	var b strings.Builder
	if err := WriteModeMarkdown(&b, sampleComparison(), Images{RateVsP95: "img/r.png", Latency: "img/l.png"}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	want := []string{
		"Measured 2026-11-24T00:00:00Z on Test CPU (2 cores), go1.26.8 linux/amd64, commit `abc1234`.",
		"Command: `qrcascade bench --modes classic,large,nano`",
		"Regenerate: `make bench`.\n\nEach mode",
		"Sets: t, d (the first 10 images of each)",
		// reads: 2/5 images, 3/5 codes, category mean 50 %, false 1 + unmatched 1
		"| classic | 2/5 | 40.0 % | 3/5 | 50.0 % | 2 | 1/1 | 1 | 60.0 % | 20.0 % |",
		// cost: latency mean 30 ms, CPU 50 ms, 20 img/s, RSS 10/11/40/60 MiB
		"| classic | 30.0 | 30.0 | 50.0 | 50.0 | 50.0 | 50.0 | 20.0 | 10.0 | 11.0 | 40.0 | 60.0 | – |",
		"img/s (2 workers)",
		"![read rate vs p95 latency](img/r.png)",
		"![latency distribution per mode](img/l.png)",
		"| **t** | 2/4 img (50.0 %), cat. mean 50.0 %, neg. read 1/1 | not in this build | failed: child exited 2 |",
		"| t / x | 1/2 (50.0 %) | not in this build |",
		"| d / blur | 1/2 (50.0 %) |",
		"| classic | classic/raw 3, neural/quad 2 |",
		"| classic | 20.0 | 14.0 | 1 | 75.0 |",
		"| small_4k | classic | 5 | 2 (40.0 %) |",
		"| small_4k | large | not in this build |",
	}
	for _, w := range want {
		if !strings.Contains(md, w) {
			t.Errorf("Markdown lacks %q", w)
		}
	}
	if strings.Contains(md, "![RSS") {
		t.Error("an empty image path must not be linked")
	}
	// Every table has a row for the mode that is not in this build and
	// for the one that failed: reads, cost, per set, tier/strategy,
	// capacity and the scenario table.
	if n := strings.Count(md, "| large | not in this build |"); n != 5 {
		t.Errorf("large has %d 'not in this build' rows in the mode tables, want 5", n)
	}
	if n := strings.Count(md, "| nano | failed: child exited 2 |"); n != 4 {
		t.Errorf("nano has %d failed rows, want 4", n)
	}
	// Each table row has as many cells as its header.
	var header int
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = 0
			continue
		}
		cells := strings.Count(line, "|") - strings.Count(line, `\|`)
		if header == 0 {
			header = cells
		} else if cells != header {
			t.Errorf("row has %d separators, header %d: %s", cells, header, line)
		}
	}
}
