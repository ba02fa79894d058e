package invoice

import (
	"encoding/base64"
	"strings"
	"testing"
)

// official is one example payload of ../shared/invoice-qr-formats.md (the
// reference), in the reference's section order, with the verdict an
// authority would give it. A scheme with a check digit (or a CRC, or an
// internal sum) also names a corruption of that digit and the check that
// must then fail.
type official struct {
	section string // reference section
	name    string // example name in examples(), or a payload of its own
	text    string // set when the payload is not in examples()
	scheme  string // "" when no scheme may claim it
	valid   bool
	why     string // why an official example is not valid, when it is not
	// corrupt rewrites the payload to break one check digit; fails names
	// the check that must then fail (and make the invoice invalid).
	corrupt func(string) string
	fails   string
}

// replace returns a corruption that replaces the first old with new.
func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("corruption target " + old + " not in payload")
		}
		return strings.Replace(s, old, new, 1)
	}
}

// inBase64Query corrupts inside the Base64 JSON of an Argentine p=.
func inBase64Query(old, new string) func(string) string {
	return func(s string) string {
		head, p, _ := strings.Cut(s, "?p=")
		raw, err := base64.StdEncoding.DecodeString(p)
		if err != nil || !strings.Contains(string(raw), old) {
			panic("corruption target " + old + " not in p")
		}
		return head + "?p=" + base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), old, new, 1)))
	}
}

