package invoice

import (
	"strings"
	"unicode"
)

// Mexico — CFDI 3.3/4.0 verification QR (SAT, Anexo 20): an HTTPS URL to
// verificacfdi.facturaelectronica.sat.gob.mx with id (folio UUID), re
// (issuer RFC), rr (receiver RFC), tt (total, ≤18 integer and ≤6 decimal
// digits) and fe (last 8 Base64 characters of the issuer's seal). The legacy
// CFDI 3.2 form is the bare query "?re=…&rr=…&tt=…&id=…".

const mxCFDIHost = "verificacfdi.facturaelectronica.sat.gob.mx"

func mxCFDI() scheme {
	return scheme{
		Scheme: Scheme{ID: "mx-cfdi", Country: "MX", Name: "CFDI 3.3/4.0 verification QR (SAT)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if ok && u.hostIs(mxCFDIHost) {
				return parseMXQuery("mx-cfdi", full, u.RawQuery, false), true
			}
			t := strings.TrimSpace(text)
			if !ok && strings.HasPrefix(t, "?") && !strings.ContainsAny(t, "\r\n") {
				q := parseQuery(t[1:], true)
				for _, k := range []string{"re", "rr", "tt", "id"} {
					if _, has := q.get(k); !has {
						return nil, false
					}
				}
				inv := parseMXQuery("mx-cfdi", "", t[1:], false)
				inv.Fields.Extra["version"] = "3.2"
				return inv, true
			}
			return nil, false
		},
	}
}

// parseMXQuery parses the CFDI or Retenciones query. In Retenciones a
// foreign receiver is given as nr (up to 20 characters) instead of rr.
func parseMXQuery(id, url, rawQuery string, retenciones bool) *Invoice {
	b := newBuilder(id, "MX")
	q := parseQuery(rawQuery, true)
	q.copyTo(b.inv.Fields.Extra)
	b.inv.Fields.URL = url

	uuid, _ := q.get("id")
	re, _ := q.get("re")
	rr, hasRR := q.get("rr")
	nr, hasNR := q.get("nr")
	tt, _ := q.get("tt")
	fe, hasFE := q.get("fe")
	receiverKey := "rr"
	if retenciones && !hasRR && hasNR {
		receiverKey, rr = "nr", nr
	}
	// fe is required by CFDI 3.3/4.0 and Retenciones 2.0; the 3.2 form and
	// Retenciones 1.0 have no seal fragment.
	needFE := url != "" && !retenciones || hasFE
	if retenciones {
		if hasFE {
			b.inv.Fields.Extra["version"] = "2.0"
		} else {
			b.inv.Fields.Extra["version"] = "1.0"
		}
	}
	keys := []string{"id", "re", receiverKey, "tt"}
	if needFE {
		keys = append(keys, "fe")
	}
	b.requireKeys(q.get, keys...)

	f := &b.inv.Fields
	f.DocumentID, f.IssuerTaxID, f.ReceiverTaxID = uuid, re, rr
	b.checkf("id_uuid", uuidRE.MatchString(uuid), "folio fiscal is a UUID", "folio fiscal "+quote(uuid)+" is not a UUID")
	checkRFC(b, "issuer", re)
	if receiverKey == "nr" {
		b.checkf("receiver_foreign_id", nr != "" && runeLen(nr) <= 20, "foreign tax id present",
			"foreign tax id "+quote(nr)+" must hold 1 to 20 characters")
	} else {
		checkRFC(b, "receiver", rr)
	}
	if d, ok := b.decimal("total", tt, 18, 6, false); ok {
		f.Total = d
		if d.Sign() == 0 {
			b.amend(false, "total must be > 0")
		}
	}
	if needFE {
		b.checkf("seal_fragment", len(fe) == 8 && isBase64Chars(fe),
			"fe holds the last 8 Base64 characters of the seal", "fe "+quote(fe)+" is not 8 Base64 characters")
	}
	b.skip("sat_status", "online SAT status (Vigente/Cancelado) is not queried")
	return b.done()
}

// checkRFC records the format and check-digit checks of a Mexican RFC.
func checkRFC(b *builder, who, rfc string) {
	name := who + "_rfc"
	runes := []rune(rfc)
	n := len(runes)
	ok := n == 12 || n == 13
	if ok {
		letters := n - 9
		for i, r := range runes {
			switch {
			case i < letters:
				ok = ok && (r >= 'A' && r <= 'Z' || r == 'Ñ' || r == '&')
			case i < letters+6:
				ok = ok && unicode.IsDigit(r) && r < 128
			default:
				ok = ok && (r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
			}
		}
		ok = ok && validYYMMDD(string(runes[letters:letters+6]))
	}
	if !b.checkf(name+"_format", ok, who+" RFC "+quote(rfc)+" is well formed",
		who+" RFC "+quote(rfc)+" must be 3 (company) or 4 (individual) letters, a YYMMDD date and 3 characters") {
		return
	}
	if rfcGeneric[rfc] {
		b.check(name+"_check_digit", true, "generic RFC "+rfc+" (exempt from the check digit)")
		return
	}
	b.checkf(name+"_check_digit", validRFCCheckDigit(rfc), "check digit is right", "check digit of "+quote(rfc)+" is wrong")
}
