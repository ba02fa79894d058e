package server

// The hostile-input suite (#17): slow uploaders, overload, shutdown under
// slow uploads, the connection cap, body memory, partial results and the
// wording of error answers. Every test runs on loopback with small counts
// and bounded waits; the figures (rates, p95) come from `make soak`, not
// from here.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/bench"
	embedded "github.com/qrcascade/qrcascade/models"
)

// sleepReader is an ImageReader that takes d per read and reads one code:
// the admission gates are under test, not the decoders.
func sleepReader(d time.Duration) ImageReader {
	return readerFunc(func(ctx context.Context, data []byte) (*qrcascade.Result, error) {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &qrcascade.Result{Model: "classic", Image: qrcascade.ImageInfo{Format: "png", Width: 1, Height: 1, Pages: 1},
			Codes: []qrcascade.Code{{Text: "ok", Tier: qrcascade.TierClassic, Strategy: "raw", Confidence: 1}}}, nil
	})
}

// slowUploader keeps one connection trickling a POST /detect body (one
// byte per tick) and reconnects whenever the server closes it, until ctx
// ends. It counts the answers it got by status.
type slowUploader struct {
	addr   string
	tick   time.Duration
	mu     sync.Mutex
	status map[int]int
	conns  int
}

func (u *slowUploader) run(ctx context.Context) {
	for ctx.Err() == nil {
		c, err := net.Dial("tcp", u.addr)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		u.mu.Lock()
		u.conns++
		u.mu.Unlock()
		stop := context.AfterFunc(ctx, func() { c.Close() })
		answered := make(chan int, 1)
		go func() { // the answer, if any, comes when the server gives up
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				answered <- 0
				return
			}
			resp.Body.Close()
			answered <- resp.StatusCode
		}()
		_, err = io.WriteString(c, "POST /detect HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n")
		for err == nil && ctx.Err() == nil {
			select {
			case st := <-answered:
				answered <- st
				err = io.EOF
				continue
			case <-time.After(u.tick):
			}
			_, err = c.Write([]byte{0x89})
		}
		c.Close()
		stop()
		st := <-answered
		u.mu.Lock()
		u.status[st]++
		u.mu.Unlock()
	}
}

// post sends body to /detect and returns the status and the latency.
func post(client *http.Client, base string, body []byte) (int, time.Duration, error) {
	start := time.Now()
	resp, err := client.Post(base+"/detect", "image/png", bytes.NewReader(body))
	if err != nil {
		return 0, time.Since(start), err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

// rssBytes returns the process's resident set size (Linux), or 0.
func rssBytes() int64 {
	m, err := bench.SampleMemory()
	if err != nil {
		return 0
	}
	return int64(m.RSS)
}

// TestSlowUploadersDoNotLockOut: with 6 (slots + queue) and 60 slow
// uploaders connected, normal clients get no 503 (the attack: six
// of them answered every other request 503), the slow uploaders are cut
// (408) or left unanswered, and nothing stays held afterwards.
func TestSlowUploadersDoNotLockOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 2 × 3 s of traffic")
	}
	for _, n := range []int{6, 60} {
		t.Run(fmt.Sprintf("%d uploaders", n), func(t *testing.T) {
			srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: sleepReader(5 * time.Millisecond)},
				MaxConcurrent: 2, QueueLength: 4, BodyGrace: 500 * time.Millisecond})
			base, stop := listen(t, srv)
			ctx, cancel := context.WithCancel(context.Background())
			up := &slowUploader{addr: strings.TrimPrefix(base, "http://"), tick: 100 * time.Millisecond, status: map[int]int{}}
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() { up.run(ctx) })
			}
			time.Sleep(300 * time.Millisecond) // every uploader connected and sending
			if got := srv.uploads.len(); got < n/2 {
				t.Errorf("%d uploads in progress, want about %d", got, n)
			}
			client := newClient(t)
			statuses := map[int]int{}
			var mu sync.Mutex
			var cw sync.WaitGroup
			end := time.Now().Add(2500 * time.Millisecond)
			for range 4 {
				cw.Go(func() {
					for time.Now().Before(end) {
						st, _, err := post(client, base, []byte("\x89PNG fake"))
						mu.Lock()
						if err != nil {
							statuses[-1]++
						} else {
							statuses[st]++
						}
						mu.Unlock()
					}
				})
			}
			cw.Wait()
			if rss := rssBytes(); rss > 400<<20 {
				t.Errorf("RSS %d MiB with %d slow uploaders, want well under 400", rss>>20, n)
			}
			cancel()
			wg.Wait()
			if statuses[http.StatusServiceUnavailable] > 0 || statuses[-1] > 0 || statuses[http.StatusOK] < 20 {
				t.Errorf("normal clients: %v, want only 200 (at least 20)", statuses)
			}
			up.mu.Lock()
			t.Logf("normal clients %v; slow uploaders: %d connections, answers %v", statuses, up.conns, up.status)
			if up.status[http.StatusServiceUnavailable] > 0 || up.status[http.StatusOK] > 0 {
				t.Errorf("slow uploaders answered %v, want 408 or nothing", up.status)
			}
			if up.conns <= n {
				t.Errorf("slow uploaders were never cut: %d connections for %d uploaders", up.conns, n)
			}
			up.mu.Unlock()
			if err := stop(); err != nil {
				t.Errorf("Serve: %v", err)
			}
			if srv.lim.admitted.Load() != 0 || srv.bodies.used.Load() != 0 || srv.uploads.len() != 0 {
				t.Errorf("held after the test: %d admitted, %d body bytes, %d uploads", srv.lim.admitted.Load(), srv.bodies.used.Load(), srv.uploads.len())
			}
		})
	}
}

