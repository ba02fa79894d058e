package invoice

import "strings"

// Invoice is what a recognised payload says about its invoice.
//
// Its JSON form is the "invoice" object of DESIGN.md:
//
//	{"scheme": "mx-cfdi", "country": "MX",
//	 "fields": {"issuer_tax_id": "XOCD720319T86", "total": "14300", ...},
//	 "checks": [{"name": "issuer_rfc_check_digit", "ok": true, "detail": "..."}, ...],
//	 "valid": true, "errors": [], "warnings": []}
//
// Valid means "the authority would accept this code": every check that is
// neither Skipped nor Advisory passed. Errors lists the failed checks that
// make it invalid (check digits, IBANs, totals, required fields, the
// scheme's mandatory syntax); Warnings lists the failed Advisory checks
// (optional or advisory formats, such as Swico billing details, and rules
// the reference marks unconfirmed), which leave Valid untouched.
type Invoice struct {
	// Scheme is the scheme id, one of the ids listed by Schemes.
	Scheme string `json:"scheme"`
	// Country is the ISO 3166-1 alpha-2 code of the issuing authority, or ""
	// for international payment schemes whose country is not known.
	Country string `json:"country"`
	// Fields holds the typed fields read from the payload.
	Fields Fields `json:"fields"`
	// Checks lists every validation performed, in order.
	Checks []Check `json:"checks"`
	// Valid reports whether every check that is neither Skipped nor
	// Advisory passed.
	Valid bool `json:"valid"`
	// Errors lists the failed checks that make the invoice invalid, in
	// order; it is empty (never null) when Valid is true.
	Errors []Finding `json:"errors"`
	// Warnings lists the failed Advisory checks, in order: worth showing,
	// but they do not affect Valid. Never null.
	Warnings []Finding `json:"warnings"`
}

// Finding is a failed check as listed in Invoice.Errors or
// Invoice.Warnings: the check's name and its detail.
type Finding struct {
	// Check is the Name of the failed check.
	Check string `json:"check"`
	// Detail is the check's Detail.
	Detail string `json:"detail,omitempty"`
}

// Fields are the invoice fields common to all schemes, normalised; a field
// the scheme does not carry is the zero value. Extra keeps every element of
// the payload under the scheme's own name, as found (after %XX decoding),
// so nothing is lost to normalisation.
type Fields struct {
	// IssuerTaxID is the issuer's tax id as printed (RFC, CUIT, RUC, NIF …).
	IssuerTaxID string `json:"issuer_tax_id,omitempty"`
	// IssuerName is the issuer's or creditor's name, where the payload has one.
	IssuerName string `json:"issuer_name,omitempty"`
	// ReceiverTaxID is the buyer's tax id or document number.
	ReceiverTaxID string `json:"receiver_tax_id,omitempty"`
	// DocumentID is the fiscal document id: folio UUID, access key, series
	// and number, as the scheme defines it.
	DocumentID string `json:"document_id,omitempty"`
	// DocumentType is the scheme's document type code (e.g. "01", "FT").
	DocumentType string `json:"document_type,omitempty"`
	// Date is the issue date as YYYY-MM-DD.
	Date string `json:"date,omitempty"`
	// Total is the invoice total (tax included where the scheme says so).
	Total Decimal `json:"total,omitempty"`
	// Tax is the total tax amount, where the payload has it.
	Tax Decimal `json:"tax,omitempty"`
	// Currency is the ISO 4217 alphabetic code, where known.
	Currency string `json:"currency,omitempty"`
	// URL is the authority's lookup URL carried by the payload.
	URL string `json:"url,omitempty"`
	// Extra maps the scheme's own element names to their raw values.
	Extra map[string]string `json:"extra,omitempty"`
}

