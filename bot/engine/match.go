package engine

import (
	"strconv"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge/analysis"
)

// offerMatch is how well typed text designates one offered choice.
type offerMatch struct {
	offer bot.Offer
	// covered is the share of the typed words the choice explains: "carte
	// vitale perdue" matches the "Carte d'identité" button by its keyword
	// "carte", but covers a third of what was typed.
	covered float64
}

// matchOffer maps typed text to one of the offered choices: its number,
// its label, one of its keywords, or enough of its words. It reports false
// when nothing, or more than one choice equally, matches.
func (w words) matchOffer(offers []bot.Offer, folded string) (offerMatch, bool) {
	if len(offers) == 0 {
		return offerMatch{}, false
	}
	if n, err := strconv.Atoi(folded); err == nil {
		if n >= 1 && n <= len(offers) {
			return offerMatch{offers[n-1], 1}, true
		}
		return offerMatch{}, false
	}
	for _, o := range offers {
		if analysis.Fold(o.Label) == folded {
			return offerMatch{o, 1}, true
		}
	}
	ws := w.significant(analysis.Tokens(folded))
	if len(ws) == 0 {
		ws = analysis.Tokens(folded) // "oui", "ok": short but meant
	}
	if len(ws) == 0 {
		return offerMatch{}, false
	}
	best, bestScore, tie := -1, 0.0, false
	var bestCovered float64
	for i, o := range offers {
		s, covered := w.offerScore(o, folded, ws)
		switch {
		case s > bestScore:
			best, bestScore, bestCovered, tie = i, s, covered, false
		case s == bestScore && s > 0:
			tie = true
		}
	}
	if best < 0 || tie || bestScore < 0.5 {
		return offerMatch{}, false
	}
	return offerMatch{offers[best], bestCovered}, true
}

// offerScore rates how well the typed words designate an offer: a keyword
// typed counts fully, label words count by the share of the label they
// cover or of the typed words they explain (plural, feminine and one-letter
// typos of longer words allowed). covered is the share of typed words
// explained by the label or keywords.
func (w words) offerScore(o bot.Offer, folded string, words []string) (score, covered float64) {
	padded := " " + folded + " "
	var vocab []string
	for _, k := range o.Keys {
		fk := analysis.Fold(k)
		if fk == "" {
			continue
		}
		if strings.Contains(fk, " ") {
			if strings.Contains(padded, " "+fk+" ") {
				score = 1
			}
			vocab = append(vocab, strings.Fields(fk)...)
			continue
		}
		vocab = append(vocab, fk)
		for _, w := range words {
			if sameWord(fk, w) {
				score = 1
			}
		}
	}
	label := w.significant(analysis.Tokens(o.Label))
	vocab = append(vocab, label...)
	if len(label) > 0 {
		hit := 0
		for _, lw := range label {
			if containsWord(words, lw) {
				hit++
			}
		}
		score = max(score, float64(hit)/float64(len(label)))
	}
	explained := 0
	for _, w := range words {
		if containsWord(vocab, w) {
			explained++
		}
	}
	covered = float64(explained) / float64(len(words))
	return max(score, covered), covered
}

func containsWord(ws []string, w string) bool {
	for _, x := range ws {
		if sameWord(x, w) {
			return true
		}
	}
	return false
}

// significant drops the short function words that every label shares.
func (w words) significant(ws []string) []string {
	out := ws[:0:0]
	for _, x := range ws {
		if len(x) > 2 && !w.fillers[x] {
			out = append(out, x)
		}
	}
	return out
}

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
