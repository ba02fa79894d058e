package invoice

import (
	"regexp"
	"strings"
)

// Switzerland / Liechtenstein — Swiss QR-bill (SIX Implementation
// Guidelines v2.3): UTF-8 lines (CR LF or LF), max 997 characters:
//
//	0–2   header SPC, 0200, coding type 1
//	3     IBAN or QR-IBAN (CH/LI, 21 characters)
//	4–10  creditor address (AdrTp S or K, name, street, number, postcode, town, country)
//	11–17 ultimate creditor (reserved, empty)
//	18–19 amount, currency CHF/EUR
//	20–26 ultimate debtor address (optional)
//	27–28 reference type QRR/SCOR/NON, reference
//	29–30 unstructured message, trailer EPD
//	31    structured billing information (Swico S1), 32–33 alternative procedures
//
// A QR-IBAN (IID 30000–31999) requires a QRR reference (mod 10 recursive);
// a plain IBAN requires SCOR (ISO 11649, mod 97) or NON.

var (
	chSignature = regexp.MustCompile(`^SPC\r?\n0200\r?\n`)
	chAmount    = regexp.MustCompile(`^\d{1,9}\.\d{2}$`)
)

func chQRBill() scheme {
	return scheme{
		Scheme: Scheme{ID: "ch-qrbill", Country: "CH", Name: "Swiss QR-bill (SIX)"},
		parse: func(text string) (*Invoice, bool) {
			if !chSignature.MatchString(text) {
				return nil, false
			}
			return parseCH(text), true
		},
	}
}

func parseCH(text string) *Invoice {
	b := newBuilder("ch-qrbill", "CH")
	f := &b.inv.Fields
	lines := splitLines(strings.TrimRight(text, "\r\n"))
	b.checkf("length", runeLen(text) <= 997, "at most 997 characters", "longer than 997 characters")
	if !b.checkf("element_count", len(lines) >= 31 && len(lines) <= 34, itoa(len(lines))+" elements",
		"expected 31–34 elements, got "+itoa(len(lines))) {
		return b.done()
	}
	for len(lines) < 34 {
		lines = append(lines, "")
	}
	b.checkf("coding_type", lines[2] == "1", "coding type 1", "coding type "+quote(lines[2])+" is not 1")
	iban := strings.ReplaceAll(lines[3], " ", "")
	f.Extra["iban"] = iban
	ibanOK := b.checkf("iban", len(iban) == 21 && (iban[:2] == "CH" || iban[:2] == "LI") && validIBAN(iban),
		"CH/LI IBAN, mod 97 right", "IBAN "+quote(iban)+" is not a valid 21-character CH/LI IBAN")
	qrIBAN := ibanOK && iban[4:9] >= "30000" && iban[4:9] <= "31999"
	f.IssuerName = lines[5]
	adr := lines[4]
	b.checkf("creditor", (adr == "S" || adr == "K") && lines[5] != "" && len(lines[10]) == 2,
		"creditor address complete", "creditor address needs AdrTp S/K, a name and a 2-letter country")
	empty := true
	for _, l := range lines[11:18] {
		empty = empty && l == ""
	}
	b.checkf("ultimate_creditor", empty, "ultimate creditor empty", "the ultimate creditor block must stay empty")
	if amt := lines[18]; amt != "" {
		ok := chAmount.MatchString(amt)
		if ok {
			f.Total, _ = ParseDecimal(amt)
			ok = f.Total.Cmp("0.01") >= 0
		}
		b.checkf("amount", ok, "amount 0.01–999999999.99", "amount "+quote(amt)+" is not 0.01–999999999.99 with 2 decimals")
	}
	f.Currency = lines[19]
	b.checkf("currency", lines[19] == "CHF" || lines[19] == "EUR", "currency "+lines[19], "currency "+quote(lines[19])+" is not CHF or EUR")
	if lines[21] != "" {
		f.Extra["debtor"] = lines[21]
	}
	refType, ref := lines[27], strings.ReplaceAll(lines[28], " ", "")
	f.Extra["reference_type"], f.Extra["reference"] = refType, ref
	f.DocumentID = ref
	switch refType {
	case "QRR":
		b.checkf("reference", validQRR(ref), "QR reference check digit is right", "QR reference "+quote(ref)+" fails mod 10 recursive")
		b.checkf("reference_type", qrIBAN, "QRR with a QR-IBAN", "a QRR reference requires a QR-IBAN (IID 30000–31999)")
	case "SCOR":
		b.checkf("reference", validRF(ref), "creditor reference mod 97 is right", "creditor reference "+quote(ref)+" fails ISO 11649")
		b.checkf("reference_type", !qrIBAN, "SCOR with an IBAN", "a QR-IBAN requires a QRR reference")
	case "NON":
		b.checkf("reference", ref == "", "no reference", "reference type NON must have an empty reference")
		b.checkf("reference_type", !qrIBAN, "NON with an IBAN", "a QR-IBAN requires a QRR reference")
	default:
		b.check("reference_type", false, "reference type "+quote(refType)+" is not QRR, SCOR or NON")
	}
	if lines[29] != "" {
		f.Extra["message"] = lines[29]
	}
	b.checkf("trailer", lines[30] == "EPD", "trailer EPD", "trailer "+quote(lines[30])+" is not EPD")
	b.checkf("additional_information", runeLen(lines[29])+runeLen(lines[31]) <= 140, "message and billing information ≤ 140",
		"message and billing information exceed 140 characters")
	if bill := lines[31]; bill != "" {
		f.Extra["billing_information"] = bill
		if strings.HasPrefix(bill, "//S1/") {
			parseSwicoS1(b, bill)
		}
	}
	return b.done()
}

// parseSwicoS1 reads the Swico S1 tags /10/ invoice number, /11/ date
// YYMMDD, /30/ UID. The structured billing information is advisory — a
// bank pays a bill whatever it holds — so its checks are warnings: a date
// in an older or foreign form (YYYYMMDD, DD.MM.YY, DD.MM.YYYY) is still
// read into Fields.Date, with a warning that it is not Swico's YYMMDD.
func parseSwicoS1(b *builder, bill string) {
	f := &b.inv.Fields
	parts := strings.Split(strings.TrimPrefix(bill, "//S1"), "/")
	// parts: "", tag, value, tag, value …; a value may itself hold "\/".
	for i := 1; i+1 < len(parts); i += 2 {
		tag, v := parts[i], parts[i+1]
		f.Extra["s1_"+tag] = v
		switch tag {
		case "10":
			f.DocumentID = v
		case "11":
			date, ok := swicoDate(v)
			f.Date = date
			switch {
			case ok:
				b.advise("s1_invoice_date", true, "Swico invoice date is a valid YYMMDD date")
			case date != "":
				b.advise("s1_invoice_date", false, "Swico /11/ "+quote(v)+" is a date but not in Swico's YYMMDD form")
			default:
				b.advise("s1_invoice_date", false, "Swico /11/ "+quote(v)+" is not a date")
			}
		case "30":
			f.IssuerTaxID = "CHE" + v
		}
	}
}

// swicoDate parses a Swico /11/ date: YYMMDD (ok true) or, for older
// billing software, YYYYMMDD, DD.MM.YY or DD.MM.YYYY (a date, ok false).
func swicoDate(v string) (date string, ok bool) {
	if isDigits(v, 6) {
		if d, ok := parseDate("20"+v, "20060102"); ok {
			return d, true
		}
	}
	d, _ := parseDate(v, "20060102", "02.01.06", "02.01.2006")
	return d, false
}
