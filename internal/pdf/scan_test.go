package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// deflate returns data zlib-compressed.
func deflate(data []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// streamDoc returns a minimal file with one stream object of the given
// dictionary and data.
func streamDoc(dict string, data []byte) []byte {
	return fmt.Appendf(nil, "%%PDF-1.7\n4 0 obj\n<< %s /Length %d >>\nstream\r\n%s\nendstream\nendobj\n%%%%EOF\n", dict, len(data), data)
}

// TestScan: each kind of stream is decoded and bounded by its own limit;
// the bombs of issue #17 are refused; ordinary documents pass.
func TestScan(t *testing.T) {
	big := bytes.Repeat([]byte("0 0 m 1 1 l S\n"), 100_000) // 1.4 MB of content
	var a85 bytes.Buffer
	w := ascii85.NewEncoder(&a85)
	w.Write(deflate(big))
	w.Close()
	a85.WriteString("~>")
	m, err := pdftest.Matrix("SCAN")
	if err != nil {
		t.Fatal(err)
	}
	page := pdftest.NewPage(200, 200)
	page.VectorQR(m, 10, 10, 2)
	if err := page.ImageQR(m, 2, 100, 100, 60, false); err != nil {
		t.Fatal(err)
	}
	lim := ScanLimits{MaxStream: 1 << 20, MaxFontStream: 2 << 20, MaxInflated: 3 << 20, MaxImagePixels: 1e6}
	for _, tc := range []struct {
		name    string
		data    []byte
		what    string // LimitError.What; "" for no error
		decoded int
	}{
		{"generated document", pdftest.Build([]*pdftest.Page{page, page}, pdftest.Options{}), "", 2},
		{"content under the bound", streamDoc("/Filter /FlateDecode", deflate(big[:1<<19])), "", 1},
		{"content over the bound", streamDoc("/Filter /FlateDecode", deflate(big)), "stream bytes", 1},
		{"abbreviated filter in an array", streamDoc("/Filter [/Fl]", deflate(big)), "stream bytes", 1},
		{"hex then flate", streamDoc("/Filter [/ASCIIHexDecode /FlateDecode]", append([]byte(hex.EncodeToString(deflate(big))), '>')), "stream bytes", 1},
		{"ascii85 then flate", streamDoc("/Filter [/A85 /FlateDecode]", a85.Bytes()), "stream bytes", 1},
		{"font under its own bound", streamDoc("/Length1 1400000 /Filter /FlateDecode", deflate(big)), "", 1},
		{"image within its declared size", streamDoc("/Subtype /Image /Width 1000 /Height 1000 /Filter /FlateDecode", deflate(make([]byte, 1e6))), "", 1},
		{"image over the pixel bound", streamDoc("/Subtype/Image/Width 2000/Height 1000/Filter/FlateDecode", nil), "image pixels", 0},
		{"image bomb under a small declaration", streamDoc("/Subtype /Image /Width 10 /Height 10 /Filter /FlateDecode", deflate(big)), "stream bytes", 1},
		{"documents over the total", bytes.Join([][]byte{
			streamDoc("/Length1 9 /Filter /FlateDecode", deflate(big)), streamDoc("/Length1 9 /Filter /FlateDecode", deflate(big)),
			streamDoc("/Length1 9 /Filter /FlateDecode", deflate(big)),
		}, nil), "inflated bytes", 3},
		{"unknown filter skipped", streamDoc("/Filter /LZWDecode", big), "", 0},
		{"corrupt zlib skipped", streamDoc("/Filter /FlateDecode", []byte("not zlib")), "", 0},
		{"truncated stream counted", streamDoc("/Filter /FlateDecode", deflate(big)[:1000]), "", 1},
		{"content bomb", pdftest.ContentBomb(300 << 20), "stream bytes", 1},
		{"image bomb", pdftest.ImageBomb(20000, 15000), "image pixels", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Scan(context.Background(), tc.data, lim)
			var le *imgio.LimitError
			switch {
			case tc.what == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.what != "" && (!errors.As(err, &le) || le.What != tc.what):
				t.Fatalf("err = %v, want a %q LimitError", err, tc.what)
			}
			if info.Decoded != tc.decoded {
				t.Errorf("decoded %d streams, want %d (%+v)", info.Decoded, tc.decoded, info)
			}
		})
	}
}

// TestScanContext: a cancelled context stops the scan.
func TestScanContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, streamDoc("", []byte("x")), ScanLimits{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// FuzzScan feeds arbitrary bytes to Scan, the Go pre-parse that PDFium
// never sees past: no panic, only LimitErrors, and the decoded bytes
// within the bounds (plus one read buffer). It runs thousands of inputs
// a second, unlike FuzzOpen, which runs PDFium. Run it time-bounded:
//
//	go test ./internal/pdf -run '^$' -fuzz FuzzScan -fuzztime 10m
//
// The seed corpus is in testdata/fuzz/FuzzScan.
func FuzzScan(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add(streamDoc("/Filter [/AHx /Fl]", []byte("789c4b4c4a0600024d0127>")))
	f.Add(streamDoc("/Subtype /Image /Width 4 /Height 4 /Filter /FlateDecode", deflate(make([]byte, 16))))
	lim := ScanLimits{MaxStream: 64 << 10, MaxFontStream: 128 << 10, MaxInflated: 256 << 10, MaxImagePixels: 1 << 16}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Scan(context.Background(), data, lim)
		var le *imgio.LimitError
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("undocumented error %T: %v", err, err)
		}
		if info.Inflated > lim.MaxInflated+32<<10 {
			t.Fatalf("decoded %d bytes past the total bound %d", info.Inflated, lim.MaxInflated)
		}
		if info.Decoded > info.Streams || info.Images > info.Streams {
			t.Fatalf("inconsistent counts %+v", info)
		}
	})
}

// TestReady: Ready does not start the engine and follows its life.
func TestReady(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Ready(); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("before Warm: %v, want ErrNotStarted", err)
	}
	if err := e.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.Ready(); err != nil {
		t.Fatalf("after Warm: %v", err)
	}
	e.Close()
	if err := e.Ready(); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// TestMemoryLimit: with Scan's bounds off, a bomb reaches PDFium, whose
// allocation past Config.MaxMemory fails: the image is not drawn and the
// call returns, well before the document's timeout (issue #17: before the
// cap, the image bomb took 30 s and 0.75 GB).
func TestMemoryLimit(t *testing.T) {
	off := ScanLimits{MaxStream: -1, MaxFontStream: -1, MaxInflated: -1, MaxImagePixels: -1}
	e, err := New(Config{MaxMemory: 32 << 20, Scan: off, Timeout: 20 * time.Second, Instances: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	d, err := e.Open(context.Background(), pdftest.ImageBomb(8000, 8000)) // 64 MB
	if err != nil {
		checkKind(t, err)
		return
	}
	defer d.Close()
	began := time.Now()
	p, _, err := d.Render(0, 72)
	if err != nil {
		checkKind(t, err)
	} else if p.W < 1 {
		t.Fatalf("empty plane")
	}
	if took := time.Since(began); took > 15*time.Second {
		t.Errorf("render took %v: the memory limit did not stop the image", took)
	}
}
