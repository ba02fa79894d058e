package synth

import (
	"errors"
	"fmt"
	"math"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// Errors returned by Render. They are wrapped with context; test with
// errors.Is.
var (
	// ErrInvalidSpec reports a Spec or Symbol field outside its documented range.
	ErrInvalidSpec = errors.New("invalid spec")
	// ErrInvalidCode reports a Code that cannot be encoded as asked (bad EC
	// level, version, charset, or non-kanji text with Kanji set).
	ErrInvalidCode = errors.New("invalid code")
	// ErrEncode reports that gozxing's encoder refused the code, typically
	// because the text does not fit the requested version.
	ErrEncode = errors.New("encoder refused the code")
	// ErrNoRoom reports that a symbol without an explicit position could not
	// be placed inside the image without overlapping another one.
	ErrNoRoom = errors.New("no room for the symbol")
)

// Background selects what is drawn behind the symbols.
type Background int

// Background kinds.
const (
	// BackgroundPlain is uniform paper (grey level 245).
	BackgroundPlain Background = iota
	// BackgroundInvoice is an invoice page: white paper, lines of grey
	// text-like word blocks, table rules, a dark logo block and a 1D-barcode
	// stripe pattern (a hard negative for finder-pattern search).
	BackgroundInvoice
	// BackgroundPhoto is a photo-like texture: smooth gradients, low-frequency
	// value noise and a few random shapes.
	BackgroundPhoto
)

// String returns the background's name.
func (b Background) String() string {
	switch b {
	case BackgroundPlain:
		return "plain"
	case BackgroundInvoice:
		return "invoice"
	case BackgroundPhoto:
		return "photo"
	}
	return fmt.Sprintf("Background(%d)", int(b))
}

// Limits on Spec values, checked by Validate.
const (
	// MaxSide is the largest accepted image width or height in pixels.
	MaxSide = 16384
	// MaxPixels is the largest accepted image area.
	MaxPixels = 40 << 20
)

// Spec describes a scene. Fields are applied in camera order: background,
// symbols, illumination (Shadow, Glare, Contrast), optics (Blur, Motion),
// sensor (Noise) and finally compression (JPEGQuality). The zero value of
// each degradation means "none"; the zero Spec is a blank A4 page.
type Spec struct {
	// Name names the scene; it becomes Scene.Name and the manifest category.
	// Empty means "custom".
	Name string
	// W and H are the image size in pixels. Zero means 1240×1754 (A4 at
	// 150 dpi); both must be set or neither.
	W, H int
	// Background is what lies behind the symbols. Zero is BackgroundPlain.
	Background Background
	// Page, for BackgroundInvoice, is where the invoice page lies in the
	// image (corners TL, TR, BR, BL of the page); outside it is a photo-like
	// texture. The zero Quad means the page fills the image.
	Page geom.Quad
	// Symbols are the QR symbols to draw, in order; later ones are drawn over
	// earlier ones, but symbols without an explicit Quad are placed so they
	// do not overlap any other.
	Symbols []Symbol

	// Shadow is the depth of a smooth multiplicative shadow gradient, 0..1:
	// the darkest part of the image is multiplied by 1-Shadow. Zero: none.
	Shadow float64
	// Glare is the strength of a bright elliptical specular spot, 0..1: at
	// its centre the image is pushed Glare of the way to white. Zero: none.
	Glare float64
	// Contrast compresses the grey range around mid-grey: 1 keeps it, 0.3
	// leaves 30 % of it. Zero means 1. Must lie in [0, 1].
	Contrast float64
	// Blur is the standard deviation in pixels of a Gaussian blur (defocus).
	// Zero: none. At most 20.
	Blur float64
	// MotionLength is the length in pixels of a linear motion blur; zero:
	// none. At most 50.
	MotionLength float64
	// MotionAngle is the motion direction in degrees from +x towards +y.
	MotionAngle float64
	// Noise is the standard deviation in grey levels of additive Gaussian
	// sensor noise. Zero: none. At most 100.
	Noise float64
	// JPEGQuality, when 1..100, round-trips the image through JPEG at that
	// quality (block and ringing artefacts). Zero: none.
	JPEGQuality int
}

// Symbol places one QR symbol in a scene.
type Symbol struct {
	// Code is what the symbol encodes.
	Code Code
	// Quad, when not the zero Quad, gives the exact image positions of the
	// symbol's outer corners TL, TR, BR, BL (module-space (0,0), (N,0),
	// (N,N), (0,N), quiet zone excluded) and overrides ModulePx, Center,
	// Rotation and Perspective. The symbol is still curved by Cylinder.
	Quad geom.Quad
	// ModulePx is the module size in pixels before perspective. Zero means 4.
	ModulePx float64
	// Center is the image position of the symbol's centre. The zero Point
	// means a random position (from the seed) inside the image that does
	// not overlap other symbols.
	Center geom.Point
	// Rotation is the in-plane rotation in degrees, clockwise on screen
	// (from +x towards +y).
	Rotation float64
	// Perspective moves each corner by a random offset of up to Perspective
	// times the symbol side, in [0, 0.4]. Zero: a square symbol.
	Perspective float64
	// Cylinder bends the symbol around a vertical axis (in the symbol frame)
	// as if printed on a can or a curled page: the angle in radians that the
	// symbol's width spans on the cylinder, in [0, 3]. Zero: flat.
	Cylinder float64
	// QuietZone is the width of the light margin in modules. Zero means 4,
	// the minimum of ISO/IEC 18004:2015 clause 6.3.8; -1 means no margin.
	QuietZone int
	// Invert draws light modules on a dark quiet zone (reflectance reversal,
	// ISO/IEC 18004:2015 clause 6.2).
	Invert bool
	// Damage is the share of the symbol area, in [0, 1], covered by opaque
	// ink and white-out blots. A damaged symbol may be labelled unreadable,
	// see Truth.Readable. Zero: intact.
	Damage float64
	// DamageFinder additionally blots out one finder pattern entirely.
	DamageFinder bool
}

// Validate reports the first field of s outside its documented range, as an
// error wrapping ErrInvalidSpec. It does not encode the codes.
func (s *Spec) Validate() error {
	bad := func(field string, v any) error {
		return fmt.Errorf("synth: %w: %s = %v", ErrInvalidSpec, field, v)
	}
	w, h := s.size()
	switch {
	case (s.W == 0) != (s.H == 0):
		return bad("W×H", fmt.Sprintf("%d×%d", s.W, s.H))
	case w < 16 || h < 16 || w > MaxSide || h > MaxSide || w*h > MaxPixels:
		return bad("W×H", fmt.Sprintf("%d×%d", w, h))
	case s.Background < BackgroundPlain || s.Background > BackgroundPhoto:
		return bad("Background", s.Background)
	case !inRange(s.Shadow, 0, 1):
		return bad("Shadow", s.Shadow)
	case !inRange(s.Glare, 0, 1):
		return bad("Glare", s.Glare)
	case !inRange(s.Contrast, 0, 1):
		return bad("Contrast", s.Contrast)
	case !inRange(s.Blur, 0, 20):
		return bad("Blur", s.Blur)
	case !inRange(s.MotionLength, 0, 50):
		return bad("MotionLength", s.MotionLength)
	case !inRange(s.MotionAngle, -1e6, 1e6):
		return bad("MotionAngle", s.MotionAngle)
	case !inRange(s.Noise, 0, 100):
		return bad("Noise", s.Noise)
	case s.JPEGQuality < 0 || s.JPEGQuality > 100:
		return bad("JPEGQuality", s.JPEGQuality)
	case !finiteQuad(s.Page):
		return bad("Page", s.Page)
	}
	if s.Page != (geom.Quad{}) && s.Page.Area() < 1 {
		return bad("Page", s.Page)
	}
	for i, y := range s.Symbols {
		f := func(name string) string { return fmt.Sprintf("Symbols[%d].%s", i, name) }
		switch {
		case !inRange(y.ModulePx, 0, 200):
			return bad(f("ModulePx"), y.ModulePx)
		case !inRange(y.Rotation, -1e6, 1e6):
			return bad(f("Rotation"), y.Rotation)
		case !inRange(y.Perspective, 0, 0.4):
			return bad(f("Perspective"), y.Perspective)
		case !inRange(y.Cylinder, 0, 3):
			return bad(f("Cylinder"), y.Cylinder)
		case y.QuietZone < -1 || y.QuietZone > 40:
			return bad(f("QuietZone"), y.QuietZone)
		case !inRange(y.Damage, 0, 1):
			return bad(f("Damage"), y.Damage)
		case !finiteQuad(y.Quad) || !inRange(y.Center.X, -1e6, 1e6) || !inRange(y.Center.Y, -1e6, 1e6):
			return bad(f("Quad/Center"), y.Quad)
		}
		if y.Quad != (geom.Quad{}) && y.Quad.Area() < 1 {
			return bad(f("Quad"), y.Quad)
		}
	}
	return nil
}

// size returns the image size with the zero-value default applied.
func (s *Spec) size() (int, int) {
	if s.W == 0 && s.H == 0 {
		return 1240, 1754
	}
	return s.W, s.H
}

func inRange(v, lo, hi float64) bool { return v >= lo && v <= hi } // false for NaN

func finiteQuad(q geom.Quad) bool {
	for _, p := range q {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			return false
		}
	}
	return true
}

