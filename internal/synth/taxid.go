package synth

import (
	"strconv"
	"strings"
)

// Check digits for the identifiers invoiceText prints, so that a generated
// payload is one an authority would accept (#14): internal/invoice judges
// every scenario payload valid. Each function completes random digits
// drawn by the caller; none draws from the random source itself, so the
// scenario streams are unchanged.

// ibanDE returns the German IBAN with the 18-digit BBAN bban: "DE", the two
// ISO 13616 check digits (98 − the number mod 97, with the check digits
// "00" and the country moved to the end) and bban.
func ibanDE(bban string) string {
	r := 0
	for _, c := range bban + "131400" { // D=13, E=14, check digits 00
		r = (r*10 + int(c-'0')) % 97
	}
	return "DE" + pad2(98-r) + bban
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// validYYMMDD maps six random digits to a valid date YYMMDD: the year is
// kept, the month and day are folded into 01–12 and 01–28.
func validYYMMDD(d string) string {
	mm, _ := strconv.Atoi(d[2:4])
	dd, _ := strconv.Atoi(d[4:6])
	return d[:2] + pad2(1+mm%12) + pad2(1+dd%28)
}

// rfcAlphabet gives each RFC character its value (SAT, appendix A of the
// reference): the index in this string.
const rfcAlphabet = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"

// rfcMX returns the Mexican RFC whose first 12 (individual) or 11
// (company) characters are body, with its check digit appended.
func rfcMX(body string) string {
	padded := body
	if len(body) == 11 {
		padded = " " + body
	}
	sum := 0
	for i, c := range padded {
		sum += strings.IndexRune(rfcAlphabet, c) * (13 - i)
	}
	switch r := 11 - sum%11; r {
	case 11:
		return body + "0"
	case 10:
		return body + "A"
	default:
		return body + strconv.Itoa(r)
	}
}

// cifES returns the Spanish CIF of entity letter letter (one whose control
// character is a digit, such as B) and seven digits.
func cifES(letter byte, digits string) string {
	sum := 0
	for i := 0; i < 7; i++ {
		d := int(digits[i] - '0')
		if i%2 == 0 { // the 1st, 3rd, 5th and 7th digits are doubled
			d *= 2
			d = d/10 + d%10
		}
		sum += d
	}
	return string(letter) + digits + strconv.Itoa((10-sum%10)%10)
}
