package jpegluma

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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

// corpusJPEGs lists the files of the shared corpus that start with the SOI
// marker, or skips when the corpus is absent.
func corpusJPEGs(tb testing.TB) []string {
	tb.Helper()
	root := corpusDir(tb)
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var magic [2]byte
		if n, _ := f.Read(magic[:]); n == 2 && magic == [2]byte{0xff, 0xd8} {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// TestCorpus decodes every JPEG of the shared corpus (any file starting with
// the SOI marker) with Decode and image/jpeg: the luma planes must be
// identical, or Decode must report ErrUnsupported (counted by reason) or
// fail exactly when image/jpeg fails.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	root := corpusDir(t)
	files := corpusJPEGs(t)
	compared, bothFail, progressive := 0, 0, 0
	fallback := map[string]int{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		got, err := Decode(data, nil)
		want, ok, werr := stdLuma(data)
		switch {
		case errors.Is(err, ErrUnsupported):
			reason := strings.TrimSuffix(strings.TrimPrefix(err.Error(), "jpegluma: "), ": "+ErrUnsupported.Error())
			fallback[reason]++
			continue
		case err != nil && werr != nil:
			bothFail++
			continue
		case err != nil:
			t.Errorf("%s: %v; image/jpeg decodes it", rel, err)
			continue
		case werr != nil || !ok:
			t.Errorf("%s: decoded; image/jpeg: %v (luma plane %v)", rel, werr, ok)
			continue
		}
		if d, x, y := maxDiff(got, want); d != 0 {
			t.Errorf("%s: differs from image/jpeg by %d at (%d,%d)", rel, d, x, y)
		}
		compared++
		if isProgressive(data) {
			progressive++
		}
	}
	var reasons []string
	for r, n := range fallback {
		reasons = append(reasons, r+": "+strconv.Itoa(n))
	}
	sort.Strings(reasons)
	t.Logf("%d JPEG files: %d identical to image/jpeg (%d of them progressive), %d refused by both, %d unsupported (%s)",
		len(files), compared, progressive, bothFail, len(files)-compared-bothFail, strings.Join(reasons, "; "))
	if len(files) > 0 && compared == 0 {
		t.Error("no corpus file was compared")
	}
}
