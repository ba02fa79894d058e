package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"

	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// reuseEngine starts an engine of one reusable instance.
func reuseEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	cfg.ReuseInstances, cfg.Instances = true, 1
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// renderKey opens data, renders its first page at 72 dpi and returns the
// instance's key and the plane's pixels.
func renderKey(t *testing.T, e *Engine, data []byte) (any, []byte) {
	t.Helper()
	d, err := e.Open(context.Background(), data)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()
	p, _, err := d.Render(0, 72)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return d.key, p.Pix
}

// TestReuseInstances: with Config.ReuseInstances, documents share one
// instance, malformed documents in between included, and each renders as
// it does in a fresh instance.
func TestReuseInstances(t *testing.T) {
	page := pdftest.NewPage(200, 200)
	page.VectorQR(mustMatrix(t, "REUSE"), 20, 20, 3)
	doc := pdftest.Build([]*pdftest.Page{page}, pdftest.Options{})
	other := pdftest.NewPage(300, 200)
	other.Rect(10, 10, 50, 50)
	otherDoc := pdftest.Build([]*pdftest.Page{other}, pdftest.Options{})

	want := func() []byte {
		d := open(t, engine, doc)
		p, _, err := d.Render(0, 72)
		if err != nil {
			t.Fatal(err)
		}
		return p.Pix
	}()
	e := reuseEngine(t, Config{})
	key, pix := renderKey(t, e, doc)
	if !bytes.Equal(pix, want) {
		t.Fatal("first render differs from a fresh instance's")
	}
	for i := 0; i < 3; i++ {
		if _, err := e.Open(context.Background(), []byte("%PDF-1.7\nnot a document")); !isFormatError(err) {
			t.Fatalf("malformed document: %v, want a FormatError", err)
		}
		if k, _ := renderKey(t, e, otherDoc); k != key {
			t.Fatalf("document %d: a new instance, want the first one reused", i)
		}
		k, pix := renderKey(t, e, doc)
		if k != key {
			t.Fatalf("document %d: a new instance, want the first one reused", i)
		}
		if !bytes.Equal(pix, want) {
			t.Fatalf("document %d: the render differs from a fresh instance's", i)
		}
	}
}

// TestReuseDiscards: an instance is not reused after a faulted call or
// once killed (its context ended), and the engine goes on with a fresh one.
func TestReuseDiscards(t *testing.T) {
	page := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	page.VectorQR(mustMatrix(t, "DISCARD"), 50, 50, 3)
	doc := pdftest.Build([]*pdftest.Page{page}, pdftest.Options{})

	t.Run("fault", func(t *testing.T) {
		e := reuseEngine(t, Config{})
		d, err := e.Open(context.Background(), doc)
		if err != nil {
			t.Fatal(err)
		}
		first := d.key
		// as a trap inside PDFium would
		d.call(func() error { return errors.New("wasm error: unreachable") })
		d.Close()
		if k, _ := renderKey(t, e, doc); k == first {
			t.Fatal("faulted instance reused")
		}
	})
	t.Run("killed", func(t *testing.T) {
		e := reuseEngine(t, Config{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d, err := e.Open(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		first := d.key
		cancel() // the watcher kills the instance, as at a deadline
		for end := time.Now().Add(10 * time.Second); !d.killed.Load(); time.Sleep(time.Millisecond) {
			if time.Now().After(end) {
				t.Fatal("instance not killed 10 s after the context ended")
			}
		}
		if _, _, err := d.Render(0, 72); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		d.Close()
		if k, _ := renderKey(t, e, doc); k == first {
			t.Fatal("killed instance reused")
		}
	})
}

// TestReuseMemoryLimit: an instance whose document hit Config.MaxMemory
// (Scan's bounds off, so that the bomb reaches PDFium) is discarded or
// still renders the next document as a fresh instance does.
func TestReuseMemoryLimit(t *testing.T) {
	page := pdftest.NewPage(200, 200)
	page.VectorQR(mustMatrix(t, "AFTER THE BOMB"), 20, 20, 3)
	doc := pdftest.Build([]*pdftest.Page{page}, pdftest.Options{})
	d := open(t, engine, doc)
	want, _, err := d.Render(0, 72)
	if err != nil {
		t.Fatal(err)
	}
	off := ScanLimits{MaxStream: -1, MaxFontStream: -1, MaxInflated: -1, MaxImagePixels: -1}
	e := reuseEngine(t, Config{MaxMemory: 32 << 20, Scan: off, Timeout: 20 * time.Second})
	for i := 0; i < 2; i++ {
		b, err := e.Open(context.Background(), pdftest.ImageBomb(8000, 8000)) // 64 MB
		if err != nil {
			checkKind(t, err)
			continue
		}
		if _, _, err := b.Render(0, 72); err != nil {
			checkKind(t, err)
		}
		b.Close()
		if _, pix := renderKey(t, e, doc); !bytes.Equal(pix, want.Pix) {
			t.Fatalf("round %d: the render after the bomb differs from a fresh instance's", i)
		}
	}
}

// TestReuseBound: an instance serves maxInstanceDocuments documents.
func TestReuseBound(t *testing.T) {
	e, err := New(Config{ReuseInstances: true})
	if err != nil {
		t.Fatal(err)
	}
	key := new(int)
	for i := 1; i < maxInstanceDocuments; i++ {
		if !e.reuse(key) {
			t.Fatalf("document %d: instance retired before %d", i, maxInstanceDocuments)
		}
	}
	if e.reuse(key) {
		t.Fatalf("instance reused after %d documents", maxInstanceDocuments)
	}
	if len(e.served) != 0 {
		t.Fatalf("%d instances still counted", len(e.served))
	}
}

// TestInstanceFault: PDFium's status codes and our refusals leave an
// instance sound; traps, failed allocations and panics do not.
func TestInstanceFault(t *testing.T) {
	for _, tc := range []struct {
		err   error
		fault bool
	}{
		{nil, false},
		{pdfiumerrors.ErrFormat, false},
		{fmt.Errorf("opening: %w", pdfiumerrors.ErrPassword), false},
		{pdfiumerrors.ErrPage, false},
		{fmt.Errorf("page 2: %w", ErrTooManyImages), false},
		{errors.New("wasm error: out of bounds memory access"), true},
		{errors.New("could not allocate memory"), true},
		{errors.New("pdfium panic: nil map"), true},
		{context.DeadlineExceeded, true},
	} {
		if got := instanceFault(tc.err); got != tc.fault {
			t.Errorf("instanceFault(%v) = %v, want %v", tc.err, got, tc.fault)
		}
	}
}
