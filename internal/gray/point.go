package gray

// Point operations: each output pixel depends only on the input pixel at the
// same place. All of them run in place when dst == src, crop views included.

// Copy copies src into dst (reused as described in the package doc) and
// returns dst. Cost: one memmove per row.
func Copy(dst, src *Plane) *Plane {
	if dst == src {
		return dst
	}
	dst = prepare(dst, src, src.W, src.H)
	for y := 0; y < dst.H; y++ {
		copy(dst.Row(y), src.Row(y))
	}
	return dst
}

// ApplyLUT maps every pixel v of src to lut[v] and returns dst. It works in
// place when dst == src. Cost: one table lookup per pixel.
func ApplyLUT(dst, src *Plane, lut *[256]byte) *Plane {
	dst = prepareInPlace(dst, src)
	for y := 0; y < dst.H; y++ {
		s, d := src.Row(y), dst.Row(y)
		d = d[:len(s)]
		i := 0
		for ; i+8 <= len(s); i += 8 {
			// Unrolled by eight with constant indexes: no bounds checks,
			// and the independent lookups overlap.
			ss, dd := s[i:i+8:i+8], d[i:i+8:i+8]
			dd[0], dd[1], dd[2], dd[3] = lut[ss[0]], lut[ss[1]], lut[ss[2]], lut[ss[3]]
			dd[4], dd[5], dd[6], dd[7] = lut[ss[4]], lut[ss[5]], lut[ss[6]], lut[ss[7]]
		}
		for ; i < len(s); i++ {
			d[i] = lut[s[i]]
		}
	}
	return dst
}

// Invert maps every pixel v to 255-v (dark modules on light become light on
// dark: the "reversed reflectance" symbols of ISO/IEC 18004 need it before a
// reader that only looks for dark modules). Works in place when dst == src.
// Applying Invert twice gives back the input. Cost: one XOR per eight pixels.
func Invert(dst, src *Plane) *Plane {
	dst = prepareInPlace(dst, src)
	for y := 0; y < dst.H; y++ {
		s, d := src.Row(y), dst.Row(y)
		d = d[:len(s)]
		i := 0
		for ; i+8 <= len(s); i += 8 {
			store64(d[i:], ^load64(s[i:]))
		}
		for ; i < len(s); i++ {
			d[i] = ^s[i]
		}
	}
	return dst
}