// rawRequest sends head (and no body) on a new connection and returns the
// answer and how long the server took to close the connection after it.
func rawRequest(t *testing.T, addr, head string) (*http.Response, []byte, time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, err = br.ReadByte() // the server must close: EOF, not a timeout
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open %v after the answer", time.Since(start))
	}
	return resp, body, time.Since(start)
}

// TestOverloadRejectsBeforeBody: with every slot and queue place taken, a
// request is answered 503 with Retry-After and Connection: close from its
// headers alone (its 1 MiB body is never sent), and the server closes the
// connection instead of draining it. Shutting down answers the same way.
func TestOverloadRejectsBeforeBody(t *testing.T) {
	g := newGate()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g},
		MaxConcurrent: 1, QueueLength: -1, RetryAfter: 2 * time.Second})
	base, _ := listen(t, srv)
	addr := strings.TrimPrefix(base, "http://")
	done := make(chan int, 1)
	go func() {
		st, _, _ := post(newClient(t), base, []byte("img"))
		done <- st
	}()
	g.waitStarted(t, 1)
	head := "POST /detect HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 1048576\r\n\r\n"
	resp, body, took := rawRequest(t, addr, head)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" || !resp.Close {
		t.Errorf("status %d, Retry-After %q, close %v: want 503, 2, true", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Close)
	}
	var ea errorAnswer
	decodeJSON(t, body, &ea)
	if ea.Error.Code != codeOverloaded {
		t.Errorf("code %q, want %q", ea.Error.Code, codeOverloaded)
	}
	if took > 2*time.Second {
		t.Errorf("rejection took %v", took)
	}
	close(g.release)
	if st := <-done; st != http.StatusOK {
		t.Errorf("the admitted request: %d", st)
	}
	srv.draining.Store(true)
	resp, _, _ = rawRequest(t, addr, head)
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Errorf("draining: status %d close %v, want 503 and close", resp.StatusCode, resp.Close)
	}
}

