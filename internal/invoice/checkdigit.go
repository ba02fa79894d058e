package invoice

// Check-digit algorithms, as restated in Appendix A of the reference
// (invoice-qr-formats.md). Each function takes the identifier as printed and
// reports whether its check digit or character is right; malformed input
// (wrong length, non-digits) is simply not valid.

import (
	"strings"
	"unicode/utf8"
)

// weightedSum returns Σ digit(s[i])·w[i]; s must be ASCII digits.
func weightedSum(s string, w []int) int {
	sum := 0
	for i, wi := range w {
		sum += int(s[i]-'0') * wi
	}
	return sum
}

// sumFromRight returns Σ digit·weight with weights lo..hi repeating, applied
// from the rightmost character of s (the check digit is not part of s).
func sumFromRight(s string, lo, hi int) int {
	sum, w := 0, lo
	for i := len(s) - 1; i >= 0; i-- {
		sum += int(s[i]-'0') * w
		if w++; w > hi {
			w = lo
		}
	}
	return sum
}

// rfcAlphabet maps each RFC character to its value (index), Appendix A "MX RFC".
const rfcAlphabet = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"

// rfcGeneric are the SAT generic RFCs, which do not satisfy the check digit.
var rfcGeneric = map[string]bool{"XAXX010101000": true, "XEXX010101000": true}

// validRFCCheckDigit checks a Mexican RFC (12 chars company, 13 individual).
func validRFCCheckDigit(rfc string) bool {
	if rfcGeneric[rfc] {
		return true
	}
	runes := []rune(rfc)
	if len(runes) == 12 {
		runes = append([]rune{' '}, runes...)
	}
	if len(runes) != 13 {
		return false
	}
	alphabet := []rune(rfcAlphabet)
	sum := 0
	for i := 0; i < 12; i++ {
		v := -1
		for j, a := range alphabet {
			if a == runes[i] {
				v = j
				break
			}
		}
		if v < 0 {
			return false
		}
		sum += v * (13 - i)
	}
	var want rune
	switch r := 11 - sum%11; r {
	case 11:
		want = '0'
	case 10:
		want = 'A'
	default:
		want = rune('0' + r)
	}
	return runes[12] == want
}

// validCUIT checks an Argentine CUIT/CUIL (11 digits).
func validCUIT(s string) bool {
	if !isDigits(s, 11) {
		return false
	}
	r := 11 - weightedSum(s, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2})%11
	switch r {
	case 11:
		r = 0
	case 10:
		r = 9
	}
	return int(s[10]-'0') == r
}

// validRUCPE checks a Peruvian RUC (11 digits).
func validRUCPE(s string) bool {
	if !isDigits(s, 11) {
		return false
	}
	d := 11 - weightedSum(s, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2})%11
	switch d {
	case 10:
		d = 0
	case 11:
		d = 1
	}
	return int(s[10]-'0') == d
}

// nitDV returns the Colombian NIT check digit of the digits nit.
func nitDV(nit string) int {
	w := []int{3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71}
	sum := 0
	for i := 0; i < len(nit) && i < len(w); i++ {
		sum += int(nit[len(nit)-1-i]-'0') * w[i]
	}
	if r := sum % 11; r >= 2 {
		return 11 - r
	}
	return sum % 11
}

// validRUTUY checks a Uruguayan RUT (12 digits).
func validRUTUY(s string) bool {
	if !isDigits(s, 12) {
		return false
	}
	d := 11 - weightedSum(s, []int{4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2})%11
	if d == 10 {
		return false
	}
	if d == 11 {
		d = 0
	}
	return int(s[11]-'0') == d
}

// validRNC checks a Dominican RNC (9 digits).
func validRNC(s string) bool {
	if !isDigits(s, 9) {
		return false
	}
	var dv int
	switch m := weightedSum(s, []int{7, 9, 8, 6, 5, 4, 3, 2}) % 11; m {
	case 0:
		dv = 2
	case 1:
		dv = 1
	default:
		dv = 11 - m
	}
	return int(s[8]-'0') == dv
}

