package invoice

import (
	"regexp"
	"strings"
)

// SEPA — EPC QR code, "GiroCode" (EPC069-12 v3.0): up to 12 lines (LF or
// CR LF): BCD, version 001/002, character set 1–8, SCT, BIC, beneficiary
// name, IBAN, EUR+amount, purpose, structured reference (ISO 11649 RF,
// mod 97 checked, or another creditor reference, which is not) or unstructured
// text (never both), beneficiary-to-originator information; at most 331 bytes.

var (
	epcSignature = regexp.MustCompile(`^BCD\r?\n00[12]\r?\n`)
	epcBIC       = regexp.MustCompile(`^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$`)
	epcAmount    = regexp.MustCompile(`^EUR(\d{1,9}(\.\d{1,2})?)$`)
)

func epcGiroCode() scheme {
	return scheme{
		Scheme: Scheme{ID: "eu-epc", Name: "EPC QR code / GiroCode (SEPA credit transfer)"},
		parse: func(text string) (*Invoice, bool) {
			if !epcSignature.MatchString(text) {
				return nil, false
			}
			b := newBuilder("eu-epc", "")
			f := &b.inv.Fields
			f.Currency = "EUR"
			b.checkf("size", len(text) <= 331, "at most 331 bytes", "payload exceeds 331 bytes")
			lines := splitLines(strings.TrimRight(text, "\r\n"))
			if !b.checkf("line_count", len(lines) >= 7 && len(lines) <= 12, itoa(len(lines))+" lines", "expected 7–12 lines, got "+itoa(len(lines))) {
				return b.done(), true
			}
			for len(lines) < 12 {
				lines = append(lines, "")
			}
			names := []string{"service_tag", "version", "charset", "identification", "bic", "name", "iban", "amount", "purpose", "reference", "text", "information"}
			for i, n := range names {
				if lines[i] != "" {
					f.Extra[n] = lines[i]
				}
			}
			b.checkf("charset", len(lines[2]) == 1 && lines[2] >= "1" && lines[2] <= "8", "character set "+lines[2], "character set "+quote(lines[2])+" is not 1–8")
			b.checkf("identification", lines[3] == "SCT", "identification SCT", "identification "+quote(lines[3])+" is not SCT")
			bic := lines[4]
			b.checkf("bic", bic == "" && lines[1] == "002" || epcBIC.MatchString(bic), "BIC well formed (or omitted in version 002)",
				"BIC "+quote(bic)+" is malformed or missing (mandatory in version 001)")
			f.IssuerName = lines[5]
			b.checkf("name", lines[5] != "" && runeLen(lines[5]) <= 70, "beneficiary name 1–70 characters", "beneficiary name must be 1–70 characters")
			iban := strings.ReplaceAll(lines[6], " ", "")
			f.Extra["iban"] = iban
			b.checkf("iban", validIBAN(iban), "IBAN mod 97 right", "IBAN "+quote(iban)+" is invalid")
			if amt := lines[7]; amt != "" {
				m := epcAmount.FindStringSubmatch(amt)
				ok := m != nil
				if ok {
					f.Total, _ = ParseDecimal(m[1])
					ok = f.Total.Cmp("0.01") >= 0 && f.Total.Cmp("999999999.99") <= 0
				}
				b.checkf("amount", ok, "amount EUR 0.01–999999999.99", "amount "+quote(amt)+" is not EUR0.01–EUR999999999.99")
			}
			b.checkf("purpose", len(lines[8]) <= 4, "purpose ≤ 4 characters", "purpose code longer than 4 characters")
			ref, txt := lines[9], lines[10]
			b.checkf("remittance", ref == "" || txt == "", "reference or text, not both", "a structured reference and a text are both present")
			if ref != "" {
				f.DocumentID = ref
				// The guideline says an ISO 11649 RF reference *may* be
				// used: only an RF reference has a check a reader can run.
				if strings.HasPrefix(ref, "RF") {
					b.checkf("reference", len(ref) <= 35 && validRF(ref), "RF creditor reference mod 97 right", "reference "+quote(ref)+" fails ISO 11649")
				} else {
					b.checkf("reference_length", len(ref) <= 35, "structured reference ≤ 35 characters (not RF: no check digit to verify)",
						"structured reference longer than 35 characters")
				}
			}
			if txt != "" {
				b.checkf("text", runeLen(txt) <= 140, "text ≤ 140 characters", "text longer than 140 characters")
			}
			b.checkf("information", runeLen(lines[11]) <= 70, "information ≤ 70 characters", "information longer than 70 characters")
			return b.done(), true
		},
	}
}
