package imgio

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/qrcascade/qrcascade/internal/hostile"
)

var genTestdata = flag.Bool("gen", false, "regenerate testdata/ (needs cwebp and img2webp from Debian's webp package)")

// TestGenerateTestdata regenerates the committed test files when run with
// -gen:
//
//	go test ./internal/imgio -run TestGenerateTestdata -gen
//
// It writes testdata/pattern.png and pattern-opaque.png, makes the WebP
// files from them with cwebp and img2webp, and writes the FuzzDecode seed
// corpus from sampleFiles. Without -gen it is skipped.
func TestGenerateTestdata(t *testing.T) {
	if !*genTestdata {
		t.Skip("run with -gen to regenerate testdata")
	}
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	td := "testdata"
	write(filepath.Join(td, "pattern.png"), encodePNG(t, patternNRGBA(64, 48, false)))
	write(filepath.Join(td, "pattern-opaque.png"), encodePNG(t, patternNRGBA(64, 48, true)))
	run("cwebp", "-quiet", "-lossless", "-exact", filepath.Join(td, "pattern.png"), "-o", filepath.Join(td, "lossless.webp"))
	run("cwebp", "-quiet", "-q", "90", filepath.Join(td, "pattern-opaque.png"), "-o", filepath.Join(td, "lossy.webp"))
	run("cwebp", "-quiet", "-q", "90", filepath.Join(td, "pattern.png"), "-o", filepath.Join(td, "lossy-alpha.webp"))
	run("img2webp", "-loop", "0", "-lossy", filepath.Join(td, "pattern-opaque.png"), filepath.Join(td, "pattern.png"),
		"-o", filepath.Join(td, "animated.webp"))

	seeds := sampleFiles(t)
	anim, err := os.ReadFile(filepath.Join(td, "animated.webp"))
	if err != nil {
		t.Fatal(err)
	}
	seeds = append(seeds, sample{"webp-animated", FormatWebP, anim})
	for _, s := range seeds {
		write(filepath.Join(td, "fuzz", "FuzzDecode", s.name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", s.data))
	}
}

// TestGenerateBombSeeds writes small hostile inputs (internal/hostile) into
// the seed corpora of FuzzDecode and FuzzDecodePages when run with -gen:
//
//	go test ./internal/imgio -run TestGenerateBombSeeds -gen
//
// Square bombs at 64×64 and strips of 4000×1 exercise the decoders; the
// header-only ones at 7000×7000 (a few dozen bytes each) the refusals.
func TestGenerateBombSeeds(t *testing.T) {
	if !*genTestdata {
		t.Skip("run with -gen to regenerate testdata")
	}
	bombs := hostile.All(64, 4000)
	bombs = append(bombs,
		hostile.Bomb{Name: "webp-lossless-7000", Data: hostile.WebPLossless(7000, 7000)},
		hostile.Bomb{Name: "bmp-header-only-7000", Data: hostile.BMPHeader(7000, 7000)},
		hostile.Bomb{Name: "gif-20-frames-7000", Data: hostile.GIF(7000, 7000, 20)},
	)
	for _, target := range []string{"FuzzDecode", "FuzzDecodePages"} {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, b := range bombs {
			if len(b.Data) > 16<<10 {
				continue // a seed is mutated whole: keep them small
			}
			data := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b.Data)
			if err := os.WriteFile(filepath.Join(dir, "bomb-"+b.Name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
