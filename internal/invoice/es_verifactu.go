package invoice

import (
	"strings"
)

// Spain — VERI*FACTU "QR tributario" (AEAT, Orden HAC/1177/2024): the URL
// https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR (or
// ValidarQRNoVerifactu for non-verifiable systems; host prewww2.aeat.es in
// pre-production) with nif, numserie, fecha (DD-MM-YYYY) and importe.

func esVerifactu() scheme {
	return scheme{
		Scheme: Scheme{ID: "es-verifactu", Country: "ES", Name: "VERI*FACTU QR tributario (AEAT)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("www2.agenciatributaria.gob.es", "prewww2.aeat.es") ||
				!u.pathIs("/wlpl/TIKE-CONT/ValidarQR", "/wlpl/TIKE-CONT/ValidarQRNoVerifactu") {
				return nil, false
			}
			b := newBuilder("es-verifactu", "ES")
			f := &b.inv.Fields
			f.URL, f.Currency = full, "EUR"
			q := parseQuery(u.RawQuery, false)
			q.copyTo(f.Extra)
			f.Extra["mode"] = "verifactu"
			if strings.HasSuffix(strings.ToLower(strings.TrimSuffix(u.Path, "/")), "noverifactu") {
				f.Extra["mode"] = "no-verifactu"
			}
			b.requireKeys(q.get, "nif", "numserie", "fecha", "importe")
			nif, _ := q.get("nif")
			f.IssuerTaxID = nif
			checkNIFES(b, "nif", nif)
			ns, _ := q.get("numserie")
			f.DocumentID = ns
			printable := ns != "" && len(ns) <= 60
			for i := 0; i < len(ns); i++ {
				printable = printable && ns[i] >= 32 && ns[i] <= 126
			}
			b.checkf("numserie", printable, "numserie is 1–60 printable ASCII characters", "numserie "+quote(ns)+" is not 1–60 printable ASCII characters")
			fecha, _ := q.get("fecha")
			date, ok := parseDate(fecha, "02-01-2006")
			b.checkf("fecha_date", ok, "fecha is a valid DD-MM-YYYY date", "fecha "+quote(fecha)+" is not a valid DD-MM-YYYY date")
			f.Date = date
			imp, _ := q.get("importe")
			if strings.HasPrefix(imp, "-") {
				f.Total, _ = b.decimal("importe", imp, 12, 2, true)
				b.advise("importe_negative", false, "negative importe (rectifying invoice) is [UNCONFIRMED] as accepted by AEAT")
			} else {
				f.Total, _ = b.decimal("importe", imp, 12, 2, false)
			}
			b.skip("aeat_online", "the URL itself is AEAT's online check; not queried")
			return b.done(), true
		},
	}
}

// checkNIFES records the check of a Spanish NIF. A CIF failure is advisory:
// the reference marks the CIF control rule [UNCONFIRMED].
func checkNIFES(b *builder, name, nif string) {
	kind, ok := validNIFES(nif)
	if !b.checkf(name+"_format", kind != "", quote(nif)+" has the shape of a "+string(kind), quote(nif)+" is not a DNI, NIE or CIF") {
		return
	}
	if kind == nifCIF {
		b.advise(name+"_check", ok, "CIF control character (rule [UNCONFIRMED] in the reference, so advisory)")
		return
	}
	b.checkf(name+"_check", ok, string(kind)+" control letter is right", string(kind)+" "+quote(nif)+" has a wrong control letter")
}
