package jpegluma

import (
	"math/rand/v2"
	"testing"
)

// TestIDCTSIMD checks that idctBlockSIMD stores exactly idctBlock's bytes,
// and nothing outside the block, on the zero block, DC-only blocks, every
// unit impulse, sparse and dense random blocks in the range of 8-bit
// samples, and blocks far out of range whose products and sums wrap around
// int32 (corrupt files produce them). It is skipped in builds without the
// AVX2 transform; `make test` runs it with GOEXPERIMENT=simd.
func TestIDCTSIMD(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 transform in this build (GOEXPERIMENT=simd on amd64 with AVX2)")
	}
	var blocks [][64]int32
	blocks = append(blocks, [64]int32{})
	for _, dc := range []int32{-1024, -5, 3, 1016, 2047, 1 << 20, -1 << 31} {
		var b [64]int32
		b[0] = dc
		blocks = append(blocks, b)
	}
	for i := range 64 {
		for _, v := range []int32{100, -2048, 1 << 24, -1 << 31} {
			var b [64]int32
			b[i] = v
			blocks = append(blocks, b)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		var b [64]int32
		for range 1 + rng.IntN(64) {
			b[rng.IntN(64)] = int32(rng.IntN(4096)) - 2048
		}
		blocks = append(blocks, b)
	}
	for range 500 {
		var b [64]int32
		for i := range b {
			b[i] = int32(rng.Uint32())
		}
		blocks = append(blocks, b)
	}
	const stride = 19
	var tmp [64]int32
	for i, b := range blocks {
		var want, got [8*stride + 3]byte
		for j := range want {
			want[j], got[j] = byte(j), byte(j)
		}
		idctBlock(&b, &tmp, want[1:], stride)
		idctBlockSIMD(&b, got[1:], stride)
		if got != want {
			t.Fatalf("block %d %v:\nSIMD   %v\nscalar %v", i, b, got, want)
		}
	}
}

func BenchmarkIDCTSIMD(b *testing.B) {
	if !haveSIMD {
		b.Skip("no AVX2 transform in this build")
	}
	var c [64]int32
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		c[rng.IntN(64)] = int32(rng.IntN(401)) - 200 + int32(i)
	}
	var dst [64]byte
	b.ReportAllocs()
	for b.Loop() {
		idctBlockSIMD(&c, dst[:], 8)
	}
}
