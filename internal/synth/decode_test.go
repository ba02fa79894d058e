package synth

import (
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// planeSource is a minimal gozxing.LuminanceSource over a gray.Plane.
type planeSource struct {
	gozxing.LuminanceSourceBase
	p *gray.Plane
}

func newPlaneSource(p *gray.Plane) gozxing.LuminanceSource {
	return &planeSource{gozxing.LuminanceSourceBase{Width: p.W, Height: p.H}, p}
}

func (s *planeSource) GetRow(y int, row []byte) ([]byte, error) {
	if len(row) < s.p.W {
		row = make([]byte, s.p.W)
	}
	copy(row, s.p.Row(y))
	return row[:s.p.W], nil
}

func (s *planeSource) GetMatrix() []byte { return s.p.Compact().Pix[:s.p.W*s.p.H] }

func (s *planeSource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(s) }

func (s *planeSource) String() string { return gozxing.LuminanceSourceString(s) }

// decodeQR runs gozxing's QR reader (hybrid binarizer, TRY_HARDER) over p.
func decodeQR(t testing.TB, p *gray.Plane) (string, error) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(newPlaneSource(p)))
	if err != nil {
		t.Fatalf("binary bitmap: %v", err)
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