// luhnValid checks a string of digits whose last digit is a Luhn check digit.
func luhnValid(s string) bool {
	if !isDigits(s, 0) {
		return false
	}
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// pyDV returns the Paraguayan mod-11 check digit (RUC and CDC) of digits s.
func pyDV(s string) int {
	r := sumFromRight(s, 2, 11) % 11
	if r <= 1 {
		return 0
	}
	return 11 - r
}

// validBRChave checks a 44-digit NF-e/NFC-e access key.
func validBRChave(s string) bool {
	if !isDigits(s, 44) {
		return false
	}
	dv := 0
	if r := sumFromRight(s[:43], 2, 9) % 11; r >= 2 {
		dv = 11 - r
	}
	return int(s[43]-'0') == dv
}

// validNIFPT checks a Portuguese NIF (9 digits).
func validNIFPT(s string) bool {
	if !isDigits(s, 9) {
		return false
	}
	dv := 0
	if r := weightedSum(s, []int{9, 8, 7, 6, 5, 4, 3, 2}) % 11; r >= 2 {
		dv = 11 - r
	}
	return int(s[8]-'0') == dv
}

// validNIP checks a Polish NIP (10 digits; the rule is [UNCONFIRMED] in the
// reference but matches the official KSeF sample).
func validNIP(s string) bool {
	if !isDigits(s, 10) {
		return false
	}
	c := weightedSum(s, []int{6, 5, 7, 2, 3, 4, 5, 6, 7}) % 11
	return c != 10 && int(s[9]-'0') == c
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// nifKind names the kind of Spanish tax id validNIFES recognised.
type nifKind string

const (
	nifDNI nifKind = "DNI"
	nifNIE nifKind = "NIE"
	nifKLM nifKind = "NIF K/L/M"
	nifCIF nifKind = "CIF"
)

// validNIFES checks a Spanish NIF: DNI (8 digits + letter), NIE (X/Y/Z + 7
// digits + letter), K/L/M personal NIFs, or a CIF (entity letter + 7 digits
// + control digit or letter; rule [UNCONFIRMED] in the reference).
func validNIFES(s string) (nifKind, bool) {
	if len(s) != 9 {
		return "", false
	}
	s = strings.ToUpper(s)
	switch c := s[0]; {
	case '0' <= c && c <= '9':
		if !isDigits(s[:8], 8) {
			return nifDNI, false
		}
		return nifDNI, s[8] == dniLetters[atoiSmall(s[:8])%23]
	case c == 'X' || c == 'Y' || c == 'Z':
		if !isDigits(s[1:8], 7) {
			return nifNIE, false
		}
		n := string(rune('0'+strings.IndexByte("XYZ", c))) + s[1:8]
		return nifNIE, s[8] == dniLetters[atoiSmall(n)%23]
	case c == 'K' || c == 'L' || c == 'M':
		if isDigits(s[1:8], 7) && s[8] >= 'A' && s[8] <= 'Z' {
			return nifKLM, s[8] == dniLetters[atoiSmall(s[1:8])%23]
		}
		fallthrough
	case strings.IndexByte("ABCDEFGHJNPQRSUVW", c) >= 0:
		if !isDigits(s[1:8], 7) {
			return nifCIF, false
		}
		sum := 0
		for i := 1; i <= 7; i++ {
			d := int(s[i] - '0')
			if i%2 == 1 { // odd positions (1st, 3rd, 5th, 7th digit) are doubled
				d *= 2
				d = d/10 + d%10
			}
			sum += d
		}
		ctl := (10 - sum%10) % 10
		digit, letter := byte('0'+ctl), "JABCDEFGHI"[ctl]
		switch {
		case strings.IndexByte("KPQSNW", c) >= 0:
			return nifCIF, s[8] == letter
		case strings.IndexByte("ABEH", c) >= 0:
			return nifCIF, s[8] == digit
		}
		return nifCIF, s[8] == digit || s[8] == letter
	}
	return "", false
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// crc8 is CRC-8 with polynomial 0x07, initial value 0, MSB first, no final
// XOR (TicketBAI, Appendix A).
func crc8(data []byte) uint8 {
	var crc uint8
	for _, b := range data {
		crc ^= b
		for i := 0; i < 8; i++ {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ 0x07
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// crc16CCITTFalse is CRC-16/CCITT-FALSE: polynomial 0x1021, initial value
// 0xFFFF, MSB first, no final XOR (EMVCo, Appendix A).
func crc16CCITTFalse(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range data {
		crc ^= uint16(b) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// validQRR checks a 27-digit Swiss QR reference (mod 10 recursive).
func validQRR(s string) bool {
	if !isDigits(s, 27) || strings.Trim(s, "0") == "" {
		return false
	}
	table := [10]int{0, 9, 4, 6, 8, 2, 7, 1, 3, 5}
	carry := 0
	for i := 0; i < 26; i++ {
		carry = table[(carry+int(s[i]-'0'))%10]
	}
	return int(s[26]-'0') == (10-carry)%10
}

// mod97 moves the first four characters to the end, maps letters A–Z to
// 10–35, and returns the number modulo 97; IBANs and ISO 11649 creditor
// references are valid when it is 1. It returns -1 on other characters.
func mod97(s string) int {
	if len(s) < 5 {
		return -1
	}
	s = strings.ToUpper(s[4:] + s[:4])
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case 'A' <= c && c <= 'Z':
			r = (r*100 + int(c-'A'+10)) % 97
		default:
			return -1
		}
	}
	return r
}

// validIBAN checks length bounds, the country letters and mod 97.
func validIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 || !isUpperAlpha(s[:2]) || !isDigits(s[2:4], 2) {
		return false
	}
	return mod97(s) == 1
}

// validRF checks an ISO 11649 creditor reference ("RF" + 2 digits + ≤21).
func validRF(s string) bool {
	return len(s) >= 5 && len(s) <= 25 && strings.HasPrefix(s, "RF") && isDigits(s[2:4], 2) && mod97(s) == 1
}

const base36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// validGSTINCheckChar checks the 15th character of an Indian GSTIN.
func validGSTINCheckChar(s string) bool {
	if len(s) != 15 {
		return false
	}
	sum := 0
	for i := 0; i < 14; i++ {
		v := strings.IndexByte(base36, s[i])
		if v < 0 {
			return false
		}
		p := v * (1 + i%2)
		sum += p/36 + p%36
	}
	return s[14] == base36[(36-sum%36)%36]
}

func isUpperAlpha(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// runeLen is the length of s in characters.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
