package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/qrcascade/qrcascade"
)

// Error codes of the JSON error body, a closed set that clients may switch on.
const (
	codeBadImage        = "bad_image"          // 400: malformed or truncated image
	codeEncrypted       = "encrypted_pdf"      // 400: a PDF that needs a password
	codeEmptyBody       = "empty_body"         // 400: no bytes
	codeBadRequest      = "bad_request"        // 400: bad query or multipart form
	codeModeUnavailable = "mode_unavailable"   // 400: mode not served by this build
	codeTooLarge        = "too_large"          // 413: body or pixels over the limit
	codeUnsupported     = "unsupported_format" // 415: valid but unhandled format
	codeOverloaded      = "overloaded"         // 503: every slot and queue place taken
	codeShuttingDown    = "shutting_down"      // 503: the server is draining
	codeTimeout         = "timeout"            // 504: deadline passed while decoding
	codeCanceled        = "canceled"           // 499 (logged only): the client went away
	codeNotFound        = "not_found"          // 404: unknown path
	codeMethod          = "method_not_allowed" // 405
	codeInternal        = "internal"           // 500
)

// codeUnprocessable (422) answers an image whose shape cannot hold a code
// (a side under 21 pixels, an extreme aspect ratio: LimitError.Unprocessable).
const codeUnprocessable = "unprocessable_image"

// statusClientClosed is nginx's 499, logged for requests whose client went
// away; the client never sees it.
const statusClientClosed = 499

// apiError is an error answer: its status, code and message.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Outcome string `json:"-"`
}

func (e *apiError) Error() string { return "server: " + e.Code + ": " + e.Message }

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error *apiError `json:"error"`
}

// classify maps an error of qrcascade.Reader.Read (or of reading the body)
// to its answer, with errors.As and errors.Is on the typed errors.
func classify(err error) *apiError {
	var (
		ae    *apiError
		fe    *qrcascade.FormatError
		ue    *qrcascade.UnsupportedError
		le    *qrcascade.LimitError
		mbe   *http.MaxBytesError
		synth = func(status int, code, outcome string) *apiError {
			return &apiError{Status: status, Code: code, Message: err.Error(), Outcome: outcome}
		}
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &mbe):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge,
			Message: fmt.Sprintf("request body exceeds the limit of %d bytes", mbe.Limit), Outcome: outcomeBadInput}
	case errors.As(err, &le) && le.Unprocessable():
		return synth(http.StatusUnprocessableEntity, codeUnprocessable, outcomeBadInput)
	case errors.As(err, &le):
		return synth(http.StatusRequestEntityTooLarge, codeTooLarge, outcomeBadInput)
	case errors.Is(err, qrcascade.ErrEncrypted):
		return synth(http.StatusBadRequest, codeEncrypted, outcomeBadInput)
	case errors.As(err, &ue):
		return synth(http.StatusUnsupportedMediaType, codeUnsupported, outcomeBadInput)
	case errors.As(err, &fe):
		return synth(http.StatusBadRequest, codeBadImage, outcomeBadInput)
	case errors.Is(err, qrcascade.ErrEmpty):
		return &apiError{Status: http.StatusBadRequest, Code: codeEmptyBody, Message: "empty request body: send the image bytes", Outcome: outcomeBadInput}
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{Status: http.StatusGatewayTimeout, Code: codeTimeout, Message: "deadline exceeded while reading the image", Outcome: outcomeTimeout}
	case errors.Is(err, context.Canceled):
		return &apiError{Status: statusClientClosed, Code: codeCanceled, Message: "client closed the request", Outcome: outcomeCanceled}
	}
	return &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: err.Error(), Outcome: outcomeError}
}

// writeJSON writes v as the JSON answer with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"server: encoding the answer failed"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError writes e as the JSON error answer; 503 carries Retry-After.
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	if e.Status == statusClientClosed {
		return // nobody is listening
	}
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(s.cfg.RetryAfter.Seconds()))))
	}
	writeJSON(w, e.Status, errorBody{Error: e})
}
