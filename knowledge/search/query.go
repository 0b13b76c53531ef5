package search

import (
	"math"
	"slices"
	"strings"

	"github.com/boussole/boussole/knowledge/analysis"
)

// matchKind says how a query word met an index term.
type matchKind uint8

const (
	matchExact   matchKind = iota // same term (same stem)
	matchElision                  // glued elision split: "didentite"
	matchTypo                     // within the typo tolerance
	matchPrefix                   // completion of a word cut short
)

// option is one index term a query word may mean, with how much a match on
// it counts.
type option struct {
	term   uint32
	weight float32
	kind   matchKind
	word   string // the index word, shown for corrections
}

// qword is one meaningful word of the query.
type qword struct {
	word string // folded, as typed
	// shown is the word as understood: its correction if it was corrected.
	shown string
	// canon is the term used to look up synonyms: the word's own term, or
	// that of its best correction.
	canon string
	opts  []option
}

// slot is one word of an alternative: it matches if any option does.
type slot struct {
	opts []option
	qw   int // the query word it stands for, -1 in a synonym phrase
}

// alternative is one way to match a unit: its own words, or an equivalent
// phrase from the synonym table.
type alternative struct {
	slots []slot
	// scale multiplies the alternative's summed score: 1 for the query's
	// own words; for a phrase, the synonym weight times the ratio of the
	// own words' best possible score to the phrase's.
	scale float32
	// quality scales the unit's match quality (1 for the query's own words,
	// the synonym weight for a phrase).
	quality float32
	phrase  int32 // synonym phrase id, -1 for the query's own words
	// known: the query's own words form a phrase of the synonym table
	// ("mise à pied"): one notion, not separate words.
	known bool
}

// unit is one concept of the query: a word, or a phrase with synonyms. A
// document scores the best of the unit's alternatives, so a sheet saying
// both "CNI" and "carte nationale d'identité" is not counted twice.
type unit struct {
	from, to int // query words [from, to)
	alts     []alternative
	// importance weighs the unit in the coverage: how telling its words
	// are (normalised idf), with a floor for unknown words.
	importance float32
}

// query is an analysed query.
type query struct {
	words      []qword
	units      []unit
	importance float32 // sum over units
	// wantsResource: the query asks for a form, a model letter, a
	// simulator or an online service, which are then not ranked below
	// sheets (prior.go).
	wantsResource bool
	// professional: the query speaks as a business, an employer or an
	// association (facets.go).
	professional bool
	// facets the query names (facets.go).
	facets uint64
	// english: the query reads as English (analysis.IsEnglish); its
	// phrases are looked up as the lexicon's English phrases are analysed.
	english bool
}

const (
	// unknownImportance weighs a query word the base has never seen: the
	// question may well be about something the base does not hold ("prime
	// de Noël" is not "prime d'activité"), but the word is as often a
	// detail or chit-chat ("hier", "urgent"), so it counts a little less
	// than a rare known word.
	unknownImportance = 0.6
	minImportance     = 0.15
	maxSynonymAlts    = 6
)

// parse analyses a query: bounded, folded, stop words removed, each word
// resolved to index terms (exactly, or by glued-elision split, typo
// correction or completion), then grouped into units with synonyms.
func (ix *Index) parse(text string, sc *scratch) query {
	text = analysis.Truncate(text, ix.p.maxQueryBytes)
	words, english := ix.p.an.QueryWords(text)
	if len(words) > ix.p.maxQueryTokens {
		words = words[:ix.p.maxQueryTokens]
	}
	q := query{english: english}
	seen := make(map[string]bool, len(words))
	for _, w := range words {
		q.wantsResource = q.wantsResource || resourceWord(w)
		q.professional = q.professional || professionalWord(w)
		qw := ix.resolve(w, english, sc)
		key := qw.canon
		if key == "" {
			key = "\x00" + w
		}
		if seen[key] {
			continue // "carte carte" says no more than "carte"
		}
		seen[key] = true
		q.words = append(q.words, qw)
	}
	q.facets = ix.queryFacets(&q)
	for i := 0; i < len(q.words); {
		u := ix.synonymUnit(q.words, i, q.english)
		if u.to == 0 {
			u = unit{from: i, to: i + 1, alts: []alternative{ownWords(q.words, i, i+1)}}
		}
		u.importance = ix.importance(u, q.words)
		i = u.to
		if q.english && u.to-u.from == 1 && len(u.alts) == 1 && q.words[u.from].word == "not" {
			// An English query keeps its negations for the lexicon's
			// phrases ("don't work"); alone, "not" says nothing.
			continue
		}
		q.units = append(q.units, u)
	}
	ix.softenContext(&q)
	for _, u := range q.units {
		q.importance += u.importance
	}
	return q
}

