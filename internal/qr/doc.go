// Package qr is qrcascade's own QR code reader: it locates finder patterns,
// groups them into symbols, fits the module grid, samples it, and hands the
// module matrix to gozxing's Reed–Solomon and bit stream decoder
// (github.com/makiuchi-d/gozxing/qrcode/decoder). Terms follow ISO/IEC
// 18004:2015; each stage cites the clauses it implements.
//
// Coordinates: pixel (0,0) is the top-left corner of the top-left pixel, so
// the centre of pixel (x, y) is (x+0.5, y+0.5); +x is right and +y is down.
// Module coordinates follow the same axes with (0,0) at the symbol's outer
// top-left corner (the corner of the finder pattern opposite the missing
// one); module (x, y) covers [x, x+1)×[y, y+1).
//
// # Pipeline (Detector.Detect)
//
// One file per stage, in pipeline order; each depends only on the files of
// the stages it uses, never back (qr.go holds the exported types, sampler.go
// the bilinear gray-level sampler, scratch.go the reused buffers,
// geometry.go small numeric functions, formatinfo.go the format and version
// information codes of 7.9 and 7.10; simd.go and nosimd.go switch on the
// AVX2 kernels of binarize_simd.go, finder_simd.go and sampler_simd.go,
// which give exactly the scalar loops' results).
//
//  1. binarize.go: locate on a reduced copy when the image side exceeds
//     Options.LocateMaxDim (integer box filter), binarised with a local
//     mean threshold; a second pass binarises the histogram-equalised copy
//     on evidence of another symbol (equalisedPassWanted): nothing read, a
//     finder pattern left outside one symbol read and confirmed by five
//     scan lines, or outside two or more and confirmed by three, or a plane
//     a fifth of whose pixels lie in the 16 darkest levels; when
//     nothing was read on a reduced plane of 1,000 px or more
//     (coarseMinSide), the equalised pass again at twice the reduction,
//     for finder patterns wider than the threshold window (close-ups);
//     when still nothing was read on a reduced plane, the plain pass at
//     full resolution, for patterns the reduction lost (fullPassWanted).
//  2. finder.go: finder patterns (6.3.3) from 1:1:3:1:1 runs along rows,
//     confirmed along the column, the row again and a diagonal, with a ring
//     contrast of at least three times the pixel noise; while nothing is
//     read, every fourth column too, for patterns squeezed by a grazing view.
//  3. group.go: triples by corner angle (53–127°), equal sides and equal
//     module sizes, among each pattern's 16 best neighbours.
//  4. pairs.go: after each pass's triples, pairs of patterns whose third is
//     blurred, stained or wiped, the third predicted and placed by a finder
//     template, read under failed-grid budgets of their own.
//  5. screen.go: each candidate's format information (7.9) read on the
//     affine grid near the finder patterns; a certain one (both copies one
//     codeword, timing patterns in full agreement) is read at once, the
//     other survivors are ranked by timing pattern agreement (6.3.5),
//     alignment evidence for versions 7+ and agreeing version information,
//     and read best first; one that claims version 7+ with none of these
//     three is refused.
//  6. size.go, version.go: the sides to try, from finder spacing with module
//     sizes measured along the lines joining the patterns, both timing
//     patterns' module counts and the version information (7.10), read in
//     frames local to the finder patterns or on the projective guess.
//  7. transform.go: the global homography of each side by each method of
//     the grid ladder (read.go's gridLadder): the bottom-right alignment
//     pattern (6.3.6) near its prediction or searched wide, the fourth
//     corner placed where the grid is most in phase with the module edges
//     (for a certain candidate, the grid that search starts from first),
//     or the parallelogram.
//  8. alignment.go: for versions 7+, every alignment pattern located in a
//     walk outward from the finder patterns (Annex E) and one homography
//     per lattice cell (the local grid).
//  9. warp.go: the first grid that reached Reed–Solomon, bent through a 3×3
//     lattice of control points placed by grid phase (curved symbols).
//  10. sample.go: each module the mean of five samples, gated on 75 % of the
//     finder and timing modules matching, thresholded in module space;
//     deblur.go deconvolves the module values of blurred symbols.
//  11. gozxing.go: the format information read here, the decoder handed a
//     matrix with clean format and version codewords; it also tries the
//     mirror image.
//  12. read.go: each candidate read grid by grid under its budget: for each
//     side and grid method of gridLadder a grid, each with two samplings;
//     then, beyond the budget, the rungs of nearLadder on the near grid
//     (bent, then deconvolved).
//
// detect.go runs the passes (plain, equalised on evidence of another
// symbol, equalised at a coarser scale when a big plane yielded nothing,
// and a finer one when small symbols were read at a coarse scale) for each
// polarity Options.Polarity searches. After a read, triples whose three finder
// patterns lie on a symbol read, at its module size, are not read (data
// modules), nor are those with a pattern confirmed by one scan line or
// that passed only the loose format screen without full timing agreement,
// and the others of imperfect timing agreement get two grids.
//
// # Decoding from a quad (Detector.DecodeQuad, quad.go)
//
// For a neural detector's predicted quad (corner error a few per cent of
// the side): Detect on a crop around the quad (15 % margin; the plain
// locating pass only, cropOptions); then the finder patterns searched by
// template correlation in the quad's own frame (quadfinder.go) and read as
// a triple, deconvolved when that fails; then grids fitted directly to the
// quad for every rotation and plausible version, ranked by how well the
// finder patterns match. DecodeQuadSteps runs a subset of these steps
// (QuadSteps), for hypotheses where the others would repeat work.
//
// # Guarantees
//
// Reed–Solomon decides: no step accepts a symbol whose codewords do not
// correct. Every attempt is bounded: triples by Options.MaxTriples, grids
// by Options.MaxFailedGrids per pass and Options.MaxTransforms per
// candidate (plus the near grid's rescue, nearLadder: three bent grids and
// two deconvolved ones), the quad search by its window and trial sides. ctx is
// checked between passes, candidates and grids; Detect then returns what it
// has. Neither Detect nor DecodeQuad modifies the plane, and a Detector is
// safe for concurrent use. Failures name the stage where a candidate
// stopped (Failure.Stage) and wrap one of the package's sentinel errors.
//
// # Known weaknesses
//
// From the 48 of 648 boofcv-dev codes the classic tier leaves unread at
// aef0d47 (2026-12-05, qrcascade bench --mode classic):
//   - blurred (13 of 35), glare (6 of 26), damaged (7 of 21): finder
//     patterns not found (light ring merged) or codewords beyond
//     correction; the neural tier's quads read several of them;
//   - curved (6 of 30): the bend's 3×3 lattice follows versions up to
//     about 3 sagging a module; its phase objective repeats every module,
//     so a control point can settle one module off;
//   - high_version (4 of 17): no true triple found, or strong perspective;
//   - perspective (3 of 18) at 1.5–2 pixels per module across the tilt,
//     where no 1:1:3:1:1 run is seen;
//   - one binarisation window size per image; small symbols in 12 MP photos
//     located on a ÷3 copy, read by the finer pass only after a read there;
//     a close-up's large finder patterns found by the coarse pass only when
//     nothing else in the image was read, and only on planes of 1,000 px or
//     more after reduction.
//
// Measurements behind the parameters and what was tried and dropped are in
// docs/DECISIONS.md.
package qr
