package invoice

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestNearMisses feeds payloads that carry a scheme's signature but are
// wrong in one named way; each must be recognised, be invalid and name the
// failing check.
func TestNearMisses(t *testing.T) {
	cases := []struct {
		name, text, scheme, check string
	}{
		{"mx missing fe", "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=0000014300.000000",
			"mx-cfdi", "required_fields"},
		{"mx wrong rfc digit", "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T87&rr=CARR861127SB0&tt=14300&fe=rH8/bw==",
			"mx-cfdi", "issuer_rfc_check_digit"},
		{"mx non-numeric total", "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=14,300.00&fe=rH8/bw==",
			"mx-cfdi", "total"},
		{"mx zero total", "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=0.00&fe=rH8/bw==",
			"mx-cfdi", "total"},
		{"mx seal form-decoded", "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=1&fe=rH8 bw==",
			"mx-cfdi", "seal_fragment"},
		{"ar p not base64", "https://www.afip.gob.ar/fe/qr/?p=%%%%", "ar-afip", "p_base64"},
		{"ar p not json", "https://www.afip.gob.ar/fe/qr/?p=aGVsbG8gd29ybGQ=", "ar-afip", "json"},
		{"pe wrong ruc", "20603343711|01|F001|00004521|180.00|1180.00|2025-03-14|6|20487654320|x|", "pe-sunat", "ruc_check_digit"},
		{"pe igv above total", "20603343710|01|F001|00004521|1180.00|180.00|2025-03-14|6|20487654320|x|", "pe-sunat", "igv_le_total"},
		{"pe boleta series on factura", "20603343710|01|B001|00004521|180.00|1180.00|2025-03-14|6|20487654320|x|", "pe-sunat", "serie"},
		{"co url cufe mismatch", "NumFac: 1\nFecFac: 2019-01-16\nNitFac: 700085371\nValTolFac: 10.00\nCUFE: " + strings.Repeat("a", 96) + "\nQRCode: https://catalogo-vpfe.dian.gov.co/document/searchqr?documentkey=" + strings.Repeat("b", 96),
			"co-dian", "url_documentkey"},
		{"co nit with wrong dv", "NumFac: 1\nFecFac: 2019-01-16\nNitFac: 800197268-5\nValTolFac: 10.00\nCUFE: " + strings.Repeat("a", 96), "co-dian", "nit_check_digit"},
		{"es wrong dni letter", "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001T&numserie=1&fecha=01-09-2024&importe=241.4", "es-verifactu", "nif_check"},
		{"es impossible date", "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=1&fecha=31-02-2024&importe=241.4", "es-verifactu", "fecha_date"},
		{"es three decimals", "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=1&fecha=01-09-2024&importe=241.412", "es-verifactu", "importe"},
		{"tbai url crc", "https://batuz.eus/QRTBAI/?id=TBAI-A99805061-251222-DSI1XA1ErCoqa-159&s=&nf=FAC24&i=7561.00&cr=073", "es-ticketbai", "url_crc"},
		{"tbai id crc", "https://batuz.eus/QRTBAI/?id=TBAI-A99805061-251222-DSI1XA1ErCoqa-158&s=&nf=FAC23&i=7561.00&cr=073", "es-ticketbai", "id_crc"},
		{"pt taxes do not add up", "A:123456789*B:999999990*C:PT*D:FS*E:N*F:20190812*G:FS CDVF/12345*H:CDF7T5HD12345*I1:PT*I7:0.65*I8:0.15*N:0.16*O:0.80*Q:YhGV*R:9999",
			"pt-atcud", "taxes_sum"},
		{"ch qr-iban with scor", strings.Replace(exampleText("ch-qrbill/six-sample"), "QRR\n210000000003139471430009017", "SCOR\nRF18539007547034", 1), "ch-qrbill", "reference_type"},
		{"epc bad iban", "BCD\n002\n1\nSCT\n\nJohn Doe\nDE89370400440532013001\nEUR1.00", "eu-epc", "iban"},
		{"epc both references", "BCD\n002\n1\nSCT\n\nJohn Doe\nDE89370400440532013000\nEUR1.00\n\nRF18539007547034\nFactura", "eu-epc", "remittance"},
		{"zatca vat above total", "AQVTYWxsYQIPMzEwMTIyMzkzNTAwMDAzAxQyMDIxLTA3LTEyVDE0OjI1OjA5WgQGMTAwLjAwBQYxNTAuMDA=", "sa-zatca", "vat_le_total"},
		{"do bad encf", "https://fc.dgii.gov.do/ecf/ConsultaTimbreFC?RncEmisor=133130343&ENCF=E990000000005&MontoTotal=4487.78&CodigoSeguridad=AJIz2R", "do-ecf", "encf_format"},
		{"do fc above limit", "https://fc.dgii.gov.do/ecf/ConsultaTimbreFC?RncEmisor=133130343&ENCF=E320000000005&MontoTotal=250000.00&CodigoSeguridad=AJIz2R", "do-ecf", "routing"},
		{"uy unknown type", "https://www.efactura.dgi.gub.uy/consultaQR/cfe?215080550011,999,A,424298,1007.00,20260730,nh28472Ha%2FIdlJGEd%2BYJdXTUBp8%3D", "uy-cfe", "tipo_cfe"},
		{"uy missing field", "https://www.efactura.dgi.gub.uy/consultaQR/cfe?215080550011,101,A,424298,1007.00,20260730", "uy-cfe", "field_count"},
		{"br v2 wrong layout", "https://www.sefaz.rs.gov.br/NFCE/NFCE-COM.aspx?p=41170410422724000187650010000005101000010235|2|1", "br-nfce", "layout"},
		{"br wrong key dv", "https://x.example/q?p=41170410422724000187650010000005101000010236|3|1", "br-nfce", "chave_check_digit"},
		{"py wrong cdc", "https://ekuatia.set.gov.py/consultas/qr?nVersion=150&Id=01045547378001001000000112026011111234567894&dFeEmiDE=323032362d30312d31315430353a34303a3135&dRucRec=1&dTotGralOpe=1&dTotIVA=0&cItems=1&DigestValue=00&IdCSC=0001&cHashQR=" + strings.Repeat("0", 64),
			"py-sifen", "cdc_check_digit"},
		{"pa iamb mismatch", "https://dgi-fep.mef.gob.pa/Consultas/FacturasPorQR?chFE=" + paCUFE + "&iAmb=1&digestValue=" + paDigest + "&jwt=a.b.c", "pa-fe", "iamb_matches_cufe"},
		{"pl bad nip", "https://ksef.mf.gov.pl/client-app/invoice/1111111112/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE", "pl-ksef", "nip_check_digit"},
		{"pl short hash", "https://ksef.mf.gov.pl/client-app/invoice/1111111111/01-02-2026/UtQp9Gpc51y", "pl-ksef", "hash"},
		{"sv bad ambiente", "https://admin.factura.gob.sv/consultaPublica?ambiente=02&codGen=9B2C4F61-8931-4A52-B4D8-28C1A87D09E1&fechaEmi=2025-09-18", "sv-dte", "ambiente"},
		{"bo lower-case cuf", "https://siat.impuestos.gob.bo/consulta/QR?nit=1028374029&cuf=46a1d8f9f5a0c3b7e2f0&numero=152&t=2", "bo-siat", "cuf_format"},
		{"in bad gstin", jwtOf(`{"alg":"RS256"}`, strings.Replace(inGSTPayload, "27AAPFU0939F1ZV", "27AAPFU0939F1ZW", 1)), "in-gst", "seller_gstin_check_char"},
		{"pagopa zero amount", "PAGOPA|002|399000012345678900|83000390019|0", "it-pagopa", "amount"},
		{"pix wrong crc", "00020126500014BR.GOV.BCB.PIX0128mariannavidal12345@gmail.com520400005303986540580.005802BR5923Marianna Vidal da Silva6009SAO PAULO62140510Uog7w1SbFq63044417", "emvco-mpm", "crc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, ok := Parse(c.text)
			if !ok {
				t.Fatal("not recognised")
			}
			if inv.Scheme != c.scheme {
				t.Fatalf("scheme = %s, want %s", inv.Scheme, c.scheme)
			}
			if inv.Valid {
				t.Fatal("Valid = true")
			}
			chk, found := inv.Check(c.check)
			if !found || chk.OK {
				t.Fatalf("check %s: found=%v %+v; failed: %v", c.check, found, chk, inv.Failed())
			}
		})
	}
}

