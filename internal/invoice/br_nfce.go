package invoice

import (
	"encoding/hex"
	"regexp"
	"strings"
)

// Brazil — NFC-e QR code (SEFAZ/ENCAT, Manual do DANFE NFC-e v6.0 and NT
// 2025.001): a state-specific consultation URL with p=<fields separated by
// '|'>, or, for the legacy v1, ordinary parameters chNFe, nVersao=100, ….
//
//	v3 online   chave|3|tpAmb
//	v3 offline  chave|3|tpAmb|dia|vNF|tpIdDest|idDest|assinatura
//	v2 online   chave|2|tpAmb|idCSC|cHashQRCode
//	v2 offline  chave|2|tpAmb|dia|vNF|digVal|idCSC|cHashQRCode
//
// The 44-digit access key (chave) holds cUF, AAMM, the issuer CNPJ/CPF,
// model 65, series, number, tpEmis (9 = offline contingency), cNF and a
// mod-11 DV. The v2 hash is keyed with the secret CSC and the v3 offline
// signature needs the issuer certificate: neither is verified here. The
// host is not checked (each state has its own), so the signature is the
// p= layout itself.

var (
	brP     = regexp.MustCompile(`^(\d{44})\|([123])\|([12])(\|.*)?$`)
	brHex40 = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)
)

func brNFCe() scheme {
	return scheme{
		Scheme: Scheme{ID: "br-nfce", Country: "BR", Name: "NFC-e QR code (SEFAZ)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok {
				return nil, false
			}
			q := parseQuery(u.RawQuery, false)
			if p, has := q.get("p"); has && brP.MatchString(p) {
				return parseBRp(full, p), true
			}
			if ch, has := q.get("chNFe"); has && isDigits(ch, 44) {
				if v, _ := q.get("nVersao"); v == "100" {
					return parseBRv1(full, q), true
				}
			}
			return nil, false
		},
	}
}

// checkChave records the checks on a 44-digit access key and fills the
// fields it carries; it returns tpEmis.
func checkChave(b *builder, chave string) string {
	f := &b.inv.Fields
	f.DocumentID, f.Currency = chave, "BRL"
	f.IssuerTaxID = chave[6:20]
	f.DocumentType = chave[20:22]
	f.Extra["chave"] = chave
	b.checkf("chave_check_digit", validBRChave(chave), "access key DV is right", "access key DV is wrong")
	b.checkf("model", chave[20:22] == "65", "model 65 (NFC-e)", "model "+chave[20:22]+" is not 65 (NFC-e)")
	return chave[34:35]
}

func parseBRp(url, p string) *Invoice {
	b := newBuilder("br-nfce", "BR")
	f := &b.inv.Fields
	f.URL = url
	parts := strings.Split(p, "|")
	chave, ver, amb := parts[0], parts[1], parts[2]
	f.Extra["p"], f.Extra["version"], f.Extra["tpAmb"] = p, ver, amb
	tpEmis := checkChave(b, chave)
	b.checkf("version", ver == "2" || ver == "3", "QR version "+ver, "QR version "+ver+" in p= (v1 uses separate parameters)")
	offline := tpEmis == "9"
	want := map[string][2]int{"2": {5, 8}, "3": {3, 8}}[ver]
	n := len(parts)
	if b.checkf("layout", want != [2]int{} && (n == want[0] && !offline || n == want[1] && offline),
		"field count matches version and tpEmis", "p has "+itoa(n)+" fields; tpEmis "+tpEmis+" with version "+ver+" needs "+itoa(want[0])+" (online) or "+itoa(want[1])+" (offline, tpEmis 9)") && offline {
		dia := parts[3]
		b.checkf("dia", isDigits(dia, 2) && dia >= "01" && dia <= "31", "day of issue is 01–31", "dia "+quote(dia)+" is not 01–31")
		f.Total, _ = b.decimal("vnf", parts[4], 0, 2, false)
	}
	switch {
	case ver == "2" && len(parts) >= 5:
		h := parts[len(parts)-1]
		b.checkf("hash_format", brHex40.MatchString(h), "cHashQRCode is 40 hex (SHA-1)", "cHashQRCode "+quote(h)+" is not 40 hex")
		b.skip("hash_recompute", "cHashQRCode is keyed with the issuer's secret CSC; not verifiable offline")
	case ver == "3" && offline && len(parts) == 8:
		sig, err := decodeBase64Any(parts[7])
		b.checkf("signature_format", err == nil && len(sig) >= 64, "assinatura is Base64", "assinatura is not Base64")
		b.skip("signature", "the RSA-SHA1 signature needs the issuer certificate (in the NFC-e XML); not verified")
	}
	return b.done()
}

func parseBRv1(url string, q query) *Invoice {
	b := newBuilder("br-nfce", "BR")
	f := &b.inv.Fields
	f.URL = url
	q.copyTo(f.Extra)
	f.Extra["version"] = "1"
	b.requireKeys(q.get, "chNFe", "nVersao", "tpAmb", "dhEmi", "vNF", "digVal", "cIdToken", "cHashQRCode")
	ch, _ := q.get("chNFe")
	checkChave(b, ch)
	amb, _ := q.get("tpAmb")
	b.checkf("tp_amb", amb == "1" || amb == "2", "tpAmb is 1 or 2", "tpAmb "+quote(amb)+" is not 1 or 2")
	if dh, has := q.get("dhEmi"); has {
		raw, err := hex.DecodeString(dh)
		date, ok := "", false
		if err == nil {
			date, ok = parseDate(string(raw), "2006-01-02T15:04:05-07:00", "2006-01-02T15:04:05")
		}
		b.checkf("dh_emi", ok, "dhEmi is the hex of a valid datetime", "dhEmi does not decode to a datetime")
		f.Date = date
	}
	if v, has := q.get("vNF"); has {
		f.Total, _ = b.decimal("vnf", v, 0, 2, false)
	}
	if v, has := q.get("vICMS"); has {
		f.Tax, _ = b.decimal("vicms", v, 0, 2, false)
	}
	if v, has := q.get("digVal"); has {
		b.checkf("dig_val", isHexString(v, 0, false, false) && len(v)%2 == 0, "digVal is hex", "digVal is not hex")
	}
	h, _ := q.get("cHashQRCode")
	b.checkf("hash_format", brHex40.MatchString(h), "cHashQRCode is 40 hex (SHA-1)", "cHashQRCode "+quote(h)+" is not 40 hex")
	b.skip("hash_recompute", "cHashQRCode is keyed with the issuer's secret CSC; not verifiable offline")
	return b.done()
}
