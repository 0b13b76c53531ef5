package search

import (
	"slices"
	"strings"

	"github.com/boussole/boussole/knowledge/analysis"
)

// vocabulary is the set of folded words of the index and of the synonym
// table, for typo correction and prefix completion. Corrections are found
// on surface words, not stems: "alocation" is one edit from "allocation",
// while their stems are further apart.
type vocabulary struct {
	// stem maps every known folded word to its term, so a query word
	// already seen skips the stemmer.
	stem map[string]string
	// list holds the words eligible for correction (ASCII letters, at least
	// three), sorted, so completions are a binary search away.
	list []string
	// term is the term id of each list word.
	term []uint32
	// grams maps a trigram of a padded word ("^al", "alo", …, "on$") to
	// the list words containing it, ascending: candidates for a correction
	// are the words sharing enough trigrams with the query word.
	grams map[uint32][]uint32
}

func newVocabulary(stems map[string]string, ix *Index) vocabulary {
	v := vocabulary{stem: stems, grams: make(map[uint32][]uint32)}
	for w := range stems {
		if len(w) >= 3 && len(w) <= maxCorrectLen && asciiLetters(w) {
			v.list = append(v.list, w)
		}
	}
	slices.Sort(v.list)
	v.term = make([]uint32, len(v.list))
	for i, w := range v.list {
		v.term[i] = ix.termID[stems[w]]
		trigrams(w, func(g uint32) {
			l := v.grams[g]
			if len(l) == 0 || l[len(l)-1] != uint32(i) {
				v.grams[g] = append(l, uint32(i))
			}
		})
	}
	return v
}

// maxCorrectLen bounds the words that take part in typo correction.
const maxCorrectLen = 32

func asciiLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// trigrams calls fn with each trigram of "^" + w + "$", packed in a uint32.
func trigrams(w string, fn func(uint32)) {
	const pad = '^'
	const end = '$'
	at := func(i int) uint32 {
		switch {
		case i < 0:
			return pad
		case i >= len(w):
			return end
		}
		return uint32(w[i])
	}
	for i := -1; i <= len(w)-2; i++ {
		fn(at(i)<<16 | at(i+1)<<8 | at(i+2))
	}
}

// maxEdits is the typo tolerance for a word of n letters: none under four
// letters (too many short words are one edit apart), one up to seven, two
// from eight.
func maxEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// correct returns the index words closest to w within its typo tolerance:
// those at the smallest distance, the most frequent first, one per term,
// at most maxTypoOptions.
func (ix *Index) correct(w string, sc *scratch) []option {
	maxd := maxEdits(len(w))
	v := &ix.vocab
	if maxd == 0 || len(w) > maxCorrectLen || !asciiLetters(w) || len(v.list) == 0 {
		return nil
	}
	// A transposition of two letters changes at most four of the word's
	// trigrams (those holding either), any other edit three: a word one
	// edit away shares len(w)-4 of them. Two edits away is taken as a
	// transposition and another edit (len(w)-7): two transpositions in one
	// word are too rare to pay for, since the bound then falls to one
	// shared trigram and thousands of words would be compared.
	need := [3]int{0, max(1, len(w)-4), max(1, len(w)-7)}
	counts, touched := sc.counts, sc.touched[:0]
	trigrams(w, func(g uint32) {
		for _, i := range v.grams[g] {
			if counts[i] == 0 {
				touched = append(touched, i)
			}
			if counts[i] < 255 {
				counts[i]++
			}
		}
	})
	type cand struct {
		word string
		term uint32
		dist int
		df   uint32
	}
	var best []cand
	bestDist := maxd
	// Words one edit away first: if there are any, words two edits away
	// are never compared.
	for pass := 1; pass <= maxd && bestDist >= pass; pass++ {
		for _, i := range touched {
			c := int(counts[i])
			if c < need[pass] || (pass > 1 && c >= need[1]) {
				continue // too few shared, or already seen in the first pass
			}
			cw := v.list[i]
			if cw == w || abs(len(cw)-len(w)) > bestDist || len(cw) < 4 {
				// Three-letter words are mostly acronyms: "qsdf" is not "sdf".
				continue
			}
			if len(w) <= 5 && cw[0] != w[0] {
				// Short words one edit apart are often different words;
				// people rarely get the first letter wrong.
				continue
			}
			t := v.term[i]
			if ix.terms[t].df == 0 && !ix.syn.stems[ix.terms[t].text] {
				continue
			}
			d := analysis.Distance(w, cw, bestDist)
			if d > bestDist {
				continue
			}
			if d < bestDist {
				bestDist, best = d, best[:0]
			}
			best = append(best, cand{word: cw, term: t, dist: d, df: ix.terms[t].df})
		}
	}
	for _, i := range touched {
		counts[i] = 0
	}
	sc.touched = touched[:0]
	slices.SortFunc(best, func(a, b cand) int {
		if a.df != b.df {
			return int(b.df) - int(a.df)
		}
		return strings.Compare(a.word, b.word)
	})
	var out []option
	for _, c := range best {
		if len(out) == maxTypoOptions {
			break
		}
		if slices.ContainsFunc(out, func(o option) bool { return o.term == c.term }) {
			continue
		}
		w := weightTypo1
		if c.dist >= 2 {
			w = weightTypo2
		}
		out = append(out, option{term: c.term, weight: float32(w), kind: matchTypo, word: c.word})
	}
	return out
}

// complete returns index words starting with w (a word cut short:
// "renouv", "etud"), the most frequent first, one per term.
func (ix *Index) complete(w string) []option {
	v := &ix.vocab
	if len(w) < 4 {
		return nil
	}
	i, _ := slices.BinarySearch(v.list, w)
	type cand struct {
		word string
		term uint32
		df   uint32
	}
	var cands []cand
	for ; i < len(v.list) && strings.HasPrefix(v.list[i], w) && len(cands) < 256; i++ {
		t := v.term[i]
		if v.list[i] == w || ix.terms[t].df == 0 {
			continue
		}
		cands = append(cands, cand{word: v.list[i], term: t, df: ix.terms[t].df})
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return int(b.df) - int(a.df) })
	var out []option
	for _, c := range cands {
		if len(out) == maxPrefixOption {
			break
		}
		if slices.ContainsFunc(out, func(o option) bool { return o.term == c.term }) {
			continue
		}
		out = append(out, option{term: c.term, weight: weightPrefix, kind: matchPrefix, word: c.word})
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
