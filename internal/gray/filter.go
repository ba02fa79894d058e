package gray

// Neighbourhood filters. Borders replicate the edge pixels (coordinates are
// clamped into the plane), so a constant plane stays constant under every
// filter here. Each filter is separable: a vertical pass into a row buffer
// padded with replicated ends, then a horizontal pass over that buffer, so
// the inner loops carry no border test and the scratch is one or two rows
// (on the stack for planes up to 4096 wide). None runs in place: dst == src
// gives a new plane.

import "math"

// BoxBlur replaces each pixel by the rounded mean of its (2·radius+1)²
// window, with replicated borders. radius ≤ 0 copies src; radius above
// MaxRadius is treated as MaxRadius.
//
// Cost: O(1) per pixel whatever the radius: running column sums, then a
// running sum along the row; the division by the window area is a multiply.
func BoxBlur(dst, src *Plane, radius int) *Plane {
	if radius <= 0 || src.empty() {
		return Copy(dst, src)
	}
	dst = prepare(dst, src, src.W, src.H)
	w, h, r := src.W, src.H, min(radius, MaxRadius)
	var colBuf [stackRow + 1]uint32
	col := rowBuf32(colBuf[:], w+2*r)
	body := col[r : r+w]
	// Column sums of the replicated window for row 0.
	clear(body)
	for i := -r; i <= r; i++ {
		addRow(body, nil, src.Row(clampInt(i, 0, h-1)))
	}
	n := 2*r + 1
	div := newDivider(n * n)
	for y := 0; y < h; y++ {
		if y > 0 {
			swapRow(body, nil, src.Row(min(y+r, h-1)), src.Row(max(y-r-1, 0)))
		}
		for i := range r {
			col[i] = body[0]
			col[r+w+i] = body[w-1]
		}
		// Running sum over the padded columns [x, x+2r].
		var s uint32
		for _, c := range col[:n] {
			s += c
		}
		d := dst.Row(y)
		add, sub := col[n:], col[:w-1]
		add = add[:len(sub)]
		for x, a := range add {
			d[x] = div.round(uint64(s))
			s += a - sub[x]
		}
		d[w-1] = div.round(uint64(s))
	}
	return dst
}

// maxGaussRadius bounds GaussianBlur's kernel half-width (σ ≈ 21).
const maxGaussRadius = 64

// GaussianBlur convolves src with a Gaussian of standard deviation sigma
// (pixels), truncated at ⌈3σ⌉ and with replicated borders. sigma ≤ 0 copies
// src. Taps are 12-bit fixed point per axis (each axis sums to exactly
// 4096), so the result is within ±1 of the exact convolution and a constant
// plane is unchanged. σ above ~21 is truncated to a 129-tap kernel.
//
// Cost: about 2·(⌈3σ⌉+1) multiply-adds per pixel (the kernel is symmetric);
// for large σ prefer BoxBlur, which is O(1).
func GaussianBlur(dst, src *Plane, sigma float64) *Plane {
	if !(sigma > 0) || src.empty() {
		return Copy(dst, src)
	}
	k := min(int(math.Ceil(3*sigma)), maxGaussRadius)
	var taps [maxGaussRadius + 1]uint32 // taps[j] weighs offsets ±j
	gaussTaps(taps[:k+1], sigma)
	dst = prepare(dst, src, src.W, src.H)
	w, h := src.W, src.H
	var accBuf [stackRow + 2*maxGaussRadius]uint32
	acc := rowBuf32(accBuf[:], w+2*k)
	var hBuf [stackRow]uint32
	hsum := rowBuf32(hBuf[:], w)
	body := acc[k : k+w]
	if k <= 3 {
		gaussian3(dst, src, &taps)
		return dst
	}
	for y := 0; y < h; y++ {
		// Vertical pass: 8.8 fixed point in body.
		c := src.Row(y)
		c = c[:len(body)]
		t0 := taps[0]
		for x, v := range c {
			body[x] = t0 * uint32(v)
		}
		for j := 1; j <= k; j++ {
			a := src.Row(max(y-j, 0))
			b := src.Row(min(y+j, h-1))
			a, b = a[:len(body)], b[:len(body)]
			t := taps[j]
			for x := range body {
				body[x] += t * (uint32(a[x]) + uint32(b[x]))
			}
		}
		for x := range body {
			body[x] = (body[x] + 8) >> 4
		}
		for i := range k {
			acc[i] = body[0]
			acc[k+w+i] = body[w-1]
		}
		// Horizontal pass, one tap pair at a time over the whole row.
		hs := hsum[:w]
		mid := acc[k : k+w]
		for x, c := range mid {
			hs[x] = t0 * c
		}
		for j := 1; j <= k; j++ {
			a, b := acc[k-j:k-j+w], acc[k+j:k+j+w]
			t := taps[j]
			for x := range hs {
				hs[x] += t * (a[x] + b[x])
			}
		}
		d := dst.Row(y)
		d = d[:len(hs)]
		for x, s := range hs {
			d[x] = byte(min((s+1<<19)>>20, 255))
		}
	}
	return dst
}

