package search

import (
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/boussole/boussole/knowledge"
)

// noTerm marks a word known to the synonym table but absent from every
// item and tree.
const noTerm = math.MaxUint32

// entryGap separates the entries of a multi-valued field (keywords,
// synonyms, triggers, steps) in position space, so the last word of one
// keyword and the first of the next are never "adjacent".
const entryGap = 8

// docInfo is one searchable item or tree.
type docInfo struct {
	kind knowledge.HitKind
	id   string
}

// posting records that a term occurs in one field of one document.
// Postings of a term are sorted by document, then field; a term is found in
// a document by binary search on doc.
type posting struct {
	doc uint32
	// pos is the offset of the tf positions in Index.positions, for fields
	// that keep positions.
	pos   uint32
	tf    uint16
	field Field
}

// termInfo describes one index term (a stem).
type termInfo struct {
	text       string
	start, end uint32 // postings[start:end]
	df         uint32
	idf        float32
	// idfNorm is idf relative to the rarest possible term, in (0,1]: how
	// telling a word is, independent of the size of the base, for
	// Confidence.
	idfNorm float32
}

// Index is an immutable in-memory search index over a knowledge base's
// items and trees. It is safe for concurrent use.
type Index struct {
	p     params
	docs  []docInfo
	terms []termInfo
	// termID maps a term's text to its id (its position in terms).
	termID    map[string]uint32
	postings  []posting
	positions []uint32
	// factors[d*numFields+f] is weight(f) / (1 - b + b·len(d,f)/avglen(f)):
	// one occurrence of a term in field f of document d is worth that much
	// pseudo-frequency (BM25F). Precomputed so a query multiplies only.
	factors  []float32
	strength [numFields]float32
	// prior[d] is a query-independent factor on document d's score: how
	// central the sheet is (links to it from other items) and what kind of
	// page it is (a sheet explaining a procedure, a hub listing sheets, a
	// form or online service). See prior.go.
	prior []float32
	// links[linkStart[d]:linkStart[d+1]] are the documents d links to
	// (Item.Related), for the neighbourhood bonus (prior.go).
	links, linkStart []uint32
	// docFacets[d] are the facets document d names (facets.go).
	docFacets []docFacets
	facets    facetTable
	// pages[d] are what the prior knows of document d: its page type (a
	// form, model letter, simulator or online service is not demoted when
	// the query asks for one) and its links from other items, for Why.
	pages []pageInfo
	// Short entries (title, each synonym, keyword, trigger) as term lists,
	// to measure how much of a name the query covers (Confidence):
	// entries of doc d are entryBounds[docEntries[d]:docEntries[d+1]+1].
	entryTerms  []uint32
	entryBounds []uint32
	docEntries  []uint32
	// entryWeight[e] scales the focus entry e gives (Options.KeywordFocus
	// for a keyword shared by several documents, 1 for a name).
	entryWeight []float32
	// titleWords[d] are the folded words of d's names (title, synonyms,
	// triggers), for verbatim.
	titleWords [][]string
	// mentions are the wordings other items link to each document with.
	mentions mentionTable
	// acronymOnly are the terms written only as a title's acronym.
	acronymOnly map[string]bool
	// context are the folded words that say whom a question is about
	// (lexicon.Lexicon.Context).
	context map[string]bool
	vocab   vocabulary
	syn     synonymTable
	scratch sync.Pool
}

// Len returns the number of searchable items and trees.
func (ix *Index) Len() int { return len(ix.docs) }

// fieldText is the text of one field of a document, possibly several
// entries (keywords, steps).
type fieldText struct {
	field   Field
	entries []string
}

// builder accumulates documents, then freezes them into an Index.
type builder struct {
	p      params
	stems  map[string]string // folded word → term, a cache for the stemmer
	termID map[string]uint32
	terms  []string
	// acronyms are the folded acronyms ending titles ("crep", "rapo").
	acronyms map[string]bool
	// perTerm holds each term's postings in document order while building.
	perTerm    [][]posting
	positions  []uint32
	docs       []docInfo
	prior      []float32
	pages      []pageInfo
	docFacets  []docFacets
	facets     facetTable
	related    [][]string
	inLinks    map[string]int
	mentions   map[string][]string
	ment       mentionTable
	lens       [][numFields]uint32
	occ        []occurrence
	titleWords [][]string
	ent        struct {
		terms, bounds, docs []uint32
		keyword             []bool // the entry is a keyword
	}
}

