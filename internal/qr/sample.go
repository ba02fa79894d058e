package qr

// Module sampling.
//
// Each module is read as the mean of five bilinear samples: its centre and
// four points a quarter module away along the module axes, so a single
// noisy pixel or a slightly misplaced grid does not flip it. The module
// values are then thresholded in module space, which matches the threshold
// scale to the module size whatever the resolution: variant 0 compares each
// module with the mean of the 9×9 modules around it, blended half and half
// with the symbol's global mid level (robust to shadows and gradients);
// variant 1 uses the mean of a 5×5-module window only and a grid shifted by
// a fifth of a module towards the bottom right (a second chance for blur
// and small grid errors).

// sampleModules returns the n×n module matrix (dark = true) of g.
func sampleModules(s sampler, g *grid, inv bool, variant int) [][]bool {
	n := g.n
	vals := make([]float64, n*n)
	shift := 0.0
	if variant == 1 {
		shift = 0.2
	}
	const q = 0.25
	var sum float64
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			cx, cy := float64(x)+0.5+shift, float64(y)+0.5+shift
			v := s.at(g.toImage(cx, cy)) +
				s.at(g.toImage(cx-q, cy)) + s.at(g.toImage(cx+q, cy)) +
				s.at(g.toImage(cx, cy-q)) + s.at(g.toImage(cx, cy+q))
			v /= 5
			if inv {
				v = 255 - v
			}
			vals[y*n+x] = v
			sum += v
		}
	}
	global := sum / float64(n*n)
	r, wg := 4, 0.5
	if variant == 1 {
		r, wg = 2, 0
	}
	// summed-area table over module values
	sw := n + 1
	sat := make([]float64, sw*sw)
	for y := 0; y < n; y++ {
		var rs float64
		for x := 0; x < n; x++ {
			rs += vals[y*n+x]
			sat[(y+1)*sw+x+1] = sat[y*sw+x+1] + rs
		}
	}
	m := make([][]bool, n)
	for y := 0; y < n; y++ {
		m[y] = make([]bool, n)
		y0, y1 := max(y-r, 0), min(y+r+1, n)
		for x := 0; x < n; x++ {
			x0, x1 := max(x-r, 0), min(x+r+1, n)
			local := (sat[y1*sw+x1] - sat[y0*sw+x1] - sat[y1*sw+x0] + sat[y0*sw+x0]) / float64((x1-x0)*(y1-y0))
			t := wg*global + (1-wg)*local
			m[y][x] = vals[y*n+x] < t
		}
	}
	return m
}
