package invoice

import (
	"encoding/base64"
	"strings"
	"testing"
)

// example is a payload from the reference (invoice-qr-formats.md), marked
// real or constructed as the reference marks it, with the fields it must
// yield. wantFailed lists the checks that must fail, for the few reference
// payloads that are themselves flawed (truncated or dummy values); it is
// empty for all others, which must be Valid. wantWarned lists the
// advisory checks that must fail (warnings, which leave Valid alone).
type example struct {
	name       string
	real       bool
	text       string
	scheme     string
	issuer     string
	date       string
	total      Decimal
	wantFailed []string
	wantWarned []string
}

// jwtOf builds an unsigned-looking compact JWT around payload; the signature
// part is opaque bytes, as it is to a reader without the key.
func jwtOf(header, payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString([]byte("not-a-real-signature-0123456789"))
}

const (
	inGSTPayload = `{"iss":"NIC","data":"{\"SellerGstin\":\"27AAPFU0939F1ZV\",\"BuyerGstin\":\"29AAGCB7383J1Z4\",\"DocNo\":\"INV/2025/0457\",\"DocTyp\":\"INV\",\"DocDt\":\"14/03/2025\",\"TotInvVal\":118000.0,\"ItemCnt\":3,\"MainHsnCode\":\"8471\",\"Irn\":\"a3c1f0d2e4b5968778695a4b3c2d1e0f9a8b7c6d5e4f30211203f4e5d6c7b8a9\",\"IrnDt\":\"2025-03-14 11:02:45\"}"}`
	paCUFE       = "FE012000000521-136-113133-0270062022051590000008910080125781091727"
	paDigest     = "6DAmQE2MHCLS5sCNiivAVTFcSVz4VcVcWkrEFIpT8RY="
	chSIXSample  = "SPC\n0200\n1\nCH4431999123000889012\nS\nMax Muster & Söhne\nMusterstrasse\n123\n8000\nSeldwyla\nCH\n\n\n\n\n\n\n\n1949.75\nCHF\nS\nSimon Muster\nMusterstrasse\n1\n8000\nSeldwyla\nCH\nQRR\n210000000003139471430009017\nOrder from 15.10.2020\nEPD\n//S1/10/1234/11/201021/30/102673386/32/7.7/40/0:30\neBill/B/simon.muster@example.com"
	ptFTExample  = "A:123456789*B:999999990*C:PT*D:FT*E:N*F:20191231*G:FT AB2019/0035*H:CSDF7T5H-0035*I1:PT*I2:12000.00*I3:15000.00*I4:900.00*I5:50000.00*I6:6500.00*I7:80000.00*I8:18400.00*J1:PT-AC*J2:10000.00*J3:25000.56*J4:1000.02*J5:75000.00*J6:6750.00*J7:100000.00*J8:18000.00*K1:PT-MA*K2:5000.00*K3:12500.00*K4:625.00*K5:25000.00*K6:3000.00*K7:40000.00*K8:8800.00*L:100.00*M:25.00*N:64000.02*O:513600.58*P:100.00*Q:kLp0*R:9999*S:TB;PT00000000000000000000000;513500.58"
)

