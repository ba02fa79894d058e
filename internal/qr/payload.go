package qr

import (
	"errors"
	"fmt"
)

// The payload bytes (Symbol.Bytes): the data bit stream of 7.4 walked again,
// segment by segment, after gozxing's decoder has accepted it. gozxing
// hands back the decoded text and the byte-mode segments only, so the bytes
// of a symbol that mixes modes (an URL whose digits went into a numeric
// segment, a Kanji segment) cannot be rebuilt from what it returns; its
// corrected data codewords (DecoderResult.GetRawBytes) can.

// errPayload is wrapped by PayloadBytes when the bit stream is malformed.
var errPayload = errors.New("qr: malformed data bit stream")

// Mode indicators (ISO/IEC 18004:2015, Table 2; 0xD is the GB/T 18284
// Hanzi mode that zxing decoders also read).
const (
	modeTerminator = 0x0
	modeNumeric    = 0x1
	modeAlnum      = 0x2
	modeStructured = 0x3
	modeByte       = 0x4
	modeFNC1First  = 0x5
	modeECI        = 0x7
	modeKanji      = 0x8
	modeFNC1Second = 0x9
	modeHanzi      = 0xD
)

// alnumChars is the alphanumeric mode's character set (Table 5).
const alnumChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// PayloadBytes returns the payload of a QR symbol of the given version
// (1–40) from its corrected data codewords: every data segment's content in
// order, as encoded. Numeric and alphanumeric segments give their ASCII
// characters, byte segments their bytes, Kanji segments Shift JIS and Hanzi
// segments GB 2312 byte pairs. Mode indicators, character counts, ECI
// designators, structured append headers and the application indicator of
// FNC1 in the second position (7.4.8.3, which gozxing does not skip) are
// not payload. In FNC1 mode an alphanumeric "%" is the GS separator (0x1D)
// and "%%" a "%", as 7.4.8.2 reads them. The result is what zxing-cpp's
// and jsQR's byte output holds; an error wrapping a sentinel tells a
// stream that ends inside a segment or uses an unknown mode.
func PayloadBytes(data []byte, version int) ([]byte, error) {
	out, _, err := payloadModes(data, version)
	return out, err
}

// payloadModes is PayloadBytes that also returns the set of mode
// indicators met (bit m set for mode m), for the tests' comparison with
// gozxing's parser.
func payloadModes(data []byte, version int) (out []byte, modes uint16, err error) {
	if version < 1 || version > 40 {
		return nil, 0, fmt.Errorf("qr: payload: version %d: %w", version, errPayload)
	}
	r := bitStream{data: data}
	out = make([]byte, 0, len(data))
	fnc1 := false
	for r.left() >= 4 {
		mode := r.read(4)
		modes |= 1 << mode
		switch mode {
		case modeTerminator:
			return out, modes, nil
		case modeFNC1First:
			fnc1 = true
		case modeFNC1Second:
			fnc1 = true
			if !r.skip(8) { // application indicator
				return nil, modes, truncated("FNC1 application indicator")
			}
		case modeStructured:
			if !r.skip(16) { // sequence indicator and parity
				return nil, modes, truncated("structured append header")
			}
		case modeECI:
			if err := r.skipECI(); err != nil {
				return nil, modes, err
			}
		case modeNumeric, modeAlnum, modeByte, modeKanji, modeHanzi:
			if out, err = r.segment(out, mode, version, fnc1); err != nil {
				return nil, modes, err
			}
		default:
			return nil, modes, fmt.Errorf("qr: payload: mode %#x: %w", mode, errPayload)
		}
	}
	return out, modes, nil
}

// truncated is the error of a stream that ends inside what.
func truncated(what string) error {
	return fmt.Errorf("qr: payload: stream ends in the %s: %w", what, errPayload)
}

// countBits is the width of a segment's character count indicator (Table
// 3): by mode, for versions 1–9, 10–26 and 27–40.
func countBits(mode uint32, version int) int {
	col := 0
	if version >= 27 {
		col = 2
	} else if version >= 10 {
		col = 1
	}
	switch mode {
	case modeNumeric:
		return [3]int{10, 12, 14}[col]
	case modeAlnum:
		return [3]int{9, 11, 13}[col]
	case modeByte:
		return [3]int{8, 16, 16}[col]
	default: // Kanji, Hanzi
		return [3]int{8, 10, 12}[col]
	}
}

