package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade"
)

// sampleInvoice returns the bundled sample image's path and text.
func sampleInvoice(t *testing.T) (string, string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "invoice.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join("..", "..", "testdata", "invoice.jpg"), strings.TrimSpace(string(want))
}

// scanWith runs scan with stdin and returns its exit status and outputs.
func scanWith(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runScan(context.Background(), args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestScanEveryInputGetsALine: a missing path neither aborts the batch nor
// loses its line, in every format and with either exit-code convention.
func TestScanEveryInputGetsALine(t *testing.T) {
	sample, text := sampleInvoice(t)
	missing := filepath.Join(t.TempDir(), "missing.jpg")
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    []string // substrings of stdout, in order
		wantErr    string   // substring of stderr
	}{
		{"jsonl", []string{sample, missing}, exitFailure,
			[]string{`"success":true`, `"file":"` + missing + `","success":false`, `"error":"no such file or folder"`}, ""},
		{"zbar exit codes", []string{"--zbar-exit-codes", sample, missing}, 1, []string{`"success":true`, `no such file`}, ""},
		{"human", []string{"--format", "human", sample, missing}, exitFailure,
			[]string{sample + ":1: ", missing + ": error: no such file or folder\n"}, ""},
		{"text prints texts only, errors on stderr", []string{"--format", "text", missing, sample}, exitFailure,
			[]string{text + "\n"}, missing + ": no such file or folder"},
		{"debug keeps the Go chain", []string{"--format", "human", "--debug", missing}, exitFailure,
			[]string{"no such file or folder [stat " + missing + ": no such file or directory]"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := scanWith(t, nil, append([]string{"--progress", "off"}, tc.args...)...)
			if code != tc.wantStatus {
				t.Errorf("exit %d, want %d\n%s", code, tc.wantStatus, stderr)
			}
			rest := stdout
			for _, w := range tc.wantOut {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order):\n%s", w, stdout)
				}
				rest = rest[i+len(w):]
			}
			if !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, stderr)
			}
			if tc.name == "text prints texts only, errors on stderr" && stdout != text+"\n" {
				t.Errorf("text output %q, want only the decoded text", stdout)
			}
		})
	}
}

// TestScanFlagsAnywhere: flags after and between paths are flags; "--"
// ends them.
func TestScanFlagsAnywhere(t *testing.T) {
	sample, text := sampleInvoice(t)
	code, stdout, stderr := scanWith(t, nil, sample, "--format", "text", "--progress=off", sample)
	if code != exitOK || stdout != text+"\n"+text+"\n" {
		t.Errorf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	// After "--", "--format" is a path.
	code, stdout, _ = scanWith(t, nil, "--progress", "off", "--raw", sample, "--", "--format")
	if code != exitFailure || stdout != text+"\n" {
		t.Errorf("after --: exit %d, stdout %q", code, stdout)
	}
}

// TestScanStdin: "-" reads standard input, once.
func TestScanStdin(t *testing.T) {
	sample, text := sampleInvoice(t)
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := scanWith(t, data, "--progress", "off", "--raw", "-")
	if code != exitOK || stdout != text+"\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	code, stdout, _ = scanWith(t, data, "--progress", "off", "-", "-")
	if code != exitFailure || strings.Count(stdout, "\n") != 2 || !strings.Contains(stdout, "standard input was already read") {
		t.Errorf("- twice: exit %d, stdout %q", code, stdout)
	}
}

// TestScanCSVPage: the CSV carries each code's page.
func TestScanCSVPage(t *testing.T) {
	sample, text := sampleInvoice(t)
	_, stdout, _ := scanWith(t, nil, "--progress", "off", "--format", "csv", sample, filepath.Join(t.TempDir(), "x.png"))
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][3] != "page" || rows[1][3] != "1" || rows[1][4] != text || rows[2][3] != "" || rows[2][11] != "no such file or folder" {
		t.Errorf("rows %q", rows)
	}
}

