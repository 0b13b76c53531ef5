package search

import (
	"math"
	"slices"

	"github.com/boussole/boussole/knowledge"
)

// Mentions: the words other sheets use when they link to a sheet
// (Item.Mentions), what web search calls anchor text. Forty sheets linking
// "faute grave" to the sheet on faults, or "CDI" to the sheet on open-ended
// contracts, say which sheet is *the* one for that notion better than word
// counts: the sheet on severance pay for a CDI says "CDI" just as often.
// A query containing such a wording lifts the sheets it names, more so the
// more items use it and the more of the query it is.
//
// The lift is score × (1 + Options.MentionBoost·ln(1 + m)), where m sums,
// over the wordings wholly found in the query, how many items use them
// times the share of the query's words they make up.

// mentionTable holds, per document, its distinct mentions as sets of terms
// with how many items use each. Mentions of document d are
// [docs[d], docs[d+1]); mention m's terms are terms[bounds[m]:bounds[m+1]].
type mentionTable struct {
	terms  []uint32
	bounds []uint32
	count  []uint32
	docs   []uint32
}

// mentionsOf gathers, for each item, the words other items' links use for
// it.
func mentionsOf(items []*knowledge.Item) map[string][]string {
	out := make(map[string][]string)
	for _, it := range items {
		if it == nil {
			continue
		}
		for _, m := range it.Mentions {
			if m.To != it.ID {
				out[m.To] = append(out[m.To], m.Text)
			}
		}
	}
	return out
}

// addMentions records the mentions of the document just added: each
// wording analysed to a sorted set of terms, the same sets counted once
// with the number of items using them.
func (bd *builder) addMentions(texts []string) {
	first := len(bd.ment.count)
	for _, text := range texts {
		var set []uint32
		for _, w := range bd.p.an.Words(text) {
			set = append(set, bd.term(w))
		}
		if len(set) == 0 {
			continue
		}
		slices.Sort(set)
		set = slices.Compact(set)
		found := false
		for m := first; m < len(bd.ment.count); m++ {
			if slices.Equal(bd.ment.terms[bd.ment.bounds[m]:bd.mentionEnd(m)], set) {
				bd.ment.count[m]++
				found = true
				break
			}
		}
		if !found {
			bd.ment.bounds = append(bd.ment.bounds, uint32(len(bd.ment.terms)))
			bd.ment.terms = append(bd.ment.terms, set...)
			bd.ment.count = append(bd.ment.count, 1)
		}
	}
}

// mentionEnd is where mention m's terms end while building.
func (bd *builder) mentionEnd(m int) uint32 {
	if m+1 < len(bd.ment.bounds) {
		return bd.ment.bounds[m+1]
	}
	return uint32(len(bd.ment.terms))
}

// freeze closes the table once every document is added.
func (t mentionTable) freeze() mentionTable {
	return mentionTable{
		terms:  slices.Clip(t.terms),
		bounds: append(t.bounds, uint32(len(t.terms))),
		count:  slices.Clip(t.count),
		docs:   append(t.docs, uint32(len(t.count))),
	}
}

// mentionScore is m for document d: how many items name d with a wording
// found whole in the query (qterms, sorted, synonyms included), each
// weighed by the share of the query's words it makes up.
func (ix *Index) mentionScore(d uint32, qterms []uint32, words int) (score float32, uses int) {
	t := &ix.mentions
	if !ix.p.mentions || words == 0 || int(d)+1 >= len(t.docs) {
		return 0, 0
	}
	for m := t.docs[d]; m < t.docs[d+1]; m++ {
		terms := t.terms[t.bounds[m]:t.bounds[m+1]]
		if len(terms) > words || !allIn(terms, qterms) {
			continue
		}
		score += float32(t.count[m]) * float32(len(terms)) / float32(words)
		uses += int(t.count[m])
	}
	return score, uses
}

// mentionFactor is the ranking factor for a mention score m.
func (p *params) mentionFactor(m float32) float32 {
	return 1 + float32(p.mentionBoost*math.Log1p(float64(m)))
}

// allIn reports whether every term of a sorted set is in sorted qterms.
func allIn(terms, qterms []uint32) bool {
	for _, t := range terms {
		if _, ok := slices.BinarySearch(qterms, t); !ok {
			return false
		}
	}
	return true
}
