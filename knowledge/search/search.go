package search

import (
	"cmp"
	"context"
	"slices"

	"github.com/boussole/boussole/knowledge"
)

// accum is a sparse accumulator over documents: dense arrays indexed by
// document plus the list of documents touched, so resetting costs what was
// used, not the size of the base.
type accum struct {
	s, q []float32 // score and match quality
	// At the alternative level only: the number of slots matched and the
	// weakest slot's score and quality.
	n    []uint8
	minS []float32
	minQ []float32
	in   []bool
	list []uint32
}

func newAccum(n int, alternative bool) accum {
	a := accum{s: make([]float32, n), q: make([]float32, n), in: make([]bool, n)}
	if alternative {
		a.n, a.minS, a.minQ = make([]uint8, n), make([]float32, n), make([]float32, n)
	}
	return a
}

// addSlot adds one slot's score and quality for d to an alternative.
func (a *accum) addSlot(d uint32, s, q float32) {
	a.touch(d)
	if a.n[d] == 0 {
		a.minS[d], a.minQ[d] = s, q
	} else {
		a.minS[d], a.minQ[d] = min(a.minS[d], s), min(a.minQ[d], q)
	}
	a.s[d] += s
	a.q[d] += q
	a.n[d]++
}

func (a *accum) touch(d uint32) {
	if !a.in[d] {
		a.in[d] = true
		a.list = append(a.list, d)
	}
}

func (a *accum) reset() {
	for _, d := range a.list {
		a.s[d], a.q[d], a.in[d] = 0, 0, false
	}
	if a.n != nil {
		for _, d := range a.list {
			a.n[d], a.minS[d], a.minQ[d] = 0, 0, 0
		}
	}
	a.list = a.list[:0]
}

// scratch holds one query's buffers; the index pools them so a query
// allocates little.
type scratch struct {
	slot, alt, unit, total accum
	counts                 []uint8  // trigram hits per vocabulary word
	touched                []uint32 // vocabulary words with hits
	cands                  []candidate
}

func newScratch(docs, words int) *scratch {
	return &scratch{
		slot: newAccum(docs, false), alt: newAccum(docs, true), unit: newAccum(docs, false), total: newAccum(docs, false),
		counts: make([]uint8, words),
	}
}

// candidate is a document in the running for the top k.
type candidate struct {
	doc      uint32
	score    float32 // final ranking score
	base     float32 // BM25F sum over units
	coverage float32 // Σ importance·quality / Σ importance
	info     float32 // Σ importance·quality: how much telling evidence
	evidence float32 // confidence before the margin over competitors
	focus    float32 // how well its best name matches the query, in [0,1]
	prox     float32
	pair     int32 // query word starting the best adjacent pair, -1 if none
	mentions int32 // links naming the document with words of the query
	// The factors rescore and neighbourhood applied, for Why.
	verbatim   float32 // share of the query's words found as typed in its names
	mention    float32 // mention lift
	neighbour  float32 // neighbourhood bonus, 1 for none
	linkedFrom int32   // other candidates linking to it
}

// focusWeight is the share of the ranking score that depends on focus:
// half, because the name of a sheet says what it is about better than
// word counts do ("refaire ma carte vitale" is about the sheets named
// "carte Vitale", not the identity card sheet that mentions the Vitale
// card in a step).
const focusWeight = 0.5

// verbatim is the share of the query's words found as typed (folded, not
// only stemmed) in d's names; Options.ExactBoost rewards it.
func (ix *Index) verbatim(q *query, d uint32) float32 {
	if len(q.words) == 0 || int(d) >= len(ix.titleWords) {
		return 0
	}
	n := 0
	for _, w := range q.words {
		if slices.Contains(ix.titleWords[d], w.word) {
			n++
		}
	}
	return float32(n) / float32(len(q.words))
}

