package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade"
)

// listen starts srv on a loopback port and returns its base URL and a
// function that shuts it down and returns Serve's error.
func listen(t testing.TB, srv *Server) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-errc:
			case <-time.After(20 * time.Second):
				serveErr = errors.New("Serve did not return")
			}
		})
		return serveErr
	}
	t.Cleanup(func() { stop() })
	return "http://" + ln.Addr().String(), stop
}

// newClient returns a client with its own transport (closed by the test).
func newClient(t testing.TB) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

// TestSlowClient: a client that trickles its headers or its body is cut off
// by ReadHeaderTimeout / ReadTimeout, and frees what it held.
func TestSlowClient(t *testing.T) {
	g := newGate()
	close(g.release)
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g},
		ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond})
	base, _ := listen(t, srv)
	addr := strings.TrimPrefix(base, "http://")
	tests := []struct {
		name  string
		write string // what the client sends before going quiet
	}{
		{"headers never finish", "POST /detect HTTP/1.1\r\nHost: x\r\nContent-Len"},
		{"body never finishes", "POST /detect HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n\xff\xd8\xff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, tc.write); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			// The server answers (400) or just closes; either way the
			// connection must end well before our 5 s deadline.
			_, err = io.ReadAll(conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("server kept the slow connection open for %v", time.Since(start))
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("connection closed after %v", d)
			}
		})
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.lim.admitted.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.lim.admitted.Load(); n != 0 {
		t.Errorf("%d admissions still held after the slow clients left", n)
	}
}

// TestOversizedBodyOverTCP: 413 over a real connection, announced or
// chunked, and the connection answers at once rather than after reading
// everything.
func TestOversizedBodyOverTCP(t *testing.T) {
	srv := newTestServer(t, Config{MaxBodyBytes: 64 << 10})
	base, _ := listen(t, srv)
	client := newClient(t)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			var body io.Reader = bytes.NewReader(make([]byte, 8<<20))
			if chunked {
				body = io.MultiReader(body) // hides the length
			}
			req, _ := http.NewRequest("POST", base+"/detect", body)
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e errorAnswer
			b, _ := io.ReadAll(resp.Body)
			decodeJSON(t, b, &e)
			if resp.StatusCode != 413 || e.Error.Code != codeTooLarge {
				t.Fatalf("status %d %s, want 413 too_large", resp.StatusCode, b)
			}
		})
	}
}

// TestSaturation: with every slot and queue place taken, further requests
// get 503 with Retry-After at once; the admitted ones all finish with 200
// once the decodes proceed; no goroutine is left behind.
func TestSaturation(t *testing.T) {
	base0 := runtime.NumGoroutine()
	const slots, queue, extra = 2, 3, 6
	g := newGate()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g},
		MaxConcurrent: slots, QueueLength: queue, RetryAfter: 2 * time.Second})
	base, stop := listen(t, srv)
	client := newClient(t)
	post := func() (*http.Response, []byte, error) {
		resp, err := client.Post(base+"/detect", "application/octet-stream", strings.NewReader("img"))
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}

	// Fill the slots, then the queue.
	type answer struct {
		status int
		err    error
	}
	admitted := make(chan answer, slots+queue)
	for range slots + queue {
		go func() {
			resp, _, err := post()
			if err != nil {
				admitted <- answer{0, err}
				return
			}
			admitted <- answer{resp.StatusCode, nil}
		}()
	}
	g.waitStarted(t, slots)
	deadline := time.Now().Add(5 * time.Second)
	for srv.lim.waiting.Load() != queue && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if w := srv.lim.waiting.Load(); w != queue {
		t.Fatalf("%d requests queued, want %d", w, queue)
	}

	// Beyond capacity: 503 at once.
	for i := range extra {
		start := time.Now()
		resp, b, err := post()
		if err != nil {
			t.Fatal(err)
		}
		var e errorAnswer
		decodeJSON(t, b, &e)
		if resp.StatusCode != 503 || e.Error.Code != codeOverloaded || resp.Header.Get("Retry-After") != "2" {
			t.Fatalf("extra request %d: status %d Retry-After %q %s", i, resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("503 took %v, want immediate", d)
		}
	}

	// Let the decodes proceed: every admitted request succeeds.
	close(g.release)
	for range slots + queue {
		a := <-admitted
		if a.err != nil || a.status != 200 {
			t.Errorf("admitted request: status %d err %v, want 200", a.status, a.err)
		}
	}
	// Recovered at once: a new request is served.
	if resp, b, err := post(); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the load: %v %v %s", resp, err, b)
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	client.CloseIdleConnections()
	checkNoGoroutineLeak(t, base0)
}

