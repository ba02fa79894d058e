package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade"
)

// FuzzDetect sends arbitrary bodies (raw and declared multipart) and
// queries through the handler: every answer is one of the documented
// statuses with a JSON body of the documented shape, and nothing panics or
// leaks a slot.
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
	// Small pixel bound: the decoders have their own fuzz targets; here a
	// header claiming 50 MP would only make each execution slow.
	srv := newTestServer(f, Config{Readers: classicReaders(f, qrcascade.Options{MaxPixels: 1 << 20}),
		MaxBodyBytes: 1 << 20, RequestTimeout: 5 * time.Second})
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
		case 400, 413, 415:
			var e errorAnswer
			decodeJSON(t, w.Body.Bytes(), &e)
			if e.Error.Code == "" || e.Error.Message == "" {
				t.Errorf("error without code or message: %s", w.Body)
			}
		default:
			t.Errorf("status %d: %s", w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Errorf("invalid JSON: %s", w.Body)
		}
		if n := srv.lim.admitted.Load(); n != 0 {
			t.Fatalf("%d admissions held after the answer", n)
		}
	})
}
