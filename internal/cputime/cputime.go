// Package cputime reads the CPU time consumed by the calling OS thread and
// by the whole process. On a shared machine wall time also counts the time
// other jobs hold the cores; CPU time does much less, so benchmarks and the
// bench CLI report it beside wall time. Written by hand because the
// standard library exposes neither clock (CLOCK_THREAD_CPUTIME_ID needs a
// raw clock_gettime system call; process time needs getrusage).
package cputime
