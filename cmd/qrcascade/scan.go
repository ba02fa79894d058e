package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qrcascade/qrcascade"
)

// imageExts are the file extensions a directory walk picks up (images and
// PDF documents). Files named on the command line are read whatever their
// name (the format is sniffed from the bytes).
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".bmp": true,
	".tif": true, ".tiff": true, ".webp": true, ".pdf": true,
}

// stdinName is the path argument that reads the input from standard input.
const stdinName = "-"

// scanLine is one JSON line of scan output: one per input, whatever
// happened to it.
type scanLine struct {
	File      string           `json:"file"`
	Success   bool             `json:"success"`
	Codes     []qrcascade.Code `json:"codes"`
	Pages     int              `json:"pages,omitempty"`
	LatencyMS float64          `json:"latency_ms"`
	// Error says what failed, in words a user understands; ErrorDetail
	// (with --debug) is the Go error chain behind it.
	Error       string `json:"error,omitempty"`
	ErrorDetail string `json:"error_detail,omitempty"`

	res *qrcascade.Result // for --annotate
	raw []byte            // the input's bytes, for --annotate
}

// Exit statuses of scan. The defaults follow the grep/diff habit (0 found,
// 1 not found, 2 trouble); --zbar-exit-codes switches to zbarimg's.
type exitCodes struct {
	allRead, someUnread, failure, interrupted int
}

var (
	defaultExitCodes = exitCodes{allRead: exitOK, someUnread: exitNoCode, failure: exitFailure, interrupted: 130}
	// zbarimg(1): 0 barcodes in every image, 1 an error (bad arguments,
	// I/O, image handling), 3 the user quit, 4 no barcode in one or more
	// images and no error.
	zbarExitCodes = exitCodes{allRead: 0, someUnread: 4, failure: 1, interrupted: 3}
)

const scanUsage = `Usage: qrcascade scan [flags] FILE|DIR|- ...

Reads every image and PDF (directories recursively, "-" from standard input)
and prints one result per input, in argument order, whatever happens to the
others: a missing or damaged file gets its own line with the error. Every
page of a PDF, TIFF or GIF is read. Flags may come before, between or after
the paths ("--" ends the flags).

Output (--format):
  jsonl   one JSON object per input: file, success, codes (text, points,
          page, tier, strategy, model, …), latency_ms, error (default)
  csv     one row per code (one per input without code), with its page
  text    only the decoded texts, one per line (zbarimg --raw, ZXingReader -1);
          inputs without code print nothing, errors go to standard error
  human   file:page: "text" (tier/strategy, version, latency) for reading

Exit status: 0 every input read, 1 some input without code (and no error),
2 some input failed (missing, unreadable, unsupported) or bad usage,
130 interrupted. With --zbar-exit-codes, zbarimg's: 0 every input read,
4 some input without code, 1 an error, 3 interrupted.

Flags:
`

// scanFlags are scan's own flags.
type scanFlags struct {
	reader   readerFlags
	workers  int
	format   string
	raw      bool
	progress string
	annotate string
	zbar     bool
	debug    bool
}

