package search

import (
	"slices"
	"strings"
)

// A short query joining two notions with "et" ("ancienneté et congé
// parental", "calcul congé payé et maladie") asks how the second bears on
// the first. The sheet on the pair, when there is one, ranks first on its
// own; but such sheets are often narrow ("Congé parental à temps plein"
// mentions seniority in passing), while the rule usually sits in the
// general sheet on the first notion, the one the person started from
// ("Comment calculer l'ancienneté…" lists which leaves count). So the
// third place goes to the best sheet for the first notion alone, unless
// it is already in the first three. Measured on the service-public sets
// (docs/search.md): CDTN queries gain 0.016 of recall@3 (half B of the
// intents 0.031), no other set moves. Long messages are left alone: their
// "et" joins clauses, not notions.
const (
	// headSlot is the 0-based rank the first notion's sheet is given.
	headSlot = 2
	// headTop is how many of the first notion's best sheets are
	// considered: its first may already be among the first two (the
	// pair's sheet is often also the first notion's best).
	headTop = 2
	// headMaxWords bounds the queries read as "notion et notion".
	headMaxWords = 10
)

// headOf returns the words before the first "et" of a short query, or ""
// when the query is long or has no such join.
func headOf(text string) string {
	ws := strings.Fields(text)
	if len(ws) > headMaxWords {
		return ""
	}
	i := slices.IndexFunc(ws, func(w string) bool { return strings.EqualFold(w, "et") })
	if i < 1 || i == len(ws)-1 {
		return ""
	}
	return strings.Join(ws[:i], " ")
}

// promoteHead moves the first notion's best sheet to cands[headSlot]
// (cands sorted best first for q), scoring it for q if it is outside the
// pool.
func (ix *Index) promoteHead(q *query, text string, cands []candidate) []candidate {
	head := headOf(text)
	if head == "" || len(cands) <= headSlot {
		return cands
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	_, hc := ix.rank(head, headTop, sc)
	for _, h := range hc[:min(headTop, len(hc))] {
		j := slices.IndexFunc(cands, func(c candidate) bool { return c.doc == h.doc })
		switch {
		case j >= 0 && j < headSlot:
			continue // already shown above
		case j > headSlot:
			c := cands[j]
			copy(cands[headSlot+1:j+1], cands[headSlot:j])
			cands[headSlot] = c
		case j < 0:
			c, ok := ix.candidateFor(q, h.doc)
			if !ok {
				return cands
			}
			cands = slices.Insert(cands, headSlot, c)
		default:
			return cands // already third
		}
		// Its score goes between its neighbours', so that a caller
		// re-sorting by score (the bot, by jurisdiction) keeps the place.
		prev, next := cands[headSlot-1].score, cands[headSlot+1].score
		cands[headSlot].score = next + (prev-next)/2
		return cands
	}
	return cands
}
