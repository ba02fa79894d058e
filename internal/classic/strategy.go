package classic

import (
	"fmt"

	"qrcascade/internal/gray"
)

// Strategy names, the closed set used as metric label values.
const (
	Raw       = "raw"       // the plane as decoded
	EqOtsu    = "eq_otsu"   // histogram equalisation, then a global Otsu threshold
	Otsu      = "otsu"      // global Otsu threshold
	Eq        = "eq"        // histogram equalisation
	Adaptive  = "adaptive"  // local-mean threshold at a window matched to the image size
	Invert    = "invert"    // light-on-dark codes
	Downscale = "downscale" // large photos: area-averaged ½ (or ¼) copy
	Upscale   = "upscale"   // small modules: bicubic ×2
	Sharpen   = "sharpen"   // unsharp mask against mild blur
	Harder    = "harder"    // the engine's exhaustive scan (every row) on the raw plane
)

// DefaultOrder is the default strategy order: cheapest and most often
// winning first (see docs/BENCHMARKS.md for the per-strategy win table).
var defaultOrder = []string{Raw, Invert, Downscale, EqOtsu, Adaptive, Upscale, Sharpen, Otsu, Eq, Harder}

// DefaultOrder returns the default strategy order (a fresh slice).
func DefaultOrder() []string { return append([]string(nil), defaultOrder...) }

// Names returns every known strategy name (a fresh slice).
func Names() []string {
	return []string{Raw, EqOtsu, Otsu, Eq, Adaptive, Invert, Downscale, Upscale, Sharpen, Harder}
}

// A Strategy preprocesses the plane before it is handed to the engine.
type Strategy struct {
	Name string
	// prepare returns the plane to decode, the factor that maps its pixel
	// coordinates back to the input plane (input = prepared × scale), and
	// false when the strategy does not apply to this input (for example
	// downscale on a small image).
	prepare func(src *gray.Plane) (*gray.Plane, float64, bool)
	// harder asks the engine for its exhaustive scan.
	harder bool
}

// upscaleMaxSide is the largest input side the upscale strategy applies to:
// beyond it, a ×2 copy costs too much and modules are rarely that small.
const upscaleMaxSide = 1000

// downscaleMinSide is the smallest longest side the downscale strategy
// applies to.
const downscaleMinSide = 1400

// downscaleQuarterSide is the longest side from which downscale divides
// by 4 instead of 2.
const downscaleQuarterSide = 6000

// lookupStrategy returns the named strategy.
func lookupStrategy(name string) (Strategy, error) {
	s := Strategy{Name: name}
	switch name {
	case Raw:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) { return src, 1, true }
	case Harder:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) { return src, 1, true }
		s.harder = true
	case EqOtsu:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) {
			eq := gray.Equalize(nil, src)
			return gray.Threshold(eq, eq, gray.OtsuLevel(eq)), 1, true
		}
	case Otsu:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) {
			return gray.Threshold(nil, src, gray.OtsuLevel(src)), 1, true
		}
	case Eq:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) { return gray.Equalize(nil, src), 1, true }
	case Adaptive:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) {
			return gray.AdaptiveMean(nil, src, adaptiveRadius(src), 5), 1, true
		}
	case Invert:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) { return gray.Invert(nil, src), 1, true }
	case Downscale:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) {
			side := max(src.W, src.H)
			if side < downscaleMinSide {
				return nil, 0, false
			}
			f := 2
			if side >= downscaleQuarterSide {
				f = 4
			}
			return gray.Downscale(nil, src, f), float64(f), true
		}
	case Upscale:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) {
			if max(src.W, src.H) > upscaleMaxSide {
				return nil, 0, false
			}
			return gray.ResizeBicubic(nil, src, 2*src.W, 2*src.H), 0.5, true
		}
	case Sharpen:
		s.prepare = func(src *gray.Plane) (*gray.Plane, float64, bool) { return gray.Sharpen(nil, src, 1.0), 1, true }
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
