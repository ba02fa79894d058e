package invoice

import "regexp"

// Guatemala — FEL verifier link (SAT): https://felpub.c.sat.gob.gt/
// verificador-web/publico/vistas/verificacionDte.jsf?tipo=autorizacion
// &numero=<UUID>&emisor=<NIT>&receptor=<NIT|CUI|CF>&monto=<total>. Printed
// by certifiers in practice; whether SAT mandates it is [UNCONFIRMED]. The
// NIT mod-11 check was not verified by the reference, so only its shape is
// checked.

var gtNIT = regexp.MustCompile(`^\d{1,12}[0-9K]$`)

func gtFEL() scheme {
	return scheme{
		Scheme: Scheme{ID: "gt-fel", Country: "GT", Name: "FEL verificador QR (SAT)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("felpub.c.sat.gob.gt") || len(u.Path) < len("/verificador-web") || u.Path[:len("/verificador-web")] != "/verificador-web" {
				return nil, false
			}
			b := newBuilder("gt-fel", "GT")
			f := &b.inv.Fields
			f.URL, f.Currency = full, "GTQ"
			q := parseQuery(u.RawQuery, false)
			q.copyTo(f.Extra)
			tipo, _ := q.get("tipo")
			if tipo == "contingencia" {
				b.requireKeys(q.get, "numero")
			} else {
				b.requireKeys(q.get, "tipo", "numero", "emisor", "receptor", "monto")
			}
			num, _ := q.get("numero")
			f.DocumentID = num
			if tipo != "contingencia" {
				b.checkf("numero_uuid", uuidRE.MatchString(num), "authorisation number is a UUID", "numero "+quote(num)+" is not a UUID")
			}
			if em, has := q.get("emisor"); has {
				f.IssuerTaxID = em
				b.checkf("emisor_nit", gtNIT.MatchString(em), "issuer NIT is digits with a final digit or K", "emisor "+quote(em)+" is not a NIT")
			}
			if rc, has := q.get("receptor"); has {
				f.ReceiverTaxID = rc
			}
			if m, has := q.get("monto"); has {
				f.Total, _ = b.decimal("monto", m, 0, anyFrac, false)
			}
			return b.done(), true
		},
	}
}
