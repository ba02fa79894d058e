package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/qrcascade/qrcascade"
	"github.com/qrcascade/qrcascade/internal/gray"
	"github.com/qrcascade/qrcascade/internal/imgio"
)

// Colours of the annotated image: codes read in green, unread candidates in
// red, as on the operator page.
var (
	colorCode      = color.RGBA{0x12, 0xa1, 0x50, 0xff}
	colorCandidate = color.RGBA{0xd9, 0x30, 0x25, 0xff}
)

// annotationPath is the PNG written for input path into dir: the path with
// its separators replaced, so that inputs of different folders with the same
// name do not overwrite each other ("-" is "stdin").
func annotationPath(dir, path string) string {
	name := filepath.ToSlash(filepath.Clean(path))
	if path == stdinName {
		name = "stdin"
	}
	name = strings.TrimLeft(strings.ReplaceAll(strings.ReplaceAll(name, "../", ""), "/", "_"), "._")
	if name == "" {
		name = "input"
	}
	return filepath.Join(dir, name+".png")
}

// writeAnnotation writes line's input into dir as a PNG: its pages one under
// the other, each code outlined with its number and text, each unread
// candidate outlined with the stage where it stopped. Image pages show the
// image (after EXIF orientation, in the frame of the points); PDF pages are
// blank pages of the rendered size with the outlines only.
func writeAnnotation(dir string, line scanLine, rf readerFlags) error {
	res := line.res
	pages, err := annotationPages(line.raw, res, rf)
	if err != nil {
		return err
	}
	const gap = 16
	w, h := 1, 0
	for _, p := range pages {
		w = max(w, p.Bounds().Dx())
		h += p.Bounds().Dy() + gap
	}
	canvas := image.NewRGBA(image.Rect(0, 0, w, max(1, h-gap)))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.RGBA{0x80, 0x80, 0x80, 0xff}), image.Point{}, draw.Src)
	y := 0
	offsets := make([]image.Point, len(pages))
	for i, p := range pages {
		offsets[i] = image.Pt(0, y)
		draw.Draw(canvas, p.Bounds().Add(offsets[i]), p, p.Bounds().Min, draw.Src)
		y += p.Bounds().Dy() + gap
	}
	scale := max(1, int(math.Round(float64(w)/900)))
	pageOffset := func(page int) image.Point {
		i := min(max(page, 1), len(offsets)) - 1
		return offsets[i]
	}
	for i, c := range res.Codes {
		// The bitmap font has ASCII only: line breaks and other controls
		// show as spaces.
		text := strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return ' '
			}
			return r
		}, c.Text)
		if r := []rune(text); len(r) > 60 {
			text = string(r[:57]) + "..."
		}
		outline(canvas, c.Points, pageOffset(c.Page), colorCode, scale, fmt.Sprintf("#%d %s", i+1, text))
	}
	if res.Explain != nil {
		for _, pe := range res.Explain.Pages {
			for _, cd := range pe.Unread {
				label := "unread: " + string(cd.Stage)
				if cd.Model != "" {
					label += " (" + string(cd.Model) + ")"
				}
				outline(canvas, cd.Points, pageOffset(pe.Page), colorCandidate, scale, label)
			}
		}
	}
	f, err := os.Create(annotationPath(dir, line.File))
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	if err := png.Encode(f, canvas); err != nil {
		f.Close()
		return fmt.Errorf("annotate: encoding %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	return nil
}

// annotationPages returns the pages of the input as images: decoded for
// image formats, blank for PDF (whose pages the reader rendered internally).
func annotationPages(data []byte, res *qrcascade.Result, rf readerFlags) ([]image.Image, error) {
	if res.Image.Format == "pdf" {
		pages := make([]image.Image, max(1, res.Image.Pages))
		for i := range pages {
			p := image.NewRGBA(image.Rect(0, 0, max(1, res.Image.Width), max(1, res.Image.Height)))
			draw.Draw(p, p.Bounds(), image.White, image.Point{}, draw.Src)
			pages[i] = p
		}
		return pages, nil
	}
	var pages []image.Image
	_, err := imgio.DecodePages(data, imgio.Limits{MaxBytes: -1, MaxPixels: rf.maxPixels, MaxPages: -1}, func(_ int, p *gray.Plane) error {
		img := image.NewRGBA(image.Rect(0, 0, p.W, p.H))
		for y := 0; y < p.H; y++ {
			row := p.Pix[y*p.Stride : y*p.Stride+p.W]
			for x, v := range row {
				o := y*img.Stride + 4*x
				img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = v, v, v, 0xff
			}
		}
		pages = append(pages, img)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("annotate: decoding the image again: %w", err)
	}
	return pages, nil
}

// outline draws the quad pts (offset by off) with a label at its first
// corner; scale thickens the lines and enlarges the text for big images.
func outline(dst *image.RGBA, pts [4]qrcascade.Point, off image.Point, c color.RGBA, scale int, label string) {
	for i := range pts {
		a, b := pts[i], pts[(i+1)%4]
		line(dst, a[0]+float64(off.X), a[1]+float64(off.Y), b[0]+float64(off.X), b[1]+float64(off.Y), c, 2*scale)
	}
	drawLabel(dst, int(pts[0][0])+off.X, int(pts[0][1])+off.Y, c, scale, label)
}

// line draws a segment of the given thickness by stamping squares along it.
func line(dst *image.RGBA, x0, y0, x1, y1 float64, c color.RGBA, thick int) {
	n := int(math.Ceil(math.Max(math.Abs(x1-x0), math.Abs(y1-y0)))) + 1
	sq := image.NewUniform(c)
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		x, y := int(x0+t*(x1-x0)), int(y0+t*(y1-y0))
		r := image.Rect(x-thick/2, y-thick/2, x-thick/2+thick, y-thick/2+thick)
		draw.Draw(dst, r.Intersect(dst.Bounds()), sq, image.Point{}, draw.Src)
	}
}

// drawLabel writes label in white on a box of colour c, its bottom-left at
// (x, y), enlarged scale times (the 7×13 bitmap font, nearest neighbour).
func drawLabel(dst *image.RGBA, x, y int, c color.RGBA, scale int, label string) {
	face := basicfont.Face7x13
	w := font.MeasureString(face, label).Ceil() + 6
	small := image.NewRGBA(image.Rect(0, 0, w, 16))
	draw.Draw(small, small.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.White, Face: face, Dot: fixed.P(3, 12)}
	d.DrawString(label)
	top := y - 16*scale - scale
	for sy := 0; sy < 16*scale; sy++ {
		for sx := 0; sx < w*scale; sx++ {
			px, py := x+sx, top+sy
			if image.Pt(px, py).In(dst.Bounds()) {
				dst.SetRGBA(px, py, small.RGBAAt(sx/scale, sy/scale))
			}
		}
	}
}