func examples() []example {
	paJWT := jwtOf(`{"alg":"HS256","typ":"JWT"}`, `{"chFE":"`+paCUFE+`","iAmb":"2","digestValue":"`+paDigest+`"}`)
	paBase := "https://dgi-fep-test.mef.gob.pa:40001/Consultas/FacturasPorQR?chFE=" + paCUFE + "&iAmb=2&digestValue=" + paDigest + "&jwt="
	return []example{
		{name: "mx-cfdi/sat-anexo20", real: true, scheme: "mx-cfdi", issuer: "XOCD720319T86", total: "14300",
			text: "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=0000014300.000000&fe=rH8/bw=="},
		{name: "mx-cfdi/phpcfdi", real: true, scheme: "mx-cfdi", issuer: "POT9207213D6", total: "2010.01",
			text: "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=CEE4BE01-ADFA-4DEB-8421-ADD60F0BEDAC&re=POT9207213D6&rr=DIM8701081LA&tt=2010.01&fe=/OAgdg=="},
		{name: "mx-cfdi/3.2-legacy", scheme: "mx-cfdi", issuer: "XOCD720319T86", total: "1234.5678",
			text: "?re=XOCD720319T86&rr=CARR861127SB0&tt=0000001234.567800&id=5803EB8D-81CD-4557-8719-26632D2FA434"},
		// Retenciones 1.0 has no fe (#14: it was rejected as "missing fe").
		{name: "mx-retenciones/1.0-no-fe", scheme: "mx-retenciones", issuer: "XOCD720319T86", total: "14300",
			text: "https://prodretencionverificacion.clouda.sat.gob.mx/?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=14300.00"},
		{name: "mx-retenciones/foreign-receiver", scheme: "mx-retenciones", issuer: "XOCD720319T86", total: "14300",
			text: "https://prodretencionverificacion.clouda.sat.gob.mx/?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&nr=DE811128135&tt=14300.00&fe=rH8/bw=="},
		{name: "ar-afip/spec", real: true, scheme: "ar-afip", issuer: "30000000007", date: "2020-10-13", total: "12100",
			text: "https://www.afip.gob.ar/fe/qr/?p=eyJ2ZXIiOjEsImZlY2hhIjoiMjAyMC0xMC0xMyIsImN1aXQiOjMwMDAwMDAwMDA3LCJwdG9WdGEiOjEwLCJ0aXBvQ21wIjoxLCJucm9DbXAiOjk0LCJpbXBvcnRlIjoxMjEwMCwibW9uZWRhIjoiRE9MIiwiY3R6Ijo2NSwidGlwb0RvY1JlYyI6ODAsIm5yb0RvY1JlYyI6MjAwMDAwMDAwMDEsInRpcG9Db2RBdXQiOiJFIiwiY29kQXV0Ijo3MDQxNzA1NDM2NzQ3Nn0="},
		{name: "ar-afip/factura-b", scheme: "ar-afip", issuer: "30712345671", date: "2025-03-14", total: "48399.5",
			text: "https://www.arca.gob.ar/fe/qr/?p=eyJ2ZXIiOjEsImZlY2hhIjoiMjAyNS0wMy0xNCIsImN1aXQiOjMwNzEyMzQ1NjcxLCJwdG9WdGEiOjMsInRpcG9DbXAiOjYsIm5yb0NtcCI6MTUzMiwiaW1wb3J0ZSI6NDgzOTkuNSwibW9uZWRhIjoiUEVTIiwiY3R6IjoxLCJ0aXBvRG9jUmVjIjo5NiwibnJvRG9jUmVjIjoyODEyMzQ1NiwidGlwb0NvZEF1dCI6IkUiLCJjb2RBdXQiOjc1MTEyMjMzNDQ1NTY2fQ=="},
		{name: "pe-sunat/factura", scheme: "pe-sunat", issuer: "20603343710", date: "2025-03-14", total: "1180",
			text: "20603343710|01|F001|00004521|180.00|1180.00|2025-03-14|6|20487654320|Hx8r2Yq0pQk1Xb2mU6m3c3r1a9E=|"},
		{name: "co-dian/cufe-example", scheme: "co-dian", issuer: "700085371", date: "2019-01-16", total: "1785000",
			text: "NumFac: 323200000129\nFecFac: 2019-01-16\nHorFac: 10:53:10-05:00\nNitFac: 700085371\nDocAdq: 800199436\nValFac: 1500000.00\nValIva: 285000.00\nValOtroIm: 0.00\nValTolFac: 1785000.00\nCUFE: 8bb918b19ba22a694f1da11c643b5e9de39adf60311cf179179e9b33381030bcd4c3c3f156c506ed5908f9276f5bd9b4\nQRCode: https://catalogo-vpfe.dian.gov.co/document/searchqr?documentkey=8bb918b19ba22a694f1da11c643b5e9de39adf60311cf179179e9b33381030bcd4c3c3f156c506ed5908f9276f5bd9b4"},
		{name: "uy-cfe/e-ticket", real: true, scheme: "uy-cfe", issuer: "215080550011", date: "2026-07-30", total: "1007",
			text: "https://www.efactura.dgi.gub.uy/consultaQR/cfe?215080550011,101,A,424298,1007.00,20260730,nh28472Ha%2FIdlJGEd%2BYJdXTUBp8%3D"},
		{name: "uy-cfe/e-factura", real: true, scheme: "uy-cfe", issuer: "216753930012", date: "2024-10-22", total: "291.45",
			text: "https://www.efactura.dgi.gub.uy/consultaQR/cfe?216753930012,111,A,758,291.45,20241022,dpmLMfgpd%2FWbZvORW8oErIkY%2BDtbsUHnh2gnmZyu5HY%3D"},
		{name: "pa-fe/real-truncated-jwt", real: true, scheme: "pa-fe", issuer: "521-136-113133-02", date: "2022-05-15",
			text: paBase + "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjaEZFIjoiRkUwMTIw…", wantFailed: []string{"jwt_decode"}},
		{name: "pa-fe/full-jwt", scheme: "pa-fe", issuer: "521-136-113133-02", date: "2022-05-15", text: paBase + paJWT},
		{name: "do-ecf/consumo", real: true, scheme: "do-ecf", issuer: "133130343", total: "4487.78",
			text: "https://fc.dgii.gov.do/ecf/ConsultaTimbreFC?RncEmisor=133130343&ENCF=E320000000005&MontoTotal=4487.78&CodigoSeguridad=AJIz2R"},
		{name: "do-ecf/lower-case", real: true, scheme: "do-ecf", issuer: "130217432", date: "2025-05-09", total: "460241.77",
			text: "https://ecf.dgii.gov.do/certecf/consultatimbre?rncemisor=130217432&rnccomprador=130941361&encf=e310000000121&fechaemision=09-05-2025&montototal=460241.77&fechafirma=01-10-2026 20:21:39&codigoseguridad=f+eCnR"},
		{name: "bo-siat/half-page", scheme: "bo-siat", issuer: "1028374029",
			text: "https://siat.impuestos.gob.bo/consulta/QR?nit=1028374029&cuf=46A1D8F9F5A0C3B7E2F0D41E9B6C5A7D3E2F1A0B9C8D7E6F5&numero=152&t=2"},
		{name: "py-sifen/test-env", real: true, scheme: "py-sifen", issuer: "4554737-8", date: "2026-01-11", total: "100000",
			text: "https://ekuatia.set.gov.py/consultas-test/qr?nVersion=150&Id=01045547378001001000000112026011111234567893&dFeEmiDE=323032362d30312d31315430353a34303a3135&dRucRec=80012345&dTotGralOpe=100000&dTotIVA=9091&cItems=1&DigestValue=775036477431394d353750394676416b5047667a56533532696e6651624b3175715246774c5675335274303d&IdCSC=0001&cHashQR=6bed07754845e8006a58920f0fe6d61faf9d5de61af59fd38da0148c4b114bef"},
		{name: "sv-dte/production", scheme: "sv-dte", date: "2025-09-18",
			text: "https://admin.factura.gob.sv/consultaPublica?ambiente=01&codGen=9B2C4F61-8931-4A52-B4D8-28C1A87D09E1&fechaEmi=2025-09-18"},
		{name: "gt-fel/autorizacion", scheme: "gt-fel", issuer: "12345678", total: "150.75",
			text: "https://felpub.c.sat.gob.gt/verificador-web/publico/vistas/verificacionDte.jsf?tipo=autorizacion&numero=9B2C4F61-8931-4A52-B4D8-28C1A87D09E1&emisor=12345678&receptor=CF&monto=150.75"},
		{name: "br-nfce/v3-online", scheme: "br-nfce", issuer: "10422724000187",
			text: "http://www.dfeportal.fazenda.pr.gov.br/dfe-portal/rest/servico/consultaNFCe?p=41170410422724000187650010000005101000010235|3|2"},
		{name: "br-nfce/v1-truncated", real: true, scheme: "br-nfce", issuer: "10422724000187", date: "2017-04-12", total: "1500",
			text:       "http://www.dfeportal.fazenda.pr.gov.br/dfe-portal/rest/servico/consultaNFCe?chNFe=41170410422724000187650010000005101000010235&nVersao=100&tpAmb=2&dhEmi=323031372d30342d31325431373a31343a30372d30333a3030&vNF=1500.00&vICMS=0.00&digVal=4543354159…&cIdToken=000001&cHashQRCode=7BD57045E529D6F14D97F1BAE333D35B27921441",
			wantFailed: []string{"dig_val"}},
		{name: "es-verifactu/aeat-sample", real: true, scheme: "es-verifactu", issuer: "89890001K", date: "2024-09-01", total: "241.4",
			text: "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678-G33&fecha=01-09-2024&importe=241.4"},
		{name: "es-verifactu/fiskaly", real: true, scheme: "es-verifactu", issuer: "B88752210", date: "2025-01-05", total: "567",
			text:       "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=B88752210&numserie=1%2F25A-321&fecha=05-01-2025&importe=567.00",
			wantWarned: []string{"nif_check"}}, // B88752210's CIF control digit is 7 by the (unconfirmed) rule, not 0
		{name: "es-ticketbai/bizkaia", real: true, scheme: "es-ticketbai", issuer: "A99805061", date: "2022-12-25", total: "7561",
			text: "https://batuz.eus/QRTBAI/?id=TBAI-A99805061-251222-DSI1XA1ErCoqa-159&s=&nf=FAC23&i=7561.00&cr=073"},
		{name: "pt-atcud/fs", real: true, scheme: "pt-atcud", issuer: "123456789", date: "2019-08-12", total: "0.8",
			text: "A:123456789*B:999999990*C:PT*D:FS*E:N*F:20190812*G:FS CDVF/12345*H:CDF7T5HD12345*I1:PT*I7:0.65*I8:0.15*N:0.15*O:0.80*Q:YhGV*R:9999*S:NU;0.80"},
		// The AT technical specification's invoice example: three tax
		// spaces and stamp duty; N = VAT 63975.02 + M 25.00 (#14).
		{name: "pt-atcud/ft-stamp-duty", real: true, scheme: "pt-atcud", issuer: "123456789", date: "2019-12-31", total: "513600.58",
			text: ptFTExample},
		{name: "pt-atcud/pf", real: true, scheme: "pt-atcud", issuer: "500000000", date: "2019-01-23", total: "125165.12",
			text: "A:500000000*B:123456789*C:PT*D:PF*E:N*F:20190123*G:PF G2019CB/145789*H:HB6FT7RV-145789*I1:PT*I2:12345.34*I3:12532.65*I4:751.96*I5:52789.00*I6:6862.57*I7:32425.69*I8:7457.91*N:15072.44*O:125165.12*Q:r/fY*R:9999"},
		{name: "pt-atcud/gt", real: true, scheme: "pt-atcud", issuer: "500000000", date: "2019-07-20", total: "0",
			text: "A:500000000*B:123456789*C:PT*D:GT*E:N*F:20190720*G:GT G234CB/50987*H:GTVX4Y8B-50987*I1:0*N:0.00*O:0.00*Q:5uIg*R:9999"},
		{name: "ch-qrbill/six-sample", real: true, scheme: "ch-qrbill", issuer: "CHE102673386", date: "2020-10-21", total: "1949.75",
			text: chSIXSample},
		// The SIX sample with the Swico date in an older form: the bill is
		// payable, the billing information earns a warning (#14).
		{name: "ch-qrbill/swico-old-date", scheme: "ch-qrbill", issuer: "CHE102673386", date: "2020-10-21", total: "1949.75",
			text: strings.Replace(chSIXSample, "/11/201021/", "/11/20201021/", 1), wantWarned: []string{"s1_invoice_date"}},
		{name: "eu-epc/girocode", scheme: "eu-epc", total: "100.5",
			text: "BCD\n002\n1\nSCT\nBFSWDE33MUC\nJohn Doe\nDE89370400440532013000\nEUR100.50\n\nRF18539007547034\n\nFactura 2025-0457"},
		// A structured reference that is not ISO 11649 RF: the EPC guideline
		// says RF *may* be used (#14: it was rejected).
		{name: "eu-epc/non-rf-reference", scheme: "eu-epc", total: "100.5",
			text: "BCD\n002\n1\nSCT\nBFSWDE33MUC\nJohn Doe\nDE89370400440532013000\nEUR100.50\n\n539007547034\n\nFactura 2025-0457"},
		{name: "sa-zatca/salla-dummy-vat", real: true, scheme: "sa-zatca", issuer: "1234567891", date: "2021-07-12", total: "100",
			text: "AQVTYWxsYQIKMTIzNDU2Nzg5MQMUMjAyMS0wNy0xMlQxNDoyNTowOVoEBjEwMC4wMAUFMTUuMDA=", wantFailed: []string{"vat_number"}},
		{name: "sa-zatca/utf8-seller", scheme: "sa-zatca", issuer: "310122393500003", date: "2025-05-04", total: "1150",
			text: "ARNGZXJyZXRlcsOtYSBBbCBOb29yAg8zMTAxMjIzOTM1MDAwMDMDFDIwMjUtMDUtMDRUMTA6MTU6MDBaBAcxMTUwLjAwBQYxNTAuMDA="},
		{name: "in-gst/signed-qr", scheme: "in-gst", issuer: "27AAPFU0939F1ZV", date: "2025-03-14", total: "118000",
			text: jwtOf(`{"alg":"RS256","kid":"ABC123","typ":"JWT"}`, inGSTPayload)},
		{name: "pl-ksef/kod-i", real: true, scheme: "pl-ksef", issuer: "1111111111", date: "2026-02-01",
			text: "https://ksef-test.mf.gov.pl/client-app/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"},
		{name: "it-pagopa/notice", real: true, scheme: "it-pagopa", issuer: "83000390019", total: "2222.5",
			text: "PAGOPA|002|399000012345678900|83000390019|222250"},
		{name: "emvco-mpm/pix", real: true, scheme: "emvco-mpm", total: "80",
			text: "00020126500014BR.GOV.BCB.PIX0128mariannavidal12345@gmail.com520400005303986540580.005802BR5923Marianna Vidal da Silva6009SAO PAULO62140510Uog7w1SbFq63044416"},
	}
}

