package synth

import (
	"fmt"
	"math/rand/v2"
)

// Grey levels of ink and paper before any degradation.
const (
	inkLevel   = 30
	paperLevel = 245
)

// Random streams: each rendering stage draws from its own PCG stream keyed by
// the seed, so that changing one stage's parameters (say, Noise) leaves the
// others' random choices (the page layout, the symbol positions) unchanged.
const (
	streamBackground = iota + 1
	streamPlacement
	streamDamage
	streamLight
	streamNoise
)

func stream(seed uint64, stage uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15*stage))
}

// canvas is the float working image, grey levels 0..255.
type canvas struct {
	w, h int
	pix  []float32
}

func newCanvas(w, h int) *canvas { return &canvas{w: w, h: h, pix: make([]float32, w*h)} }

// supersample is the per-axis count of samples per pixel when drawing a
// symbol (3×3 = 9 samples, i.e. 10 coverage levels per pixel).
const supersample = 3

// placed is a symbol ready to draw.
type placed struct {
	sym    *symbol
	spec   Symbol
	quiet  float64
	warp   warp
	blots  []blot
	truth  Truth
	bounds [4]float64 // image bounding box of the symbol with its quiet zone
}

// Render draws the scene described by spec with the random choices seeded by
// seed. The same (spec, seed) always gives a byte-identical plane on a given
// platform. Render does not keep spec. It returns an error wrapping
// ErrInvalidSpec, ErrInvalidCode, ErrEncode or ErrNoRoom.
func Render(spec Spec, seed uint64) (*Scene, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	w, h := spec.size()
	syms := make([]*placed, len(spec.Symbols))
	for i, s := range spec.Symbols {
		enc, err := encode(s.Code)
		if err != nil {
			return nil, fmt.Errorf("synth: symbol %d: %w", i, err)
		}
		q := 4.0
		switch {
		case s.QuietZone > 0:
			q = float64(s.QuietZone)
		case s.QuietZone < 0:
			q = 0
		}
		syms[i] = &placed{sym: enc, spec: s, quiet: q}
	}
	if err := place(syms, w, h, stream(seed, streamPlacement)); err != nil {
		return nil, err
	}

	c := newCanvas(w, h)
	drawBackground(c, &spec, stream(seed, streamBackground))
	dmg := stream(seed, streamDamage)
	scene := &Scene{Seed: seed, Name: spec.Name, Codes: make([]Truth, len(syms))}
	if scene.Name == "" {
		scene.Name = "custom"
	}
	for i, p := range syms {
		p.truth = Truth{
			Text: p.spec.Code.Text, Corners: p.warp.corners(),
			Version: p.sym.version, ECLevel: p.sym.ecLevel,
			Inverted: p.spec.Invert, Cylinder: p.spec.Cylinder, Readable: true,
		}
		if p.spec.Damage > 0 || p.spec.DamageFinder {
			p.blots, p.truth.Readable = makeBlots(p.sym, p.spec.Damage, p.spec.DamageFinder, dmg)
		}
		q := p.truth.Corners
		p.truth.ModulePx = (q[0].Dist(q[1]) + q[1].Dist(q[2]) + q[2].Dist(q[3]) + q[3].Dist(q[0])) / 4 / float64(p.sym.n)
		drawSymbol(c, p)
		scene.Codes[i] = p.truth
	}
	pl, err := degrade(c, &spec, seed)
	if err != nil {
		return nil, err
	}
	scene.Plane = pl
	return scene, nil
}
