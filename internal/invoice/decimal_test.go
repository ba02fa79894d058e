package invoice

import (
	"errors"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	cases := []struct {
		in   string
		want Decimal
		err  bool
	}{
		{"0000014300.000000", "14300", false},
		{"2010.01", "2010.01", false},
		{"12100", "12100", false},
		{"48399.50", "48399.5", false},
		{"0.00", "0", false},
		{"-0.0", "0", false},
		{"-241.40", "-241.4", false},
		{"+5", "5", false},
		{".5", "0.5", false},
		{"999999999999999999.999999", "999999999999999999.999999", false},
		{"", "", true},
		{".", "", true},
		{"1.", "", true},
		{"1,5", "", true},
		{"1e3", "", true},
		{"1 000", "", true},
		{"--1", "", true},
		{"NaN", "", true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseDecimal(c.in)
			if c.err {
				if !errors.Is(err, ErrNotDecimal) {
					t.Fatalf("ParseDecimal(%q) = %q, %v; want ErrNotDecimal", c.in, got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseDecimal(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestDecimalArithmetic(t *testing.T) {
	if got := sumDecimals("0.1", "0.2"); got != "0.3" {
		t.Errorf("0.1 + 0.2 = %s, want exactly 0.3", got)
	}
	if got := sumDecimals("1500000.00", "285000.00", "0.00"); got != "1785000" {
		t.Errorf("sum = %s", got)
	}
	cmp := []struct {
		a, b Decimal
		want int
	}{{"180", "1180", -1}, {"1180", "1180", 0}, {"0.30", "0.3", 0}, {"-1", "", -1}, {"250000", "249999.99", 1}}
	for _, c := range cmp {
		if got := c.a.Cmp(c.b); got != c.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
