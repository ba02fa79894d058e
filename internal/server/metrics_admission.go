package server

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons a connection was closed by the connection cap, the closed set of
// the reason label of qrcascade_connections_closed_total.
const (
	connEvicted  = "evicted"  // idle or silent, closed to make room
	connRejected = "rejected" // arrived with every connection busy: 503
)

// registerAdmission registers the gauges and counters of the admission
// gates before decoding (#17): open connections and those the cap closed,
// uploads in progress, and the body memory in use. Their state lives in
// the Server and is read at scrape time.
func (m *metrics) registerAdmission(reg prometheus.Registerer, s *Server) error {
	closed := prometheus.BuildFQName(metricNamespace, "", "connections_closed_total")
	closedHelp := "Connections closed by the connection cap: evicted (idle or silent, to make room) or rejected (503, every connection busy)."
	cs := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "connections_open",
			Help: "Open client connections.",
		}, func() float64 { return float64(s.conns.open()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "connections_max",
			Help: "The cap on open client connections (the max conns setting; 0: none).",
		}, func() float64 { return float64(max(s.cfg.MaxConns, 0)) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: closed, Help: closedHelp, ConstLabels: prometheus.Labels{labelReason: connEvicted},
		}, func() float64 { return float64(s.conns.evicted.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: closed, Help: closedHelp, ConstLabels: prometheus.Labels{labelReason: connRejected},
		}, func() float64 { return float64(s.conns.rejected.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "uploads_in_progress",
			Help: "POST /detect request bodies being received (before admission).",
		}, func() float64 { return float64(s.uploads.len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "body_memory_bytes",
			Help: "Bytes of request bodies held: being received, queued or decoding.",
		}, func() float64 { return float64(s.bodies.used.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricNamespace, Name: "body_memory_limit_bytes",
			Help: "The bound on body_memory_bytes (the body memory setting).",
		}, func() float64 { return float64(s.bodies.limit) }),
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("server: register admission metrics: %w", err)
		}
	}
	return nil
}