// softenContext lowers the context words of q (words saying whom the
// question is about, lexicon.Lexicon.Context), unless q is nothing else:
// their weight and importance are scaled by Options.ContextWeight. "ma
// fille veut faire un passeport" is about passports, not the sheet on
// keeping one's maiden name ("nom de jeune fille"). Measured flat from 0.7
// to 0.3 (four questions up, none down, over every set); the middle is
// taken.
func (ix *Index) softenContext(q *query) {
	if len(ix.context) == 0 {
		return
	}
	isCtx := func(u unit) bool { return u.to-u.from == 1 && ix.context[q.words[u.from].word] }
	other := false
	for _, u := range q.units {
		if !isCtx(u) {
			other = true
		}
	}
	if !other {
		return
	}
	for i := range q.units {
		u := &q.units[i]
		if !isCtx(*u) {
			continue
		}
		u.importance *= float32(ix.p.contextWeight)
		for a := range u.alts {
			for sl := range u.alts[a].slots {
				for o := range u.alts[a].slots[sl].opts {
					u.alts[a].slots[sl].opts[o].weight *= float32(ix.p.contextWeight)
				}
			}
		}
	}
}

// resolve finds the index terms a query word may mean.
func (ix *Index) resolve(w string, english bool, sc *scratch) qword {
	stem, ok := ix.vocab.stem[w]
	if !ok {
		stem = ix.p.an.Term(w)
		if ix.acronymOnly[stem] {
			// "crepes" stems like the acronym "Crep": it is not that
			// acronym, only an unknown word.
			stem = "\x00" + w
		}
	}
	qw := qword{word: w, shown: w}
	if t, ok := ix.termID[stem]; ok && ix.terms[t].df > 0 {
		qw.canon = stem
		qw.opts = []option{{term: t, weight: weightExact, kind: matchExact, word: w}}
		if _, seen := ix.vocab.stem[w]; !seen && ix.p.typos && len(w) >= minTypoOfKnown {
			// No sheet writes the word this way, though its stem is known:
			// "assocation" stems like "associé" but is "association"
			// misspelt. Its correction is taken too, as another option.
			if fixes := ix.correct(w, sc); len(fixes) > 0 && fixes[0].term != t {
				qw.opts = append(qw.opts, fixes[0])
			}
		}
		return qw
	}
	if ix.syn.stems[stem] {
		qw.canon = stem // known to the synonym table only
		return qw
	}
	if !ix.p.typos || english && len(w) < minTypoOfEnglish {
		return qw
	}
	fixes := ix.correct(w, sc)
	if o, canon, ok := ix.splitElision(w); ok && !ix.likelier(fixes, o) {
		qw.canon, qw.shown = canon, o.word
		if o.term != noTerm {
			qw.opts = []option{o}
		}
		return qw
	}
	qw.opts = fixes
	if len(qw.opts) == 0 {
		qw.opts = ix.complete(w)
	}
	if len(qw.opts) > 0 {
		qw.canon = ix.terms[qw.opts[0].term].text
		qw.shown = qw.opts[0].word
	}
	return qw
}

// minTypoOfKnown is the shortest word whose stem is known but whose form
// no sheet uses that is also read as its typo correction: shorter words
// are mostly inflections the sheets happen not to use.
const minTypoOfKnown = 7

