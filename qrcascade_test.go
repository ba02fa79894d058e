package qrcascade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/qrcascade/qrcascade/internal/cputime/cputimetest"
	"image"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/imgio"
	"github.com/qrcascade/qrcascade/internal/synth"
	"github.com/qrcascade/qrcascade/models"
)

func newReader(t testing.TB, o Options) *Reader {
	t.Helper()
	r, err := NewReader(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func jpegOf(t testing.TB, s *synth.Scene) []byte {
	t.Helper()
	b, err := synth.EncodeJPEG(s.Plane, 90)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadScenarios(t *testing.T) {
	r := newReader(t, Options{Mode: ModeClassic})
	for _, sc := range synth.Scenarios() {
		for seed := uint64(1); seed <= 2; seed++ {
			scene, err := synth.Render(sc.Spec(seed), seed)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(sc.Name, func(t *testing.T) {
				res, err := r.Read(context.Background(), jpegOf(t, scene))
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]bool{}
				for _, c := range scene.Codes {
					if c.Readable {
						want[c.Text] = true
					}
				}
				got := map[string]bool{}
				for _, c := range res.Codes {
					got[c.Text] = true
					if !want[c.Text] {
						t.Errorf("false read %q", c.Text)
					}
				}
				for w := range want {
					if !got[w] {
						t.Errorf("missed %q", w)
					}
				}
				if res.Image.Format != "jpeg" || res.Image.Width != scene.Plane.W || res.Image.Height != scene.Plane.H {
					t.Errorf("image info %+v", res.Image)
				}
				if len(want) == 0 && res.Success() {
					t.Errorf("damaged scene read: %+v", res.Codes)
				}
				if res.Model != "classic" || res.Timings.Total <= 0 || len(res.Attempts) == 0 {
					t.Errorf("result metadata: model %q timings %+v attempts %d", res.Model, res.Timings, len(res.Attempts))
				}
			})
		}
	}
}

func TestBundledSample(t *testing.T) {
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/invoice.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := newReader(t, Options{Mode: ModeClassic}).Read(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text() != string(want) || !bytes.Equal(res.Codes[0].Bytes, want) {
		t.Fatalf("text %q, want %q", res.Text(), want)
	}
	c := res.Codes[0]
	if c.Tier != TierClassic || c.Strategy == "" || c.Version < 1 || c.ECLevel == "" || c.Confidence != 1 {
		t.Errorf("code metadata %+v", c)
	}
}

func TestReadBadInput(t *testing.T) {
	scene := synth.CleanInvoice(1)
	good := jpegOf(t, scene)
	r := newReader(t, Options{Mode: ModeClassic})
	small := newReader(t, Options{Mode: ModeClassic, MaxBytes: 1000, MaxPixels: 1000})
	var fe *FormatError
	var ue *UnsupportedError
	var le *LimitError
	tests := []struct {
		name  string
		r     *Reader
		data  []byte
		check func(error) bool
	}{
		{"empty", r, nil, func(err error) bool { return errors.Is(err, ErrEmpty) }},
		{"garbage", r, []byte("this is not an image at all"), func(err error) bool { return errors.As(err, &ue) }},
		{"truncated jpeg", r, good[:len(good)/3], func(err error) bool { return errors.As(err, &fe) }},
		{"too many bytes", small, good, func(err error) bool { return errors.As(err, &le) && le.What == "bytes" }},
		// the size is checked before the format
		{"too many bytes of garbage", small, bytes.Repeat([]byte("not an image "), 100), func(err error) bool { return errors.As(err, &le) && le.What == "bytes" }},
		{"too many pixels", newReader(t, Options{Mode: ModeClassic, MaxPixels: 1000}), good, func(err error) bool { return errors.As(err, &le) && le.What == "pixels" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.r.Read(context.Background(), tc.data)
			if err == nil || !tc.check(err) {
				t.Fatalf("err = %v (%T)", err, err)
			}
			if res != nil {
				t.Errorf("result %+v with an input error", res)
			}
		})
	}
}

// availability is nil when every named model is embedded (or, for large,
// stood in for by nano unless noStandIn), else ErrModeUnavailable: what
// NewReader must answer for a mode needing them.
func availability(noStandIn bool, names ...Model) error {
	for _, n := range names {
		ok := models.Available(string(n))
		if n == ModelLarge && !noStandIn {
			ok = ok || models.Available(string(ModelNano))
		}
		if !ok {
			return ErrModeUnavailable
		}
	}
	return nil
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		o    Options
		want error
	}{
		{Options{}, availability(false, ModelNano)}, // the zero value is nano mode,
		{Options{Mode: ModeClassic}, nil},
		{Options{Mode: ModeNano}, availability(false, ModelNano)},
		{Options{Mode: ModeHybrid}, availability(false, ModelNano, ModelLarge)},
		{Options{Mode: ModeLarge}, availability(false, ModelLarge)},
		{Options{Mode: ModeLarge, Models: NewModels(ModelOptions{NoLargeStandIn: true})}, availability(true, ModelLarge)},
		{Options{Mode: "turbo"}, errors.New("any")},
		{Options{Timeout: -1}, errors.New("any")},
		{Options{AfterRead: "sometimes"}, errors.New("any")},
	}
	for _, tc := range tests {
		_, err := NewReader(tc.o)
		switch {
		case tc.want == nil && err != nil:
			t.Errorf("%+v: unexpected error %v", tc.o, err)
		case tc.want != nil && err == nil:
			t.Errorf("%+v: want an error", tc.o)
		case tc.want == ErrModeUnavailable && !errors.Is(err, ErrModeUnavailable):
			t.Errorf("%+v: err %v, want ErrModeUnavailable", tc.o, err)
		}
	}
	if _, err := NewReader(Options{Strategies: []Strategy{"raw", "bogus"}}); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func TestReadImageSubImage(t *testing.T) {
	scene := synth.CleanInvoice(3)
	p := scene.Plane
	img := &image.Gray{Pix: p.Pix, Stride: p.Stride, Rect: image.Rect(0, 0, p.W, p.H)}
	q := scene.Codes[0].Corners
	minX, minY, maxX, maxY := q.Bounds()
	// A sub-image around the code: coordinates stay those of the parent.
	sub := img.SubImage(image.Rect(int(minX)-40, int(minY)-40, int(maxX)+40, int(maxY)+40)).(*image.Gray)
	res, err := newReader(t, Options{Mode: ModeClassic}).ReadImage(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	if res.Text() != scene.Codes[0].Text {
		t.Fatalf("text %q, want %q", res.Text(), scene.Codes[0].Text)
	}
	// Points are relative to the sub-image's origin.
	pt := res.Codes[0].Points[0]
	ox, oy := float64(sub.Rect.Min.X), float64(sub.Rect.Min.Y)
	if pt[0] < 0 || pt[1] < 0 || pt[0] > maxX-ox+10 || pt[1] > maxY-oy+10 {
		t.Errorf("point %v outside the sub-image frame", pt)
	}
}

func TestReadDeadline(t *testing.T) {
	data := jpegOf(t, synth.Damaged(1))
	r := newReader(t, Options{Mode: ModeClassic, Timeout: time.Nanosecond})
	res, err := r.Read(context.Background(), data)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if res != nil && res.Success() {
		t.Errorf("codes after deadline: %+v", res.Codes)
	}
}

func TestConcurrentReads(t *testing.T) {
	r := newReader(t, Options{Mode: ModeClassic})
	scene := synth.CleanInvoice(5)
	data := jpegOf(t, scene)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := r.Read(context.Background(), data)
			if err != nil {
				errs <- err
				return
			}
			if res.Text() != scene.Codes[0].Text {
				errs <- errors.New("wrong text " + res.Text())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var attempts uint64
	for _, s := range r.StrategyStats() {
		attempts += s.Attempts
	}
	if attempts < 8 {
		t.Errorf("strategy attempts %d after 8 reads", attempts)
	}
}

// TestReusedPlaneBuffer: one Reader lends the same decoded-plane buffer
// from read to read (planes.go); whatever the earlier images left in it,
// each read gives what a fresh Reader gives: small after big, a page
// without code after pages with codes, big again.
func TestReusedPlaneBuffer(t *testing.T) {
	var files [][]byte
	for _, sc := range synth.Scenarios() {
		scene, err := synth.Render(sc.Spec(3), 3)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, jpegOf(t, scene))
	}
	small, err := synth.Render(synth.Spec{W: 320, H: 240, Symbols: []synth.Symbol{{Code: synth.Code{Text: "small after big"}}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, jpegOf(t, small), files[0])
	shared := newReader(t, Options{Mode: ModeClassic})
	for i, data := range files {
		got, err := shared.Read(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := newReader(t, Options{Mode: ModeClassic}).Read(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.Codes) != fmt.Sprint(want.Codes) || got.Image != want.Image {
			t.Errorf("file %d: shared Reader %v %+v, fresh Reader %v %+v", i, got.Codes, got.Image, want.Codes, want.Image)
		}
	}
}

// BenchmarkReadCleanInvoiceJPEG is the whole Read (JPEG decoding
// included) of the bundled 2 MP invoice: target p50 ≤ 25 ms.
func BenchmarkReadCleanInvoiceJPEG(b *testing.B) {
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		b.Fatal(err)
	}
	r := newReader(b, Options{Mode: ModeClassic})
	b.SetBytes(int64(len(data)))
	cputimetest.Loop(b, time.Millisecond, func() {
		res, err := r.Read(context.Background(), data)
		if err != nil || !res.Success() {
			b.Fatal("no read", err)
		}
	})
}

// BenchmarkClassicCleanInvoice is the classic tier alone (after image
// decoding) on the bundled 2 MP invoice: target ≤ 8 ms.
func BenchmarkClassicCleanInvoice(b *testing.B) {
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		b.Fatal(err)
	}
	p, _, err := imgio.Decode(data, imgio.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	img := &image.Gray{Pix: p.Pix, Stride: p.Stride, Rect: image.Rect(0, 0, p.W, p.H)}
	r := newReader(b, Options{Mode: ModeClassic})
	cputimetest.Loop(b, time.Millisecond, func() {
		if res, err := r.ReadImage(context.Background(), img); err != nil || !res.Success() {
			b.Fatal("no read", err)
		}
	})
}

// BenchmarkReadNoCode12MP is a 12 MP photo-like JPEG without a code: the
// time to give up (target ≤ 300 ms).
func BenchmarkReadNoCode12MP(b *testing.B) {
	s, err := synth.Render(synth.Spec{W: 4000, H: 3000, Background: synth.BackgroundPhoto, Noise: 4}, 1)
	if err != nil {
		b.Fatal(err)
	}
	data := jpegOf(b, s)
	r := newReader(b, Options{Mode: ModeClassic})
	cputimetest.Loop(b, time.Millisecond, func() {
		if res, err := r.Read(context.Background(), data); err != nil || res.Success() {
			b.Fatal("unexpected", err)
		}
	})
}

// TestLargeStandIn: without an embedded large model the nano weights stand
// in for it (and say so), unless the options refuse the stand-in.
func TestLargeStandIn(t *testing.T) {
	if !models.Available(string(ModelNano)) {
		t.Skip("no nano model in this build")
	}
	m := NewModels(ModelOptions{})
	defer m.Close()
	if got, want := m.LargeIsStandIn(), !models.Available(string(ModelLarge)); got != want {
		t.Errorf("LargeIsStandIn %v, want %v", got, want)
	}
	if !m.Available(ModelLarge) {
		t.Error("large not available although nano can stand in")
	}
	off := NewModels(ModelOptions{NoLargeStandIn: true})
	defer off.Close()
	if off.LargeIsStandIn() || off.Available(ModelLarge) != models.Available(string(ModelLarge)) {
		t.Errorf("NoLargeStandIn: stand-in %v, available %v", off.LargeIsStandIn(), off.Available(ModelLarge))
	}
}

// TestMemoryBudgetPartialResult: a model refused by the memory budget is
// no error (#17): the classic tier's codes come back, with the skipped run
// and its reason, and the load error kept for logs only.
func TestMemoryBudgetPartialResult(t *testing.T) {
	if !models.Available(string(ModelNano)) {
		t.Skip("no nano model in this build")
	}
	m := NewModels(ModelOptions{MemoryBudget: 1_000_000})
	defer m.Close()
	r, err := NewReader(Options{Mode: ModeNano, AfterRead: "always", Models: m})
	if err != nil {
		t.Fatal(err)
	}
	scene := synth.CleanInvoice(1)
	data, err := synth.EncodeJPEG(scene.Plane, 90)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Read(context.Background(), data)
	if err != nil {
		t.Fatalf("Read: %v, want a partial result", err)
	}
	if res.Text() != scene.Codes[0].Text {
		t.Errorf("text %q, want the classic read %q", res.Text(), scene.Codes[0].Text)
	}
	if !res.Partial() || len(res.Skipped) != 1 {
		t.Fatalf("skipped %+v, want one skipped nano run", res.Skipped)
	}
	if s := res.Skipped[0]; s.Tier != TierNeural || s.Model != ModelNano || s.Reason != SkipMemoryBudget || s.Err == nil {
		t.Errorf("skipped %+v, want neural/nano/memory_budget with its error", s)
	}
}
