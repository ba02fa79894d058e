package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeHelpNamesEveryEnvVar: --help documents each flag with its
// environment variable.
func TestServeHelpNamesEveryEnvVar(t *testing.T) {
	var stderr bytes.Buffer
	if code := serveWith(context.Background(), []string{"--help"}, func(string) string { return "" }, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var f serveFlags
	fs := newServeFlagSet(&f, io.Discard)
	fs.VisitAll(func(fl *flag.Flag) {
		if !strings.Contains(stderr.String(), "-"+fl.Name) || !strings.Contains(stderr.String(), "$"+envName(fl.Name)) {
			t.Errorf("--help lacks %s or $%s", fl.Name, envName(fl.Name))
		}
	})
	for _, want := range []string{"addr", "mode", "strategies", "timeout", "max-bytes", "max-pixels", "max-concurrent", "queue", "log-level", "log-format"} {
		if fs.Lookup(want) == nil {
			t.Errorf("no --%s flag", want)
		}
	}
}

// TestServeEnv: environment variables set flags; the command line wins.
func TestServeEnv(t *testing.T) {
	env := map[string]string{"QRCASCADE_ADDR": "0.0.0.0:9000", "QRCASCADE_MAX_CONCURRENT": "7", "QRCASCADE_TIMEOUT": "3s"}
	tests := []struct {
		name       string
		args       []string
		addr       string
		concurrent int
		timeout    time.Duration
	}{
		{"env only", nil, "0.0.0.0:9000", 7, 3 * time.Second},
		{"flag wins", []string{"--addr", "127.0.0.1:1", "--timeout", "1s"}, "127.0.0.1:1", 7, time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f serveFlags
			fs := newServeFlagSet(&f, io.Discard)
			if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
				t.Fatal(err)
			}
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if f.addr != tc.addr || f.maxConcurrent != tc.concurrent || f.reader.timeout != tc.timeout {
				t.Errorf("addr %q concurrent %d timeout %v", f.addr, f.maxConcurrent, f.reader.timeout)
			}
		})
	}
	var f serveFlags
	if err := applyEnv(newServeFlagSet(&f, io.Discard), func(k string) string {
		if k == "QRCASCADE_QUEUE" {
			return "many"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "QRCASCADE_QUEUE") {
		t.Errorf("bad env value: %v, want an error naming the variable", err)
	}
}

// TestServeRejects: bad settings exit 2 before listening.
func TestServeRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown mode", []string{"--mode", "turbo"}},
		{"unknown strategy", []string{"--strategies", "raw,magic"}},
		{"bad log level", []string{"--log-level", "loud"}},
		{"bad log format", []string{"--log-format", "xml"}},
		{"stray argument", []string{"extra"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := serveWith(context.Background(), append(tc.args, "--addr", "127.0.0.1:0"), func(string) string { return "" }, &stderr); code != exitFailure {
				t.Errorf("exit %d, want %d; stderr %s", code, exitFailure, stderr.String())
			}
		})
	}
}

// freeAddr returns a loopback address whose port was free a moment ago,
// for a server a test starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeRunsAndStops: serve answers /healthz and exits 0 on cancel.
func TestServeRunsAndStops(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- serveWith(ctx, []string{"--addr", addr}, func(string) string { return "" }, &syncWriter{w: &logs})
	}()
	var (
		resp *http.Response
		err  error
	)
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("serve never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// syncWriter serialises writes from the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// TestDeployEnvNamesAreFlags: every QRCASCADE_ variable in the deployment
// assets names a serve flag.
func TestDeployEnvNamesAreFlags(t *testing.T) {
	var f serveFlags
	fs := newServeFlagSet(&f, io.Discard)
	known := map[string]bool{}
	fs.VisitAll(func(fl *flag.Flag) { known[envName(fl.Name)] = true })
	for _, file := range []string{"../../deploy/k8s/deployment.yaml", "../../deploy/Dockerfile"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		names := regexp.MustCompile(`QRCASCADE_[A-Z_]+`).FindAllString(string(b), -1)
		if len(names) == 0 {
			t.Errorf("%s: no QRCASCADE_ variable", file)
		}
		for _, n := range names {
			if !known[n] {
				t.Errorf("%s sets %s, which is no serve flag", file, n)
			}
		}
	}
}

// TestServeStopsWithSlowUploader: SIGTERM (here: ctx cancelled) while a
// client trickles its body exits 0 within the drain timeout (#17: it used
// to wait out the whole drain and exit 2).
func TestServeStopsWithSlowUploader(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- serveWith(ctx, []string{"--addr", addr, "--shutdown-timeout", "6s", "--min-body-rate", "-1"},
			func(string) string { return "" }, io.Discard)
	}()
	var (
		conn net.Conn
		err  error
	)
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("serve never listened: %v", err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /detect HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n\xff\xd8"); err != nil {
		t.Fatal(err)
	}
	stopTrickle := make(chan struct{})
	defer close(stopTrickle)
	go func() {
		for {
			select {
			case <-stopTrickle:
				return
			case <-time.After(200 * time.Millisecond):
				if _, err := conn.Write([]byte{0}); err != nil {
					return
				}
			}
		}
	}()
	time.Sleep(500 * time.Millisecond) // the upload is under way
	start := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, want %d", code, exitOK)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("stopped after %v, want well within the 6 s drain timeout", d)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}
