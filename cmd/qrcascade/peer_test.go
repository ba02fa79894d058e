package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/bench"
	"github.com/qrcascade/qrcascade/internal/geom"
)

// peerSession runs runPeer over pipes, as the harness's driver does: the
// test writes path lines and reads one JSON line back for each.
type peerSession struct {
	t     *testing.T
	in    *io.PipeWriter
	out   *bufio.Reader
	errb  strings.Builder
	done  chan int
	lines chan string
}

func startPeer(t *testing.T, args ...string) *peerSession {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &peerSession{t: t, in: inW, out: bufio.NewReader(outR), done: make(chan int, 1), lines: make(chan string)}
	go func() {
		code := runPeer(context.Background(), args, inR, outW, &s.errb)
		outW.Close()
		s.done <- code
	}()
	go func() {
		defer close(s.lines)
		for {
			line, err := s.out.ReadString('\n')
			if line != "" {
				s.lines <- line
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { inW.Close() })
	return s
}

// next returns the next stdout line, failing the test after a timeout.
func (s *peerSession) next() string {
	s.t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			s.t.Fatalf("peer closed stdout early; stderr: %s", s.errb.String())
		}
		if !strings.HasSuffix(l, "\n") {
			s.t.Fatalf("line without newline: %q", l)
		}
		return l
	case <-time.After(60 * time.Second):
		s.t.Fatal("no answer from the peer within 60 s")
	}
	return ""
}

func (s *peerSession) ask(path string) peerAnswer {
	s.t.Helper()
	if _, err := io.WriteString(s.in, path+"\n"); err != nil {
		s.t.Fatal(err)
	}
	line := s.next()
	var a peerAnswer
	if err := json.Unmarshal([]byte(line), &a); err != nil {
		s.t.Fatalf("answer is not JSON: %v: %q", err, line)
	}
	// The raw line carries the protocol's keys, decoded and codes even when
	// empty (the driver reads "decoded": null as no answer).
	for _, key := range []string{`"decoded":[`, `"codes":[`, `"ms":`} {
		if !strings.Contains(line, key) {
			s.t.Errorf("answer lacks %s: %s", key, line)
		}
	}
	return a
}

// end closes stdin and returns the exit code.
func (s *peerSession) end() int {
	s.t.Helper()
	s.in.Close()
	for l := range s.lines {
		s.t.Errorf("extra stdout line after the last answer: %q", l)
	}
	select {
	case code := <-s.done:
		return code
	case <-time.After(10 * time.Second):
		s.t.Fatal("peer did not exit at EOF")
	}
	return -1
}

