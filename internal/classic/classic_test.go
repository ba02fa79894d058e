package classic

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/qr"
	"github.com/qrcascade/qrcascade/internal/synth"
)

func render(t testing.TB, spec synth.Spec, seed uint64) *synth.Scene {
	t.Helper()
	s, err := synth.Render(spec, seed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// plainSpec is one code on a plain page.
func plainSpec(text string, modulePx float64, mod func(*synth.Symbol)) synth.Spec {
	sym := synth.Symbol{Code: synth.Code{Text: text}, ModulePx: modulePx, Center: geom.Point{X: 300, Y: 300}}
	if mod != nil {
		mod(&sym)
	}
	return synth.Spec{W: 600, H: 600, Background: synth.BackgroundPlain, Symbols: []synth.Symbol{sym}}
}

func readWith(t *testing.T, strategies []string, p *gray.Plane) Outcome {
	t.Helper()
	tier, err := New(Config{Strategies: strategies})
	if err != nil {
		t.Fatal(err)
	}
	out, err := tier.Read(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cornerErr is the largest distance between matching corners, allowing the
// four cyclic orders.
func cornerErr(a, b geom.Quad) float64 {
	best := 1e18
	for s := 0; s < 4; s++ {
		m := 0.0
		for i := 0; i < 4; i++ {
			m = max(m, a[i].Dist(b[(i+s)%4]))
		}
		best = min(best, m)
	}
	return best
}

func TestStrategiesOnTheirCase(t *testing.T) {
	// Each strategy must read the case it exists for, where raw alone fails.
	tests := []struct {
		name     string
		strategy string
		spec     synth.Spec
	}{
		{"invert reads light-on-dark", Invert, plainSpec("INVERTED 123", 6, func(s *synth.Symbol) { s.Invert = true })},
		{"upscale reads 1.5 px modules", Upscale, synth.Spec{W: 240, H: 240, Background: synth.BackgroundPlain,
			Symbols: []synth.Symbol{{Code: synth.Code{Text: "https://example.com/tiny?id=42"}, ModulePx: 1.5, Center: geom.Point{X: 120, Y: 120}, Rotation: 0.2}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scene := render(t, tc.spec, 7)
			if out := readWith(t, []string{Raw}, scene.Plane); len(out.Codes) != 0 {
				t.Fatalf("raw alone already reads it (%q): the case does not test the strategy", out.Codes[0].Text)
			}
			out := readWith(t, []string{Raw, tc.strategy}, scene.Plane)
			if len(out.Codes) != 1 || out.Codes[0].Text != scene.Codes[0].Text {
				t.Fatalf("with %s: got %+v, want %q", tc.strategy, out.Codes, scene.Codes[0].Text)
			}
			if out.Codes[0].Strategy != tc.strategy {
				t.Errorf("strategy = %q, want %q", out.Codes[0].Strategy, tc.strategy)
			}
		})
	}
}

func TestEveryStrategyReadsACleanCode(t *testing.T) {
	// A clean, mid-sized code must survive every preprocessing; corners are
	// mapped back to input pixels (within 2 modules, gozxing extrapolates
	// them from finder centres).
	scene := render(t, plainSpec("HELLO WORLD 0123456789", 5, nil), 3)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			tier, err := New(Config{Strategies: []string{name}})
			if err != nil {
				t.Fatal(err)
			}
			out, err := tier.Read(context.Background(), scene.Plane)
			if err != nil {
				t.Fatal(err)
			}
			if name == Invert || name == Downscale {
				// invert turns the code light-on-dark; downscale does not
				// apply to a 600 px image.
				if name == Downscale && (len(out.Attempts) != 1 || !out.Attempts[0].Skipped) {
					t.Errorf("downscale on 600 px: attempts %+v, want one skipped", out.Attempts)
				}
				return
			}
			if len(out.Codes) != 1 || out.Codes[0].Text != scene.Codes[0].Text {
				t.Fatalf("got %+v", out.Codes)
			}
			c := out.Codes[0]
			if e := cornerErr(c.Corners, scene.Codes[0].Corners); e > 2*scene.Codes[0].ModulePx {
				t.Errorf("corner error %.1f px; got %v want %v", e, c.Corners, scene.Codes[0].Corners)
			}
			if c.Version != scene.Codes[0].Version || c.ECLevel != scene.Codes[0].ECLevel {
				t.Errorf("version/EC = %d/%s, want %d/%s", c.Version, c.ECLevel, scene.Codes[0].Version, scene.Codes[0].ECLevel)
			}
		})
	}
}

func TestDownscaleMapsCornersBack(t *testing.T) {
	spec := synth.Spec{W: 2400, H: 1800, Background: synth.BackgroundPlain,
		Symbols: []synth.Symbol{{Code: synth.Code{Text: "BIG PHOTO"}, ModulePx: 12, Center: geom.Point{X: 1500, Y: 700}, Rotation: 0.3}}}
	scene := render(t, spec, 5)
	out := readWith(t, []string{Downscale}, scene.Plane)
	if len(out.Codes) != 1 {
		t.Fatalf("got %+v", out.Codes)
	}
	if e := cornerErr(out.Codes[0].Corners, scene.Codes[0].Corners); e > 2*12 {
		t.Errorf("corner error %.1f px", e)
	}
}

func TestStopPolicies(t *testing.T) {
	scene := render(t, plainSpec("STOP POLICY", 5, nil), 9)
	first := readWith(t, []string{Raw, Eq, Otsu}, scene.Plane)
	if len(first.Attempts) != 1 || len(first.Codes) != 1 {
		t.Errorf("StopFirst: attempts %d codes %d, want 1 and 1", len(first.Attempts), len(first.Codes))
	}
	tier, _ := New(Config{Strategies: []string{Raw, Eq, Otsu}, Stop: StopAll})
	all, err := tier.Read(context.Background(), scene.Plane)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Attempts) != 3 || len(all.Codes) != 1 {
		t.Errorf("StopAll: attempts %d codes %d, want 3 and 1 (deduplicated)", len(all.Attempts), len(all.Codes))
	}
	st := tier.Stats()
	for _, s := range st {
		if s.Attempts != 1 || s.Wins != 1 {
			t.Errorf("stats %+v, want 1 attempt and 1 win", s)
		}
	}
}

func TestMultipleCodes(t *testing.T) {
	spec := synth.Spec{W: 1000, H: 500, Background: synth.BackgroundPlain, Symbols: []synth.Symbol{
		{Code: synth.Code{Text: "LEFT"}, ModulePx: 6, Center: geom.Point{X: 250, Y: 250}},
		{Code: synth.Code{Text: "RIGHT"}, ModulePx: 6, Center: geom.Point{X: 750, Y: 250}, Rotation: 0.5},
	}}
	scene := render(t, spec, 11)
	out := readWith(t, nil, scene.Plane)
	got := map[string]bool{}
	for _, c := range out.Codes {
		got[c.Text] = true
	}
	if len(out.Codes) != 2 || !got["LEFT"] || !got["RIGHT"] {
		t.Errorf("got %+v", out.Codes)
	}
}

func TestDeadline(t *testing.T) {
	scene := render(t, plainSpec("X", 5, nil), 1)
	tier, _ := New(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tier.Read(ctx, scene.Plane)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	if _, err := tier.Read(ctx2, scene.Plane); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}

func TestNewErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"unknown strategy": {Strategies: []string{"nope"}},
		"duplicate":        {Strategies: []string{Raw, Raw}},
		"bad stop":         {Stop: StopPolicy(9)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg); err == nil {
				t.Error("want an error")
			}
		})
	}
	tier, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tier.Strategies(); len(got) != len(DefaultOrder()) {
		t.Errorf("default strategies = %v", got)
	}
}