// occurrence is one word of the document being added, packed so that
// sorting plain integers groups a document's words by term, then field,
// then position: term in the high 32 bits, field in the next 8, position
// in the low 24.
type occurrence uint64

const maxPos = 1<<24 - 1

func makeOccurrence(t uint32, f Field, pos uint32) occurrence {
	return occurrence(uint64(t)<<32 | uint64(f)<<24 | uint64(min(pos, maxPos)))
}

func (o occurrence) term() uint32  { return uint32(o >> 32) }
func (o occurrence) field() Field  { return Field(o >> 24) }
func (o occurrence) pos() uint32   { return uint32(o) & maxPos }
func (o occurrence) group() uint64 { return uint64(o) >> 24 } // term and field

// New builds the index over b's items and trees. Items are searched by
// title, synonyms, keywords and summary, then with less weight by steps,
// documents, practical details and body; trees by title and triggers, so
// free text can start a tree. Items or trees with an id already seen are
// skipped, as knowledge.NewBase does. A nil base gives an empty index.
func New(b *knowledge.Base, opts Options) *Index {
	bd := &builder{
		p:        resolve(opts),
		stems:    make(map[string]string),
		termID:   make(map[string]uint32),
		acronyms: make(map[string]bool),
	}
	var groups [][]string
	if b != nil {
		bd.inLinks = inLinks(b.Items)
		bd.mentions = mentionsOf(b.Items)
		bd.facets = bd.facetTable()
		seen := make(map[string]bool)
		for _, it := range b.Items {
			if it == nil || seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			bd.addItem(it)
			groups = append(groups, bd.p.itemSynonymGroups(it)...)
			if _, acronyms := titleAcronyms(it.Title); len(acronyms) > 0 {
				for _, a := range acronyms {
					if ws := bd.p.an.Words(a); len(ws) == 1 {
						bd.acronyms[ws[0]] = true
					}
				}
			}
		}
		clear(seen)
		for _, t := range b.Trees {
			if t == nil || seen[t.ID] {
				continue
			}
			seen[t.ID] = true
			bd.prior = append(bd.prior, 1)
			bd.pages = append(bd.pages, pageInfo{})
			bd.docFacets = append(bd.docFacets, docFacets{})
			bd.related = append(bd.related, nil)
			bd.add(knowledge.HitTree, t.ID, []fieldText{
				{FieldTitle, []string{t.Title}},
				{FieldTriggers, t.Triggers},
			})
		}
		groups = append(groups, b.Synonyms...)
	}
	groups = append(groups, opts.Synonyms...)
	var sg []synGroup
	for _, g := range uniqueGroups(groups) {
		sg = append(sg, synGroup{from: g})
	}
	if lex := bd.p.lexicon; lex != nil {
		for _, g := range lex.Synonyms {
			sg = append(sg, synGroup{from: g})
		}
		for _, e := range lex.Expand {
			sg = append(sg, synGroup{from: e.From, to: e.To})
		}
	}
	return bd.finish(sg)
}

func (bd *builder) addItem(it *knowledge.Item) {
	details := []string{it.Where.Office, it.Cost, it.Delay}
	for _, l := range it.Where.Online {
		details = append(details, l.Label)
	}
	pi := pageInfo{links: uint32(bd.inLinks[it.ID]), page: pageOf(it)}
	bd.prior = append(bd.prior, bd.p.priorOf(pi))
	bd.pages = append(bd.pages, pi)
	bd.docFacets = append(bd.docFacets, bd.itemFacets(it))
	bd.related = append(bd.related, it.Related)
	bd.add(knowledge.HitItem, it.ID, []fieldText{
		{FieldTitle, []string{it.Title}},
		{FieldSynonyms, it.Synonyms},
		{FieldKeywords, it.Keywords},
		{FieldSummary, []string{it.Summary}},
		{FieldSteps, it.Steps},
		{FieldDocuments, it.Documents},
		{FieldDetails, details},
		{FieldBody, []string{it.Body}},
		{FieldSituations, it.Situations},
		{FieldThemes, it.Themes},
		{FieldGlossary, glossaryTerms(it)},
	})
	bd.addMentions(bd.mentions[it.ID])
}

