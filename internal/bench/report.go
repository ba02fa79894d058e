package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// Collector accumulates scored reads; Add is not safe for concurrent use.
type Collector struct {
	sets  map[string]*setAcc
	order []string
}

type setAcc struct {
	detect     bool
	cats       map[string]*CategoryReport
	catOrder   []string
	latencies  []time.Duration
	report     SetReport
	winsByName map[string]int
	// catLatencies holds per-category latencies.
	catLatencies map[string][]time.Duration
}

// NewCollector returns an empty Collector.
func NewCollector() *Collector { return &Collector{sets: map[string]*setAcc{}} }

// Add scores r against e and accumulates the result.
func (c *Collector) Add(e *Entry, r *Read) Score {
	s := ScoreEntry(e, r)
	a := c.sets[e.Set]
	if a == nil {
		a = &setAcc{detect: e.Detect, cats: map[string]*CategoryReport{}, winsByName: map[string]int{}, catLatencies: map[string][]time.Duration{}}
		a.report.Set = e.Set
		a.report.Detect = e.Detect
		c.sets[e.Set] = a
		c.order = append(c.order, e.Set)
	}
	rep := &a.report
	rep.Images++
	rep.Labels += s.Labels
	rep.LabelsRead += s.LabelsRead
	rep.False += s.False
	rep.Unmatched += s.Unmatched
	if s.Success {
		rep.ImagesOK++
	}
	if s.Err {
		rep.Errors++
	}
	if s.Negative {
		rep.Negatives++
		if len(r.Codes) > 0 {
			rep.NegativesRead++
		}
	}
	cat := a.cats[e.Category]
	if cat == nil {
		cat = &CategoryReport{Name: e.Category}
		a.cats[e.Category] = cat
		a.catOrder = append(a.catOrder, e.Category)
	}
	cat.Images++
	cat.Labels += s.Labels
	cat.LabelsRead += s.LabelsRead
	if s.Success {
		cat.ImagesOK++
	}
	a.latencies = append(a.latencies, r.Latency)
	for _, d := range r.Codes {
		a.winsByName[d.source()]++
	}
	if r.Nano {
		rep.ReachedNano++
	}
	if r.Large {
		rep.ReachedLarge++
	}
	a.catLatencies[e.Category] = append(a.catLatencies[e.Category], r.Latency)
	return s
}

// SetReport summarises one manifest.
type SetReport struct {
	Set           string           `json:"set"`
	Detect        bool             `json:"detection"`
	Images        int              `json:"images"`
	ImagesOK      int              `json:"images_ok"`
	Labels        int              `json:"codes"`
	LabelsRead    int              `json:"codes_read"`
	Rate          float64          `json:"rate"`          // text: images_ok/images; detection: codes_read/codes
	CategoryMean  float64          `json:"category_mean"` // mean of per-category rates
	False         int              `json:"false_reads"`
	Unmatched     int              `json:"unmatched"`
	Negatives     int              `json:"negatives"`
	NegativesRead int              `json:"negatives_read"`
	Errors        int              `json:"errors"`
	Latency       LatencyStats     `json:"latency_ms"`
	Categories    []CategoryReport `json:"categories"`
	Wins          []Win            `json:"wins"` // codes returned, by tier/strategy
	// ReachedNano and ReachedLarge count images on which the nano or the
	// large detector ran (Read.Nano, Read.Large).
	ReachedNano  int `json:"reached_nano"`
	ReachedLarge int `json:"reached_large"`
}

// CategoryReport is one category's tally.
type CategoryReport struct {
	Name       string  `json:"name"`
	Images     int     `json:"images"`
	ImagesOK   int     `json:"images_ok"`
	Labels     int     `json:"codes"`
	LabelsRead int     `json:"codes_read"`
	Rate       float64 `json:"rate"`
	// Latency is over the category's images.
	Latency LatencyStats `json:"latency_ms"`
}

// Win counts the codes a tier/strategy returned.
type Win struct {
	Name  string `json:"name"`
	Codes int    `json:"codes"`
}

// LatencyStats are per-image latencies in milliseconds.
type LatencyStats struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// Latencies computes mean and nearest-rank percentiles of ds.
func Latencies(ds []time.Duration) LatencyStats {
	if len(ds) == 0 {
		return LatencyStats{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return ms(s[max(0, min(i, len(s)-1))])
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return LatencyStats{Mean: ms(sum) / float64(len(s)), P50: rank(0.50), P95: rank(0.95), P99: rank(0.99), Max: ms(s[len(s)-1])}
}

// Reports returns one SetReport per set, in the order first seen.
func (c *Collector) Reports() []SetReport {
	out := make([]SetReport, 0, len(c.order))
	for _, name := range c.order {
		a := c.sets[name]
		rep := a.report
		rep.Latency = Latencies(a.latencies)
		rep.Rate = ratio(rep.ImagesOK, rep.Images)
		if rep.Detect {
			rep.Rate = ratio(rep.LabelsRead, rep.Labels)
		}
		sum := 0.0
		for _, cn := range a.catOrder {
			cat := *a.cats[cn]
			cat.Rate = ratio(cat.ImagesOK, cat.Images)
			cat.Latency = Latencies(a.catLatencies[cn])
			if rep.Detect {
				cat.Rate = ratio(cat.LabelsRead, cat.Labels)
			}
			sum += cat.Rate
			rep.Categories = append(rep.Categories, cat)
		}
		sort.Slice(rep.Categories, func(i, j int) bool { return rep.Categories[i].Name < rep.Categories[j].Name })
		if len(rep.Categories) > 0 {
			rep.CategoryMean = sum / float64(len(rep.Categories))
		}
		rep.Wins = sortedWins(a.winsByName)
		out = append(out, rep)
	}
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// WriteText writes reports as plain-text (Markdown-compatible) tables.
func WriteText(w io.Writer, reps []SetReport) error {
	var b strings.Builder
	b.WriteString("| set | images | read | rate | cat. mean | false | neg. read | errors | mean ms | p50 | p95 | max |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range reps {
		read := fmt.Sprintf("%d/%d img", r.ImagesOK, r.Images)
		falses := r.False
		if r.Detect {
			read = fmt.Sprintf("%d/%d codes", r.LabelsRead, r.Labels)
			falses = r.Unmatched
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %.1f %% | %.1f %% | %d | %d/%d | %d | %.1f | %.1f | %.1f | %.1f |\n",
			r.Set, r.Images, read, 100*r.Rate, 100*r.CategoryMean, falses, r.NegativesRead, r.Negatives, r.Errors,
			r.Latency.Mean, r.Latency.P50, r.Latency.P95, r.Latency.Max)
	}
	for _, r := range reps {
		fmt.Fprintf(&b, "\n%s by category:\n\n| category | images | read | rate |\n|---|---:|---:|---:|\n", r.Set)
		for _, c := range r.Categories {
			read := fmt.Sprintf("%d img", c.ImagesOK)
			if r.Detect {
				read = fmt.Sprintf("%d/%d codes", c.LabelsRead, c.Labels)
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %.1f %% |\n", c.Name, c.Images, read, 100*c.Rate)
		}
		if len(r.Wins) > 0 {
			fmt.Fprintf(&b, "\n%s codes by tier/strategy: ", r.Set)
			for i, wv := range r.Wins {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%s %d", wv.Name, wv.Codes)
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
