package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/qrcascade/qrcascade"
)

// The peer command speaks the line protocol of the side-by-side harness
// (../shared/tools/peers, go/internal/peerio), so that qrcascade runs beside
// zxing-cpp, jsQR, quirc, ZBar… over the same manifests with the same
// driver and scorer:
//
//  1. One ready line, before any request:
//     {"ready":true,"peer":NAME,"version":V,"notes":N,"positions":true,"points_frame":"exif"}.
//     Our planes are upright after the EXIF orientation (internal/imgio), so
//     the corners are in the "exif" frame.
//  2. Then, per path line on stdin, exactly one JSON line:
//     {"decoded":[texts],"codes":[{"text":T,"points":[[x,y]×4]}],"ms":F,"error":"…"}
//     with one entry in decoded and codes per code read (same order), the
//     code's four outer corners (top-left, top-right, bottom-right,
//     bottom-left in the symbol's frame), and ms measured here from before
//     the file is read to after the Read returns (file read + image
//     decoding + every tier that ran). "No code" is decoded:[] without error;
//     error is set for an unreadable file or image, or a deadline
//     (--timeout); a partial Result's codes are still reported then.
//  3. It exits 0 at EOF on stdin. Logs go to stderr only; with --timings,
//     one JSON line per image there too, with the Read's stage times
//     (image decoding, classic, nano, large), which the harness keeps in
//     its PEER.log.
//
// Images are read one at a time by one Reader, built from the same flags as
// scan (readerFlags), so a peer run measures exactly what scan would do with
// one worker. The harness times single-threaded readers: run it with
// GOMAXPROCS=1 for a like-for-like latency (scripts/peers.sh does).

// peerReady is the first line of the protocol.
type peerReady struct {
	Ready       bool   `json:"ready"`
	Peer        string `json:"peer"`
	Version     string `json:"version"`
	Notes       string `json:"notes,omitempty"`
	Positions   bool   `json:"positions"`
	PointsFrame string `json:"points_frame"`
}

// peerCode is one code of an answer: its text and four corners.
type peerCode struct {
	Text   string       `json:"text"`
	Points [][2]float64 `json:"points"`
}

// peerAnswer is the protocol's answer to one path.
type peerAnswer struct {
	Decoded []string   `json:"decoded"`
	Codes   []peerCode `json:"codes"`
	MS      float64    `json:"ms"`
	Error   string     `json:"error,omitempty"`
	// Fatal asks the driver to restart the peer: set after a recovered
	// panic, which may have left the Reader's state broken.
	Fatal bool `json:"fatal,omitempty"`
}