func TestVersionFromDataCodewords(t *testing.T) {
	tests := []struct {
		n    int
		ec   string
		want int
	}{
		{19, "L", 1}, {16, "M", 1}, {13, "Q", 1}, {9, "H", 1},
		{34, "L", 2}, {2956, "L", 40}, {1276, "H", 40}, {17, "M", 0},
	}
	for _, tc := range tests {
		if got := versionFromDataCodewords(tc.n, tc.ec); got != tc.want {
			t.Errorf("versionFromDataCodewords(%d, %s) = %d, want %d", tc.n, tc.ec, got, tc.want)
		}
	}
}

func TestTinyAndEmptyPlanes(t *testing.T) {
	for _, p := range []*gray.Plane{gray.New(0, 0), gray.New(1, 1), gray.New(20, 500)} {
		out := readWith(t, nil, p)
		if len(out.Codes) != 0 {
			t.Errorf("%dx%d: got codes %+v", p.W, p.H, out.Codes)
		}
	}
}

func BenchmarkReadCleanInvoice(b *testing.B) {
	scene := synth.CleanInvoice(1)
	tier, _ := New(Config{})
	b.ReportAllocs()
	for b.Loop() {
		out, _ := tier.Read(context.Background(), scene.Plane)
		if len(out.Codes) == 0 {
			b.Fatal("no code")
		}
	}
}

