package invoice

import (
	"encoding/hex"
	"strings"
)

// Paraguay — SIFEN electronic document QR (SET/DNIT, dCarQR of XML schema
// v150): https://ekuatia.set.gov.py/consultas/qr?nVersion=150&Id=<CDC>
// &dFeEmiDE=<hex>&dRucRec=<RUC>|dNumIDRec=<id>&dTotGralOpe=…&dTotIVA=…
// &cItems=…&DigestValue=<hex>&IdCSC=<4 digits>&cHashQR=<64 hex>.
// The CDC (44 digits) embeds the issuer RUC and its DV, the issue date and
// a mod-11 check digit. dFeEmiDE is the hex of the ASCII datetime;
// DigestValue is the hex of the Base64 text of the XML digest. cHashQR is a
// SHA-256 keyed with the taxpayer's secret CSC: format only.

func pySIFEN() scheme {
	return scheme{
		Scheme: Scheme{ID: "py-sifen", Country: "PY", Name: "SIFEN documento electrónico QR (SET/DNIT)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("ekuatia.set.gov.py") || !u.pathIs("/consultas/qr", "/consultas-test/qr") {
				return nil, false
			}
			b := newBuilder("py-sifen", "PY")
			f := &b.inv.Fields
			f.URL = full
			q := parseQuery(u.RawQuery, false)
			q.copyTo(f.Extra)
			b.requireKeys(q.get, "nVersion", "Id", "dFeEmiDE", "dTotGralOpe", "dTotIVA", "cItems", "DigestValue", "IdCSC", "cHashQR")
			ver, _ := q.get("nVersion")
			b.checkf("version", ver == "150", "nVersion is 150", "nVersion "+quote(ver)+" is not 150")
			cdc, _ := q.get("Id")
			f.DocumentID = cdc
			cdcDate := ""
			if b.checkf("cdc_format", isDigits(cdc, 44), "CDC has 44 digits", "Id "+quote(cdc)+" is not a 44-digit CDC") {
				f.DocumentType = cdc[0:2]
				ruc := strings.TrimLeft(cdc[2:10], "0")
				f.IssuerTaxID = ruc + "-" + cdc[10:11]
				b.checkf("cdc_check_digit", itoa(pyDV(cdc[:43])) == cdc[43:], "CDC check digit is right", "CDC check digit is wrong")
				b.checkf("issuer_ruc_check_digit", itoa(pyDV(cdc[2:10])) == cdc[10:11], "issuer RUC check digit is right",
					"issuer RUC "+f.IssuerTaxID+" has a wrong check digit")
				var ok bool
				cdcDate, ok = parseDate(cdc[25:33], "20060102")
				b.checkf("cdc_date", ok, "CDC date is valid", "CDC date "+quote(cdc[25:33])+" is not valid")
			}
			if rec, has := q.get("dRucRec"); has {
				f.ReceiverTaxID = rec
			} else if rec, has := q.get("dNumIDRec"); has {
				f.ReceiverTaxID = rec
			} else {
				b.check("receiver", false, "neither dRucRec nor dNumIDRec is present")
			}
			feHex, _ := q.get("dFeEmiDE")
			fe, err := hex.DecodeString(feHex)
			date, ok := "", false
			if err == nil {
				date, ok = parseDate(string(fe), "2006-01-02T15:04:05")
				f.Extra["dFeEmiDE_decoded"] = string(fe)
			}
			if b.checkf("fecha_emision", ok, "dFeEmiDE is the hex of a valid datetime", "dFeEmiDE does not decode to YYYY-MM-DDThh:mm:ss") && cdcDate != "" {
				b.checkf("fecha_matches_cdc", date == cdcDate, "issue date equals the CDC date", "issue date "+date+" differs from the CDC date "+cdcDate)
			}
			f.Date = date
			tot, _ := q.get("dTotGralOpe")
			iva, _ := q.get("dTotIVA")
			f.Total, _ = b.decimal("total", tot, 0, anyFrac, false)
			f.Tax, _ = b.decimal("total_iva", iva, 0, anyFrac, false)
			items, _ := q.get("cItems")
			b.checkf("items", isDigits(items, 0), "cItems is an integer", "cItems "+quote(items)+" is not an integer")
			dvHex, _ := q.get("DigestValue")
			dv, err := hex.DecodeString(dvHex)
			ok = false
			if err == nil {
				raw, err := decodeBase64Any(string(dv))
				ok = err == nil && len(raw) == 32
			}
			b.checkf("digest_value", ok, "DigestValue is hex of a Base64 SHA-256 digest", "DigestValue does not decode (hex, then Base64) to 32 bytes")
			csc, _ := q.get("IdCSC")
			b.checkf("id_csc", isDigits(csc, 4), "IdCSC has 4 digits", "IdCSC "+quote(csc)+" is not 4 digits")
			h, _ := q.get("cHashQR")
			b.checkf("hash_format", isHexString(h, 64, false, false), "cHashQR is 64 hex", "cHashQR "+quote(h)+" is not 64 hex")
			b.skip("hash_recompute", "cHashQR is keyed with the taxpayer's secret CSC; not verifiable offline")
			return b.done(), true
		},
	}
}
