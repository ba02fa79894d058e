package synth

import (
	"math"
	"math/rand/v2"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// drawBackground fills c with the spec's background.
func drawBackground(c *canvas, s *Spec, rng *rand.Rand) {
	switch s.Background {
	case BackgroundPlain:
		c.fill(paperLevel)
	case BackgroundPhoto:
		drawPhoto(c, rng)
	case BackgroundInvoice:
		if s.Page == (geom.Quad{}) {
			drawInvoice(c, rng)
			return
		}
		drawPhoto(c, rng)
		q := s.Page
		pw := int(math.Max(q[0].Dist(q[1]), q[3].Dist(q[2])) + 0.5)
		ph := int(math.Max(q[0].Dist(q[3]), q[1].Dist(q[2])) + 0.5)
		page := newCanvas(max(pw, 16), max(ph, 16))
		drawInvoice(page, rng)
		c.warpFrom(page, q)
	}
}

func (c *canvas) fill(v float32) {
	for i := range c.pix {
		c.pix[i] = v
	}
}

// rect fills the pixel rectangle [x0,x1)×[y0,y1), clipped to the canvas.
func (c *canvas) rect(x0, y0, x1, y1 int, v float32) {
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, c.w), min(y1, c.h)
	for y := y0; y < y1; y++ {
		row := c.pix[y*c.w+x0 : y*c.w+x1]
		for i := range row {
			row[i] = v
		}
	}
}

// ellipse fills an axis-aligned ellipse.
func (c *canvas) ellipse(cx, cy, rx, ry float64, v float32) {
	y0, y1 := max(0, int(cy-ry)), min(c.h-1, int(cy+ry)+1)
	x0, x1 := max(0, int(cx-rx)), min(c.w-1, int(cx+rx)+1)
	for y := y0; y <= y1; y++ {
		dy := (float64(y) + 0.5 - cy) / ry
		for x := x0; x <= x1; x++ {
			dx := (float64(x) + 0.5 - cx) / rx
			if dx*dx+dy*dy <= 1 {
				c.pix[y*c.w+x] = v
			}
		}
	}
}

// warpFrom draws src into c so that src's rectangle lands on quad q (TL, TR,
// BR, BL), by inverse mapping with bilinear interpolation.
func (c *canvas) warpFrom(src *canvas, q geom.Quad) {
	sw, sh := float64(src.w), float64(src.h)
	h, ok := geom.QuadToQuad(q, geom.Quad{{X: 0, Y: 0}, {X: sw, Y: 0}, {X: sw, Y: sh}, {X: 0, Y: sh}})
	if !ok {
		return
	}
	minX, minY, maxX, maxY := q.Bounds()
	x0, y0 := max(0, int(minX)), max(0, int(minY))
	x1, y1 := min(c.w-1, int(maxX)+1), min(c.h-1, int(maxY)+1)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			p := h.Apply(geom.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			if p.X < 0 || p.Y < 0 || p.X >= sw || p.Y >= sh {
				continue
			}
			c.pix[y*c.w+x] = src.bilinear(p.X-0.5, p.Y-0.5)
		}
	}
}

// bilinear samples c at (x, y) in pixel-centre coordinates (pixel (i,j) is
// at (i,j)), clamping at the borders.
func (c *canvas) bilinear(x, y float64) float32 {
	fx, fy := math.Floor(x), math.Floor(y)
	ix, iy := int(fx), int(fy)
	ax, ay := float32(x-fx), float32(y-fy)
	x0, x1 := clampInt(ix, 0, c.w-1), clampInt(ix+1, 0, c.w-1)
	y0, y1 := clampInt(iy, 0, c.h-1), clampInt(iy+1, 0, c.h-1)
	r0, r1 := c.pix[y0*c.w:], c.pix[y1*c.w:]
	top := r0[x0] + (r0[x1]-r0[x0])*ax
	bot := r1[x0] + (r1[x1]-r1[x0])*ax
	return top + (bot-top)*ay
}

