//go:build goexperiment.simd && amd64 && !noasm

package gray

import "simd/archsimd"

// haveSIMD reports whether the AVX2 kernels (resample_simd.go) may be
// called: this build has them and the CPU supports AVX2. They compute
// exactly what the scalar loops compute.
var haveSIMD = archsimd.X86.AVX2()
