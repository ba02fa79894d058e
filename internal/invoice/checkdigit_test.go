package invoice

import (
	"fmt"
	"testing"
)

// TestCheckDigits runs every algorithm on identifiers the reference marks as
// verified, then on the same identifier with its check character changed.
func TestCheckDigits(t *testing.T) {
	esValid := func(s string) bool { _, ok := validNIFES(s); return ok }
	cases := []struct {
		algo  string
		valid func(string) bool
		id    string
	}{
		{"mx-rfc", validRFCCheckDigit, "XOCD720319T86"},
		{"mx-rfc", validRFCCheckDigit, "CARR861127SB0"},
		{"mx-rfc", validRFCCheckDigit, "POT9207213D6"},
		{"mx-rfc", validRFCCheckDigit, "DIM8701081LA"},
		{"ar-cuit", validCUIT, "30000000007"},
		{"ar-cuit", validCUIT, "30712345671"},
		{"ar-cuit", validCUIT, "20000000001"},
		{"pe-ruc", validRUCPE, "20603343710"},
		{"pe-ruc", validRUCPE, "20487654320"},
		{"co-nit", func(s string) bool { return fmt.Sprint(nitDV(s[:len(s)-1])) == s[len(s)-1:] }, "8001972684"},
		{"uy-rut", validRUTUY, "215080550011"},
		{"uy-rut", validRUTUY, "216753930012"},
		{"do-rnc", validRNC, "133130343"},
		{"do-rnc", validRNC, "130217432"},
		{"do-rnc", validRNC, "130941361"},
		{"py-ruc", func(s string) bool { return fmt.Sprint(pyDV(s[:len(s)-1])) == s[len(s)-1:] }, "45547378"},
		{"py-cdc", func(s string) bool { return fmt.Sprint(pyDV(s[:len(s)-1])) == s[len(s)-1:] }, "01045547378001001000000112026011111234567893"},
		{"pa-cufe", validPACUFE, "FE0120000155646463-2-2017-8600012024032052095049600010128158741019"},
		{"pa-cufe", validPACUFE, "FE012000000521-136-113133-0270062022051590000008910080125781091727"},
		{"br-chave", validBRChave, "41170410422724000187650010000005101000010235"},
		{"pt-nif", validNIFPT, "123456789"},
		{"pt-nif", validNIFPT, "999999990"},
		{"pt-nif", validNIFPT, "500000000"},
		{"pl-nip", validNIP, "1111111111"},
		{"es-dni", esValid, "89890001K"},
		{"es-dni", esValid, "00000006Y"},
		{"es-cif", esValid, "B88752217"}, // the fiskaly sample B88752210 computes to control 7
		{"es-cif", esValid, "A99805061"},
		{"ch-qrr", validQRR, "210000000003139471430009017"},
		{"iban", validIBAN, "CH4431999123000889012"},
		{"iban", validIBAN, "DE89370400440532013000"},
		{"rf", validRF, "RF18539007547034"},
		{"in-gstin", validGSTINCheckChar, "27AAPFU0939F1ZV"},
		{"in-gstin", validGSTINCheckChar, "29AAGCB7383J1Z4"},
	}
	for _, c := range cases {
		t.Run(c.algo+"/"+c.id, func(t *testing.T) {
			if !c.valid(c.id) {
				t.Fatalf("%s rejected", c.id)
			}
			last := len(c.id) - 1
			for _, repl := range []byte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
				if repl == c.id[last] {
					continue
				}
				bad := c.id[:last] + string(repl)
				if c.valid(bad) {
					t.Errorf("%s accepted", bad)
				}
			}
		})
	}
}

func TestCRC(t *testing.T) {
	crc8Cases := []struct {
		in   string
		want uint8
	}{
		{"TBAI-00000006Y-251019-btFpwP8dcLGAF-", 237},
		{"TBAI-A99805061-251222-DSI1XA1ErCoqa-", 159},
		{"https://batuz.eus/QRTBAI/?id=TBAI-A99805061-251222-DSI1XA1ErCoqa-159&s=&nf=FAC23&i=7561.00", 73},
	}
	for _, c := range crc8Cases {
		t.Run("crc8/"+c.in, func(t *testing.T) {
			if got := crc8([]byte(c.in)); got != c.want {
				t.Errorf("crc8 = %d, want %d", got, c.want)
			}
		})
	}
	pix := "00020126500014BR.GOV.BCB.PIX0128mariannavidal12345@gmail.com520400005303986540580.005802BR5923Marianna Vidal da Silva6009SAO PAULO62140510Uog7w1SbFq6304"
	if got := fmt.Sprintf("%04X", crc16CCITTFalse([]byte(pix))); got != "4416" {
		t.Errorf("crc16 = %s, want 4416", got)
	}
	// The standard check value of CRC-16/CCITT-FALSE.
	if got := crc16CCITTFalse([]byte("123456789")); got != 0x29B1 {
		t.Errorf("crc16(123456789) = %04X, want 29B1", got)
	}
	// The standard check value of CRC-8 (poly 0x07, init 0).
	if got := crc8([]byte("123456789")); got != 0xF4 {
		t.Errorf("crc8(123456789) = %02X, want F4", got)
	}
}
