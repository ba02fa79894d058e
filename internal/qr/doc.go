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
//  3. Grouping into triples by corner angle (53–127°: oblique views),
//     equal sides and equal module sizes, among each pattern's 16 best
//     neighbours (group.go).
//  4. Per triple, within Options.MaxTransforms: screen by reading the format
//     information on the affine grid; estimate the side from finder spacing
//     with module sizes measured along the line joining each pair of
//     patterns (their geometric mean: exact under a projective map), both
//     timing patterns and (sides 40+) the version information read in
//     frames local to the finder patterns or, when both blocks do not
//     agree there, on the projective guess (the fourth corner completed
//     from the vanishing points that the module-size ratios along the two
//     finder-to-finder lines imply); candidates whose two version blocks
//     agree are read first, then by timing rank; fit a homography with the
//     bottom-right alignment pattern (near search, then wide search with a
//     larger template), then with the fourth corner placed where the grid is
//     most in phase with the module edges (searchCorner: version 1, damaged
//     alignment patterns, strong perspective; started from the projective
//     guess when it matches the function patterns better than the
//     parallelogram), then the parallelogram; for
//     versions 7+ one homography per alignment-pattern cell, the patterns
//     located in a walk outward from the finder patterns (grid.go,
//     align.go).
//     When the budget is spent, the first grid that got as far as
//     Reed–Solomon is bent once more by refinePhase (a 3×3 lattice of
//     control points placed by grid phase, one homography per cell) and
//     read again: symbols on cans and bent paper; then its module values
//     are deconvolved (quad_deblur.go) and read once more: blur.
//  5. Pair completion (pairs.go), after each pass's triples: two finder
//     patterns whose third is blurred, stained or wiped; the third is
//     predicted at a right angle (or off the diagonal's middle), placed by
//     a finder template, screened and read under budgets of their own.
//  6. Sample each module as the mean of five points (sample.go); reject the
//     grid unless 75 % of its finder and timing modules match; threshold in
//     module space (local 9×9-module mean blended with the symbol mean, then
//     the same with a module-space unsharp mask; on a second sampling, a
//     5×5 mean on a grid shifted by 0.2 module); read the format information
//     ourselves (up to two candidates, formatinfo.go) and hand gozxing's
//     decoder a matrix with clean format and version codewords (decode.go);
//     gozxing also tries the mirror image.
//
// DecodeQuad, for a neural detector's predicted quad (corner error a few
// per cent of the side, one module or more), tries in order:
//
//  1. Detect on a crop around the quad (15 % margin);
//  2. the finder patterns searched in the quad's own frame (quad.go): a
//     9×9-module template of the finder pattern and its separator, moved
//     in one-module steps over ±15 % of the side around each corner on a
//     box-filtered copy of about two pixels per module, for 13 trial sides;
//     the triple whose correlations sum highest with agreeing pixel module
//     sizes (which keeps alignment patterns out), refined at full
//     resolution, is read by readCandidate like a located triple; when
//     that fails, the module values of the most likely side are
//     deconvolved with a blur model fitted on the finder and timing
//     patterns (quad_deblur.go) and decoded at three levels;
//  3. grids fitted directly to the quad for every rotation and plausible
//     version, ranked by how well the three finder patterns match
//     (sampleQuad; on boofcv-dev it reads nothing step 2 misses).
//
// Every attempt is bounded: the template search by its window and sides,
// each triple by Options.MaxTransforms grids plus two deconvolved grids,
// and ctx is checked between sides and triples. Reed–Solomon decides: no
// step accepts a symbol whose codewords do not correct.
//
// # State (end of the fourth session)
//
// Works, with unit tests on synthetic symbols: finder centres within 0.5
// module under rotation, perspective and blur; finder contrast and the
// noise-relative contrast floor; versions 1–40 read exactly; the side
// estimated under strong perspective (TestPerspectiveSizeEstimate), the
// projective fourth corner (TestProjectiveGuess) and version information
// read on it (TestReadVersionPerspective); skewed triples grouped
// (TestGroupSkewedTriple); strong perspective on versions 1–3 (fourth
// corner by grid phase, TestSearchCorner); sagging versions 3
// (refinePhase, TestRefinePhase); versions 25–40 sagging by 3.5–4 modules
// or on a cylinder (local grid, TestRefineLocalWarped); one finder pattern
// wiped or greyed, before and after another symbol's read
// (TestCompletePairs, TestCompletePairsAfterRead); blur; low contrast;
// mirrored; inverted (with Options.TryInverted); clean format/version
// codewords written back; the finder/timing agreement gate; the
// module-space unsharp threshold; DecodeQuad with noisy corners, blurred;
// a 2 MP invoice; a 12 MP photo-like plane without a symbol, as is and
// equalised (TestNoCodeWork).
//
// Known weaknesses (the next steps), from the codes the classic tier
// leaves unread on boofcv-dev (59 of 648 at the end of the fourth
// session):
//   - curved: 10 of 30, most failing Reed–Solomon on a grid that matches
//     the finder and timing patterns: refinePhase's 3×3 lattice reads
//     version 3 sagging 1.2 modules but not versions 4–6 (the phase
//     objective repeats every module, so a control point can settle one
//     module off); a finer lattice, or the timing patterns' module
//     positions as control points, are the next steps;
//   - blurred (14 of 35), glare (8 of 26), damaged (7 of 21): finder
//     patterns not found at all (light ring merged) or codewords beyond
//     correction; a contour/connected-component finder detector and a
//     binarisation window matched to the module size are the next steps;
//     the neural tier reads several of them (its quad gives the finder
//     search a place and a scale);
//   - perspective: 5 of 18 at 1.5–2 pixels per module across the tilt,
//     where the run-length finder search sees no 1:1:3:1:1 pattern;
//   - high_version: 4 of 17 (007, 008, 028 without a true triple; 010
//     under strong perspective);
//   - small symbols in 12 MP photos located on a ÷3 copy (brightness 017:
//     modules of about one pixel there); the fine pass runs only after a
//     read at that scale, the neural tier's tiles cover the rest;
//   - one window size per image for binarisation; the curved (cylinder)
//     version 15 round-trip case of TestDetectRoundTrip is still skipped.
//
// Measured. Fifth session (2026-11-25): symbols seen at a grazing angle
// (boofcv-dev perspective 013, 032: about 2 px per module across, 6 down)
// have finder patterns the row scan cannot find. findFinders also scans
// every fourth column of the bitmap while the image has yielded no symbol
// (findForeshortened: a vertical hit cross-checked horizontally, kept when
// its horizontal module size is under half its vertical one); the grouping
// compares such triples' corner angles and sides with x unsqueezed by
// their anisotropy (the true top-left corner of 032 is 39° in the image,
// 98° unsqueezed); a screened triple of two or more squeezed patterns that
// no grid reads gets the quad extrapolated from its finder centres
// (centreQuad) and the quad-frame finder search of quad.go. `make
// bench-corpus`: boofcv-dev 590 → 592/648 (perspective 13 → 15/18), mean
// of categories 85.7 → 86.4 %, every text set and the negatives
// unchanged, no false read; CPU per image 30.3–30.4 (base binary) against
// 29.7–31.0 ms in the same hour; BenchmarkClassicCleanInvoice 7.5–7.7 →
// 7.7–8.0 ms. Steps: every column and the quad search for any squeezed
// triple: 593/648 (glare +1 from a triple with one squeezed pattern) at
// 35.1 ms CPU per image (the quad search on 144 squeezed look-alike triples
// was 11 % of the CPU); two squeezed patterns at least: 592 at 32.0;
// every other column: 30.8–31.0; every fourth, and no column scan after a
// read: 29.7, ClassicCleanInvoice 8.8 → 7.7–8.0 ms. Tried and dropped:
// patterns squeezed vertically (a page photographed at a low angle),
// accepted by the row scan's vertical cross-check up to 6× and grouped
// unsqueezed along y: synthetic views turned by 90° read, but no corpus
// image gained and the classic tier's CPU per image rose 7 % (30.1 →
// 32.1–32.7 ms, the two binaries alternated), ClassicCleanInvoice 2–3 %
// even with triples of one squeezed pattern skipped.
//
// Then the near grid's bend (refinePhase) is refined in three rounds,
// each from the last, instead of one (phaseRounds): boofcv-dev 592 → 596
// (curved 20 → 23/30: 011 and 012, a label on a bottle that reached
// Reed–Solomon as version 1, and the second code of 023; 013 and 014, the
// same label, still fail; glare 18 → 19), text
// sets unchanged, 30.5–31.2 → 32.4–34.0 ms CPU per image (the two
// binaries alternated); BenchmarkClassicCleanInvoice unchanged (7.7 ms).
// Synthetic bends (a cylinder seen obliquely, rows sagging quadratically)
// read with one round already, so no unit test separates the rounds.
//
// Measured. Fourth session (2026-11-25), the whole classic tier (default
// order: locator, harder, invert, locator_eq), `make bench-corpus`, 2 CPU
// cores shared with two helpers for most steps (read rates are exact;
// CPU figures noisy). Start (commit 2c6176e): zxing/ 178/180, zxing-cpp/
// 126/137, jsqr/ 52/53, boofcv-decoding 26/26, negatives 0/46, 0 false
// reads; boofcv-dev 542/648 = 83.6 %, mean of categories 74.6 %. Steps,
// boofcv-dev codes and mean of categories after each: size from
// directional module sizes, version words trusted from side 40 and when
// consistent, version-agreed candidates first: 549, 76.0 % (zxing-cpp/
// 128, jsqr/ 53/53); projective start for the corner search: 552, 77.0 %
// (close 16 → 19/20); pair completion: 565, 80.5 % (bright_spots 41 → 46,
// damaged 11 → 14, pathological 8 → 10), with the diagonal: 567, 81.2 %;
// version information on the projective guess: 572, 81.6 % (rotations
// 59 → 64/66); corner angles 53–127°: 576, 82.8 % (perspective 10 → 13);
// pairs after a read: 580, 83.2 % (bright_spots 49/49); the local grid
// walk and alignment evidence (align.go, merged): high_version 9 → 13/17;
// deconvolution of the near grid: 589/648 = 90.9 %, mean 85.6 % (blurred
// 16 → 21/35). Text sets at the end: zxing/ 178/180, zxing-cpp/ 129/137
// (one artistic code, qrcode-2/13, lost to the local-grid ranking),
// jsqr/ 53/53, boofcv-decoding 26/26, negatives 0/46, 0 false reads.
// Cost: gridPhase walks homogeneous coordinates (searchCorner 9 %
// cheaper), sampler.at has an interior fast path (3 % of the tier),
// per-grid buffers are reused (bytes allocated over boofcv-dev 6.1 →
// 4.4 GB), locator_eq neither completes pairs nor runs a second pass (50 →
// 13 ms per attempt, same reads). Tried and dropped: skipping the
// equalised pass after a read (bright_spots 49 → 34); smaller pair
// budgets (6 and 3 failed grids: blurred 21 → 19, no clear time gain);
// the finder cross-check ratio 2.5 → 4 (no read gained: the missed
// perspective patterns are not found by the row scan at all); a coarser
// template search for the missing pattern (1, 0.4, 0.2 module steps, 59
// instead of 106 evaluations: boofcv-dev 588 → 584, bright_spots 49 → 46,
// for zxing/ +2 and zxing-cpp/ +1 with the detector alone); finder module
// sizes within 2.5× instead of 2× for a triple (close/027, whose patterns
// differ 2.2×, still fails later; no read changed); refinePhase with a
// 4×4 or 5×5 lattice (synthetic sagging symbols, versions 3–8 sagging
// 1.0–1.6 modules: fewer read than with 3×3, none that 3×3 misses — the
// smaller cells give the periodic phase objective less to hold on to).
//
// Measured. Third session (2026-11-24), the whole classic tier in its
// default order, `bin/qrcascade bench --manifest .../zxing/manifest.jsonl
// ... --manifest .../boofcv-dev/manifest.jsonl` (the sets of
// `make bench-corpus`), 2 shared CPU cores (CPU time per image over all
// 716 images, file reading and image decoding included). Before (the
// round-2 commits): zxing/ 169/180, zxing-cpp/ 118/137, jsqr/ 52/53,
// boofcv-decoding/ 26/26, negatives 0/46 read, 0 false reads; boofcv-dev
// 319/648 codes = 49.2 %, mean of categories 59.6 %; 118.7 ms CPU per
// image. After: see Final below. boofcv-dev by category, before → after:
// blurred 10 → 11/35, bright_spots 34 → 35/49, brightness 29 → 30/42,
// close 14 → 15/20, curved 14 → 19/30, damaged 8 → 10/21, glare
// 13 → 17/26, high_version 8 → 9/17, lots 72/240,
// monitor 9/9, nominal 32 → 33/41, noncompliant 8/13, pathological 8/12,
// perspective 10/18, rotations 43 → 60/66, shadows 7 → 8/9. Steps: finder
// contrast ≥ 4 levels (325/648, 87.3 ms); clean format information,
// unsharp threshold, agreement gate (328/648); noise-relative floor (same
// reads, 82.3 ms); fourth-corner search (349/648, 79.8 ms); refinePhase
// (354/648, mean 65.8 %, zxing/ 177/180, zxing-cpp/ 125/137, 83.3 ms).
// Final: zxing/ 177/180, zxing-cpp/ 125/137, jsqr/ 52/53,
// boofcv-decoding/ 26/26, negatives 0/46, 0 false reads; boofcv-dev
// 354/648 = 54.6 %, mean of categories 65.8 %, 83.3 ms CPU per image
// (curved 19/30, glare 17/26, the rest as above). The locator
// strategy alone (`bin/qrcascade bench --strategies locator --manifest
// .../boofcv-dev/manifest.jsonl`): before 465/648 = 71.8 %, mean of
// categories 64.9 %, 169.4 ms CPU per image; after the corner search
// 500/648 = 77.2 %, mean 70.7 %, 119.3 ms; final 506/648 = 78.1 %, mean
// 71.9 %, 120.5 ms CPU per image (lots 208/240, rotations 64/66,
// bright_spots 40/49, nominal 35/41, curved 18/30; blurred 11/35 the
// weakest). The round-2
// uncommitted format-level screen was measured (317/648, no gain; it broke
// the perspective round-trip test) and dropped.
// Cost: `go test -run XXX -bench ReadNoCode12MP -benchtime 5x .` (module
// root, whole Read, JPEG decoding included): 860 ms before this session
// (per the issue); 675 cpu-ms after the 4-level finder contrast gate (the
// equalised plane of locator_eq still fitted grids on amplified noise);
// 365–415 cpu-ms after the noise-relative floor. Of that, Detect is about
// 70 ms (locator and locator_eq together, pprof), JPEG decoding about
// 125 ms and the gozxing strategies (hybrid binariser) about 170 ms: the
// rest of the way to 300 ms is outside this package. `go test -run XXX
// -bench 'DetectNoCode12MP|DetectInvoice2MP' -benchtime 5x ./internal/qr/`:
// BenchmarkDetectNoCode12MP 1480 ms/op at the start of the session (round
// 2's uncommitted changes in the tree), 50 ms/op after;
// BenchmarkDetectNoCode12MPEqualised 56 ms/op; BenchmarkDetectInvoice2MP
// 37 → 17 ms/op (wall, noisy). BenchmarkClassicCleanInvoice: 6.5–7.3
// cpu-ms/op (gozxing reads it first; target 8).
// The default order puts gozxing (raw) before the locator; with the
// locator first (`--strategies locator,raw,downscale,eq_otsu,otsu,
// adaptive,upscale,harder,invert,sharpen,eq,locator_eq`, all sets), final
// code: zxing/ 178/180, zxing-cpp/ 126/137, jsqr/ 52/53, boofcv-decoding/
// 26/26, negatives 0/46, 0 false reads; boofcv-dev 515/648 = 79.5 %, mean
// of categories 74.1 % (blurred 13/35, bright_spots 41/49, brightness
// 36/42, close 15/20, curved 19/30, damaged 11/21, glare 17/26,
// high_version 9/17, lots 208/240, monitor 9/9, nominal 36/41,
// noncompliant 10/13, pathological 8/12, perspective 10/18, rotations
// 64/66, shadows 9/9); 80.8 ms CPU per image. (Before refinePhase:
// zxing/ 172/180, zxing-cpp/ 120/137, boofcv-dev 509/648, mean 73.0 %.)
// Tried and dropped: refining the corner found by the near alignment
// search with the grid phase search (a "mode 4" between modes 0 and 1):
// boofcv-dev unchanged at 349/648, zxing/ +1 image, 136.9 instead of
// 79.8 ms CPU per image. Measured for the classic tier to decide:
// Options.TryInverted on this package alone (QRCASCADE_INVERTED=1,
// QRCASCADE_BASELINE=0 go test -run TestCorpus): zxing-cpp/ 112 → 115/137,
// jsqr/ 51 → 52/53, zxing/ 166/180 either way, no false reads, negatives
// 37 → 76 ms per image.
//
// After the third round (lead, same day; make bench-corpus, classic tier,
// locator now first in the default order): after a symbol is read,
// candidates with timing rank < 6 are skipped and a pass stops after 12
// misses in a row (a clean invoice page: 113 failed grids and 424 ms in
// Detect → 1 and 23 ms; boofcv-dev 513 → 509/648, rotations 62 → 58/66);
// MaxFailedGrids 100 → 40 (boofcv-dev 509 → 506/648, high_version 9 → 8,
// rotations 58 → 56; 20 % less CPU; unreadable damaged synthetic symbols
// 479 → 217 ms in the locator strategy). Tried and dropped: 3 misses in a
// row without the rank rule (503/648, rotations 52/66); skipping the
// equalised pass after a read (470/648: bright_spots 41 → 26, lots 208 →
// 192). Final: zxing/ 178/180, zxing-cpp/ 126/137, jsqr/ 52/53,
// boofcv-decoding/ 26/26, negatives 0/46, boofcv-dev 506/648 (78.1 %),
// mean of categories 73.0 %, 61.7 ms CPU per image over all 716 images.
//
// Session 3 (2026-11-24, lead; QRCASCADE_BASELINE=0 QRCASCADE_CORPUS=... go
// test -run TestCorpus -v ., this package alone, and make bench-corpus for
// the tier). Cost first, bit-identical (tests against the direct
// formulas): binarisation with running column sums and a sliding window
// sum instead of a summed-area table (2.8 → 1.6 ms on the clean invoice's
// 877×620 reduced plane, 5× less memory), a SWAR factor-2 reduce (1.1 →
// 0.8 ms), row runs found with bytes.IndexByte, the integer centre test
// first in runsMatch (finder scan 1.45 → 0.9 ms), the noise level measured
// once per scene, and the reduced planes and bitmaps borrowed from a
// per-Detector pool (2.5 → 0.4 MB allocated per clean invoice): boofcv-dev
// reads unchanged, 146.5 → 113–116 ms CPU per image in the classic bench
// (JPEG decoding not yet changed then). Reads: keepPerPattern (each
// pattern's 6 best triples survive the triple budget) 496 → 512/648;
// fineScale (a finer pass after small symbols at a 3× reduction) 512 →
// 533/648 (lots 208 → 238/240), no category lower; minCountAfterRead (one
// confirming line is not enough once a symbol was read) cut the clean
// invoice's equalised pass from 121 to 37 triples (Detect 12.4 → 9.3 ms)
// with the same reads everywhere; MaxFailedGrids 40 → 30, same reads.
// Tried and dropped: screening a triple's format information at the
// spacing-estimate size before counting the timing patterns (496 instead
// of 505/648, no CPU gained); six timing samples per module instead of two
// per pixel (504/648); LocateMaxDim 3000 (lots +21 but monitor 9 → 5,
// high_version 8 → 6, close 15 → 13; fineScale gets lots without that);
// MaxTriples 3000 (lots +15, high_version 8 → 4: look-alike triples spend
// the failed-grid budget); ordering the candidate sides by timing
// agreement on their affine grids (523 instead of 533/648); at most two
// grids per side with inconsistent timing counts put last (reads
// jsqr/billboard-2, whose spacing estimate says 41 for a side-37 symbol
// under strong perspective, but zxing −1, zxing-cpp −2, high_version −2).
// Skipping the equalised pass after a read on "bimodal" planes (97 % of
// pixels within 48 levels of black or white, as on a clean page) lost
// bright_spots 40 → 35 and brightness 39 → 37: glare photos are bimodal too.
// make bench-corpus after this session: see docs/BENCHMARKS.md (v4).
//
// Issue 3 (2026-11-25, high versions): the local grid (refineLocal,
// align.go) was rebuilt. Before, each alignment pattern was searched around
// the global prediction plus one neighbour's displacement with a mean-level
// template that data modules pass (on a v32 symbol on a strong cylinder,
// data look-alikes scored 0.3–0.6 of the contrast, the true patterns
// 0.3–1.0), and the walk diverged. Now: predictions
// extrapolate the displacements of the placed neighbours (left + up −
// diagonal), the template is the min/max margin of all 25 modules (data
// modules score below zero), a ±3-module retry and a second pass from
// located neighbours on all sides catch what the first search missed,
// positions are centred on the light ring (0.15 module instead of a third),
// and the lattice points inside the finder patterns are placed through the
// finder centres. readCandidate compares whole grids (sameGrid), not only
// the bottom-right corner, before skipping a mode: local grids fitted from
// different global transforms share that corner. Detector alone
// (QRCASCADE_BASELINE=0 QRCASCADE_CORPUS=boofcv-dev,zxing,zxing-cpp,jsqr go
// test -run 'TestCorpus$' -v .): boofcv-dev 533 → 536/648 (high_version
// 8 → 10/17, bright_spots 40 → 41/49), zxing/ 173/180, zxing-cpp/
// 117/137, jsqr/ 51/53 unchanged, 0 false reads. Classic tier
// (bin/qrcascade bench --mode classic --manifest .../boofcv-dev/
// manifest.jsonl): 542 → 545/648, mean of categories 74.6 → 75.4 %
// (high_version 8 → 10/17, bright_spots 41 → 42/49), 65.6 → 64.2 ms CPU
// per image (three runs each: 66.0, 64.7, 66.2 → 63.5, 64.1, 65.0); the
// high_version category alone 123.8 → 100.9 ms; zxing/ 178/180,
// zxing-cpp/ 126/137, jsqr/ 52/53, boofcv-decoding/ 26/26, negatives
// 0/46 unchanged. `go test -run XXX -bench RefineLocal40 -benchtime 20x
// -count 2 .` (v40 sagging 4 modules, 46 patterns), final code, two
// interleaved runs each: 0.64–0.73 → 0.39–0.41 ms/op (the template's
// early exit: most positions cost two or three samples; a first
// measurement, 1.11 → 0.39, was taken on a loaded machine). Unit test: TestRefineLocalWarped
// (v25 and v40 sagging 3.5–4 modules, v32 on a cylinder: one homography
// fails, the local grid puts every module within 0.4 module and reads; the
// previous walk diverged on the sagging cases). Tried and dropped: the new
// template for the bottom-right search of modes 0 and 1 too (zxing/ −1,
// zxing-cpp/ −1, nothing gained); rejecting a side whose version
// information, read on the fitted grid, names another version (no read
// changed: on 026 the wrong side's grid reads no version at all).
// Then the screen (screenCandidate) ranks a triple 10 when the two
// alignment patterns next to its top-left finder pattern are found on the
// parallelogram grid of one of its two likeliest sides of 45 modules or
// more (showsAlignment, alignmentEvidence): the true triples of
// high-version symbols come before the look-alike triples that the
// finder-like shapes of their data regions make, which had spent the
// failed-grid budget first (with MaxFailedGrids 300 instead, the Detector
// read 14/17 high_version codes before this). The ±3-module retry of the
// walk now waits for a first located pattern, but next to the finder
// patterns, and patterns are centred only once accepted: look-alike
// triples cost less. Detector alone: boofcv-dev 536 → 545/648
// (high_version 10 → 13/17, rotations 58 → 64/66: among them two version 7
// codes of multi-code images with timing ranks 4 and 5, under
// minRankAfterRead), zxing/ 173, zxing-cpp/ 117, jsqr/ 51 unchanged, 0
// false reads. Classic tier, same command: boofcv-dev 554/648, mean of
// categories 77.1 % (high_version 13/17, rotations 64/66, bright_spots
// 42/49; base 542/648, 74.6 %); 66.3 → 66.4 ms CPU per image (three runs
// each: 67.1, 65.4, 66.3 → 66.4, 69.3, 63.5); zxing/ 178/180, zxing-cpp/
// 126/137, jsqr/ 52/53, boofcv-decoding/ 26/26, negatives 0/46
// unchanged; negatives 33.6 → 34.7 ms CPU per image (the manifest five
// times, two runs each).
//
// Earlier sessions (go test -run TestCorpus with QRCASCADE_CORPUS set, see
// corpus_test.go): first session, this package alone: zxing/ 158/180,
// zxing-cpp/ 104/137, jsqr/ 48/53, boofcv-decoding/ 26/26, no false reads
// on the negatives; boofcv-dev codes 254/648 = 39.2 %, mean of categories
// 55.5 %. Round 2 (full default order, make bench-corpus): before it
// boofcv-dev 300/648 (46.3 %), mean 57.0 %, 88.5 ms CPU per image; it
// raised lots to 192/240 for the locator alone.
package qr