// Check is the outcome of one validation.
type Check struct {
	// Name is a stable snake_case identifier, e.g. "issuer_rfc_check_digit".
	Name string `json:"name"`
	// OK reports whether the check passed. It is false for a Skipped check.
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

// Check returns the check named name and whether it was found.
func (inv *Invoice) Check(name string) (Check, bool) {
	for _, c := range inv.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
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

// Advised returns the names of the Advisory checks that failed (the
// warnings).
func (inv *Invoice) Advised() []string {
	var out []string
	for _, c := range inv.Checks {
		if !c.OK && !c.Skipped && c.Advisory {
			out = append(out, c.Name)
		}
	}
	return out
}

// builder accumulates fields and checks while a scheme parses a payload.
type builder struct {
	inv Invoice
}

func newBuilder(scheme, country string) *builder {
	return &builder{inv: Invoice{Scheme: scheme, Country: country, Fields: Fields{Extra: map[string]string{}}}}
}

// check records a check; detail is used whatever the outcome.
func (b *builder) check(name string, ok bool, detail string) bool {
	b.inv.Checks = append(b.inv.Checks, Check{Name: name, OK: ok, Detail: detail})
	return ok
}

// checkf records a check with a detail for success and one for failure.
func (b *builder) checkf(name string, ok bool, okDetail, failDetail string) bool {
	if ok {
		return b.check(name, true, okDetail)
	}
	return b.check(name, false, failDetail)
}

// amend overwrites the outcome of the last recorded check.
func (b *builder) amend(ok bool, detail string) {
	c := &b.inv.Checks[len(b.inv.Checks)-1]
	c.OK, c.Detail = ok, detail
}

func (b *builder) skip(name, detail string) {
	b.inv.Checks = append(b.inv.Checks, Check{Name: name, Detail: detail, Skipped: true})
}

func (b *builder) advise(name string, ok bool, detail string) {
	b.inv.Checks = append(b.inv.Checks, Check{Name: name, OK: ok, Detail: detail, Advisory: true})
}

// requireKeys records a "required_fields" check over the named keys of get.
// It returns true when all are present and non-empty.
func (b *builder) requireKeys(get func(string) (string, bool), keys ...string) bool {
	var missing []string
	for _, k := range keys {
		if v, ok := get(k); !ok || v == "" {
			missing = append(missing, k)
		}
	}
	return b.checkf("required_fields", len(missing) == 0,
		"all of "+strings.Join(keys, ", ")+" present",
		"missing "+strings.Join(missing, ", "))
}

// decimal parses s as an amount, records it under check name and returns it.
// limitInt and limitFrac bound the digits (0 means unbounded).
func (b *builder) decimal(name, s string, limitInt, limitFrac int, allowNegative bool) (Decimal, bool) {
	d, err := ParseDecimal(s)
	if err != nil {
		b.check(name, false, err.Error())
		return "", false
	}
	in, fr := digitCounts(s)
	switch {
	case limitInt > 0 && in > limitInt:
		b.check(name, false, "more than "+itoa(limitInt)+" integer digits in "+quote(s))
		return d, false
	case limitFrac >= 0 && limitFrac != anyFrac && fr > limitFrac:
		b.check(name, false, "more than "+itoa(limitFrac)+" decimals in "+quote(s))
		return d, false
	case !allowNegative && d.Sign() < 0:
		b.check(name, false, "negative amount "+quote(s))
		return d, false
	}
	b.check(name, true, quote(s)+" is a decimal amount")
	return d, true
}

// anyFrac as limitFrac accepts any number of decimals.
const anyFrac = -1

func (b *builder) done() *Invoice {
	b.inv.Errors, b.inv.Warnings = []Finding{}, []Finding{}
	for _, c := range b.inv.Checks {
		switch {
		case c.OK || c.Skipped:
		case c.Advisory:
			b.inv.Warnings = append(b.inv.Warnings, Finding{Check: c.Name, Detail: c.Detail})
		default:
			b.inv.Errors = append(b.inv.Errors, Finding{Check: c.Name, Detail: c.Detail})
		}
	}
	b.inv.Valid = len(b.inv.Errors) == 0
	if len(b.inv.Fields.Extra) == 0 {
		b.inv.Fields.Extra = nil
	}
	inv := b.inv
	return &inv
}
