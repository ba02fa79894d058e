package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// kinds maps apiVersion/kind to a fresh typed object of the Kubernetes API.
var kinds = map[string]func() any{
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
}

// kustomization is the part of kustomize's Kustomization that
// k8s/kustomization.yaml uses; decoding it strictly rejects anything else.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}

// decodeStrict decodes one YAML document into the API type its apiVersion
// and kind name, failing on unknown or duplicate fields.
func decodeStrict(doc []byte) (any, error) {
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, fmt.Errorf("reading apiVersion/kind: %w", err)
	}
	var obj any
	if tm.APIVersion == "kustomize.config.k8s.io/v1beta1" && tm.Kind == "Kustomization" {
		obj = &kustomization{}
	} else if mk, ok := kinds[tm.APIVersion+"/"+tm.Kind]; ok {
		obj = mk()
	} else {
		return nil, fmt.Errorf("unexpected apiVersion %q kind %q", tm.APIVersion, tm.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return nil, fmt.Errorf("%s %s: %w", tm.APIVersion, tm.Kind, err)
	}
	return obj, nil
}

// manifests decodes every document of every k8s/*.yaml file strictly.
func manifests(t *testing.T) map[string]any {
	t.Helper()
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	out := map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			obj, err := decodeStrict(doc)
			if err != nil {
				t.Errorf("%s document %d: %v", f, i, err)
				continue
			}
			out[filepath.Base(f)] = obj
		}
	}
	return out
}

// TestManifestsStrict: every manifest decodes into the Kubernetes API types
// with unknown fields rejected (a misspelt or misplaced field would
// otherwise be dropped silently by kubectl's client-side decoding), and the
// kustomization lists exactly the manifests.
func TestManifestsStrict(t *testing.T) {
	objs := manifests(t)
	k, ok := objs["kustomization.yaml"].(*kustomization)
	if !ok {
		t.Fatal("no kustomization.yaml")
	}
	var want []string
	for f := range objs {
		if f != "kustomization.yaml" {
			want = append(want, f)
		}
	}
	slices.Sort(want)
	got := slices.Clone(k.Resources)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources %v, manifests %v", got, want)
	}
}

// TestStrictDecodingRejects proves the decoder is strict: an unknown
// field, a field at the wrong level and a duplicate key all fail.
func TestStrictDecodingRejects(t *testing.T) {
	b, err := os.ReadFile("k8s/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := string(b)
	if _, err := decodeStrict(b); err != nil {
		t.Fatalf("the real manifest: %v", err)
	}
	cases := map[string]string{
		"unknown field": strings.Replace(good, "revisionHistoryLimit: 5", "revisionHistoryLimit: 5\n  replica: 3", 1),
		"misplaced":     strings.Replace(good, "          imagePullPolicy: IfNotPresent", "          imagePullPolicy: IfNotPresent\n          sizeLimit: 1Gi", 1),
		"duplicate key": strings.Replace(good, "revisionHistoryLimit: 5", "revisionHistoryLimit: 5\n  revisionHistoryLimit: 6", 1),
		"unknown kind":  strings.Replace(good, "kind: Deployment", "kind: Deploymnet", 1),
	}
	for name, doc := range cases {
		if doc == good {
			t.Fatalf("%s: the mutation did not apply", name)
		}
		if _, err := decodeStrict([]byte(doc)); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// sizingRow matches a settings row of sizing.md: | `key` | value | ...
var sizingRow = regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([^|]+?) \\|")

// sizing reads the settings table of sizing.md, the one place the sizing
// numbers live.
func sizing(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("sizing.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range sizingRow.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = strings.Trim(m[2], "` ")
	}
	return out
}

// TestManifestsMatchSizing: requests, limits, GOMEMLIMIT, the admission
// settings, the cache volume, the HPA and the alert budget are the values
// of deploy/sizing.md's settings table, and they are consistent with each
// other (GOMEMLIMIT and the alert budget below the memory limit).
func TestManifestsMatchSizing(t *testing.T) {
	s := sizing(t)
	objs := manifests(t)
	dep, ok := objs["deployment.yaml"].(*appsv1.Deployment)
	if !ok {
		t.Fatal("no Deployment")
	}
	hpa, ok := objs["hpa.yaml"].(*autoscalingv2.HorizontalPodAutoscaler)
	if !ok {
		t.Fatal("no HorizontalPodAutoscaler")
	}
	c := dep.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	var cache *corev1.EmptyDirVolumeSource
	for _, v := range dep.Spec.Template.Spec.Volumes {
		if v.Name == "cache" {
			cache = v.EmptyDir
		}
	}
	if cache == nil || cache.SizeLimit == nil {
		t.Fatal("no cache emptyDir with a sizeLimit")
	}
	alerts, err := os.ReadFile("prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	budget := regexp.MustCompile(`record: qrcascade:memory_budget_bytes\s+expr: vector\(([0-9.e]+)\)`).FindSubmatch(alerts)
	if budget == nil {
		t.Fatal("alerts.yaml: no qrcascade:memory_budget_bytes vector(...)")
	}
	var target string
	for _, m := range hpa.Spec.Metrics {
		if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && m.Resource.Target.AverageUtilization != nil {
			target = strconv.Itoa(int(*m.Resource.Target.AverageUtilization))
		}
	}
	got := map[string]string{
		"cpu_request":         c.Resources.Requests.Cpu().String(),
		"cpu_limit":           c.Resources.Limits.Cpu().String(),
		"memory_request":      c.Resources.Requests.Memory().String(),
		"memory_limit":        c.Resources.Limits.Memory().String(),
		"gomemlimit":          env["GOMEMLIMIT"],
		"max_concurrent":      env["QRCASCADE_MAX_CONCURRENT"],
		"queue":               env["QRCASCADE_QUEUE"],
		"pdf_instances":       env["QRCASCADE_PDF_INSTANCES"],
		"pdf_warm":            env["QRCASCADE_PDF_WARM"],
		"cache_size_limit":    cache.SizeLimit.String(),
		"hpa_min_replicas":    strconv.Itoa(int(*hpa.Spec.MinReplicas)),
		"hpa_max_replicas":    strconv.Itoa(int(hpa.Spec.MaxReplicas)),
		"hpa_cpu_utilization": target,
		"alert_budget_bytes":  string(budget[1]),
	}
	for k, v := range got {
		want, ok := s[k]
		if !ok {
			t.Errorf("sizing.md has no `%s` row (the manifests have %s)", k, v)
			continue
		}
		if v != want {
			t.Errorf("%s: manifests say %s, sizing.md says %s", k, v, want)
		}
	}
	limit := c.Resources.Limits.Memory().Value()
	gml, err := resource.ParseQuantity(strings.TrimSuffix(env["GOMEMLIMIT"], "B"))
	if err != nil {
		t.Fatalf("GOMEMLIMIT %q: %v", env["GOMEMLIMIT"], err)
	}
	b, err := strconv.ParseFloat(string(budget[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case c.Resources.Requests.Memory().Cmp(*c.Resources.Limits.Memory()) > 0:
		t.Error("memory request above the limit")
	case gml.Value() >= limit:
		t.Errorf("GOMEMLIMIT %s is not below the memory limit", env["GOMEMLIMIT"])
	case int64(b) >= limit:
		t.Errorf("alert budget %s is not below the memory limit", budget[1])
	}
}
