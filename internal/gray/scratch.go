package gray

// This file holds the helpers shared by every operation: destination reuse
// and per-row scratch buffers.

// stackRow is the widest row for which an operation keeps its per-row scratch
// (column sums, padded rows, tap tables) in a fixed-size array on the stack.
// Wider planes fall back to a heap allocation per call. 4096 covers 4K
// photos and keeps each array at 16 KiB for 32-bit elements.
const stackRow = 4096

// prepare returns dst resized to a compact w×h plane (Stride == w), reusing
// its Pix capacity when large enough, or a new plane when dst is nil or is
// src itself (an operation that cannot run in place must not overwrite its
// input). The pixels are not cleared: every operation writes all of them.
func prepare(dst, src *Plane, w, h int) *Plane {
	if w <= 0 || h <= 0 {
		w, h = 0, 0
	}
	if dst == nil || dst == src {
		return New(w, h)
	}
	n := w * h
	if cap(dst.Pix) < n {
		dst.Pix = make([]byte, n)
	}
	dst.Pix = dst.Pix[:n]
	dst.W, dst.H, dst.Stride = w, h, w
	return dst
}

// prepareInPlace is prepare for operations that may run in place: when dst is
// src itself it is returned unchanged (keeping its Stride, so crop views are
// modified in place).
func prepareInPlace(dst, src *Plane) *Plane {
	if dst == src {
		return dst
	}
	return prepare(dst, src, src.W, src.H)
}

// empty reports whether p holds no pixel.
func (p *Plane) empty() bool { return p.W <= 0 || p.H <= 0 }

// clampInt returns v limited to [lo, hi].
func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// floorDiv returns ⌊a/b⌋ for b > 0 (Go's / truncates toward zero).
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) {
		q--
	}
	return q
}

// recipShift is the fixed-point shift of divider.
const recipShift = 48

// divider divides by a fixed n with rounding to nearest, using one multiply.
// m = ⌈2^48 / 2n⌉ gives ⌊(2s+n)/2n⌋ exactly for every s ≤ 255n as long as
// 1024n² < 2^48, i.e. n < 2^19 (checked by newDivider's caller through ok).
type divider struct {
	n  uint64
	m  uint64
	ok bool // false: n too large for the multiply, divide instead
}

func newDivider(n int) divider {
	d := divider{n: uint64(n)}
	if n > 0 && n < 1<<19 {
		d.m = ((1 << recipShift) + 2*d.n - 1) / (2 * d.n)
		d.ok = true
	}
	return d
}

// round returns round(s/n) for 0 ≤ s ≤ 255n.
func (d divider) round(s uint64) byte {
	if d.ok {
		return byte(((2*s + d.n) * d.m) >> recipShift)
	}
	return byte((2*s + d.n) / (2 * d.n))
}