func clampInt(v, lo, hi int) int { return min(max(v, lo), hi) }

// drawPhoto paints a photo-like texture: a linear gradient, three octaves of
// smooth value noise (a lattice of random values interpolated with a
// smoothstep), and a few flat shapes standing in for objects on a desk.
func drawPhoto(c *canvas, rng *rand.Rand) {
	base := 90 + 70*rng.Float64()
	gx, gy := (rng.Float64()*2-1)*60, (rng.Float64()*2-1)*60
	type octave struct {
		cell float64
		amp  float64
		grid []float32
		gw   int
	}
	side := float64(max(c.w, c.h))
	octs := []octave{{cell: side / 3, amp: 35}, {cell: side / 9, amp: 15}, {cell: side / 40, amp: 6}}
	for k := range octs {
		o := &octs[k]
		o.gw = int(float64(c.w)/o.cell) + 2
		gh := int(float64(c.h)/o.cell) + 2
		o.grid = make([]float32, o.gw*gh)
		for i := range o.grid {
			o.grid[i] = float32((rng.Float64()*2 - 1) * o.amp)
		}
	}
	// Per-octave column lattice indices and smoothstep weights, computed
	// once: the inner loop is then two lerps per octave.
	cols := make([][]int32, len(octs))
	wts := make([][]float32, len(octs))
	for k := range octs {
		cols[k] = make([]int32, c.w)
		wts[k] = make([]float32, c.w)
		for x := 0; x < c.w; x++ {
			fx := float64(x) / octs[k].cell
			cols[k][x] = int32(fx)
			wts[k][x] = float32(smooth(fx - math.Floor(fx)))
		}
	}
	for y := 0; y < c.h; y++ {
		row := c.pix[y*c.w : (y+1)*c.w]
		ty := float64(y) / float64(c.h)
		for x := range row {
			row[x] = float32(base + gx*float64(x)/float64(c.w) + gy*ty)
		}
		for k := range octs {
			o := &octs[k]
			fy := float64(y) / o.cell
			iy := int(fy)
			ay := float32(smooth(fy - float64(iy)))
			g0, g1 := o.grid[iy*o.gw:(iy+1)*o.gw], o.grid[(iy+1)*o.gw:(iy+2)*o.gw]
			ci, cw := cols[k], wts[k]
			for x := range row {
				ix, ax := ci[x], cw[x]
				top := g0[ix] + (g0[ix+1]-g0[ix])*ax
				bot := g1[ix] + (g1[ix+1]-g1[ix])*ax
				row[x] += top + (bot-top)*ay
			}
		}
	}
	for k := 3 + rng.IntN(5); k > 0; k-- {
		cx, cy := rng.Float64()*float64(c.w), rng.Float64()*float64(c.h)
		rx, ry := (0.03+0.12*rng.Float64())*side, (0.03+0.12*rng.Float64())*side
		v := float32(40 + 180*rng.Float64())
		if rng.IntN(2) == 0 {
			c.ellipse(cx, cy, rx, ry, v)
		} else {
			c.rect(int(cx-rx), int(cy-ry), int(cx+rx), int(cy+ry), v)
		}
	}
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }

