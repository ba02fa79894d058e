package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
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

// scanLine is one JSON line of scan output.
type scanLine struct {
	File      string           `json:"file"`
	Success   bool             `json:"success"`
	Codes     []qrcascade.Code `json:"codes"`
	LatencyMS float64          `json:"latency_ms"`
	Error     string           `json:"error,omitempty"`
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("scan", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var rf readerFlags
	rf.register(fset)
	workers := fset.Int("workers", runtime.NumCPU(), "images read in parallel")
	format := fset.String("format", "jsonl", "output format: jsonl, csv or text")
	progress := fset.String("progress", "auto", "progress bar on stderr: auto (when a terminal), on, off")
	fset.Usage = func() {
		fmt.Fprintf(stderr, "Usage: qrcascade scan [flags] FILE|DIR...\n\nReads every image and PDF (directories recursively) and prints one result per file;\nevery page of a PDF, TIFF or GIF is read.\nExit status: 0 every image read, 1 some image without code, 2 errors.\n\nFlags:\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return exitFailure
	}
	if fset.NArg() == 0 {
		fset.Usage()
		return exitFailure
	}
	if *format != "jsonl" && *format != "csv" && *format != "text" {
		fmt.Fprintf(stderr, "qrcascade scan: unknown format %q\n", *format)
		return exitFailure
	}
	reader, err := qrcascade.NewReader(rf.options())
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade scan: %v\n", err)
		return exitFailure
	}
	files, err := collectFiles(fset.Args())
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade scan: %v\n", err)
		return exitFailure
	}
	showBar := *progress == "on" || (*progress == "auto" && isTerminal(stderr))
	out := newScanWriter(stdout, *format)
	results := scanFiles(ctx, reader, files, max(1, *workers))
	var bar *progressBar
	if showBar {
		bar = newProgressBar(stderr, len(files))
	}
	code := exitOK
	for line := range results {
		if err := out.write(line); err != nil {
			fmt.Fprintf(stderr, "qrcascade scan: %v\n", err)
			return exitFailure
		}
		switch {
		case line.Error != "":
			code = exitFailure
		case !line.Success && code == exitOK:
			code = exitNoCode
		}
		if bar != nil {
			bar.add(line.Success, line.Error != "")
		}
	}
	if bar != nil {
		bar.done()
	}
	if err := out.flush(); err != nil {
		fmt.Fprintf(stderr, "qrcascade scan: %v\n", err)
		return exitFailure
	}
	if ctx.Err() != nil {
		return exitFailure
	}
	return code
}

// collectFiles expands directories recursively (image extensions only) and
// keeps named files as they are, in argument order, walk order inside
// directories (lexical).
func collectFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && imageExts[strings.ToLower(filepath.Ext(p))] {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// scanFiles reads files with n workers and yields results in input order.
func scanFiles(ctx context.Context, r *qrcascade.Reader, files []string, n int) <-chan scanLine {
	type job struct {
		i    int
		path string
	}
	jobs := make(chan job)
	done := make(chan struct {
		i    int
		line scanLine
	}, n)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				done <- struct {
					i    int
					line scanLine
				}{j.i, scanOne(ctx, r, j.path)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i, f := range files {
			select {
			case jobs <- job{i, f}:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	ordered := make(chan scanLine)
	go func() {
		defer close(ordered)
		pending := map[int]scanLine{}
		next := 0
		for d := range done {
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

func scanOne(ctx context.Context, r *qrcascade.Reader, path string) scanLine {
	line := scanLine{File: path, Codes: []qrcascade.Code{}}
	data, err := os.ReadFile(path)
	if err != nil {
		line.Error = err.Error()
		return line
	}
	start := time.Now()
	res, err := r.Read(ctx, data)
	line.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	if res != nil {
		line.Codes = append(line.Codes, res.Codes...)
		line.Success = res.Success()
	}
	if err != nil {
		line.Error = err.Error()
	}
	return line
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
		if len(l.Codes) == 0 {
			return s.csv.Write([]string{l.File, "false", "", "", "", "", "", "", "", lat, l.Error, "", "", "", "", "", ""})
		}
		for i, c := range l.Codes {
			pts := make([]string, 0, 4)
			for _, p := range c.Points {
				pts = append(pts, fmt.Sprintf("%.1f %.1f", p[0], p[1]))
			}
			row := []string{l.File, "true", strconv.Itoa(i), c.Text, strconv.Itoa(c.Version), c.ECLevel,
				string(c.Tier), string(c.Strategy), strings.Join(pts, ";"), lat, l.Error}
			row = append(row, invoiceColumns(c.Invoice)...)
			err := s.csv.Write(row)
			if err != nil {
				return err
			}
		}
		return nil
	default:
		switch {
		case l.Error != "":
			_, err := fmt.Fprintf(s.w, "%s: error: %s\n", l.File, l.Error)
			return err
		case len(l.Codes) == 0:
			_, err := fmt.Fprintf(s.w, "%s: no code (%s ms)\n", l.File, lat)
			return err
		}
		for _, c := range l.Codes {
			if _, err := fmt.Fprintf(s.w, "%s: %q (%s/%s, v%d-%s, %s ms)\n", l.File, c.Text, c.Tier, c.Strategy, c.Version, c.ECLevel, lat); err != nil {
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

// csvHeader names the CSV columns: one row per code (one per image without
// code), with flat invoice columns (empty unless --invoice recognised one).
var csvHeader = []string{"file", "success", "code_index", "text", "version", "ec_level", "tier", "strategy", "points", "latency_ms", "error",
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

// progressBar draws "[#####.....] n/total read errors" on one terminal line.
type progressBar struct {
	w                    io.Writer
	total, n, read, errs int
	lastDraw             time.Time
}

func newProgressBar(w io.Writer, total int) *progressBar { return &progressBar{w: w, total: total} }

func (b *progressBar) add(read, failed bool) {
	b.n++
	if read {
		b.read++
	}
	if failed {
		b.errs++
	}
	if time.Since(b.lastDraw) > 100*time.Millisecond || b.n == b.total {
		b.draw()
	}
}

func (b *progressBar) draw() {
	b.lastDraw = time.Now()
	const width = 30
	fill := 0
	if b.total > 0 {
		fill = width * b.n / b.total
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d  read %d  errors %d", strings.Repeat("#", fill), strings.Repeat(".", width-fill), b.n, b.total, b.read, b.errs)
}

func (b *progressBar) done() {
	b.draw()
	fmt.Fprintln(b.w)
}
