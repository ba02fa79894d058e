package cascade

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/neural"
	"github.com/qrcascade/qrcascade/internal/synth"
	"github.com/qrcascade/qrcascade/internal/vocab"
	"github.com/qrcascade/qrcascade/models"
)

// tinyModel is a small valid detector (random weights) from the neural
// package's fixtures: enough to exercise loading and the lifecycle.
func tinyModel(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../neural/testdata/tiny.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLazyModelLoadsOnceUnderConcurrency(t *testing.T) {
	b := tinyModel(t)
	var calls int
	var mu sync.Mutex
	l := NewLazyModel("nano", func() ([]byte, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		return b, nil
	}, 0, nil)
	defer l.Close()
	if l.Loaded() {
		t.Fatal("loaded before first use")
	}
	var wg sync.WaitGroup
	models := make([]*neural.Model, 16)
	for i := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := l.Get()
			if err != nil {
				t.Error(err)
			}
			models[i] = m
		}()
	}
	wg.Wait()
	if calls != 1 || l.Loads() != 1 || !l.Loaded() {
		t.Errorf("calls %d loads %d loaded %v", calls, l.Loads(), l.Loaded())
	}
	for _, m := range models[1:] {
		if m != models[0] {
			t.Fatal("different model instances")
		}
	}
}