// gaussian3 is GaussianBlur for kernels of radius ≤ 3 (σ ≤ 1), the common
// denoising case: both passes are unrolled into one loop each, missing taps
// being zero.
func gaussian3(dst, src *Plane, taps *[maxGaussRadius + 1]uint32) {
	w, h := src.W, src.H
	t0, t1, t2, t3 := taps[0], taps[1], taps[2], taps[3]
	var accBuf [stackRow + 6]uint32
	acc := rowBuf32(accBuf[:], w+6)
	body := acc[3 : 3+w]
	for y := 0; y < h; y++ {
		c := src.Row(y)
		a1, b1 := src.Row(max(y-1, 0)), src.Row(min(y+1, h-1))
		a2, b2 := src.Row(max(y-2, 0)), src.Row(min(y+2, h-1))
		a3, b3 := src.Row(max(y-3, 0)), src.Row(min(y+3, h-1))
		c, a1, b1 = c[:len(body)], a1[:len(body)], b1[:len(body)]
		a2, b2, a3, b3 = a2[:len(body)], b2[:len(body)], a3[:len(body)], b3[:len(body)]
		for x, v := range c {
			s := t0*uint32(v) + t1*(uint32(a1[x])+uint32(b1[x])) +
				t2*(uint32(a2[x])+uint32(b2[x])) + t3*(uint32(a3[x])+uint32(b3[x]))
			body[x] = (s + 8) >> 4
		}
		for i := range 3 {
			acc[i] = body[0]
			acc[3+w+i] = body[w-1]
		}
		d := dst.Row(y)
		d = d[:w]
		l3, l2, l1, m := acc[0:w], acc[1:w+1], acc[2:w+2], acc[3:w+3]
		r1, r2, r3 := acc[4:w+4], acc[5:w+5], acc[6:w+6]
		for x := range d {
			s := t0*m[x] + t1*(l1[x]+r1[x]) + t2*(l2[x]+r2[x]) + t3*(l3[x]+r3[x])
			d[x] = byte(min((s+1<<19)>>20, 255))
		}
	}
}

// gaussTaps fills taps[0..k] with the one-sided Gaussian kernel, quantised so
// that taps[0] + 2·Σ taps[1..k] == 4096 exactly.
func gaussTaps(taps []uint32, sigma float64) {
	k := len(taps) - 1
	f := make([]float64, 0, maxGaussRadius+1)
	var total float64
	for j := 0; j <= k; j++ {
		g := math.Exp(-float64(j*j) / (2 * sigma * sigma))
		f = append(f, g)
		if j == 0 {
			total += g
		} else {
			total += 2 * g
		}
	}
	var sum uint32
	for j := 1; j <= k; j++ {
		taps[j] = uint32(math.Round(f[j] / total * 4096))
		sum += 2 * taps[j]
	}
	taps[0] = 4096 - sum
}

