// Package deploy holds the deployment assets of the qrcascade service: the
// container image (Dockerfile), Kubernetes manifests (k8s/), Prometheus
// rules and the scrape configuration they assume (prometheus/), a Grafana
// dashboard (grafana/) and the sizing table every manifest value comes
// from (sizing.md, measured by sizing/measure.sh). It has no Go code of its
// own; its tests decode every manifest strictly into the Kubernetes API
// types, hold the manifests and the alert budget to sizing.md, check that
// every metric the assets query is one the service exports and that the
// rules select what the scrape configuration produces, and run promtool's
// rule tests.
package deploy
