package qrcascade

import (
	"context"
	"os"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/synth"
)

// TestInvoiceRoundTrip renders invoice payloads as QR codes on an invoice
// page (synth), reads them through the whole Reader and parses them.
func TestInvoiceRoundTrip(t *testing.T) {
	tests := []struct {
		text, scheme, issuer, total string
	}{
		{"https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=5803EB8D-81CD-4557-8719-26632D2FA434&re=XOCD720319T86&rr=CARR861127SB0&tt=0000014300.000000&fe=rH8/bw==",
			"mx-cfdi", "XOCD720319T86", "14300"},
		{"BCD\n002\n1\nSCT\nBFSWDE33MUC\nJohn Doe\nDE89370400440532013000\nEUR100.50\n\nRF18539007547034\n\nFactura 2025-0457",
			"eu-epc", "", "100.5"},
	}
	withInv := newReader(t, Options{Mode: ModeClassic, Invoices: true})
	without := newReader(t, Options{Mode: ModeClassic})
	for _, tc := range tests {
		t.Run(tc.scheme, func(t *testing.T) {
			spec := synth.Spec{W: 1240, H: 1754, Background: synth.BackgroundInvoice, JPEGQuality: 85,
				Symbols: []synth.Symbol{{Code: synth.Code{Text: tc.text, ECLevel: "M"}, ModulePx: 4, Center: geom.Point{X: 1000, Y: 300}}}}
			scene, err := synth.Render(spec, 42)
			if err != nil {
				t.Fatal(err)
			}
			data := jpegOf(t, scene)
			res, err := withInv.Read(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			if res.Text() != tc.text {
				t.Fatalf("text %q, want %q", res.Text(), tc.text)
			}
			inv := res.Codes[0].Invoice
			if inv == nil {
				t.Fatal("no invoice parsed")
			}
			if inv.Scheme != tc.scheme || inv.Fields.IssuerTaxID != tc.issuer || string(inv.Fields.Total) != tc.total || !inv.Valid {
				t.Errorf("invoice %+v", inv)
			}
			res2, err := without.Read(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			if res2.Codes[0].Invoice != nil {
				t.Error("invoice parsed without Options.Invoices")
			}
		})
	}
}

// TestBundledSampleInvoiceValid: the README's main command with --invoice
// shows a valid invoice (#14: the sample's IBAN used to fail mod 97).
func TestBundledSampleInvoiceValid(t *testing.T) {
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		t.Fatal(err)
	}
	res, err := newReader(t, Options{Invoices: true}).Read(context.Background(), data)
	if err != nil || !res.Success() {
		t.Fatalf("no read: %v", err)
	}
	inv := res.Codes[0].Invoice
	if inv == nil || inv.Scheme != "eu-epc" || !inv.Valid || len(inv.Errors) > 0 || len(inv.Warnings) > 0 {
		t.Fatalf("invoice %+v", inv)
	}
}
