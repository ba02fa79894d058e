package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/qrcascade/qrcascade/internal/geom"
)

// Scenario names, also used as Scene.Name and manifest category.
const (
	NameCleanInvoice = "clean_invoice"
	NameBlurryPhoto  = "blurry_photo"
	NameSmall4K      = "small_4k"
	NameDamaged      = "damaged"
)

// streamScenario seeds the random choices a scenario makes when it builds
// its Spec (distinct from the streams Render uses).
const streamScenario = 100

// Scenario is a named family of scenes that operators recognise; Spec builds
// the member for a seed.
type Scenario struct {
	Name string
	Spec func(seed uint64) Spec
}

// Scenarios returns the four standard scenarios in a fixed order:
// clean_invoice, blurry_photo, small_4k, damaged.
func Scenarios() []Scenario {
	return []Scenario{
		{NameCleanInvoice, CleanInvoiceSpec},
		{NameBlurryPhoto, BlurryPhotoSpec},
		{NameSmall4K, Small4KSpec},
		{NameDamaged, DamagedSpec},
	}
}

// mustRender renders a scenario spec. Scenario specs are valid by
// construction, so an error here is a bug in this package.
func mustRender(s Spec, seed uint64) *Scene {
	sc, err := Render(s, seed)
	if err != nil {
		panic(fmt.Sprintf("synth: scenario %s seed %d: %v", s.Name, seed, err))
	}
	return sc
}

// CleanInvoice renders CleanInvoiceSpec(seed). It panics only on an internal
// error.
func CleanInvoice(seed uint64) *Scene { return mustRender(CleanInvoiceSpec(seed), seed) }

// BlurryPhoto renders BlurryPhotoSpec(seed). It panics only on an internal
// error.
func BlurryPhoto(seed uint64) *Scene { return mustRender(BlurryPhotoSpec(seed), seed) }

// Small4K renders Small4KSpec(seed). It panics only on an internal error.
func Small4K(seed uint64) *Scene { return mustRender(Small4KSpec(seed), seed) }

// Damaged renders DamagedSpec(seed). It panics only on an internal error.
func Damaged(seed uint64) *Scene { return mustRender(DamagedSpec(seed), seed) }

// CleanInvoiceSpec describes a clean digital invoice page: 1240×1754 (A4 at
// 150 dpi, about 2.2 MP) with text lines, a table, a logo and a 1D barcode,
// and one upright symbol of 3–4 px per module with an invoice-style payload
// in the lower right.
// No degradation.
func CleanInvoiceSpec(seed uint64) Spec {
	rng := stream(seed, streamScenario)
	return Spec{
		Name:       NameCleanInvoice,
		W:          1240,
		H:          1754,
		Background: BackgroundInvoice,
		Symbols: []Symbol{{
			Code:     Code{Text: invoiceText(rng)},
			ModulePx: 3 + rng.Float64(),
			// Lower right of the page, where invoices put the code.
			Center: geom.Point{X: 1240 * (0.68 + 0.12*rng.Float64()), Y: 1754 * (0.8 + 0.06*rng.Float64())},
		}},
	}
}

// BlurryPhotoSpec describes a 2048×1536 (3.1 MP) phone photo of an invoice:
// the page rotated by up to ±12° with perspective, on a photo-like
// background; the symbol printed on the page (5–6 page pixels per module);
// Gaussian blur σ 0.8–1.2, a shadow, sometimes glare, noise σ 3–5 and JPEG
// at quality 70–85. Still readable.
func BlurryPhotoSpec(seed uint64) Spec {
	rng := stream(seed, streamScenario)
	const w, h = 2048, 1536
	ph := 1300 + 150*rng.Float64()
	pw := ph / math.Sqrt2
	page := geom.Quad{{X: 0, Y: 0}, {X: pw, Y: 0}, {X: pw, Y: ph}, {X: 0, Y: ph}}
	// Page in the image: rotate about its centre, jitter the corners, and
	// move the centre near the image centre.
	rot := (2*rng.Float64() - 1) * 12 * math.Pi / 180
	sin, cos := math.Sincos(rot)
	cx := w/2 + (2*rng.Float64()-1)*150
	cy := h/2 + (2*rng.Float64()-1)*40
	var img geom.Quad
	for k, p := range page {
		x := p.X - pw/2 + (2*rng.Float64()-1)*0.04*pw
		y := p.Y - ph/2 + (2*rng.Float64()-1)*0.04*ph
		img[k] = geom.Point{X: cx + x*cos - y*sin, Y: cy + x*sin + y*cos}
	}
	toImage, _ := geom.QuadToQuad(page, img)

	text := invoiceText(rng)
	n := float64(versionFor(text))
	mod := 5 + rng.Float64()
	side := n * mod
	// The symbol sits in the lower right quarter of the page.
	x0 := pw*0.55 + rng.Float64()*(pw*0.4-side)
	y0 := ph*0.6 + rng.Float64()*(ph*0.35-side)
	sq := geom.Quad{{X: x0, Y: y0}, {X: x0 + side, Y: y0}, {X: x0 + side, Y: y0 + side}, {X: x0, Y: y0 + side}}
	for k := range sq {
		sq[k] = toImage.Apply(sq[k])
	}
	glare := 0.0
	if rng.IntN(2) == 0 {
		glare = 0.2 + 0.3*rng.Float64()
	}
	return Spec{
		Name:        NameBlurryPhoto,
		W:           w,
		H:           h,
		Background:  BackgroundInvoice,
		Page:        img,
		Symbols:     []Symbol{{Code: Code{Text: text}, Quad: sq}},
		Shadow:      0.25 + 0.25*rng.Float64(),
		Glare:       glare,
		Contrast:    0.75 + 0.2*rng.Float64(),
		Blur:        0.8 + 0.4*rng.Float64(),
		Noise:       3 + 2*rng.Float64(),
		JPEGQuality: 70 + rng.IntN(16),
	}
}

