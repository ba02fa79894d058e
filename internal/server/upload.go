package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Receiving a request body (#17).
//
// A body is read in full before the request asks for a queue place or a
// decode slot, so a client that trickles its upload holds neither: it holds
// a connection and the bytes it actually sent. Three bounds apply while it
// arrives:
//
//   - time: the body must be complete within Config.ReadTimeout of the start
//     of the upload, and after Config.BodyGrace it must have arrived at
//     Config.MinBodyRate on average (the read deadline of the connection is
//     moved forward as bytes arrive: start + grace + received/rate). A body
//     that falls behind is answered 408 and its connection closed;
//   - memory: bodies are read into fixed-size chunks reserved from one byte
//     budget shared by every request (Config.BodyMemory). A body that finds
//     the budget spent is answered 503 and its connection closed. Chunked
//     and sized bodies cost the same: the bytes received, in chunks, then
//     one exactly sized copy for the decoder (both counted while the copy is
//     made), never a doubling buffer;
//   - shutdown: the uploads in progress are tracked, and shutdown gives them
//     a short grace (shutdownUploadGrace) before their connections' read
//     deadline is pulled in, so a slow uploader cannot hold the drain.

// chunkSize is the unit in which request bodies are read and reserved from
// the body budget.
const chunkSize = 64 << 10

// shutdownUploadGrace is how long an upload in progress when shutdown
// begins may still take (at most a quarter of the shutdown timeout).
const shutdownUploadGrace = time.Second

// Body errors, mapped to their answers by classify.
var (
	// errBodyTooSlow: the body fell behind the minimum rate or the read
	// timeout (408).
	errBodyTooSlow = errors.New("server: request body too slow")
	// errBodyMemory: the body budget was spent (503).
	errBodyMemory = errors.New("server: body memory budget spent")
	// errUploadCut: shutdown cut the upload (503 shutting down).
	errUploadCut = errors.New("server: upload cut by shutdown")
)

// bodyBudget bounds the bytes of request bodies held at once: received
// chunks, and the bodies of requests queued or decoding. It is safe for
// concurrent use.
type bodyBudget struct {
	limit int64
	used  atomic.Int64
}

// reserve takes n bytes of the budget and reports whether they were free.
// A true result must be paired with release(n).
func (b *bodyBudget) reserve(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

// release returns n bytes to the budget.
func (b *bodyBudget) release(n int64) { b.used.Add(-n) }

// uploads tracks the request bodies being received, so that shutdown can
// bound them. It is safe for concurrent use.
type uploads struct {
	mu    sync.Mutex
	set   map[*upload]struct{}
	capAt time.Time // once shutdown began: the latest deadline of any upload
}

// upload is one request body being received.
type upload struct {
	rc       *http.ResponseController
	start    time.Time
	timeout  time.Duration // the whole body's bound (ReadTimeout)
	grace    time.Duration // time before the minimum rate applies
	minRate  int64         // bytes per second; <= 0: no rate check
	received int64

	mu    sync.Mutex
	capAt time.Time // shutdown's bound; zero: none
	noDL  bool      // the connection does not support deadlines (tests)
}

// begin registers an upload; the caller must call end.
func (us *uploads) begin(u *upload) {
	us.mu.Lock()
	defer us.mu.Unlock()
	if us.set == nil {
		us.set = map[*upload]struct{}{}
	}
	u.capAt = us.capAt
	us.set[u] = struct{}{}
}

// end unregisters an upload and clears its connection's read deadline, so
// that net/http's background read (which watches for the client going away
// while the request is decoded) does not hit it and cancel the request.
func (us *uploads) end(u *upload) {
	us.mu.Lock()
	delete(us.set, u)
	us.mu.Unlock()
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.noDL {
		_ = u.rc.SetReadDeadline(time.Time{})
	}
}

// cut bounds every upload in progress, and every later one, to finish by
// at: their read deadlines are pulled in to at when later.
func (us *uploads) cut(at time.Time) {
	us.mu.Lock()
	defer us.mu.Unlock()
	us.capAt = at
	for u := range us.set {
		u.mu.Lock()
		u.capAt = at
		if !u.noDL {
			_ = u.rc.SetReadDeadline(u.deadlineLocked())
		}
		u.mu.Unlock()
	}
}

// len returns the number of uploads in progress.
func (us *uploads) len() int {
	us.mu.Lock()
	defer us.mu.Unlock()
	return len(us.set)
}

// deadlineLocked returns the read deadline for the next bytes: the start
// plus the grace plus the time the bytes received so far buy at the minimum
// rate, bounded by the whole body's timeout and by shutdown. u.mu is held.
func (u *upload) deadlineLocked() time.Time {
	dl := u.start.Add(u.timeout)
	if u.minRate > 0 {
		credit := time.Duration(float64(u.received) / float64(u.minRate) * float64(time.Second))
		dl = minTime(dl, u.start.Add(u.grace+credit))
	}
	if !u.capAt.IsZero() {
		dl = minTime(dl, u.capAt)
	}
	return dl
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Read reads from body with the connection's read deadline set from the
// bytes received so far; a read cut by the deadline returns errBodyTooSlow
// (errUploadCut when shutdown cut it).
func (u *upload) read(body io.Reader, p []byte) (int, error) {
	u.mu.Lock()
	if !u.noDL {
		if err := u.rc.SetReadDeadline(u.deadlineLocked()); errors.Is(err, http.ErrNotSupported) {
			u.noDL = true
		}
	}
	u.mu.Unlock()
	n, err := body.Read(p)
	u.mu.Lock()
	u.received += int64(n)
	cut := !u.capAt.IsZero() && !time.Now().Before(u.capAt)
	u.mu.Unlock()
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if cut {
			return n, errUploadCut
		}
		return n, fmt.Errorf("%w: %d bytes in %v", errBodyTooSlow, u.received, time.Since(u.start).Round(time.Millisecond))
	}
	return n, err
}

// uploadReader is an io.Reader over a body that applies an upload's
// deadlines.
type uploadReader struct {
	u    *upload
	body io.Reader
}

func (r uploadReader) Read(p []byte) (int, error) { return r.u.read(r.body, p) }

// chunks holds a body as it arrives, in chunkSize pieces reserved from the
// body budget.
type chunks struct {
	s      *Server
	bufs   []*[chunkSize]byte
	n      int   // bytes held
	held   int64 // bytes reserved for bufs
	budget *bodyBudget
}

// readFrom reads r to its end into c.
func (c *chunks) readFrom(r io.Reader) error {
	for {
		off := c.n % chunkSize
		if off == 0 && c.n == len(c.bufs)*chunkSize {
			if !c.budget.reserve(chunkSize) {
				return errBodyMemory
			}
			c.held += chunkSize
			c.bufs = append(c.bufs, c.s.chunkPool.Get().(*[chunkSize]byte))
		}
		buf := c.bufs[len(c.bufs)-1]
		n, err := r.Read(buf[off:])
		c.n += n
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// bytes returns the body as one exactly sized slice, reserved from the
// budget (the reservation is returned as size, for the caller to release),
// and gives the chunks back.
func (c *chunks) bytes() ([]byte, int64, error) {
	defer c.free()
	if !c.budget.reserve(int64(c.n)) {
		return nil, 0, errBodyMemory
	}
	out := make([]byte, c.n)
	for i, b := range c.bufs {
		copy(out[i*chunkSize:], b[:])
	}
	return out, int64(c.n), nil
}

// free returns the chunks to the pool and their bytes to the budget.
func (c *chunks) free() {
	for _, b := range c.bufs {
		c.s.chunkPool.Put(b)
	}
	c.bufs = nil
	c.budget.release(c.held)
	c.held = 0
}

// receive reads the image of r (the whole body, or the multipart field
// "image") under the upload bounds described at the top of this file. It
// returns the bytes and the body-budget bytes they hold, which the caller
// releases once the request is answered. Errors: *http.MaxBytesError
// (wrapped) over MaxBodyBytes, errBodyTooSlow, errBodyMemory, errUploadCut,
// or an *apiError for a malformed multipart body.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) ([]byte, int64, error) {
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, 0, fmt.Errorf("server: body: %w", &http.MaxBytesError{Limit: limit})
	}
	u := &upload{
		rc: http.NewResponseController(w), start: time.Now(),
		timeout: s.cfg.ReadTimeout, grace: s.cfg.BodyGrace, minRate: s.cfg.MinBodyRate,
	}
	s.uploads.begin(u)
	defer s.uploads.end(u)
	body := uploadReader{u: u, body: http.MaxBytesReader(w, r.Body, limit)}
	c := &chunks{s: s, budget: &s.bodies}
	defer c.free()

	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		if err := c.readFrom(body); err != nil {
			return nil, 0, bodyError(err)
		}
		return c.bytes()
	}
	r.Body = io.NopCloser(body)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, 0, badMultipart("the Content-Type has no boundary")
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, 0, badMultipart("it has no field \"" + imageField + "\"")
		}
		if err != nil {
			return nil, 0, multipartError(err)
		}
		if p.FormName() != imageField {
			if _, err := io.Copy(io.Discard, p); err != nil {
				return nil, 0, multipartError(err)
			}
			continue
		}
		err = c.readFrom(p)
		p.Close()
		if err != nil {
			return nil, 0, multipartError(err)
		}
		return c.bytes()
	}
}