func TestBinaryText(t *testing.T) {
	tests := []struct {
		name, text string
		b          []byte
		want       string
	}{
		{"valid utf-8 kept", "héllo", []byte("héllo"), "héllo"},
		{"binary to latin-1", "\x01R\uFFFD\uFFFD", []byte{1, 'R', 0xc5, 0xe9}, "\x01RÅé"},
		{"byte segment alone kept", "123\uFFFD", []byte{0xc5}, "123\uFFFD"},
		{"mixed modes, whole payload", "123\uFFFD", []byte{'1', '2', '3', 0xc5}, "123Å"},
		{"sjis kept", "テスト", []byte{0x83, 0x65, 0x83, 0x58, 0x83, 0x67}, "テスト"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := binaryText(tc.text, tc.b); got != tc.want {
				t.Errorf("binaryText = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFromSymbol: a symbol of our locator becomes a Code with every field
// carried over and a binary byte-mode payload's text as ISO-8859-1.
func TestFromSymbol(t *testing.T) {
	corners := geom.Quad{{X: 1, Y: 2}, {X: 30, Y: 2}, {X: 30, Y: 31}, {X: 1, Y: 31}}
	tests := []struct {
		name     string
		sym      qr.Symbol
		wantText string
	}{
		{"text", qr.Symbol{Text: "héllo", Bytes: []byte("héllo")}, "héllo"},
		{"binary", qr.Symbol{Text: "\x01R\uFFFD\uFFFD", Bytes: []byte{1, 'R', 0xc5, 0xe9}}, "\x01RÅé"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.sym
			s.Corners, s.Version, s.ECLevel, s.Mirrored, s.Inverted, s.ErrorsCorrected = corners, 3, "Q", true, true, 4
			c := FromSymbol(s, "locator")
			if c.Text != tc.wantText || string(c.Bytes) != string(s.Bytes) {
				t.Errorf("text %q bytes %q, want %q %q", c.Text, c.Bytes, tc.wantText, s.Bytes)
			}
			if c.Corners != corners || c.Version != 3 || c.ECLevel != "Q" || !c.Mirrored || !c.Inverted || c.Errors != 4 || c.Engine != "locator" {
				t.Errorf("fields not carried over: %+v", c)
			}
		})
	}
}

// TestCodeFromResultPayload checks that a gozxing read carries the whole
// payload in Bytes: a byte segment followed by a numeric one (an URL
// ending in digits), where gozxing's byte segments hold only the first.
func TestCodeFromResultPayload(t *testing.T) {
	// version 1-L: 19 data codewords; byte "m=" (2), numeric "88",
	// terminator, then pad codewords
	data := []byte{0x40, 0x26, 0xD3, 0xD1, 0x00, 0xAC, 0x00}
	for len(data) < 19 {
		data = append(data, 0xEC, 0x11)
	}
	data = data[:19]
	r := gozxing.NewResult("m=88", data, nil, gozxing.BarcodeFormat_QR_CODE)
	r.PutMetadata(gozxing.ResultMetadataType_BYTE_SEGMENTS, [][]byte{[]byte("m=")})
	r.PutMetadata(gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL, "L")
	c := codeFromResult(r)
	if c.Version != 1 {
		t.Errorf("version %d, want 1", c.Version)
	}
	if string(c.Bytes) != "m=88" || c.Text != "m=88" {
		t.Errorf("bytes %q, text %q, want \"m=88\" for both", c.Bytes, c.Text)
	}
}
