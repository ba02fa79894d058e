package deploy

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"
)

// ruleFile is the part of a Prometheus rule file the tests read.
type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Record string `json:"record"`
			Alert  string `json:"alert"`
			Expr   string `json:"expr"`
			For    string `json:"for"`
		} `json:"rules"`
	} `json:"groups"`
}

// scrapeConfig is the part of scrape.yaml the tests read.
type scrapeConfig struct {
	RuleFiles     []string `json:"rule_files"`
	ScrapeConfigs []struct {
		JobName        string `json:"job_name"`
		RelabelConfigs []struct {
			SourceLabels []string `json:"source_labels"`
			Action       string   `json:"action"`
			Regex        string   `json:"regex"`
			TargetLabel  string   `json:"target_label"`
		} `json:"relabel_configs"`
	} `json:"scrape_configs"`
}

func readYAML(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// selector matches the label matchers of a PromQL vector selector.
var selector = regexp.MustCompile(`\b([a-z_:]+)\{([^}]*)\}`)

// TestRulesMatchScrapeConfig (#14): the rules select exactly what the
// documented scrape configuration produces for the Deployment's pods — the
// job name of scrape.yaml and the pod label its labelmap copies — so they
// can fire; every alert has a for: and a promtool test case.
func TestRulesMatchScrapeConfig(t *testing.T) {
	var sc scrapeConfig
	readYAML(t, "prometheus/scrape.yaml", &sc)
	if len(sc.ScrapeConfigs) != 1 || !slices.Contains(sc.RuleFiles, "alerts.yaml") {
		t.Fatalf("scrape.yaml: want one job and rule_files [alerts.yaml], got %+v", sc)
	}
	job := sc.ScrapeConfigs[0]
	var keepsAnnotation, mapsLabels bool
	for _, r := range job.RelabelConfigs {
		keepsAnnotation = keepsAnnotation || r.Action == "keep" && slices.Contains(r.SourceLabels, "__meta_kubernetes_pod_annotation_prometheus_io_scrape")
		mapsLabels = mapsLabels || r.Action == "labelmap" && r.Regex == "__meta_kubernetes_pod_label_(.+)"
	}
	if !keepsAnnotation || !mapsLabels {
		t.Errorf("scrape.yaml: keeps annotated pods %v, copies pod labels %v", keepsAnnotation, mapsLabels)
	}

	dep, ok := manifests(t)["deployment.yaml"].(*appsv1.Deployment)
	if !ok {
		t.Fatal("no Deployment")
	}
	pod := dep.Spec.Template
	app := pod.Labels["app.kubernetes.io/name"]
	port := pod.Spec.Containers[0].Ports[0].ContainerPort
	if pod.Annotations["prometheus.io/scrape"] != "true" || pod.Annotations["prometheus.io/path"] != "/metrics" ||
		pod.Annotations["prometheus.io/port"] != strconv.Itoa(int(port)) {
		t.Errorf("pod annotations %v do not announce /metrics on port %d", pod.Annotations, port)
	}
	wantJob := `job="` + job.JobName + `"`
	wantApp := `app_kubernetes_io_name="` + app + `"`

	var rf ruleFile
	readYAML(t, "prometheus/alerts.yaml", &rf)
	tests, err := os.ReadFile("prometheus/alerts_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			name := r.Alert + r.Record
			for _, m := range selector.FindAllStringSubmatch(r.Expr, -1) {
				if !strings.Contains(m[2], wantJob) || !strings.Contains(m[2], wantApp) {
					t.Errorf("%s: selector %s lacks %s, %s", name, m[0], wantJob, wantApp)
				}
			}
			if r.Alert == "" {
				continue
			}
			alerts++
			if r.For == "" {
				t.Errorf("alert %s has no for:", r.Alert)
			}
			if !strings.Contains(string(tests), "alertname: "+r.Alert+"\n") {
				t.Errorf("alert %s has no case in alerts_test.yaml", r.Alert)
			}
		}
	}
	rules := string(mustRead(t, "prometheus/alerts.yaml"))
	for _, want := range []string{"QrcascadeTargetDown", "QrcascadeTargetsMissing"} {
		if !strings.Contains(rules, "alert: "+want+"\n") {
			t.Errorf("no alert %s", want)
		}
	}
	if alerts < 7 {
		t.Errorf("only %d alerts", alerts)
	}
}

// TestPromtool runs `promtool check rules` and `promtool test rules` (the
// unit tests of every alert) when promtool is installed; CI installs it
// (.ci/run), so there a missing promtool is a failure, not a skip.
func TestPromtool(t *testing.T) {
	if _, err := exec.LookPath("promtool"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool not found in CI (.ci/run installs the Debian package prometheus)")
		}
		t.Skip("promtool not found (apt-get install prometheus)")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yaml"}, {"test", "rules", "alerts_test.yaml"}} {
		cmd := exec.Command("promtool", args...)
		cmd.Dir = "prometheus"
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
