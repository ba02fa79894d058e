package invoice

import (
	"fmt"
	"regexp"
	"strings"
)

// EMVCo merchant-presented QR (Pix "copia e cola" and other national
// payment schemes): a TLV string of ID(2) + length(2) + value, starting
// 000201 and ending with tag 63, a CRC-16/CCITT-FALSE over everything up to
// and including "6304", as 4 upper-case hex digits. Not fiscal, recognised
// so it is not mistaken for the fiscal code on the same invoice.

var emvcoSignature = regexp.MustCompile(`^000201.*6304[0-9A-Fa-f]{4}$`)

// emvcoCurrencies maps ISO 4217 numeric codes common on Latin American
// payment codes to their alphabetic codes.
var emvcoCurrencies = map[string]string{"986": "BRL", "840": "USD", "978": "EUR", "484": "MXN", "604": "PEN",
	"032": "ARS", "170": "COP", "152": "CLP", "858": "UYU", "600": "PYG", "068": "BOB", "320": "GTQ", "590": "PAB", "214": "DOP"}

func emvcoMPM() scheme {
	return scheme{
		Scheme: Scheme{ID: "emvco-mpm", Name: "EMVCo merchant-presented payment QR (Pix and others)"},
		parse: func(text string) (*Invoice, bool) {
			t := strings.TrimRight(text, "\r\n")
			if !emvcoSignature.MatchString(t) {
				return nil, false
			}
			b := newBuilder("emvco-mpm", "")
			f := &b.inv.Fields
			tags, err := parseEMVTLV(t)
			if !b.checkf("tlv", err == nil, "TLV structure parses to the end", errString(err)) {
				return b.done(), true
			}
			for _, tv := range tags {
				if _, dup := f.Extra[tv[0]]; !dup {
					f.Extra[tv[0]] = tv[1]
				}
			}
			want := fmt.Sprintf("%04X", crc16CCITTFalse([]byte(t[:len(t)-4])))
			b.checkf("crc", strings.EqualFold(t[len(t)-4:], want), "CRC-16 is right", "CRC-16 is "+t[len(t)-4:]+", computed "+want)
			b.checkf("payload_format", f.Extra["00"] == "01", "payload format 01", "payload format indicator is not 01")
			for id := 26; id <= 51; id++ {
				v, ok := f.Extra[fmt.Sprintf("%02d", id)]
				if !ok {
					continue
				}
				sub, err := parseEMVTLV(v)
				if err != nil {
					continue
				}
				for _, s := range sub {
					if s[0] == "00" && strings.EqualFold(s[1], "br.gov.bcb.pix") {
						b.inv.Country = "BR"
						f.Extra["network"] = "pix"
					}
					if s[0] == "01" && f.Extra["network"] == "pix" {
						f.Extra["pix_key"] = s[1]
					}
				}
			}
			if c, ok := f.Extra["53"]; ok {
				b.checkf("currency", isDigits(c, 3), "currency is ISO 4217 numeric", "currency "+quote(c)+" is not 3 digits")
				f.Currency = c
				if iso, ok := emvcoCurrencies[c]; ok {
					f.Currency = iso
				}
			}
			if a, ok := f.Extra["54"]; ok {
				f.Total, _ = b.decimal("amount", a, 0, anyFrac, false)
			}
			f.IssuerName = f.Extra["59"]
			b.checkf("merchant_name", f.IssuerName != "", "merchant name present", "merchant name (59) missing")
			if add, ok := f.Extra["62"]; ok {
				if sub, err := parseEMVTLV(add); err == nil {
					for _, s := range sub {
						if s[0] == "05" {
							f.DocumentID = s[1]
						}
					}
				}
			}
			return b.done(), true
		},
	}
}

// parseEMVTLV splits an EMVCo TLV string into [id, value] pairs; lengths
// count characters.
func parseEMVTLV(s string) ([][2]string, error) {
	var out [][2]string
	r := []rune(s)
	for i := 0; i < len(r); {
		if i+4 > len(r) || !isDigits(string(r[i:i+4]), 4) {
			return nil, fmt.Errorf("invoice: emvco: bad tag header at %d", i)
		}
		n := atoiSmall(string(r[i+2 : i+4]))
		if i+4+n > len(r) {
			return nil, fmt.Errorf("invoice: emvco: tag %s overruns the payload", string(r[i:i+2]))
		}
		out = append(out, [2]string{string(r[i : i+2]), string(r[i+4 : i+4+n])})
		i += 4 + n
	}
	return out, nil
}
