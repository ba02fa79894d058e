package server

import (
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qrcascade/qrcascade"
)

// Request outcomes, the closed set of the outcome label. DESIGN.md lists
// the first six; canceled (the client went away before the answer) is kept
// apart from error so that an impatient client does not page anyone.
const (
	outcomeSuccess    = "success"    // at least one code read
	outcomeNotFound   = "not_found"  // a valid image without readable code
	outcomeBadInput   = "bad_input"  // 400, 413, 415
	outcomeOverloaded = "overloaded" // 503
	outcomeTimeout    = "timeout"    // 504
	outcomeCanceled   = "canceled"   // the client closed the connection first
	outcomeError      = "error"      // 500
)

// Other label values and names.
const (
	metricNamespace = "qrcascade"
	strategyOther   = "other" // a strategy name outside the known set
	tierOther       = "other" // a tier name outside the known set
	labelOutcome    = "outcome"
	labelReason     = "reason"
	labelTier       = "tier"
	labelStrategy   = "strategy"
	labelScheme     = "scheme"
	labelModel      = "model"
)

var outcomes = []string{outcomeSuccess, outcomeNotFound, outcomeBadInput, outcomeOverloaded, outcomeTimeout, outcomeCanceled, outcomeError}

// labels returns a vocabulary of the public API as label values.
func labels[S ~string](vs []S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// skipReasons is the closed label set of qrcascade_tier_skipped_total.
var skipReasons = []string{qrcascade.SkipMemoryBudget, qrcascade.SkipModelUnavailable}

// latencyBuckets resolve 1 ms to 10 s, densest between 5 and 500 ms where
// the targets (p95 ≤ 60 ms, alert at 200 ms) sit.
var latencyBuckets = []float64{
	0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075,
	0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10,
}

// metrics holds the service's collectors. They record what happened; the
// state they report (in-flight requests, loaded models) lives in the limiter
// and in ModelStatus and is read through GaugeFuncs.
type metrics struct {
	requests         *prometheus.CounterVec   // {outcome}
	requestDuration  *prometheus.HistogramVec // {outcome}
	reads            *prometheus.CounterVec   // {tier, strategy}
	tierRuns         *prometheus.CounterVec   // {tier}
	tierDuration     *prometheus.HistogramVec // {tier}
	strategyAttempts *prometheus.CounterVec   // {tier, strategy}
	strategyWins     *prometheus.CounterVec   // {tier, strategy}
	strategySeconds  *prometheus.CounterVec   // {tier, strategy}
	strategies       map[string][]string      // tier → its closed strategy label set
	invoiceReads     *prometheus.CounterVec   // {scheme}
	detectorRuns     *prometheus.CounterVec   // {model}
	detectorDuration *prometheus.HistogramVec // {model}
	afterReads       prometheus.Counter
	fallbacks        *prometheus.CounterVec // {reason}
	skipped          *prometheus.CounterVec // {model, reason}
	schemes          []string               // the closed scheme label set
}

func newMetrics(reg prometheus.Registerer, lim *limiter, models ModelStatus, schemes []string) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "requests_total",
			Help: "POST /detect requests answered, by outcome.",
		}, []string{labelOutcome}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricNamespace, Name: "request_duration_seconds",
			Help:    "Time from the end of the request body (or from admission, for answers given before it) to the response of POST /detect, by outcome.",
			Buckets: latencyBuckets,
		}, []string{labelOutcome}),
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "reads_total",
			Help: "Requests with at least one code, by the tier and strategy of the first code.",
		}, []string{labelTier, labelStrategy}),
		tierRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "tier_runs_total",
			Help: "Times a tier ran on a request.",
		}, []string{labelTier}),
		tierDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricNamespace, Name: "tier_duration_seconds",
			Help:    "Time spent in a tier per request that ran it.",
			Buckets: latencyBuckets,
		}, []string{labelTier}),
		strategyAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "strategy_attempts_total",
			Help: "Strategy runs (skips excluded), by tier and strategy.",
		}, []string{labelTier, labelStrategy}),
		strategyWins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "strategy_wins_total",
			Help: "Strategy runs that read at least one code, by tier and strategy.",
		}, []string{labelTier, labelStrategy}),
		strategySeconds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "strategy_seconds_total",
			Help: "Time spent in strategy runs, by tier and strategy.",
		}, []string{labelTier, labelStrategy}),
		strategies: map[string][]string{
			string(qrcascade.TierClassic): append(labels(qrcascade.AllStrategies()), strategyOther),
			string(qrcascade.TierNeural):  append(labels(qrcascade.NeuralStrategies()), strategyOther),
		},
		invoiceReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "invoice_reads_total",
			Help: "Codes recognised as invoice payloads (requests with invoice=1), by scheme.",
		}, []string{labelScheme}),
		schemes: append(slices.Clone(schemes), strategyOther),
		detectorRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "detector_runs_total",
			Help: "Requests on which a neural detector ran, by model (nano, large).",
		}, []string{labelModel}),
		detectorDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricNamespace, Name: "detector_duration_seconds",
			Help:    "Time spent in a neural detector and the decoding of its candidates, per request that ran it, by model.",
			Buckets: latencyBuckets,
		}, []string{labelModel}),
		afterReads: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "after_read_total",
			Help: "Requests on which the nano detector also ran after the classic tier had read codes (after-read policy).",
		}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "fallback_total",
			Help: "Hybrid-mode requests that fell back to the large model, by reason (no_read, low_confidence, small_code).",
		}, []string{labelReason}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricNamespace, Name: "tier_skipped_total",
			Help: "Detector runs skipped because their model could not be loaded, by model and reason (memory_budget, model_unavailable); the request was answered with the earlier tiers' codes (partial).",
		}, []string{labelModel, labelReason}),
	}
	cs := []prometheus.Collector{
		m.requests, m.requestDuration, m.reads, m.tierRuns, m.tierDuration,
		m.strategyAttempts, m.strategyWins, m.strategySeconds, m.invoiceReads, m.detectorRuns, m.detectorDuration, m.afterReads, m.fallbacks, m.skipped,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "inflight_requests",
			Help: "POST /detect requests admitted and not yet answered (decoding or queued).",
		}, func() float64 { return float64(lim.admitted.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "queued_requests",
			Help: "Admitted requests waiting for a decode slot.",
		}, func() float64 { return float64(lim.waiting.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "decode_slots",
			Help: "Decodes allowed to run at once (the max concurrent decodes setting).",
		}, func() float64 { return float64(cap(lim.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "queue_places",
			Help: "Admitted requests allowed to wait for a decode slot (the queue setting).",
		}, func() float64 { return float64(lim.capacity) - float64(cap(lim.slots)) }),
		newModelCollector(models),
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("server: register metrics: %w", err)
		}
	}
	// Create every series of the closed label sets so that rates start at
	// zero instead of appearing with the first event.
	for _, o := range outcomes {
		m.requests.WithLabelValues(o)
		m.requestDuration.WithLabelValues(o)
	}
	for _, sc := range m.schemes {
		m.invoiceReads.WithLabelValues(sc)
	}
	for _, md := range labels(qrcascade.Detectors()) {
		m.detectorRuns.WithLabelValues(md)
		m.detectorDuration.WithLabelValues(md)
	}
	for _, r := range labels(qrcascade.Fallbacks()) {
		m.fallbacks.WithLabelValues(r)
	}
	for _, md := range labels(qrcascade.Detectors()) {
		for _, r := range skipReasons {
			m.skipped.WithLabelValues(md, r)
		}
	}
	for _, t := range labels(qrcascade.Tiers()) {
		m.tierRuns.WithLabelValues(t)
		m.tierDuration.WithLabelValues(t)
	}
	// Strategies run (attempts, wins, time) are the classic tier's; reads
	// come from either tier's decoding paths.
	classicTier := string(qrcascade.TierClassic)
	for _, s := range m.strategies[classicTier] {
		m.strategyAttempts.WithLabelValues(classicTier, s)
		m.strategyWins.WithLabelValues(classicTier, s)
		m.strategySeconds.WithLabelValues(classicTier, s)
	}
	for t, ss := range m.strategies {
		for _, s := range ss {
			m.reads.WithLabelValues(t, s)
		}
	}
	return m, nil
}

