package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/invoice"
	"github.com/qrcascade/qrcascade/internal/server"
)

// envPrefix prefixes the environment variable of every serve flag:
// --max-concurrent is QRCASCADE_MAX_CONCURRENT.
const envPrefix = "QRCASCADE_"

// envName returns the environment variable of a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// serveFlags are the flags of `qrcascade serve`.
type serveFlags struct {
	reader          readerFlags
	addr            string
	maxConcurrent   int
	queue           int
	retryAfter      time.Duration
	overloadPause   time.Duration
	readTimeout     time.Duration
	minBodyRate     int64
	bodyGrace       time.Duration
	bodyMemory      int64
	maxConns        int
	shutdownTimeout time.Duration
	logLevel        string
	logFormat       string
	eagerNano       bool
	pdfWarm         bool
	pdfCacheDir     string
	pdfInstances    int
	pdfMemory       int64
}

// newServeFlagSet registers the serve flags, with the environment variable
// of each named in its usage.
func newServeFlagSet(f *serveFlags, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", server.DefaultAddr, "listen address, host:port")
	fs.BoolVar(&f.eagerNano, "eager-nano", false, "load the nano model at start instead of on first use")
	fs.BoolVar(&f.pdfWarm, "pdf-warm", true, "start the PDF engine at start-up, /readyz failing until it has started, so that no request waits for its compilation (false: on the first PDF)")
	fs.StringVar(&f.pdfCacheDir, "pdf-cache-dir", "", "directory of the PDF engine's compilation cache (default: qrcascade/wazero under the user cache directory; off: none)")
	fs.IntVar(&f.pdfInstances, "pdf-instances", 2, "PDF documents rendered at once, each in its own PDFium instance of up to --pdf-memory")
	fs.Int64Var(&f.pdfMemory, "pdf-memory", 0, "WebAssembly memory of one PDFium instance in bytes; PDFium's allocations fail past it (0: 96 MiB)")
	f.reader.register(fs)
	// Serve bounds every request by default; scan and bench do not.
	to := fs.Lookup("timeout")
	to.Usage = "deadline per request once its body is read, queue wait and decoding included; answered 504 (0: none)"
	to.DefValue = "10s"
	_ = to.Value.Set(to.DefValue)
	mb := fs.Lookup("max-bytes")
	mb.Usage = "largest request body in bytes, answered 413 (0: 32 MiB)"
	fs.IntVar(&f.maxConcurrent, "max-concurrent", runtime.NumCPU(), "decodes that run at once (default: the CPU count)")
	fs.IntVar(&f.queue, "queue", 0, "admitted requests that may wait for a decode slot; beyond, 503 at once (0: 2 × max-concurrent, <0: none)")
	fs.DurationVar(&f.retryAfter, "retry-after", time.Second, "Retry-After of 503 answers (whole seconds)")
	fs.DurationVar(&f.overloadPause, "overload-pause", 250*time.Millisecond, "time a request that finds the service full waits (holding nothing, body unread) before its 503, pacing clients that ignore Retry-After (<0: none)")
	fs.DurationVar(&f.readTimeout, "read-timeout", 30*time.Second, "deadline to read a whole request from a slow client")
	fs.Int64Var(&f.minBodyRate, "min-body-rate", 16<<10, "bytes per second a request body must average once --body-grace has passed; slower: 408 and the connection closes (<0: no rate check)")
	fs.DurationVar(&f.bodyGrace, "body-grace", 2*time.Second, "time a request body may take before --min-body-rate applies")
	fs.Int64Var(&f.bodyMemory, "body-memory", 0, "bytes of request bodies held at once (received, queued, decoding); beyond, 503 (0: (max-concurrent+queue) × max-bytes, 64 MiB..1 GiB)")
	fs.IntVar(&f.maxConns, "max-conns", 512, "open connections; at the cap the longest idle one is closed, or the new one answered 503 (<0: no cap; keep it under the file descriptor limit)")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 15*time.Second, "on SIGTERM/SIGINT, time given to admitted requests before connections close (unfinished uploads get at most 1 s)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error (debug also logs probes and scrapes)")
	fs.StringVar(&f.logFormat, "log-format", "json", "log format on stderr: json or text")
	fs.VisitAll(func(fl *flag.Flag) {
		fl.Usage += " [$" + envName(fl.Name) + "]"
	})
	return fs
}

// applyEnv sets every flag whose environment variable is set; flags on the
// command line, parsed afterwards, win.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(fl *flag.Flag) {
		if v := getenv(envName(fl.Name)); v != "" && err == nil {
			if e := fs.Set(fl.Name, v); e != nil {
				err = fmt.Errorf("$%s=%q: %w", envName(fl.Name), v, e)
			}
		}
	})
	return err
}

