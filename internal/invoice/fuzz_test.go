package invoice

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParse seeds from every example and near miss and checks Parse's
// invariants: no panic, a recognised payload always has a listed scheme,
// Valid agrees with the checks, every Decimal field is canonical, and the
// invoice marshals to JSON.
func FuzzParse(f *testing.F) {
	for _, ex := range examples() {
		f.Add(ex.text)
	}
	f.Add("?re=A&amp;B&rr=X&tt=1&id=2")
	f.Add("SPC\r\n0200\r\n1\r\n")
	f.Add("BCD\n001\n1\nSCT\n")
	ids := map[string]bool{}
	for _, s := range Schemes() {
		ids[s.ID] = true
	}
	f.Fuzz(func(t *testing.T, text string) {
		inv, ok := Parse(text)
		if !ok {
			if inv != nil {
				t.Fatal("invoice returned with ok=false")
			}
			return
		}
		if !ids[inv.Scheme] {
			t.Fatalf("unlisted scheme %q", inv.Scheme)
		}
		if len(inv.Checks) == 0 {
			t.Fatal("recognised payload without checks")
		}
		if inv.Valid != (len(inv.Failed()) == 0) {
			t.Fatal("Valid disagrees with Failed")
		}
		for _, d := range []Decimal{inv.Fields.Total, inv.Fields.Tax} {
			if d == "" {
				continue
			}
			if again, err := ParseDecimal(string(d)); err != nil || again != d || strings.HasSuffix(string(d), ".") {
				t.Fatalf("non-canonical decimal %q", d)
			}
		}
		if _, err := json.Marshal(inv); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}
