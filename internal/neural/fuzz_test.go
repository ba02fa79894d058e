package neural

import (
	"context"
	"os"
	"testing"
)

// FuzzLoad checks that Load never panics on corrupt weights files and that a
// model it accepts runs on a small input.
func FuzzLoad(f *testing.F) {
	b, err := os.ReadFile("testdata/tiny.safetensors")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:100])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if err != nil {
			return
		}
		if m.Info().InputSize <= 0 {
			t.Fatalf("accepted model with input size %d", m.Info().InputSize)
		}
		if _, err := m.forwardInput(context.Background(), make([]float32, 32*64), 32, 64); err != nil {
			t.Fatal(err)
		}
	})
}
