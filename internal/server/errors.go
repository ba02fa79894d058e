package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qrcascade/qrcascade"
)

// Error codes of the JSON error body, a closed set that clients may switch on.
const (
	codeBadImage        = "bad_image"          // 400: malformed or truncated image
	codeEncrypted       = "encrypted_pdf"      // 400: a PDF that needs a password
	codeEmptyBody       = "empty_body"         // 400: no bytes
	codeBadRequest      = "bad_request"        // 400: bad query or multipart form
	codeModeUnavailable = "mode_unavailable"   // 400: mode not served by this build
	codeSlowBody        = "slow_body"          // 408: the body arrived too slowly
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

// classify maps an error of qrcascade.Reader.Read (or of receiving the
// body) to its answer, with errors.As and errors.Is on the typed errors.
// The message says what is wrong with the input in the client's terms: the
// error's own text (package names, offsets, decoder internals) is for the
// log. A 500's message is set by the caller, which knows the request id.
func classify(err error) *apiError {
	var (
		ae  *apiError
		fe  *qrcascade.FormatError
		ue  *qrcascade.UnsupportedError
		le  *qrcascade.LimitError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &mbe):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge,
			Message: fmt.Sprintf("request body exceeds the limit of %d bytes", mbe.Limit), Outcome: outcomeBadInput}
	case errors.Is(err, errBodyTooSlow):
		return &apiError{Status: http.StatusRequestTimeout, Code: codeSlowBody,
			Message: "the request body arrived too slowly; send it at once", Outcome: outcomeBadInput}
	case errors.Is(err, errBodyMemory):
		return &apiError{Status: http.StatusServiceUnavailable, Code: codeOverloaded,
			Message: "too many request bodies in memory; retry later", Outcome: outcomeOverloaded}
	case errors.Is(err, errUploadCut):
		return &apiError{Status: http.StatusServiceUnavailable, Code: codeShuttingDown,
			Message: "the server is shutting down; retry elsewhere", Outcome: outcomeOverloaded}
	case errors.As(err, &le) && le.Unprocessable():
		return &apiError{Status: http.StatusUnprocessableEntity, Code: codeUnprocessable,
			Message: limitMessage(le), Outcome: outcomeBadInput}
	case errors.As(err, &le):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge,
			Message: limitMessage(le), Outcome: outcomeBadInput}
	case errors.Is(err, qrcascade.ErrEncrypted):
		return &apiError{Status: http.StatusBadRequest, Code: codeEncrypted,
			Message: "the PDF is encrypted; send it without a password", Outcome: outcomeBadInput}
	case errors.As(err, &ue):
		return &apiError{Status: http.StatusUnsupportedMediaType, Code: codeUnsupported,
			Message: unsupportedMessage(ue), Outcome: outcomeBadInput}
	case errors.As(err, &fe):
		return &apiError{Status: http.StatusBadRequest, Code: codeBadImage,
			Message: formatName(fe.Format) + " data is malformed or truncated", Outcome: outcomeBadInput}
	case errors.Is(err, qrcascade.ErrEmpty):
		return &apiError{Status: http.StatusBadRequest, Code: codeEmptyBody, Message: "empty request body: send the image bytes", Outcome: outcomeBadInput}
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{Status: http.StatusGatewayTimeout, Code: codeTimeout, Message: "deadline exceeded while reading the image", Outcome: outcomeTimeout}
	case errors.Is(err, context.Canceled):
		return &apiError{Status: statusClientClosed, Code: codeCanceled, Message: "client closed the request", Outcome: outcomeCanceled}
	}
	return &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: "internal error", Outcome: outcomeError}
}

// supportedFormats names the inputs the service reads, for messages.
const supportedFormats = "JPEG, PNG, GIF, BMP, TIFF, WebP or PDF"

// formatName returns a format as clients know it ("png" → "PNG"); "the
// image" when unknown.
func formatName(f string) string {
	switch f {
	case "":
		return "the image"
	case "webp":
		return "WebP"
	}
	return strings.ToUpper(f)
}

// limitMessage says which limit the input exceeded.
func limitMessage(le *qrcascade.LimitError) string {
	switch le.What {
	case qrcascade.LimitSide:
		return fmt.Sprintf("the image is too small to hold a QR code: its shortest side is %d pixels, at least %d are needed", le.Actual, le.Limit)
	case qrcascade.LimitAspect:
		return fmt.Sprintf("the image is too narrow to hold a QR code: its long side is %d times its short side, at most %d is accepted", le.Actual, le.Limit)
	case qrcascade.LimitMemory:
		return fmt.Sprintf("the image's pixel format needs %d bytes to decode, over the limit of %d; send it as 8-bit or JPEG", le.Actual, le.Limit)
	case qrcascade.LimitWork:
		return fmt.Sprintf("the input holds %d pixels over all its pages, over the limit of %d", le.Actual, le.Limit)
	case qrcascade.LimitPixels:
		return fmt.Sprintf("the input is too large: %d pixels (width × height) exceeds the limit of %d", le.Actual, le.Limit)
	}
	return fmt.Sprintf("the input is too large: %d %s exceeds the limit of %d", le.Actual, le.What, le.Limit)
}

// unsupportedMessage says what of the input is not supported.
func unsupportedMessage(ue *qrcascade.UnsupportedError) string {
	switch {
	case ue.Format == "":
		return "unknown input format: send " + supportedFormats
	case ue.Reason != "":
		return "unsupported " + formatName(ue.Format) + " input: " + ue.Reason
	}
	return formatName(ue.Format) + " is not supported here (or uses a variant that is not): send " + supportedFormats
}

// retrySeconds is d rounded up to whole seconds, for Retry-After.
func retrySeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// writeJSON writes v as the JSON answer with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"server: encoding the answer failed"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
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
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(s.cfg.RetryAfter)))
	}
	writeJSON(w, e.Status, errorBody{Error: e})
}
