package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/qrcascade/qrcascade/internal/imgio"
)

// Defaults for the zero fields of Config.
const (
	DefaultDPI       = 200                    // render resolution, dots per inch
	DefaultMaxPages  = imgio.DefaultMaxPages  // pages per document (the limit of every multi-page input)
	DefaultMaxPixels = imgio.DefaultMaxPixels // rendered pixels per page, as for images (A4 at 200 dpi is 3.9e6)
	DefaultInstances = 2                      // PDFium instances alive at once
	DefaultTimeout   = 30 * time.Second       // one document, open to close
	DefaultMaxMemory = 96 << 20               // WebAssembly linear memory per instance, bytes (docs/PDF.md)
	// MaxDPI is the largest resolution Render accepts.
	MaxDPI = 2400
)

// cacheKey names the subdirectory of the compilation cache. wazero keys
// its entries by its own version, which it reads from the binary's build
// information and reports as "dev" where that is missing (test binaries):
// machine code compiled by one wazero version and loaded by another would
// be unsafe, so the versions of the module that embeds pdfium.wasm and of
// wazero are part of the path. TestCacheKeyMatchesGoMod keeps them true.
const cacheKey = "go-pdfium-v1.21.4-wazero-v1.12.0"

// wasmPage is the size of a WebAssembly memory page (WebAssembly core
// specification, section 2.3.8, "Memory Types").
const wasmPage = 64 << 10

// Config configures an Engine. The zero value is ready to use: 200 dpi, 20
// pages, 50 megapixels per page, two instances, 30 s per document, 96 MiB
// of memory per instance, the default stream limits of Scan, compilation
// cache under os.UserCacheDir.
type Config struct {
	// DPI is the default render resolution, used by callers that have no
	// better idea. 0: DefaultDPI (200). At most MaxDPI.
	DPI int
	// MaxPages refuses documents with more pages (*imgio.LimitError
	// "pages"). 0: DefaultMaxPages (20); < 0: no limit.
	MaxPages int
	// MaxPixels bounds one rendered plane (width × height); a page that
	// would exceed it is rendered at the highest DPI that fits. 0:
	// DefaultMaxPixels (50e6); < 0: no bound beyond MaxMemory.
	MaxPixels int64
	// Instances bounds the PDFium instances alive at once, hence the
	// documents open at once: Open waits (respecting its context) for a
	// free one. 0: DefaultInstances (2).
	Instances int
	// Timeout bounds one document from Open to Close, whatever the
	// caller's context says. 0: DefaultTimeout (30 s); < 0: none.
	Timeout time.Duration
	// MaxMemory bounds the WebAssembly linear memory of one instance, in
	// bytes (rounded down to 64 KiB pages). 0: DefaultMaxMemory (96
	// MiB). At most 4 GiB (32-bit WebAssembly). An allocation past it
	// fails inside PDFium, which then skips the object (an image is not
	// drawn) or fails the call (*imgio.FormatError); the instance is
	// discarded with its document, so the memory goes back to Go.
	MaxMemory int64
	// Scan bounds the decoded size of the document's streams, checked by
	// Scan in Open before PDFium sees the file. The zero value uses the
	// defaults of ScanLimits.
	Scan ScanLimits
	// CacheDir is the directory of wazero's compilation cache. "":
	// DefaultCacheDir(). When the directory cannot be created or written,
	// the cache is skipped (every start compiles). Entries are keyed by the
	// wazero version and the module's hash, so versions can share it.
	CacheDir string
	// NoCache disables the compilation cache. Default false.
	NoCache bool
	// ReuseInstances gives an instance back to the pool after a document
	// instead of discarding it, so that the next document skips the
	// instantiation (a fresh instance costs 5 to 30 ms, a reused one
	// under 1 ms; see docs/PDF.md). A document can then leave state
	// behind for the next one (PDFium's caches, leaks, linear memory
	// grown up to MaxMemory), so this is for the fuzz targets and
	// benchmarks, not for untrusted documents in a server. An instance is
	// discarded all the same after a document whose context ended (the
	// instance was killed), whose call panicked or failed with anything
	// but a PDFium status code (a WebAssembly trap or exit, an allocation
	// past MaxMemory; see instanceFault), and after maxInstanceDocuments
	// documents. Default false: a fresh instance per document.
	ReuseInstances bool
}

// Validate reports the first invalid field of c.
func (c Config) Validate() error {
	switch {
	case c.DPI < 0 || c.DPI > MaxDPI:
		return fmt.Errorf("pdf: dpi %d outside 0..%d", c.DPI, MaxDPI)
	case c.Instances < 0:
		return fmt.Errorf("pdf: negative instance count %d", c.Instances)
	case c.MaxMemory < 0 || c.MaxMemory > 1<<32:
		return fmt.Errorf("pdf: max memory %d outside 0..4 GiB", c.MaxMemory)
	case c.MaxMemory > 0 && c.MaxMemory < 16<<20:
		return fmt.Errorf("pdf: max memory %d below 16 MiB, PDFium cannot start", c.MaxMemory)
	}
	return nil
}

// withDefaults returns c with zero fields replaced by the defaults.
func (c Config) withDefaults() Config {
	if c.DPI == 0 {
		c.DPI = DefaultDPI
	}
	if c.MaxPages == 0 {
		c.MaxPages = DefaultMaxPages
	}
	if c.MaxPixels == 0 {
		c.MaxPixels = DefaultMaxPixels
	}
	if c.Instances == 0 {
		c.Instances = DefaultInstances
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxMemory == 0 {
		c.MaxMemory = DefaultMaxMemory
	}
	return c
}

// DefaultCacheDir returns the compilation cache directory used when
// Config.CacheDir is empty: "github.com/qrcascade/qrcascade/wazero" under os.UserCacheDir, or ""
// (no cache) when the user has no cache directory.
func DefaultCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		return ""
	}
	return filepath.Join(base, "qrcascade", "wazero")
}

