package invoice

import "testing"

// BenchmarkParse parses every example once per iteration with one registry.
func BenchmarkParse(b *testing.B) {
	reg := NewRegistry()
	exs := examples()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, ex := range exs {
			if _, ok := reg.Parse(ex.text); !ok {
				b.Fatal(ex.name)
			}
		}
	}
}

// BenchmarkParseUnknown measures the cost of declining a payload, which is
// what most QR codes that are not invoices pay.
func BenchmarkParseUnknown(b *testing.B) {
	reg := NewRegistry()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := reg.Parse("https://example.com/some/page?utm_source=qr&id=12345"); ok {
			b.Fatal("recognised")
		}
	}
}
