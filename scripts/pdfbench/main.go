// Command pdfbench measures the PDF path of `qrcascade serve` as the
// Kubernetes manifests run it (issues #14 and #17): start-up to ready with
// an empty and with a filled compilation cache, the first PDF after start,
// warm PDF latency over HTTP, long documents, the decompression bombs one
// and two at once, and the server's resident memory (sampled every 2 ms
// from /proc, so Linux only) idle, at peak and after. It prints Markdown
// for docs/BENCHMARKS.md.
//
//	make build && go run ./scripts/pdfbench -bin bin/qrcascade
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// goMemLimit is the server's GOMEMLIMIT.
var goMemLimit string

func main() {
	bin := flag.String("bin", "bin/qrcascade", "qrcascade binary")
	n := flag.Int("n", 40, "requests for each warm latency")
	mode := flag.String("mode", "", "--mode of the server (default: the binary's)")
	flag.StringVar(&goMemLimit, "gomemlimit", "100MiB", "GOMEMLIMIT of the server (the manifests': 100MiB)")
	flag.Parse()
	if err := run(*bin, *n, *mode); err != nil {
		fmt.Fprintln(os.Stderr, "pdfbench:", err)
		os.Exit(1)
	}
}

// server is a running `qrcascade serve` child.
type server struct {
	cmd  *exec.Cmd
	url  string
	peak atomic.Int64 // KiB, since the last resetPeak
	stop chan struct{}
	done chan struct{}
}

// rss returns the child's resident set in KiB.
func (s *server) rss() int64 {
	m, err := bench.SampleProcess(s.cmd.Process.Pid)
	if err != nil {
		return 0
	}
	return int64(m.RSS >> 10)
}

func (s *server) resetPeak() { s.peak.Store(s.rss()) }

func mb(kib int64) string { return fmt.Sprintf("%.0f MB", float64(kib)/1024) }

// start runs the server with the manifests' settings and waits for
// /readyz; it returns the time to ready.
func start(bin, mode, cacheDir string) (*server, time.Duration, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	addr := l.Addr().String()
	l.Close()
	args := []string{"serve", "--addr", addr, "--pdf-cache-dir", cacheDir, "--log-level", "error"}
	if mode != "" && !strings.HasPrefix(mode, "the binary") {
		args = append(args, "--mode", mode)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOMEMLIMIT="+goMemLimit, "QRCASCADE_MAX_CONCURRENT=2", "QRCASCADE_QUEUE=4",
		"QRCASCADE_TIMEOUT=10s", "QRCASCADE_PDF_INSTANCES=1")
	cmd.Stderr = os.Stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	s := &server{cmd: cmd, url: "http://" + addr, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if v := s.rss(); v > s.peak.Load() {
					s.peak.Store(v)
				}
			}
		}
	}()
	for time.Since(began) < 60*time.Second {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(began), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.close()
	return nil, 0, fmt.Errorf("server not ready after 60 s")
}