func runScan(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("scan", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var f scanFlags
	f.reader.register(fset)
	fset.IntVar(&f.workers, "workers", runtime.NumCPU(), "inputs read in parallel")
	fset.StringVar(&f.format, "format", "jsonl", "output: jsonl, csv, text (decoded texts only) or human")
	fset.BoolVar(&f.raw, "raw", false, "same as --format text: only the decoded texts, one per line")
	fset.StringVar(&f.progress, "progress", "auto", "progress bar with rate and ETA on standard error: auto (when standard error is a terminal), on, off")
	fset.StringVar(&f.annotate, "annotate", "", "write a PNG per input into this folder: each code outlined with its text, each unread candidate with the stage where it stopped")
	fset.BoolVar(&f.zbar, "zbar-exit-codes", false, "exit with zbarimg's statuses (0 all read, 4 some without code, 1 error, 3 interrupted)")
	fset.BoolVar(&f.debug, "debug", false, "add the Go error chain to every error (error_detail in JSON)")
	fset.Usage = func() {
		fmt.Fprint(stderr, scanUsage)
		fset.PrintDefaults()
	}
	paths, err := parseInterleaved(fset, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitFailure // the flag package has printed why
	}
	codes := defaultExitCodes
	if f.zbar {
		codes = zbarExitCodes
	}
	if f.raw {
		f.format = "text"
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "qrcascade scan: no input given (a file, a folder, or - for standard input)")
		fset.Usage()
		return codes.failure
	}
	switch f.format {
	case "jsonl", "csv", "text", "human":
	default:
		fmt.Fprintf(stderr, "qrcascade scan: unknown format %q (jsonl, csv, text or human)\n", f.format)
		return codes.failure
	}
	if f.progress != "auto" && f.progress != "on" && f.progress != "off" {
		fmt.Fprintf(stderr, "qrcascade scan: --progress %q: want auto, on or off\n", f.progress)
		return codes.failure
	}
	opts := f.reader.options()
	if f.annotate != "" {
		opts.Explain = true // the candidates and their stage
		if err := os.MkdirAll(f.annotate, 0o755); err != nil {
			fmt.Fprintf(stderr, "qrcascade scan: --annotate: cannot create the folder %s: %v\n", f.annotate, userMessage(err, f.debug))
			return codes.failure
		}
	}
	reader, err := qrcascade.NewReader(opts)
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade scan: %v\n", err)
		return codes.failure
	}
	defer reader.Close()

	inputs := collectInputs(paths)
	out := newScanWriter(stdout, f.format)
	var bar *progressBar
	if f.progress == "on" || (f.progress == "auto" && isTerminal(stderr)) {
		bar = newProgressBar(stderr, len(inputs), isTerminal(stdout))
	}
	src := &inputSource{stdin: stdin}
	results := scanInputs(ctx, reader, src, inputs, max(1, f.workers), f.annotate != "")
	status := codes.allRead
	for line := range results {
		if line.Error != "" && !f.debug {
			line.ErrorDetail = ""
		}
		if f.annotate != "" && line.res != nil {
			if err := writeAnnotation(f.annotate, line, f.reader); err != nil {
				line.Error = "annotated image not written: " + userMessage(err, false)
				if f.debug {
					line.ErrorDetail = err.Error()
				}
			}
		}
		bar.clear()
		if err := out.write(line); err != nil {
			bar.clear()
			fmt.Fprintf(stderr, "qrcascade scan: writing the results: %v\n", err)
			return codes.failure
		}
		if line.Error != "" && f.format == "text" {
			msg := line.Error
			if f.debug {
				msg += " [" + line.ErrorDetail + "]"
			}
			fmt.Fprintf(stderr, "qrcascade scan: %s: %s\n", line.File, msg)
		}
		switch {
		case line.Error != "":
			status = codes.failure
		case !line.Success && status == codes.allRead:
			status = codes.someUnread
		}
		bar.add(line.Success, line.Error != "")
	}
	bar.done()
	if err := out.flush(); err != nil {
		fmt.Fprintf(stderr, "qrcascade scan: writing the results: %v\n", err)
		return codes.failure
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "qrcascade scan: interrupted")
		return codes.interrupted
	}
	return status
}

// parseInterleaved parses flags anywhere among the positional arguments,
// as GNU tools do: Go's flag package stops at the first non-flag, so parsing
// resumes after each one. "--" ends the flags; "-" is a path (stdin).
func parseInterleaved(fset *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, err
		}
		rest := fset.Args()
		if len(rest) == 0 {
			return paths, nil
		}
		// flag.Parse consumed a "--" if the args before rest ended with it.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(paths, rest...), nil
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
}

// input is one thing to read: a path, or the error that kept it from being
// listed (a missing path, an unreadable folder).
type input struct {
	path string
	err  error
}

// collectInputs expands folders recursively (image and PDF extensions
// only) and keeps the other paths as they are, in argument order (lexical
// order inside folders). A path that cannot be listed becomes an input
// carrying its error, so that it gets its own result line.
func collectInputs(paths []string) []input {
	var in []input
	for _, p := range paths {
		if p == stdinName {
			in = append(in, input{path: p})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			in = append(in, input{path: p, err: err})
			continue
		}
		if !st.IsDir() {
			in = append(in, input{path: p})
			continue
		}
		found := 0
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				in = append(in, input{path: q, err: err})
				return nil // skip what cannot be listed, keep walking
			}
			if !d.IsDir() && imageExts[strings.ToLower(filepath.Ext(q))] {
				in = append(in, input{path: q})
				found++
			}
			return nil
		})
		if err == nil && found == 0 {
			in = append(in, input{path: p, err: errNoImages})
		}
	}
	return in
}