// glossaryTerms are the words an item defines (not abbreviations, which
// become synonyms).
func glossaryTerms(it *knowledge.Item) []string {
	var out []string
	for _, g := range it.Glossary {
		if g.Expansion == "" && g.Term != "" {
			out = append(out, g.Term)
		}
	}
	return out
}

// uniqueGroups drops groups declared again word for word (every sheet
// spelling out "CDI" in its glossary), before they are analysed.
func uniqueGroups(groups [][]string) [][]string {
	seen := make(map[string]bool, len(groups))
	out := groups[:0:0]
	for _, g := range groups {
		k := strings.Join(g, "\x00")
		if !seen[k] {
			seen[k] = true
			out = append(out, g)
		}
	}
	return out
}

// itemSynonymGroups returns the synonym groups an item declares: its
// synonyms are other names of one thing, and a title ending in acronyms,
// "Revenu de solidarité active (RSA)", "Aide au logement (APL, ALF, ALS)",
// says the acronyms and the name are one thing too (official sheets are
// titled this way).
func (p *params) itemSynonymGroups(it *knowledge.Item) [][]string {
	var groups [][]string
	if len(it.Synonyms) >= 2 {
		groups = append(groups, it.Synonyms)
	}
	if name, acronyms := titleAcronyms(it.Title); len(acronyms) > 0 {
		groups = append(groups, append([]string{name}, acronyms...))
	}
	for _, g := range it.Glossary {
		if p.glossarySyn && g.Term != "" && g.Expansion != "" {
			groups = append(groups, []string{g.Term, g.Expansion})
		}
	}
	return groups
}

// titleAcronyms splits "Name words (ACR)" or "Name (ACR1, ACR2)" into the
// name and the acronyms; it returns no acronyms unless every part in the
// parentheses is one short word.
func titleAcronyms(title string) (name string, acronyms []string) {
	t := strings.TrimSpace(title)
	open := strings.LastIndexByte(t, '(')
	if !strings.HasSuffix(t, ")") || open <= 0 {
		return "", nil
	}
	for _, a := range strings.Split(t[open+1:len(t)-1], ",") {
		a = strings.TrimSpace(a)
		if len(a) < 2 || len(a) > 8 || strings.ContainsAny(a, " ()") {
			return "", nil
		}
		acronyms = append(acronyms, a)
	}
	return strings.TrimSpace(t[:open]), acronyms
}

// term returns the id of the term for a folded word, creating it.
func (bd *builder) term(word string) uint32 {
	stem, ok := bd.stems[word]
	if !ok {
		stem = bd.p.an.Term(word)
		bd.stems[word] = stem
	}
	id, ok := bd.termID[stem]
	if !ok {
		id = uint32(len(bd.terms))
		bd.termID[stem] = id
		bd.terms = append(bd.terms, stem)
		bd.perTerm = append(bd.perTerm, nil)
	}
	return id
}

// shortField reports whether each entry of f is a name whose coverage by
// the query says the query asks for exactly this (Confidence).
func shortField(f Field) bool {
	return f == FieldTitle || f == FieldSynonyms || f == FieldKeywords || f == FieldTriggers
}

func (bd *builder) add(kind knowledge.HitKind, id string, fields []fieldText) {
	doc := uint32(len(bd.docs))
	bd.docs = append(bd.docs, docInfo{kind: kind, id: id})
	var names []string
	for _, ft := range fields {
		if ft.field == FieldTitle || ft.field == FieldSynonyms || ft.field == FieldTriggers {
			for _, e := range ft.entries {
				for _, w := range bd.p.an.Words(e) {
					if !slices.Contains(names, w) {
						names = append(names, w)
					}
				}
			}
		}
	}
	bd.titleWords = append(bd.titleWords, names)
	var lens [numFields]uint32
	bd.occ = bd.occ[:0]
	bd.ent.docs = append(bd.ent.docs, uint32(len(bd.ent.bounds)))
	bd.ment.docs = append(bd.ment.docs, uint32(len(bd.ment.count)))
	var words []string
	for _, ft := range fields {
		pos := uint32(0)
		for _, e := range ft.entries {
			words = bd.p.an.Words(e)
			if len(words) == 0 {
				continue
			}
			if shortField(ft.field) {
				bd.ent.bounds = append(bd.ent.bounds, uint32(len(bd.ent.terms)))
				bd.ent.keyword = append(bd.ent.keyword, ft.field == FieldKeywords)
			}
			start := len(bd.ent.terms)
			for _, w := range words {
				t := bd.term(w)
				bd.occ = append(bd.occ, makeOccurrence(t, ft.field, pos))
				pos++
				if shortField(ft.field) && !slices.Contains(bd.ent.terms[start:], t) {
					bd.ent.terms = append(bd.ent.terms, t)
				}
			}
			lens[ft.field] += uint32(len(words))
			pos += entryGap
		}
	}
	bd.lens = append(bd.lens, lens)
	// Group occurrences by term, then field, positions ascending.
	slices.Sort(bd.occ)
	for i := 0; i < len(bd.occ); {
		o := bd.occ[i]
		j := i + 1
		for j < len(bd.occ) && bd.occ[j].group() == o.group() {
			j++
		}
		tf := min(j-i, math.MaxUint16)
		p := posting{doc: doc, field: o.field(), tf: uint16(tf), pos: uint32(len(bd.positions))}
		if bd.p.fields[o.field()].positions {
			for _, x := range bd.occ[i : i+tf] {
				bd.positions = append(bd.positions, x.pos())
			}
		}
		bd.perTerm[o.term()] = append(bd.perTerm[o.term()], p)
		i = j
	}
}

