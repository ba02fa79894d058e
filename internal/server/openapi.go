package server

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of every endpoint,
// parameter, response and error code of the service. The server tests
// validate every response they produce against it (openapi_test.go), so a
// change to the handlers that the document does not follow fails there.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the service's OpenAPI 3.1 document (JSON). The caller must
// not modify the returned slice.
func OpenAPI() []byte { return openAPIDocument }

// handleOpenAPI answers GET /openapi.json with the document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(openAPIDocument)
	}
}
