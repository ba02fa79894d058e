package invoice

import (
	"regexp"
	"strings"
)

// Peru — electronic payment voucher QR (SUNAT): pipe-delimited text
// RUC|type|series|number|IGV|total|date|acquirer doc type|acquirer doc
// number|digest|signature|, usually ending with '|'. The normative annex and
// the date format (ISO in most implementations, dd/mm/yyyy in older prints)
// are [UNCONFIRMED]; both dates are accepted. The digest cannot be verified
// without the XML.

var (
	peSignature = regexp.MustCompile(`^\d{11}\|\d{2}\|[A-Z0-9]{4}\|\d{1,8}\|`)
	// peTypes is catalog 01 (document types) as far as vouchers go.
	peTypes = map[string]string{"01": "factura", "03": "boleta de venta", "07": "nota de crédito", "08": "nota de débito",
		"09": "guía de remisión remitente", "12": "ticket de máquina registradora", "14": "recibo de servicios públicos",
		"20": "comprobante de retención", "31": "guía de remisión transportista", "40": "comprobante de percepción"}
	// peDocTypes is catalog 06 (identity document types).
	peDocTypes = map[string]bool{"0": true, "1": true, "4": true, "6": true, "7": true, "A": true, "B": true, "C": true, "D": true, "E": true, "-": true}
)

func peSUNAT() scheme {
	return scheme{
		Scheme: Scheme{ID: "pe-sunat", Country: "PE", Name: "Comprobante de pago electrónico QR (SUNAT)"},
		parse: func(text string) (*Invoice, bool) {
			t := strings.TrimSpace(text)
			if !peSignature.MatchString(t) {
				return nil, false
			}
			b := newBuilder("pe-sunat", "PE")
			f := &b.inv.Fields
			parts := strings.Split(t, "|")
			for len(parts) > 0 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1]
			}
			names := []string{"ruc", "tipo", "serie", "numero", "igv", "total", "fecha", "tipo_doc_adquirente", "num_doc_adquirente", "valor_resumen", "valor_firma"}
			for i, p := range parts {
				if i < len(names) {
					f.Extra[names[i]] = p
				}
			}
			nonEmpty := 0
			for nonEmpty < len(parts) && parts[nonEmpty] != "" {
				nonEmpty++
			}
			if !b.checkf("field_count", nonEmpty >= 9 && len(parts) <= 11, itoa(nonEmpty)+" leading fields",
				"expected 9–11 leading non-empty fields, got "+itoa(nonEmpty)+" of "+itoa(len(parts))) && len(parts) < 7 {
				return b.done(), true
			}
			for len(parts) < 11 {
				parts = append(parts, "")
			}
			ruc, typ, serie, num := parts[0], parts[1], parts[2], parts[3]
			f.IssuerTaxID, f.DocumentType = ruc, typ
			f.DocumentID = serie + "-" + num
			b.checkf("ruc_check_digit", validRUCPE(ruc), "RUC check digit is right", "RUC "+ruc+" has a wrong check digit")
			b.checkf("ruc_prefix", strings.Contains("10 15 17 20", ruc[:2]), "RUC prefix "+ruc[:2], "RUC prefix "+ruc[:2]+" is not 10, 15, 17 or 20")
			name, known := peTypes[typ]
			b.checkf("tipo", known, "type "+typ+" ("+name+")", "type "+quote(typ)+" is not in catalog 01")
			b.checkf("serie", peSeriesFits(typ, serie), "series fits the type", "series "+quote(serie)+" does not fit type "+typ)
			igv, okIGV := b.decimal("igv", parts[4], 0, 2, false)
			total, okTotal := b.decimal("total", parts[5], 0, 2, false)
			f.Tax, f.Total = igv, total
			if okIGV && okTotal {
				b.checkf("igv_le_total", igv.Cmp(total) <= 0, "IGV ≤ total", "IGV "+igv.String()+" exceeds total "+total.String())
			}
			date, ok := parseDate(parts[6], "2006-01-02", "02/01/2006")
			b.checkf("fecha_date", ok, "issue date is valid", "issue date "+quote(parts[6])+" is not a valid YYYY-MM-DD or dd/mm/yyyy date")
			f.Date = date
			docType, docNum := parts[7], parts[8]
			f.ReceiverTaxID = docNum
			if docType != "" {
				b.checkf("tipo_doc_adquirente", peDocTypes[docType], "acquirer document type in catalog 06", "acquirer document type "+quote(docType)+" is not in catalog 06")
				switch docType {
				case "6":
					b.checkf("num_doc_adquirente", validRUCPE(docNum), "acquirer RUC check digit is right", "acquirer RUC "+quote(docNum)+" is invalid")
				case "1":
					b.checkf("num_doc_adquirente", isDigits(docNum, 8), "acquirer DNI has 8 digits", "acquirer DNI "+quote(docNum)+" is not 8 digits")
				}
			}
			if parts[9] != "" {
				b.skip("valor_resumen", "the digest of the signed XML cannot be verified without the XML")
			}
			return b.done(), true
		},
	}
}

// peSeriesFits checks the series prefix against the voucher type: F for
// facturas, B for boletas, either for notes; E001 (SUNAT portal) and
// all-digit contingency series fit any type.
func peSeriesFits(typ, serie string) bool {
	if serie == "" {
		return false
	}
	if strings.HasPrefix(serie, "E") || isDigits(serie, 4) {
		return true
	}
	switch typ {
	case "01":
		return serie[0] == 'F'
	case "03":
		return serie[0] == 'B'
	case "07", "08":
		return serie[0] == 'F' || serie[0] == 'B'
	}
	return true
}
