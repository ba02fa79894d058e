// Package corpustest locates the shared QR corpus (../shared/corpus beside
// the module root) for tests. It is imported by test files only; a test
// that needs the corpus skips cleanly where it is absent (a fresh clone
// has no ../shared).
package corpustest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the corpus directory, ../shared/corpus relative to the root
// of the module containing the working directory, or skips tb when the
// module root or the corpus is not found.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Skip(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("module root not found")
		}
		dir = parent
	}
	c := filepath.Join(dir, "..", "shared", "corpus")
	if fi, err := os.Stat(c); err != nil || !fi.IsDir() {
		tb.Skipf("corpus %s absent", c)
	}
	return c
}
