package invoice

import (
	"image"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// TestQRRoundTrip encodes every example as a QR symbol with gozxing's
// encoder (UTF-8 with an ECI segment, error correction M as the schemes
// require), renders it to a gray image, decodes it with gozxing's reader and
// parses the decoded text. It proves the payloads — UTF-8 names, raw '+',
// '|', CR/LF structure, Base64 — survive a QR round trip unchanged. The
// round trip through qrcascade's own Reader belongs with the Reader.
func TestQRRoundTrip(t *testing.T) {
	writer := qrcode.NewQRCodeWriter()
	reader := qrcode.NewQRCodeReader()
	hints := map[gozxing.EncodeHintType]interface{}{
		gozxing.EncodeHintType_CHARACTER_SET:    "UTF-8",
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           4,
	}
	for _, ex := range examples() {
		t.Run(ex.name, func(t *testing.T) {
			bits, err := writer.Encode(ex.text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			img := renderModules(bits, 3)
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatalf("bitmap: %v", err)
			}
			res, err := reader.Decode(bmp, nil)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if res.GetText() != ex.text {
				t.Fatalf("decoded text differs:\n got %q\nwant %q", res.GetText(), ex.text)
			}
			inv, ok := Parse(res.GetText())
			if !ok || inv.Scheme != ex.scheme {
				t.Fatalf("decoded payload not parsed as %s", ex.scheme)
			}
			if got := strings.Join(inv.Failed(), ","); got != strings.Join(ex.wantFailed, ",") {
				t.Fatalf("failed checks after round trip = %q, want %q", got, ex.wantFailed)
			}
		})
	}
}

// renderModules draws a bit matrix with scale×scale pixels per module, dark
// modules black on white.
func renderModules(bits *gozxing.BitMatrix, scale int) *image.Gray {
	w, h := bits.GetWidth(), bits.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for y := 0; y < h*scale; y++ {
		for x := 0; x < w*scale; x++ {
			if !bits.Get(x/scale, y/scale) {
				img.Pix[y*img.Stride+x] = 0xFF
			}
		}
	}
	return img
}
