package invoice

import (
	"regexp"
	"strings"
)

// Portugal — invoice QR code with ATCUD (AT, Portaria 195/2020, technical
// specification v1.1): '*'-separated CODE:value fields in a fixed order —
// A issuer NIF, B acquirer NIF, C country, D document type, E status, F date
// AAAAMMDD, G document id, H ATCUD, I1–I8 / J1–J8 / K1–K8 VAT breakdown per
// tax space, L, M stamp duty, N total taxes (VAT plus M), O document total, P withholding, Q four
// hash characters, R certificate number, S other info.

var (
	ptSignature = regexp.MustCompile(`^A:\d{9}\*B:`)
	ptATCUDRE   = regexp.MustCompile(`^[A-Z0-9]{8,}-(\d+)$`)
	ptCodes     = []string{"A", "B", "C", "D", "E", "F", "G", "H",
		"I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8", "J1", "J2", "J3", "J4", "J5", "J6", "J7", "J8",
		"K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "L", "M", "N", "O", "P", "Q", "R", "S"}
	ptMaxLen = map[string]int{"A": 9, "B": 30, "C": 12, "D": 2, "E": 1, "F": 8, "G": 60, "H": 70,
		"I1": 5, "J1": 5, "K1": 5, "Q": 4, "R": 4, "S": 65} // amounts: 16
	ptDocTypes = map[string]bool{"FT": true, "FS": true, "FR": true, "NC": true, "ND": true, "GR": true, "GT": true, "GA": true,
		"GC": true, "GD": true, "PF": true, "OR": true, "FO": true, "NE": true, "OU": true, "CM": true, "CC": true, "FC": true,
		"RC": true, "RG": true, "RP": true, "RE": true, "CS": true, "LD": true, "RA": true, "CA": true, "DC": true}
)

func ptAmountCode(c string) bool {
	switch c[0] {
	case 'I', 'J', 'K':
		return c[1] != '1'
	case 'L', 'M', 'N', 'O', 'P':
		return true
	}
	return false
}

func ptATCUD() scheme {
	return scheme{
		Scheme: Scheme{ID: "pt-atcud", Country: "PT", Name: "Invoice QR code with ATCUD (AT)"},
		parse: func(text string) (*Invoice, bool) {
			t := strings.TrimSpace(text)
			if !ptSignature.MatchString(t) {
				return nil, false
			}
			return parsePT(t), true
		},
	}
}

func parsePT(t string) *Invoice {
	b := newBuilder("pt-atcud", "PT")
	f := &b.inv.Fields
	f.Currency = "EUR"
	vals := map[string]string{}
	orderOK, known := true, true
	last := -1
	for _, field := range strings.Split(t, "*") {
		code, v, _ := strings.Cut(field, ":")
		idx := -1
		for i, c := range ptCodes {
			if c == code {
				idx = i
				break
			}
		}
		if idx < 0 {
			known = false
			continue
		}
		if idx <= last {
			orderOK = false
		}
		last = idx
		vals[code] = v
		f.Extra[code] = v
	}
	b.checkf("known_codes", known, "every field has a known code", "a field has an unknown code")
	b.checkf("field_order", orderOK, "fields in specification order without repeats", "fields out of order or repeated")
	get := func(k string) (string, bool) { v, ok := vals[k]; return v, ok }
	b.requireKeys(get, "A", "B", "C", "D", "E", "F", "G", "H", "I1", "N", "O", "Q", "R")
	var tooLong []string
	for _, c := range ptCodes {
		v, has := vals[c]
		max, ok := ptMaxLen[c]
		if !ok {
			max = 16
		}
		if has && runeLen(v) > max {
			tooLong = append(tooLong, c)
		}
	}
	b.checkf("field_lengths", len(tooLong) == 0, "every field within its maximum length", "too long: "+strings.Join(tooLong, ", "))

	f.IssuerTaxID, f.ReceiverTaxID = vals["A"], vals["B"]
	f.DocumentType, f.DocumentID = vals["D"], vals["G"]
	b.checkf("issuer_nif_check_digit", validNIFPT(vals["A"]), "issuer NIF check digit is right", "issuer NIF "+quote(vals["A"])+" is invalid")
	if vals["C"] == "PT" {
		b.checkf("acquirer_nif_check_digit", validNIFPT(vals["B"]), "acquirer NIF check digit is right", "acquirer NIF "+quote(vals["B"])+" is invalid")
	}
	b.checkf("document_type", ptDocTypes[vals["D"]], "document type "+vals["D"], "document type "+quote(vals["D"])+" is not an AT type")
	date, ok := parseDate(vals["F"], "20060102")
	b.checkf("date", ok, "document date is valid", "document date "+quote(vals["F"])+" is not a valid AAAAMMDD date")
	f.Date = date

	amountsOK := true
	var vat []Decimal
	var stamp Decimal
	for _, c := range ptCodes {
		v, has := vals[c]
		if !has || !ptAmountCode(c) {
			continue
		}
		d, err := ParseDecimal(v)
		if _, fr := digitCounts(v); err != nil || fr != 2 || d.Sign() < 0 {
			amountsOK = false
			b.check("amount_"+strings.ToLower(c), false, c+" "+quote(v)+" is not an amount with 2 decimals")
			continue
		}
		switch c {
		case "I4", "I6", "I8", "J4", "J6", "J8", "K4", "K6", "K8":
			vat = append(vat, d)
		case "M":
			stamp = d
		case "N":
			f.Tax = d
		case "O":
			f.Total = d
		}
	}
	b.checkf("amounts", amountsOK, "every amount has 2 decimals", "some amounts are malformed")
	if amountsOK && f.Tax != "" && f.Total != "" {
		// N is the total of taxes: every VAT amount plus the stamp duty M
		// (the AT specification's FT example: VAT 63975.02 + M 25.00 =
		// N 64000.02). All are 2-decimal amounts, so the sum is exact.
		sum := sumDecimals(append(vat, stamp)...)
		b.checkf("taxes_sum", sum.Cmp(f.Tax) == 0, "N equals the VAT amounts plus stamp duty M ("+sum.String()+")",
			"N "+f.Tax.String()+" differs from the VAT amounts plus stamp duty M, "+sum.String())
		b.checkf("total_ge_taxes", f.Total.Cmp(f.Tax) >= 0, "O ≥ N", "O "+f.Total.String()+" is below N "+f.Tax.String())
	}
	h := vals["H"]
	seqDetail, seqOK := "", false
	number := vals["G"][strings.LastIndexByte(vals["G"], '/')+1:]
	switch m := ptATCUDRE.FindStringSubmatch(h); {
	case h == "0":
		seqOK, seqDetail = true, "ATCUD not yet applicable (0)"
	case m != nil:
		seqOK = m[1] == number
		seqDetail = "ATCUD sequence " + m[1] + " vs document number " + number
	case isUpperAlnum(h) && number != "" && strings.HasSuffix(h, number):
		// The Portaria's own section-5 examples predate the hyphenated form.
		seqOK, seqDetail = true, "legacy ATCUD without hyphen ends with the document number"
	default:
		seqDetail = "ATCUD " + quote(h) + " is not <validation code>-<sequence> or 0"
	}
	b.check("atcud", seqOK, seqDetail)
	b.checkf("hash_chars", len(vals["Q"]) == 4 && isBase64Chars(vals["Q"]), "Q is 4 Base64 characters", "Q "+quote(vals["Q"])+" is not 4 Base64 characters")
	b.checkf("certificate", isDigits(vals["R"], 0) && len(vals["R"]) <= 4, "R is a certificate number", "R "+quote(vals["R"])+" is not ≤ 4 digits")
	return b.done()
}

func isUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('A' <= s[i] && s[i] <= 'Z' || '0' <= s[i] && s[i] <= '9') {
			return false
		}
	}
	return s != ""
}
