package invoice

import "regexp"

// Bolivia — SIAT invoice QR (SIN): https://siat.impuestos.gob.bo/consulta/QR
// ?nit=<issuer NIT>&cuf=<CUF>&numero=<invoice number>&t=<1|2> (pilot host
// pilotosiat.impuestos.gob.bo). t is the print size (1 roll, 2 half page).
// The CUF, an upper-case hex code, is derived from the invoice and the CUFD
// control code, so a reader checks its format only; its length bounds are
// [UNCONFIRMED].

var boCUF = regexp.MustCompile(`^[0-9A-F]{16,80}$`)

func boSIAT() scheme {
	return scheme{
		Scheme: Scheme{ID: "bo-siat", Country: "BO", Name: "SIAT factura QR (SIN)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("siat.impuestos.gob.bo", "pilotosiat.impuestos.gob.bo") || !u.pathIs("/consulta/QR") {
				return nil, false
			}
			b := newBuilder("bo-siat", "BO")
			f := &b.inv.Fields
			f.URL = full
			q := parseQuery(u.RawQuery, false)
			q.copyTo(f.Extra)
			b.requireKeys(q.get, "nit", "cuf", "numero")
			nit, _ := q.get("nit")
			cuf, _ := q.get("cuf")
			num, _ := q.get("numero")
			f.IssuerTaxID, f.DocumentID = nit, num
			f.Extra["cuf"] = cuf
			b.checkf("nit", isDigits(nit, 0), "NIT is numeric", "NIT "+quote(nit)+" is not numeric")
			b.checkf("cuf_format", boCUF.MatchString(cuf), "CUF is upper-case hex", "CUF "+quote(cuf)+" is not upper-case hex")
			b.checkf("numero", isDigits(num, 0) && num != "0" && len(num) <= 19, "invoice number is a positive integer", "numero "+quote(num)+" is not a positive integer")
			if t, has := q.get("t"); has {
				b.checkf("print_size", t == "1" || t == "2", "t is 1 (roll) or 2 (half page)", "t "+quote(t)+" is not 1 or 2")
			}
			b.skip("cuf_recompute", "the CUF needs the CUFD control code; not verifiable offline")
			return b.done(), true
		},
	}
}
