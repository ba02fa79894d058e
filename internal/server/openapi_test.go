package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/qrcascade/qrcascade"
)

// The contract is checked with kin-openapi, which loads and validates
// OpenAPI 3.1 documents and, for them, validates bodies with its JSON
// Schema 2020-12 validator (type arrays such as ["string", "null"], const).
// Every Server built by newTestServer has its handler wrapped by
// contractHandler, so every response of every server test (errors, 404,
// 405, 503 with Retry-After included) is validated against the document.

// contract is the loaded document and its router, built once per test
// binary.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	contractOnce sync.Once
	contractVal  contract
	contractErr  error
)

// loadContract parses and validates the embedded document.
func loadContract(t testing.TB) contract {
	t.Helper()
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(OpenAPI())
		if err != nil {
			contractErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contractErr = err
			return
		}
		r, err := legacy.NewRouter(doc)
		if err != nil {
			contractErr = err
			return
		}
		contractVal = contract{doc: doc, router: r}
	})
	if contractErr != nil {
		t.Fatalf("openapi.json: %v", contractErr)
	}
	return contractVal
}

// teeWriter passes a response through and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// contractHandler wraps h so that every response it writes is validated
// against the document; a mismatch fails t.
func contractHandler(t testing.TB, h http.Handler) http.Handler {
	c := loadContract(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		if tw.status == 0 || tw.status == statusClientClosed {
			return // nothing was answered: the client went away
		}
		if err := c.check(r, tw.status, w.Header(), tw.body.Bytes()); err != nil {
			t.Errorf("%s %s → %d does not follow openapi.json: %v\nbody: %.400s", r.Method, r.URL, tw.status, err, tw.body.Bytes())
		}
	})
}

// check validates one response to r. Paths and methods the document does
// not list must be answered with its Error schema (404, 405).
func (c contract) check(r *http.Request, status int, header http.Header, body []byte) error {
	ctx := context.Background()
	lookup := r.Clone(ctx)
	if lookup.Method == http.MethodHead {
		lookup.Method = http.MethodGet // HEAD answers as GET, without a body
	}
	lookup.URL.Host, lookup.URL.Scheme = "127.0.0.1:8008", "http"
	route, params, err := c.router.FindRoute(lookup)
	if err != nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return err
		}
		return c.checkError(body)
	}
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	if r.Method == http.MethodHead || ct != "application/json" {
		// kin-openapi decodes JSON, text/plain and a few others; the
		// HTML page and the metrics exposition are checked for their
		// declared content type only.
		opts.ExcludeResponseBody = true
		resp := route.Operation.Responses.Status(status)
		if resp == nil || resp.Value == nil {
			return &openapi3filter.ResponseError{Reason: "status is not supported"}
		}
		if r.Method != http.MethodHead && resp.Value.Content.Get(header.Get("Content-Type")) == nil {
			return &openapi3filter.ResponseError{Reason: "undeclared content type " + header.Get("Content-Type")}
		}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: lookup, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	return openapi3filter.ValidateResponse(ctx, in)
}

// checkError validates body against components/schemas/Error.
func (c contract) checkError(body []byte) error {
	v, err := decodeAny(body)
	if err != nil {
		return err
	}
	return c.doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors())
}

// decodeAny decodes JSON into the generic values VisitJSON takes.
func decodeAny(body []byte) (any, error) {
	var v any
	err := json.Unmarshal(body, &v)
	return v, err
}

// TestOpenAPIDocument checks that the document is valid OpenAPI 3.1, that
// it is served as is, and that it names every route of the handler and
// every error code of errors.go.
func TestOpenAPIDocument(t *testing.T) {
	c := loadContract(t)
	if !c.doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q, want 3.1", c.doc.OpenAPI)
	}
	srv := newTestServer(t, Config{})
	w := do(srv.Handler(), "GET", "/openapi.json", "", nil)
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), OpenAPI()) {
		t.Fatalf("GET /openapi.json: %d, %d bytes; want 200 and the embedded document", w.Code, w.Body.Len())
	}
	for _, path := range []string{"/", "/detect", "/healthz", "/readyz", "/metrics", "/openapi.json"} {
		if c.doc.Paths.Find(path) == nil {
			t.Errorf("path %s is served but not in the document", path)
		}
	}
	codes := c.doc.Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value.Enum
	for _, code := range []string{codeBadImage, codeEncrypted, codeEmptyBody, codeBadRequest, codeModeUnavailable, codeTooLarge,
		codeUnsupported, codeOverloaded, codeShuttingDown, codeTimeout, codeNotFound, codeMethod, codeInternal} {
		found := false
		for _, e := range codes {
			found = found || e == code
		}
		if !found {
			t.Errorf("error code %q is not in the document's Error schema", code)
		}
	}
}

