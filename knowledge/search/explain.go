package search

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// Why stays short enough to show in a chat: the match takes at most maxWhy
// phrases of at most maxWhyWords words per field; the factors of the score
// that moved it follow, one phrase each (appendFactorsWhy).
const (
	maxWhy      = 6
	maxWhyWords = 6
)

// slotMatch is the best option of one slot in one document.
type slotMatch struct {
	opt   option
	field Field
	ok    bool
}

// unitMatch is how one unit matched one document: the same numbers as
// accumulate computes for every document at once, plus which alternative
// and options won, for Why.
type unitMatch struct {
	score, quality float32
	alt            int // best-scoring alternative, -1 if none matched
	// own are the slots of the query's own words (alternative 0), shown in
	// Why even when a synonym scored higher.
	own []slotMatch
}

// matchUnit scores unit u in document d.
func (ix *Index) matchUnit(u *unit, d uint32) unitMatch {
	m := unitMatch{alt: -1}
	var slots []slotMatch
	for ai, a := range u.alts {
		var s, q, minS, minQ float32
		matched := 0
		slots = slots[:0]
		for _, sl := range a.slots {
			var ss, sq float32
			best := slotMatch{}
			for _, o := range sl.opts {
				ts, str, f := ix.termScore(ix.find(o.term, d), o.term)
				if ts == 0 {
					continue
				}
				if ts*o.weight > ss {
					best = slotMatch{opt: o, field: f, ok: true}
				}
				ss = max(ss, ts*o.weight)
				sq = max(sq, str*o.weight)
			}
			if best.ok {
				if matched == 0 {
					minS, minQ = ss, sq
				} else {
					minS, minQ = min(minS, ss), min(minQ, sq)
				}
				s += ss
				q += sq
				matched++
			}
			slots = append(slots, best)
		}
		if ai == 0 {
			m.own = slices.Clone(slots)
		}
		s, q = a.combine(s, q, minS, minQ, matched, ix.p.partialPhrase)
		m.quality = max(m.quality, q)
		if s > m.score {
			m.score, m.alt = s, ai
		}
	}
	return m
}

// hit explains candidate c, whose confidence is its evidence times its
// margin over the competition.
func (ix *Index) hit(q *query, c candidate, margin float32) knowledge.Hit {
	d := c.doc
	var (
		fieldWords [numFields][]string
		syns       []string
		fixes      []string
	)
	for i := range q.units {
		u := &q.units[i]
		m := ix.matchUnit(u, d)
		if m.alt < 0 {
			continue
		}
		if a := u.alts[m.alt]; a.phrase >= 0 {
			syns = appendNew(syns, "synonyme: "+spanText(q, u)+" → "+ix.syn.phrases[a.phrase].display)
			for _, w := range q.words[u.from:u.to] {
				if w.shown != w.word {
					fixes = appendNew(fixes, "correction: "+w.word+" → "+w.shown)
				}
			}
		}
		for si, sm := range m.own {
			if !sm.ok {
				continue
			}
			w := q.words[u.alts[0].slots[si].qw].word
			if sm.opt.kind != matchExact {
				fixes = appendNew(fixes, "correction: "+w+" → "+sm.opt.word)
				w = sm.opt.word
			}
			fieldWords[sm.field] = appendNew(fieldWords[sm.field], w)
		}
	}
	var why []string
	for f, ws := range fieldWords {
		if len(ws) > 0 {
			why = append(why, Field(f).String()+": "+strings.Join(ws[:min(len(ws), maxWhyWords)], ", "))
		}
	}
	why = append(why, syns...)
	why = append(why, fixes...)
	if c.pair >= 0 {
		why = append(why, "expression: "+q.words[c.pair].shown+" "+q.words[c.pair+1].shown)
	}
	if len(why) > maxWhy {
		why = why[:maxWhy] // fields first: they say the most
	}
	why = ix.appendFactorsWhy(why, q, c)
	return knowledge.Hit{
		Kind:       ix.docs[d].kind,
		ID:         ix.docs[d].id,
		Score:      float64(c.score),
		Confidence: clamp01(float64(c.evidence * margin)),
		Match:      clamp01(float64(ix.match(q, c))),
		Why:        why,
	}
}