// entryWeights are the focus weights of the entries: 1 for a name, and for
// a keyword shared by several documents, Options.KeywordFocus. A keyword
// many sheets carry is a word the editors index them under, not a name of
// one of them: a query matching it exactly ("smic", a keyword of sheets on
// dependent children, on subsidised contracts…) is not asking for those
// sheets the way a query matching a title is. Lower values measured a
// little better on the service-public sets (0.5: cdtn R@3 +0.004) but make
// a demo tree beat the passport sheet for "passport".
func (bd *builder) entryWeights() []float32 {
	bounds := append(bd.ent.bounds, uint32(len(bd.ent.terms)))
	key := func(e int) string {
		var b strings.Builder
		for _, t := range bd.ent.terms[bounds[e]:bounds[e+1]] {
			b.WriteString(bd.terms[t])
			b.WriteByte(' ')
		}
		return b.String()
	}
	docs := make(map[string]int)
	for e, kw := range bd.ent.keyword {
		if kw {
			docs[key(e)]++
		}
	}
	w := make([]float32, len(bd.ent.keyword))
	for e, kw := range bd.ent.keyword {
		w[e] = 1
		if kw && docs[key(e)] > 1 {
			w[e] = float32(bd.p.keywordFocus)
		}
	}
	return w
}

func (bd *builder) finish(groups []synGroup) *Index {
	n := len(bd.docs)
	var syn synonymTable
	if bd.p.synonyms {
		// First: phrase words become terms (without postings if no document
		// has them), so every term exists before postings are flattened.
		syn = bd.synonyms(groups)
	}
	ix := &Index{
		syn:         syn,
		p:           bd.p,
		docs:        bd.docs,
		prior:       bd.prior,
		pages:       bd.pages,
		docFacets:   bd.docFacets,
		facets:      bd.facets,
		termID:      bd.termID,
		positions:   slices.Clip(bd.positions),
		entryTerms:  slices.Clip(bd.ent.terms),
		entryBounds: append(bd.ent.bounds, uint32(len(bd.ent.terms))),
		docEntries:  append(bd.ent.docs, uint32(len(bd.ent.bounds))),
		entryWeight: bd.entryWeights(),
		titleWords:  bd.titleWords,
		mentions:    bd.ment.freeze(),
	}
	for f, fp := range bd.p.fields {
		ix.strength[f] = float32(fp.strength)
	}

	// Flatten postings, term by term, and compute document frequencies.
	total := 0
	for _, ps := range bd.perTerm {
		total += len(ps)
	}
	ix.postings = make([]posting, 0, total)
	ix.terms = make([]termInfo, len(bd.terms))
	maxIDF := idf(1, max(n, 1)) // positive even for an empty base
	for t, ps := range bd.perTerm {
		df := uint32(0)
		for i, p := range ps {
			if i == 0 || ps[i-1].doc != p.doc {
				df++
			}
		}
		start := uint32(len(ix.postings))
		ix.postings = append(ix.postings, ps...)
		v := idf(int(df), n)
		ix.terms[t] = termInfo{text: bd.terms[t], start: start, end: uint32(len(ix.postings)),
			df: df, idf: float32(v), idfNorm: float32(v / maxIDF)}
	}

	// Per-field average lengths over the documents that have the field (a
	// tree has no summary; that must not make item summaries look long).
	var sum [numFields]float64
	var cnt [numFields]int
	for _, l := range bd.lens {
		for f, v := range l {
			if v > 0 {
				sum[f] += float64(v)
				cnt[f]++
			}
		}
	}
	ix.factors = make([]float32, n*int(numFields))
	for d, l := range bd.lens {
		for f, v := range l {
			fp := bd.p.fields[f]
			if v == 0 || fp.weight == 0 {
				continue
			}
			avg := sum[f] / float64(cnt[f])
			ix.factors[d*int(numFields)+f] = float32(fp.weight / (1 - fp.b + fp.b*float64(v)/avg))
		}
	}

	ix.links, ix.linkStart = bd.linkTable()
	ix.vocab = newVocabulary(bd.stems, ix)
	ix.acronymOnly = acronymOnly(bd.stems, bd.acronyms)
	ix.context = bd.contextWords()
	ix.scratch.New = func() any { return newScratch(n, len(ix.vocab.list)) }
	return ix
}