// segment appends one data segment's content, the mode indicator already
// read.
func (r *bitStream) segment(out []byte, mode uint32, version int, fnc1 bool) ([]byte, error) {
	if mode == modeHanzi {
		if r.left() < 4 {
			return nil, truncated("Hanzi subset")
		}
		if sub := r.read(4); sub != 1 { // 1: GB 2312, the only subset defined
			return nil, fmt.Errorf("qr: payload: Hanzi subset %d: %w", sub, errPayload)
		}
	}
	nb := countBits(mode, version)
	if r.left() < nb {
		return nil, truncated("character count")
	}
	n := int(r.read(nb))
	switch mode {
	case modeNumeric:
		for ; n >= 3; n -= 3 {
			if r.left() < 10 {
				return nil, truncated("numeric segment")
			}
			v := r.read(10)
			if v >= 1000 {
				return nil, fmt.Errorf("qr: payload: numeric triple %d: %w", v, errPayload)
			}
			out = append(out, byte('0'+v/100), byte('0'+v/10%10), byte('0'+v%10))
		}
		if n > 0 {
			w, lim := 4, uint32(10)
			if n == 2 {
				w, lim = 7, 100
			}
			if r.left() < w {
				return nil, truncated("numeric segment")
			}
			v := r.read(w)
			if v >= lim {
				return nil, fmt.Errorf("qr: payload: numeric group %d: %w", v, errPayload)
			}
			if n == 2 {
				out = append(out, byte('0'+v/10))
			}
			out = append(out, byte('0'+v%10))
		}
	case modeAlnum:
		start := len(out)
		for ; n >= 2; n -= 2 {
			if r.left() < 11 {
				return nil, truncated("alphanumeric segment")
			}
			v := r.read(11)
			if v >= 45*45 {
				return nil, fmt.Errorf("qr: payload: alphanumeric pair %d: %w", v, errPayload)
			}
			out = append(out, alnumChars[v/45], alnumChars[v%45])
		}
		if n == 1 {
			if r.left() < 6 {
				return nil, truncated("alphanumeric segment")
			}
			v := r.read(6)
			if v >= 45 {
				return nil, fmt.Errorf("qr: payload: alphanumeric character %d: %w", v, errPayload)
			}
			out = append(out, alnumChars[v])
		}
		if fnc1 {
			out = append(out[:start], fnc1Percent(out[start:])...)
		}
	case modeByte:
		if r.left() < 8*n {
			return nil, truncated("byte segment")
		}
		for ; n > 0; n-- {
			out = append(out, byte(r.read(8)))
		}
	case modeKanji, modeHanzi:
		if r.left() < 13*n {
			return nil, truncated("double-byte segment")
		}
		for ; n > 0; n-- {
			out = appendDoubleByte(out, mode, r.read(13))
		}
	}
	return out, nil
}

// fnc1Percent rewrites an alphanumeric segment read in FNC1 mode: "%%" is
// a "%", a lone "%" the GS separator (7.4.8.2). It works in place.
func fnc1Percent(s []byte) []byte {
	out := s[:0]
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] != '%':
			out = append(out, s[i])
		case i+1 < len(s) && s[i+1] == '%':
			out = append(out, '%')
			i++
		default:
			out = append(out, 0x1D)
		}
	}
	return out
}

// appendDoubleByte appends the byte pair of a 13-bit Kanji (Shift JIS,
// 7.4.6) or Hanzi (GB 2312) character value.
func appendDoubleByte(out []byte, mode, v uint32) []byte {
	var c uint32
	if mode == modeKanji {
		c = (v/0xC0)<<8 | v%0xC0
		if c < 0x1F00 {
			c += 0x8140
		} else {
			c += 0xC140
		}
	} else {
		c = (v/0x60)<<8 | v%0x60
		if c < 0xA00 {
			c += 0xA1A1
		} else {
			c += 0xA6A1
		}
	}
	return append(out, byte(c>>8), byte(c))
}

// bitStream reads a byte slice most significant bit first.
type bitStream struct {
	data []byte
	pos  int // bits consumed
}

// left returns the number of bits not yet read.
func (r *bitStream) left() int { return 8*len(r.data) - r.pos }

// read returns the next n bits (n ≤ 24, n ≤ left()).
func (r *bitStream) read(n int) uint32 {
	var v uint32
	for ; n > 0; n-- {
		b := r.data[r.pos>>3] >> (7 - r.pos&7) & 1
		v = v<<1 | uint32(b)
		r.pos++
	}
	return v
}

// skip consumes n bits, reporting false when fewer are left.
func (r *bitStream) skip(n int) bool {
	if r.left() < n {
		return false
	}
	r.pos += n
	return true
}

// skipECI consumes an ECI designator of one, two or three bytes
// (7.4.2.2).
func (r *bitStream) skipECI() error {
	if r.left() < 8 {
		return truncated("ECI designator")
	}
	first := r.read(8)
	n := 0
	switch {
	case first&0x80 == 0:
	case first&0xC0 == 0x80:
		n = 8
	case first&0xE0 == 0xC0:
		n = 16
	default:
		return fmt.Errorf("qr: payload: ECI designator byte %#x: %w", first, errPayload)
	}
	if !r.skip(n) {
		return truncated("ECI designator")
	}
	return nil
}
