//go:build goexperiment.simd && amd64 && !noasm

package qr

import "simd/archsimd"

// haveSIMD reports whether the AVX2 kernels (binarize_simd.go,
// finder_simd.go, sampler_simd.go) may be called: this build has them and the CPU
// supports AVX2. They compute exactly what the scalar loops compute.
//
// Each kernel ends with VZEROUPPER (archsimd.ClearAVXUpperBits): Go's
// scalar float64 code is SSE, and after 256-bit AVX code that leaves the
// upper halves of the vector registers dirty it ran far slower on the
// machines measured (the candidate decoding of nano mode 1.3× as long;
// docs/DECISIONS.md, 2026-12-05).
var haveSIMD = archsimd.X86.AVX2()
