package synth

import (
	"testing"

	"github.com/qrcascade/qrcascade/internal/invoice"
)

// TestInvoiceTextIsValid: every invoice payload the scenarios print is one
// an authority would accept — recognised, valid, without warnings — for
// each of the three schemes (#14: the bundled sample failed its IBAN check).
func TestInvoiceTextIsValid(t *testing.T) {
	reg := invoice.NewRegistry()
	seen := map[string]int{}
	for seed := uint64(0); seed < 300; seed++ {
		text := invoiceText(stream(seed, streamScenario))
		inv, ok := reg.Parse(text)
		if !ok {
			t.Fatalf("seed %d: %q not recognised", seed, text)
		}
		seen[inv.Scheme]++
		if !inv.Valid || len(inv.Warnings) > 0 {
			t.Errorf("seed %d: %s %q: errors %v, warnings %v", seed, inv.Scheme, text, inv.Errors, inv.Warnings)
		}
	}
	for _, s := range []string{"mx-cfdi", "eu-epc", "es-verifactu"} {
		if seen[s] < 50 {
			t.Errorf("scheme %s generated %d times in 300", s, seen[s])
		}
	}
}

// TestCheckDigits pins the generators to published identifiers: the ISO
// 13616 example IBAN, SAT's sample RFCs and a CIF whose control digit the
// rule gives.
func TestCheckDigits(t *testing.T) {
	cases := []struct{ got, want string }{
		{ibanDE("370400440532013000"), "DE89370400440532013000"},
		{rfcMX("XOCD720319T8"), "XOCD720319T86"},
		{rfcMX("CARR861127SB"), "CARR861127SB0"},
		{rfcMX("POT9207213D"), "POT9207213D6"},
		{rfcMX("DIM8701081L"), "DIM8701081LA"},
		{cifES('B', "8875221"), "B88752217"},
		{validYYMMDD("991399"), "990216"}, // month 13 → 02, day 99 → 16
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}
