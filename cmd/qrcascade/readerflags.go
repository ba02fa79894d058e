package main

import (
	"flag"
	"strings"
	"time"

	"github.com/qrcascade/qrcascade"
)

// readerFlags are the Reader options shared by scan, bench and serve.
type readerFlags struct {
	mode       string
	strategies string
	all        bool
	timeout    time.Duration
	maxBytes   int64
	maxPixels  int64
	invoices   bool
	largeTTL   time.Duration
	memBudget  int64
	standIn    bool
	afterRead  string
	// Page policy of documents (PDF, multi-page TIFF, GIF), issue #14.
	maxPages     int
	pages        string
	stopInvoice  bool
	dpi          int
	maxDocPixels int64
}

func (f *readerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.mode, "mode", defaultMode(), "tiers to run: classic, nano (classic then the nano detector), hybrid (then the large detector when needed), large")
	fs.StringVar(&f.strategies, "strategies", "", "comma-separated classic strategies in order (default: "+joinStrategies(qrcascade.Strategies())+")")
	fs.BoolVar(&f.all, "all", false, "run every strategy and return the union of codes (default: stop at the first strategy that reads)")
	fs.DurationVar(&f.timeout, "timeout", 0, "deadline per image, e.g. 2s (0: none)")
	fs.Int64Var(&f.maxBytes, "max-bytes", 0, "largest input in bytes (0: 32 MiB, <0: no limit)")
	fs.Int64Var(&f.maxPixels, "max-pixels", 0, "largest image in pixels, checked from the header (0: 50e6, <0: no limit)")
	fs.DurationVar(&f.largeTTL, "large-idle-ttl", 10*time.Minute, "unload the large model after this long unused (<0: never)")
	fs.BoolVar(&f.standIn, "large-stand-in", true, "when no large model is embedded, run the nano weights at 640 px as the large detector (hybrid and large modes)")
	fs.Int64Var(&f.memBudget, "memory-budget", 0, "refuse to load a model beyond this many bytes of Go memory (0: no budget)")
	fs.StringVar(&f.afterRead, "after-read", "unread", "nano and hybrid modes: run the nano detector on images where the classic tier read codes too (images with several codes): unread (when it located a candidate it could not decode), always, never")
	fs.IntVar(&f.maxPages, "max-pages", 0, "documents (PDF, TIFF, GIF): read at most this many pages, the rest reported as truncated (0: 100, <0: no limit)")
	fs.StringVar(&f.pages, "pages", "", "documents: the pages to read, e.g. 1-3,5,7- (default: all)")
	fs.BoolVar(&f.stopInvoice, "stop-at-invoice", false, "documents: stop after the first page holding an invoice code")
	fs.IntVar(&f.dpi, "dpi", 0, "PDF render resolution in dots per inch (0: 200; embedded images are read at their own resolution)")
	fs.Int64Var(&f.maxDocPixels, "max-document-pixels", 0, "documents: work budget, the pages read may total this many pixels at the render resolution; pages past it are truncated (0: 400e6, <0: none)")
	fs.BoolVar(&f.invoices, "invoice", false, "recognise and validate invoice payloads (CFDI, AFIP, VERI*FACTU, …) in every code")
}

func (f *readerFlags) options() qrcascade.Options {
	o := qrcascade.Options{
		Mode: qrcascade.Mode(f.mode), All: f.all, Timeout: f.timeout,
		MaxBytes: f.maxBytes, MaxPixels: f.maxPixels, Invoices: f.invoices, AfterRead: qrcascade.AfterRead(f.afterRead),
		MaxPages: f.maxPages, Pages: f.pages, StopAtInvoice: f.stopInvoice, PDFDPI: f.dpi, MaxDocumentPixels: f.maxDocPixels,
		Models: qrcascade.NewModels(qrcascade.ModelOptions{LargeIdleTTL: f.largeTTL, MemoryBudget: f.memBudget, NoLargeStandIn: !f.standIn}),
	}
	if f.strategies != "" {
		for _, s := range strings.Split(f.strategies, ",") {
			if s = strings.TrimSpace(s); s != "" {
				o.Strategies = append(o.Strategies, qrcascade.Strategy(s))
			}
		}
	}
	return o
}

// defaultMode is nano when this build embeds the nano model (the cascade's
// cheap neural fallback only runs when the classic tier reads nothing, so
// images it reads cost the same), else classic.
func defaultMode() string {
	if qrcascade.NewModels(qrcascade.ModelOptions{}).Available(qrcascade.ModelNano) {
		return string(qrcascade.ModeNano)
	}
	return string(qrcascade.ModeClassic)
}

// joinStrategies lists strategy names separated by commas, as the
// -strategies flag takes them.
func joinStrategies(ss []qrcascade.Strategy) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}
