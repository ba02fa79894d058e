package neural

import (
	"context"
	"math"
	"os"
	"testing"
)

// TestParityWithPyTorch runs the tiny fixture model (written by
// training/make_fixture.py, random weights and batch-norm statistics, folded
// on export) on the fixture input and compares every output value with
// PyTorch's.
func TestParityWithPyTorch(t *testing.T) {
	mb, err := os.ReadFile("testdata/tiny.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(mb)
	if err != nil {
		t.Fatal(err)
	}
	iob, err := os.ReadFile("testdata/tiny_io.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	io, err := parseSafetensors(iob)
	if err != nil {
		t.Fatal(err)
	}
	in, want := io.tensors["input"], io.tensors["head"]
	h, w := in.shape[2], in.shape[3]
	got, err := m.forwardInput(context.Background(), in.data, h, w)
	if err != nil {
		t.Fatal(err)
	}
	if got.c != want.shape[1] || got.h != want.shape[2] || got.w != want.shape[3] {
		t.Fatalf("head shape %d×%d×%d, want %v", got.c, got.h, got.w, want.shape)
	}
	var maxDiff, spread float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range want.data {
		maxDiff = math.Max(maxDiff, math.Abs(float64(got.data[i]-v)))
		lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
	}
	spread = hi - lo
	t.Logf("max |go - torch| = %.3g over %d values (output range %.3g)", maxDiff, len(want.data), spread)
	if maxDiff > 1e-4 {
		t.Errorf("max difference %.3g exceeds 1e-4", maxDiff)
	}
	if spread < 0.1 {
		t.Errorf("fixture output nearly constant (range %.3g): the test would prove little", spread)
	}
	// A second run on the reused workspace must give identical results.
	again, err := m.forwardInput(context.Background(), in.data, h, w)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again.data {
		if again.data[i] != got.data[i] {
			t.Fatalf("second run differs at %d: %v vs %v", i, again.data[i], got.data[i])
		}
	}
}
