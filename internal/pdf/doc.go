// Package pdf renders the pages of a PDF document (ISO 32000) to 8-bit gray
// planes, so that the QR tiers can read invoices that arrive as PDF files.
//
// # Engine
//
// Rendering is done by PDFium compiled to WebAssembly (the pdfium.wasm that
// github.com/klippa-app/go-pdfium embeds, about 5 MB) and run by the wazero
// runtime: pure Go, no cgo, no external process. PDFium draws vector QR
// codes (filled rectangles) and embedded images (DCT, Flate, CCITT, JBIG2…)
// alike, honours /Rotate and the crop box, and renders straight to an 8-bit
// gray bitmap.
//
// The price is start-up: wazero compiles the module to machine code before
// the first page can be drawn. Measured on the 2-core development machine
// (see BenchmarkStartup and docs/PDF.md), that is about 10 s cold, and about
// 0.3 s when the compiled code is loaded from wazero's on-disk compilation
// cache. So an Engine
//
//   - starts nothing in New: the runtime is compiled on the first Open (or
//     an explicit Warm), once, and shared by every later document;
//   - keeps the compiled code in Config.CacheDir (by default a directory
//     under os.UserCacheDir) so that a restarted process is ready in a few
//     hundred milliseconds; the cache is skipped silently when the directory
//     cannot be created;
//   - runs each document in a fresh module instance (a few milliseconds),
//     from a pool bounded by Config.Instances, so that a hostile document
//     cannot leave state behind for the next one and its memory is released
//     when it is closed.
//
// # Procedure
//
// Open copies the bytes into the instance, opens the document (an encrypted
// document needs a password, which is refused with ErrEncrypted inside an
// *imgio.UnsupportedError; a file PDFium cannot parse gives an
// *imgio.FormatError) and counts its pages against Config.MaxPages
// (*imgio.LimitError "pages"). Render draws one page at a resolution in dots
// per inch; the page size in points (1/72 inch, after /Rotate) times the DPI
// gives the plane size. When that exceeds Config.MaxPixels the DPI is
// lowered to fit rather than refused: a poster-sized page is read at a lower
// resolution. RenderRegion draws a rectangle of a page (in points) at a
// higher DPI, for codes too small to read at the default one.
//
// # Deadlines
//
// WebAssembly code cannot be preempted by Go, so every call into PDFium runs
// under a watcher: when the context is done, the instance is killed (wazero
// aborts the running function at its next check, see
// wazero.RuntimeConfig.WithCloseOnContextDone), the call returns an error
// wrapping the context's error, and the Document is dead. Config.Timeout
// bounds a whole document even when the caller's context has no deadline,
// so a looping or exploding file cannot hang a worker.
//
// # Weak spots
//
//   - The first PDF after a cold start with no usable cache waits for the
//     compilation (about 10 s here, about 3 s on a fast machine). A server
//     should call Warm at start-up.
//   - Each instance may grow its linear memory up to Config.MaxMemory; the
//     pool bound times that is the worst case.
//   - Embedded images are rendered, not extracted: a QR stored as a
//     low-resolution image is resampled to the render DPI (smooth, but no
//     sharper than the image). Direct extraction (pdfcpu) was not measured.
//   - Annotations and form fields are not drawn (invoices carry their QR in
//     the page content).
//
// Coordinates: a plane's (0,0) is the top-left pixel of the page as
// displayed (after /Rotate), +x right, +y down; regions are in points in
// the same frame. An Engine is safe for concurrent use; a Document is not.
package pdf
