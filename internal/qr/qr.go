package qr

import (
	"errors"
	"fmt"
	"sync"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Sentinel errors. Failures wrap one of them, so callers can test with
// errors.Is.
var (
	// ErrNotFound reports that no symbol could be located (an outcome, not a
	// malfunction).
	ErrNotFound = errors.New("qr: no symbol found")
	// ErrFormatInfo reports that neither copy of the format information
	// (ISO/IEC 18004:2015, 7.9) could be read.
	ErrFormatInfo = errors.New("qr: format information unreadable")
	// ErrVersionInfo reports that the version information (7.10) could not
	// be read or disagrees with the estimated symbol size.
	ErrVersionInfo = errors.New("qr: version information unreadable")
	// ErrAlignment reports that the module grid could not be fitted.
	ErrAlignment = errors.New("qr: module grid could not be fitted")
	// ErrCodewords reports that the codewords could not be read from the grid.
	ErrCodewords = errors.New("qr: codewords unreadable")
	// ErrErrorCorrection reports that Reed–Solomon decoding failed (too many
	// errors).
	ErrErrorCorrection = errors.New("qr: too many errors to correct")
	// ErrBitstream reports that the corrected data did not parse as a valid
	// bit stream (7.4).
	ErrBitstream = errors.New("qr: invalid bit stream")
)

// Stage names the step of the reading procedure where a candidate stopped.
type Stage int

// Stages, in the order the reading procedure runs them.
const (
	StageFinder          Stage = iota // finder pattern detection
	StageGrouping                     // grouping finder patterns into symbols
	StageFormat                       // format information (7.9)
	StageVersion                      // version information (7.10)
	StageAlignment                    // alignment patterns and grid fitting
	StageCodewords                    // codeword placement (7.7.3)
	StageErrorCorrection              // Reed–Solomon decoding (7.5)
	StageBitstream                    // data bit stream parsing (7.4)
)

var stageNames = [...]string{"finder", "grouping", "format", "version", "alignment", "codewords", "errorcorrection", "bitstream"}

// String returns the stage's lower-case name, as used in reports and metrics.
func (s Stage) String() string {
	if s >= 0 && int(s) < len(stageNames) {
		return stageNames[s]
	}
	return fmt.Sprintf("stage(%d)", int(s))
}

// Options configures a Detector. The zero value is ready to use: every zero
// field selects the documented default.
type Options struct {
	// MaxFinderCandidates bounds the finder pattern candidates kept per image
	// and polarity, strongest first. Zero means 400: dozens of symbols per
	// image need about three times their count, plus look-alikes.
	MaxFinderCandidates int
	// MaxTriples bounds the finder pattern triples tried per image and
	// polarity. Zero means 80 or three per finder pattern candidate, whichever
	// is more (a triple that fails its format information screen costs a few
	// hundred samples).
	MaxTriples int
	// MaxFailedGrids bounds the module grids sampled per pass (binarisation
	// and polarity) that do not decode, over all candidates; grids that
	// decode do not count, so the budget does not limit images with many
	// symbols. Zero means 30: 100 read 3 more of the 648 boofcv-dev codes
	// than 40 for 20 % more CPU and twice the time on unreadable damaged
	// symbols; 40 and 28 read the same codes (boofcv-dev, zxing, zxing-cpp;
	// Detector alone), 24 four fewer.
	MaxFailedGrids int
	// MaxMissesAfterRead stops a pass once this many candidates in a row
	// failed after a symbol was read in the image: the candidates are read
	// best first, so by then the rest are look-alikes (invoice text, logos).
	// Zero means 12.
	MaxMissesAfterRead int
	// SinglePass disables every locating pass after the first: the pass on
	// a histogram-equalised copy, which the zero value (false) runs on
	// evidence of another symbol (nothing read, a finder pattern left
	// outside the symbols read, or a dark plane: equalisedPassWanted) and
	// which recovers many symbols next to glare and bright spots, and the
	// passes run when nothing was read (NoCoarsePass, NoFullPass).
	SinglePass bool
	// NoCoarsePass disables the equalised pass at twice the reduction that
	// Detect runs when nothing was read on a reduced plane of 1,000 px or
	// more (see coarseMinSide): for planes that are not photos, such as the
	// rectified crops of a detector's candidates, where it was not measured
	// to read anything. DecodeQuad never runs it on its crop.
	NoCoarsePass bool
	// NoFullPass disables the plain pass at full resolution that Detect
	// runs last when nothing was read on a reduced plane (a side over
	// LocateMaxDim; see fullPassWanted). DecodeQuad never runs it on its
	// crop.
	NoFullPass bool
	// MaxTransforms bounds the module-grid transforms (symbol size guesses,
	// perturbed grids, thresholds) sampled and decoded per triple. Zero means 6.
	MaxTransforms int
	// LocateMaxDim is the largest image side, in pixels, on which finder
	// patterns are searched; bigger images are located on a reduced copy
	// (integer box filter) and sampled at full resolution. Zero means 1400.
	LocateMaxDim int
	// Polarity selects the reflectance of the symbols searched. The zero
	// value, DarkOnLight, reads only dark-on-light symbols: searching both
	// polarities roughly doubles the finder search cost.
	Polarity Polarity
	// NoLocalGrid disables the piecewise (per alignment-pattern cell)
	// transforms used for versions 7 and above, keeping one homography per
	// symbol. The zero value (false) uses local transforms.
	NoLocalGrid bool
	// NoPairCompletion disables completing pairs of finder patterns into
	// triples (pairs.go). The zero value (false) completes them: symbols
	// with one finder pattern blurred, wiped or stained are read, for up
	// to 16 more failed grids per pass on images without a readable
	// symbol.
	NoPairCompletion bool
	// NoRescue skips the rungs tried once a candidate's grids have failed:
	// the near grid's bend and deconvolution (readNear) and the finder
	// search in a quad's frame (decodeQuadFinders, for squeezed triples
	// and in DecodeQuad). Each candidate then costs at most MaxTransforms
	// grid reads, and DecodeQuad no template search: a small, bounded
	// cost per call, for the fuzz targets (#17). The zero value (false)
	// runs them.
	NoRescue bool
	// MaxNearRescues bounds the candidates of one Detect call whose near
	// grid goes through the rungs of nearLadder (the bend and
	// deconvolution, the dearest rescue). Zero: no bound. Detect's coarse
	// pass and DecodeQuad's crop run with 1 (coarseMaxNearRescues,
	// cropMaxNearRescues).
	MaxNearRescues int
}

// Polarity is the reflectance of the symbols a Detector searches: dark
// modules on a light background, the reverse, or both.
type Polarity int

// Polarities. The zero value is the default.
const (
	// DarkOnLight searches dark modules on a light background only (the
	// default): printed and displayed symbols.
	DarkOnLight Polarity = iota
	// LightOnDark searches reflectance-reversed symbols only: light modules
	// on a dark background (laser-etched parts, inverted screens).
	LightOnDark
	// BothPolarities searches dark-on-light symbols, then light-on-dark
	// ones, in every locating pass: about twice the finder search cost.
	BothPolarities
)

// String returns the polarity's lower-case name.
func (p Polarity) String() string {
	switch p {
	case DarkOnLight:
		return "dark-on-light"
	case LightOnDark:
		return "light-on-dark"
	case BothPolarities:
		return "both"
	}
	return fmt.Sprintf("polarity(%d)", int(p))
}

// allows reports whether symbols of reflectance inv (true: light on dark)
// are searched.
func (p Polarity) allows(inv bool) bool {
	if inv {
		return p == LightOnDark || p == BothPolarities
	}
	return p != LightOnDark
}

// searched returns the reflectances searched, in the order the locating
// passes try them (true: light on dark).
func (p Polarity) searched() []bool {
	switch p {
	case LightOnDark:
		return []bool{true}
	case BothPolarities:
		return []bool{false, true}
	}
	return []bool{false}
}

func (o Options) withDefaults() Options {
	if o.MaxFinderCandidates <= 0 {
		o.MaxFinderCandidates = 400
	}
	if o.MaxFailedGrids <= 0 {
		o.MaxFailedGrids = 30
	}
	if o.MaxMissesAfterRead <= 0 {
		o.MaxMissesAfterRead = 12
	}
	if o.MaxTransforms <= 0 {
		o.MaxTransforms = 6
	}
	if o.LocateMaxDim <= 0 {
		o.LocateMaxDim = 1400
	}
	return o
}

// Detector locates, samples and decodes QR symbols. It is immutable after
// NewDetector and safe for concurrent use.
type Detector struct {
	opts    Options
	scratch *sync.Pool // *scratch: buffers reused between Detect calls
	// coarse runs Detect's coarse and full-resolution passes (these
	// options with coarseMaxNearRescues), crop Detect on DecodeQuad's crop
	// (cropOptions). Both share scratch.
	coarse, crop *Detector
}

// NewDetector returns a Detector with opts (zero fields take their defaults).
func NewDetector(opts Options) *Detector {
	d := &Detector{opts: opts.withDefaults(), scratch: new(sync.Pool)}
	d.coarse = &Detector{opts: d.opts.rescuesAtMost(coarseMaxNearRescues), scratch: d.scratch}
	d.crop = &Detector{opts: d.opts.cropOptions(), scratch: d.scratch}
	return d
}

// cropOptions returns o for Detect on DecodeQuad's crop around a detector
// candidate: the plain locating pass only (SinglePass, NoCoarsePass,
// NoFullPass) and at most cropMaxNearRescues near-grid rescues. The crop
// is a candidate's surroundings, where the classic tier has already
// located on the whole plane, plain and equalised. With the equalised pass dropped there, nano,
// hybrid and large mode read the same texts image by image over the seven
// corpus sets, and make bench's damaged pages cost 151–152 → 108–110 ms in
// nano mode (alternated twice, one core).
func (o Options) cropOptions() Options {
	o = o.rescuesAtMost(cropMaxNearRescues)
	o.SinglePass, o.NoCoarsePass, o.NoFullPass = true, true, true
	return o
}

// rescuesAtMost returns o with MaxNearRescues at most n.
func (o Options) rescuesAtMost(n int) Options {
	if o.MaxNearRescues == 0 || o.MaxNearRescues > n {
		o.MaxNearRescues = n
	}
	return o
}

// Symbol is one decoded QR symbol.
type Symbol struct {
	// Text is the decoded text (byte segments interpreted by the bit stream
	// decoder's character set rules).
	Text string
	// Bytes holds the payload bytes: byte segments joined, or the UTF-8 text
	// when the symbol holds no byte segment.
	Bytes []byte
	// Corners are the outer corners of the symbol (not of the quiet zone),
	// top-left, top-right, bottom-right, bottom-left in the symbol's own frame,
	// in pixel coordinates of the input plane.
	Corners geom.Quad
	// Version is the symbol version, 1–40.
	Version int
	// ECLevel is the error correction level: "L", "M", "Q" or "H".
	ECLevel string
	// Mask is the data mask pattern reference, 0–7.
	Mask int
	// ErrorsCorrected is the number of codewords Reed–Solomon corrected.
	ErrorsCorrected int
	// Mirrored reports a symbol read transposed (mirror image).
	Mirrored bool
	// Inverted reports a light-on-dark symbol.
	Inverted bool
	// ModuleSize is the mean module pitch in pixels.
	ModuleSize float64
}

// Failure is a candidate symbol that was located but not decoded.
type Failure struct {
	Stage   Stage     // where reading stopped
	Corners geom.Quad // estimated outer corners (zero when unknown)
	Err     error     // wraps one of the package's sentinel errors
}

// Result is what Detect found in one plane.
type Result struct {
	// Symbols are the decoded symbols, deduplicated by position.
	Symbols []Symbol
	// Failures are the best located-but-undecoded candidates (at most one per
	// finder triple), for debugging and for "where reads die" statistics.
	Failures []Failure
	// Stats counts the work done.
	Stats Stats
}

// Stats counts what Detect did on one plane, for tuning the budgets.
type Stats struct {
	Passes         int // locating passes run (binarisations × polarities)
	FinderPatterns int // finder pattern candidates kept, over all passes
	Triples        int // finder triples examined
	Screened       int // triples whose format information screen passed
	Grids          int // module grids sampled and decoded
	FailedGrids    int // grids that did not decode
	NearRescues    int // candidates whose near grid went through nearLadder
}

// add adds o's counts to s.
func (s *Stats) add(o Stats) {
	s.Passes += o.Passes
	s.FinderPatterns += o.FinderPatterns
	s.Triples += o.Triples
	s.Screened += o.Screened
	s.Grids += o.Grids
	s.FailedGrids += o.FailedGrids
	s.NearRescues += o.NearRescues
}

// candidateError records how far a candidate got.
type candidateError struct {
	stage   Stage
	corners geom.Quad
	err     error
}
