package qrcascade_test

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"log"
	"os"
	"strings"

	"github.com/qrcascade/qrcascade"
)

// A Reader with the default options (nano mode: the classic tier, then the
// nano detector where it read nothing) reads every code of an image or PDF.
func Example() {
	r, err := qrcascade.NewReader(qrcascade.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		log.Fatal(err)
	}
	res, err := r.Read(context.Background(), data)
	if err != nil {
		log.Fatal(err) // bad input (*qrcascade.FormatError, …), limits, deadline
	}
	for _, c := range res.Codes {
		first, _, _ := strings.Cut(c.Text, "\n")
		fmt.Println(first, c.Tier, c.Version, c.ECLevel)
	}
	fmt.Println(res.Model, res.Image.Format, res.Image.Width, res.Image.Height)
	// Output:
	// BCD classic 5 M
	// classic jpeg 1240 1754
}

// ReadImage reads an image the caller has already decoded, of any type.
func ExampleReader_ReadImage() {
	r, err := qrcascade.NewReader(qrcascade.Options{Mode: qrcascade.ModeClassic})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		log.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		log.Fatal(err)
	}
	res, err := r.ReadImage(context.Background(), img)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Codes), res.Codes[0].Page, res.Image.Format)
	// Output:
	// 1 0 gray
}

// Options.Explain reports, page by page, what the tiers tried and the
// candidates they located but could not read, with the stage where each
// stopped.
func ExampleOptions_explain() {
	r, err := qrcascade.NewReader(qrcascade.Options{Mode: qrcascade.ModeClassic, Explain: true})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		log.Fatal(err)
	}
	res, err := r.Read(context.Background(), data)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range res.Explain.Pages {
		fmt.Printf("page %d: %d unread\n", p.Page, len(p.Unread))
		for _, a := range p.Attempts {
			fmt.Println(a.Tier, a.Strategy, a.Codes)
		}
		// The sample reads at once; on a damaged code each candidate
		// the tiers located but could not read is listed with its stage.
		for _, c := range p.Unread {
			fmt.Println(c.Tier, c.Strategy, c.Stage)
		}
	}
	// Output:
	// page 1: 0 unread
	// classic locator 1
}

// Options.Invoices parses the payloads of known tax-authority and payment
// schemes and validates them.
func ExampleOptions_invoices() {
	r, err := qrcascade.NewReader(qrcascade.Options{Mode: qrcascade.ModeClassic, Invoices: true})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	data, err := os.ReadFile("testdata/invoice.jpg")
	if err != nil {
		log.Fatal(err)
	}
	res, err := r.Read(context.Background(), data)
	if err != nil {
		log.Fatal(err)
	}
	inv := res.Codes[0].Invoice
	fmt.Println(inv.Scheme, inv.Fields.IssuerName, inv.Fields.Total, inv.Fields.Currency)
	// The sample is generated with valid check digits, so no check fails.
	fmt.Println(inv.Valid, inv.Failed())
	// Output:
	// eu-epc VALUMX GmbH 97352.03 EUR
	// true []
}