// errNoImages reports a folder without any image or PDF.
var errNoImages = errors.New("scan: folder holds no image or PDF (.jpg .jpeg .png .gif .bmp .tif .tiff .webp .pdf)")

// inputSource reads inputs' bytes; standard input can be read once.
type inputSource struct {
	mu       sync.Mutex
	stdin    io.Reader
	consumed bool
}

// errStdinTwice reports a second "-" among the paths.
var errStdinTwice = errors.New("scan: standard input was already read (give - once)")

func (s *inputSource) read(path string) ([]byte, error) {
	if path != stdinName {
		return os.ReadFile(path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.consumed || s.stdin == nil {
		return nil, errStdinTwice
	}
	s.consumed = true
	data, err := io.ReadAll(s.stdin)
	if err != nil {
		return nil, fmt.Errorf("scan: reading standard input: %w", err)
	}
	return data, nil
}

// scanInputs reads inputs with n workers and yields one line per input, in
// input order. With keep, each line holds the Result and bytes for
// annotation.
func scanInputs(ctx context.Context, r *qrcascade.Reader, src *inputSource, inputs []input, n int, keep bool) <-chan scanLine {
	type done struct {
		i    int
		line scanLine
	}
	jobs := make(chan int)
	results := make(chan done, n)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results <- done{i, scanOne(ctx, r, src, inputs[i], keep)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range inputs {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	ordered := make(chan scanLine)
	go func() {
		defer close(ordered)
		pending := map[int]scanLine{}
		next := 0
		for d := range results {
			pending[d.i] = d.line
			for {
				l, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				ordered <- l
				next++
			}
		}
	}()
	return ordered
}

// scanOne reads one input into its line.
func scanOne(ctx context.Context, r *qrcascade.Reader, src *inputSource, in input, keep bool) scanLine {
	line := scanLine{File: in.path, Codes: []qrcascade.Code{}}
	fail := func(err error) scanLine {
		line.Error, line.ErrorDetail = userMessage(err, false), err.Error()
		return line
	}
	if in.err != nil {
		return fail(in.err)
	}
	data, err := src.read(in.path)
	if err != nil {
		return fail(err)
	}
	start := time.Now()
	res, err := r.Read(ctx, data)
	line.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	if res != nil {
		line.Codes = append(line.Codes, res.Codes...)
		line.Success = res.Success()
		line.Pages = res.Image.Pages
	}
	if err != nil {
		return fail(err)
	}
	if keep {
		line.res, line.raw = res, data
	}
	return line
}

// userMessage says what went wrong in words, without the package names of
// the Go error chain (which --debug adds).
func userMessage(err error, debug bool) string {
	msg := plainMessage(err)
	if debug {
		msg += " [" + err.Error() + "]"
	}
	return msg
}

func plainMessage(err error) string {
	var (
		fe   *qrcascade.FormatError
		ue   *qrcascade.UnsupportedError
		le   *qrcascade.LimitError
		perr *fs.PathError
	)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, errNoImages):
		return "the folder holds no image or PDF"
	case errors.Is(err, errStdinTwice):
		return "standard input was already read (give - once)"
	case errors.Is(err, qrcascade.ErrEmpty):
		return "the file is empty"
	case errors.Is(err, qrcascade.ErrEncrypted):
		return "the PDF is password-protected"
	case errors.As(err, &le) && le.Unprocessable():
		// a shape that cannot hold a code (too small a side, too narrow):
		// the library's message says which, and no flag changes it
		return le.Error()
	case errors.As(err, &le):
		hint := ""
		switch le.What {
		case "bytes":
			hint = " (raise --max-bytes)"
		case "pixels":
			hint = " (raise --max-pixels)"
		}
		return fmt.Sprintf("too large: %d %s, over the limit of %d%s", le.Actual, le.What, le.Limit, hint)
	case errors.As(err, &ue):
		switch {
		case ue.Format == "" && ue.Reason == "":
			return "not an image or PDF (unknown format)"
		case ue.Format == "":
			return "not supported: " + ue.Reason
		case ue.Reason == "":
			return "unsupported " + strings.ToUpper(ue.Format) + " file"
		}
		return "unsupported " + strings.ToUpper(ue.Format) + " file: " + ue.Reason
	case errors.As(err, &fe):
		return "damaged or truncated " + strings.ToUpper(fe.Format) + " file"
	case errors.Is(err, context.DeadlineExceeded):
		return "gave up: the time limit (--timeout) passed"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &perr):
		return perr.Op + ": " + perr.Err.Error()
	}
	return err.Error()
}

// scanWriter renders scan lines in one of the output formats.
type scanWriter struct {
	format string
	w      io.Writer
	enc    *json.Encoder
	csv    *csv.Writer
}

func newScanWriter(w io.Writer, format string) *scanWriter {
	s := &scanWriter{format: format, w: w}
	switch format {
	case "jsonl":
		s.enc = json.NewEncoder(w)
		s.enc.SetEscapeHTML(false)
	case "csv":
		s.csv = csv.NewWriter(w)
		s.csv.Write(csvHeader)
	}
	return s
}

func (s *scanWriter) write(l scanLine) error {
	lat := strconv.FormatFloat(l.LatencyMS, 'f', 3, 64)
	switch s.format {
	case "jsonl":
		return s.enc.Encode(l)
	case "csv":
		defer s.csv.Flush() // a line at a time: a reader (or the terminal) sees it at once
		if len(l.Codes) == 0 {
			row := []string{l.File, "false", "", "", "", "", "", "", "", "", lat, l.Error}
			return s.csv.Write(append(row, invoiceColumns(nil)...))
		}
		for i, c := range l.Codes {
			pts := make([]string, 0, 4)
			for _, p := range c.Points {
				pts = append(pts, fmt.Sprintf("%.1f %.1f", p[0], p[1]))
			}
			row := []string{l.File, "true", strconv.Itoa(i), strconv.Itoa(max(c.Page, 1)), c.Text, strconv.Itoa(c.Version), c.ECLevel,
				string(c.Tier), string(c.Strategy), strings.Join(pts, ";"), lat, l.Error}
			row = append(row, invoiceColumns(c.Invoice)...)
			if err := s.csv.Write(row); err != nil {
				return err
			}
		}
		return nil
	case "text":
		for _, c := range l.Codes {
			if _, err := fmt.Fprintln(s.w, c.Text); err != nil {
				return err
			}
		}
		return nil
	default: // human
		switch {
		case l.Error != "":
			msg := l.Error
			if l.ErrorDetail != "" {
				msg += " [" + l.ErrorDetail + "]"
			}
			_, err := fmt.Fprintf(s.w, "%s: error: %s\n", l.File, msg)
			return err
		case len(l.Codes) == 0:
			_, err := fmt.Fprintf(s.w, "%s: no code (%s ms)\n", l.File, lat)
			return err
		}
		for _, c := range l.Codes {
			if _, err := fmt.Fprintf(s.w, "%s:%d: %q (%s/%s, v%d-%s, %s ms)\n", l.File, max(c.Page, 1), c.Text, c.Tier, c.Strategy, c.Version, c.ECLevel, lat); err != nil {
				return err
			}
		}
		return nil
	}
}

func (s *scanWriter) flush() error {
	if s.csv != nil {
		s.csv.Flush()
		return s.csv.Error()
	}
	return nil
}

// csvHeader names the CSV columns: one row per code (one per input without
// code), with its 1-based page and flat invoice columns (empty unless
// --invoice recognised one).
var csvHeader = []string{"file", "success", "code_index", "page", "text", "version", "ec_level", "tier", "strategy", "points", "latency_ms", "error",
	"invoice_scheme", "invoice_issuer_tax_id", "invoice_date", "invoice_total", "invoice_currency", "invoice_valid"}

// invoiceColumns flattens an invoice into the CSV invoice columns.
func invoiceColumns(inv *qrcascade.Invoice) []string {
	if inv == nil {
		return []string{"", "", "", "", "", ""}
	}
	return []string{inv.Scheme, inv.Fields.IssuerTaxID, inv.Fields.Date, string(inv.Fields.Total), inv.Fields.Currency, strconv.FormatBool(inv.Valid)}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
