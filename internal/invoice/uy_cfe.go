package invoice

import (
	"regexp"
	"strings"
)

// Uruguay — CFE verification QR (DGI): the URL
// https://www.efactura.dgi.gub.uy/consultaQR/cfe?<RUT>,<type>,<series>,
// <number>,<total>,<date>,<hash> — a comma-separated positional query, not
// key=value. The hash is the Base64 DigestValue of the signed CFE (SHA-1 or
// SHA-256), percent-encoded; its first 6 characters are the printed
// "código de seguridad" (the majority reading; "last 6" is [UNCONFIRMED]).

var uyCFETypes = map[string]string{
	"101": "e-Ticket", "102": "NC e-Ticket", "103": "ND e-Ticket",
	"111": "e-Factura", "112": "NC e-Factura", "113": "ND e-Factura",
	"121": "e-Factura Exportación", "122": "NC e-Factura Exportación", "123": "ND e-Factura Exportación",
	"124": "e-Remito Exportación", "131": "e-Ticket Venta por Cuenta Ajena", "132": "NC e-Ticket VCA",
	"133": "ND e-Ticket VCA", "141": "e-Factura VCA", "142": "NC e-Factura VCA", "143": "ND e-Factura VCA",
	"151": "e-Boleta", "152": "NC e-Boleta", "153": "ND e-Boleta", "181": "e-Remito", "182": "e-Resguardo",
	"201": "e-Ticket (contingencia)", "202": "NC e-Ticket (contingencia)", "203": "ND e-Ticket (contingencia)",
	"211": "e-Factura (contingencia)", "212": "NC e-Factura (contingencia)", "213": "ND e-Factura (contingencia)",
	"221": "e-Factura Exportación (contingencia)", "222": "NC e-Factura Exportación (contingencia)",
	"223": "ND e-Factura Exportación (contingencia)", "224": "e-Remito Exportación (contingencia)",
	"231": "e-Ticket VCA (contingencia)", "232": "NC e-Ticket VCA (contingencia)", "233": "ND e-Ticket VCA (contingencia)",
	"241": "e-Factura VCA (contingencia)", "242": "NC e-Factura VCA (contingencia)", "243": "ND e-Factura VCA (contingencia)",
	"251": "e-Boleta (contingencia)", "252": "NC e-Boleta (contingencia)", "253": "ND e-Boleta (contingencia)",
	"281": "e-Remito (contingencia)", "282": "e-Resguardo (contingencia)",
}

var uySeries = regexp.MustCompile(`^[A-Z]{1,2}$`)

func uyCFE() scheme {
	return scheme{
		Scheme: Scheme{ID: "uy-cfe", Country: "UY", Name: "CFE verification QR (DGI)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("www.efactura.dgi.gub.uy", "efactura.dgi.gub.uy", "www.efactura.testing.dgi.gub.uy", "efactura.testing.dgi.gub.uy") ||
				!u.pathIs("/consultaQR/cfe") {
				return nil, false
			}
			b := newBuilder("uy-cfe", "UY")
			f := &b.inv.Fields
			f.URL = full
			parts := strings.Split(u.RawQuery, ",")
			for i := range parts {
				parts[i] = percentDecode(parts[i])
			}
			names := []string{"rut", "tipo_cfe", "serie", "numero", "monto_total", "fecha", "hash"}
			for i, n := range names {
				if i < len(parts) {
					f.Extra[n] = parts[i]
				}
			}
			if !b.checkf("field_count", len(parts) == 7, "7 positional fields", "expected 7 comma-separated fields, got "+itoa(len(parts))) {
				return b.done(), true
			}
			rut, tipo, serie, nro, total, fecha, hash := parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]
			f.IssuerTaxID, f.DocumentType = rut, tipo
			f.DocumentID = serie + "-" + nro
			if b.checkf("rut_format", isDigits(rut, 12), "RUT has 12 digits", "RUT "+quote(rut)+" is not 12 digits") {
				b.checkf("rut_check_digit", validRUTUY(rut), "RUT check digit is right", "RUT "+rut+" has a wrong check digit")
			}
			name, known := uyCFETypes[tipo]
			b.checkf("tipo_cfe", known, "CFE type "+tipo+" ("+name+")", "CFE type "+quote(tipo)+" is not in the DGI table")
			b.checkf("serie", uySeries.MatchString(serie), "series is 1–2 letters", "series "+quote(serie)+" is not 1–2 letters")
			b.checkf("numero", isDigits(nro, 0) && len(nro) <= 7, "number ≤ 7 digits", "number "+quote(nro)+" is not ≤ 7 digits")
			f.Total, _ = b.decimal("monto_total", total, 0, 2, false)
			date, ok := parseDate(fecha, "20060102", "02/01/2006")
			b.checkf("fecha_date", ok, "date is valid", "date "+quote(fecha)+" is not a valid YYYYMMDD date")
			f.Date = date
			raw, err := decodeBase64Any(hash)
			if b.checkf("hash", err == nil && (len(raw) == 20 || len(raw) == 32), "hash is a Base64 SHA-1 or SHA-256 digest",
				"hash "+quote(hash)+" does not decode to 20 or 32 bytes") && len(hash) >= 6 {
				f.Extra["codigo_seguridad"] = hash[:6]
			}
			return b.done(), true
		},
	}
}