// TestUnknownPayloads checks that payloads without a scheme's signature give
// no invoice, including look-alikes on weak evidence.
func TestUnknownPayloads(t *testing.T) {
	for _, text := range []string{
		"", "   ", "hello world", "https://example.com/?p=abc&id=1",
		"https://sat.gob.mx/default.aspx?id=1&re=2",       // not the verification host
		"https://www.afip.gob.ar/fe/otra/?p=eyJ2ZXIiOjF9", // AFIP host, other path
		"https://www.afip.gob.ar/fe/qr/",                  // no p
		"?re=XOCD720319T86&tt=1",                          // partial legacy CFDI
		"SPC\n0100\n1\n",                                  // wrong QR-bill version
		"BCD\n003\n1\nSCT",                                // unknown EPC version
		"aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=",            // Base64, not TLV
		"AQVTYWxsYQ==",                                    // TLV without tags 2–5
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",       // a JWT that is not the IRP's
		"12345678901|2|3",                                 // pipes without the SUNAT shape
		"0002010102116304ABCD" + strings.Repeat("x", 1),   // EMVCo shape broken at the end
		strings.Repeat("A", MaxPayloadBytes+1),            // longer than any QR
		"NumFac",                                          // one line
	} {
		if inv, ok := Parse(text); ok {
			t.Errorf("Parse(%.40q) recognised as %s", text, inv.Scheme)
		}
	}
}