// Truth is the ground truth of one symbol in a rendered scene.
type Truth struct {
	// Text is the encoded payload.
	Text string `json:"text"`
	// Corners are the symbol's outer corners TL, TR, BR, BL in the symbol's
	// own frame (module-space (0,0), (N,0), (N,N), (0,N), quiet zone
	// excluded), in pixel coordinates of the final image.
	Corners geom.Quad `json:"corners"`
	// Version is the symbol version 1..40.
	Version int `json:"version"`
	// ECLevel is "L", "M", "Q" or "H".
	ECLevel string `json:"ec_level"`
	// ModulePx is the mean module size in pixels (mean side length / N).
	ModulePx float64 `json:"module_px"`
	// Readable is false for deliberately damaged symbols: a finder pattern
	// touched by a blot, or a blotted share of the symbol above half the EC
	// level's recovery capacity. Such symbols should not decode; a reader
	// that returns their text anyway is suspect.
	Readable bool `json:"readable"`
	// Inverted reports light modules on a dark background.
	Inverted bool `json:"inverted,omitempty"`
	// Cylinder is the symbol's curvature (see Symbol.Cylinder); when it is
	// non-zero the mapping from module space to pixels is not a homography.
	Cylinder float64 `json:"cylinder,omitempty"`
}

// Dimension returns N = 17+4·Version, the symbol width in modules.
func (t *Truth) Dimension() int { return 17 + 4*t.Version }

// ModuleToImage maps a point in module space ((0,0) at the symbol's outer
// top-left corner, +x along the top edge, +y down the left edge) to image
// pixels, including the cylinder curvature.
func (t *Truth) ModuleToImage(p geom.Point) geom.Point {
	w := newWarp(t.Dimension(), t.Corners, t.Cylinder)
	return w.forward(p)
}

// Scene is a rendered image with its ground truth.
type Scene struct {
	// Plane is the final 8-bit image (Stride == W).
	Plane *gray.Plane
	// Codes holds one Truth per Spec.Symbols entry, in the same order.
	Codes []Truth
	// Seed is the seed the scene was rendered from.
	Seed uint64
	// Name is Spec.Name ("custom" if that was empty).
	Name string
}
