package classic

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/qr"
)

// Engine decodes the QR symbols in one (preprocessed) plane. Implementations
// must be safe for concurrent use and must not modify the plane.
type Engine interface {
	// Name is a short label, reported in Code.Engine.
	Name() string
	// Decode returns every symbol found; an empty result is not an error.
	Decode(ctx context.Context, p *gray.Plane) ([]Code, error)
}

// GozxingEngine decodes with gozxing (a Go port of ZXing): hybrid binariser,
// finder-pattern detector and the Reed–Solomon + bit-stream decoder. It is the
// baseline engine: its detector fails on strong blur and perspective, which
// the strategies partly compensate.
type GozxingEngine struct {
	// TryHarder makes the finder-pattern scan look at every row instead of
	// every few rows: slower, finds smaller codes. Default false.
	TryHarder bool
	// Single uses the single-symbol reader (faster) instead of the
	// multi-symbol reader. Default false (multi).
	Single bool
}

// Name implements Engine.
func (e GozxingEngine) Name() string { return "gozxing" }

// Decode implements Engine.
func (e GozxingEngine) Decode(ctx context.Context, p *gray.Plane) ([]Code, error) {
	if p.W < 21 || p.H < 21 {
		return nil, nil
	}
	bmp, err := gozxing.NewBinaryBitmap(newHybridBinarizer(newPlaneSource(p), p))
	if err != nil {
		return nil, err
	}
	hints := map[gozxing.DecodeHintType]interface{}{}
	if e.TryHarder {
		hints[gozxing.DecodeHintType_TRY_HARDER] = true
	}
	var results []*gozxing.Result
	if e.Single {
		r, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err == nil {
			results = append(results, r)
		}
	} else {
		results, _ = multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	}
	codes := make([]Code, 0, len(results))
	for _, r := range results {
		codes = append(codes, codeFromResult(r))
	}
	return codes, nil
}

// codeFromResult converts a gozxing result. gozxing reports finder-pattern
// centres (bottom-left, top-left, top-right, optional alignment pattern);
// the outer corners are extrapolated through the module→pixel transform
// those points define, as ZXing's own sampler would.
func codeFromResult(r *gozxing.Result) Code {
	c := Code{Text: r.GetText(), Engine: "gozxing", Errors: -1}
	md := r.GetResultMetadata()
	if ec, ok := md[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string); ok {
		c.ECLevel = ec
	}
	c.Version = versionFromDataCodewords(len(r.GetRawBytes()), c.ECLevel)
	segs, _ := md[gozxing.ResultMetadataType_BYTE_SEGMENTS].([][]byte)
	c.Bytes = qr.SymbolBytes(r.GetRawBytes(), c.Version, segs, c.Text)
	c.Text = binaryText(c.Text, c.Bytes)
	pts := r.GetResultPoints()
	if len(pts) >= 3 && c.Version > 0 {
		bl := geom.Point{X: pts[0].GetX(), Y: pts[0].GetY()}
		tl := geom.Point{X: pts[1].GetX(), Y: pts[1].GetY()}
		tr := geom.Point{X: pts[2].GetX(), Y: pts[2].GetY()}
		c.Corners, c.Mirrored = cornersFromFinders(tl, tr, bl, pts[3:], 17+4*c.Version)
	}
	return c
}