func (s *server) close() {
	close(s.stop)
	<-s.done
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

// answer is what pdfbench reads of a /detect answer.
type answer struct {
	Codes     []json.RawMessage `json:"codes"`
	PagesRead int               `json:"pages_read"`
	Truncated string            `json:"truncated"`
	Error     *struct {
		Code string `json:"code"`
	} `json:"error"`
}

// post sends data to /detect and returns the status, the time, the answer.
func (s *server) post(data []byte, query string) (int, time.Duration, answer, error) {
	began := time.Now()
	resp, err := http.Post(s.url+"/detect"+query, "application/pdf", bytes.NewReader(data))
	if err != nil {
		return 0, 0, answer{}, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(began)
	var a answer
	json.Unmarshal(body, &a)
	return resp.StatusCode, took, a, err
}

func describe(status int, a answer) string {
	switch {
	case a.Error != nil:
		return fmt.Sprintf("%d %s", status, a.Error.Code)
	case a.Truncated != "":
		return fmt.Sprintf("%d, %d codes, %d pages read, truncated %s", status, len(a.Codes), a.PagesRead, a.Truncated)
	}
	return fmt.Sprintf("%d, %d codes, %d pages read", status, len(a.Codes), a.PagesRead)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

func run(bin string, n int, mode string) error {
	docs, err := makeDocs()
	if err != nil {
		return err
	}
	cache, err := os.MkdirTemp("", "pdfbench-cache-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
	if mode == "" {
		mode = "the binary's default"
	}
	fmt.Printf("Server as the manifests run it: GOMEMLIMIT=%s, --max-concurrent 2, --queue 4, --timeout 10s, --pdf-instances 1, --pdf-warm (default), mode %s.\n\n", goMemLimit, mode)

	// Start-up: empty cache (a new pod with an emptyDir), then filled.
	fmt.Println("| start | time to /readyz | peak RSS to ready | RSS at ready | first PDF (2-page vector) | its peak RSS |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, label := range []string{"empty compilation cache", "filled compilation cache"} {
		s, ready, err := start(bin, mode, cache)
		if err != nil {
			return err
		}
		peak, at := s.peak.Load(), s.rss()
		s.resetPeak()
		status, took, a, err := s.post(docs["2-page vector"].data, "")
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %s | %s | %s | %s (%s) | %s |\n", label, ms(ready), mb(peak), mb(at), ms(took), describe(status, a), mb(s.peak.Load()))
		s.close()
	}
	fmt.Println()

	s, _, err := start(bin, mode, cache)
	if err != nil {
		return err
	}
	defer s.close()
	time.Sleep(500 * time.Millisecond)
	idle := s.rss()
	fmt.Printf("Idle RSS after start (engine warm, no request): %s.\n\n", mb(idle))

	fmt.Println("| input | bytes | requests | p50 | p90 | answer | peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, k := range []struct {
		name string
		reps int
	}{{"2-page vector", n}, {"2-page image", n}, {"20-page vector", 3}, {"35-page vector", 3}, {"100-page vector", 3}, {"100-page image", 3}} {
		d := docs[k.name]
		s.resetPeak()
		var ts []time.Duration
		var last string
		for range k.reps {
			status, took, a, err := s.post(d.data, "")
			if err != nil {
				return err
			}
			ts = append(ts, took)
			last = describe(status, a)
		}
		fmt.Printf("| %s | %d | %d | %s | %s | %s | %s |\n", d.name, len(d.data), k.reps, ms(percentile(ts, 0.5)), ms(percentile(ts, 0.9)), last, mb(s.peak.Load()))
	}
	fmt.Println()

	fmt.Println("| bomb | bytes | at once | slowest answer | answers | peak RSS | RSS 5 s after |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, name := range []string{"content bomb", "image bomb", "blank pages"} {
		d := docs[name]
		for _, conc := range []int{1, 2} {
			s.resetPeak()
			var wg sync.WaitGroup
			var mu sync.Mutex
			var slowest time.Duration
			var answers []string
			for range conc {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status, took, a, err := s.post(d.data, "")
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						answers = append(answers, err.Error())
						return
					}
					slowest = max(slowest, took)
					answers = append(answers, describe(status, a))
				}()
			}
			wg.Wait()
			peak := s.peak.Load()
			time.Sleep(5 * time.Second)
			slices.Sort(answers)
			fmt.Printf("| %s | %d | %d | %s | %s | %s | %s |\n", d.name, len(d.data), conc, ms(slowest), strings.Join(slices.Compact(answers), "; "), mb(peak), mb(s.rss()))
		}
	}
	fmt.Println()
	fmt.Printf("RSS at the end: %s (idle after start: %s).\n", mb(s.rss()), mb(idle))
	return nil
}

// docs are the inputs.
type doc struct {
	name string
	data []byte
}

func makeDocs() (map[string]doc, error) {
	out := map[string]doc{}
	for _, k := range []struct {
		name  string
		pages int
		image bool
	}{{"2-page vector", 2, false}, {"2-page image", 2, true}, {"20-page vector", 20, false}, {"35-page vector", 35, false}, {"100-page vector", 100, false}, {"100-page image", 100, true}} {
		d, err := pdftest.LongDocument(k.pages, k.image)
		if err != nil {
			return nil, err
		}
		out[k.name] = doc{k.name, d}
	}
	out["content bomb"] = doc{"content bomb (300 MB inflated)", pdftest.ContentBomb(300 << 20)}
	out["image bomb"] = doc{"image bomb (20000×15000 px)", pdftest.ImageBomb(20000, 15000)}
	out["blank pages"] = doc{"20 blank 14400-pt pages", pdftest.BlankPages(20, 14400)}
	return out, nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}
