package analysis_test

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/boussole/boussole/knowledge/analysis"
)

// foldReference is the original, obviously correct Fold: decompose the
// whole string, drop combining marks. Fold must give the same results.
func foldReference(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, "")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
			space = false
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func TestFoldMatchesReference(t *testing.T) {
	// Every rune of the Basic Multilingual Plane and a few beyond, alone
	// and after a letter, then a few mixed strings.
	for r := rune(0); r < 0x30000; r++ {
		if r == 0xD800 {
			r = 0xE000 // surrogates
		}
		for _, s := range []string{string(r), "a" + string(r) + "\u0301b"} {
			if got, want := analysis.Fold(s), foldReference(s); got != want {
				t.Fatalf("Fold(%q) = %q, reference %q", s, got, want)
			}
		}
	}
	for _, s := range fuzzSeeds {
		if got, want := analysis.Fold(s), foldReference(s); got != want {
			t.Errorf("Fold(%q) = %q, reference %q", s, got, want)
		}
	}
}

// FuzzFoldReference checks Fold against the reference on any input.
func FuzzFoldReference(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := analysis.Fold(s), foldReference(s); got != want {
			t.Fatalf("Fold(%q) = %q, reference %q", s, got, want)
		}
	})
}