// contextWords folds the lexicon's context words as queries' words are.
func (bd *builder) contextWords() map[string]bool {
	if bd.p.lexicon == nil {
		return nil
	}
	m := map[string]bool{}
	for _, w := range bd.p.lexicon.Context {
		for _, f := range bd.p.an.Words(w) {
			m[f] = true
		}
	}
	return m
}

// acronymOnly returns the terms that the sheets write only as a title's
// acronym ("Crep" in "… plomb (Crep)"): a query word met on such a term
// through the stemmer only ("crêpes") is not that acronym.
func acronymOnly(stems map[string]string, acronyms map[string]bool) map[string]bool {
	out := map[string]bool{}
	for w := range acronyms {
		out[stems[w]] = true
	}
	for w, t := range stems {
		if out[t] && !acronyms[w] {
			delete(out, t) // also an ordinary word of the sheets
		}
	}
	delete(out, "")
	return out
}

// idf is the BM25 inverse document frequency, always positive.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n-df)+0.5)/(float64(df)+0.5))
}

// find returns the postings of term t in document d (one per field), by
// binary search.
func (ix *Index) find(t uint32, d uint32) []posting {
	if t == noTerm || int(t) >= len(ix.terms) {
		return nil
	}
	ti := ix.terms[t]
	ps := ix.postings[ti.start:ti.end]
	i, _ := slices.BinarySearchFunc(ps, d, func(p posting, d uint32) int {
		switch {
		case p.doc < d:
			return -1
		case p.doc > d:
			return 1
		}
		return 0
	})
	j := i
	for j < len(ps) && ps[j].doc == d {
		j++
	}
	return ps[i:j]
}

// termScore scores one term in one document from its postings there
// (BM25F: weighted, length-normalised frequencies summed over fields, then
// saturated once), and says in which field the match is strongest.
func (ix *Index) termScore(group []posting, t uint32) (score, strength float32, best Field) {
	if len(group) == 0 {
		return 0, 0, 0
	}
	fac := ix.factors[int(group[0].doc)*int(numFields):]
	var tfw float32
	for _, p := range group {
		f := fac[p.field]
		if f == 0 {
			continue
		}
		tfw += float32(p.tf) * f
		if s := ix.strength[p.field]; s > strength {
			strength, best = s, p.field
		}
	}
	if tfw == 0 {
		return 0, 0, 0
	}
	k1 := float32(ix.p.k1)
	return ix.terms[t].idf * tfw * (k1 + 1) / (k1 + tfw), strength, best
}

// positionsOf returns the positions of a posting (nil for fields without
// positions).
func (ix *Index) positionsOf(p posting) []uint32 {
	if !ix.p.fields[p.field].positions {
		return nil
	}
	return ix.positions[p.pos : p.pos+uint32(p.tf)]
}

// entries calls fn with each short entry's terms of document d.
func (ix *Index) entries(d uint32, fn func(terms []uint32, weight float32)) {
	for e := ix.docEntries[d]; e < ix.docEntries[d+1]; e++ {
		fn(ix.entryTerms[ix.entryBounds[e]:ix.entryBounds[e+1]], ix.entryWeight[e])
	}
}