// strategyLabel maps a strategy name of tier onto that tier's closed label
// set.
func (m *metrics) strategyLabel(tier string, s qrcascade.Strategy) string {
	if slices.Contains(m.strategies[tier], string(s)) {
		return string(s)
	}
	return strategyOther
}

// observeInvoice counts one code recognised as an invoice of the scheme.
func (m *metrics) observeInvoice(scheme string) {
	if !slices.Contains(m.schemes, scheme) {
		scheme = strategyOther
	}
	m.invoiceReads.WithLabelValues(scheme).Inc()
}

// tierLabel maps a tier name onto the closed label set.
func tierLabel(t qrcascade.Tier) string {
	if slices.Contains(qrcascade.Tiers(), t) {
		return string(t)
	}
	return tierOther
}

// observeRequest records one answered POST /detect.
func (m *metrics) observeRequest(outcome string, d time.Duration) {
	m.requests.WithLabelValues(outcome).Inc()
	m.requestDuration.WithLabelValues(outcome).Observe(d.Seconds())
}

// observeResult records what the cascade did for one request: tier runs and
// durations, per-strategy attempts and wins, and the first read.
func (m *metrics) observeResult(res *qrcascade.Result) {
	if res == nil {
		return
	}
	if len(res.Attempts) > 0 || res.Timings.Classic > 0 {
		m.tierRuns.WithLabelValues(string(qrcascade.TierClassic)).Inc()
		m.tierDuration.WithLabelValues(string(qrcascade.TierClassic)).Observe(res.Timings.Classic.Seconds())
	}
	if neural := res.Timings.Nano + res.Timings.Large; neural > 0 {
		m.tierRuns.WithLabelValues(string(qrcascade.TierNeural)).Inc()
		m.tierDuration.WithLabelValues(string(qrcascade.TierNeural)).Observe(neural.Seconds())
	}
	for _, d := range []struct {
		model qrcascade.Model
		t     time.Duration
	}{{qrcascade.ModelNano, res.Timings.Nano}, {qrcascade.ModelLarge, res.Timings.Large}} {
		if d.t > 0 {
			m.detectorRuns.WithLabelValues(string(d.model)).Inc()
			m.detectorDuration.WithLabelValues(string(d.model)).Observe(d.t.Seconds())
		}
	}
	if res.AfterRead {
		m.afterReads.Inc()
	}
	if res.Fallback != qrcascade.FallbackNone {
		r := string(res.Fallback)
		if !slices.Contains(qrcascade.Fallbacks(), res.Fallback) {
			r = strategyOther
		}
		m.fallbacks.WithLabelValues(r).Inc()
	}
	for _, sk := range res.Skipped {
		md, r := string(sk.Model), sk.Reason
		if !slices.Contains(qrcascade.Detectors(), sk.Model) {
			md = strategyOther
		}
		if !slices.Contains(skipReasons, r) {
			r = strategyOther
		}
		m.skipped.WithLabelValues(md, r).Inc()
	}
	for _, a := range res.Attempts {
		if a.Skipped {
			continue
		}
		t := tierLabel(a.Tier)
		s := m.strategyLabel(t, a.Strategy)
		m.strategyAttempts.WithLabelValues(t, s).Inc()
		m.strategySeconds.WithLabelValues(t, s).Add(a.Duration.Seconds())
		if a.Codes > 0 {
			m.strategyWins.WithLabelValues(t, s).Inc()
		}
	}
	if len(res.Codes) > 0 {
		c := res.Codes[0]
		t := tierLabel(c.Tier)
		m.reads.WithLabelValues(t, m.strategyLabel(t, c.Strategy)).Inc()
	}
}