// factor is one factor that multiplied a candidate's score after its
// words matched: what it is, the count or facets Why names with it, and
// its value.
type factor struct {
	kind factorKind
	n    int    // links, words, mentions, linking candidates
	set  uint64 // facets
	page pageType
	f    float32
}

type factorKind uint8

const (
	factorTree factorKind = iota
	factorLinks
	factorPage
	factorFacet
	factorFacetTitle
	factorPublic
	factorAudience
	factorVerbatim
	factorMentions
	factorNeighbours
)

// label is how Why names f, before its value.
func (ix *Index) label(f factor) string { return string(ix.appendLabel(nil, f)) }

// appendLabel appends label(f) to b.
func (ix *Index) appendLabel(b []byte, f factor) []byte {
	switch f.kind {
	case factorTree:
		return append(b, "arbre"...)
	case factorLinks:
		b = append(b, "centralité: "...)
		b = strconv.AppendInt(b, int64(f.n), 10)
		return append(b, " fiche(s) y renvoient"...)
	case factorPage:
		return append(append(b, "type: "...), f.page.String()...)
	case factorFacet:
		return append(append(append(b, "précision: "...), ix.facetNames(f.set)...), " (thème ou situation)"...)
	case factorFacetTitle:
		return append(append(append(b, "précision: "...), ix.facetNames(f.set)...), " (titre)"...)
	case factorPublic:
		return append(append(append(b, "public: "...), ix.facetNames(f.set)...), ", que la question ne nomme pas"...)
	case factorAudience:
		return append(b, "public: professionnels ou associations"...)
	case factorVerbatim:
		b = append(b, "tel quel: "...)
		b = strconv.AppendInt(b, int64(f.n), 10)
		return append(b, " mot(s) de la question dans le nom"...)
	case factorMentions:
		b = append(b, "lien: "...)
		b = strconv.AppendInt(b, int64(f.n), 10)
		return append(b, " renvoi(s) d'autres fiches sous ces mots"...)
	case factorNeighbours:
		b = append(b, "voisinage: "...)
		b = strconv.AppendInt(b, int64(f.n), 10)
		return append(b, " renvoi(s) des autres candidats"...)
	}
	return append(b, "facteur"...)
}

// scoreFactors calls fn with every factor that multiplied c's score after
// its words matched, in the order they apply: the tree boost, the prior
// (centrality, page type), the facets and the audience, the words found as
// typed, the links naming it with the query's words, the neighbourhood.
// Their product times the words' score (wordScore) is c's score: the test
// TestFactorsMakeTheScore holds the explanation to the ranking.
func (ix *Index) scoreFactors(q *query, c candidate, fn func(factor)) {
	d := c.doc
	if ix.docs[d].kind == knowledge.HitTree {
		fn(factor{kind: factorTree, f: float32(ix.p.treeBoost)})
	}
	if ix.p.prior {
		pi := ix.pages[d]
		fn(factor{kind: factorLinks, n: int(pi.links), f: float32(ix.p.linkFactor(pi.links))})
		if pi.page != pageResource || !q.wantsResource {
			fn(factor{kind: factorPage, page: pi.page, f: float32(ix.p.pageFactor(pi.page))})
		}
	}
	fp := ix.facetParts(q, d)
	facet := factor{kind: factorFacet, set: fp.boosted, f: fp.boost}
	if fp.inTitle {
		facet.kind = factorFacetTitle
	}
	fn(facet)
	fn(factor{kind: factorPublic, set: fp.demoted, f: fp.demote})
	fn(factor{kind: factorAudience, f: fp.audience})
	fn(factor{kind: factorVerbatim, n: int(c.verbatim*float32(len(q.words)) + 0.5), f: 1 + float32(ix.p.exactBoost)*c.verbatim})
	fn(factor{kind: factorMentions, n: int(c.mentions), f: c.mention})
	fn(factor{kind: factorNeighbours, n: int(c.linkedFrom), f: c.neighbour})
}

// wordScore is c's score from its words alone: BM25F and proximity,
// scaled by coverage and focus (final), before the factors.
func wordScore(c candidate) float32 {
	return (c.base + c.prox) * (0.5 + 0.5*c.coverage) * (1 - focusWeight + focusWeight*c.focus)
}

