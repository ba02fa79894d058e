package invoice

import (
	"sort"
	"testing"
)

// corruptions are the single-character substitutions tried at every position.
var corruptions = []byte("019AZTax-.|&=/ \n*:,")

// cannotFailByOneChar lists checks that a one-character corruption cannot
// make fail, with the reason.
var cannotFailByOneChar = map[string]string{
	"eu-epc/size":                      "a byte limit (331) far above the sample's length",
	"ch-qrbill/length":                 "a length limit (997) far above the sample's length",
	"ch-qrbill/additional_information": "a length limit (140) far above the sample's length",
	"ch-qrbill/element_count":          "the sample has 33 elements and 31–34 are valid",
	"eu-epc/information":               "a length limit (70) above the sample's length",
	"eu-epc/reference_length":          "a length limit (35) far above the non-RF sample reference's length",
	"eu-epc/name":                      "a length limit (1–70) the sample's name is far from",
	"ar-afip/tipo_doc_rec":             "inside Base64 JSON: one Base64 character rewrites 6 bits of 3 bytes, breaking the JSON first",
	"in-gst/seller_gstin_state":        "inside the Base64URL JWT payload (see ar-afip)",
	"in-gst/buyer_gstin_state":         "inside the Base64URL JWT payload (see ar-afip)",
	"sa-zatca/tags_once":               "a duplicate tag needs a whole TLV header rewritten",
	"do-ecf/endpoint":                  "moving between hosts needs \"fc\"→\"ecf\" (several characters)",
	"do-ecf/routing":                   "needs both the e-NCF type and the amount (or host) changed",
	"emvco-mpm/payload_format":         "000201 is the recognition signature itself",
}

// TestOneCharCorruption corrupts every valid example one character at a
// time (substitution and deletion) and requires that every check the
// example passed fails for at least one corruption — or that the corruption
// makes the payload unrecognisable. It also proves that no corruption
// panics.
func TestOneCharCorruption(t *testing.T) {
	if testing.Short() {
		t.Skip("corruption sweep (~100k parses) skipped in -short mode")
	}
	reg := NewRegistry()
	for _, ex := range examples() {
		if len(ex.wantFailed) > 0 {
			continue
		}
		t.Run(ex.name, func(t *testing.T) {
			orig, _ := reg.Parse(ex.text)
			failed := map[string]bool{}
			try := func(s string) {
				inv, ok := reg.Parse(s)
				if !ok || inv.Scheme != orig.Scheme {
					return
				}
				for _, n := range inv.Failed() {
					failed[n] = true
				}
			}
			b := []byte(ex.text)
			for i := range b {
				orig := b[i]
				for _, c := range corruptions {
					if c == orig {
						continue
					}
					b[i] = c
					try(string(b))
				}
				b[i] = orig
				try(ex.text[:i] + ex.text[i+1:])
			}
			var never []string
			for _, c := range orig.Checks {
				if c.Skipped || c.Advisory || failed[c.Name] {
					continue
				}
				if _, ok := cannotFailByOneChar[orig.Scheme+"/"+c.Name]; ok {
					continue
				}
				never = append(never, c.Name)
			}
			sort.Strings(never)
			if len(never) > 0 {
				t.Errorf("checks no one-character corruption fails: %v", never)
			}
		})
	}
}