func TestExamples(t *testing.T) {
	reg := NewRegistry()
	for _, ex := range examples() {
		t.Run(ex.name, func(t *testing.T) {
			inv, ok := reg.Parse(ex.text)
			if !ok {
				t.Fatalf("not recognised")
			}
			if inv.Scheme != ex.scheme {
				t.Fatalf("scheme = %q, want %q", inv.Scheme, ex.scheme)
			}
			got := inv.Failed()
			if strings.Join(got, ",") != strings.Join(ex.wantFailed, ",") {
				for _, c := range inv.Checks {
					t.Logf("%+v", c)
				}
				t.Fatalf("failed checks = %v, want %v", got, ex.wantFailed)
			}
			if inv.Valid != (len(ex.wantFailed) == 0) {
				t.Errorf("Valid = %v", inv.Valid)
			}
			if w := inv.Advised(); strings.Join(w, ",") != strings.Join(ex.wantWarned, ",") {
				t.Errorf("warnings = %v, want %v", w, ex.wantWarned)
			}
			if len(inv.Errors) != len(ex.wantFailed) || len(inv.Warnings) != len(ex.wantWarned) {
				t.Errorf("errors %v, warnings %v: not the failed checks", inv.Errors, inv.Warnings)
			}
			f := inv.Fields
			if ex.issuer != "" && f.IssuerTaxID != ex.issuer {
				t.Errorf("issuer = %q, want %q", f.IssuerTaxID, ex.issuer)
			}
			if ex.date != "" && f.Date != ex.date {
				t.Errorf("date = %q, want %q", f.Date, ex.date)
			}
			if ex.total != "" && f.Total != ex.total {
				t.Errorf("total = %q, want %q", f.Total, ex.total)
			}
		})
	}
}

// exampleText returns the payload of the named example.
func exampleText(name string) string {
	for _, ex := range examples() {
		if ex.name == name {
			return ex.text
		}
	}
	panic("no example " + name)
}