// TestContractCatchesDrift proves the checker is not vacuous: answers that
// break the document are reported.
func TestContractCatchesDrift(t *testing.T) {
	c := loadContract(t)
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name, method, target string
		status               int
		header               http.Header
		body                 string
	}{
		{"undeclared status", "POST", "/detect", http.StatusTeapot, jsonCT, `{"error":{"code":"internal","message":"x"}}`},
		{"unknown error code", "POST", "/detect", 400, jsonCT, `{"error":{"code":"oops","message":"x"}}`},
		{"missing field", "POST", "/detect", 200, jsonCT, `{"success":true}`},
		{"wrong type", "GET", "/healthz", 200, jsonCT, `{"status":1}`},
		{"503 without Retry-After", "POST", "/detect", 503, jsonCT, `{"error":{"code":"overloaded","message":"x"}}`},
		{"404 not an error body", "GET", "/nowhere", 404, jsonCT, `{"status":"ok"}`},
		{"undeclared content type", "GET", "/", 200, http.Header{"Content-Type": {"text/csv"}}, "a,b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			if err := c.check(r, tc.status, tc.header, []byte(tc.body)); err == nil {
				t.Errorf("accepted; want a contract error")
			} else if testing.Verbose() {
				t.Logf("rejected: %s", strings.SplitN(err.Error(), "\n", 2)[0])
			}
		})
	}
}

// TestExplain checks the explain member: one entry per page, each code
// listed on its page, every attempt reported.
func TestExplain(t *testing.T) {
	fx := testFixtures(t)
	srv := newTestServer(t, Config{})
	tests := []struct {
		name, contentType string
		body              []byte
		format            string
	}{
		{"jpeg", "image/jpeg", fx.invoiceJPEG, "jpeg"},
		{"pdf", "application/pdf", fx.invoicePDF, "pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := do(srv.Handler(), "POST", "/detect?explain=1", tc.contentType, tc.body)
			var res detectResponse
			decodeJSON(t, w.Body.Bytes(), &res)
			ex := res.Explain
			if w.Code != 200 || ex == nil {
				t.Fatalf("status %d, explain %v: %s", w.Code, ex, w.Body)
			}
			if res.Image.Format != tc.format || len(ex.Pages) != max(1, res.Image.Pages) {
				t.Errorf("format %s, %d explain pages for %d pages", res.Image.Format, len(ex.Pages), res.Image.Pages)
			}
			if p := ex.Pages[0]; len(p.Codes) != 1 || p.Codes[0] != 0 || p.Width != res.Image.Width || p.Height != res.Image.Height {
				t.Errorf("page 1 = %+v, want code 0 at %dx%d", p, res.Image.Width, res.Image.Height)
			}
			if len(ex.Attempts) == 0 || ex.Attempts[0].Tier != "classic" {
				t.Errorf("attempts %+v, want the classic strategies", ex.Attempts)
			}
		})
	}
	if w := do(srv.Handler(), "POST", "/detect", "image/jpeg", fx.invoiceJPEG); strings.Contains(w.Body.String(), `"explain"`) {
		t.Errorf("explain member without explain=1: %s", w.Body)
	}
}

// TestExplainCandidates: the reader's unread candidates reach their page
// with their stage, corners and score.
func TestExplainCandidates(t *testing.T) {
	quad := [4]qrcascade.Point{{10, 10}, {90, 10}, {90, 90}, {10, 90}}
	r := readerFunc(func(ctx context.Context, data []byte) (*qrcascade.Result, error) {
		return &qrcascade.Result{Model: "nano", Image: qrcascade.ImageInfo{Format: "pdf", Width: 100, Height: 100, Pages: 2},
			Explain: &qrcascade.Explain{Pages: []qrcascade.PageExplain{{Page: 2, Detections: 1,
				Unread: []qrcascade.Candidate{{Points: quad, Tier: qrcascade.TierNeural, Model: "nano", Score: 0.8, Stage: "format"}}}}}}, nil
	})
	srv := newTestServer(t, Config{Readers: map[qrcascade.Mode]ImageReader{qrcascade.ModeClassic: r}})
	w := do(srv.Handler(), "POST", "/detect?explain=1", "application/pdf", []byte("x"))
	var res detectResponse
	decodeJSON(t, w.Body.Bytes(), &res)
	if res.Explain == nil || len(res.Explain.Pages) != 2 {
		t.Fatalf("explain %+v", res.Explain)
	}
	p1, p2 := res.Explain.Pages[0], res.Explain.Pages[1]
	if len(p1.Candidates) != 0 || len(p2.Candidates) != 1 || p2.Detections != 1 {
		t.Fatalf("pages %+v %+v, want the candidate on page 2", p1, p2)
	}
	if c := p2.Candidates[0]; c.Stage != "format" || c.Points != quad || c.Confidence != 0.8 || c.Model != "nano" {
		t.Errorf("candidate %+v", c)
	}
}