// binaryText fixes the text of a byte-mode payload that is not valid UTF-8
// and carries no ECI: gozxing then turns each invalid byte into U+FFFD,
// losing it. Such payloads (binary data, Latin-1 text) are rendered as
// ISO-8859-1 instead, the QR default character set (ISO/IEC 18004:2015,
// 7.4.5), so every byte survives in the text. b is the whole payload
// (qr.PayloadBytes), so digits and letters of other segments, ASCII in
// both, match; a text that does not match b rune for rune (a Kanji
// segment, or b only the byte segments when the payload could not be
// walked) is left alone.
func binaryText(text string, b []byte) string {
	if utf8.Valid(b) || !strings.ContainsRune(text, utf8.RuneError) {
		return text
	}
	if text != string([]rune(string(b))) {
		return text
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// cornersFromFinders maps the symbol's outer corners through the transform
// defined by the three finder centres (and an alignment pattern centre when
// present). A mirrored read arrives with tr and bl swapped by gozxing; the
// orientation test (cross product sign) tells, and the corner order is kept
// TL, TR, BR, BL in the symbol's own frame.
func cornersFromFinders(tl, tr, bl geom.Point, extra []gozxing.ResultPoint, dim int) (geom.Quad, bool) {
	d := float64(dim)
	src := geom.Quad{{X: 3.5, Y: 3.5}, {X: d - 3.5, Y: 3.5}, {X: d - 3.5, Y: d - 3.5}, {X: 3.5, Y: d - 3.5}}
	br := geom.Point{X: tr.X - tl.X + bl.X, Y: tr.Y - tl.Y + bl.Y}
	if len(extra) > 0 && dim > 21 {
		src[2] = geom.Point{X: d - 6.5, Y: d - 6.5}
		br = geom.Point{X: extra[0].GetX(), Y: extra[0].GetY()}
	}
	h, ok := geom.QuadToQuad(src, geom.Quad{tl, tr, br, bl})
	if !ok {
		return geom.Quad{}, false
	}
	q := geom.Quad{h.Apply(geom.Point{}), h.Apply(geom.Point{X: d}), h.Apply(geom.Point{X: d, Y: d}), h.Apply(geom.Point{Y: d})}
	// In image coordinates (+y down) a normally oriented symbol has
	// TL→TR→BL turning clockwise: cross((tr-tl),(bl-tl)) > 0.
	a, b := tr.Sub(tl), bl.Sub(tl)
	mirrored := a.X*b.Y-a.Y*b.X < 0
	return q, mirrored
}

// versionFromDataCodewords finds the version whose data-codeword count at
// the given EC level equals n (Table 9, ISO/IEC 18004:2015); 0 if none.
func versionFromDataCodewords(n int, ec string) int {
	lvl, err := decoder.ErrorCorrectionLevel_ForBits(ecBits(ec))
	if err != nil || n == 0 {
		return 0
	}
	for v := 1; v <= 40; v++ {
		ver, err := decoder.Version_GetVersionForNumber(v)
		if err != nil {
			return 0
		}
		blocks := ver.GetECBlocksForLevel(lvl)
		total := 0
		for _, b := range blocks.GetECBlocks() {
			total += b.GetCount() * b.GetDataCodewords()
		}
		if total == n {
			return v
		}
	}
	return 0
}

// ecBits returns the two format-information bits of an EC level name
// (Table 12, ISO/IEC 18004:2015).
func ecBits(ec string) uint {
	switch strings.ToUpper(ec) {
	case "L":
		return 1
	case "M":
		return 0
	case "Q":
		return 3
	case "H":
		return 2
	}
	return 0
}

// planeSource adapts a gray.Plane to gozxing.LuminanceSource without copying
// (building one from image.Image costs ~9 ms per 2 MP).
type planeSource struct {
	gozxing.LuminanceSourceBase
	p *gray.Plane
}

func newPlaneSource(p *gray.Plane) *planeSource {
	return &planeSource{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: p.W, Height: p.H}, p: p}
}

func (s *planeSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.p.H {
		return nil, errors.New("classic: row out of range")
	}
	if cap(row) < s.p.W {
		row = make([]byte, s.p.W)
	}
	row = row[:s.p.W]
	copy(row, s.p.Row(y))
	return row, nil
}

func (s *planeSource) GetMatrix() []byte { return s.p.Compact().Pix[:s.p.W*s.p.H] }

func (s *planeSource) Invert() gozxing.LuminanceSource { return gozxing.NewInvertedLuminanceSource(s) }

func (s *planeSource) String() string { return gozxing.LuminanceSourceString(s) }
