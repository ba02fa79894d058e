package corpustest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDir: where the corpus is present, Dir names a directory holding the
// sets' manifests; elsewhere it skips (never fails).
func TestDir(t *testing.T) {
	d := Dir(t)
	if _, err := os.Stat(filepath.Join(d, "README.md")); err != nil {
		t.Errorf("corpus %s without its README.md: %v", d, err)
	}
}
