// Package qrcascade reads QR codes in images for invoice pipelines: a
// cascade of tiers, cheapest first. The classic tier runs preprocessing
// strategies (raw, inversion, rescaling, equalisation, thresholds…) in
// front of a QR decoder and stops at the first that reads; the neural tier
// (a small CNN detector, in later versions) finds what the classic tier
// missed.
//
// Five lines:
//
//	r, err := qrcascade.NewReader(qrcascade.Options{})
//	if err != nil { … }
//	res, err := r.Read(ctx, imageBytes) // JPEG, PNG, GIF, BMP, TIFF, WebP
//	if err != nil { … }                 // bad input, limits, deadline
//	for _, c := range res.Codes { fmt.Println(c.Text, c.Points) }
//
// Coordinates are pixels of the image as displayed (after EXIF orientation),
// (0,0) the top-left corner, +x right, +y down. A Reader is safe for
// concurrent use.
package qrcascade

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"qrcascade/internal/cascade"
	"qrcascade/internal/classic"
	"qrcascade/internal/gray"
	"qrcascade/internal/imgio"
	"qrcascade/internal/invoice"
)

// Mode selects the tiers that run.
type Mode string

// Modes. A neural mode is available when this build embeds its models
// (see Models.Available): nano needs the nano model, large the large one,
// hybrid both.
const (
	ModeClassic Mode = "classic" // classic strategies only
	ModeNano    Mode = "nano"    // classic, then the nano detector
	ModeHybrid  Mode = "hybrid"  // classic, nano, then the large detector when needed
	ModeLarge   Mode = "large"   // classic, then the large detector
)

// ErrModeUnavailable is returned by NewReader for a mode this build cannot run.
var ErrModeUnavailable = errors.New("qrcascade: mode not available in this build")

// Input errors, re-exported so callers can tell them apart with errors.As
// and errors.Is without importing internal packages.
type (
	// FormatError reports malformed or truncated image data.
	FormatError = imgio.FormatError
	// UnsupportedError reports a valid image the reader does not handle.
	UnsupportedError = imgio.UnsupportedError
	// LimitError reports an input over a configured limit (bytes or pixels).
	LimitError = imgio.LimitError
)

// Invoice is a recognised tax-authority invoice payload: scheme, country,
// typed fields, the validations performed and whether they all passed.
type Invoice = invoice.Invoice

// ErrEmpty is returned for an empty input.
var ErrEmpty = imgio.ErrEmpty

// Options configures a Reader. The zero value is valid: classic mode,
// default strategies, stop at the first strategy that reads, no timeout
// beyond the caller's context, default input limits.
type Options struct {
	// Mode selects the tiers. Zero value: ModeClassic.
	Mode Mode
	// Strategies names the classic strategies in the order to try them.
	// Nil: the default order (see Strategies()).
	Strategies []string
	// All runs every strategy and returns the union of their codes instead
	// of stopping at the first strategy that reads. Default false.
	All bool
	// Timeout bounds one Read (image decoding included). Zero: no bound
	// beyond the context passed to Read.
	Timeout time.Duration
	// MaxBytes rejects larger inputs. Zero: 32 MiB; negative: no limit.
	MaxBytes int64
	// MaxPixels rejects images with more pixels (width × height), checked
	// from the header before any pixel is decoded. Zero: 50 million;
	// negative: no limit.
	MaxPixels int64
	// Models supplies the neural detectors. Nil: the Reader creates its
	// own with default ModelOptions. Share one between Readers.
	Models *Models
	// Invoices recognises tax-authority invoice payloads (Mexico CFDI,
	// Argentina AFIP, Spain VERI*FACTU, …) in every code read and fills
	// Code.Invoice. Default false. See docs/INVOICES.md.
	Invoices bool
}

// Strategies returns every classic strategy name, in the default order.
func Strategies() []string { return classic.DefaultOrder() }

// Validate reports the first invalid field of o.
func (o Options) Validate() error {
	switch o.Mode {
	case "", ModeClassic, ModeNano, ModeHybrid, ModeLarge:
	default:
		return fmt.Errorf("qrcascade: unknown mode %q", o.Mode)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("qrcascade: negative timeout %v", o.Timeout)
	}
	return nil
}

// Reader reads QR codes. Create it with NewReader; it is safe for
// concurrent use.
type Reader struct {
	opts     Options
	classic  *classic.Tier
	cascade  *cascade.Cascade
	invoices *invoice.Registry // nil unless Options.Invoices
}

