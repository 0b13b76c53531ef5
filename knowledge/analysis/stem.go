package analysis

import (
	"strings"

	"github.com/kljensen/snowball/french"
)

// Stem reduces a folded French word to its index term with the Snowball
// French stemmer, so that "renouveler" and "renouvellement", "perdu" and
// "perdues", "étudiant" and "etudiants" meet.
//
// The input is folded (no accents) because citizens type without them and
// both sides of a comparison must go through the same path; Snowball was
// written for accented text, so a few adjustments make it behave on folded
// words:
//   - words of three letters or fewer and words with digits are kept as
//     is: they are acronyms ("apl", "ars", "aah") or numbers, which
//     Snowball would mangle ("ars" → "ar"); so are words in other
//     scripts, which a French stemmer has no business touching;
//   - a final plural "s" is stripped first: Snowball keeps it after "u"
//     ("revenus", "perdus") and strips "loyers" differently from "loyer";
//   - a final "ee" (folded "ée") loses one "e" so the feminine participle
//     meets the masculine ("volée" → "vole" → "vol");
//   - "y" is hidden from Snowball, which turns an intervocalic "y" into "i"
//     and so made "loyer" → "loi" and "payer" differ from "paye";
//   - a short table (stemOverrides) joins derivations people use
//     interchangeably ("perte"/"perdu", "inscription"/"inscrit").
func Stem(word string) string {
	if s, ok := stemOverrides[word]; ok {
		return s
	}
	if len(word) <= 3 || !isASCIILetters(word) {
		return word
	}
	w := word
	if len(w) >= 5 && w[len(w)-1] == 's' && w[len(w)-2] != 's' {
		w = w[:len(w)-1]
		if s, ok := stemOverrides[w]; ok {
			return s
		}
	}
	if len(w) >= 5 && strings.HasSuffix(w, "ee") {
		w = w[:len(w)-1]
		if s, ok := stemOverrides[w]; ok {
			return s
		}
	}
	hasY := strings.IndexByte(w, 'y') >= 0
	if hasY {
		// 'ÿ' is not a vowel for the stemmer, and Fold never produces it.
		w = strings.ReplaceAll(w, "y", "ÿ")
	}
	s := french.Stem(w, true)
	if hasY {
		s = strings.ReplaceAll(s, "ÿ", "y")
	}
	if s == "" {
		return word
	}
	return s
}

// isASCIILetters reports whether w is made only of the letters a–z.
func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
