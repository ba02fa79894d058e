package invoice

import (
	"regexp"
	"strings"
)

// Colombia — electronic sales invoice QR (DIAN, Anexo Técnico FEV 1.9): one
// "Label: value" (or "Label=value") per line — NumFac, FecFac, HorFac,
// NitFac, DocAdq, ValFac, ValIva, ValOtroIm, ValTolFac, CUFE (CUDE for
// notes), QRCode — or just the lookup URL
// catalogo-vpfe(-hab).dian.gov.co/document/searchqr?documentkey=<CUFE>.
//
// The CUFE is a SHA-384 over invoice data and the issuer's technical key
// (ClTec), which never leaves the issuer: a reader can check its format and
// that the URL repeats it, never recompute it.

var (
	coCUFE      = regexp.MustCompile(`^[0-9a-f]{96}$`)
	coHorFac    = regexp.MustCompile(`^\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)?$`)
	coNITWithDV = regexp.MustCompile(`^(\d{6,10})-(\d)$`)
)

func coDIAN() scheme {
	return scheme{
		Scheme: Scheme{ID: "co-dian", Country: "CO", Name: "Factura electrónica de venta QR (DIAN)"},
		parse: func(text string) (*Invoice, bool) {
			if u, full, ok := urlOf(text); ok {
				if !coIsSearchURL(u) {
					return nil, false
				}
				b := newBuilder("co-dian", "CO")
				b.inv.Fields.URL = full
				q := parseQuery(u.RawQuery, false)
				q.copyTo(b.inv.Fields.Extra)
				key, _ := q.getFold("documentkey")
				b.requireKeys(q.getFold, "documentkey")
				b.inv.Fields.DocumentID = key
				b.checkf("cufe_format", coCUFE.MatchString(key), "documentkey is 96 lower-case hex (SHA-384)", "documentkey "+quote(key)+" is not 96 lower-case hex")
				b.skip("cufe_recompute", "the CUFE needs the issuer's technical key (ClTec); not verifiable offline")
				return b.done(), true
			}
			lines := splitLines(strings.TrimSpace(text))
			if len(lines) < 2 {
				return nil, false
			}
			pairs := map[string]string{}
			var order []string
			var bare []string
			for _, l := range lines {
				l = strings.TrimSpace(l)
				if l == "" {
					continue
				}
				if _, ok := splitURL(l); ok {
					bare = append(bare, l)
					continue
				}
				i := strings.IndexAny(l, ":=")
				if i <= 0 {
					continue
				}
				k, v := strings.TrimSpace(l[:i]), strings.TrimSpace(l[i+1:])
				if _, dup := pairs[k]; !dup {
					order = append(order, k)
				}
				pairs[k] = v
			}
			if _, ok := pairs["NumFac"]; !ok {
				return nil, false
			}
			return parseCOBlock(pairs, order, bare), true
		},
	}
}

func coIsSearchURL(u rawURL) bool {
	return u.hostIs("catalogo-vpfe.dian.gov.co", "catalogo-vpfe-hab.dian.gov.co") && u.pathIs("/document/searchqr")
}

func parseCOBlock(pairs map[string]string, order, bare []string) *Invoice {
	b := newBuilder("co-dian", "CO")
	f := &b.inv.Fields
	for _, k := range order {
		f.Extra[k] = pairs[k]
	}
	first := func(keys ...string) (string, string) {
		for _, k := range keys {
			if v, ok := pairs[k]; ok {
				return k, v
			}
		}
		return keys[0], ""
	}
	get := func(k string) (string, bool) { v, ok := pairs[k]; return v, ok }
	totalKey, total := first("ValTolFac", "ValTotal")
	cufeKey, cufe := first("CUFE", "CUDE", "CUFE/CUDE")
	b.requireKeys(get, "NumFac", "FecFac", "NitFac", totalKey, cufeKey)

	f.DocumentID = pairs["NumFac"]
	date, ok := parseDate(pairs["FecFac"], "2006-01-02")
	b.checkf("fec_fac_date", ok, "FecFac is a valid date", "FecFac "+quote(pairs["FecFac"])+" is not a valid YYYY-MM-DD date")
	f.Date = date
	if h, has := pairs["HorFac"]; has {
		b.checkf("hor_fac_time", coHorFac.MatchString(h), "HorFac is HH:MM:SS with offset", "HorFac "+quote(h)+" is not HH:MM:SS±hh:mm")
	}
	nit := pairs["NitFac"]
	f.IssuerTaxID = nit
	if m := coNITWithDV.FindStringSubmatch(nit); m != nil {
		b.checkf("nit_check_digit", itoa(nitDV(m[1])) == m[2], "NIT check digit is right", "NIT "+quote(nit)+" has a wrong check digit")
	} else {
		b.checkf("nit_format", isDigits(nit, 0) && len(nit) >= 6 && len(nit) <= 10, "NIT is 6–10 digits", "NitFac "+quote(nit)+" is not 6–10 digits")
	}
	if d, has := pairs["DocAdq"]; has {
		f.ReceiverTaxID = d
		b.checkf("doc_adq", d != "" && !strings.ContainsAny(d, ".- "), "DocAdq present without separators", "DocAdq "+quote(d)+" must be written without dots or hyphens")
	}
	var parts []Decimal
	for _, k := range []string{"ValFac", "ValIva", "ValOtroIm"} {
		if v, has := pairs[k]; has {
			d, _ := b.decimal(strings.ToLower(k), v, 0, anyFrac, false)
			parts = append(parts, d)
			if k == "ValIva" {
				f.Tax = d
			}
		}
	}
	if tot, ok := b.decimal("val_tot_fac", total, 0, anyFrac, false); ok {
		f.Total = tot
		if len(parts) == 3 {
			sum := sumDecimals(parts...)
			b.advise("total_sum", sum.Cmp(tot) == 0, "ValFac + ValIva + ValOtroIm = "+sum.String()+", total "+tot.String()+
				" (discounts, charges and withholdings legitimately break the equality)")
		}
	}
	b.checkf("cufe_format", coCUFE.MatchString(cufe), cufeKey+" is 96 lower-case hex (SHA-384)", cufeKey+" "+quote(cufe)+" is not 96 lower-case hex")
	f.Extra["cufe"] = cufe
	urlText, hasURL := pairs["QRCode"]
	if !hasURL && len(bare) > 0 {
		urlText, hasURL = bare[0], true
	}
	if hasURL {
		f.URL = urlText
		u, ok := splitURL(urlText)
		key, _ := parseQuery(u.RawQuery, false).getFold("documentkey")
		b.checkf("url_documentkey", ok && coIsSearchURL(u) && key == cufe, "the DIAN lookup URL repeats the CUFE",
			"QRCode "+quote(urlText)+" is not the DIAN lookup URL for this CUFE")
	}
	b.skip("cufe_recompute", "the CUFE needs the issuer's technical key (ClTec); not verifiable offline")
	return b.done()
}