// newLogger builds the JSON (or text) logger of the service.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", format)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return serveWith(ctx, args, os.Getenv, stderr)
}

// serveWith is runServe with its environment as a function (for tests).
func serveWith(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	var f serveFlags
	fs := newServeFlagSet(&f, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: qrcascade serve [flags]

Serves the HTTP API: POST /detect (raw image body or multipart field "image";
query mode=, multi=, invoice=), GET /healthz, GET /readyz, GET /metrics, GET /.
Every flag can also be set by the environment variable in brackets; a flag on
the command line wins. SIGTERM or SIGINT drains in-flight requests and exits.
See docs/SERVICE.md.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := applyEnv(fs, getenv); err != nil {
		fmt.Fprintf(stderr, "qrcascade serve: %v\n", err)
		return exitFailure
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitFailure
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "qrcascade serve: unexpected arguments %q\n", fs.Args())
		return exitFailure
	}
	log, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade serve: %v\n", err)
		return exitFailure
	}
	opts := f.reader.options()
	timeout := opts.Timeout
	opts.Timeout = 0 // the server's per-request context carries the deadline
	// Every read collects the explain data (unread candidates and their
	// stage, per-page timings) so that explain=1 and the operator page can
	// show it; answers without explain=1 leave it out.
	opts.Explain = true
	defaultMode := opts.Mode
	// One PDF engine for every mode's Reader: each engine would compile
	// PDFium (seconds) and hold its own instances.
	pdfEngine, err := qrcascade.NewPDFEngine(qrcascade.PDFOptions{CacheDir: f.pdfCacheDir, Instances: f.pdfInstances, MaxMemory: f.pdfMemory})
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade serve: %v\n", err)
		return exitFailure
	}
	defer pdfEngine.Close() // after the drain: no request renders any more
	opts.PDF = pdfEngine
	if _, err := qrcascade.NewReader(opts); err != nil {
		fmt.Fprintf(stderr, "qrcascade serve: %v\n", err)
		return exitFailure
	}
	if f.eagerNano && opts.Models.Available(qrcascade.ModelNano) {
		if err := opts.Models.Load(qrcascade.ModelNano); err != nil {
			fmt.Fprintf(stderr, "qrcascade serve: %v\n", err)
			return exitFailure
		}
	}
	defer opts.Models.Close()
	readers, err := server.NewReaders(opts, server.AllModes()...)
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade serve: %v\n", err)
		return exitFailure
	}
	if timeout == 0 {
		timeout = -1 // serve: 0 means no deadline
	}
	maxBody := f.reader.maxBytes
	if maxBody < 0 {
		maxBody = math.MaxInt64 // no limit, as for the reader
	}
	invoices := invoice.NewRegistry()
	var schemes []string
	for _, sc := range invoices.Schemes() {
		schemes = append(schemes, sc.ID)
	}
	// With --pdf-warm, /readyz fails until the PDF engine has started:
	// no request waits for PDFium's compilation (issue #14).
	var ready func() error
	if f.pdfWarm {
		ready = pdfEngine.Ready
	}
	srv, err := server.New(server.Config{
		Invoice: func(text string) (any, string) {
			if inv, ok := invoices.Parse(text); ok {
				return inv, inv.Scheme
			}
			return nil, ""
		},
		InvoiceSchemes: schemes,
		Models:         opts.Models,
		Readers:        readers, DefaultMode: defaultMode,
		RequestTimeout: timeout, MaxBodyBytes: maxBody,
		MaxConcurrent: f.maxConcurrent, QueueLength: f.queue, RetryAfter: f.retryAfter, OverloadPause: f.overloadPause,
		ReadTimeout: f.readTimeout, ShutdownTimeout: f.shutdownTimeout,
		MinBodyRate: f.minBodyRate, BodyGrace: f.bodyGrace, BodyMemory: f.bodyMemory, MaxConns: f.maxConns,
		Logger: log, Version: buildVersion(),
		Ready: ready,
	})
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade serve: %v\n", err)
		return exitFailure
	}
	if f.pdfWarm {
		log.Info("pdf engine warming")
		go func() {
			if err := pdfEngine.Warm(ctx); err != nil {
				log.Warn("pdf engine not ready", "err", err)
				return
			}
			took, cache := pdfEngine.StartupInfo()
			log.Info("pdf engine ready", "took_ms", took.Milliseconds(), "cache_dir", cache)
		}()
	}
	if err := srv.ListenAndServe(ctx, f.addr); err != nil {
		log.Error("serve failed", "err", err)
		return exitFailure
	}
	return exitOK
}
