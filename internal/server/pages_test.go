package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/qrcascade/qrcascade"
)

// pageReader records the page options of the last read and answers a
// truncated result.
type pageReader struct{ got qrcascade.PageOptions }

func (p *pageReader) Read(ctx context.Context, data []byte) (*qrcascade.Result, error) {
	return p.ReadPages(ctx, data, qrcascade.PageOptions{})
}

func (p *pageReader) ReadPages(ctx context.Context, data []byte, o qrcascade.PageOptions) (*qrcascade.Result, error) {
	p.got = o
	return &qrcascade.Result{PagesRead: 3, Truncated: qrcascade.TruncatedMaxPages}, nil
}

// TestPageQuery: max_pages=, pages=, stop=invoice and dpi= reach a
// PageReader; bad values are 400; the answer carries pages_read and
// truncated (#14).
func TestPageQuery(t *testing.T) {
	pr := &pageReader{}
	s := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: pr}})
	for _, tc := range []struct {
		query  string
		status int
		want   qrcascade.PageOptions
	}{
		{"", http.StatusOK, qrcascade.PageOptions{}},
		{"?max_pages=3&pages=1-3,7-&stop=invoice&dpi=150", http.StatusOK, qrcascade.PageOptions{MaxPages: 3, Pages: "1-3,7-", StopAtInvoice: true, DPI: 150}},
		{"?max_pages=-1", http.StatusOK, qrcascade.PageOptions{MaxPages: -1}},
		{"?max_pages=0", http.StatusBadRequest, qrcascade.PageOptions{}},
		{"?max_pages=x", http.StatusBadRequest, qrcascade.PageOptions{}},
		{"?pages=3-1", http.StatusBadRequest, qrcascade.PageOptions{}},
		{"?stop=first", http.StatusBadRequest, qrcascade.PageOptions{}},
		{"?dpi=0", http.StatusBadRequest, qrcascade.PageOptions{}},
		{"?dpi=5000", http.StatusBadRequest, qrcascade.PageOptions{}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			pr.got = qrcascade.PageOptions{}
			w := do(s.Handler(), http.MethodPost, "/detect"+tc.query, "application/pdf", []byte("%PDF-1.7"))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status != http.StatusOK {
				var e errorAnswer
				decodeJSON(t, w.Body.Bytes(), &e)
				checkClientMessage(t, e.Error.Message)
				return
			}
			if pr.got != tc.want {
				t.Errorf("page options %+v, want %+v", pr.got, tc.want)
			}
			var a struct {
				PagesRead int    `json:"pages_read"`
				Truncated string `json:"truncated"`
			}
			decodeJSON(t, w.Body.Bytes(), &a)
			if a.PagesRead != 3 || a.Truncated != qrcascade.TruncatedMaxPages {
				t.Errorf("answer %+v, want 3 pages read, truncated %q", a, qrcascade.TruncatedMaxPages)
			}
		})
	}
}