// drawInvoice paints an invoice page laid out on an A4 grid scaled to the
// canvas width: a dark logo block, issuer lines, a table with rules and
// numbers, paragraphs of text, and a 1D barcode. Text is made of blocky
// 3×5 random glyphs, dense enough to give finder-pattern scanners the
// dark/light runs that real print gives them.
func drawInvoice(c *canvas, rng *rand.Rand) {
	c.fill(float32(238 + 10*rng.Float64()))
	sc := float64(c.w) / 1240
	px := func(v float64) int { return int(v*sc + 0.5) }
	ink := func() float32 { return float32(40 + 50*rng.Float64()) }
	margin := 90.0

	// Logo: a dark block with a light emblem.
	lw, lh := 140+80*rng.Float64(), 70+40*rng.Float64()
	c.rect(px(margin), px(80), px(margin+lw), px(80+lh), float32(20+40*rng.Float64()))
	c.ellipse(float64(px(margin+lw/3)), float64(px(80+lh/2)), lh*sc/3, lh*sc/3, 230)

	// Issuer block right of the logo, title on the right.
	y := 85.0
	for i := 0; i < 4; i++ {
		drawTextLine(c, rng, px(margin+lw+40), px(y), px(margin+lw+40+200+200*rng.Float64()), 9*sc, ink())
		y += 20
	}
	drawTextLine(c, rng, px(860), px(90), px(1150), 16*sc, 25)

	// Addressee and dates.
	y = 230
	for i := 0; i < 5; i++ {
		drawTextLine(c, rng, px(margin), px(y), px(margin+250+250*rng.Float64()), 9*sc, ink())
		drawTextLine(c, rng, px(800), px(y), px(800+150+150*rng.Float64()), 9*sc, ink())
		y += 22
	}

	// Table: header rule, rows with column rules and right-aligned numbers.
	y = 380
	cols := []float64{margin, 560, 720, 880, 1150}
	rows := 8 + rng.IntN(10)
	rowH := 26.0
	top := y
	c.rect(px(margin), px(y), px(1150), px(y+rowH), 200)
	for r := 0; r <= rows; r++ {
		c.rect(px(margin), px(y), px(1150), px(y)+max(1, px(1.5)), 70)
		if r < rows {
			for k := 0; k+1 < len(cols); k++ {
				x0, x1 := cols[k]+8, cols[k+1]-8
				if k > 0 { // numbers: short, right-aligned
					x0 = x1 - 40 - 60*rng.Float64()
				} else {
					x1 = x0 + 120 + 300*rng.Float64()
				}
				drawTextLine(c, rng, px(x0), px(y+8), px(x1), 9*sc, ink())
			}
		}
		y += rowH
	}
	for _, x := range cols {
		c.rect(px(x), px(top), px(x)+max(1, px(1.5)), px(y-rowH), 70)
	}

	// Totals and paragraphs of terms.
	y += 20
	for i := 0; i < 3; i++ {
		drawTextLine(c, rng, px(840), px(y), px(1150), 10*sc, ink())
		y += 24
	}
	y += 20
	for y < 1480 {
		drawTextLine(c, rng, px(margin), px(y), px(1150-300*rng.Float64()), 8*sc, ink())
		y += 17
		if rng.IntN(6) == 0 {
			y += 17
		}
	}

	// A 1D barcode (hard negative: long regular dark/light runs).
	x := margin
	for x < margin+360 {
		bw := 1.5 * float64(1+rng.IntN(4))
		if rng.IntN(2) == 0 {
			c.rect(px(x), px(1530), px(x+bw), px(1610), 15)
		}
		x += bw
	}
}

// drawTextLine writes words of blocky glyphs between x0 and x1 with the
// given x-height in pixels, starting at row y (the top of the x-height).
func drawTextLine(c *canvas, rng *rand.Rand, x0, y, x1 int, xh float64, v float32) {
	cell := max(1, int(xh/5+0.5)) // glyphs are 3×5 cells
	gw := 3 * cell
	x := x0
	for x+gw <= x1 {
		word := 2 + rng.IntN(9)
		for k := 0; k < word && x+gw <= x1; k++ {
			bits := rng.Uint32()
			asc := rng.IntN(5) == 0 // an ascender or descender stroke
			for gy := 0; gy < 5; gy++ {
				for gx := 0; gx < 3; gx++ {
					if bits>>(gy*3+gx)&1 == 1 {
						c.rect(x+gx*cell, y+gy*cell, x+(gx+1)*cell, y+(gy+1)*cell, v)
					}
				}
			}
			if asc {
				off := -2 * cell
				if rng.IntN(2) == 0 {
					off = 5 * cell
				}
				c.rect(x, y+off, x+cell, y+off+2*cell, v)
			}
			x += gw + cell
		}
		x += 3 * cell
	}
}