// appendFactorsWhy appends to why, with its value, each factor of c's
// score that moves it by half a percent or more: a person reading why a
// sheet sits where it does sees each of them.
func (ix *Index) appendFactorsWhy(why []string, q *query, c candidate) []string {
	var buf [96]byte
	ix.scoreFactors(q, c, func(f factor) {
		if math.Abs(float64(f.f)-1) >= 0.005 {
			b := append(ix.appendLabel(buf[:0], f), " ×"...)
			why = append(why, string(strconv.AppendFloat(b, float64(f.f), 'f', 2, 32)))
		}
	})
	return why
}

// String names a page type in Why.
func (t pageType) String() string {
	switch t {
	case pageHub:
		return "dossier"
	case pageResource:
		return "formulaire, modèle ou service en ligne"
	case pageGuided:
		return "recherche guidée"
	}
	return "fiche"
}

// evidence rates in [0,1], comparably across queries, how surely a
// document answers the query, from normalised evidence rather than the raw
// score (the margin over other documents is applied on top):
//   - coverage: how much of the query it explains, each unit weighed by
//     how telling it is and matched by how good a match (exact or
//     corrected, in a title or only in the body);
//   - focus: how well one of its names matches the whole query;
//   - specificity (from info, the importance-weighted evidence): a query
//     made only of common words ("demande") says little, whatever it
//     matches.
func evidence(coverage, focus, info float32) float32 {
	spec := min(1, 0.55+0.75*info)
	return coverage * (0.55 + 0.45*focus) * spec
}

// match is the evidence for c with coverage and focus measured against at
// most Options.MatchCap of the query's importance (about that many telling
// words): a long message telling a situation ("je suis au RSA, seule avec
// deux enfants, mon loyer est de 650 euros…") is understood when a sheet
// matches that much of it, not all of it.
func (ix *Index) match(q *query, c candidate) float32 {
	capped := min(q.importance, float32(ix.p.matchCap))
	if capped <= 0 || capped == q.importance {
		return c.evidence
	}
	return evidence(min(1, c.info/capped), min(1, c.focus*q.importance/capped), c.info)
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return min(1, max(0, x))
}

// focus measures how well one of d's names (title, a synonym, a keyword,
// a trigger) matches the query as a whole: the importance-weighted share of
// the query's units that one name holds, times the square root of the
// share of the name's words the query used. "Demander sa carte Vitale"
// holds two of the three units of "refaire ma carte vitale" and "Carte
// d'identité volée" one, whatever the rest of the sheets say; a name the
// query matches exactly scores 1. qterms are the query's terms, sorted.
func (ix *Index) focus(d uint32, q *query, qterms []uint32) float32 {
	if ix.docs[d].kind == knowledge.HitTree {
		return ix.treeFocus(d, q, qterms)
	}
	var best float32
	ix.entries(d, func(terms []uint32, weight float32) {
		n := 0
		for _, t := range terms {
			if _, ok := slices.BinarySearch(qterms, t); ok {
				n++
			}
		}
		if n == 0 {
			return
		}
		var held float32
		for i := range q.units {
			held += q.units[i].importance * q.units[i].heldBy(terms)
		}
		f := weight * held / q.importance * float32(math.Sqrt(float64(n)/float64(len(terms))))
		best = max(best, min(1, f))
	})
	return best
}

// treeFocus is focus for a tree. A tree's title and triggers are all ways
// into one conversation, so each unit of the query may be held by a
// different one: "cni perdu" is the trigger "cni" plus "papiers perdus".
func (ix *Index) treeFocus(d uint32, q *query, qterms []uint32) float32 {
	var sum float32
	for i := range q.units {
		u := &q.units[i]
		var best float32
		ix.entries(d, func(terms []uint32, _ float32) {
			n := 0
			for _, t := range terms {
				if _, ok := slices.BinarySearch(qterms, t); ok {
					n++
				}
			}
			if n > 0 {
				best = max(best, u.heldBy(terms)*float32(math.Sqrt(float64(n)/float64(len(terms)))))
			}
		})
		sum += u.importance * best
	}
	return min(1, sum/q.importance)
}

// spanText is the query's words of unit u, as understood (folded,
// corrected).
func spanText(q *query, u *unit) string {
	ws := make([]string, 0, u.to-u.from)
	for _, w := range q.words[u.from:u.to] {
		ws = append(ws, w.shown)
	}
	return strings.Join(ws, " ")
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