// TestShutdownCutsSlowUploads: SIGTERM (ctx done) with slow uploaders
// connected returns nil (exit 0) well within the drain timeout, while the
// request already decoding finishes with 200.
func TestShutdownCutsSlowUploads(t *testing.T) {
	g := newGate()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g},
		MaxConcurrent: 2, QueueLength: 4, MinBodyRate: -1, ReadTimeout: time.Minute, ShutdownTimeout: 8 * time.Second})
	base, stop := listen(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	up := &slowUploader{addr: strings.TrimPrefix(base, "http://"), tick: 200 * time.Millisecond, status: map[int]int{}}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { up.run(ctx) })
	}
	decoded := make(chan int, 1)
	go func() {
		st, _, _ := post(newClient(t), base, []byte("img"))
		decoded <- st
	}()
	g.waitStarted(t, 1)
	for start := time.Now(); srv.uploads.len() < 3 && time.Since(start) < 5*time.Second; {
		time.Sleep(10 * time.Millisecond)
	}
	go func() { time.Sleep(300 * time.Millisecond); close(g.release) }()
	start := time.Now()
	err := stop()
	took := time.Since(start)
	cancel()
	wg.Wait()
	if err != nil {
		t.Errorf("Serve: %v, want a clean shutdown", err)
	}
	if took > 4*time.Second {
		t.Errorf("shutdown took %v with slow uploaders, want well under the 8 s drain timeout", took)
	}
	if st := <-decoded; st != http.StatusOK {
		t.Errorf("request decoding at shutdown: %d, want 200", st)
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if up.status[http.StatusServiceUnavailable] < 3 {
		t.Errorf("slow uploaders answered %v, want 503 shutting_down for each", up.status)
	}
}

// TestConnectionCap: at the cap, a new connection closes the idle one to
// get in; with every connection busy it is answered 503 and closed.
func TestConnectionCap(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: sleepReader(time.Millisecond)},
		MaxConns: 4, MinBodyRate: -1, ReadTimeout: time.Minute, Registry: reg})
	base, _ := listen(t, srv)
	addr := strings.TrimPrefix(base, "http://")
	// Four idle keep-alive connections fill the table.
	for range 4 {
		client := newClient(t)
		if st, _, err := post(client, base, []byte("img")); err != nil || st != http.StatusOK {
			t.Fatalf("filling: %d %v", st, err)
		}
	}
	for start := time.Now(); srv.conns.open() != 4 && time.Since(start) < 2*time.Second; {
		time.Sleep(5 * time.Millisecond)
	}
	if st, d, err := post(newClient(t), base, []byte("img")); err != nil || st != http.StatusOK || d > 2*time.Second {
		t.Errorf("at the cap with idle connections: %d in %v (%v), want 200 at once", st, d, err)
	}
	if n, err := testutil.GatherAndCount(reg, "qrcascade_connections_closed_total"); err != nil || n != 2 || srv.conns.evicted.Load() < 1 {
		t.Errorf("qrcascade_connections_closed_total: %d series (%v), evicted %d; want 2 series, ≥ 1 evicted", n, err, srv.conns.evicted.Load())
	}
	// Four busy connections (bodies arriving, no rate check): the fifth
	// gets the canned 503.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	up := &slowUploader{addr: addr, tick: 100 * time.Millisecond, status: map[int]int{}}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for range 4 {
		wg.Go(func() { up.run(ctx) })
	}
	for start := time.Now(); srv.uploads.len() < 4 && time.Since(start) < 5*time.Second; {
		time.Sleep(10 * time.Millisecond)
	}
	resp, body, _ := rawRequest(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "too many open connections") {
		t.Errorf("over the cap: %d %s, want the canned 503", resp.StatusCode, body)
	}
	if n := srv.conns.open(); n > 4 {
		t.Errorf("%d connections open, cap 4", n)
	}
}

