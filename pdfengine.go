package qrcascade

import (
	"context"
	"fmt"
	"time"

	"github.com/qrcascade/qrcascade/internal/pdf"
)

// PDFOptions configures a PDFEngine. The zero value is valid: compilation
// cache under os.UserCacheDir, two PDFium instances, 30 s per document,
// 96 MiB of WebAssembly memory per instance, the default stream limits
// against decompression bombs (see docs/PDF.md).
type PDFOptions struct {
	// CacheDir holds wazero's compilation cache, which cuts the engine's
	// start-up from seconds to a fraction of one (see docs/PDF.md). "":
	// qrcascade/wazero under os.UserCacheDir; "off": no cache. An
	// unwritable directory disables the cache silently.
	CacheDir string
	// Instances bounds the PDF documents open at once (one PDFium
	// instance each); a Read waits, within its deadline, for a free one.
	// Zero: 2.
	Instances int
	// DocumentTimeout bounds one document from open to close, whatever
	// the caller's deadline. Zero: 30 s; negative: none.
	DocumentTimeout time.Duration
	// MaxMemory bounds the WebAssembly memory of one instance, in bytes.
	// An allocation past it fails inside PDFium (an image is not drawn, or
	// the page fails), and the instance is discarded with its document.
	// Zero: 96 MiB; at least 16 MiB, at most 4 GiB.
	MaxMemory int64
}

// PDFEngine renders PDF pages (PDFium compiled to WebAssembly, run by
// wazero; no cgo). Starting it compiles PDFium, which takes seconds
// without the compilation cache, so one engine should serve every Reader
// of a process: pass it as Options.PDF. It starts on the first PDF or on
// Warm. It is safe for concurrent use.
type PDFEngine struct {
	e *pdf.Engine
}

// NewPDFEngine validates o and returns an engine that has not started.
func NewPDFEngine(o PDFOptions) (*PDFEngine, error) {
	cfg := pdf.Config{
		// The Readers check their own page and pixel limits (Options), so
		// that Readers with different limits can share the engine.
		MaxPages:  -1,
		MaxPixels: -1,
		Instances: o.Instances,
		Timeout:   o.DocumentTimeout,
		MaxMemory: o.MaxMemory,
		CacheDir:  o.CacheDir,
	}
	if o.CacheDir == "off" {
		cfg.CacheDir, cfg.NoCache = "", true
	}
	e, err := pdf.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("qrcascade: %w", err)
	}
	return &PDFEngine{e: e}, nil
}

// Warm starts the engine now rather than on the first PDF and waits for it
// or for ctx; when ctx ends first, the start goes on in the background. It
// returns the start-up error, which is final: a failed engine is not
// retried, and every PDF read then returns that error.
func (p *PDFEngine) Warm(ctx context.Context) error {
	if err := p.e.Warm(ctx); err != nil {
		return fmt.Errorf("qrcascade: %w", err)
	}
	return nil
}

// Ready reports whether the engine has started (nil), is starting or has
// not been asked to (an error saying so), or failed to start (that
// error). It does not block, nor start the engine: a readiness probe.
func (p *PDFEngine) Ready() error {
	if err := p.e.Ready(); err != nil {
		return fmt.Errorf("qrcascade: %w", err)
	}
	return nil
}

// StartupInfo reports how long the engine's start took (compilation, or
// loading from the cache) and the compilation cache directory in use (""
// when none). Both are zero until the engine has started.
func (p *PDFEngine) StartupInfo() (took time.Duration, cacheDir string) {
	return p.e.StartupInfo()
}

// Close releases the engine, waiting for a start in progress. Readers
// using it must not read PDFs afterwards: they get an error wrapping
// ErrPDFClosed (images still read). Closing twice is harmless.
func (p *PDFEngine) Close() error {
	if err := p.e.Close(); err != nil {
		return fmt.Errorf("qrcascade: %w", err)
	}
	return nil
}