func officialExamples() []official {
	return []official{
		{section: "2 MX CFDI", name: "mx-cfdi/sat-anexo20", scheme: "mx-cfdi", valid: true,
			corrupt: replace("re=XOCD720319T86", "re=XOCD720319T87"), fails: "issuer_rfc_check_digit"},
		{section: "2 MX CFDI", name: "mx-cfdi/phpcfdi", scheme: "mx-cfdi", valid: true,
			corrupt: replace("rr=DIM8701081LA", "rr=DIM8701081LB"), fails: "receiver_rfc_check_digit"},
		{section: "2 MX CFDI", name: "mx-cfdi/3.2-legacy", scheme: "mx-cfdi", valid: true,
			corrupt: replace("re=XOCD720319T86", "re=XOCD720319T85"), fails: "issuer_rfc_check_digit"},
		{section: "2 MX Retenciones 1.0", name: "mx-retenciones/1.0-no-fe", scheme: "mx-retenciones", valid: true,
			corrupt: replace("re=XOCD720319T86", "re=XOCD720319T87"), fails: "issuer_rfc_check_digit"},
		{section: "2 MX Retenciones 2.0", name: "mx-retenciones/foreign-receiver", scheme: "mx-retenciones", valid: true,
			corrupt: replace("fe=rH8/bw==", "fe=rH8 bw=="), fails: "seal_fragment"},
		{section: "3 AR", name: "ar-afip/spec", scheme: "ar-afip", valid: true,
			corrupt: inBase64Query(`"cuit":30000000007`, `"cuit":30000000008`), fails: "cuit_check_digit"},
		{section: "3 AR", name: "ar-afip/factura-b", scheme: "ar-afip", valid: true,
			corrupt: inBase64Query(`"cuit":30712345671`, `"cuit":30712345672`), fails: "cuit_check_digit"},
		{section: "4 PE", name: "pe-sunat/factura", scheme: "pe-sunat", valid: true,
			corrupt: replace("20603343710|", "20603343711|"), fails: "ruc_check_digit"},
		// The CUFE is a keyed hash (not recomputable); the URL must repeat it.
		{section: "5 CO", name: "co-dian/cufe-example", scheme: "co-dian", valid: true,
			corrupt: replace("documentkey=8bb9", "documentkey=8bb8"), fails: "url_documentkey"},
		{section: "7 CL", name: "cl-ted (PDF417, out of scope)", scheme: "",
			text: `<TED version="1.0"><DD><RE>76555807-7</RE><TD>33</TD><F>44</F><FE>2017-01-11</FE><RR>10488997-2</RR>…<MNT>395080</MNT>…<TSTED>2017-01-11T10:38:25</TSTED></DD><FRMT algoritmo="SHA1withRSA">…</FRMT></TED>`,
			why:  "a PDF417 symbol, not a QR code; no QR scheme claims it"},
		{section: "8 UY", name: "uy-cfe/e-ticket", scheme: "uy-cfe", valid: true,
			corrupt: replace("cfe?215080550011", "cfe?215080550012"), fails: "rut_check_digit"},
		{section: "8 UY", name: "uy-cfe/e-factura", scheme: "uy-cfe", valid: true,
			corrupt: replace("cfe?216753930012", "cfe?216753930013"), fails: "rut_check_digit"},
		{section: "11 PA", name: "pa-fe/real-truncated-jwt", scheme: "pa-fe", valid: false,
			why:     "the reference prints the JWT truncated (…), so it cannot be decoded",
			corrupt: replace("1091727&", "1091728&"), fails: "cufe_check_digit"},
		{section: "11 PA", name: "pa-fe/full-jwt", scheme: "pa-fe", valid: true,
			corrupt: replace("1091727&", "1091728&"), fails: "cufe_check_digit"},
		{section: "12 DO", name: "do-ecf/consumo", scheme: "do-ecf", valid: true,
			corrupt: replace("RncEmisor=133130343", "RncEmisor=133130344"), fails: "rnc_emisor_check_digit"},
		{section: "12 DO", name: "do-ecf/lower-case", scheme: "do-ecf", valid: true,
			corrupt: replace("rnccomprador=130941361", "rnccomprador=130941362"), fails: "rnc_comprador_check_digit"},
		{section: "13 BO", name: "bo-siat/half-page", scheme: "bo-siat", valid: true}, // no check digit
		{section: "14 PY", name: "py-sifen/test-env", scheme: "py-sifen", valid: true,
			corrupt: replace("11234567893&", "11234567894&"), fails: "cdc_check_digit"},
		{section: "15 SV", name: "sv-dte/production", scheme: "sv-dte", valid: true},   // no check digit
		{section: "10 GT", name: "gt-fel/autorizacion", scheme: "gt-fel", valid: true}, // NIT mod 11 unverified
		{section: "17 BR", name: "br-nfce/v3-online", scheme: "br-nfce", valid: true,
			corrupt: replace("010235|", "010236|"), fails: "chave_check_digit"},
		{section: "17 BR", name: "br-nfce/v1-truncated", scheme: "br-nfce", valid: false,
			why:     "the reference prints digVal truncated (…)",
			corrupt: replace("010235&", "010236&"), fails: "chave_check_digit"},
		{section: "18 ES VERI*FACTU", name: "es-verifactu/aeat-sample", scheme: "es-verifactu", valid: true,
			corrupt: replace("nif=89890001K", "nif=89890001T"), fails: "nif_check"},
		// B88752210's CIF control digit is a warning (rule unconfirmed);
		// its date is what a corruption can break.
		{section: "18 ES VERI*FACTU", name: "es-verifactu/fiskaly", scheme: "es-verifactu", valid: true,
			corrupt: replace("fecha=05-01-2025", "fecha=35-01-2025"), fails: "fecha_date"},
		{section: "19 ES TicketBAI", name: "es-ticketbai/bizkaia", scheme: "es-ticketbai", valid: true,
			corrupt: replace("-159&", "-158&"), fails: "id_crc"},
		{section: "20 PT", name: "pt-atcud/fs", scheme: "pt-atcud", valid: true,
			corrupt: replace("A:123456789", "A:123456788"), fails: "issuer_nif_check_digit"},
		{section: "20 PT", name: "pt-atcud/gt", scheme: "pt-atcud", valid: true,
			corrupt: replace("B:123456789", "B:123456780"), fails: "acquirer_nif_check_digit"},
		{section: "20 PT (AT spec FT, N = VAT + M)", name: "pt-atcud/ft-stamp-duty", scheme: "pt-atcud", valid: true,
			corrupt: replace("N:64000.02", "N:63975.02"), fails: "taxes_sum"},
		{section: "20 PT (AT spec PF)", name: "pt-atcud/pf", scheme: "pt-atcud", valid: true,
			corrupt: replace("A:500000000", "A:500000001"), fails: "issuer_nif_check_digit"},
		{section: "21 CH", name: "ch-qrbill/six-sample", scheme: "ch-qrbill", valid: true,
			corrupt: replace("0009017", "0009018"), fails: "reference"},
		{section: "21 CH (older Swico date)", name: "ch-qrbill/swico-old-date", scheme: "ch-qrbill", valid: true,
			corrupt: replace("CH4431999123000889012", "CH4431999123000889013"), fails: "iban"},
		{section: "22 EPC", name: "eu-epc/girocode", scheme: "eu-epc", valid: true,
			corrupt: replace("RF18539007547034", "RF19539007547034"), fails: "reference"},
		{section: "22 EPC (non-RF reference)", name: "eu-epc/non-rf-reference", scheme: "eu-epc", valid: true,
			corrupt: replace("DE89370400440532013000", "DE89370400440532013001"), fails: "iban"},
		{section: "23 SA", name: "sa-zatca/salla-dummy-vat", scheme: "sa-zatca", valid: false,
			why: "the reference says its VAT number is a dummy that fails the 15-digit rule"},
		{section: "23 SA", name: "sa-zatca/utf8-seller", scheme: "sa-zatca", valid: true}, // no check digit
		{section: "24 IN", name: "in-gst/signed-qr", scheme: "in-gst", valid: true,
			corrupt: func(string) string {
				return jwtOf(`{"alg":"RS256","kid":"ABC123","typ":"JWT"}`, strings.Replace(inGSTPayload, "29AAGCB7383J1Z4", "29AAGCB7383J1Z5", 1))
			}, fails: "buyer_gstin_check_char"},
		{section: "25 PL", name: "pl-ksef/kod-i", scheme: "pl-ksef", valid: true,
			corrupt: replace("/1111111111/", "/1111111112/"), fails: "nip_check_digit"},
		{section: "26 IT", name: "it-pagopa/notice", scheme: "it-pagopa", valid: true}, // IUV check digit unresearched
		{section: "27 EMVCo", name: "emvco-mpm/pix", scheme: "emvco-mpm", valid: true,
			corrupt: replace("63044416", "63044417"), fails: "crc"},
	}
}