// TestBodyMemorySizedAndChunked: a chunked body holds the same body memory
// as the same body sent with its length (its bytes, once decoding), both
// come back to zero, and a body that would take the budget past its bound
// is answered 503 with its connection closed.
func TestBodyMemorySizedAndChunked(t *testing.T) {
	g := newGate()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: g},
		MaxBodyBytes: 4 << 20, BodyMemory: 1 << 20})
	base, _ := listen(t, srv)
	client := newClient(t)
	const size = 300_000
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			var body io.Reader = bytes.NewReader(make([]byte, size))
			if chunked {
				body = io.MultiReader(body)
			}
			done := make(chan int, 1)
			go func() {
				resp, err := client.Post(base+"/detect", "image/png", body)
				if err != nil {
					done <- 0
					return
				}
				resp.Body.Close()
				done <- resp.StatusCode
			}()
			g.waitStarted(t, 1)
			if used := srv.bodies.used.Load(); used != size {
				t.Errorf("body memory while decoding: %d, want %d", used, size)
			}
			g.release <- struct{}{}
			if st := <-done; st != http.StatusOK {
				t.Errorf("status %d", st)
			}
		})
	}
	if used := srv.bodies.used.Load(); used != 0 {
		t.Errorf("body memory after: %d", used)
	}
	// 1 MiB budget, 2 MiB body: 503 and closed, budget back to zero.
	resp, err := client.Post(base+"/detect", "image/png", io.MultiReader(bytes.NewReader(make([]byte, 2<<20))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !resp.Close {
		t.Errorf("over the body budget: %d close %v, want 503 and close", resp.StatusCode, resp.Close)
	}
	if used := srv.bodies.used.Load(); used != 0 {
		t.Errorf("body memory after the refusal: %d", used)
	}
}

// TestPartialResultOverBudget: a model refused by the memory budget turns
// a read into a partial 200 (the case: --memory-budget 1000000
// --after-read always gave 500 internal), with the classic code, the
// skipped run, and the skip counted.
func TestPartialResultOverBudget(t *testing.T) {
	if !embedded.Available(string(qrcascade.ModelNano)) {
		t.Skip("no nano model in this build")
	}
	f := testFixtures(t)
	m := qrcascade.NewModels(qrcascade.ModelOptions{MemoryBudget: 1_000_000})
	defer m.Close()
	readers, err := NewReaders(qrcascade.Options{AfterRead: "always", Models: m}, qrcascade.ModeNano)
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, Config{Readers: readers, DefaultMode: qrcascade.ModeNano, Models: m})
	w := do(srv.Handler(), "POST", "/detect", "image/jpeg", f.invoiceJPEG)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got struct {
		Success bool   `json:"success"`
		Data    string `json:"data"`
		Partial bool   `json:"partial"`
		Skipped []struct {
			Tier, Model, Reason string
		} `json:"skipped"`
	}
	decodeJSON(t, w.Body.Bytes(), &got)
	if !got.Success || got.Data != f.invoiceText || !got.Partial {
		t.Errorf("success %v data %q partial %v, want the classic read marked partial", got.Success, got.Data, got.Partial)
	}
	if len(got.Skipped) != 1 || got.Skipped[0].Tier != "neural" || got.Skipped[0].Model != "nano" || got.Skipped[0].Reason != "memory_budget" {
		t.Errorf("skipped %+v, want neural/nano/memory_budget", got.Skipped)
	}
	if strings.Contains(w.Body.String(), "bytes in use") {
		t.Errorf("memory figures leaked to the client: %s", w.Body)
	}
	if v := testutil.ToFloat64(srv.metrics.skipped.WithLabelValues("nano", "memory_budget")); v != 1 {
		t.Errorf("qrcascade_tier_skipped_total{nano,memory_budget} = %v, want 1", v)
	}
	// A full read has neither field.
	srv2 := newTestServer(t, Config{})
	w = do(srv2.Handler(), "POST", "/detect", "image/jpeg", f.invoiceJPEG)
	var raw map[string]json.RawMessage
	decodeJSON(t, w.Body.Bytes(), &raw)
	if _, ok := raw["partial"]; ok {
		t.Errorf("a full read carries partial: %s", w.Body)
	}
}

