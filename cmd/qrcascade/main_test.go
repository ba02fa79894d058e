package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// synthDir writes n synthetic scenes of one scenario and returns the folder.
func synthDir(t *testing.T, scenario string, n int) string {
	t.Helper()
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "synth", "--scenario", scenario, "--count", strconv.Itoa(n), "--seed", "3", dir); code != 0 {
		t.Fatalf("synth: %d %s", code, stderr)
	}
	return dir
}

func TestScanExitCodesAndJSON(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "invoice.jpg")
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "invoice.txt"))
	if err != nil {
		t.Fatal(err)
	}
	blankDir := synthDir(t, "damaged", 1)
	junk := filepath.Join(t.TempDir(), "junk.jpg")
	if err := os.WriteFile(junk, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}

	// One image read: exit 0, one JSON line with the code.
	code, stdout, _ := runCLI(t, "scan", "--progress", "off", sample)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var line scanLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &line); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	if !line.Success || len(line.Codes) != 1 || line.Codes[0].Text != string(want) || line.File != sample || line.LatencyMS <= 0 {
		t.Errorf("line %+v", line)
	}
	// The raw JSON carries the API field names.
	for _, field := range []string{`"bytes_base64"`, `"points"`, `"tier":"classic"`, `"ec_level"`, `"latency_ms"`} {
		if !strings.Contains(stdout, field) {
			t.Errorf("JSON lacks %s: %s", field, stdout)
		}
	}

	// A directory with an unreadable (damaged) code: exit 1.
	if code, _, _ := runCLI(t, "scan", "--progress", "off", blankDir); code != exitNoCode {
		t.Errorf("damaged dir: exit %d, want %d", code, exitNoCode)
	}
	// A bad file: exit 2 and the error in the line.
	code, stdout, _ = runCLI(t, "scan", "--progress", "off", sample, junk)
	if code != exitFailure {
		t.Errorf("junk: exit %d, want %d", code, exitFailure)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"error":"unsupported input: `) {
		t.Errorf("output order or error: %q", stdout)
	}
	// Missing path and bad flags: exit 2.
	if code, _, _ := runCLI(t, "scan", "/nonexistent/x.jpg"); code != exitFailure {
		t.Errorf("missing file: exit %d", code)
	}
	if code, _, _ := runCLI(t, "scan", "--format", "xml", sample); code != exitFailure {
		t.Errorf("bad format: exit %d", code)
	}
}

func TestScanCSVWithInvoice(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "invoice.jpg")
	code, stdout, stderr := runCLI(t, "scan", "--format", "csv", "--invoice", "--workers", "2", sample, sample)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0]) != len(csvHeader) {
		t.Fatalf("rows %d, columns %d", len(rows), len(rows[0]))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		if r[col["success"]] != "true" || r[col["invoice_scheme"]] != "eu-epc" || r[col["invoice_currency"]] != "EUR" {
			t.Errorf("row %v", r)
		}
	}
}

func TestBenchOnSyntheticManifest(t *testing.T) {
	dir := synthDir(t, "clean_invoice", 1)
	manifest := filepath.Join(dir, "manifest.jsonl")
	code, stdout, stderr := runCLI(t, "bench", "--format", "json", "--manifest", manifest)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out benchOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Sets) != 1 || out.Sets[0].Images != 1 || out.Sets[0].ImagesOK != 1 || out.Sets[0].False != 0 {
		t.Errorf("sets %+v", out.Sets)
	}
	if len(out.Strategies) == 0 || out.Strategies[0].Attempts != 1 {
		t.Errorf("strategies %+v", out.Strategies)
	}
	code, stdout, _ = runCLI(t, "bench", "--manifest", manifest)
	if code != exitOK || !strings.Contains(stdout, "| "+filepath.Base(dir)+" | 1 | 1/1 img | 100.0 %") {
		t.Errorf("text output (exit %d):\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "bench"); code != exitFailure {
		t.Errorf("no manifest: exit %d", code)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, stderr := runCLI(t, "frobnicate"); code != exitFailure || !strings.Contains(stderr, "unknown command") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if code, stdout, _ := runCLI(t, "version"); code != exitOK || !strings.HasPrefix(stdout, "qrcascade ") {
		t.Errorf("version: %d %q", code, stdout)
	}
}
