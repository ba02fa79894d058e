package invoice

import "strings"

// Poland — KSeF verification QR codes (Ministry of Finance, KSeF 2.0).
// KOD I, on every invoice visualisation:
// https://ksef.mf.gov.pl/client-app/invoice/<seller NIP>/<DD-MM-YYYY>/
// <SHA-256 of the invoice XML, Base64URL without padding> (test and demo
// hosts ksef-test, ksef-demo). KOD II, offline modes only:
// …/client-app/certificate/…/<NIP>/<certificate serial>/<hash>/<signature>;
// its final segment list is [UNCONFIRMED], so it is parsed loosely and its
// signature is not verified.

func plKSeF() scheme {
	return scheme{
		Scheme: Scheme{ID: "pl-ksef", Country: "PL", Name: "KSeF verification QR, KOD I / KOD II (MF)"},
		parse: func(text string) (*Invoice, bool) {
			u, full, ok := urlOf(text)
			if !ok || !u.hostIs("ksef.mf.gov.pl", "ksef-test.mf.gov.pl", "ksef-demo.mf.gov.pl") {
				return nil, false
			}
			segs := strings.Split(strings.Trim(u.Path, "/"), "/")
			if len(segs) < 2 || segs[0] != "client-app" || segs[1] != "invoice" && segs[1] != "certificate" {
				return nil, false
			}
			b := newBuilder("pl-ksef", "PL")
			f := &b.inv.Fields
			f.URL = full
			rest := segs[2:]
			if segs[1] == "invoice" {
				f.Extra["code"] = "KOD I"
				if !b.checkf("path_segments", len(rest) == 3, "NIP, date and hash segments", "KOD I needs /<NIP>/<DD-MM-YYYY>/<hash>, got "+itoa(len(rest))+" segments") {
					return b.done(), true
				}
				nip, date, hash := rest[0], rest[1], percentDecode(rest[2])
				f.IssuerTaxID = nip
				f.Extra["nip"], f.Extra["date"], f.Extra["hash"] = nip, date, hash
				b.checkf("nip_check_digit", validNIP(nip), "NIP check digit is right", "NIP "+quote(nip)+" is not 10 digits with a valid check digit")
				d, ok := parseDate(date, "02-01-2006")
				b.checkf("date", ok, "issue date is a valid DD-MM-YYYY date", "date "+quote(date)+" is not a valid DD-MM-YYYY date")
				f.Date = d
				raw, err := decodeBase64Any(hash)
				b.checkf("hash", err == nil && len(raw) == 32, "hash is a Base64URL SHA-256 digest", "hash does not decode to 32 bytes")
				b.skip("hash_compare", "comparing the hash needs the invoice XML file")
				return b.done(), true
			}
			f.Extra["code"] = "KOD II"
			f.Extra["path"] = strings.Join(rest, "/")
			nipAt := -1
			for i, s := range rest {
				if isDigits(s, 10) {
					nipAt = i
					break
				}
			}
			if b.checkf("path_segments", nipAt >= 0 && len(rest)-nipAt >= 4, "NIP, certificate serial, hash and signature segments",
				"KOD II needs /<NIP>/<certificate serial>/<hash>/<signature> (segment list [UNCONFIRMED])") {
				nip := rest[nipAt]
				f.IssuerTaxID = nip
				f.Extra["certificate_serial"] = rest[nipAt+1]
				b.checkf("nip_check_digit", validNIP(nip), "NIP check digit is right", "NIP "+quote(nip)+" has a wrong check digit")
				raw, err := decodeBase64Any(percentDecode(rest[nipAt+2]))
				b.checkf("hash", err == nil && len(raw) == 32, "hash is a Base64URL SHA-256 digest", "hash does not decode to 32 bytes")
			}
			b.skip("signature", "KOD II signature (RSASSA-PSS or ECDSA) needs the KSeF certificate; not verified")
			return b.done(), true
		},
	}
}
