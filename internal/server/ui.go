package server

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

// The operator page: plain HTML, CSS and JavaScript in one file, embedded in
// the binary, with no external asset, so it works offline and behind any
// proxy. It posts the chosen file to POST /detect?explain=1&invoice=1 and
// draws each page with the codes outlined (green, numbered) and the unread
// candidates dashed in red with the stage where each stopped; below, the
// codes with tier/strategy/model, the invoice fields and checks with the
// verdict, the timings per tier and every strategy attempt.
//
// Page images: the browser draws the uploaded file itself for the formats it
// decodes (JPEG, PNG, GIF, WebP, BMP: the first page); PDF pages, TIFF
// directories and later GIF frames get the outlines on a blank canvas of the
// page's size (see explainJSON), so the server renders nothing extra.

//go:embed ui/index.html
var uiFiles embed.FS

// uiPage is the parsed page template; parsing an embedded file cannot fail
// at run time once the tests pass.
var uiPage = template.Must(template.ParseFS(uiFiles, "ui/index.html"))

// uiData fills the page template.
type uiData struct {
	Version     string
	Modes       []string // modes this server answers, sorted
	DefaultMode string
}

// writeOperatorPage writes the operator page.
func (s *Server) writeOperatorPage(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	if err := uiPage.Execute(&b, uiData{Version: s.cfg.Version, Modes: s.modes, DefaultMode: string(s.cfg.DefaultMode)}); err != nil {
		s.writeError(w, &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "rendering the page: " + err.Error()})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page needs nothing but itself and this origin.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}
