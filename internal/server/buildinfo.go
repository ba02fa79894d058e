package server

import (
	"fmt"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
)

// registerBuildInfo registers qrcascade_build_info, a gauge fixed at 1
// whose labels name the running build: the version stamped at build time
// (Config.Version) and the Go toolchain. Dashboards join it on instance to
// tell which release serves the traffic.
func registerBuildInfo(reg prometheus.Registerer, version string) error {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace:   metricNamespace,
		Name:        "build_info",
		Help:        "A metric with a constant 1 labelled by the version and Go toolchain qrcascade was built with.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	g.Set(1)
	if err := reg.Register(g); err != nil {
		return fmt.Errorf("server: build_info metric: %w", err)
	}
	return nil
}
