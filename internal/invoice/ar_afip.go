package invoice

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Argentina — electronic invoice QR (RG 4892/2020, AFIP now ARCA): the URL
// https://www.afip.gob.ar/fe/qr/?p=<Base64(JSON)> (or the arca.gob.ar host).
// The JSON carries ver, fecha, cuit, ptoVta, tipoCmp, nroCmp, importe,
// moneda, ctz, tipoDocRec, nroDocRec, tipoCodAut and codAut. p is decoded
// from either Base64 alphabet, padded or not; its '+' is never turned into
// a space. Numbers are read as json.Number, so amounts stay exact.

var arHosts = []string{"www.afip.gob.ar", "afip.gob.ar", "www.arca.gob.ar", "arca.gob.ar"}

// arCurrencies maps the AFIP currency table codes seen in practice to ISO 4217.
var arCurrencies = map[string]string{"PES": "ARS", "DOL": "USD", "060": "EUR", "012": "BRL", "021": "GBP"}

func arAFIP() scheme {
	return scheme{
		Scheme: Scheme{ID: "ar-afip", Country: "AR", Name: "Factura electrónica QR (AFIP/ARCA, RG 4892/2020)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs(arHosts...) || !strings.HasPrefix(strings.ToLower(u.Path), "/fe/qr") {
				return nil, false
			}
			q := parseQuery(u.RawQuery, false)
			p, hasP := q.get("p")
			if !hasP {
				return nil, false
			}
			return parseAR(full, p), true
		},
	}
}

func parseAR(url, p string) *Invoice {
	b := newBuilder("ar-afip", "AR")
	f := &b.inv.Fields
	f.URL = url
	raw, err := decodeBase64Any(p)
	if !b.checkf("p_base64", err == nil, "p decodes as Base64", fmt.Sprintf("p is not Base64: %v", err)) {
		return b.done()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	err = dec.Decode(&obj)
	if !b.checkf("json", err == nil && obj != nil, "p holds a JSON object", fmt.Sprintf("p is not a JSON object: %v", err)) {
		return b.done()
	}
	get := func(k string) (string, bool) {
		switch v := obj[k].(type) {
		case json.Number:
			return v.String(), true
		case string:
			return v, true
		}
		return "", false
	}
	for k := range obj {
		if v, ok := get(k); ok {
			f.Extra[k] = v
		}
	}
	b.requireKeys(get, "ver", "fecha", "cuit", "ptoVta", "tipoCmp", "nroCmp", "importe", "moneda", "ctz", "tipoCodAut", "codAut")
	ver, _ := get("ver")
	b.checkf("version", ver == "1", "ver is 1", "ver "+quote(ver)+" is not 1")

	fecha, _ := get("fecha")
	date, ok := parseDate(fecha, "2006-01-02")
	b.checkf("fecha_date", ok, "fecha is a valid date", "fecha "+quote(fecha)+" is not a valid YYYY-MM-DD date")
	f.Date = date

	cuit, _ := get("cuit")
	f.IssuerTaxID = cuit
	if b.checkf("cuit_format", isDigits(cuit, 11), "CUIT has 11 digits", "CUIT "+quote(cuit)+" is not 11 digits") {
		b.checkf("cuit_check_digit", validCUIT(cuit), "CUIT check digit is right", "CUIT "+cuit+" has a wrong check digit")
	}
	ptoVta, _ := get("ptoVta")
	tipoCmp, _ := get("tipoCmp")
	nroCmp, _ := get("nroCmp")
	b.checkf("pto_vta", isDigits(ptoVta, 0) && len(ptoVta) <= 5, "point of sale ≤ 5 digits", "ptoVta "+quote(ptoVta)+" is not ≤ 5 digits")
	b.checkf("tipo_cmp", isDigits(tipoCmp, 0) && len(tipoCmp) <= 3, "voucher type ≤ 3 digits", "tipoCmp "+quote(tipoCmp)+" is not ≤ 3 digits")
	b.checkf("nro_cmp", isDigits(nroCmp, 0) && len(nroCmp) <= 8, "voucher number ≤ 8 digits", "nroCmp "+quote(nroCmp)+" is not ≤ 8 digits")
	f.DocumentType = tipoCmp
	if ptoVta != "" && nroCmp != "" {
		f.DocumentID = fmt.Sprintf("%05s-%08s", ptoVta, nroCmp)
	}

	importe, _ := get("importe")
	f.Total, _ = b.decimal("importe", importe, 13, 2, false)
	moneda, _ := get("moneda")
	b.checkf("moneda", len(moneda) == 3, "currency code has 3 characters", "moneda "+quote(moneda)+" is not 3 characters")
	f.Currency = moneda
	if iso, ok := arCurrencies[moneda]; ok {
		f.Currency = iso
	}
	ctz, _ := get("ctz")
	if c, ok := b.decimal("ctz", ctz, 13, 6, false); ok && moneda == "PES" {
		b.checkf("ctz_pes", c == "1", "ctz is 1 for PES", "ctz must be 1 when moneda is PES, got "+quote(ctz))
	}

	tipoDocRec, hasTipo := get("tipoDocRec")
	nroDocRec, _ := get("nroDocRec")
	f.ReceiverTaxID = nroDocRec
	if hasTipo {
		b.checkf("tipo_doc_rec", isDigits(tipoDocRec, 0) && len(tipoDocRec) <= 2, "receiver id type ≤ 2 digits", "tipoDocRec "+quote(tipoDocRec)+" is not ≤ 2 digits")
		b.checkf("nro_doc_rec", isDigits(nroDocRec, 0) && len(nroDocRec) <= 20, "receiver id ≤ 20 digits", "nroDocRec "+quote(nroDocRec)+" is not ≤ 20 digits")
		if tipoDocRec == "80" || tipoDocRec == "86" {
			b.checkf("nro_doc_rec_check_digit", validCUIT(nroDocRec), "receiver CUIT/CUIL check digit is right", "receiver CUIT/CUIL "+quote(nroDocRec)+" is invalid")
		}
	}
	tipoCodAut, _ := get("tipoCodAut")
	b.checkf("tipo_cod_aut", tipoCodAut == "E" || tipoCodAut == "A", "tipoCodAut is E (CAE) or A (CAEA)", "tipoCodAut "+quote(tipoCodAut)+" is not E or A")
	codAut, _ := get("codAut")
	b.checkf("cod_aut", isDigits(codAut, 14), "CAE/CAEA has 14 digits", "codAut "+quote(codAut)+" is not 14 digits")
	b.skip("cae_online", "the CAE is checked online by ARCA's WSCDC service, which needs credentials")
	return b.done()
}
