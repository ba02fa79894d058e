package invoice

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ErrNotDecimal is wrapped by ParseDecimal's error for text that is not a
// plain decimal number.
var ErrNotDecimal = errors.New("invoice: not a decimal number")

// Decimal is an exact decimal amount in canonical form: an optional '-', the
// integer part without leading zeros, and the fraction without trailing zeros
// (no '.' when the fraction is empty). "0000014300.000000" is "14300",
// "48399.50" is "48399.5". The zero value "" means "absent", which JSON omits.
//
// Decimal never passes through float64.
type Decimal string

// ParseDecimal parses the tolerant forms found in invoice payloads: an
// optional sign, digits, and an optional '.' followed by digits. Exponents,
// thousands separators and decimal commas are rejected.
func ParseDecimal(s string) (Decimal, error) {
	t := s
	neg := false
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	} else if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	in, fr, hasDot := strings.Cut(t, ".")
	if in == "" && (!hasDot || fr == "") || hasDot && fr == "" || !allDigits(in) || !allDigits(fr) {
		return "", fmt.Errorf("%w: %q", ErrNotDecimal, s)
	}
	in = strings.TrimLeft(in, "0")
	if in == "" {
		in = "0"
	}
	fr = strings.TrimRight(fr, "0")
	out := in
	if fr != "" {
		out += "." + fr
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return Decimal(out), nil
}

// String returns the canonical form.
func (d Decimal) String() string { return string(d) }

// Rat returns d as an exact rational, or nil for the zero value.
func (d Decimal) Rat() *big.Rat {
	if d == "" {
		return nil
	}
	r, ok := new(big.Rat).SetString(string(d))
	if !ok {
		return nil
	}
	return r
}

// Sign returns -1, 0 or +1; the zero value counts as 0.
func (d Decimal) Sign() int {
	if r := d.Rat(); r != nil {
		return r.Sign()
	}
	return 0
}

// Cmp compares d and e as numbers (absent counts as 0).
func (d Decimal) Cmp(e Decimal) int {
	a, b := d.Rat(), e.Rat()
	if a == nil {
		a = new(big.Rat)
	}
	if b == nil {
		b = new(big.Rat)
	}
	return a.Cmp(b)
}

// sumDecimals adds ds exactly.
func sumDecimals(ds ...Decimal) Decimal {
	sum := new(big.Rat)
	for _, d := range ds {
		if r := d.Rat(); r != nil {
			sum.Add(sum, r)
		}
	}
	out, _ := ParseDecimal(sum.FloatString(12))
	return out
}

// digitCounts returns the number of integer and fraction digits of a raw
// decimal string, as written.
func digitCounts(s string) (intDigits, fracDigits int) {
	s = strings.TrimLeft(s, "+-")
	in, fr, _ := strings.Cut(s, ".")
	return len(in), len(fr)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDigits reports whether s is n ASCII digits (any length ≥ 1 when n == 0).
func isDigits(s string, n int) bool {
	if n == 0 {
		return s != "" && allDigits(s)
	}
	return len(s) == n && allDigits(s)
}

func itoa(n int) string { return strconv.Itoa(n) }

func quote(s string) string { return strconv.Quote(s) }
