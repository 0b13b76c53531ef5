package bot

import (
	"strconv"
	"strings"

	"github.com/boussole/boussole/knowledge/analysis"
)

// matchOffer maps typed text to one of the offered choices: its number,
// its label, one of its keywords, or enough of its words. It reports false
// when nothing, or more than one choice equally, matches.
func matchOffer(offers []Offer, folded string) (Offer, bool) {
	if len(offers) == 0 {
		return Offer{}, false
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(folded, " ")); err == nil {
		if n >= 1 && n <= len(offers) {
			return offers[n-1], true
		}
		return Offer{}, false
	}
	for _, o := range offers {
		if analysis.Fold(o.Label) == folded {
			return o, true
		}
	}
	words := significant(analysis.Tokens(folded))
	if len(words) == 0 {
		return Offer{}, false
	}
	best, bestScore, tie := -1, 0.0, false
	for i, o := range offers {
		s := offerScore(o, folded, words)
		switch {
		case s > bestScore:
			best, bestScore, tie = i, s, false
		case s == bestScore && s > 0:
			tie = true
		}
	}
	if best < 0 || tie || bestScore < 0.5 {
		return Offer{}, false
	}
	return offers[best], true
}

// offerScore rates how well the typed words designate an offer: a keyword
// typed as a whole word counts fully, label words count by the share of
// the label they cover (typos of one letter in long words allowed).
func offerScore(o Offer, folded string, words []string) float64 {
	padded := " " + folded + " "
	score := 0.0
	for _, k := range o.Keys {
		if fk := analysis.Fold(k); fk != "" && strings.Contains(padded, " "+fk+" ") {
			score = max(score, 1)
		}
	}
	label := significant(analysis.Tokens(o.Label))
	if len(label) == 0 {
		return score
	}
	hit := 0
	for _, lw := range label {
		for _, w := range words {
			if sameWord(lw, w) {
				hit++
				break
			}
		}
	}
	return max(score, float64(hit)/float64(len(label)))
}

// significant drops the short function words that every label shares.
func significant(ws []string) []string {
	out := ws[:0:0]
	for _, w := range ws {
		if len(w) > 2 && !fillers[w] {
			out = append(out, w)
		}
	}
	return out
}

var fillers = map[string]bool{"les": true, "des": true, "une": true, "pour": true, "par": true, "sur": true, "avec": true, "dans": true, "mon": true, "mes": true, "est": true, "pas": true, "the": true, "and": true, "for": true, "vous": true, "votre": true, "vos": true, "suis": true}

// sameWord compares folded words allowing plural/feminine endings and one
// typo in longer words.
func sameWord(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) >= 4 && len(b) >= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) && absDiff(len(a), len(b)) <= 2 {
		return true
	}
	return len(a) >= 6 && len(b) >= 6 && editDistance1(a, b)
}

func absDiff(a, b int) int {
	if a > b {
		return a - b
	}
	return b - a
}

// editDistance1 reports whether a and b differ by at most one insertion,
// deletion or substitution.
func editDistance1(a, b string) bool {
	if absDiff(len(a), len(b)) > 1 {
		return false
	}
	i, j, diff := 0, 0, 0
	for i < len(a) && j < len(b) {
		if a[i] == b[j] {
			i++
			j++
			continue
		}
		diff++
		if diff > 1 {
			return false
		}
		switch {
		case len(a) > len(b):
			i++
		case len(b) > len(a):
			j++
		default:
			i++
			j++
		}
	}
	return diff+(len(a)-i)+(len(b)-j) <= 1
}