// modelCollector exposes ModelStatus as qrcascade_model_loaded,
// qrcascade_model_loads_total and qrcascade_model_unloads_total, one series
// per model of the closed set, read at scrape time.
type modelCollector struct {
	status                 ModelStatus
	loaded, loads, unloads *prometheus.Desc
}

func newModelCollector(s ModelStatus) *modelCollector {
	fq := func(n string) string { return prometheus.BuildFQName(metricNamespace, "", n) }
	return &modelCollector{
		status:  s,
		loaded:  prometheus.NewDesc(fq("model_loaded"), "1 when the model's weights are in memory, else 0.", []string{labelModel}, nil),
		loads:   prometheus.NewDesc(fq("model_loads_total"), "Times the model's weights were loaded.", []string{labelModel}, nil),
		unloads: prometheus.NewDesc(fq("model_unloads_total"), "Times the model's weights were unloaded after the idle TTL.", []string{labelModel}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *modelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.loaded
	ch <- c.loads
	ch <- c.unloads
}

// Collect implements prometheus.Collector.
func (c *modelCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range qrcascade.Detectors() {
		var loaded, loads, unloads float64
		if c.status != nil {
			if c.status.ModelLoaded(m) {
				loaded = 1
			}
			loads = float64(c.status.ModelLoads(m))
			unloads = float64(c.status.ModelUnloads(m))
		}
		ch <- prometheus.MustNewConstMetric(c.loaded, prometheus.GaugeValue, loaded, string(m))
		ch <- prometheus.MustNewConstMetric(c.loads, prometheus.CounterValue, loads, string(m))
		ch <- prometheus.MustNewConstMetric(c.unloads, prometheus.CounterValue, unloads, string(m))
	}
}
