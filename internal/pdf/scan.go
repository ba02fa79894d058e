package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/qrcascade/qrcascade/internal/imgio"
)

// Defaults for the zero fields of ScanLimits.
const (
	// DefaultMaxStream bounds the decoded size of one stream that is
	// neither an image nor a font: content streams, forms, object and
	// cross-reference streams. An invoice page's content is tens of
	// kilobytes; PDFium parses content at about 10 MB/s on the development
	// machine, so 4 MiB is under half a second.
	DefaultMaxStream = 4 << 20
	// DefaultMaxFontStream bounds the decoded size of one embedded font
	// program (a stream with /Length1, or a FontFile3 /Subtype): a full
	// CJK font is 10 to 20 MB.
	DefaultMaxFontStream = 32 << 20
	// DefaultMaxInflated bounds the decoded bytes of all the streams of a
	// document together.
	DefaultMaxInflated = 256 << 20
	// DefaultMaxImagePixels bounds the declared /Width × /Height of one
	// image XObject (PDFium decodes an image whole before scaling it).
	DefaultMaxImagePixels = 50e6
)

// ScanLimits bounds what Scan accepts. The zero value uses the defaults;
// a negative field disables its bound.
type ScanLimits struct {
	MaxStream      int64 // decoded bytes of one stream other than an image or a font
	MaxFontStream  int64 // decoded bytes of one font program
	MaxInflated    int64 // decoded bytes of every stream together
	MaxImagePixels int64 // declared width × height of one image
}

func (l ScanLimits) withDefaults() ScanLimits {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxStream, DefaultMaxStream)
	def(&l.MaxFontStream, DefaultMaxFontStream)
	def(&l.MaxInflated, DefaultMaxInflated)
	def(&l.MaxImagePixels, DefaultMaxImagePixels)
	return l
}

// ScanInfo describes the streams Scan found.
type ScanInfo struct {
	Streams  int   // stream objects
	Decoded  int   // streams whose filters Scan decoded (Flate, after ASCIIHex/ASCII85)
	Inflated int64 // their decoded bytes together
	Images   int   // image XObjects
}

// Scan checks a PDF file's streams (ISO 32000-1, 7.3.8) before PDFium sees
// it, in Go and in bounded memory: each stream whose filter chain starts
// with FlateDecode (possibly after ASCIIHexDecode or ASCII85Decode) is
// decoded, counting and discarding the bytes, and refused past its bound;
// an image XObject whose declared /Width × /Height exceeds MaxImagePixels
// is refused without decoding. A decompression bomb is thus refused after
// decoding at most the bound, a fraction of a second, instead of driving
// PDFium's memory and time.
//
// The scan is lexical: it finds each "stream" keyword, takes the object's
// dictionary before it and the data up to "endstream" (the /Length is not
// trusted), so it needs no cross-reference table and tolerates the damage
// PDFium repairs. It does not decode LZW or run-length streams, nor streams
// a broken zlib header makes unreadable (PDFium reads those within its own
// memory limit, see Config.MaxMemory).
//
// Errors: *imgio.LimitError ("stream bytes", "inflated bytes", "image
// pixels"); the context's error, checked between streams.
func Scan(ctx context.Context, data []byte, lim ScanLimits) (ScanInfo, error) {
	lim = lim.withDefaults()
	var info ScanInfo
	buf := make([]byte, 32<<10)
	for pos := 0; pos < len(data); {
		k := bytes.Index(data[pos:], kwStream)
		if k < 0 {
			break
		}
		at := pos + k
		pos = at + len(kwStream)
		if at > 0 && isRegular(data[at-1]) {
			continue // endstream, or a name or word that contains "stream"
		}
		// The keyword is followed by CRLF or LF (7.3.8.1); accept a lone
		// CR too, as readers do.
		start := pos
		switch {
		case bytes.HasPrefix(data[start:], []byte("\r\n")):
			start += 2
		case start < len(data) && (data[start] == '\n' || data[start] == '\r'):
			start++
		default:
			continue
		}
		if err := ctx.Err(); err != nil {
			return info, fmt.Errorf("pdf: scanning: %w", err)
		}
		dict := dictBefore(data, at)
		end := len(data)
		if e := bytes.Index(data[start:], kwEndstream); e >= 0 {
			end = start + e
		}
		pos = end
		info.Streams++
		raw := data[start:end]
		bound := lim.MaxStream
		switch {
		case isImage(dict):
			info.Images++
			w, h := intEntry(dict, "/Width"), intEntry(dict, "/Height")
			if lim.MaxImagePixels > 0 && w > 0 && h > 0 && w*h > lim.MaxImagePixels {
				return info, &imgio.LimitError{What: "image pixels", Limit: lim.MaxImagePixels, Actual: w * h}
			}
			// At most 4 components of 16 bits, and some slack for
			// padding: the decoded size is known from the header.
			bound = -1
			if w > 0 && h > 0 {
				bound = w*h*8 + 64<<10
			}
		case isFont(dict):
			bound = lim.MaxFontStream
		}
		n, ok := decodedSize(raw, dict, bound, lim.MaxInflated-info.Inflated, buf)
		if !ok {
			continue
		}
		info.Decoded++
		info.Inflated += n
		if lim.MaxInflated > 0 && info.Inflated > lim.MaxInflated {
			return info, &imgio.LimitError{What: "inflated bytes", Limit: lim.MaxInflated, Actual: info.Inflated}
		}
		if bound > 0 && n > bound {
			return info, &imgio.LimitError{What: "stream bytes", Limit: bound, Actual: n}
		}
	}
	return info, nil
}

var (
	kwStream    = []byte("stream")
	kwEndstream = []byte("endstream")
	kwObj       = []byte("obj")
)