// Sharpen applies an unsharp mask: v + amount·(v − blur(v)), with blur the
// 3×3 binomial kernel [1 2 1]ᵀ[1 2 1]/16 (replicated borders), rounded and
// clamped to 0..255. amount is quantised to 1/256; 0 copies, 0.5–2 is the
// useful range for soft phone photos, and a negative amount blurs. Edges
// gain an overshoot on both sides, which restores the dark/light transition
// between modules but also amplifies noise and JPEG ringing.
//
// Cost: about ten integer operations per pixel.
func Sharpen(dst, src *Plane, amount float64) *Plane {
	a := int32(math.Round(amount * 256))
	if a == 0 || src.empty() {
		return Copy(dst, src)
	}
	dst = prepare(dst, src, src.W, src.H)
	w, h := src.W, src.H
	var vBuf [stackRow + 2]int32
	v := rowBuf32i(vBuf[:], w+2)
	body := v[1 : w+1]
	for y := 0; y < h; y++ {
		up, c, dn := src.Row(max(y-1, 0)), src.Row(y), src.Row(min(y+1, h-1))
		up, c, dn = up[:len(body)], c[:len(body)], dn[:len(body)]
		for x := range body {
			body[x] = int32(up[x]) + 2*int32(c[x]) + int32(dn[x])
		}
		v[0], v[w+1] = body[0], body[w-1]
		d := dst.Row(y)
		d = d[:len(c)]
		for x, p := range c {
			blur16 := v[x] + 2*v[x+1] + v[x+2]
			t := int32(p) + (a*(16*int32(p)-blur16)+2048)>>12
			d[x] = byte(min(max(t, 0), 255))
		}
	}
	return dst
}

// rowBuf32i is rowBuf32 for int32.
func rowBuf32i(buf []int32, n int) []int32 {
	if n <= len(buf) {
		return buf[:n]
	}
	return make([]int32, n)
}

// Erode replaces each pixel by the minimum of its 3×3 neighbourhood
// (replicated borders): dark regions grow by one pixel, light specks inside
// dark modules vanish. Cost: four bytewise minimums per pixel, eight pixels
// per word operation.
func Erode(dst, src *Plane) *Plane { return morph3(dst, src, false) }

// Dilate replaces each pixel by the maximum of its 3×3 neighbourhood
// (replicated borders): light regions grow by one pixel, dark specks on the
// paper vanish. Cost: as Erode.
func Dilate(dst, src *Plane) *Plane { return morph3(dst, src, true) }

// morph3 is the separable 3×3 min (or max) filter.
func morph3(dst, src *Plane, dilate bool) *Plane {
	if src.empty() {
		return prepare(dst, src, src.W, src.H)
	}
	dst = prepare(dst, src, src.W, src.H)
	w, h := src.W, src.H
	var vBuf [stackRow + 2]byte
	v := vBuf[:]
	if w+2 > len(v) {
		v = make([]byte, w+2)
	}
	v = v[:w+2]
	body := v[1 : w+1]
	for y := 0; y < h; y++ {
		up, c, dn := src.Row(max(y-1, 0)), src.Row(y), src.Row(min(y+1, h-1))
		up, c, dn = up[:len(body)], c[:len(body)], dn[:len(body)]
		d := dst.Row(y)
		d = d[:len(body)]
		if dilate {
			dilateRow(body, up, c, dn)
			v[0], v[w+1] = body[0], body[w-1]
			dilateRow(d, v[:w], v[1:w+1], v[2:])
		} else {
			erodeRow(body, up, c, dn)
			v[0], v[w+1] = body[0], body[w-1]
			erodeRow(d, v[:w], v[1:w+1], v[2:])
		}
	}
	return dst
}

// erodeRow sets d[x] = min(a[x], b[x], c[x]); a, b and c are at least as long
// as d.
func erodeRow(d, a, b, c []byte) {
	a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
	x := 0
	for ; x+8 <= len(d); x += 8 {
		store64(d[x:], minBytes(minBytes(load64(a[x:]), load64(b[x:])), load64(c[x:])))
	}
	for ; x < len(d); x++ {
		d[x] = min(a[x], b[x], c[x])
	}
}

// dilateRow sets d[x] = max(a[x], b[x], c[x]); a, b and c are at least as
// long as d.
func dilateRow(d, a, b, c []byte) {
	a, b, c = a[:len(d)], b[:len(d)], c[:len(d)]
	x := 0
	for ; x+8 <= len(d); x += 8 {
		store64(d[x:], maxBytes(maxBytes(load64(a[x:]), load64(b[x:])), load64(c[x:])))
	}
	for ; x < len(d); x++ {
		d[x] = max(a[x], b[x], c[x])
	}
}
