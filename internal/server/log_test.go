package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

// TestAccessLog: one JSON line per request with the request id, status and
// outcome; probes only at debug level.
func TestAccessLog(t *testing.T) {
	fx := testFixtures(t)
	var buf lockedBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := newTestServer(t, Config{Logger: log})
	req, _ := http.NewRequest("POST", "/detect", bytes.NewReader(fx.invoiceJPEG))
	req.Header.Set(requestIDHeader, "invoice-42")
	srv.Handler().ServeHTTP(newRecorder(), req)
	do(srv.Handler(), "POST", "/detect", "text/plain", []byte("nope"))
	do(srv.Handler(), "GET", "/healthz", "", nil) // debug level: not logged

	lines := buf.lines()
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	tests := []struct {
		line             string
		id               string
		status           float64
		outcome, errCode string
		codes            float64
	}{
		{lines[0], "invoice-42", 200, outcomeSuccess, "", 1},
		{lines[1], "", 415, outcomeBadInput, codeUnsupported, 0},
	}
	for i, tc := range tests {
		var rec map[string]any
		if err := json.Unmarshal([]byte(tc.line), &rec); err != nil {
			t.Fatalf("line %d not JSON: %v: %s", i, err, tc.line)
		}
		if rec["msg"] != "request" || rec["status"] != tc.status || rec["outcome"] != tc.outcome || rec["codes"] != tc.codes {
			t.Errorf("line %d: %s", i, tc.line)
		}
		if id, _ := rec["request_id"].(string); id == "" || (tc.id != "" && id != tc.id) {
			t.Errorf("line %d: request_id %q, want %q", i, id, tc.id)
		}
		if e, _ := rec["error"].(string); e != tc.errCode {
			t.Errorf("line %d: error %q, want %q", i, e, tc.errCode)
		}
	}
}
