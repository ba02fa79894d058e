package qr

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"github.com/qrcascade/qrcascade/internal/corpustest"
)

// bitWriter builds data bit streams for the payload tests on gozxing's
// BitArray, the bit buffer of its own QR encoder (most significant bit
// first).
type bitWriter struct{ bits *gozxing.BitArray }

// put appends the n low bits of v, most significant first.
func (w *bitWriter) put(v uint32, n int) *bitWriter {
	if err := w.bits.AppendBits(int(v), n); err != nil {
		panic(err) // n outside 0–32: a mistake in the test's stream
	}
	return w
}

// stream is a helper: a writer filled by f, its bytes (the last one padded
// with zero bits).
func stream(f func(w *bitWriter)) []byte {
	w := &bitWriter{bits: gozxing.NewEmptyBitArray()}
	f(w)
	if w.bits.GetSize() == 0 {
		return nil
	}
	out := make([]byte, w.bits.GetSizeInBytes())
	w.bits.ToBytes(0, out, 0, len(out))
	return out
}

func TestPayloadBytes(t *testing.T) {
	tests := []struct {
		name    string
		version int
		data    []byte
		want    []byte // nil: an error is expected
	}{
		{"numeric 3+3+2 then 1 digit", 1, stream(func(w *bitWriter) {
			w.put(modeNumeric, 4).put(8, 10).put(12, 10).put(345, 10).put(67, 7)
			w.put(modeNumeric, 4).put(1, 10).put(8, 4).put(0, 4)
		}), []byte("012345678")},
		{"alphanumeric pair and single", 1, stream(func(w *bitWriter) {
			w.put(modeAlnum, 4).put(3, 9).put(10*45+11, 11).put(44, 6).put(0, 4)
		}), []byte("AB:")},
		{"byte segment, not UTF-8", 1, stream(func(w *bitWriter) {
			w.put(modeByte, 4).put(3, 8).put(0xFC, 8).put(0x00, 8).put(0x41, 8).put(0, 4)
		}), []byte{0xFC, 0x00, 0x41}},
		{"mixed: bytes then digits, as an URL ending in a number", 1, stream(func(w *bitWriter) {
			w.put(modeByte, 4).put(2, 8).put('m', 8).put('=', 8)
			w.put(modeNumeric, 4).put(2, 10).put(88, 7).put(0, 4)
		}), []byte("m=88")},
		{"Kanji: Shift JIS pairs (7.4.6)", 1, stream(func(w *bitWriter) {
			// 0x90CE − 0x8140 = 0x0F8E → 0x0F·0xC0 + 0x8E; 0xE4AA − 0xC140 = 0x236A
			w.put(modeKanji, 4).put(2, 8).put(0x0F*0xC0+0x8E, 13).put(0x23*0xC0+0x6A, 13)
		}), []byte{0x90, 0xCE, 0xE4, 0xAA}},
		{"Hanzi: GB 2312 pairs", 1, stream(func(w *bitWriter) {
			// 0xA1A2 − 0xA1A1 = 0x0001; 0xB0A1 − 0xA6A1 = 0x0A00 → 0x0A·0x60
			w.put(modeHanzi, 4).put(1, 4).put(2, 8).put(0x0001, 13).put(0x0A*0x60, 13)
		}), []byte{0xA1, 0xA2, 0xB0, 0xA1}},
		{"ECI designators of 1, 2 and 3 bytes are not payload", 1, stream(func(w *bitWriter) {
			w.put(modeECI, 4).put(26, 8)
			w.put(modeECI, 4).put(0x80|0x01, 8).put(0x00, 8)
			w.put(modeECI, 4).put(0xC0, 8).put(0x1234, 16)
			w.put(modeByte, 4).put(1, 8).put('x', 8)
		}), []byte("x")},
		{"structured append header skipped", 1, stream(func(w *bitWriter) {
			w.put(modeStructured, 4).put(0x12, 8).put(0x5A, 8).put(modeByte, 4).put(1, 8).put('y', 8)
		}), []byte("y")},
		{"FNC1 first: % is GS, %% is %", 1, stream(func(w *bitWriter) {
			w.put(modeFNC1First, 4).put(modeAlnum, 4).put(4, 9)
			w.put(1*45+38, 11).put(38*45+38, 11) // "1%%%": "1", "%%", "%"
		}), []byte{'1', '%', 0x1D}},
		{"FNC1 second: application indicator skipped", 1, stream(func(w *bitWriter) {
			w.put(modeFNC1Second, 4).put(37, 8).put(modeAlnum, 4).put(1, 9).put(38, 6)
		}), []byte{0x1D}},
		{"without FNC1 % stays", 1, stream(func(w *bitWriter) {
			w.put(modeAlnum, 4).put(1, 9).put(38, 6)
		}), []byte("%")},
		{"version 10: 16-bit byte count", 10, stream(func(w *bitWriter) {
			w.put(modeByte, 4).put(2, 16).put('a', 8).put('b', 8)
		}), []byte("ab")},
		{"version 27: 14-bit numeric count", 27, stream(func(w *bitWriter) {
			w.put(modeNumeric, 4).put(1, 14).put(7, 4)
		}), []byte("7")},
		{"fewer than 4 bits left ends the stream", 1, stream(func(w *bitWriter) {
			w.put(modeNumeric, 4).put(2, 10).put(42, 7).put(0x7, 3) // 21 + 3 bits
		}), []byte("42")},
		{"padding after the terminator ignored", 1, []byte{0x40, 0x14, 0x10, 0xEC, 0x11, 0xEC}, []byte("A")},
		{"empty", 1, nil, []byte{}},
		{"byte segment longer than the stream", 1, stream(func(w *bitWriter) {
			w.put(modeByte, 4).put(5, 8).put('a', 8)
		}), nil},
		{"numeric triple over 999", 1, stream(func(w *bitWriter) {
			w.put(modeNumeric, 4).put(3, 10).put(1000, 10)
		}), nil},
		{"alphanumeric pair over 2024", 1, stream(func(w *bitWriter) {
			w.put(modeAlnum, 4).put(2, 9).put(2025, 11)
		}), nil},
		{"unknown mode", 1, stream(func(w *bitWriter) { w.put(0x6, 4).put(0, 12) }), nil},
		{"Hanzi subset other than GB 2312", 1, stream(func(w *bitWriter) {
			w.put(modeHanzi, 4).put(2, 4).put(0, 8)
		}), nil},
		{"ECI designator byte 111xxxxx", 1, stream(func(w *bitWriter) { w.put(modeECI, 4).put(0xE0, 8) }), nil},
		{"version 0", 0, []byte{0x40, 0x14, 0x10}, nil},
		{"version 41", 41, []byte{0x40, 0x14, 0x10}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PayloadBytes(tc.data, tc.version)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
				if !errors.Is(err, errPayload) {
					t.Errorf("error %v does not wrap errPayload", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("got % x, want % x", got, tc.want)
			}
		})
	}
}

