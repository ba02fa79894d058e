// Package qr is qrcascade's own QR code reader: it locates finder patterns,
// groups them into symbols, fits the module grid, samples it, and hands the
// module matrix to gozxing's Reed–Solomon and bit stream decoder
// (github.com/makiuchi-d/gozxing/qrcode/decoder). Terms follow ISO/IEC
// 18004:2015; clauses are cited where each stage is implemented.
//
// Coordinates: pixel (0,0) is the top-left corner of the top-left pixel, so
// the centre of pixel (x, y) is (x+0.5, y+0.5); +x is right and +y is down.
// Module coordinates follow the same axes with (0,0) at the symbol's outer
// top-left corner (the corner of the finder pattern opposite the missing
// one).
//
// # Pipeline (Detector.Detect)
//
//  1. Locate on a reduced copy when the image side exceeds
//     Options.LocateMaxDim (integer box filter), binarise with a local mean
//     threshold (binarize.go). A second pass binarises the histogram-
//     equalised reduced copy.
//  2. Finder patterns: 1:1:3:1:1 run checks along rows, confirmed along the
//     column, the row again and a diagonal; module size from the smallest of
//     the four directions; the gray level contrast between the light ring
//     and the dark rings, measured on the unequalised plane, must reach
//     three times the pixel noise (estimated once per plane from adjacent
//     pixel differences) and at least 4 levels (finder.go).
//  3. Grouping into triples by right angle, equal sides and equal module
//     sizes, among each pattern's 16 best neighbours (group.go).
//  4. Per triple, within Options.MaxTransforms: screen by reading the format
//     information on the affine grid; estimate the side from finder spacing,
//     both timing patterns and (versions 7+) the version information read in
//     frames local to the finder patterns; fit a homography with the
//     bottom-right alignment pattern (near search, then wide search with a
//     larger template), then with the fourth corner placed where the grid is
//     most in phase with the module edges (searchCorner: version 1, damaged
//     alignment patterns, strong perspective), then the parallelogram; for
//     versions 7+ one homography per alignment-pattern cell (grid.go).
//  5. Sample each module as the mean of five points (sample.go); reject the
//     grid unless 75 % of its finder and timing modules match; threshold in
//     module space (local 9×9-module mean blended with the symbol mean, then
//     the same with a module-space unsharp mask; on a second sampling, a
//     5×5 mean on a grid shifted by 0.2 module); read the format information
//     ourselves (up to two candidates, formatinfo.go) and hand gozxing's
//     decoder a matrix with clean format and version codewords (decode.go);
//     gozxing also tries the mirror image.
//
// DecodeQuad, for a neural detector's predicted quad, runs Detect on a crop
// around the quad and, failing that, fits a grid directly to the quad for
// every rotation and plausible version, ranked by how well the three finder
// patterns match.
//
// # State (end of the first session)
//
// Works, with unit tests on synthetic symbols: finder centres within 0.5
// module under rotation, perspective and blur; versions 1–40 read exactly;
// moderate perspective; blur; low contrast; mirrored; inverted (with
// Options.TryInverted); DecodeQuad with noisy corners; a 2 MP invoice.
//
// Known weaknesses (the next steps):
//   - strong perspective on high versions: the bottom-right alignment search
//     can lock onto data modules; estimate the fourth corner from the finder
//     patterns' outer edges or fit the timing patterns' projective spacing;
//   - curved (cylinder) symbols: refineLocal exists but does not yet converge
//     on the synthetic cylinder test (skipped in TestDetectRoundTrip);
//   - finder detection scans rows only (confirmed in other directions), so
//     a finder pattern cut by glare along its centre row is missed; a
//     contour/connected-component detector would add recall on glare,
//     bright_spots and damaged;
//   - binarisation uses one window size per image.
//
// Measured (go test -run TestCorpus with QRCASCADE_CORPUS set, see
// corpus_test.go; 2 shared CPU cores, timings include image decoding and are
// noisy): images read, this package vs plain gozxing (QRCodeMultiReader,
// TRY_HARDER) in the same run: zxing/ 162/180 vs 155/180, jsqr/ 48/53 vs
// 40/53, boofcv-decoding/ 26/26 (after the manifest's CR LF normalisation),
// zxing-cpp-negatives/ 0 false reads. After adding the format-information
// screen (4× faster on negatives): zxing/ 158/180, zxing-cpp/ 104/137,
// jsqr/ 48/53, boofcv-decoding/ 26/26, no false reads on the negatives.
// boofcv-dev (QRCASCADE_BASELINE=0): codes 254/648 = 39.2 %, mean of
// categories 55.5 %, 352 ms/image; lots 26/240 is the weakest category
// (triple and candidate budgets, and row-only finder scanning at reduced
// scale), then damaged 8/21, shadows 6/9, blurred 10/35, bright_spots 16/49.
package qr