func TestLazyModelIdleUnload(t *testing.T) {
	l := NewLazyModel("large", func() ([]byte, error) { return tinyModel(t), nil }, 30*time.Millisecond, nil)
	defer l.Close()
	if _, err := l.Get(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Loaded() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if l.Loaded() || l.Unloads() != 1 {
		t.Fatalf("loaded %v unloads %d after the idle TTL", l.Loaded(), l.Unloads())
	}
	if _, err := l.Get(); err != nil || l.Loads() != 2 {
		t.Fatalf("reload: err %v loads %d", err, l.Loads())
	}
}

func TestLazyModelBudgetAndErrors(t *testing.T) {
	refuse := NewLazyModel("large", func() ([]byte, error) { return tinyModel(t), nil }, 0,
		func(n int) error { return errors.New("too big") })
	if _, err := refuse.Get(); !errors.Is(err, ErrOverBudget) || refuse.Refusals() != 1 || refuse.Loaded() {
		t.Errorf("budget: err %v refusals %d", err, refuse.Refusals())
	}
	bad := NewLazyModel("nano", func() ([]byte, error) { return []byte("garbage"), nil }, 0, nil)
	if _, err := bad.Get(); err == nil {
		t.Error("garbage weights loaded")
	}
	closed := NewLazyModel("nano", func() ([]byte, error) { return tinyModel(t), nil }, 0, nil)
	closed.Close()
	if _, err := closed.Get(); err == nil {
		t.Error("Get after Close succeeded")
	}
}

func newTestCascade(t *testing.T, cfg Config) *Cascade {
	t.Helper()
	if cfg.Classic == nil {
		tier, err := classic.New(classic.Config{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Classic = tier
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDecodeCandidateRescuesBlurredCode: a small, blurred, tilted code that
// the whole-image classic pass misses is read from its (noisy) quad, as the
// detector would propose it, through quad sampling or the rectified crop.
func TestDecodeCandidateRescuesBlurredCode(t *testing.T) {
	c := newTestCascade(t, Config{})
	read, tried := 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		spec := synth.Spec{W: 1600, H: 1200, Background: synth.BackgroundPhoto, Blur: 1.2, Noise: 6, JPEGQuality: 70,
			Symbols: []synth.Symbol{{Code: synth.Code{Text: "https://example.com/inv/2026/0042"}, ModulePx: 2.6, Rotation: 0.4, Perspective: 0.15}}}
		scene, err := synth.Render(spec, seed)
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.cfg.Classic.Read(context.Background(), scene.Plane)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Codes) > 0 {
			continue // classic reads it: not a case for the neural path
		}
		tried++
		q := scene.Codes[0].Corners
		// The detector's corners are a few pixels off and start anywhere.
		noisy := geom.Quad{q[1].Add(geom.Point{X: 2, Y: -1}), q[2].Add(geom.Point{X: -1, Y: 2}), q[3].Add(geom.Point{X: 1, Y: 1}), q[0].Add(geom.Point{X: -2, Y: 0})}
		code, _, ok := c.decodeCandidate(context.Background(), scene.Plane, noisy)
		if ok {
			if code.Text != scene.Codes[0].Text {
				t.Fatalf("false read %q", code.Text)
			}
			if !code.Corners.Overlaps(q) {
				t.Errorf("corners %v do not overlap the truth %v", code.Corners, q)
			}
			read++
		}
	}
	if tried == 0 {
		t.Skip("classic read every scene: the case does not exercise the neural path")
	}
	if 2*read < tried {
		t.Errorf("read %d of %d candidates the classic tier missed, want at least half", read, tried)
	}
	t.Logf("read %d of %d candidates the classic tier missed", read, tried)
}

func TestRectifyMapsBack(t *testing.T) {
	spec := synth.Spec{W: 800, H: 600, Background: synth.BackgroundPlain,
		Symbols: []synth.Symbol{{Code: synth.Code{Text: "RECTIFY"}, ModulePx: 3, Center: geom.Point{X: 400, Y: 300}, Rotation: 0.7, Perspective: 0.2}}}
	scene, err := synth.Render(spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	q := scene.Codes[0].Corners
	rect, h, ok := rectify(scene.Plane, q)
	if !ok {
		t.Fatal("degenerate")
	}
	if rect.W < minRectSide || rect.W != rect.H {
		t.Errorf("rectified %dx%d", rect.W, rect.H)
	}
	m := float64(rect.W) / (1 + 2*rectMargin) * rectMargin
	back := h.Apply(geom.Point{X: m, Y: m})
	if back.Dist(q[0]) > 0.5 {
		t.Errorf("rectified corner maps to %v, want %v", back, q[0])
	}
	tier, _ := classic.New(classic.Config{Strategies: []string{classic.Raw}})
	out, _ := tier.Read(context.Background(), rect)
	if len(out.Codes) != 1 || out.Codes[0].Text != "RECTIFY" {
		t.Errorf("rectified code not read: %+v", out.Codes)
	}
	if _, _, ok := rectify(scene.Plane, geom.Quad{{X: 1, Y: 1}, {X: 2, Y: 2}, {X: 3, Y: 3}, {X: 4, Y: 4}}); ok {
		t.Error("degenerate quad rectified")
	}
}

func TestFallbackReason(t *testing.T) {
	c := newTestCascade(t, Config{})
	sq := func(side float64) geom.Quad {
		return geom.Quad{{X: 0, Y: 0}, {X: side, Y: 0}, {X: side, Y: side}, {X: 0, Y: side}}
	}
	read := []classic.Code{{Text: "x"}}
	tests := []struct {
		name  string
		dets  []neural.Detection
		codes []classic.Code
		want  vocab.Fallback
	}{
		{"nothing read, unsure detection", []neural.Detection{{Quad: sq(300), Score: 0.5}}, nil, vocab.FallbackNoRead},
		{"nothing detected", nil, nil, vocab.FallbackNoRead},
		{"confident detection not read", []neural.Detection{{Quad: sq(300), Score: 0.9}}, nil, vocab.FallbackNone},
		{"low confidence", []neural.Detection{{Quad: sq(300), Score: 0.5}}, read, vocab.FallbackLowConfidence},
		{"small code", []neural.Detection{{Quad: sq(300), Score: 0.9}, {Quad: sq(120), Score: 0.8}}, read, vocab.FallbackSmallCode},
		{"confident and big", []neural.Detection{{Quad: sq(300), Score: 0.9}}, read, vocab.FallbackNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.fallbackReason(tc.dets, tc.codes); got != tc.want {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewValidatesModes(t *testing.T) {
	tier, _ := classic.New(classic.Config{})
	nano := NewLazyModel("nano", func() ([]byte, error) { return nil, errors.New("unused") }, 0, nil)
	tests := []struct {
		cfg Config
		ok  bool
	}{
		{Config{Classic: tier}, true},
		{Config{}, false},
		{Config{Classic: tier, Mode: vocab.ModeNano}, false},
		{Config{Classic: tier, Mode: vocab.ModeNano, Nano: nano}, true},
		{Config{Classic: tier, Mode: vocab.ModeHybrid, Nano: nano}, false},
		{Config{Classic: tier, Mode: vocab.ModeLarge, Large: nano}, true},
		{Config{Classic: tier, Mode: "turbo"}, false},
	}
	for i, tc := range tests {
		if _, err := New(tc.cfg); (err == nil) != tc.ok {
			t.Errorf("case %d: err %v", i, err)
		}
	}
}

// TestNanoModeLoadError: a model that cannot load is no error: the run is
// listed as skipped, with its reason, and the classic tier's outcome is
// kept (memory budget and missing weights alike); hybrid mode still tries
// the large model after a skipped nano run.
func TestNanoModeLoadError(t *testing.T) {
	failing := NewLazyModel("nano", func() ([]byte, error) { return nil, errors.New("disk on fire") }, 0, nil)
	budget := func(int) error { return errors.New("1 byte left") }
	refused := NewLazyModel("nano", func() ([]byte, error) { return models.Load("nano") }, 0, budget)
	refusedLarge := NewLazyModel("large", func() ([]byte, error) { return models.Load("nano") }, 0, budget)
	clean := synth.CleanInvoice(1)
	damaged := synth.Damaged(1)
	tests := []struct {
		name      string
		cfg       Config
		scene     *synth.Scene
		wantCodes int
		wantSkips []string // model/reason
	}{
		{"classic read, nano not needed", Config{Mode: vocab.ModeNano, Nano: failing}, clean, 1, nil},
		{"nano needed, weights missing", Config{Mode: vocab.ModeNano, Nano: failing}, damaged, 0, []string{"nano/model_unavailable"}},
		{"nano needed, over budget", Config{Mode: vocab.ModeNano, Nano: refused}, damaged, 0, []string{"nano/memory_budget"}},
		{"after read, over budget: classic code kept", Config{Mode: vocab.ModeNano, Nano: refused, AfterRead: vocab.AfterReadAlways}, clean, 1, []string{"nano/memory_budget"}},
		{"hybrid, both over budget", Config{Mode: vocab.ModeHybrid, Nano: refused, Large: refusedLarge}, damaged, 0, []string{"nano/memory_budget", "large/memory_budget"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCascade(t, tc.cfg)
			out, err := c.Read(context.Background(), tc.scene.Plane)
			if err != nil {
				t.Fatalf("err %v, want a partial outcome", err)
			}
			if len(out.Codes) < tc.wantCodes {
				t.Errorf("codes %d, want at least %d", len(out.Codes), tc.wantCodes)
			}
			var skips []string
			for _, s := range out.Skipped {
				if s.Tier != "neural" || s.Err == nil {
					t.Errorf("skip %+v: want tier neural and the load error", s)
				}
				skips = append(skips, string(s.Model)+"/"+s.Reason)
			}
			if fmt.Sprint(skips) != fmt.Sprint(tc.wantSkips) {
				t.Errorf("skipped %v, want %v", skips, tc.wantSkips)
			}
		})
	}
}