// TestOfficialExamples: every example of the reference parses to its
// scheme with the verdict an authority would give (#14), and corrupting its
// check digit makes it invalid, naming the check.
func TestOfficialExamples(t *testing.T) {
	reg := NewRegistry()
	for _, ex := range officialExamples() {
		t.Run(ex.name, func(t *testing.T) {
			text := ex.text
			if text == "" {
				text = exampleText(ex.name)
			}
			inv, ok := reg.Parse(text)
			if ex.scheme == "" {
				if ok {
					t.Fatalf("claimed by %s; want no scheme (%s)", inv.Scheme, ex.why)
				}
				return
			}
			if !ok || inv.Scheme != ex.scheme {
				t.Fatalf("recognised %v as %v, want %s", ok, inv, ex.scheme)
			}
			if inv.Valid != ex.valid {
				t.Fatalf("valid = %v, want %v (%s); errors %v", inv.Valid, ex.valid, ex.why, inv.Errors)
			}
			if !ex.valid && ex.why == "" {
				t.Error("an official example judged invalid needs a reason")
			}
			if ex.corrupt == nil {
				return
			}
			bad, ok := reg.Parse(ex.corrupt(text))
			if !ok || bad.Scheme != ex.scheme {
				t.Fatalf("corrupted: recognised %v as %v", ok, bad)
			}
			if bad.Valid {
				t.Fatalf("corrupted %s: still valid", ex.fails)
			}
			found := false
			for _, e := range bad.Errors {
				found = found || e.Check == ex.fails
			}
			if !found {
				t.Errorf("corrupted: errors %v, want %s among them", bad.Errors, ex.fails)
			}
		})
	}
}

// TestEveryExampleIsOfficial keeps the two tables in step: every payload of
// examples() has a row in officialExamples().
func TestEveryExampleIsOfficial(t *testing.T) {
	rows := map[string]bool{}
	for _, o := range officialExamples() {
		rows[o.name] = true
	}
	for _, ex := range examples() {
		if !rows[ex.name] {
			t.Errorf("example %s has no official-examples row", ex.name)
		}
	}
}

// TestWarningsAreNotErrors: the four false rejections of #14, each with
// the verdict an authority gives and its warnings apart from its errors.
func TestWarningsAreNotErrors(t *testing.T) {
	cases := []struct {
		name     string
		warnings []string
	}{
		{"pt-atcud/ft-stamp-duty", nil},
		{"mx-retenciones/1.0-no-fe", nil},
		{"ch-qrbill/swico-old-date", []string{"s1_invoice_date"}},
		{"eu-epc/non-rf-reference", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, _ := Parse(exampleText(c.name))
			if !inv.Valid || len(inv.Errors) != 0 {
				t.Fatalf("valid %v, errors %v", inv.Valid, inv.Errors)
			}
			var got []string
			for _, w := range inv.Warnings {
				got = append(got, w.Check)
			}
			if strings.Join(got, ",") != strings.Join(c.warnings, ",") {
				t.Errorf("warnings %v, want %v", inv.Warnings, c.warnings)
			}
		})
	}
	// A Swico date that is no date at all is still only a warning.
	inv, _ := Parse(strings.Replace(exampleText("ch-qrbill/six-sample"), "/11/201021/", "/11/soon/", 1))
	if !inv.Valid || len(inv.Warnings) != 1 || inv.Warnings[0].Check != "s1_invoice_date" {
		t.Errorf("unparseable Swico date: valid %v, warnings %v, errors %v", inv.Valid, inv.Warnings, inv.Errors)
	}
	// Retenciones 2.0 (fe present) still checks fe.
	inv, _ = Parse("https://prodretencionverificacion.clouda.sat.gob.mx/?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=1.00&fe=short")
	if inv.Valid {
		t.Error("Retenciones 2.0 with a malformed fe is valid")
	}
	// A reference starting RF is still held to ISO 11649.
	inv, _ = Parse(strings.Replace(exampleText("eu-epc/girocode"), "RF18", "RF19", 1))
	if inv.Valid {
		t.Error("EPC with a broken RF reference is valid")
	}
}