// TestScanAnnotate: --annotate writes a PNG per input with the code's
// outline in green.
func TestScanAnnotate(t *testing.T) {
	sample, _ := sampleInvoice(t)
	dir := filepath.Join(t.TempDir(), "ann")
	code, stdout, stderr := scanWith(t, nil, "--progress", "off", "--annotate", dir, sample)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	var line scanLine
	if err := json.Unmarshal([]byte(stdout), &line); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(annotationPath(dir, sample))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	p := line.Codes[0].Points
	x, y := int((p[0][0]+p[1][0])/2), int((p[0][1]+p[1][1])/2) // middle of the top edge
	r, g, b, _ := img.At(x, y).RGBA()
	if r>>8 != uint32(colorCode.R) || g>>8 != uint32(colorCode.G) || b>>8 != uint32(colorCode.B) {
		t.Errorf("pixel on the outline (%d,%d) = %d,%d,%d, want the code colour", x, y, r>>8, g>>8, b>>8)
	}
}

// TestUserMessage: messages say what failed without package names; the
// chain is kept for --debug.
func TestUserMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"missing", &fs.PathError{Op: "open", Path: "a.jpg", Err: fs.ErrNotExist}, "no such file or folder"},
		{"permission", &fs.PathError{Op: "open", Path: "a.jpg", Err: fs.ErrPermission}, "permission denied"},
		{"malformed jpeg", fmt.Errorf("qrcascade: %w", &qrcascade.FormatError{Format: "jpeg", Err: errors.New("jpegluma: bad huffman")}), "damaged or truncated JPEG file"},
		{"unknown format", &qrcascade.UnsupportedError{}, "not an image or PDF (unknown format)"},
		{"too many pixels", &qrcascade.LimitError{What: "pixels", Limit: 100, Actual: 200}, "too large: 200 pixels, over the limit of 100 (raise --max-pixels)"},
		{"too small", &qrcascade.LimitError{What: qrcascade.LimitSide, Limit: 21, Actual: 1}, "image cannot hold a QR code: its shortest side is 1 pixel, under the minimum of 21"},
		{"too narrow", &qrcascade.LimitError{What: qrcascade.LimitAspect, Limit: 100, Actual: 150}, "image cannot hold a QR code: its aspect ratio 150:1 exceeds the limit of 100:1"},
		{"encrypted", fmt.Errorf("pdf: %w", qrcascade.ErrEncrypted), "the PDF is password-protected"},
		{"timeout", fmt.Errorf("cascade: %w", context.DeadlineExceeded), "gave up: the time limit (--timeout) passed"},
		{"empty", qrcascade.ErrEmpty, "the file is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := userMessage(tc.err, false); got != tc.want {
				t.Errorf("userMessage = %q, want %q", got, tc.want)
			}
			if got := userMessage(tc.err, true); got != tc.want+" ["+tc.err.Error()+"]" {
				t.Errorf("with debug = %q", got)
			}
		})
	}
}

// TestProgressBar: rate and ETA, and the bar erased before each result
// when the results share its terminal.
func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(0, 0)
	bar := newProgressBar(&b, 10, true)
	bar.now = func() time.Time { return now }
	bar.start = now
	now = now.Add(2 * time.Second)
	bar.add(true, false)
	now = now.Add(2 * time.Second)
	bar.add(false, false)
	if got, want := bar.line(), "[####....................] 2/10  0.5/s  ETA 0:16  read 1  no code 1  errors 0"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	b.Reset()
	bar.clear()
	if b.String() != "\r\033[K" {
		t.Errorf("clear wrote %q", b.String())
	}
	var nilBar *progressBar
	nilBar.add(true, false) // a nil bar does nothing
	nilBar.clear()
	nilBar.done()
}

// TestParseInterleaved: positional arguments and flags in any order.
func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"a", "-v", "b"}, "a b"},
		{[]string{"-v", "a", "-", "b"}, "a - b"},
		{[]string{"a", "--", "-v", "b"}, "a -v b"},
		{[]string{"-v"}, ""},
	}
	for _, tc := range tests {
		fset := flag.NewFlagSet("t", flag.ContinueOnError)
		fset.Bool("v", false, "")
		got, err := parseInterleaved(fset, tc.args)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
}
