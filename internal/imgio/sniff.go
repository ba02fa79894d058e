package imgio

import "bytes"

// Format names returned by Sniff and reported in Info.Format.
const (
	FormatJPEG = "jpeg"
	FormatPNG  = "png"
	FormatGIF  = "gif"
	FormatBMP  = "bmp"
	FormatTIFF = "tiff"
	FormatWebP = "webp"
)

// magic is one signature recognised by Sniff.
type magic struct {
	prefix string // bytes at offset 0
	format string
}

// magics lists the handled formats by signature. Read only.
var magics = []magic{
	{"\xff\xd8\xff", FormatJPEG},     // ITU-T T.81 SOI followed by a marker
	{"\x89PNG\r\n\x1a\n", FormatPNG}, // PNG signature, ISO/IEC 15948 §5.2
	{"GIF87a", FormatGIF},            // GIF87a
	{"GIF89a", FormatGIF},            // GIF89a, section 17
	{"II*\x00", FormatTIFF},          // TIFF 6.0, little-endian header
	{"MM\x00*", FormatTIFF},          // TIFF 6.0, big-endian header
	{"BM", FormatBMP},                // BITMAPFILEHEADER.bfType
}

// foreign lists formats that are recognised only to name them in an
// UnsupportedError (a clearer 415 than "unknown format"). Read only.
var foreign = []magic{
	{"%PDF-", "pdf"},
	{"II+\x00", "bigtiff"},
	{"MM\x00+", "bigtiff"},
	{"\x00\x00\x00\x0cjP  \r\n\x87\n", "jpeg2000"},
	{"\xff\x4f\xff\x51", "jpeg2000"},
	{"\xff\x0a", "jpegxl"},
	{"\x00\x00\x00\x0cJXL \r\n\x87\n", "jpegxl"},
	{"\x00\x00\x01\x00", "ico"},
	{"8BPS", "psd"},
	{"<svg", "svg"},
	{"<?xml", "xml"},
}

// Sniff names the image format of data from its magic bytes (never from a
// file name): "jpeg", "png", "gif", "bmp", "tiff" or "webp". It reads at most
// the first 16 bytes and does not validate anything beyond the signature.
//
// It returns ErrEmpty for empty data and an *UnsupportedError for anything
// else; that error's Format names recognised but unhandled formats ("pdf",
// "heif", "avif", "bigtiff", …) and is "" for unknown bytes.
func Sniff(data []byte) (string, error) {
	if len(data) == 0 {
		return "", ErrEmpty
	}
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return m.format, nil
		}
	}
	// RIFF container (RIFF size "WEBP"), WebP container specification.
	if len(data) >= 12 && string(data[:4]) == "RIFF" {
		if string(data[8:12]) == "WEBP" {
			return FormatWebP, nil
		}
		return "", &UnsupportedError{Format: "riff/" + printable(data[8:12])}
	}
	// ISO base media file format: size, "ftyp", major brand (ISO/IEC 14496-12 §4.3).
	if len(data) >= 12 && string(data[4:8]) == "ftyp" {
		switch brand := string(data[8:12]); brand {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			return "", &UnsupportedError{Format: "heif"}
		case "avif", "avis":
			return "", &UnsupportedError{Format: "avif"}
		default:
			return "", &UnsupportedError{Format: "isobmff/" + printable(data[8:12])}
		}
	}
	for _, m := range foreign {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return "", &UnsupportedError{Format: m.format}
		}
	}
	return "", &UnsupportedError{}
}

// printable returns b as a string with bytes outside printable ASCII
// replaced by '?', so that hostile input cannot inject control characters
// into error messages and logs.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}
