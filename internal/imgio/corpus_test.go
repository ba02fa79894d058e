package imgio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qrcascade/qrcascade/internal/corpustest"
)

// corpusDir returns the shared corpus, or skips the test when it is
// absent (corpustest.Dir).
func corpusDir(t testing.TB) string {
	t.Helper()
	return corpustest.Dir(t)
}

// corpusFiles lists the files of the shared corpus (of sets, when named)
// whose extension is ext, in any case; it skips the test or benchmark when
// there are none.
func corpusFiles(tb testing.TB, ext string, sets ...string) []string {
	tb.Helper()
	root := corpusDir(tb)
	if len(sets) == 0 {
		sets = []string{""}
	}
	var files []string
	for _, set := range sets {
		err := filepath.WalkDir(filepath.Join(root, set), func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(path), ext) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if len(files) == 0 {
		tb.Skipf("no %s files in the corpus", ext)
	}
	return files
}

// TestCorpusWebP decodes every WebP file of the zxing-cpp sets (simple VP8,
// VP8L and extended VP8X): each must decode to a plane of the size its header
// announces, or fail with a typed error; malformed-looking failures are
// errors of this package or of x/image and fail the test.
func TestCorpusWebP(t *testing.T) {
	root := corpusDir(t)
	files := corpusFiles(t, ".webp", "zxing-cpp", "zxing-cpp-negatives")
	kinds := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		kind := "?"
		if len(data) >= 16 {
			kind = string(data[12:16])
		}
		rel, _ := filepath.Rel(root, f)
		info, err := DecodeConfig(data)
		if err != nil {
			t.Errorf("%s (%s): DecodeConfig: %v", rel, kind, err)
			continue
		}
		p, dinfo, err := Decode(data, Limits{})
		if err != nil {
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				kinds[kind+" unsupported"]++
				t.Logf("%s (%s): %v", rel, kind, err)
				continue
			}
			t.Errorf("%s (%s): Decode: %v", rel, kind, err)
			continue
		}
		kinds[kind]++
		if dinfo != info || p.W != info.Width || p.H != info.Height || dinfo.Format != FormatWebP {
			t.Errorf("%s: Decode info %+v plane %dx%d, DecodeConfig %+v", rel, dinfo, p.W, p.H, info)
		}
	}
	t.Logf("%d webp files: %v", len(files), kinds)
}
