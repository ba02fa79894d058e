package invoice

import "strings"

// Italy — pagoPA payment-notice QR (not a tax QR; FatturaPA invoices carry
// none): PAGOPA|002|<notice number, 18 digits>|<creditor fiscal code, 11
// digits>|<amount in euro cents>. The notice number's check digits were not
// researched ([UNCONFIRMED]) and are not checked.

func itPagoPA() scheme {
	return scheme{
		Scheme: Scheme{ID: "it-pagopa", Country: "IT", Name: "pagoPA payment notice QR"},
		parse: func(text string) (*Invoice, bool) {
			t := strings.TrimSpace(text)
			if !strings.HasPrefix(t, "PAGOPA|002|") {
				return nil, false
			}
			b := newBuilder("it-pagopa", "IT")
			f := &b.inv.Fields
			f.Currency = "EUR"
			parts := strings.Split(t, "|")
			if !b.checkf("field_count", len(parts) == 5, "5 fields", "expected 5 '|'-separated fields, got "+itoa(len(parts))) {
				return b.done(), true
			}
			notice, cf, cents := parts[2], parts[3], parts[4]
			f.DocumentID, f.IssuerTaxID = notice, cf
			f.Extra["notice_number"], f.Extra["creditor_fiscal_code"], f.Extra["amount_cents"] = notice, cf, cents
			b.checkf("notice_number", isDigits(notice, 18), "notice number has 18 digits", "notice number "+quote(notice)+" is not 18 digits")
			b.checkf("creditor_fiscal_code", isDigits(cf, 11), "creditor fiscal code has 11 digits", "creditor fiscal code "+quote(cf)+" is not 11 digits")
			ok := isDigits(cents, 0) && strings.TrimLeft(cents, "0") != ""
			if ok {
				c := strings.TrimLeft(cents, "0")
				for len(c) < 3 {
					c = "0" + c
				}
				f.Total, _ = ParseDecimal(c[:len(c)-2] + "." + c[len(c)-2:])
			}
			b.checkf("amount", ok, "amount in cents > 0", "amount "+quote(cents)+" is not a positive number of cents")
			return b.done(), true
		},
	}
}
