package search

import (
	"math"
	"slices"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// Why stays short enough to show in a chat: at most maxWhy phrases of at
// most maxWhyWords words per field.
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
		s, q = a.combine(s, q, minS, minQ, matched)
		m.quality = max(m.quality, q)
		if s > m.score {
			m.score, m.alt = s, ai
		}
	}
	return m
}

// hit explains and rates candidate c. next is the score of the nearest
// competitor (the runner-up for the first hit, the first hit for the
// others), 0 if none.
func (ix *Index) hit(q *query, c candidate, next float32) knowledge.Hit {
	d := c.doc
	var (
		info       float32 // Σ importance·quality: how much telling evidence
		fieldWords [numFields][]string
		syns       []string
		fixes      []string
	)
	for i := range q.units {
		u := &q.units[i]
		m := ix.matchUnit(u, d)
		info += u.importance * m.quality
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
	return knowledge.Hit{
		Kind:       ix.docs[d].kind,
		ID:         ix.docs[d].id,
		Score:      float64(c.score),
		Confidence: ix.confidence(c, next, info),
		Why:        why,
	}
}

// confidence rates a hit in [0,1], comparably across queries, from
// normalised evidence rather than the raw score:
//   - coverage: how much of the query the hit explains, each unit weighed
//     by how telling it is and matched by how good a match (exact or
//     corrected, in a title or only in the body);
//   - focus: how much of one of the hit's names (title, a synonym, a
//     keyword, a trigger) the query covers — "carte d'identité perdue"
//     is the whole title of the sheet, "carte" a third of it;
//   - specificity: a query made only of common words ("demande") says
//     little, whatever it matches;
//   - margin: a hit barely ahead of the next one of its kind may be the
//     wrong one of the two ("carte" matches three identity sheets). A tree
//     next to an item is no competitor: it leads to such items.
func (ix *Index) confidence(c candidate, next, info float32) float64 {
	spec := min(1, 0.55+0.75*info)
	margin := float32(1)
	if next > 0 {
		gap := (c.score - next) / c.score
		margin = 0.45 + 0.55*min(1, max(0, gap/0.3))
	}
	conf := float64(c.coverage * (0.55 + 0.45*c.focus) * spec * margin)
	if math.IsNaN(conf) {
		return 0
	}
	return min(1, max(0, conf))
}

// focus returns the largest fraction of one of d's names (short entries)
// made of the query's terms (qterms, sorted). The entry's terms are in d by
// definition, so only the query's side needs checking.
func (ix *Index) focus(d uint32, qterms []uint32) float32 {
	var best float32
	ix.entries(d, func(terms []uint32) {
		if len(terms) == 0 {
			return
		}
		n := 0
		for _, t := range terms {
			if _, ok := slices.BinarySearch(qterms, t); ok {
				n++
			}
		}
		best = max(best, float32(n)/float32(len(terms)))
	})
	return best
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
