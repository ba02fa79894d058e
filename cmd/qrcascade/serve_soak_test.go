//go:build soak

package main

// The soak of `qrcascade serve` under hostile clients (#17), run by
// `make soak` (go test -tags soak): it builds the binary (or takes
// $SOAK_BIN), starts it on loopback with the settings (nano mode, 2
// decode slots, 4 queue places, 10 s timeout) and measures, each phase for
// $SOAK_SECONDS (default 10; $SOAK_ARGS adds serve flags, SOAK_ONLY=overload
// runs the first and fourth phases only):
//
//   - nominal: 2 clients (one per decode slot) posting testdata/invoice.jpg;
//   - slow uploaders: the same clients while 6, then 60 connections send a
//     body at 1 byte/s (reconnecting when cut);
//   - overload: 24 clients (4 × slots+queue) that retry at once on 503;
//   - idle connections: the 2 clients while 1,100 idle connections are open;
//   - bombs: each entry of the bombs table, two at once, answered status
//     and time, and the server's peak RSS (VmHWM);
//   - shutdown: SIGTERM with 6 slow uploaders connected, exit code and time.
//
// It prints a Markdown report and writes it to bench-out/soak.md. Only
// loopback is used; every phase is bounded in time.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/hostile"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// soakServerArgs are the settings: default serve flags in nano
// mode with 2 decode slots and 4 queue places.
var soakServerArgs = []string{"--mode", "nano", "--max-concurrent", "2", "--queue", "4", "--timeout", "10s", "--log-level", "error"}

// bomb is one hostile input of the soak's table: add an entry to extend
// it (the decoder and PDF work of #17 adds theirs).
type bomb struct {
	name string
	make func() ([]byte, error)
}

// bombs is the table of hostile inputs, each sent twice at once.
func bombs() []bomb {
	return []bomb{
		{"PNG 49,999,999×1", func() ([]byte, error) { return hostile.PNG(49_999_999, 1, 8, 0, false), nil }},
		{"PNG header 50000×50000", func() ([]byte, error) { return hostile.PNGHeader(50000, 50000), nil }},
		{"PDF 20 blank 14400-pt pages", func() ([]byte, error) {
			var pages []*pdftest.Page
			for range 20 {
				pages = append(pages, pdftest.NewPage(14400, 14400))
			}
			return pdftest.Build(pages, pdftest.Options{}), nil
		}},
	}
}

// soakServer is a running `qrcascade serve`.
type soakServer struct {
	cmd  *exec.Cmd
	base string
	addr string
	done chan error
}

// startSoakServer starts bin with args on a free loopback port.
func startSoakServer(t *testing.T, bin string, args ...string) *soakServer {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &soakServer{cmd: cmd, base: "http://" + addr, addr: addr, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			return s
		}
	}
	t.Fatal("server never answered /healthz")
	return nil
}

// peakRSS returns the server's peak resident set (VmHWM) in bytes, or 0.
func (s *soakServer) peakRSS() int64 {
	m, err := bench.SampleProcess(s.cmd.Process.Pid)
	if err != nil {
		return 0
	}
	return int64(m.Peak)
}

// loadResult is what a group of clients saw.
type loadResult struct {
	ok, unavailable, other, errs int
	latencies                    []time.Duration // of 200 answers
	elapsed                      time.Duration
}

func (r loadResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r loadResult) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.latencies)
	slices.Sort(l)
	return l[min(len(l)-1, int(p*float64(len(l))))]
}