// Search returns up to k hits for a free-text query, best first, at most
// Options.CandidatePool. Each hit has a raw Score, a Confidence in [0,1]
// comparable across queries, and Why, short phrases naming the matched
// words and fields. An empty query, one made only of stop words
// ("bonjour", "c'est quoi") or of words the index cannot relate to
// anything returns no hits and no error. Search never panics and is safe
// for concurrent use.
//
// k only cuts the list: the candidates are ranked, and compared with each
// other for the neighbourhood bonus and the confidence, in a pool of fixed
// size, so the first n hits are the same, scores and confidences included,
// whatever k ≥ n is asked for.
//
// The context and the error are there so that a remote index or model can
// sit behind the same signature; in memory, a query takes about a
// millisecond, so ctx is only checked before it starts, and its error is
// the only one returned.
func (ix *Index) Search(ctx context.Context, text string, k int) ([]knowledge.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ix == nil || k <= 0 || len(ix.docs) == 0 {
		return nil, nil
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	q, cands := ix.rank(text, sc)
	if len(cands) == 0 {
		return nil, nil
	}
	hits := make([]knowledge.Hit, min(k, len(cands)))
	for i, c := range cands[:len(hits)] {
		hits[i] = ix.hit(&q, c, ix.margin(cands, i))
	}
	return hits, nil
}

// rank parses and scores a query and returns its Options.CandidatePool
// best candidates, best first, in sc's memory. The pool's size does not
// depend on how many hits the caller wants: the neighbourhood bonus and the
// margin compare candidates with each other, and comparing them with more
// or fewer others would move a sheet with the number of hits asked for.
func (ix *Index) rank(text string, sc *scratch) (query, []candidate) {
	q := ix.parse(text, sc)
	if len(q.units) == 0 {
		return q, nil
	}
	ix.accumulate(&q, sc)
	cands := ix.top(&q, sc, ix.p.pool)
	sc.total.reset()
	if len(cands) == 0 {
		return q, nil
	}
	// Re-score the pool with what costs a lookup per document: adjacency
	// of query words, and focus (a query naming exactly one of the
	// document's names: "logement" is the whole trigger of the housing
	// tree but a third of the title "Aides au logement (APL)").
	qterms := q.terms()
	for i := range cands {
		ix.rescore(&q, qterms, &cands[i])
	}
	ix.neighbourhood(cands)
	slices.SortFunc(cands, func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	})
	return q, cands
}

// rescore completes c's score with what costs a lookup per document.
func (ix *Index) rescore(q *query, qterms []uint32, c *candidate) {
	if ix.p.proximity > 0 && len(q.words) > 1 {
		var pair int
		c.prox, pair = ix.proximity(q, c.doc)
		c.pair = int32(pair)
	}
	c.focus = ix.focus(c.doc, q, qterms)
	c.score = ix.final(q, c.doc, c.base+c.prox, c.coverage, c.focus)
	if ix.p.exactBoost > 0 {
		c.verbatim = ix.verbatim(q, c.doc)
		c.score *= 1 + float32(ix.p.exactBoost)*c.verbatim
	}
	m, uses := ix.mentionScore(c.doc, qterms, len(q.words))
	c.mentions = int32(uses)
	c.mention = ix.p.mentionFactor(m)
	c.score *= c.mention
	c.evidence = evidence(c.coverage, c.focus, c.info)
}

// margin rates how clearly cands[i] (cands sorted best first) beats the
// other candidates of its kind, in [0.45, 1]: a hit barely ahead may be
// the wrong one of the two. Ahead means both a higher score and stronger
// evidence: two sheets with the query as a keyword ("je déménage": the
// grey card and the electoral roll) are a tie even if word counts differ.
// A tree next to an item is no competitor: it leads to such items.
func (ix *Index) margin(cands []candidate, i int) float32 {
	c := cands[i]
	kind := ix.docs[c.doc].kind
	var score, ev float32
	for j, o := range cands {
		if j != i && ix.docs[o.doc].kind == kind {
			score, ev = max(score, o.score), max(ev, o.evidence)
		}
	}
	gap := float32(1)
	if score > 0 {
		gap = (c.score - score) / c.score
	}
	if ev > 0 && c.evidence > 0 {
		gap = min(gap, (c.evidence-ev)/c.evidence)
	}
	// A lead under 5% is a coin toss; from there the margin grows to none
	// at a 25% lead.
	x := min(1, max(0, (gap-0.05)/0.2))
	return 0.45 + 0.55*x
}

// accumulate scores every document matching the query, term at a time:
// for each unit, each alternative, each slot, each option, it walks the
// term's postings once. Levels combine as BM25F scores summed over a
// phrase's words, maximised over alternatives, summed over units. Most
// units are one word with one meaning; they skip the intermediate levels.
func (ix *Index) accumulate(q *query, sc *scratch) {
	for _, u := range q.units {
		for _, a := range u.alts {
			for _, sl := range a.slots {
				if len(sl.opts) == 1 {
					ix.scanOption(sl.opts[0], nil, &sc.alt)
					continue
				}
				for _, o := range sl.opts {
					ix.scanOption(o, &sc.slot, nil)
				}
				for _, d := range sc.slot.list {
					sc.alt.addSlot(d, sc.slot.s[d], sc.slot.q[d])
				}
				sc.slot.reset()
			}
			if len(u.alts) == 1 {
				// The unit is this alternative: straight to the total.
				for _, d := range sc.alt.list {
					s, q := a.combine(sc.alt.s[d], sc.alt.q[d], sc.alt.minS[d], sc.alt.minQ[d], int(sc.alt.n[d]), ix.p.partialPhrase)
					sc.total.touch(d)
					sc.total.s[d] += s
					sc.total.q[d] += u.importance * q
				}
				sc.alt.reset()
				continue
			}
			for _, d := range sc.alt.list {
				s, q := a.combine(sc.alt.s[d], sc.alt.q[d], sc.alt.minS[d], sc.alt.minQ[d], int(sc.alt.n[d]), ix.p.partialPhrase)
				sc.unit.touch(d)
				sc.unit.s[d] = max(sc.unit.s[d], s)
				sc.unit.q[d] = max(sc.unit.q[d], q)
			}
			sc.alt.reset()
		}
		for _, d := range sc.unit.list {
			sc.total.touch(d)
			sc.total.s[d] += sc.unit.s[d]
			sc.total.q[d] += u.importance * sc.unit.q[d]
		}
		sc.unit.reset()
	}
}

