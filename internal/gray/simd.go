//go:build goexperiment.simd && amd64 && !noasm

package gray

import "simd/archsimd"

// haveSIMD reports whether the AVX2 kernels (resample_simd.go) may be
// called: this build has them and the CPU supports AVX2. They compute
// exactly what the scalar loops compute, and end with VZEROUPPER
// (archsimd.ClearAVXUpperBits) so that the SSE code after them does not
// pay for dirty upper register halves.
var haveSIMD = archsimd.X86.AVX2()