// Small4KSpec describes a 3840×2160 photo-like scene holding one symbol about
// 250 px wide (quiet zone excluded), rotated by up to ±30° with mild
// perspective, blur σ 0.7, noise σ 3 and JPEG quality 85: the case where
// shrinking the whole image destroys the code.
func Small4KSpec(seed uint64) Spec {
	rng := stream(seed, streamScenario)
	text := invoiceText(rng)
	n := float64(versionFor(text))
	return Spec{
		Name:       NameSmall4K,
		W:          3840,
		H:          2160,
		Background: BackgroundPhoto,
		Symbols: []Symbol{{
			Code:        Code{Text: text},
			ModulePx:    (230 + 40*rng.Float64()) / n,
			Rotation:    (2*rng.Float64() - 1) * 30,
			Perspective: 0.05 * rng.Float64(),
		}},
		Blur:        0.7,
		Noise:       3,
		JPEGQuality: 85,
	}
}

// DamagedSpec describes an invoice page whose symbol (4 px per module) has a
// finder pattern blotted out and more than half of its area covered by ink
// and white-out blots: no reader should decode it, and its Truth has
// Readable == false.
func DamagedSpec(seed uint64) Spec {
	rng := stream(seed, streamScenario)
	return Spec{
		Name:       NameDamaged,
		Background: BackgroundInvoice,
		Symbols: []Symbol{{
			Code:         Code{Text: invoiceText(rng)},
			ModulePx:     4,
			Damage:       0.55 + 0.1*rng.Float64(),
			DamageFinder: true,
		}},
	}
}

// versionFor returns the dimension N of the symbol gozxing's encoder picks
// for text at level M (it is deterministic, so encoding twice agrees).
func versionFor(text string) int {
	s, err := encode(Code{Text: text})
	if err != nil {
		panic(fmt.Sprintf("synth: scenario text does not encode: %v", err))
	}
	return s.n
}

// invoiceText returns a tax-authority invoice QR payload that
// internal/invoice judges valid: a Mexican CFDI verification URL (RFCs with
// valid dates and check digits), an EPC (SEPA credit transfer) record (an
// IBAN that passes mod 97) or a Spanish VERI*FACTU URL (a CIF with its
// control digit).
func invoiceText(rng *rand.Rand) string {
	digits := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	upper := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteByte(byte('A' + rng.IntN(26)))
		}
		return b.String()
	}
	hex := func(k int) string {
		const h = "0123456789ABCDEF"
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteByte(h[rng.IntN(16)])
		}
		return b.String()
	}
	amount := fmt.Sprintf("%d.%02d", 1+rng.IntN(99999), rng.IntN(100))
	// The draws below are those of the earlier generator, in the same
	// order, so every scenario keeps its geometry; the identifiers are then
	// completed with valid dates and check digits (taxid.go).
	switch rng.IntN(3) {
	case 0:
		id := hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12)
		re := upper(3) + validYYMMDD(digits(6)) + hex(3)
		rr := upper(4) + validYYMMDD(digits(6)) + hex(3)
		return fmt.Sprintf("https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=%s&re=%s&rr=%s&tt=%s&fe=%s",
			id, rfcMX(re[:11]), rfcMX(rr[:12]), amount, hex(8))
	case 1:
		bic, name := upper(8), upper(6)
		return fmt.Sprintf("BCD\n002\n1\nSCT\n%s\n%s GmbH\n%s\nEUR%s\n\n\nRE-%s",
			bic, name, ibanDE(digits(20)[2:]), amount, digits(8))
	default:
		nif := cifES('B', digits(8)[:7])
		return fmt.Sprintf("https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=%s&numserie=F%s&fecha=%02d-%02d-2025&importe=%s",
			nif, digits(6), 1+rng.IntN(28), 1+rng.IntN(12), amount)
	}
}

// TwoCodes renders two codes side by side on plain paper (900×500, module
// 5 px); with wipe, the centre of the second is wiped (Scene.WipeCentre
// 0.45), so that a reader reads the first and locates but cannot decode
// the second. It is a test fixture for partial reads.
func TwoCodes(wipe bool) *Scene {
	sc := mustRender(Spec{W: 900, H: 500, Symbols: []Symbol{
		{Code: Code{Text: "first code, intact"}, ModulePx: 5, Center: geom.Point{X: 220, Y: 250}},
		{Code: Code{Text: "second code, its data wiped"}, ModulePx: 5, Center: geom.Point{X: 660, Y: 250}},
	}}, 1)
	if wipe {
		sc.WipeCentre(1, 0.45)
	}
	return sc
}
