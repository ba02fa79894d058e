package invoice

import "strings"

// Scheme describes one supported payload scheme.
type Scheme struct {
	// ID is a stable lower-case id ("mx-cfdi"), usable as a Prometheus label
	// value; the set of ids is closed and listed by Schemes.
	ID string `json:"id"`
	// Country is the ISO 3166-1 alpha-2 code, or "" for international schemes.
	Country string `json:"country"`
	// Name is a human-readable name.
	Name string `json:"name"`
}

// MaxPayloadBytes bounds the text Parse looks at: a QR symbol holds at most
// 7089 characters, so anything longer is not a QR payload and is declined.
const MaxPayloadBytes = 8192

// scheme is a Scheme with its parser. parse returns false when the payload
// does not carry the scheme's signature; once it returns true the invoice
// describes the payload whatever its faults.
type scheme struct {
	Scheme
	parse func(text string) (*Invoice, bool)
}

// Registry holds the schemes in detection order. Build it with NewRegistry;
// it is immutable and safe for concurrent use.
type Registry struct {
	schemes []scheme
}

// NewRegistry returns a registry of every supported scheme, in detection
// order: authority URLs first, fixed-structure text next, the Saudi TLV
// heuristic last.
func NewRegistry() *Registry {
	return &Registry{schemes: []scheme{
		mxCFDI(),
		mxRetenciones(),
		arAFIP(),
		coDIAN(),
		esVerifactu(),
		esTicketBAI(),
		uyCFE(),
		paFE(),
		doECF(),
		boSIAT(),
		pySIFEN(),
		svDTE(),
		gtFEL(),
		plKSeF(),
		brNFCe(),
		peSUNAT(),
		ptATCUD(),
		chQRBill(),
		epcGiroCode(),
		itPagoPA(),
		emvcoMPM(),
		inGST(),
		saZATCA(),
	}}
}

// Parse recognises the scheme of text and parses it. It returns false, and a
// nil invoice, when no scheme's signature matches (an ordinary URL, free
// text) or text exceeds MaxPayloadBytes. A recognised payload returns an
// invoice even when malformed; see Invoice.Valid and Invoice.Checks. Parse
// never panics on any input.
func (r *Registry) Parse(text string) (*Invoice, bool) {
	if len(text) > MaxPayloadBytes || strings.TrimSpace(text) == "" {
		return nil, false
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	for _, s := range r.schemes {
		if inv, ok := s.parse(text); ok {
			return inv, true
		}
	}
	return nil, false
}

// Schemes lists the registry's schemes in detection order.
func (r *Registry) Schemes() []Scheme {
	out := make([]Scheme, len(r.schemes))
	for i, s := range r.schemes {
		out[i] = s.Scheme
	}
	return out
}

// Parse is Registry.Parse on a registry of every supported scheme.
func Parse(text string) (*Invoice, bool) { return NewRegistry().Parse(text) }

// Schemes lists every supported scheme, in detection order.
func Schemes() []Scheme { return NewRegistry().Schemes() }

// urlOf returns the split URL of a payload that is a single http(s) URL,
// ignoring surrounding white space.
func urlOf(text string) (rawURL, string, bool) {
	t := strings.TrimSpace(text)
	if strings.ContainsAny(t, "\r\n") {
		return rawURL{}, "", false
	}
	u, ok := splitURL(t)
	return u, t, ok
}