// isRegular reports whether c is a regular character (7.2.2): neither
// white space nor a delimiter.
func isRegular(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ', '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return false
	}
	return true
}

// dictBefore returns the bytes between the "obj" keyword that precedes at
// (within 64 KiB) and at: the stream's dictionary, with whatever damage
// surrounds it.
func dictBefore(data []byte, at int) []byte {
	from := max(0, at-64<<10)
	if k := bytes.LastIndex(data[from:at], kwObj); k >= 0 {
		from += k + len(kwObj)
	}
	return data[from:at]
}

// isImage reports whether dict declares an image XObject (8.9.5).
func isImage(dict []byte) bool { return nameEntry(dict, "/Subtype") == "/Image" }

// isFont reports whether dict is an embedded font program's (9.9).
func isFont(dict []byte) bool {
	if intEntry(dict, "/Length1") > 0 {
		return true
	}
	switch nameEntry(dict, "/Subtype") {
	case "/Type1C", "/CIDFontType0C", "/OpenType":
		return true
	}
	return false
}

// entry returns the bytes after key in dict, white space skipped, or nil.
// A key followed by a regular character (/Width2) does not match.
func entry(dict []byte, key string) []byte {
	for off := 0; ; {
		k := bytes.Index(dict[off:], []byte(key))
		if k < 0 {
			return nil
		}
		off += k + len(key)
		if off < len(dict) && isRegular(dict[off]) {
			continue
		}
		return bytes.TrimLeft(dict[off:], " \t\r\n\f\x00")
	}
}

// nameEntry returns the name value of key ("/Image"), or "".
func nameEntry(dict []byte, key string) string {
	v := entry(dict, key)
	if len(v) == 0 || v[0] != '/' {
		return ""
	}
	n := 1
	for n < len(v) && isRegular(v[n]) {
		n++
	}
	return string(v[:n])
}

// intEntry returns the direct non-negative integer value of key, or 0.
func intEntry(dict []byte, key string) int64 {
	v := entry(dict, key)
	n := 0
	for n < len(v) && n < 12 && v[n] >= '0' && v[n] <= '9' {
		n++
	}
	i, err := strconv.ParseInt(string(v[:n]), 10, 64)
	if err != nil {
		return 0
	}
	return i
}

// filters returns the names of the /Filter entry of dict, in order.
func filters(dict []byte) []string {
	v := entry(dict, "/Filter")
	if len(v) == 0 {
		return nil
	}
	if v[0] == '/' {
		return []string{nameEntry(dict, "/Filter")}
	}
	if v[0] != '[' {
		return nil
	}
	end := bytes.IndexByte(v, ']')
	if end < 0 {
		return nil
	}
	var out []string
	for _, f := range bytes.Fields(bytes.ReplaceAll(v[1:end], []byte("/"), []byte(" /"))) {
		out = append(out, string(f))
	}
	return out
}

// errBound stops a decode that passed its bound.
var errBound = errors.New("bound reached")

// decodedSize decodes raw through the leading ASCIIHex / ASCII85 filters
// and the FlateDecode filter of dict, and returns the decoded size, or
// bound+1 (or left+1) as soon as it passes the bound (<= 0: none) or what
// is left of the document's budget. ok is false when the chain has no
// Flate filter Scan can run; a truncated or corrupt stream counts what it
// gave.
func decodedSize(raw, dict []byte, bound, left int64, buf []byte) (n int64, ok bool) {
	var r io.Reader = bytes.NewReader(raw)
	fs := filters(dict)
	i := 0
	for ; i < len(fs); i++ {
		switch fs[i] {
		case "/ASCIIHexDecode", "/AHx":
			r = hex.NewDecoder(&hexFilter{r: r})
			continue
		case "/ASCII85Decode", "/A85":
			r = ascii85.NewDecoder(&a85Filter{r: r})
			continue
		}
		break
	}
	if i >= len(fs) || (fs[i] != "/FlateDecode" && fs[i] != "/Fl") {
		return 0, false
	}
	zr, err := zlib.NewReader(r)
	if err != nil {
		return 0, false
	}
	defer zr.Close()
	limit := bound
	if left > 0 && (limit <= 0 || left < limit) {
		limit = left
	}
	for {
		k, err := zr.Read(buf)
		n += int64(k)
		if limit > 0 && n > limit {
			return n, true
		}
		if err != nil {
			return n, true
		}
	}
}

// hexFilter passes the hexadecimal digits of an ASCIIHexDecode stream
// (7.4.2) to hex.Decoder: white space is dropped, '>' ends the data, and a
// final odd digit is completed with 0.
type hexFilter struct {
	r    io.Reader
	done bool
	odd  bool
}

func (f *hexFilter) Read(p []byte) (int, error) {
	if f.done {
		return 0, io.EOF
	}
	n, err := f.r.Read(p)
	w := 0
	for _, c := range p[:n] {
		switch {
		case c == '>':
			f.done = true
		case f.done || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0:
			continue
		default:
			p[w] = c
			w++
			f.odd = !f.odd
			continue
		}
		break
	}
	if (f.done || err == io.EOF) && f.odd {
		if w < len(p) {
			p[w] = '0'
			w++
			f.odd = false
		}
	}
	if f.done && err == nil {
		err = io.EOF
	}
	return w, err
}

// a85Filter ends an ASCII85Decode stream (7.4.3) at its "~>" marker.
type a85Filter struct {
	r    io.Reader
	done bool
}

func (f *a85Filter) Read(p []byte) (int, error) {
	if f.done {
		return 0, io.EOF
	}
	n, err := f.r.Read(p)
	if k := bytes.IndexByte(p[:n], '~'); k >= 0 {
		f.done = true
		return k, io.EOF
	}
	return n, err
}
