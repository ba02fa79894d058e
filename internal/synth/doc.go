// Package synth renders deterministic synthetic QR scenes with exact ground
// truth, for tests, benchmarks and detector training.
//
// A scene is described by a Spec (image size, background, symbols and
// degradations) and rendered from a seed by Render; the same (Spec, seed)
// gives a byte-identical image on a given platform. Four scenarios that
// operators recognise are ready-made: CleanInvoice, BlurryPhoto, Small4K and
// Damaged (see Scenarios).
//
// # Rendering
//
// Symbols are encoded with gozxing's encoder (ISO/IEC 18004 module matrix:
// versions 1–40, EC levels L/M/Q/H, ECI for a named charset, kanji mode).
// Each symbol is then drawn by inverse mapping: a warp maps module space
// (0,0)…(N,N), N = 17+4·version, to the image, made of an optional cylinder
// bend (the symbol printed on a curved surface) followed by a homography
// (rotation, scale, perspective). For every pixel of the symbol's bounding
// box, 3×3 sub-pixel centres are mapped back to module space and the pixel
// receives the mean of the module, quiet-zone, blot or background values
// found there. This area coverage gives the soft, sub-pixel-accurate edges of
// a camera image rather than nearest-neighbour staircases. Truth.Corners are
// the forward-mapped symbol corners, exact to floating-point precision.
//
// Backgrounds are procedural: an invoice page (paper, blocky 3×5 glyph text,
// a table with rules, a dark logo block and a 1D barcode as a hard negative),
// optionally warped into a page quad over a photo-like texture (gradient,
// three octaves of value noise, flat shapes), or plain paper. Degradations are
// applied in camera order on a float image: shadow (multiplicative ramp),
// glare (Gaussian spot towards white), contrast compression, Gaussian blur,
// linear motion blur, additive Gaussian noise, quantisation to 8 bits, and a
// JPEG round trip.
//
// Determinism: every random choice comes from math/rand/v2 PCG streams keyed
// by the seed, one stream per stage (layout, placement, damage, light,
// noise), so changing one stage's parameters leaves the other stages'
// choices unchanged. Nothing depends on time or map iteration order.
//
// # Weak spots
//
// The synthetic world is simpler than a real one, and a reader tuned only on
// it will be over-confident:
//   - Text is blocky random glyphs, not real fonts; photos are noise
//     textures, not real clutter. Hard negatives are limited to text, table
//     rules and a 1D barcode.
//   - Optics are ideal: no lens distortion, vignetting, chromatic effects,
//     rolling shutter or sensor demosaicing; noise is signal-independent.
//   - A symbol's light modules are a flat paper grey; a cylinder bend has no
//     shading, and its bounds hide the part beyond a quarter turn.
//   - Truth.Readable for damaged symbols is a conservative heuristic (finder
//     coverage and blotted share against the EC capacity), not a decode.
//   - Floating-point rounding may differ across architectures (FMA), so
//     byte-identical output is promised per platform, not across them.
//
// Coordinates: pixel (0,0) is the top-left corner of the top-left pixel, +x
// right, +y down; the centre of pixel (x, y) is (x+0.5, y+0.5). Module space
// follows the same axes with (0,0) at the symbol's outer top-left corner
// (the corner at the finder pattern opposite the missing one), quiet zone
// excluded.
//
// All functions are safe for concurrent use; none keeps its arguments.
package synth