// TestInvoiceJSON pins the JSON shape DESIGN.md documents.
func TestInvoiceJSON(t *testing.T) {
	inv, ok := Parse("https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678-G33&fecha=01-09-2024&importe=241.4")
	if !ok {
		t.Fatal("not recognised")
	}
	raw, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scheme", "country", "fields", "checks", "valid", "errors", "warnings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %s", k, raw)
		}
	}
	fields := m["fields"].(map[string]any)
	want := map[string]string{"issuer_tax_id": "89890001K", "date": "2024-09-01", "total": "241.4", "currency": "EUR", "document_id": "12345678-G33"}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("fields.%s = %v, want %q", k, fields[k], v)
		}
	}
	checks := m["checks"].([]any)
	first := checks[0].(map[string]any)
	if _, ok := first["name"].(string); !ok {
		t.Errorf("check without name: %v", first)
	}
	if _, ok := first["ok"].(bool); !ok {
		t.Errorf("check without ok: %v", first)
	}
	if m["valid"] != true {
		t.Errorf("valid = %v", m["valid"])
	}
	// errors and warnings are arrays, never null, even when empty.
	for _, k := range []string{"errors", "warnings"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
	// A failed advisory check is a warning, in the JSON too.
	inv, _ = Parse(strings.Replace(exampleText("ch-qrbill/six-sample"), "/11/201021/", "/11/21.10.20/", 1))
	raw, _ = json.Marshal(inv)
	if !strings.Contains(string(raw), `"valid":true,"errors":[],"warnings":[{"check":"s1_invoice_date","detail":`) {
		t.Errorf("Swico warning JSON: %s", raw)
	}
}

// TestSchemes checks that scheme ids are unique, usable as Prometheus label
// values, and that the India scheme reports its signature as skipped.
func TestSchemes(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Schemes() {
		if seen[s.ID] {
			t.Errorf("duplicate id %s", s.ID)
		}
		seen[s.ID] = true
		for _, r := range s.ID {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Errorf("id %q has %q", s.ID, r)
			}
		}
		if s.Name == "" {
			t.Errorf("%s has no name", s.ID)
		}
	}
	for _, ex := range examples() {
		if !seen[ex.scheme] {
			t.Errorf("example %s uses unlisted scheme %s", ex.name, ex.scheme)
		}
	}
	inv, _ := Parse(exampleText("in-gst/signed-qr"))
	if c, ok := inv.Check("signature"); !ok || !c.Skipped || c.OK {
		t.Errorf("in-gst signature check = %+v, want skipped", c)
	}
}

// TestQueryTraps covers the two traps the reference names: Mexican RFCs
// written with "&amp;" must not be cut at the '&', and Base64 '+' must not
// become a space.
func TestQueryTraps(t *testing.T) {
	inv, ok := Parse("https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=Ñ&amp;A010101AAA&rr=CARR861127SB0&tt=1.00&fe=a+b/cd==")
	if !ok {
		t.Fatal("not recognised")
	}
	if inv.Fields.IssuerTaxID != "Ñ&A010101AAA" {
		t.Errorf("issuer = %q, want Ñ&A010101AAA", inv.Fields.IssuerTaxID)
	}
	if c, _ := inv.Check("issuer_rfc_format"); !c.OK {
		t.Errorf("issuer_rfc_format: %+v", c)
	}
	if c, _ := inv.Check("required_fields"); !c.OK {
		t.Errorf("required_fields: %+v", c)
	}
	if got := inv.Fields.Extra["fe"]; got != "a+b/cd==" {
		t.Errorf("fe = %q, want the raw a+b/cd==", got)
	}
	if c, _ := inv.Check("seal_fragment"); !c.OK {
		t.Errorf("seal_fragment: %+v", c)
	}
	// Percent-encoded RFC characters decode; '+' in a percent-decoded value stays '+'.
	inv, _ = Parse("https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=%C3%91%26A010101AAA&rr=CARR861127SB0&tt=1&fe=rH8%2Fbw%3D%3D")
	if inv.Fields.IssuerTaxID != "Ñ&A010101AAA" || inv.Fields.Extra["fe"] != "rH8/bw==" {
		t.Errorf("percent decoding: issuer %q fe %q", inv.Fields.IssuerTaxID, inv.Fields.Extra["fe"])
	}
}
