package gray

// Crop returns the view of src covering columns [x0, x1) and rows [y0, y1),
// clamped to the plane. The view shares Pix with src (writes through it show
// in src) and keeps src's Stride, so its Stride exceeds its W unless the
// rectangle spans whole rows. Its Pix is capped at its last pixel, so an
// append on it cannot overwrite src. An empty rectangle gives the zero Plane.
// Cost: O(1).
func Crop(src *Plane, x0, y0, x1, y1 int) *Plane {
	v := cropView(src, x0, y0, x1, y1)
	return &v
}

// cropView is Crop returning the view by value (no allocation).
func cropView(src *Plane, x0, y0, x1, y1 int) Plane {
	x0, x1 = clampInt(x0, 0, src.W), clampInt(x1, 0, src.W)
	y0, y1 = clampInt(y0, 0, src.H), clampInt(y1, 0, src.H)
	if x1 <= x0 || y1 <= y0 {
		return Plane{}
	}
	off := y0*src.Stride + x0
	end := (y1-1)*src.Stride + x1
	return Plane{W: x1 - x0, H: y1 - y0, Stride: src.Stride, Pix: src.Pix[off:end:end]}
}

// CropCopy is Crop followed by Copy: a compact copy of the clamped rectangle
// [x0, x1)×[y0, y1) of src, written to dst (reused as described in the
// package doc; dst == src gives a new plane). Cost: one memmove per row.
func CropCopy(dst, src *Plane, x0, y0, x1, y1 int) *Plane {
	if dst == src {
		dst = nil // the copy must not overwrite the pixels it reads
	}
	v := cropView(src, x0, y0, x1, y1)
	return Copy(dst, &v)
}
