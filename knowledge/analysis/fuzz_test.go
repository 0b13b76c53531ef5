package analysis_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/boussole/boussole/knowledge/analysis"
)

var fuzzSeeds = []string{
	"", " ", "cni perdu", "Carte d'identité PERDUE !", "l'APL", "qu'est-ce que le RSA",
	"👨\u200d👩\u200d👧 famille", "\u200d\u200d", "a\u200d\u200db", "e\u0301\u0301",
	"\xff\xfe\x00", "line\r\n\r\nbreak", "\u202eevil", "ok\U000E0041",
	"\u0958\u0958", "x" + strings.Repeat("é", 1100), strings.Repeat(" \u200b", 700),
}

// FuzzNormalize checks that Normalize never panics and returns valid
// UTF-8, at most MaxMessageBytes long, and is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := analysis.Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8: %q", n)
		}
		if len(n) > analysis.MaxMessageBytes {
			t.Fatalf("%d bytes", len(n))
		}
		if n2 := analysis.Normalize(n); n2 != n {
			t.Fatalf("not idempotent:\n%q\n%q", n, n2)
		}
		if strings.TrimSpace(n) != n {
			t.Fatalf("untrimmed: %q", n)
		}
	})
}

// FuzzFold checks that Fold never panics, returns only lower-case letters,
// digits and single spaces, and is idempotent; and that the analyzer and
// Distance survive the same input.
func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x := analysis.Fold(s)
		if !utf8.ValidString(x) || strings.Contains(x, "  ") || strings.TrimSpace(x) != x {
			t.Fatalf("bad fold %q", x)
		}
		if y := analysis.Fold(x); y != x {
			t.Fatalf("not idempotent: %q → %q", x, y)
		}
		var a analysis.Analyzer
		for _, term := range a.Terms(s) {
			if term == "" || !utf8.ValidString(term) {
				t.Fatalf("bad term %q", term)
			}
		}
		if d := analysis.Distance(x, s, 2); d < 0 || d > 3 {
			t.Fatalf("Distance = %d", d)
		}
	})
}
