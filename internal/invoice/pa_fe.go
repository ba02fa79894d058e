package invoice

import "strings"

// paCUFEDigits maps a Panamanian CUFE to the digit string its Luhn check
// covers: everything after "FE", each non-digit replaced by the last digit
// of its ASCII code ('-' is 45, so 5).
func paCUFEDigits(cufe string) string {
	if len(cufe) < 3 {
		return ""
	}
	b := []byte(cufe[2:])
	for i, c := range b {
		if c < '0' || c > '9' {
			b[i] = '0' + c%10
		}
	}
	return string(b)
}

// validPACUFE checks the Luhn check digit that ends a Panamanian CUFE.
func validPACUFE(cufe string) bool {
	if len(cufe) < 4 || !isDigits(cufe[len(cufe)-1:], 1) {
		return false
	}
	return luhnValid(paCUFEDigits(cufe))
}

// Panama — electronic invoice QR (DGI/MEF, Decreto Ejecutivo 766 of 2020):
// https://dgi-fep.mef.gob.pa/Consultas/FacturasPorQR?chFE=<CUFE>&iAmb=<1|2>
// &digestValue=<Base64>&jwt=<JWT>. The 66-character CUFE is "FE" + iDoc(2)
// + dTipoRuc(1) + RUC(20, left-padded, hyphens kept) + "-" + DV(2) +
// branch(4) + date AAAAMMDD(8) + dNroDF(10) + dPtoFacDF(3) + iTpEmis(2) +
// iAmb(1) + dSeg(9) + a Luhn check digit. The JWT binds chFE, iAmb and
// digestValue with HS256 under a key that is not public: its claims can be
// compared, its signature not checked.

func paFE() scheme {
	return scheme{
		Scheme: Scheme{ID: "pa-fe", Country: "PA", Name: "Factura electrónica CUFE QR (DGI)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !strings.HasPrefix(u.Host, "dgi-fep") || !strings.HasSuffix(u.Host, ".mef.gob.pa") ||
				!u.pathIs("/Consultas/FacturasPorQR") {
				return nil, false
			}
			b := newBuilder("pa-fe", "PA")
			f := &b.inv.Fields
			f.URL = full
			q := parseQuery(u.RawQuery, false)
			q.copyTo(f.Extra)
			b.requireKeys(q.get, "chFE", "iAmb", "digestValue", "jwt")
			cufe, _ := q.get("chFE")
			iAmb, _ := q.get("iAmb")
			digest, _ := q.get("digestValue")
			f.DocumentID = cufe
			if b.checkf("cufe_format", len(cufe) == 66 && strings.HasPrefix(cufe, "FE") && cufe[25] == '-' && isDigits(cufe[26:], 40),
				"chFE is a 66-character CUFE", "chFE "+quote(cufe)+" is not a 66-character CUFE") {
				f.DocumentType = cufe[2:4]
				f.IssuerTaxID = strings.TrimLeft(cufe[5:25], "0") + "-" + cufe[26:28]
				b.checkf("cufe_check_digit", validPACUFE(cufe), "CUFE Luhn check digit is right", "CUFE check digit is wrong")
				date, ok := parseDate(cufe[32:40], "20060102")
				b.checkf("cufe_date", ok, "CUFE date is valid", "CUFE date "+quote(cufe[32:40])+" is not a valid AAAAMMDD date")
				f.Date = date
				b.checkf("iamb_matches_cufe", cufe[55:56] == iAmb, "iAmb equals the environment inside the CUFE",
					"iAmb "+quote(iAmb)+" differs from the CUFE's "+quote(cufe[55:56]))
			}
			b.checkf("iamb", iAmb == "1" || iAmb == "2", "iAmb is 1 (production) or 2 (test)", "iAmb "+quote(iAmb)+" is not 1 or 2")
			raw, err := decodeBase64Any(digest)
			b.checkf("digest_value", err == nil && len(raw) == 32, "digestValue is a Base64 SHA-256 digest", "digestValue does not decode to 32 bytes")
			jwt, _ := q.get("jwt")
			claims, err := decodeJWTClaims(jwt)
			if b.checkf("jwt_decode", err == nil, "jwt decodes", "jwt does not decode: "+errString(err)) {
				match := claims["chFE"] == cufe && claims["iAmb"] == iAmb && claims["digestValue"] == digest
				b.checkf("jwt_claims", match, "jwt claims repeat chFE, iAmb and digestValue", "jwt claims differ from the URL parameters")
			}
			b.skip("jwt_signature", "the JWT is HS256 under a DGI key that is not public; not verifiable offline")
			return b.done(), true
		},
	}
}
