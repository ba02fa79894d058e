package qr

import (
	"errors"
	"fmt"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// The bridge to gozxing's decoder (decoder.Decoder: Reed–Solomon, 7.5, and
// the bit stream, 7.4): a sampled module matrix, gated on its finder and
// timing modules, gets clean format and version information codewords and
// is decoded; failures are classified by the stage where they stopped.

// decodeEach decodes the module matrices modules(0), modules(1), … of
// grid g (count of them, thresholded differently) until one decodes, and
// returns the failure that got furthest. It stops early when a matrix
// fails before Reed–Solomon: the format information or the size is then
// wrong, and another threshold will not help.
func decodeEach(g *grid, inv bool, count int, modules func(i int) [][]bool) (Symbol, *candidateError) {
	var cerr *candidateError
	for i := 0; i < count; i++ {
		sym, e := decodeModules(modules(i), g, inv)
		if e == nil {
			return sym, nil
		}
		if cerr == nil || e.stage > cerr.stage {
			cerr = e
		}
		if e.stage < StageErrorCorrection {
			break
		}
	}
	return Symbol{}, cerr
}

// decodeModules decodes the module matrix m sampled from g.
func decodeModules(m [][]bool, g *grid, inv bool) (Symbol, *candidateError) {
	corners := g.corners()
	if f := functionAgreement(m); f < minFunctionAgreement {
		return Symbol{}, &candidateError{stage: StageAlignment, corners: corners, err: fmt.Errorf("qr: side %d: %.0f %% of the finder and timing modules match: %w", g.n, 100*f, ErrAlignment)}
	}
	cands := formatCandidates(m)
	if len(cands) == 0 {
		return Symbol{}, &candidateError{stage: StageFormat, corners: corners, err: fmt.Errorf("qr: side %d: %w", g.n, ErrFormatInfo)}
	}
	var cerr *candidateError
	for _, fc := range cands[:min(len(cands), 2)] {
		bm := cleanMatrix(m, g.n, fc)
		dr, err := decoder.NewDecoder().Decode(bm, nil)
		if err != nil {
			stage, sentinel := StageBitstream, ErrBitstream
			var ce gozxing.ChecksumException
			if errors.As(err, &ce) {
				stage, sentinel = StageErrorCorrection, ErrErrorCorrection
			} else if g.n >= 45 && !versionMatches(m, g.n) {
				stage, sentinel = StageVersion, ErrVersionInfo
			}
			if cerr == nil || stage > cerr.stage {
				cerr = &candidateError{stage: stage, corners: corners, err: fmt.Errorf("qr: side %d: %w: %v", g.n, sentinel, err)}
			}
			continue
		}
		mirrored := fc.transposed
		if md, ok := dr.GetOther().(*decoder.QRCodeDecoderMetaData); ok && md.IsMirrored() {
			// the decoder's own retry read the transpose of what it got
			mirrored = !mirrored
		}
		sym := Symbol{
			Text:            dr.GetText(),
			Version:         (g.n - 17) / 4,
			ECLevel:         dr.GetECLevel(),
			Mask:            fc.mask,
			ErrorsCorrected: dr.GetErrorsCorrected(),
			Mirrored:        mirrored,
			Inverted:        inv,
			ModuleSize:      g.moduleSize(),
			Corners:         corners,
		}
		if mirrored {
			// The decoder read the transpose: our top-right is the
			// symbol's bottom-left.
			sym.Corners[1], sym.Corners[3] = sym.Corners[3], sym.Corners[1]
		}
		sym.Bytes = SymbolBytes(dr.GetRawBytes(), sym.Version, dr.GetByteSegments(), sym.Text)
		return sym, nil
	}
	return Symbol{}, cerr
}

// cleanMatrix returns m as a gozxing bit matrix, transposed when fc is,
// with clean format information for fc and, for versions 7 and up, clean
// version information for an n×n symbol.
func cleanMatrix(m [][]bool, n int, fc formatCandidate) *gozxing.BitMatrix {
	bm, _ := gozxing.NewSquareBitMatrix(n)
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			if fc.transposed {
				bm.Set(y, x)
			} else {
				bm.Set(x, y)
			}
		}
	}
	put := func(x, y int, dark bool) {
		if dark {
			bm.Set(x, y)
		} else {
			bm.Unset(x, y)
		}
	}
	writeFormatBits(put, n, formatCodewords[fc.ecBits<<3|fc.mask])
	if n >= 45 {
		writeVersionBits(put, n, versionWord((n-17)/4))
	}
	return bm
}

// versionMatches reports whether either version information block of m
// decodes to the version of its size.
func versionMatches(m [][]bool, n int) bool {
	want := (n - 17) / 4
	for _, tr := range []bool{false, true} {
		var w uint32
		for j := 5; j >= 0; j-- {
			for i := n - 9; i >= n-11; i-- {
				x, y := i, j
				if tr {
					x, y = y, x
				}
				w <<= 1
				if m[y][x] {
					w |= 1
				}
			}
		}
		if v, _, ok := decodeVersionWord(w); ok && v == want {
			return true
		}
	}
	return false
}

// SymbolBytes returns a decoded symbol's bytes: PayloadBytes of its
// corrected data codewords, or, should that fail on a stream gozxing's
// decoder accepted, its byte segments, else its text. Both engines of the
// classic tier use it.
func SymbolBytes(data []byte, version int, segs [][]byte, text string) []byte {
	if b, err := PayloadBytes(data, version); err == nil {
		return b
	}
	var b []byte
	for _, seg := range segs {
		b = append(b, seg...)
	}
	if b == nil {
		b = []byte(text)
	}
	return b
}
