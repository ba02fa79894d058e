// Package invoice recognises, parses and validates the QR payloads that tax
// authorities put on invoices: Mexico's CFDI verification URL, Argentina's
// AFIP/ARCA Base64-JSON URL, Peru's pipe-delimited SUNAT string, Colombia's
// DIAN key/value block, Spain's VERI*FACTU and TicketBAI URLs, Portugal's
// ATCUD string, the Swiss QR-bill, the EPC (GiroCode) transfer, Saudi
// Arabia's ZATCA TLV, India's IRP signed JWT, and the Latin American URL
// schemes of the Dominican Republic, Paraguay, Brazil, Panama, Uruguay,
// Bolivia, El Salvador and Guatemala, Poland's KSeF links, Italy's pagoPA
// notice and EMVCo merchant payment codes (Pix).
//
// The field-level reference is ../shared/invoice-qr-formats.md (27 schemes);
// docs/INVOICES.md lists what this package covers and how far it checks.
//
// # Algorithm
//
// Parse walks an ordered table of schemes. Each scheme first looks for its
// signature — a host and path, a header line, or a rigid structure — and
// declines the payload unless that evidence is unambiguous; nothing is
// guessed from weak hints. URL schemes come first, fixed-structure text next,
// and the Saudi TLV last, because "Base64 that decodes to well-formed TLV" is
// only a heuristic. The first scheme that claims a payload parses it; a
// payload that no scheme claims yields no invoice.
//
// A claimed payload always yields an Invoice, even when it is malformed: the
// Checks say what is wrong. Checks come in the levels of the reference:
// structure, check digits and internal consistency, and cryptography where it
// is possible offline. A check that cannot be performed by a reader (a hash
// keyed with a secret the issuer never publishes, a signature whose public key
// is not at hand) is reported as Skipped with the reason, and does not count
// against Valid. An Advisory check (a heuristic such as "total = base + tax",
// which discounts legitimately break) is reported but does not count either.
//
// # Traps
//
// Query strings are never form-decoded: Base64 values (Mexico's seal, the
// Argentine p, Dominican security codes) carry raw '+', which a form decoder
// turns into spaces. Queries are split on '&' and the first '=', and only
// %XX escapes are decoded. Mexican RFCs that contain '&' are written as the
// XML entity "&amp;", which a naive split cuts in two; the Mexican parser
// rejoins those fragments. Base64 is accepted in both alphabets, with or
// without padding, ignoring line breaks.
//
// Amounts are never float64: they are Decimal values, exact decimal strings
// normalised from the tolerant forms found in the wild ("0000014300.000000",
// "12100"), compared with math/big when a check needs arithmetic.
//
// # Weak spots
//
// Chile's Timbre Electrónico is a PDF417 symbol, not a QR code, and is out of
// scope. Rules the reference marks as unconfirmed (the Spanish CIF control
// character, the Dominican cédula's Luhn digit, the Saudi VAT number's
// leading and trailing 3, KSeF KOD II path segments) are either Advisory or
// say so in their Detail. No online lookup is performed.
//
// All functions are safe for concurrent use; a Registry is immutable once
// built.
package invoice
