package invoice

// Mexico — CFDI de Retenciones 1.0/2.0 verification QR (SAT): the CFDI
// parameters on prodretencionverificacion.clouda.sat.gob.mx, except that a
// foreign receiver is given as nr (a tax id of up to 20 characters) in
// place of rr. Retenciones 1.0 codes have no fe (the seal fragment
// arrived with 2.0): a code without fe is read as 1.0 and one with fe as
// 2.0, whose fe must then be well formed.

func mxRetenciones() scheme {
	return scheme{
		Scheme: Scheme{ID: "mx-retenciones", Country: "MX", Name: "CFDI de Retenciones verification QR (SAT)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("prodretencionverificacion.clouda.sat.gob.mx") {
				return nil, false
			}
			return parseMXQuery("mx-retenciones", full, u.RawQuery, true), true
		},
	}
}
