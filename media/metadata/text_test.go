package metadata

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  plain  ", "plain"},
		{"a\x00b", "ab"},
		{"\ufeffbom", "bom"},
		{"tab\tkept\nnewline", "tab\tkept\nnewline"},
		{"cr\r\nlf\rmac", "cr\nlf\nmac"},
		{"bell\a esc\x1b del\x7f c1\u0085", "bell esc del c1"},
		{strings.Repeat("x", 2500), strings.Repeat("x", maxRunes)},
		{strings.Repeat(" ", 10) + strings.Repeat("ü", 2500), strings.Repeat("ü", maxRunes-10)},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%.40q) = %.40q, want %.40q", tt.in, got, tt.want)
		}
	}
	if got := textLegacy([]byte("\x81\x8d\x8f\x90\x9d")); got != "" { // undefined in Windows-1252
		t.Errorf("undefined bytes gave %q", got)
	}
}

func TestParseDMS(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"51,30.5N", 51.5 + 0.5/60, true},
		{"51,30,36S", -(51.5 + 0.01), true},
		{"0,30W", -0.5, true},
		{"12.25E", 12.25, true},
		{"-12.25", -12.25, true},
		{"-12.25W", 12.25, true}, // two negatives: odd, but consistent
		{"52,00000,50,00000,34,01180", 52 + 50.0/60 + 34.0118/3600, true},
		{"NaN", 0, false},
		{"Inf,0N", 0, false},
		{"1,-30N", 0, false},
		{"1,2,3,4N", 0, false},
		{"", 0, false},
		{"N", 0, false},
		{"1e400N", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDMS(tt.in)
		if ok != tt.ok || (ok && !near(got, tt.want)) {
			t.Errorf("parseDMS(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