func runPeer(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("peer", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var rf readerFlags
	rf.register(fset)
	name := fset.String("name", "", `peer name in the ready line (default "qrcascade" for classic, else "qrcascade-MODE")`)
	timings := fset.Bool("timings", false, "also write one JSON line per image to stderr with the Read's stage times (decode_ms, classic_ms, nano_ms, large_ms, read_ms)")
	fset.Usage = func() {
		fmt.Fprintf(stderr, "Usage: qrcascade peer [flags] < PATHS\n\nSpeaks the line protocol of the tools/peers harness: a ready line, then one JSON\nanswer per image path read from stdin (texts, corners, ms); exits at EOF.\nSee scripts/peers.sh.\n\nFlags:\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return exitFailure
	}
	if fset.NArg() != 0 {
		fset.Usage()
		return exitFailure
	}
	reader, err := qrcascade.NewReader(rf.options())
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade peer: %v\n", err)
		return exitFailure
	}
	defer reader.Close()
	opts := reader.Options()
	peerName := *name
	if peerName == "" {
		peerName = "qrcascade"
		if opts.Mode != qrcascade.ModeClassic {
			peerName += "-" + string(opts.Mode)
		}
	}
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	send := func(v any) bool {
		if err := enc.Encode(v); err != nil {
			fmt.Fprintf(stderr, "qrcascade peer: %v\n", err)
			return false
		}
		if err := out.Flush(); err != nil {
			fmt.Fprintf(stderr, "qrcascade peer: %v\n", err)
			return false
		}
		return true
	}
	ready := peerReady{
		Ready: true, Peer: peerName, Positions: true, PointsFrame: "exif",
		Version: fmt.Sprintf("qrcascade %s %s", buildVersion(), runtime.Version()),
		Notes:   peerNotes(opts),
	}
	if !send(ready) {
		return exitFailure
	}
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64*1024), 1<<20)
	for in.Scan() {
		if ctx.Err() != nil {
			return exitFailure
		}
		path := strings.TrimRight(in.Text(), "\r")
		if path == "" {
			continue
		}
		a, res := peerRead(ctx, reader, path)
		if !send(a) {
			return exitFailure
		}
		if *timings && res != nil {
			writeStageTimes(stderr, path, res.Timings)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(stderr, "qrcascade peer: stdin: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// peerNotes describes the options a peer run used, for the harness's
// meta file.
func peerNotes(o qrcascade.Options) string {
	strategies := "default order"
	if len(o.Strategies) > 0 {
		strategies = joinStrategies(o.Strategies)
	}
	s := fmt.Sprintf("mode %s; strategies %s; GOMAXPROCS %d; image decoded by internal/imgio (EXIF applied)",
		o.Mode, strategies, runtime.GOMAXPROCS(0))
	if o.All {
		s += "; all strategies"
	}
	if o.Timeout > 0 {
		s += "; timeout " + o.Timeout.String()
	}
	return s
}

// peerStageTimes is the --timings line: where one Read spent its time, in
// milliseconds (Result.Timings). read_ms excludes the file read that the
// answer's ms includes.
type peerStageTimes struct {
	Path      string  `json:"path"`
	DecodeMS  float64 `json:"decode_ms"`
	ClassicMS float64 `json:"classic_ms"`
	NanoMS    float64 `json:"nano_ms"`
	LargeMS   float64 `json:"large_ms"`
	ReadMS    float64 `json:"read_ms"`
}

func writeStageTimes(w io.Writer, path string, t qrcascade.Timings) {
	ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
	line, err := json.Marshal(peerStageTimes{Path: path, DecodeMS: ms(t.DecodeImage), ClassicMS: ms(t.Classic),
		NanoMS: ms(t.Nano), LargeMS: ms(t.Large), ReadMS: ms(t.Total)})
	if err == nil {
		fmt.Fprintf(w, "%s\n", line)
	}
}

// peerRead answers one path: the file is read and decoded inside the timed
// span. It also returns the Result (nil when the file could not be read) for
// the --timings line. A panic in the Reader is reported as a fatal error
// answer so the driver restarts the peer rather than losing the whole run.
func peerRead(ctx context.Context, r *qrcascade.Reader, path string) (a peerAnswer, res *qrcascade.Result) {
	a = peerAnswer{Decoded: []string{}, Codes: []peerCode{}}
	start := time.Now()
	defer func() {
		a.MS = float64(time.Since(start).Nanoseconds()) / 1e6
		if p := recover(); p != nil {
			a.Error = fmt.Sprintf("qrcascade peer: panic: %v", p)
			a.Fatal = true
		}
	}()
	data, err := os.ReadFile(path)
	if err != nil {
		a.Error = fmt.Sprintf("qrcascade peer: %v", err)
		return a, nil
	}
	res, err = r.Read(ctx, data)
	if res != nil {
		for _, c := range res.Codes {
			pts := make([][2]float64, len(c.Points))
			for i, p := range c.Points {
				pts[i] = [2]float64{p[0], p[1]}
			}
			a.Decoded = append(a.Decoded, c.Text)
			a.Codes = append(a.Codes, peerCode{Text: c.Text, Points: pts})
		}
	}
	if err != nil {
		a.Error = err.Error()
	}
	return a, res
}
