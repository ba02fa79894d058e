package server

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade"
)

// detectContractEvery: one FuzzDetect input in detectContractEvery (by a
// hash of the input, so that a mutation of any corpus entry is as likely
// as any other to get it) has its answer checked against openapi.json as
// well. kin-openapi takes 0.3 to 15 ms to validate one answer, 2 to 60
// times the handler's own work on the fuzzer's small inputs (#17: a fuzz
// target runs ≥ 1,000 inputs a second); every server test validates
// every answer it gets.
const detectContractEvery = 32

// FuzzDetect sends arbitrary bodies (raw and declared multipart) and
// queries through the handler: every answer is one of the documented
// statuses with a JSON body of the documented shape, error messages name
// no internal package and no byte offset (checkClientMessage), and
// nothing panics or leaks a slot. One input in detectContractEvery is
// also checked against openapi.json.
//
// Cost per execution (#17): the server and its classic readers are built
// once; images over 1<<16 pixels are refused from their header (the
// decoders have their own fuzz targets, and a header claiming megapixels
// would only make an execution slow).
func FuzzDetect(f *testing.F) {
	fx := testFixtures(f)
	form, formType := multipartBody(f, "image", fx.blankPNG)
	f.Add(fx.blankPNG, "image/png", "")
	f.Add(fx.invoiceJPEG[:2000], "image/jpeg", "mode=classic&multi=0")
	f.Add(form, formType, "invoice=1")
	f.Add([]byte{}, "application/octet-stream", "mode=nano")
	f.Add([]byte("GIF89a\x01\x00\x01\x00"), "", "multi=%zz")
	f.Add([]byte("II*\x00\x08\x00\x00\x00"), "image/tiff", "mode=&mode=large")
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "", ";;")
	f.Add([]byte("%PDF-1.7\n"), "application/pdf", "pages=pdf:1&dpi=9999")
	srv, err := New(Config{Readers: classicReaders(f, qrcascade.Options{MaxPixels: 1 << 16}),
		MaxBodyBytes: 1 << 20, RequestTimeout: 5 * time.Second})
	if err != nil {
		f.Fatal(err)
	}
	c := loadContract(f)
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte, contentType, query string) {
		req := httptest.NewRequest("POST", "/detect", bytes.NewReader(body))
		req.URL.RawQuery = query
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case 200:
			var res detectResponse
			decodeJSON(t, w.Body.Bytes(), &res)
			if res.Success != (len(res.Codes) > 0) || res.Success != (res.Data != nil) {
				t.Errorf("inconsistent answer: %s", w.Body)
			}
		case 400, 413, 415, 422:
			var e errorAnswer
			decodeJSON(t, w.Body.Bytes(), &e)
			if e.Error.Code == "" || e.Error.Message == "" {
				t.Errorf("error without code or message: %s", w.Body)
			}
			checkClientMessage(t, e.Error.Message)
		default:
			t.Errorf("status %d: %s", w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Errorf("invalid JSON: %s", w.Body)
		}
		if n := srv.lim.admitted.Load(); n != 0 {
			t.Fatalf("%d admissions held after the answer", n)
		}
		if detectContractSample(body, contentType, query) {
			if err := c.check(req, w.Code, w.Header(), w.Body.Bytes()); err != nil {
				t.Errorf("%s → %d does not follow openapi.json: %v\nbody: %.400s", req.URL, w.Code, err, w.Body.Bytes())
			}
		}
	})
}

// detectContractSample reports whether FuzzDetect checks the answer to
// this input against openapi.json (one in detectContractEvery).
func detectContractSample(body []byte, contentType, query string) bool {
	h := fnv.New32a()
	h.Write(body)
	h.Write([]byte{0})
	h.Write([]byte(contentType))
	h.Write([]byte{0})
	h.Write([]byte(query))
	return h.Sum32()%detectContractEvery == 0
}

var (
	// quoted matches a Go-quoted string (%q): the client's own input,
	// echoed back, which may say anything.
	quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	// internalNames matches an error prefix of a Go package of the
	// service or of the standard library ("pdf: ", "imgio: ", "flate: ").
	internalNames = regexp.MustCompile(`\b(qrcascade|server|cascade|classic|qr|pdf|pdftest|imgio|jpegluma|gray|neural|invoice|vocab|` +
		`image|png|jpeg|gif|bmp|tiff|webp|riff|vp8|vp8l|flate|zlib|lzw|multipart|mime|http|json|strconv|io|` +
		`gozxing|pdfium|wazero|wasm)(/[a-z0-9]+)*: `)
	// byteOffsets matches a position in the input ("offset 12", "at byte
	// 34", "byte 5 of").
	byteOffsets = regexp.MustCompile(`(?i)\boffset\b|\bat byte\b|\bbyte \d`)
)

// checkClientMessage fails when a client-facing error message names an
// internal package or a byte offset (#17: it says what is wrong with the
// input in the client's terms; the error's own text is for the log).
// Quoted client input is left out of the check.
func checkClientMessage(t testing.TB, msg string) {
	t.Helper()
	m := quoted.ReplaceAllString(msg, `""`)
	if internalNames.MatchString(m) || byteOffsets.MatchString(m) {
		t.Errorf("client message %q names an internal package or a byte offset", msg)
	}
}