// minTypoOfEnglish is the shortest word of an English query that is
// typo-corrected: a short English word the lexicon does not know is far
// more often a word of its own than a typo, and one edit from some French
// word ("june" is not "juge", "room" not "reom", "count" not "coût").
const minTypoOfEnglish = 7

// likelier reports whether a typo correction is a likelier reading of a
// word than its glued-elision split: "naisance" is "naissance" misspelt,
// not "n'aisance", because "naissance" is the far more common word.
func (ix *Index) likelier(fixes []option, elision option) bool {
	if len(fixes) == 0 || elision.term == noTerm {
		return false
	}
	return ix.terms[fixes[0].term].df > ix.terms[elision.term].df
}

// splitElision handles an elision typed without apostrophe: "didentite",
// "lapl", "quil". The rest must be a known word on its own.
func (ix *Index) splitElision(w string) (option, string, bool) {
	var rest string
	switch {
	case strings.HasPrefix(w, "qu") && len(w) > 2 && isVowelOrH(w[2]):
		rest = w[2:]
	case len(w) > 1 && strings.IndexByte("ldjmnstc", w[0]) >= 0 && isVowelOrH(w[1]):
		rest = w[1:]
	}
	if len(rest) < 3 {
		return option{}, "", false
	}
	stem, ok := ix.vocab.stem[rest]
	if !ok {
		stem = ix.p.an.Term(rest)
	}
	t, ok := ix.termID[stem]
	if !ok {
		return option{}, "", false
	}
	if ix.terms[t].df == 0 {
		// Known to the synonym table only ("lapl" with "apl" declared but
		// never written in an item): still worth expanding.
		return option{term: noTerm, weight: weightElision, kind: matchElision, word: rest}, stem, ix.syn.stems[stem]
	}
	return option{term: t, weight: weightElision, kind: matchElision, word: rest}, stem, true
}

func isVowelOrH(c byte) bool { return strings.IndexByte("aeiouyh", c) >= 0 }

// ownWords is the alternative made of the query's own words [from, to).
func ownWords(words []qword, from, to int) alternative {
	a := alternative{scale: 1, quality: 1, phrase: -1}
	for i := from; i < to; i++ {
		a.slots = append(a.slots, slot{opts: words[i].opts, qw: i})
	}
	return a
}

// synonymUnit returns the longest phrase of the synonym table starting at
// word i, as a unit with the query's own words and the equivalent phrases
// as alternatives, or a zero unit.
func (ix *Index) synonymUnit(words []qword, i int, english bool) unit {
	st := &ix.syn
	if len(st.byKey) == 0 {
		return unit{}
	}
	for n := min(st.maxLen, len(words)-i); n >= 1; n-- {
		parts := make([]string, 0, n)
		for _, w := range words[i : i+n] {
			if w.canon == "" {
				break
			}
			parts = append(parts, w.canon)
		}
		if len(parts) < n {
			continue
		}
		ids := st.alternatives(strings.Join(parts, " "), maxSynonymAlts, english)
		if len(ids) == 0 {
			continue
		}
		u := unit{from: i, to: i + n, alts: []alternative{ownWords(words, i, i+n)}}
		u.alts[0].known = n > 1
		own := ix.mass(u.alts[0])
		for _, id := range ids {
			p := st.phrases[id]
			a := alternative{phrase: id, quality: float32(ix.p.synonymWeight)}
			for _, t := range p.terms {
				var opts []option
				if ix.terms[t].df > 0 {
					opts = []option{{term: t, weight: weightExact, kind: matchExact, word: ix.terms[t].text}}
				}
				a.slots = append(a.slots, slot{opts: opts, qw: -1})
			}
			mass := ix.mass(a)
			if mass == 0 {
				continue // no word of the phrase is in any document
			}
			// The phrase scores the fraction of its best possible score it
			// reaches, times the best possible score of the query's own
			// words: otherwise a longer phrase with a rare extra word
			// ("nationale") would outscore the words the citizen typed,
			// matched in full.
			target := own
			if target == 0 {
				target = mass * float32(n) / float32(len(p.terms))
			}
			a.scale = float32(ix.p.synonymWeight) * target / mass
			u.alts = append(u.alts, a)
		}
		return u
	}
	return unit{}
}

