package classic

import (
	"fmt"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// Strategy names, the closed set used as metric label values.
const (
	Raw       = "raw"        // the plane as decoded
	EqOtsu    = "eq_otsu"    // histogram equalisation, then a global Otsu threshold
	Otsu      = "otsu"       // global Otsu threshold
	Eq        = "eq"         // histogram equalisation
	Adaptive  = "adaptive"   // local-mean threshold at a window matched to the image size
	Invert    = "invert"     // light-on-dark codes
	Downscale = "downscale"  // large photos: area-averaged ½ (or ¼) copy
	Upscale   = "upscale"    // small modules: bicubic ×2
	Sharpen   = "sharpen"    // unsharp mask against mild blur
	Harder    = "harder"     // the engine's exhaustive scan (every row) on the raw plane
	Locator   = "locator"    // our own locator/sampler (internal/qr) on the raw plane
	LocatorEq = "locator_eq" // our own locator on the equalised working plane
)

// DefaultOrder is the default strategy order: cheapest and most often
// winning first (see docs/BENCHMARKS.md for the per-strategy win table).
// Every strategy in it wins on the corpus. eq_otsu, otsu and adaptive
// left it on 2026-11-25: once the locator completed finder pairs and read
// tilted version information they won none of the 716 corpus images nor
// of 120 synthetic scenes, for about 12 ms on every unreadable image
// (`qrcascade bench --mode classic` over the text sets and boofcv-dev).
// raw left it too: harder (the same engine scanning every row) read every
// code raw read first (14 wins instead of 13 + 1, the same reads on every
// set), and raw cost about 12 ms on every image the locator cannot read.
// All remain available by name.
var defaultOrder = []string{Locator, Harder, Invert, LocatorEq}

// DefaultOrder returns the default strategy order (a fresh slice).
func DefaultOrder() []string { return append([]string(nil), defaultOrder...) }

// Names returns every known strategy name (a fresh slice).
func Names() []string {
	return []string{Raw, EqOtsu, Otsu, Eq, Adaptive, Invert, Downscale, Upscale, Sharpen, Harder, Locator, LocatorEq}
}

// A Strategy preprocesses the plane before it is handed to the engine.
type Strategy struct {
	Name string
	// prepare returns the plane to decode, the factor that maps its pixel
	// coordinates back to the input plane (input = prepared × scale), and
	// false when the strategy does not apply to this input (for example
	// downscale on a small image).
	prepare func(in *input) (*gray.Plane, float64, bool)
	// engine selects the engine: the tier's default (engineDefault), its
	// exhaustive variant, or the locator.
	engine engineKind
}

type engineKind int

const (
	engineDefault engineKind = iota
	engineHarder
	engineLocator
	engineLocatorEq
)

// upscaleMaxSide is the largest input side the upscale strategy applies to:
// beyond it, a ×2 copy costs too much and modules are rarely that small.
const upscaleMaxSide = 1000

// downscaleMinSide is the smallest longest side the downscale strategy
// applies to.
const downscaleMinSide = 1400

// workMaxSide is the longest side of the working plane. Inputs larger than
// this are area-downscaled once by an integer factor (shared by every
// strategy that runs on the working plane); raw and harder still see the
// full resolution, so small codes in big photos are not lost. This bounds
// the cost of an unreadable 12 MP photo to about one full-resolution pass
// plus a few passes at ≤ 2.5 MP.
const workMaxSide = 2000

// input is the plane being read, with its working plane computed on first
// use.
type input struct {
	src       *gray.Plane
	work      *gray.Plane
	workScale float64
	// equalisedSrc is set once a strategy has located on src and on an
	// equalised copy of it (the default two-pass locator): locator_eq on
	// a working plane that is src itself would only repeat that pass.
	equalisedSrc bool
}

// working returns the working plane and its scale factor (1 when the input
// is small enough to be its own working plane).
func (in *input) working() (*gray.Plane, float64) {
	if in.work == nil {
		side := max(in.src.W, in.src.H)
		f := (side + workMaxSide - 1) / workMaxSide
		if f <= 1 {
			in.work, in.workScale = in.src, 1
		} else {
			in.work, in.workScale = gray.Downscale(nil, in.src, f), float64(f)
		}
	}
	return in.work, in.workScale
}

// onWork builds a prepare function that applies op to the working plane.
func onWork(op func(p *gray.Plane) *gray.Plane) func(in *input) (*gray.Plane, float64, bool) {
	return func(in *input) (*gray.Plane, float64, bool) {
		w, s := in.working()
		return op(w), s, true
	}
}

// lookupStrategy returns the named strategy.
func lookupStrategy(name string) (Strategy, error) {
	s := Strategy{Name: name}
	full := func(in *input) (*gray.Plane, float64, bool) { return in.src, 1, true }
	switch name {
	case Raw:
		s.prepare = full
	case Harder:
		s.prepare = full
		s.engine = engineHarder
	case Locator:
		s.prepare = full
		s.engine = engineLocator
	case LocatorEq:
		// On a plane no larger than the working plane, the default
		// locator's second pass has already located on this equalised
		// plane: locator_eq would spend its failed-grid budget again on
		// the same candidates. It won nothing there on the corpus (its one
		// win over the 716 images, boofcv-dev blurred/image005, is a 12 MP
		// photo located at a third), while it cost about a quarter of the
		// classic tier's time on an unreadable invoice page (#16).
		s.prepare = func(in *input) (*gray.Plane, float64, bool) {
			w, sc := in.working()
			if sc == 1 && in.equalisedSrc {
				return nil, 0, false
			}
			return gray.Equalize(nil, w), sc, true
		}
		s.engine = engineLocatorEq
	case EqOtsu:
		s.prepare = onWork(func(p *gray.Plane) *gray.Plane {
			eq := gray.Equalize(nil, p)
			return gray.Threshold(eq, eq, gray.OtsuLevel(eq))
		})
	case Otsu:
		s.prepare = onWork(func(p *gray.Plane) *gray.Plane { return gray.Threshold(nil, p, gray.OtsuLevel(p)) })
	case Eq:
		s.prepare = onWork(func(p *gray.Plane) *gray.Plane { return gray.Equalize(nil, p) })
	case Adaptive:
		s.prepare = onWork(func(p *gray.Plane) *gray.Plane { return gray.AdaptiveMean(nil, p, adaptiveRadius(p), 5) })
	case Invert:
		s.prepare = onWork(func(p *gray.Plane) *gray.Plane { return gray.Invert(nil, p) })
	case Sharpen:
		s.prepare = onWork(func(p *gray.Plane) *gray.Plane { return gray.Sharpen(nil, p, 1.0) })
	case Downscale:
		// Raw on a half-size copy: puts large modules of close-up photos in
		// the range the finder scan handles best. On inputs larger than the
		// working plane, that copy is the working plane itself.
		s.prepare = func(in *input) (*gray.Plane, float64, bool) {
			if max(in.src.W, in.src.H) < downscaleMinSide {
				return nil, 0, false
			}
			if w, sc := in.working(); sc > 1 {
				return w, sc, true
			}
			return gray.Downscale(nil, in.src, 2), 2, true
		}
	case Upscale:
		s.prepare = func(in *input) (*gray.Plane, float64, bool) {
			if max(in.src.W, in.src.H) > upscaleMaxSide {
				return nil, 0, false
			}
			return gray.ResizeBicubic(nil, in.src, 2*in.src.W, 2*in.src.H), 0.5, true
		}
	default:
		return Strategy{}, fmt.Errorf("classic: unknown strategy %q (known: %v)", name, Names())
	}
	return s, nil
}

// adaptiveRadius picks the local-threshold window: large enough to span a
// finder pattern of a typical code (≈ 1/20 of the short side), clamped.
func adaptiveRadius(p *gray.Plane) int {
	r := min(p.W, p.H) / 40
	return max(7, min(r, 60))
}
