package pdf

import (
	"fmt"

	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// maxFormDepth bounds the nesting of form XObjects visit descends into;
// deeper content is reported incomplete.
const maxFormDepth = 8

// then returns the map m followed by o: (o ∘ m)(p) = o(m(p)).
func (m affine) then(o affine) affine {
	return affine{
		a: o.a*m.a + o.c*m.b, b: o.b*m.a + o.d*m.b,
		c: o.a*m.c + o.c*m.d, d: o.b*m.c + o.d*m.d,
		e: o.a*m.e + o.c*m.f + o.e, f: o.b*m.e + o.d*m.f + o.f,
	}
}

// objectMatrix returns the matrix of a page object (ISO 32000-1, 8.3.4:
// [a b c d e f] maps (x, y) to (a·x + c·y + e, b·x + d·y + f)): an image's
// unit square to its container's space, a form XObject's space (its /Matrix
// and the CTM where it is painted) to its container's.
func (d *Document) objectMatrix(obj references.FPDF_PAGEOBJECT) (affine, error) {
	r, err := d.inst.FPDFPageObj_GetMatrix(&requests.FPDFPageObj_GetMatrix{PageObject: obj})
	if err != nil {
		return affine{}, err
	}
	m := r.Matrix
	return affine{a: float64(m.A), b: float64(m.B), c: float64(m.C), d: float64(m.D), e: float64(m.E), f: float64(m.F)}, nil
}

// visit calls f for every graphics object of page i (0-based, w×h points
// displayed) in content order, descending into form XObjects (8.10) up to
// maxFormDepth levels, with space, the map from the coordinate space the
// object lives in (its container's) to the displayed frame in points. It
// stops after maxObjects objects; complete is false when it stopped early
// or a form was nested too deep. It runs inside d.call.
func (d *Document) visit(i int, w, h float64, f func(obj references.FPDF_PAGEOBJECT, t enums.FPDF_PAGEOBJ, space affine) error) (complete bool, err error) {
	page, err := d.displayMap(i, w, h)
	if err != nil {
		return false, err
	}
	seen := 0
	complete = true
	// walk visits n objects got by get, in a container whose space maps
	// to the display by space.
	var walk func(n int, get func(k int) (references.FPDF_PAGEOBJECT, error), space affine, depth int) error
	walk = func(n int, get func(k int) (references.FPDF_PAGEOBJECT, error), space affine, depth int) error {
		for k := 0; k < n; k++ {
			if err := d.ctx.Err(); err != nil {
				return err
			}
			if seen++; seen > maxObjects {
				complete = false
				return nil
			}
			obj, err := get(k)
			if err != nil {
				return err
			}
			t, err := d.inst.FPDFPageObj_GetType(&requests.FPDFPageObj_GetType{PageObject: obj})
			if err != nil {
				return err
			}
			if t.Type != enums.FPDF_PAGEOBJ_FORM {
				if err := f(obj, t.Type, space); err != nil {
					return err
				}
				continue
			}
			if depth >= maxFormDepth {
				complete = false
				continue
			}
			fm, err := d.objectMatrix(obj)
			if err != nil {
				return err
			}
			c, err := d.inst.FPDFFormObj_CountObjects(&requests.FPDFFormObj_CountObjects{PageObject: obj})
			if err != nil {
				return err
			}
			form := obj
			err = walk(c.Count, func(k int) (references.FPDF_PAGEOBJECT, error) {
				r, err := d.inst.FPDFFormObj_GetObject(&requests.FPDFFormObj_GetObject{PageObject: form, Index: uint64(k)})
				if err != nil {
					return "", err
				}
				return r.PageObject, nil
			}, fm.then(space), depth+1)
			if err != nil {
				return err
			}
		}
		return nil
	}
	n, err := d.inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: d.page(i)})
	if err != nil {
		return false, err
	}
	err = walk(n.Count, func(k int) (references.FPDF_PAGEOBJECT, error) {
		r, err := d.inst.FPDFPage_GetObject(&requests.FPDFPage_GetObject{Page: d.page(i), Index: k})
		if err != nil {
			return "", err
		}
		return r.PageObject, nil
	}, page, 0)
	return complete, err
}

// Blank reports whether page i (0-based) draws nothing: its content holds
// no page object. Pages are rendered without their annotations, so a blank
// page renders as an empty sheet and holds no code; reading it can be
// skipped however large it is.
func (d *Document) Blank(i int) (bool, error) {
	if err := d.check(i); err != nil {
		return false, err
	}
	var n int
	err := d.call(func() error {
		r, err := d.inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: d.page(i)})
		if err != nil {
			return err
		}
		n = r.Count
		return nil
	})
	if err != nil {
		return false, d.wrap(fmt.Sprintf("page %d: counting objects", i+1), err)
	}
	return n == 0, nil
}
