package qrcascade

import "github.com/qrcascade/qrcascade/internal/invoice"

// Invoice is a recognised tax-authority invoice payload (Options.Invoices):
// its scheme, the normalised fields, every validation performed and
// whether an authority would accept the code. See docs/INVOICES.md for the
// schemes and for which checks are errors and which are warnings.
type Invoice struct {
	// Scheme is the scheme id, e.g. "mx-cfdi", "ar-afip", "eu-epc".
	Scheme string `json:"scheme"`
	// Country is the ISO 3166-1 alpha-2 code of the issuing authority, or
	// "" for international payment schemes whose country is not known.
	Country string `json:"country"`
	// Fields holds the fields read from the payload.
	Fields InvoiceFields `json:"fields"`
	// Checks lists every validation performed, in order.
	Checks []InvoiceCheck `json:"checks"`
	// Valid reports whether every check that is neither Skipped nor
	// Advisory passed: an authority would accept the code.
	Valid bool `json:"valid"`
	// Errors lists the failed checks that make the invoice invalid (check
	// digits, IBANs, totals, required fields), in order; empty, never nil,
	// when Valid is true.
	Errors []InvoiceFinding `json:"errors"`
	// Warnings lists the failed Advisory checks (advisory formats such as
	// Swico billing details), in order; they leave Valid untouched. Never nil.
	Warnings []InvoiceFinding `json:"warnings"`
}

// InvoiceFinding is a failed check as listed in Invoice.Errors or
// Invoice.Warnings.
type InvoiceFinding struct {
	// Check is the Name of the failed InvoiceCheck.
	Check string `json:"check"`
	// Detail is the check's Detail.
	Detail string `json:"detail,omitempty"`
}

// InvoiceFields are the invoice fields common to all schemes, normalised;
// a field the scheme does not carry is "". Amounts are decimal strings
// with '.' as the separator, as written in the payload (no rounding).
type InvoiceFields struct {
	IssuerTaxID   string `json:"issuer_tax_id,omitempty"`   // the issuer's tax id as printed (RFC, CUIT, RUC, NIF …)
	IssuerName    string `json:"issuer_name,omitempty"`     // the issuer's or creditor's name
	ReceiverTaxID string `json:"receiver_tax_id,omitempty"` // the buyer's tax id or document number
	DocumentID    string `json:"document_id,omitempty"`     // the fiscal document id, as the scheme defines it
	DocumentType  string `json:"document_type,omitempty"`   // the scheme's document type code (e.g. "01", "FT")
	Date          string `json:"date,omitempty"`            // the issue date, YYYY-MM-DD
	Total         string `json:"total,omitempty"`           // the total (tax included where the scheme says so)
	Tax           string `json:"tax,omitempty"`             // the total tax amount
	Currency      string `json:"currency,omitempty"`        // ISO 4217 alphabetic code
	URL           string `json:"url,omitempty"`             // the authority's lookup URL carried by the payload
	// Extra maps the scheme's own element names to their raw values, so
	// nothing is lost to normalisation.
	Extra map[string]string `json:"extra,omitempty"`
}

// InvoiceCheck is one validation of an invoice payload.
type InvoiceCheck struct {
	// Name is a stable snake_case identifier, e.g. "issuer_rfc_check_digit".
	Name string `json:"name"`
	// OK reports whether the check passed; false for a Skipped check.
	OK bool `json:"ok"`
	// Detail explains the outcome in words.
	Detail string `json:"detail,omitempty"`
	// Skipped marks a check a reader cannot perform (secret key, missing
	// public key, document not at hand); it does not affect Valid.
	Skipped bool `json:"skipped,omitempty"`
	// Advisory marks a heuristic whose failure is a warning only; it does
	// not affect Valid.
	Advisory bool `json:"advisory,omitempty"`
}

// Check returns the check named name and whether it was performed.
func (inv *Invoice) Check(name string) (InvoiceCheck, bool) {
	for _, c := range inv.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return InvoiceCheck{}, false
}

// Failed returns the names of the checks that make the invoice invalid.
func (inv *Invoice) Failed() []string {
	var out []string
	for _, c := range inv.Checks {
		if !c.OK && !c.Skipped && !c.Advisory {
			out = append(out, c.Name)
		}
	}
	return out
}

// publicInvoice converts a parsed invoice; nil stays nil.
func publicInvoice(in *invoice.Invoice) *Invoice {
	if in == nil {
		return nil
	}
	f := in.Fields
	out := &Invoice{
		Scheme: in.Scheme, Country: in.Country, Valid: in.Valid,
		Fields: InvoiceFields{
			IssuerTaxID: f.IssuerTaxID, IssuerName: f.IssuerName, ReceiverTaxID: f.ReceiverTaxID,
			DocumentID: f.DocumentID, DocumentType: f.DocumentType, Date: f.Date,
			Total: string(f.Total), Tax: string(f.Tax), Currency: f.Currency, URL: f.URL, Extra: f.Extra,
		},
	}
	if in.Checks != nil {
		out.Checks = make([]InvoiceCheck, len(in.Checks))
		for i, c := range in.Checks {
			out.Checks[i] = InvoiceCheck{Name: c.Name, OK: c.OK, Detail: c.Detail, Skipped: c.Skipped, Advisory: c.Advisory}
		}
	}
	out.Errors = publicFindings(in.Errors)
	out.Warnings = publicFindings(in.Warnings)
	return out
}

// publicFindings converts failed-check lists; the result is never nil.
func publicFindings(in []invoice.Finding) []InvoiceFinding {
	out := make([]InvoiceFinding, len(in))
	for i, f := range in {
		out[i] = InvoiceFinding{Check: f.Check, Detail: f.Detail}
	}
	return out
}
