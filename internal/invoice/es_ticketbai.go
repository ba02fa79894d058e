package invoice

import (
	"fmt"
	"regexp"
	"strings"
)

// Spain (Basque Country) — TicketBAI QR (Haciendas Forales, spec 4.3.3): a
// URL on one of the provincial hosts with id (the 39-character TicketBAI
// identifier TBAI-<NIF>-<DDMMYY>-<13 signature chars>-<CRC-8>), s (series),
// nf (number), i (total) and cr, the CRC-8 of the URL text before "&cr=".
// Both CRCs are CRC-8 (poly 0x07) printed as 3 decimal digits.

var tbaiID = regexp.MustCompile(`^TBAI-([0-9A-Z]{9})-(\d{6})-(.{13})-(\d{3})$`)

func tbaiURL(u rawURL) bool {
	switch {
	case u.hostIs("batuz.eus") && u.pathIs("/QRTBAI"),
		u.hostIs("tbai.egoitza.gipuzkoa.eus", "tbai.prep.gipuzkoa.eus") && u.pathIs("/qr"),
		u.hostIs("ticketbai.araba.eus", "pruebas-ticketbai.araba.eus") && u.pathIs("/tbai/qrtbai"):
		return true
	}
	return false
}

func esTicketBAI() scheme {
	return scheme{
		Scheme: Scheme{ID: "es-ticketbai", Country: "ES", Name: "TicketBAI QR (Basque Haciendas Forales)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !tbaiURL(u) {
				return nil, false
			}
			b := newBuilder("es-ticketbai", "ES")
			f := &b.inv.Fields
			f.URL, f.Currency = full, "EUR"
			q := parseQuery(u.RawQuery, false)
			q.copyTo(f.Extra)
			b.requireKeys(q.get, "id", "nf", "i", "cr")
			id, _ := q.get("id")
			if b.checkf("id_format", len(id) == 39 && tbaiID.MatchString(id), "id is a 39-character TicketBAI identifier",
				"id "+quote(id)+" is not TBAI-<NIF>-<DDMMYY>-<13 chars>-<3 digits>") {
				m := tbaiID.FindStringSubmatch(id)
				f.IssuerTaxID = m[1]
				checkNIFES(b, "id_nif", m[1])
				date, ok := parseDate(m[2], "020106")
				b.checkf("id_date", ok, "identifier date is valid", "identifier date "+quote(m[2])+" is not a valid DDMMYY date")
				f.Date = date
				want := fmt.Sprintf("%03d", crc8([]byte(id[:36])))
				b.checkf("id_crc", m[4] == want, "identifier CRC-8 is right", "identifier CRC-8 is "+m[4]+", computed "+want)
			}
			s, _ := q.get("s")
			nf, _ := q.get("nf")
			f.DocumentID = s + nf
			f.Extra["series"], f.Extra["number"] = s, nf
			f.Total, _ = b.decimal("importe", func() string { v, _ := q.get("i"); return v }(), 0, 2, true)
			cr, _ := q.get("cr")
			i := strings.LastIndex(full, "&cr=")
			want := ""
			if i >= 0 {
				want = fmt.Sprintf("%03d", crc8([]byte(full[:i])))
			}
			b.checkf("url_crc", i >= 0 && cr == want, "URL CRC-8 is right", "URL CRC-8 is "+quote(cr)+", computed "+quote(want))
			return b.done(), true
		},
	}
}