// scanOption walks one option's postings: with slot set, it keeps per
// document the best score and quality among the slot's options; with alt
// set (a slot of one option), it adds the option to the alternative
// directly.
func (ix *Index) scanOption(o option, slot, alt *accum) {
	if o.term == noTerm {
		return
	}
	ti := ix.terms[o.term]
	ps := ix.postings[ti.start:ti.end]
	for i := 0; i < len(ps); {
		d := ps[i].doc
		j := i + 1
		for j < len(ps) && ps[j].doc == d {
			j++
		}
		s, str, _ := ix.termScore(ps[i:j], o.term)
		i = j
		if s == 0 {
			continue
		}
		s, q := s*o.weight, str*o.weight
		if alt != nil {
			alt.addSlot(d, s, q)
			continue
		}
		slot.touch(d)
		slot.s[d] = max(slot.s[d], s)
		slot.q[d] = max(slot.q[d], q)
	}
}

// final is the ranking score: relevance scaled by how much of the query
// the document covers (a document answering every part of the question
// beats one repeating a single word), a little by focus, and by the tree
// boost.
func (ix *Index) final(q *query, d uint32, score, coverage, focus float32) float32 {
	score *= (0.5 + 0.5*coverage) * (1 - focusWeight + focusWeight*focus)
	if ix.docs[d].kind == knowledge.HitTree {
		score *= float32(ix.p.treeBoost)
	}
	p := ix.prior[d]
	if q.wantsResource && ix.p.prior && ix.pages[d].page == pageResource {
		p /= float32(ix.p.resourcePrior)
	}
	return score * p * ix.facetFactor(q, d)
}

// top returns the n best documents by score before proximity, unordered.
func (ix *Index) top(q *query, sc *scratch, n int) []candidate {
	h := sc.cands[:0]
	less := func(a, b candidate) bool { // a ranks below b
		if a.score != b.score {
			return a.score < b.score
		}
		return a.doc > b.doc
	}
	for _, d := range sc.total.list {
		base := sc.total.s[d]
		if base <= 0 {
			continue
		}
		cov := min(1, sc.total.q[d]/q.importance)
		c := candidate{doc: d, base: base, coverage: cov, info: sc.total.q[d], pair: -1, mention: 1, neighbour: 1}
		c.score = ix.final(q, d, base, cov, 1)
		if len(h) < n {
			h = append(h, c)
			siftUp(h, len(h)-1, less)
			continue
		}
		if less(h[0], c) {
			h[0] = c
			siftDown(h, 0, less)
		}
	}
	sc.cands = h[:0] // keep the grown buffer for the next query
	return h
}

func siftUp(h []candidate, i int, less func(a, b candidate) bool) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func siftDown(h []candidate, i int, less func(a, b candidate) bool) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && less(h[r], h[l]) {
			m = r
		}
		if !less(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// proximity returns the bonus for consecutive query words found next to
// each other (or within two words) in a positional field of d, and the
// query word starting the best such pair, or -1.
func (ix *Index) proximity(q *query, d uint32) (float32, int) {
	var bonus float32
	bestPair, bestV := -1, float32(0)
	for i := 0; i+1 < len(q.words); i++ {
		var pairV float32
		ordered := false
		for _, oa := range q.words[i].opts {
			ga := ix.find(oa.term, d)
			if len(ga) == 0 {
				continue
			}
			for _, ob := range q.words[i+1].opts {
				gb := ix.find(ob.term, d)
				for _, pa := range ga {
					for _, pb := range gb {
						if pa.field != pb.field {
							continue
						}
						adj, ord := closeness(ix.positionsOf(pa), ix.positionsOf(pb))
						if adj == 0 {
							continue
						}
						idf := min(ix.terms[oa.term].idf, ix.terms[ob.term].idf)
						v := adj * float32(ix.p.fields[pa.field].weight/ix.p.maxWeight) * idf * oa.weight * ob.weight
						if v > pairV {
							pairV, ordered = v, ord
						}
					}
				}
			}
		}
		bonus += pairV
		if ordered && pairV > bestV {
			bestPair, bestV = i, pairV
		}
	}
	return bonus * float32(ix.p.proximity), bestPair
}

// closeness compares two sorted position lists: 1 if some b follows some a
// directly (the query's word order), 0.5 if they are within two words of
// each other in any order, else 0. ordered reports the first case.
func closeness(a, b []uint32) (v float32, ordered bool) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		x, y := a[i], b[j]
		if y == x+1 {
			return 1, true
		}
		if (y > x && y-x <= 2) || (x > y && x-y <= 2) {
			v = 0.5
		}
		if x < y {
			i++
		} else {
			j++
		}
	}
	return v, false
}
