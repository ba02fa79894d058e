package synth

import (
	"fmt"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
)

// Code is what a symbol encodes. The zero value is not useful: Text must be
// set.
type Code struct {
	// Text is the payload. It is encoded in the numeric, alphanumeric, byte
	// or kanji mode that gozxing's encoder picks for it (one segment).
	Text string
	// Version is the symbol version 1..40 (dimension 17+4·Version modules).
	// Zero means the smallest version that holds Text at ECLevel.
	Version int
	// ECLevel is the error correction level "L", "M", "Q" or "H".
	// Empty means "M".
	ECLevel string
	// Charset names the character set of byte-mode data ("UTF-8",
	// "ISO-8859-1", "Shift_JIS", ...). Empty means gozxing's default (UTF-8
	// bytes without an ECI designator); a non-empty name adds an ECI
	// designator (ISO/IEC 18004:2015, clause 7.4.3) in byte mode.
	Charset string
	// Kanji requires kanji mode (ISO/IEC 18004:2015, clause 7.4.6): Text must
	// consist only of characters with a double-byte Shift_JIS encoding. It
	// overrides Charset.
	Kanji bool
}

// symbol is an encoded QR symbol: the module matrix without quiet zone.
type symbol struct {
	n       int    // dimension in modules (17+4·version)
	dark    []bool // n×n, row-major; true = dark module
	version int
	ecLevel string
}

// ecLevels maps the EC level letter to gozxing's value (Table 12, ISO/IEC
// 18004:2015 lists the four levels and their recovery capacity).
var ecLevels = map[string]decoder.ErrorCorrectionLevel{
	"L": decoder.ErrorCorrectionLevel_L,
	"M": decoder.ErrorCorrectionLevel_M,
	"Q": decoder.ErrorCorrectionLevel_Q,
	"H": decoder.ErrorCorrectionLevel_H,
}

// ecCapacity is the approximate share of codewords each EC level can restore
// (Table 12, ISO/IEC 18004:2015).
var ecCapacity = map[string]float64{"L": 0.07, "M": 0.15, "Q": 0.25, "H": 0.30}

// encode builds the module matrix of c with gozxing's encoder.
func encode(c Code) (*symbol, error) {
	if c.Text == "" {
		return nil, fmt.Errorf("synth: encode: %w: empty text", ErrInvalidCode)
	}
	lvl := c.ECLevel
	if lvl == "" {
		lvl = "M"
	}
	ec, ok := ecLevels[lvl]
	if !ok {
		return nil, fmt.Errorf("synth: encode: %w: EC level %q (want L, M, Q or H)", ErrInvalidCode, c.ECLevel)
	}
	if c.Version < 0 || c.Version > 40 {
		return nil, fmt.Errorf("synth: encode: %w: version %d (want 0..40)", ErrInvalidCode, c.Version)
	}
	hints := map[gozxing.EncodeHintType]interface{}{}
	charset := c.Charset
	if c.Kanji {
		charset = "Shift_JIS"
	}
	if charset != "" {
		if _, ok := common.GetCharacterSetECIByName(charset); !ok {
			return nil, fmt.Errorf("synth: encode: %w: charset %q", ErrInvalidCode, charset)
		}
		hints[gozxing.EncodeHintType_CHARACTER_SET] = charset
	}
	if c.Version > 0 {
		hints[gozxing.EncodeHintType_QR_VERSION] = c.Version
	}
	qr, err := encoder.Encoder_encode(c.Text, ec, hints)
	if err != nil {
		return nil, fmt.Errorf("synth: encode %d bytes (version %d, level %s): %w: %w", len(c.Text), c.Version, lvl, ErrEncode, err)
	}
	if c.Kanji && qr.GetMode() != decoder.Mode_KANJI {
		return nil, fmt.Errorf("synth: encode: %w: text is not all double-byte Shift_JIS kanji", ErrInvalidCode)
	}
	m := qr.GetMatrix()
	n := m.GetWidth()
	s := &symbol{n: n, dark: make([]bool, n*n), version: qr.GetVersion().GetVersionNumber(), ecLevel: lvl}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			s.dark[y*n+x] = m.Get(x, y) == 1
		}
	}
	return s, nil
}