// uploadBound reports whether err is one of the upload bounds: body size,
// rate, memory or shutdown.
func uploadBound(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe) || errors.Is(err, errBodyTooSlow) || errors.Is(err, errBodyMemory) || errors.Is(err, errUploadCut)
}

// bodyError returns the error of reading a raw body: an upload bound
// (wrapped), else a 400 for a body cut short.
func bodyError(err error) error {
	if uploadBound(err) {
		return fmt.Errorf("server: body: %w", err)
	}
	return &apiError{Status: http.StatusBadRequest, Code: codeBadRequest,
		Message: "the request body ended before its declared length", Outcome: outcomeBadInput}
}

// multipartError returns the error of reading a multipart body: an upload
// bound (wrapped), else a 400.
func multipartError(err error) error {
	if uploadBound(err) {
		return fmt.Errorf("server: multipart body: %w", err)
	}
	return badMultipart("it is malformed or truncated")
}

// badMultipart is the answer to an unusable multipart/form-data body.
func badMultipart(why string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeBadRequest,
		Message: "multipart/form-data body: " + why, Outcome: outcomeBadInput}
}

// lingerTime is how long a connection answered before its body was read
// stays half-open (our side closed for writing, theirs unread) before it
// is closed, so that the client can read the answer before the close
// resets the connection (RFC 9112, section 9.6).
const lingerTime = 250 * time.Millisecond

// closeUnread ends a connection whose request was answered (already
// written to w) without reading its body. net/http would either drain up to
// 256 KiB of the body first (CPU and time, waiting on a slow client) or
// close at once, and a close with unread bytes resets the connection,
// which can destroy the answer in the client's buffer before it is read.
// Instead the answer is flushed, the connection taken over, closed for
// writing (the client sees the end of the answer), and closed after
// lingerTime without reading. Where the connection cannot be taken over
// (HTTP/2, tests' recorders), its read deadline is set in the past so that
// net/http does not drain it.
func closeUnread(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err == nil {
		if conn, _, err := rc.Hijack(); err == nil {
			if cw, ok := conn.(interface{ CloseWrite() error }); ok {
				_ = cw.CloseWrite()
			}
			time.AfterFunc(lingerTime, func() { _ = conn.Close() })
			return
		}
	}
	_ = rc.SetReadDeadline(time.Now())
}