// drive runs n closed-loop clients posting body for d (each retrying at
// once after a 503, as a client that ignores Retry-After would).
func drive(base string, body []byte, n int, d time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for range n {
		wg.Go(func() {
			for time.Now().Before(end) {
				t0 := time.Now()
				resp, err := client.Post(base+"/detect", "image/jpeg", bytes.NewReader(body))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat := time.Since(t0)
				mu.Lock()
				switch {
				case err != nil:
					res.errs++
				case resp.StatusCode == http.StatusOK:
					res.ok++
					res.latencies = append(res.latencies, lat)
				case resp.StatusCode == http.StatusServiceUnavailable:
					res.unavailable++
				default:
					res.other++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// slowUploaders keeps n connections sending a body at 1 byte/s until ctx
// ends, reconnecting whenever the server closes one; it returns the number
// of connections made.
func slowUploaders(ctx context.Context, addr string, n int) func() int {
	var mu sync.Mutex
	conns := 0
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				mu.Lock()
				conns++
				mu.Unlock()
				stop := context.AfterFunc(ctx, func() { c.Close() })
				_, err = io.WriteString(c, "POST /detect HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 500000\r\n\r\n")
				for err == nil && ctx.Err() == nil {
					select {
					case <-ctx.Done():
					case <-time.After(time.Second):
						_, err = c.Write([]byte{0xff})
					}
				}
				c.Close()
				stop()
			}
		})
	}
	return func() int { wg.Wait(); mu.Lock(); defer mu.Unlock(); return conns }
}

// TestSoak runs the phases and writes the report.
func TestSoak(t *testing.T) {
	secs := 10
	if v, err := strconv.Atoi(os.Getenv("SOAK_SECONDS")); err == nil && v > 0 {
		secs = v
	}
	d := time.Duration(secs) * time.Second
	bin := os.Getenv("SOAK_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "qrcascade")
		build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	invoice, err := os.ReadFile("../../testdata/invoice.jpg")
	if err != nil {
		t.Fatal(err)
	}
	var rep strings.Builder
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&rep, "Server: `qrcascade serve %s %s` (binary %s); each phase %v; loopback; the load generator shares the machine's %d CPUs (load average at start: %s).\n\n",
		strings.Join(soakServerArgs, " "), os.Getenv("SOAK_ARGS"), bin, d, runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))

	args := slices.Clone(soakServerArgs)
	if extra := os.Getenv("SOAK_ARGS"); extra != "" {
		args = append(args, strings.Fields(extra)...)
	}
	only := os.Getenv("SOAK_ONLY") // "overload": the nominal and overload phases only
	srv := startSoakServer(t, bin, args...)
	drive(srv.base, invoice, 2, 2*time.Second) // warm: model loaded, pools filled
	nominal := drive(srv.base, invoice, 2, d)
	fmt.Fprintf(&rep, "| phase | reads/s | vs nominal | 200 | 503 | other | errors | p50 | p95 | p95 vs nominal |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, r loadResult, extra string) {
		fmt.Fprintf(&rep, "| %s | %.1f | %.0f %% | %d | %d | %d | %d | %v | %v | %.2f× |%s\n", name, r.rate(), 100*r.rate()/nominal.rate(),
			r.ok, r.unavailable, r.other, r.errs, r.pct(0.5).Round(time.Millisecond), r.pct(0.95).Round(time.Millisecond),
			float64(r.pct(0.95))/float64(nominal.pct(0.95)), extra)
	}
	row("nominal: 2 clients", nominal, "")
	for _, n := range []int{6, 60} {
		if only != "" {
			break
		}
		ctx, cancel := context.WithCancel(context.Background())
		wait := slowUploaders(ctx, srv.addr, n)
		time.Sleep(time.Second)
		r := drive(srv.base, invoice, 2, d)
		cancel()
		conns := wait()
		row(fmt.Sprintf("2 clients + %d slow uploaders (1 B/s; %d connections)", n, conns), r, "")
	}
	over := drive(srv.base, invoice, 24, d)
	row("overload: 24 clients (4 × slots+queue), retry at once on 503", over, "")
	if only != "" {
		t.Log("\n" + rep.String())
		return
	}
	{
		var idle []net.Conn
		for range 1100 {
			c, err := net.Dial("tcp", srv.addr)
			if err != nil {
				break
			}
			idle = append(idle, c)
		}
		time.Sleep(500 * time.Millisecond)
		r := drive(srv.base, invoice, 2, d)
		for _, c := range idle {
			c.Close()
		}
		row(fmt.Sprintf("2 clients + %d idle connections (cap 512)", len(idle)), r, "")
	}

	fmt.Fprintf(&rep, "\n| bomb (two at once) | bytes | answers | slowest | server peak RSS after |\n|---|---:|---|---:|---:|\n")
	for _, b := range bombs() {
		data, err := b.make()
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		var mu sync.Mutex
		var answers []string
		var slowest time.Duration
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				t0 := time.Now()
				resp, err := http.Post(srv.base+"/detect", "application/octet-stream", bytes.NewReader(data))
				ans := "error"
				if err == nil {
					var body bytes.Buffer
					_, _ = io.Copy(&body, resp.Body)
					resp.Body.Close()
					ans = strconv.Itoa(resp.StatusCode)
					if i := strings.Index(body.String(), `"code":"`); i >= 0 {
						ans += " " + strings.SplitN(body.String()[i+8:], `"`, 2)[0]
					}
				}
				mu.Lock()
				answers = append(answers, ans)
				slowest = max(slowest, time.Since(t0))
				mu.Unlock()
			})
		}
		wg.Wait()
		fmt.Fprintf(&rep, "| %s | %d | %s | %v | %d MB |\n", b.name, len(data), strings.Join(answers, ", "), slowest.Round(time.Millisecond), srv.peakRSS()>>20)
	}

	// Shutdown with 6 slow uploaders connected.
	sd := startSoakServer(t, bin, append(slices.Clone(soakServerArgs), "--shutdown-timeout", "15s")...)
	ctx, cancel := context.WithCancel(context.Background())
	wait := slowUploaders(ctx, sd.addr, 6)
	time.Sleep(1500 * time.Millisecond)
	t0 := time.Now()
	_ = sd.cmd.Process.Signal(syscall.SIGTERM)
	var exitErr error
	select {
	case exitErr = <-sd.done:
	case <-time.After(30 * time.Second):
		exitErr = errors.New("no exit within 30 s")
	}
	took := time.Since(t0)
	sd.done <- exitErr // for the cleanup
	cancel()
	wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(exitErr, &ee) {
		code = ee.ExitCode()
	} else if exitErr != nil {
		code = -1
	}
	fmt.Fprintf(&rep, "\nSIGTERM with 6 slow uploaders connected (drain timeout 15 s): exit code %d after %v.\n", code, took.Round(10*time.Millisecond))

	t.Log("\n" + rep.String())
	if err := os.MkdirAll("../../bench-out", 0o755); err == nil {
		_ = os.WriteFile("../../bench-out/soak.md", []byte(rep.String()), 0o644)
	}
}