// NewReader validates opts and returns a Reader.
func NewReader(opts Options) (*Reader, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Mode == "" {
		opts.Mode = ModeClassic
	}
	cfg := classic.Config{Strategies: opts.Strategies}
	if opts.All {
		cfg.Stop = classic.StopAll
	}
	t, err := classic.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("qrcascade: %w", err)
	}
	if opts.Models == nil {
		opts.Models = NewModels(ModelOptions{})
	}
	need := map[Mode][]string{ModeNano: {ModelNano}, ModeHybrid: {ModelNano, ModelLarge}, ModeLarge: {ModelLarge}}
	for _, name := range need[opts.Mode] {
		if !opts.Models.Available(name) {
			return nil, fmt.Errorf("%w: %s mode needs the %s model, not embedded in this build", ErrModeUnavailable, opts.Mode, name)
		}
	}
	c, err := cascade.New(cascade.Config{
		Mode: cascade.Mode(opts.Mode), Classic: t,
		Nano: opts.Models.lazy(ModelNano), Large: opts.Models.lazy(ModelLarge),
	})
	if err != nil {
		return nil, fmt.Errorf("qrcascade: %w", err)
	}
	r := &Reader{opts: opts, classic: t, cascade: c}
	if opts.Invoices {
		r.invoices = invoice.NewRegistry()
	}
	return r, nil
}

// Options returns the options the Reader was built with (defaults filled).
func (r *Reader) Options() Options { return r.opts }

// Read decodes the image in data (format sniffed from its bytes) and reads
// every QR code in it. It does not keep data.
//
// A Result with no codes and a nil error means the image holds no readable
// code. Input errors are *FormatError, *UnsupportedError, *LimitError or
// ErrEmpty. When the deadline (ctx or Options.Timeout) passes, Read returns
// the partial Result with an error wrapping context.DeadlineExceeded.
func (r *Reader) Read(ctx context.Context, data []byte) (*Result, error) {
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	p, info, err := imgio.Decode(data, imgio.Limits{MaxBytes: r.opts.MaxBytes, MaxPixels: r.opts.MaxPixels})
	if err != nil {
		return nil, err
	}
	res := &Result{Image: ImageInfo{Format: info.Format, Width: info.Width, Height: info.Height}}
	res.Timings.DecodeImage = time.Since(start)
	err = r.read(ctx, p, res)
	res.Timings.Total = time.Since(start)
	return res, err
}

// ReadImage reads every QR code in img, which it neither modifies nor keeps.
// Errors are as for Read, without the input errors.
func (r *Reader) ReadImage(ctx context.Context, img *image.Gray) (*Result, error) {
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	start := time.Now()
	b := img.Bounds()
	p := &gray.Plane{W: b.Dx(), H: b.Dy(), Stride: img.Stride}
	if !b.Empty() {
		p.Pix = img.Pix[img.PixOffset(b.Min.X, b.Min.Y):]
	}
	res := &Result{Image: ImageInfo{Format: "gray", Width: p.W, Height: p.H}}
	err := r.read(ctx, p, res)
	res.Timings.Total = time.Since(start)
	return res, err
}

func (r *Reader) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.opts.Timeout > 0 {
		return context.WithTimeout(ctx, r.opts.Timeout)
	}
	return context.WithCancel(ctx)
}

// read runs the tiers over p and fills res.
func (r *Reader) read(ctx context.Context, p *gray.Plane, res *Result) error {
	out, err := r.cascade.Read(ctx, p)
	res.Timings.Classic, res.Timings.Nano, res.Timings.Large = out.Classic, out.Nano, out.Large
	res.Model = out.Model
	res.Fallback = out.Fallback
	res.Candidates = out.Candidates
	for _, a := range out.Attempts {
		res.Attempts = append(res.Attempts, Attempt{Tier: TierClassic, Strategy: a.Strategy, Duration: a.Duration, Codes: a.Codes, Skipped: a.Skipped})
	}
	for _, c := range out.Codes {
		code := codeFromCascade(c)
		if r.invoices != nil {
			if inv, ok := r.invoices.Parse(code.Text); ok {
				code.Invoice = inv
			}
		}
		res.Codes = append(res.Codes, code)
	}
	if err != nil {
		return fmt.Errorf("qrcascade: %w", err)
	}
	return nil
}

// StrategyStats returns, for each classic strategy, how often it ran and how
// often it read a code since the Reader was created.
func (r *Reader) StrategyStats() []StrategyStats {
	var out []StrategyStats
	for _, s := range r.classic.Stats() {
		out = append(out, StrategyStats{Tier: TierClassic, Strategy: s.Strategy, Attempts: s.Attempts, Wins: s.Wins, Time: s.Time})
	}
	return out
}