// TestErrorMessagesForClients: error answers say what is wrong with the
// input without package names, decoder internals or byte offsets.
func TestErrorMessagesForClients(t *testing.T) {
	f := testFixtures(t)
	srv := newTestServer(t, Config{})
	var hugePNG bytes.Buffer // an IHDR of 50000 × 50000 and nothing else
	ihdr := []byte("IHDR\x00\x00\xc3\x50\x00\x00\xc3\x50\x08\x00\x00\x00\x00")
	hugePNG.WriteString("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	hugePNG.Write(binary.BigEndian.AppendUint32(ihdr, crc32.ChecksumIEEE(ihdr)))
	tests := []struct {
		name   string
		body   []byte
		status int
		says   string
	}{
		{"truncated jpeg", f.invoiceJPEG[:len(f.invoiceJPEG)/3], http.StatusBadRequest, "JPEG data is malformed or truncated"},
		{"truncated png", f.blankPNG[:40], http.StatusBadRequest, "PNG data is malformed or truncated"},
		{"unknown bytes", []byte("hello, this is text, not an image at all"), http.StatusUnsupportedMediaType, "unknown input format"},
		{"pixel bomb", hugePNG.Bytes(), http.StatusRequestEntityTooLarge, "exceeds the limit"},
		{"encrypted pdf", f.encryptedPDF, http.StatusBadRequest, "encrypted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(srv.Handler(), "POST", "/detect", "application/octet-stream", tc.body)
			var ea errorAnswer
			decodeJSON(t, w.Body.Bytes(), &ea)
			if w.Code != tc.status || !strings.Contains(ea.Error.Message, tc.says) {
				t.Errorf("%d %q, want %d and a message saying %q", w.Code, ea.Error.Message, tc.status, tc.says)
			}
			for _, leak := range []string{"imgio", "qrcascade:", "pdf:", "offset", "cascade", "unexpected EOF"} {
				if strings.Contains(ea.Error.Message, leak) {
					t.Errorf("message %q names %q", ea.Error.Message, leak)
				}
			}
		})
	}
}

// TestUploadDeadlineFromRate: the read deadline of an upload grows with
// the bytes received at the minimum rate, and shutdown pulls it in.
func TestUploadDeadlineFromRate(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		received int64
		capAt    time.Time
		want     time.Duration // after t0
	}{
		{"nothing yet: the grace", 0, time.Time{}, 2 * time.Second},
		{"16 KiB at 16 KiB/s: grace + 1 s", 16 << 10, time.Time{}, 3 * time.Second},
		{"a lot: the whole-body timeout", 1 << 30, time.Time{}, 30 * time.Second},
		{"shutdown cap", 16 << 10, t0.Add(500 * time.Millisecond), 500 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := &upload{start: t0, timeout: 30 * time.Second, grace: 2 * time.Second, minRate: 16 << 10, received: tc.received, capAt: tc.capAt}
			if got := u.deadlineLocked().Sub(t0); got != tc.want {
				t.Errorf("deadline +%v, want +%v", got, tc.want)
			}
		})
	}
}

// preflightGate is a gate whose Preflight refuses inputs of more than max
// bytes with a *qrcascade.LimitError, as a reader that probes the pages ×
// pixels of an input from its headers would.
type preflightGate struct {
	*gate
	max int
}

func (p preflightGate) Preflight(data []byte) error {
	if len(data) > p.max {
		return &qrcascade.LimitError{What: "pixels", Limit: int64(p.max), Actual: int64(len(data))}
	}
	return nil
}

// TestPreflightBeforeSlot: a reader's Preflight refuses an input before it
// takes a queue place or a decode slot: with the only slot busy, the
// refused request is answered 413 at once instead of queueing, and the
// reader never starts on it.
func TestPreflightBeforeSlot(t *testing.T) {
	g := newGate()
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: preflightGate{gate: g, max: 16}},
		MaxConcurrent: 1, QueueLength: 1})
	h := srv.Handler()
	done := make(chan int, 1)
	go func() { done <- do(h, "POST", "/detect", "image/png", []byte("small")).Code }()
	g.waitStarted(t, 1) // the only decode slot is busy
	w := do(h, "POST", "/detect", "image/png", bytes.Repeat([]byte("x"), 64))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d %s, want 413 from the preflight", w.Code, w.Body)
	}
	if n := srv.lim.admitted.Load(); n != 1 {
		t.Errorf("%d requests admitted, want only the decoding one", n)
	}
	close(g.release)
	if st := <-done; st != http.StatusOK {
		t.Errorf("the decoding request: %d", st)
	}
	select {
	case <-g.started:
		t.Error("the reader started on the refused input")
	default:
	}
}