func TestPeerProtocol(t *testing.T) {
	dir := synthDir(t, "clean_invoice", 1)
	entries, err := bench.LoadManifest(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || len(entries[0].Expected) != 1 || len(entries[0].Polygons) != 1 {
		t.Fatalf("synthetic manifest: %+v", entries)
	}
	scene := entries[0]
	blank := synthDir(t, "damaged", 1) // a code too damaged to read
	blankEntries, err := bench.LoadManifest(filepath.Join(blank, "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		args      []string
		wantPeer  string
		wantNotes string
		timings   bool // --timings: one stage-time line per image read on stderr
	}{
		{"classic", []string{"--mode", "classic"}, "qrcascade", "mode classic", false},
		{"named", []string{"--mode", "classic", "--name", "mine", "--strategies", "locator,raw"}, "mine", "strategies locator,raw", false},
		{"timings", []string{"--mode", "classic", "--timings"}, "qrcascade", "mode classic", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startPeer(t, tc.args...)

			// The ready line comes first, before any request.
			var ready map[string]any
			line := s.next()
			if err := json.Unmarshal([]byte(line), &ready); err != nil {
				t.Fatalf("ready line: %v: %q", err, line)
			}
			if ready["ready"] != true || ready["peer"] != tc.wantPeer || ready["positions"] != true || ready["points_frame"] != "exif" {
				t.Errorf("ready line %s", line)
			}
			if v, _ := ready["version"].(string); !strings.HasPrefix(v, "qrcascade ") {
				t.Errorf("version %q", v)
			}
			if n, _ := ready["notes"].(string); !strings.Contains(n, tc.wantNotes) {
				t.Errorf("notes %q lack %q", n, tc.wantNotes)
			}

			// A readable scene: its text, four corners around the labelled code.
			a := s.ask(scene.Image)
			if a.Error != "" || len(a.Decoded) != 1 || a.Decoded[0] != scene.Expected[0] {
				t.Fatalf("scene answer %+v, want %q", a, scene.Expected[0])
			}
			if len(a.Codes) != 1 || a.Codes[0].Text != a.Decoded[0] || len(a.Codes[0].Points) != 4 {
				t.Fatalf("codes %+v", a.Codes)
			}
			var q geom.Quad
			for i, p := range a.Codes[0].Points {
				q[i] = geom.Point{X: p[0], Y: p[1]}
			}
			label := scene.Polygons[0]
			if !label.Contains(q.Centroid()) || !q.Contains(label.Centroid()) {
				t.Errorf("corners %v do not overlap the label %v", q, label)
			}
			if a.MS <= 0 {
				t.Errorf("ms = %v", a.MS)
			}

			// No code: an empty answer without error.
			a = s.ask(blankEntries[0].Image)
			if a.Error != "" || len(a.Decoded) != 0 || len(a.Codes) != 0 || a.MS <= 0 {
				t.Errorf("damaged answer %+v", a)
			}

			// A missing file: an error answer, and the peer goes on.
			missing := filepath.Join(t.TempDir(), "missing.png")
			a = s.ask(missing)
			if !strings.HasPrefix(a.Error, "qrcascade peer: ") || !strings.Contains(a.Error, "missing.png") || len(a.Decoded) != 0 || a.Fatal {
				t.Errorf("missing-file answer %+v", a)
			}
			// Blank lines are skipped, not answered.
			if _, err := io.WriteString(s.in, "\n"); err != nil {
				t.Fatal(err)
			}
			if a := s.ask(scene.Image); len(a.Decoded) != 1 {
				t.Errorf("after a blank line: %+v", a)
			}
			if code := s.end(); code != exitOK {
				t.Errorf("exit %d at EOF; stderr: %s", code, s.errb.String())
			}

			// Stage times: one line per image the Reader saw (not the
			// missing file), with the image decoding inside the Read.
			var stages []peerStageTimes
			for _, l := range strings.Split(strings.TrimSpace(s.errb.String()), "\n") {
				var st peerStageTimes
				if l != "" && json.Unmarshal([]byte(l), &st) == nil && st.Path != "" {
					stages = append(stages, st)
				}
			}
			if !tc.timings {
				if len(stages) != 0 {
					t.Errorf("stage lines without --timings: %+v", stages)
				}
				return
			}
			wantPaths := []string{scene.Image, blankEntries[0].Image, scene.Image}
			if len(stages) != len(wantPaths) {
				t.Fatalf("stage lines %+v, want one for each of %v", stages, wantPaths)
			}
			for i, st := range stages {
				if st.Path != wantPaths[i] || st.DecodeMS <= 0 || st.ClassicMS <= 0 || st.ReadMS < st.DecodeMS+st.ClassicMS || st.NanoMS != 0 {
					t.Errorf("stage line %d: %+v", i, st)
				}
			}
		})
	}
}

func TestPeerBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"--frobnicate"}},
		{"positional argument", []string{"some/dir"}},
		{"unknown mode", []string{"--mode", "turbo"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb strings.Builder
			code := runPeer(context.Background(), tc.args, strings.NewReader(""), &out, &errb)
			if code != exitFailure || out.Len() != 0 {
				t.Errorf("exit %d, stdout %q", code, out.String())
			}
		})
	}
}
