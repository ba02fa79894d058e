// Package deploy holds the deployment assets of the qrcascade service: the
// container image (Dockerfile), Kubernetes manifests (k8s/), Prometheus
// rules (prometheus/) and a Grafana dashboard (grafana/). It has no Go code;
// its tests check that the assets parse and that every metric they query is
// one the service exports.
package deploy