// TestPayloadBytesMatchesGozxing decodes the test streams that hold
// ASCII text with gozxing's bit stream parser too: its text must be the
// payload.
func TestPayloadBytesMatchesGozxing(t *testing.T) {
	streams := [][]byte{
		stream(func(w *bitWriter) {
			w.put(modeAlnum, 4).put(2, 9).put(10*45+11, 11)
			w.put(modeNumeric, 4).put(5, 10).put(123, 10).put(45, 7)
			w.put(modeAlnum, 4).put(1, 9).put(12, 6).put(0, 4)
		}),
		stream(func(w *bitWriter) {
			w.put(modeFNC1First, 4).put(modeNumeric, 4).put(2, 10).put(1, 7)
			w.put(modeAlnum, 4).put(3, 9).put(38*45+38, 11).put(38, 6).put(0, 4)
		}),
	}
	for i, data := range streams {
		if !compareWithGozxing(t, data, 1) {
			t.Errorf("stream %d: not comparable", i)
		}
	}
}

// compareWithGozxing checks PayloadBytes against gozxing's parser on data
// where both accept it and that holds numeric and alphanumeric segments
// only: no byte segment, whose text depends on a character set guess, no
// Kanji or Hanzi, and no FNC1 in the second position, whose application
// indicator gozxing reads as a mode. It reports whether the comparison
// applied.
func compareWithGozxing(t *testing.T, data []byte, version int) bool {
	t.Helper()
	got, modes, err := payloadModes(data, version)
	if err != nil || modes&(1<<modeByte|1<<modeKanji|1<<modeHanzi|1<<modeFNC1Second) != 0 {
		return false
	}
	v, err := decoder.Version_GetVersionForNumber(version)
	if err != nil {
		t.Fatal(err)
	}
	dr, err := decoder.DecodedBitStreamParser_Decode(data, v, decoder.ErrorCorrectionLevel_L, nil)
	if err != nil || len(dr.GetByteSegments()) > 0 {
		return false
	}
	text := dr.GetText()
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			return false
		}
	}
	if string(got) != text {
		t.Errorf("PayloadBytes %q, gozxing's text %q", got, text)
	}
	return true
}