// ErrClosed is returned by Open and Warm after Close.
var ErrClosed = errors.New("pdf: engine closed")

// Engine renders PDF pages. Create it with New; it compiles PDFium on first
// use (see the package documentation). It is safe for concurrent use.
type Engine struct {
	cfg Config

	once  sync.Once
	ready chan struct{} // closed when init has finished, well or not

	// Set by init before ready is closed, read only afterwards.
	pool     pdfium.Pool
	cache    wazero.CompilationCache
	cacheDir string // the cache in use, "" when none
	initErr  error
	initTime time.Duration

	mu     sync.Mutex
	closed bool
	// served counts the documents each reused instance has served, by
	// its implementation (Config.ReuseInstances); guarded by mu.
	served map[any]int

	freeing atomic.Bool // a releaseMemory is running
}

// releaseMemory returns the heap's free memory to the operating system in
// the background (debug.FreeOSMemory: a collection, then the free pages
// returned), after an instance was closed or killed with its memory; calls
// while one runs are dropped. It costs a few milliseconds of CPU, off the
// request's path, against tens of megabytes per document that the heap
// would otherwise hold until the next collection and the scavenger.
func (e *Engine) releaseMemory() {
	if !e.freeing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer e.freeing.Store(false)
		debug.FreeOSMemory()
	}()
}

// New validates cfg and returns an Engine. It does not start PDFium.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg.withDefaults(), ready: make(chan struct{}), served: map[any]int{}}, nil
}

// Config returns the engine's configuration, defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Warm compiles and starts PDFium now instead of on the first Open, and
// waits for it or for ctx. Compilation goes on in the background when ctx
// ends first. It returns the start-up error, if any; a failed start is not
// retried.
func (e *Engine) Warm(ctx context.Context) error {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return ErrClosed
	}
	e.once.Do(func() { go e.init() })
	select {
	case <-e.ready:
		return e.initErr
	case <-ctx.Done():
		return fmt.Errorf("pdf: waiting for the engine to start: %w", ctx.Err())
	}
}

// ErrNotStarted is returned by Ready before the engine has started.
var ErrNotStarted = errors.New("pdf: engine not started yet")

// Ready reports, without blocking, whether the engine has started: nil
// when it has, ErrNotStarted while it has not (Warm starts it), the
// start-up error when it failed, ErrClosed after Close.
func (e *Engine) Ready() error {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return ErrClosed
	}
	select {
	case <-e.ready:
		return e.initErr
	default:
		return ErrNotStarted
	}
}

// StartupInfo reports how the engine started: the time the compilation (or
// the cache load) took and the cache directory in use ("" when none). Both
// are zero before the engine has started.
func (e *Engine) StartupInfo() (took time.Duration, cacheDir string) {
	select {
	case <-e.ready:
		return e.initTime, e.cacheDir
	default:
		return 0, ""
	}
}

// init compiles the module and builds the instance pool.
func (e *Engine) init() {
	defer close(e.ready)
	start := time.Now()
	rc := wazero.NewRuntimeConfig().
		// The bundled PDFium lowers setjmp/longjmp to WebAssembly exception
		// handling, so that feature must be on.
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(uint32(min(e.cfg.MaxMemory/wasmPage, 65536)))
	if !e.cfg.NoCache {
		dir := e.cfg.CacheDir
		if dir == "" {
			dir = DefaultCacheDir()
		}
		if dir != "" {
			dir = filepath.Join(dir, cacheKey)
		}
		if dir != "" && writableDir(dir) {
			if c, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
				rc = rc.WithCompilationCache(c)
				e.cache, e.cacheDir = c, dir
			}
		}
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle:       0,
		MaxIdle:       e.cfg.Instances,
		MaxTotal:      e.cfg.Instances,
		RuntimeConfig: rc,
		FSConfig:      wazero.NewFSConfig(), // no host directory is visible to PDFium
		Stdout:        io.Discard,
		Stderr:        io.Discard,
		// By default a fresh instance per document: nothing a document
		// does survives it, and its memory is released when it is closed.
		ReuseWorkers: e.cfg.ReuseInstances,
	})
	e.initTime = time.Since(start)
	if err != nil {
		e.initErr = fmt.Errorf("pdf: starting pdfium: %w", err)
		return
	}
	e.pool = pool
}

// writableDir reports whether dir exists or can be created, and accepts a
// new file.
func writableDir(dir string) bool {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return true
}

// Close releases PDFium and the runtime; open Documents must be closed
// first. It waits for a start-up in progress. Later Open and Warm calls
// return ErrClosed.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.once.Do(func() { close(e.ready) }) // never started: nothing to release
	<-e.ready
	var err error
	if e.pool != nil {
		if cerr := e.pool.Close(); cerr != nil {
			err = fmt.Errorf("pdf: closing pdfium: %w", cerr)
		}
	}
	if e.cache != nil {
		if cerr := e.cache.Close(context.Background()); cerr != nil && err == nil {
			err = fmt.Errorf("pdf: closing compilation cache: %w", cerr)
		}
	}
	return err
}

// Is reports whether data is a PDF file: the header "%PDF-" (ISO 32000-1,
// 7.5.2) within its first 1024 bytes, where PDF readers accept it.
func Is(data []byte) bool {
	return bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-"))
}

// formatError wraps err as a malformed-PDF error.
func formatError(err error) error {
	return &imgio.FormatError{Format: "pdf", Err: err}
}