// importance is how telling a unit is: from the normalised idf of its
// best known term, with a floor so that common words still count, and
// unknownImportance when nothing is known — minImportance for an unknown
// number ("plus de 25 ans"), a detail of the question rather than its
// subject.
func (ix *Index) importance(u unit, words []qword) float32 {
	var imp float32
	known := false
	for _, a := range u.alts {
		for _, s := range a.slots {
			for _, o := range s.opts {
				if o.term == noTerm {
					continue
				}
				known = true
				imp = max(imp, ix.terms[o.term].idfNorm)
			}
		}
	}
	if !known {
		for _, w := range words[u.from:u.to] {
			if strings.Trim(w.word, "0123456789") != "" {
				return unknownImportance
			}
		}
		return minImportance
	}
	// Softened: in a small base, words every sheet of a topic uses
	// ("carte") have a low idf but are still what the question is about.
	return min(1, 0.3+0.7*imp)
}

// mass is the best score an alternative can reach: for each slot, its best
// option's idf at full saturation (k1+1), times the option's weight.
func (ix *Index) mass(a alternative) float32 {
	var m float32
	for _, sl := range a.slots {
		var best float32
		for _, o := range sl.opts {
			if o.term != noTerm {
				best = max(best, ix.terms[o.term].idf*o.weight)
			}
		}
		m += best
	}
	return m * float32(ix.p.k1+1)
}

// terms returns every index term the query may match, in any alternative,
// sorted.
func (q *query) terms() []uint32 {
	var ts []uint32
	for _, u := range q.units {
		for _, a := range u.alts {
			for _, sl := range a.slots {
				for _, o := range sl.opts {
					if o.term != noTerm {
						ts = append(ts, o.term)
					}
				}
			}
		}
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// combine turns the slot scores and qualities of an alternative in one
// document (their sums and minima, and how many slots matched) into the
// alternative's score and quality. The query's own words are separate
// words, each counting for itself: their scores add up. A synonym phrase is
// one concept, found only if all its words are, and as strongly as its
// weakest word: "carte" in a title and "identité" in a step are not the
// phrase "carte d'identité". A document holding only some words of a known
// phrase of the query's own ("pied" of "mise à pied") scores
// (matched/len)^partial of them (Options.PartialPhrase; 0: all of them).
func (a *alternative) combine(sum, quality, minS, minQ float32, matched int, partial float64) (float32, float32) {
	n := float32(len(a.slots))
	if a.phrase < 0 {
		if partial > 0 && a.known && matched < len(a.slots) {
			f := float32(math.Pow(float64(matched)/float64(n), partial))
			return sum * a.scale * f, quality / n * a.quality
		}
		return sum * a.scale, quality / n * a.quality
	}
	if matched < len(a.slots) {
		return 0, 0
	}
	return minS * n * a.scale, minQ * a.quality
}

// heldBy returns how much of unit u the terms of one name hold: for the
// query's own words, the share of them found (weighted by how each was
// matched); for a synonym phrase, its weight if all its words are found.
func (u *unit) heldBy(terms []uint32) float32 {
	var best float32
	for _, a := range u.alts {
		var sum float32
		weakest, all := float32(1), true
		for _, sl := range a.slots {
			var v float32
			for _, o := range sl.opts {
				if o.weight > v && slices.Contains(terms, o.term) {
					v = o.weight
				}
			}
			sum += v
			weakest = min(weakest, v)
			all = all && v > 0
		}
		switch {
		case a.phrase < 0:
			best = max(best, sum/float32(len(a.slots))*a.quality)
		case all:
			best = max(best, weakest*a.quality)
		}
	}
	return best
}