// TestPayloadBytesCorpus reads the jsQR test images, whose manifest gives
// each code's payload bytes (expected_hex): every code read must carry
// exactly those bytes. Among them are an URL whose last digits are a
// numeric segment and a Kanji symbol (Shift JIS). It needs
// ../shared/corpus and skips without it.
func TestPayloadBytesCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 53 images; skipped in short mode")
	}
	dir := filepath.Join(corpustest.Dir(t), "jsqr")
	det := NewDetector(Options{})
	checked := 0
	for _, r := range readManifest(t, filepath.Join(dir, "manifest.jsonl")) {
		want := map[string]string{}
		for i, h := range r.ExpectedHex {
			if i < len(r.Expected) {
				want[r.Expected[i]] = h
			}
		}
		if len(want) == 0 {
			continue
		}
		_, p, err := loadImage(filepath.Join(dir, r.Image))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range det.Detect(context.Background(), p).Symbols {
			h, ok := want[s.Text]
			if !ok {
				continue
			}
			checked++
			if got := hex.EncodeToString(s.Bytes); got != h {
				t.Errorf("%s: %q: bytes %s, want %s", r.Image, s.Text, got, h)
			}
		}
	}
	if checked < 50 {
		t.Errorf("%d codes checked, want at least 50 of the 53", checked)
	}
}

// FuzzPayloadBytes walks arbitrary data streams: PayloadBytes must not
// panic, must wrap errPayload when it fails, must not return more than
// three bytes per 10 bits (numeric mode, the densest), and must agree with gozxing's parser
// on the streams whose text gozxing reads as ASCII without byte segments.
// The first byte selects the version (1, 10 or 27 count widths, and 40).
func FuzzPayloadBytes(f *testing.F) {
	f.Add([]byte{0, 0x40, 0x14, 0x10, 0xEC, 0x11})
	f.Add(append([]byte{9}, stream(func(w *bitWriter) {
		w.put(modeAlnum, 4).put(2, 9).put(10*45+11, 11).put(modeNumeric, 4).put(5, 10).put(123, 10).put(45, 7)
	})...))
	f.Add(append([]byte{0}, stream(func(w *bitWriter) {
		w.put(modeFNC1First, 4).put(modeAlnum, 4).put(3, 9).put(38*45+38, 11).put(38, 6)
	})...))
	f.Add(append([]byte{0}, stream(func(w *bitWriter) {
		w.put(modeECI, 4).put(0xC0, 8).put(0x1234, 16).put(modeKanji, 4).put(1, 8).put(3022, 13)
	})...))
	versions := [4]int{1, 10, 27, 40}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 || len(in) > 4096 {
			return
		}
		version, data := versions[in[0]%4], in[1:]
		got, err := PayloadBytes(data, version)
		if err != nil {
			if !errors.Is(err, errPayload) {
				t.Fatalf("error %v does not wrap errPayload", err)
			}
			return
		}
		if max := 3 * len(data) * 8 / 10; len(got) > max {
			t.Fatalf("%d bytes from %d data bytes", len(got), len(data))
		}
		compareWithGozxing(t, data, version)
	})
}