// TestQueueDeadline: a request whose deadline passes while it waits for a
// slot gets 503 (it never started), not 504.
func TestQueueDeadline(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	stubborn := readerFunc(func(ctx context.Context, data []byte) (*qrcascade.Result, error) {
		started <- struct{}{}
		<-release // ignores ctx: holds the only slot past every deadline
		return &qrcascade.Result{Model: "classic"}, nil
	})
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: stubborn},
		MaxConcurrent: 1, QueueLength: 1, RequestTimeout: 100 * time.Millisecond})
	h := srv.Handler()
	first := make(chan int, 1)
	go func() { first <- do(h, "POST", "/detect", "image/png", []byte("x")).Code }()
	<-started
	w := do(h, "POST", "/detect", "image/png", []byte("x"))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Errorf("queued past the deadline: status %d, want 503 with Retry-After", w.Code)
	}
	close(release)
	if c := <-first; c != 200 {
		t.Errorf("the running request: status %d, want 200", c)
	}
}

// TestGracefulShutdown: on shutdown the server stops accepting, reports
// not ready, lets the in-flight request finish with 200, and Serve returns
// nil.
func TestGracefulShutdown(t *testing.T) {
	g := newGate()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g}, ShutdownTimeout: 5 * time.Second})
	base, stop := listen(t, srv)
	client := newClient(t)
	done := make(chan int, 1)
	go func() {
		resp, err := client.Post(base+"/detect", "image/png", strings.NewReader("x"))
		if err != nil {
			done <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	g.waitStarted(t, 1)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	deadline := time.Now().Add(5 * time.Second)
	for !srv.draining.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// New connections are refused once the listener closes.
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned %v while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(g.release)
	if code := <-done; code != 200 {
		t.Errorf("in-flight request: status %d, want 200", code)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v, want nil", err)
	}
}

// TestShutdownTimeout: a request that outlives ShutdownTimeout is cut and
// Serve reports the deadline.
func TestShutdownTimeout(t *testing.T) {
	g := newGate()
	defer close(g.release)
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g}, ShutdownTimeout: 100 * time.Millisecond})
	base, stop := listen(t, srv)
	go func() {
		resp, err := newClient(t).Post(base+"/detect", "image/png", strings.NewReader("x"))
		if err == nil {
			resp.Body.Close()
		}
	}()
	g.waitStarted(t, 1)
	start := time.Now()
	err := stop()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown took %v with a 100 ms bound", d)
	}
}

// TestOldClientOverTCP sends the old client's exact request (curl
// --data-binary with Content-Type: application/octet-stream) as raw bytes.
func TestOldClientOverTCP(t *testing.T) {
	fx := testFixtures(t)
	srv := newTestServer(t, Config{})
	base, _ := listen(t, srv)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /detect HTTP/1.1\r\nHost: 127.0.0.1:8008\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"+
		"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", len(fx.invoiceJPEG))
	conn.Write(fx.invoiceJPEG)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var old struct {
		Success   bool     `json:"success"`
		Data      string   `json:"data"`
		Model     string   `json:"model"`
		LatencyMS *float64 `json:"latency_ms"`
	}
	decodeJSON(t, b, &old)
	if resp.StatusCode != 200 || !old.Success || old.Data != fx.invoiceText || old.Model != "classic" || old.LatencyMS == nil {
		t.Errorf("status %d answer %s", resp.StatusCode, b)
	}
}

// TestLatencyExcludesUpload: a slow upload shows in timings_ms.receive, not
// in latency_ms.
func TestLatencyExcludesUpload(t *testing.T) {
	g := newGate()
	close(g.release)
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g}})
	base, _ := listen(t, srv)
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("first half "))
		time.Sleep(300 * time.Millisecond)
		pw.Write([]byte("second half"))
		pw.Close()
	}()
	resp, err := newClient(t).Post(base+"/detect", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res detectResponse
	decodeJSON(t, b, &res)
	// The handler starts after the first half arrived, so receive is the
	// 300 ms pause less scheduling slack; latency must not include it.
	if res.TimingsMS.Receive < 200 || res.LatencyMS >= 200 {
		t.Errorf("receive %v ms, latency %v ms; want receive ≥ 200 and latency < 200", res.TimingsMS.Receive, res.LatencyMS)
	}
}
