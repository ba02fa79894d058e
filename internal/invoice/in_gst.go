package invoice

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// India — GST e-invoice signed QR (GSTN / NIC IRP, CGST rule 48(4)): the
// SignedQRCode JWT (RS256) returned by the IRP. Its payload holds iss ("NIC"
// or a sandbox value) and data, a JSON string with SellerGstin, BuyerGstin,
// DocNo, DocTyp, DocDt (dd/mm/yyyy), TotInvVal, ItemCnt, MainHsnCode, Irn (64
// hex) and IrnDt. The signature needs the IRP's public certificate, which
// this package does not have: it is reported as skipped, never as passed.

var (
	inGSTIN = regexp.MustCompile(`^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$`)
	inJWT   = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)
)

func inGST() scheme {
	return scheme{
		Scheme: Scheme{ID: "in-gst", Country: "IN", Name: "GST e-invoice signed QR (IRP)"},
		parse: func(text string) (*Invoice, bool) {
			t := strings.TrimSpace(text)
			if !inJWT.MatchString(t) {
				return nil, false
			}
			header, payload, err := decodeJWT(t)
			if err != nil {
				return nil, false
			}
			var iss, data string
			_ = json.Unmarshal(payload["iss"], &iss)
			if json.Unmarshal(payload["data"], &data) != nil {
				return nil, false
			}
			if !strings.HasPrefix(strings.ToUpper(iss), "NIC") && !strings.Contains(data, `"SellerGstin"`) {
				return nil, false
			}
			return parseIN(header, iss, data), true
		},
	}
}

func parseIN(header map[string]json.RawMessage, iss, data string) *Invoice {
	b := newBuilder("in-gst", "IN")
	f := &b.inv.Fields
	f.Currency = "INR"
	f.Extra["iss"] = iss
	var alg string
	_ = json.Unmarshal(header["alg"], &alg)
	f.Extra["alg"] = alg
	dec := json.NewDecoder(bytes.NewReader([]byte(data)))
	dec.UseNumber()
	var obj map[string]any
	if !b.checkf("data_json", dec.Decode(&obj) == nil && obj != nil, "data claim is a JSON object", "data claim is not a JSON object") {
		return b.done()
	}
	get := func(k string) (string, bool) {
		switch v := obj[k].(type) {
		case json.Number:
			return v.String(), true
		case string:
			return v, true
		}
		return "", false
	}
	for k := range obj {
		if v, ok := get(k); ok {
			f.Extra[k] = v
		}
	}
	b.requireKeys(get, "SellerGstin", "BuyerGstin", "DocNo", "DocTyp", "DocDt", "TotInvVal", "ItemCnt", "MainHsnCode", "Irn", "IrnDt")
	seller, _ := get("SellerGstin")
	buyer, _ := get("BuyerGstin")
	f.IssuerTaxID, f.ReceiverTaxID = seller, buyer
	checkGSTIN(b, "seller_gstin", seller)
	if buyer != "URP" {
		checkGSTIN(b, "buyer_gstin", buyer)
	}
	docNo, _ := get("DocNo")
	f.DocumentID = docNo
	b.checkf("doc_no", docNo != "" && len(docNo) <= 16, "DocNo 1–16 characters", "DocNo "+quote(docNo)+" is not 1–16 characters")
	typ, _ := get("DocTyp")
	f.DocumentType = typ
	b.checkf("doc_typ", typ == "INV" || typ == "CRN" || typ == "DBN", "DocTyp "+typ, "DocTyp "+quote(typ)+" is not INV, CRN or DBN")
	dt, _ := get("DocDt")
	date, ok := parseDate(dt, "02/01/2006")
	b.checkf("doc_dt", ok, "DocDt is a valid dd/mm/yyyy date", "DocDt "+quote(dt)+" is not a valid dd/mm/yyyy date")
	f.Date = date
	tot, _ := get("TotInvVal")
	f.Total, _ = b.decimal("tot_inv_val", tot, 0, anyFrac, false)
	cnt, _ := get("ItemCnt")
	b.checkf("item_cnt", isDigits(cnt, 0), "ItemCnt is an integer", "ItemCnt "+quote(cnt)+" is not an integer")
	irn, _ := get("Irn")
	b.checkf("irn", isHexString(irn, 64, false, false), "Irn is 64 hex (SHA-256)", "Irn "+quote(irn)+" is not 64 hex")
	irnDt, _ := get("IrnDt")
	_, ok = parseDate(irnDt, "2006-01-02 15:04:05")
	b.checkf("irn_dt", ok, "IrnDt is yyyy-mm-dd hh:mm:ss", "IrnDt "+quote(irnDt)+" is not yyyy-mm-dd hh:mm:ss")
	b.skip("signature", "JWT "+alg+" signature not verified: it needs the NIC/IRP public signing certificate")
	return b.done()
}

func checkGSTIN(b *builder, name, g string) {
	if b.checkf(name+"_format", inGSTIN.MatchString(g), "GSTIN well formed", "GSTIN "+quote(g)+" is malformed") {
		st := atoiSmall(g[:2])
		b.checkf(name+"_state", st >= 1 && st <= 38 || st == 97 || st == 99, "state code "+g[:2], "state code "+g[:2]+" is not 01–38, 97 or 99")
		b.checkf(name+"_check_char", validGSTINCheckChar(g), "GSTIN check character is right", "GSTIN "+g+" has a wrong check character")
	}
}
