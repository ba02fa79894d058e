package invoice

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Saudi Arabia — ZATCA e-invoice (Fatoora) QR: Base64 of binary TLV, each
// field one tag byte, one length byte, then the value. Phase 1 tags: 1
// seller name, 2 VAT number, 3 timestamp, 4 total with VAT, 5 VAT total;
// phase 2 adds 6 invoice hash, 7 ECDSA signature, 8 public key, 9 the ZATCA
// CA's signature of the stamp certificate. Recognition is a heuristic
// (Base64 that decodes to TLV starting with tag 1, consumed exactly, tags
// 1–5 present), so this scheme is tried last.

var (
	saVAT    = regexp.MustCompile(`^3\d{13}3$`)
	saBase64 = regexp.MustCompile(`^[A-Za-z0-9+/=\r\n]+$`)
)

func saZATCA() scheme {
	return scheme{
		Scheme: Scheme{ID: "sa-zatca", Country: "SA", Name: "ZATCA e-invoice (Fatoora) QR"},
		parse: func(text string) (*Invoice, bool) {
			t := strings.TrimSpace(text)
			if len(t) < 16 || !saBase64.MatchString(t) {
				return nil, false
			}
			raw, err := decodeBase64Any(t)
			if err != nil {
				return nil, false
			}
			tlv, ok := parseZATCATLV(raw)
			if !ok {
				return nil, false
			}
			for tag := byte(1); tag <= 5; tag++ {
				if len(tlv[tag]) == 0 {
					return nil, false
				}
			}
			return parseSA(tlv), true
		},
	}
}

// parseZATCATLV walks the TLV; it fails unless the first tag is 1 and every
// field fits exactly. Repeated tags are collected in order.
func parseZATCATLV(raw []byte) (map[byte][]string, bool) {
	if len(raw) < 2 || raw[0] != 1 {
		return nil, false
	}
	out := map[byte][]string{}
	for i := 0; i < len(raw); {
		if i+2 > len(raw) {
			return nil, false
		}
		tag, n := raw[i], int(raw[i+1])
		if tag == 0 || i+2+n > len(raw) {
			return nil, false
		}
		out[tag] = append(out[tag], string(raw[i+2:i+2+n]))
		i += 2 + n
	}
	return out, true
}

func parseSA(tlv map[byte][]string) *Invoice {
	b := newBuilder("sa-zatca", "SA")
	f := &b.inv.Fields
	f.Currency = "SAR"
	once := true
	for tag, vs := range tlv {
		once = once && len(vs) == 1
		if tag <= 5 {
			f.Extra[itoa(int(tag))] = vs[0]
		}
	}
	b.checkf("tags_once", once, "each tag appears once", "a tag appears more than once")
	name, vat, ts, total, tax := tlv[1][0], tlv[2][0], tlv[3][0], tlv[4][0], tlv[5][0]
	f.IssuerName, f.IssuerTaxID = name, vat
	b.checkf("seller_name", utf8.ValidString(name), "seller name is UTF-8", "seller name is not valid UTF-8")
	// 15 digits is the registration number's shape; the leading and
	// trailing 3 is the commonly stated rule the reference marks
	// unconfirmed, so it is a warning.
	if b.checkf("vat_number", isDigits(vat, 15), "VAT number is 15 digits", "VAT number "+quote(vat)+" is not 15 digits") {
		b.advise("vat_number_pattern", saVAT.MatchString(vat), "VAT number starts and ends with 3 (commonly stated rule, [UNCONFIRMED] in the reference, so advisory)")
	}
	date, ok := parseDate(ts, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04:05.000Z07:00", "2006-01-02 15:04:05")
	b.checkf("timestamp", ok, "timestamp is ISO 8601", "timestamp "+quote(ts)+" does not parse")
	f.Date = date
	t, okT := b.decimal("total", total, 0, anyFrac, false)
	v, okV := b.decimal("vat_total", tax, 0, anyFrac, false)
	f.Total, f.Tax = t, v
	if okT && okV {
		b.checkf("vat_le_total", v.Cmp(t) <= 0, "VAT ≤ total", "VAT "+v.String()+" exceeds total "+t.String())
	}
	if len(tlv[6]) > 0 || len(tlv[7]) > 0 || len(tlv[8]) > 0 {
		f.Extra["phase"] = "2"
		b.skip("signature", "phase-2 ECDSA signature (tags 6–8) not verified: curve and key encoding are [UNCONFIRMED]")
	} else {
		f.Extra["phase"] = "1"
	}
	return b.done()
}
