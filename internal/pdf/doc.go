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
// (see BenchmarkStartup and docs/PDF.md), that is 7 to 8 s cold, and 0.13
// to 0.17 s when the compiled code is loaded from wazero's on-disk
// compilation cache. So an Engine
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
//     when it is closed. Config.ReuseInstances (the fuzz targets) keeps an
//     instance for the next document instead, until a call faults.
//
// # Procedure
//
// Open first checks the file with Scan, in Go: each Flate stream is
// decoded up to its bound (Config.Scan) and an image declaring too many
// pixels is refused, so a decompression bomb is refused in milliseconds
// before PDFium sees it. It then copies the bytes into the instance, opens the document (an encrypted
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
// Two searches read the page's content objects instead of drawing them
// (ISO 32000-1, 8.2: a page's content is a sequence of graphics objects):
//
//   - Images decodes each image XObject painted on the page (8.9) at its
//     own resolution, with the quad where it lands on the page. A QR code
//     stored as an image is read sharper, and about a hundred times
//     faster, than from a render (BenchmarkImagesVsRender); a scanned
//     page is read at its scan resolution.
//   - Candidates finds where the page draws a QR symbol with vector paths
//     (8.5): one path object with many segments and square bounds, or a
//     square cluster of small touching path objects (a generator that
//     fills each module or run on its own). Those regions alone are worth
//     rendering at a high DPI when the page's render read nothing. A page
//     too large to search (more than 5000 objects or 4000 small paths,
//     or form XObjects nested deeper than 8) is reported opaque: only a
//     whole-page render sees all of it.
//
// Both descend into form XObjects (8.10), composing each form's matrix
// with its objects', so templates and overlays are searched too.
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
//     compilation (7 to 8 s here, about 3 s on a fast machine), which peaks
//     near 300 MB of RSS. A server should call Warm at start-up and report
//     ready after it (Ready).
//   - Each instance may grow its linear memory up to Config.MaxMemory (96
//     MiB by default); the pool bound times that is the worst case. An
//     allocation past it fails inside PDFium (the object is skipped or the
//     call fails). A closed or killed instance's memory is handed back to
//     the system at once (debug.FreeOSMemory, in the background).
//   - Scan decodes Flate (after ASCIIHex/ASCII85) only: an LZW, run-length,
//     DCT or JBIG2 bomb is left to the memory limit and the deadline.
//   - Images ignores masks, soft masks and decode arrays: a sample is the
//     luma of its colour.
//   - Candidates is a heuristic: a table grid of short rules can look
//     like a symbol drawn piece by piece (a wasted region render), and a
//     symbol drawn as text (a QR font), a shading or a pattern is never
//     found.
//   - Annotations and form fields are not drawn (invoices carry their QR in
//     the page content).
//
// Coordinates: a plane's (0,0) is the top-left pixel of the page as
// displayed (after /Rotate), +x right, +y down; regions are in points in
// the same frame. An Engine is safe for concurrent use; a Document is not.
package pdf
