package invoice

import (
	"regexp"
	"strings"
)

// Dominican Republic — e-CF timbre QR (DGII, Descripción Técnica v1.6,
// pp. 37–39): https://ecf.dgii.gov.do/<env>/ConsultaTimbre?RncEmisor=…
// &RncComprador=…&ENCF=…&FechaEmision=dd-MM-yyyy&MontoTotal=…
// &FechaFirma=dd-MM-yyyy HH:mm:ss&CodigoSeguridad=…, or, for consumer
// invoices (type 32) below DOP 250,000, https://fc.dgii.gov.do/<env>/
// ConsultaTimbreFC?RncEmisor=…&ENCF=…&MontoTotal=…&CodigoSeguridad=….
// Parameter names are matched without regard to case (lower case is seen in
// the wild), and CodigoSeguridad keeps its raw '+'.

var (
	doENCF = regexp.MustCompile(`^E(3[1-4]|4[1-7])\d{10}$`)
	doEnvs = map[string]bool{"ecf": true, "certecf": true, "testecf": true}
)

func doECF() scheme {
	return scheme{
		Scheme: Scheme{ID: "do-ecf", Country: "DO", Name: "e-CF timbre QR (DGII)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("ecf.dgii.gov.do", "fc.dgii.gov.do") {
				return nil, false
			}
			segs := strings.Split(strings.Trim(u.Path, "/"), "/")
			if len(segs) != 2 || !strings.EqualFold(segs[1], "ConsultaTimbre") && !strings.EqualFold(segs[1], "ConsultaTimbreFC") {
				return nil, false
			}
			fc := u.Host == "fc.dgii.gov.do"
			b := newBuilder("do-ecf", "DO")
			f := &b.inv.Fields
			f.URL, f.Currency = full, "DOP"
			q := parseQuery(u.RawQuery, false)
			q.copyTo(f.Extra)
			env := strings.ToLower(segs[0])
			f.Extra["environment"] = env
			b.checkf("environment", doEnvs[env], "environment "+env, "environment "+quote(segs[0])+" is not ecf, certecf or testecf")
			b.checkf("endpoint", fc == strings.EqualFold(segs[1], "ConsultaTimbreFC"), "path matches the host",
				"ConsultaTimbreFC belongs on fc.dgii.gov.do and ConsultaTimbre on ecf.dgii.gov.do")
			keys := []string{"RncEmisor", "ENCF", "MontoTotal", "CodigoSeguridad"}
			if !fc {
				keys = []string{"RncEmisor", "ENCF", "FechaEmision", "MontoTotal", "FechaFirma", "CodigoSeguridad"}
			}
			b.requireKeys(q.getFold, keys...)
			rnc, _ := q.getFold("RncEmisor")
			f.IssuerTaxID = rnc
			checkRNC(b, "rnc_emisor", rnc)
			if buyer, has := q.getFold("RncComprador"); has && buyer != "" {
				f.ReceiverTaxID = buyer
				checkRNC(b, "rnc_comprador", buyer)
			}
			encf, _ := q.getFold("ENCF")
			encf = strings.ToUpper(encf)
			f.DocumentID = encf
			if b.checkf("encf_format", doENCF.MatchString(encf), "e-NCF is E + type + 10 digits", "ENCF "+quote(encf)+" is not E<type><10 digits>") {
				f.DocumentType = encf[1:3]
			}
			if v, has := q.getFold("FechaEmision"); has {
				date, ok := parseDate(v, "02-01-2006")
				b.checkf("fecha_emision", ok, "FechaEmision is a valid dd-MM-yyyy date", "FechaEmision "+quote(v)+" is not a valid dd-MM-yyyy date")
				f.Date = date
			}
			if v, has := q.getFold("FechaFirma"); has {
				_, ok := parseDate(v, "02-01-2006 15:04:05")
				b.checkf("fecha_firma", ok, "FechaFirma is dd-MM-yyyy HH:mm:ss", "FechaFirma "+quote(v)+" is not dd-MM-yyyy HH:mm:ss")
			}
			monto, _ := q.getFold("MontoTotal")
			if d, ok := b.decimal("monto_total", monto, 0, anyFrac, false); ok {
				f.Total = d
				small32 := f.DocumentType == "32" && d.Cmp("250000") < 0
				if fc {
					b.checkf("routing", small32, "type 32 below DOP 250,000 on the FC host",
						"the FC host is for type-32 invoices below DOP 250,000")
				} else if f.DocumentType != "" {
					b.checkf("routing", !small32, "not a type-32 invoice below DOP 250,000",
						"type-32 invoices below DOP 250,000 use fc.dgii.gov.do/ConsultaTimbreFC")
				}
			}
			code, _ := q.getFold("CodigoSeguridad")
			b.checkf("codigo_seguridad", len(code) == 6 && isBase64Chars(code) && !strings.Contains(code, "="),
				"CodigoSeguridad is 6 Base64 characters", "CodigoSeguridad "+quote(code)+" is not 6 Base64 characters")
			return b.done(), true
		},
	}
}

// checkRNC checks a 9-digit RNC (mod 11) or an 11-digit cédula (Luhn,
// [UNCONFIRMED] in the reference, so advisory).
func checkRNC(b *builder, name, s string) {
	switch {
	case isDigits(s, 9):
		b.checkf(name+"_check_digit", validRNC(s), "RNC check digit is right", "RNC "+s+" has a wrong check digit")
	case isDigits(s, 11):
		b.check(name+"_format", true, "11-digit cédula")
		b.advise(name+"_check_digit", luhnValid(s), "cédula Luhn digit (rule [UNCONFIRMED] in the reference, so advisory)")
	default:
		b.check(name+"_format", false, quote(s)+" is neither a 9-digit RNC nor an 11-digit cédula")
	}
}
