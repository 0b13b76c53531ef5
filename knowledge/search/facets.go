package search

import (
	"slices"
	"strings"

	"github.com/boussole/boussole/knowledge"
)

// Facets are situations a sheet may be specific to (lexicon.Facet): the
// civil service, a lost or stolen document, a renewal, a minor, a student.
// A facet is recognised by its terms as a phrase of analysed words in a
// sheet's title, breadcrumb and situations, and in the query. Then:
//
//   - a query naming a facet ("passeport perdu", "congé parental d'un
//     fonctionnaire") prefers the sheets whose title names it, then those
//     with a situation or breadcrumb naming it;
//   - a sheet whose title or breadcrumb names a specific facet (a public
//     served by sheets of its own: the civil service, foreigners, overseas)
//     ranks a little lower when the query does not name it, since most
//     people asking are in the general case.
//
// Audience works the same way: sheets written only for professionals or
// associations rank a little lower unless the query speaks as one. The
// factors are Options.FacetTitleBoost, FacetContextBoost, FacetDemote and
// AudienceDemote.

// facetPhrase is one term of a facet, analysed.
type facetPhrase struct {
	terms []uint32
	facet uint
}

// facetTable holds the analysed facets of the lexicon.
type facetTable struct {
	phrases  []facetPhrase
	specific uint64 // facets whose sheets are demoted when not asked for
}

// docFacets are the facets one document names, by where.
type docFacets struct {
	title, themes, situations uint64
	otherAudience             bool // written only for professionals or associations
}

func (bd *builder) facetTable() facetTable {
	var ft facetTable
	lex := bd.p.lexicon
	if lex == nil || !bd.p.facets {
		return ft
	}
	for i, f := range lex.Facets {
		if i >= 64 {
			break
		}
		if f.Specific {
			ft.specific |= 1 << uint(i)
		}
		for _, t := range f.Terms {
			words := bd.p.an.Words(t)
			if len(words) == 0 {
				continue
			}
			p := facetPhrase{facet: uint(i)}
			for _, w := range words {
				p.terms = append(p.terms, bd.term(w))
			}
			ft.phrases = append(ft.phrases, p)
		}
	}
	return ft
}

// match returns the facets whose phrases occur in a term sequence.
func (ft *facetTable) match(terms []uint32) uint64 {
	var m uint64
	for _, p := range ft.phrases {
		if m&(1<<p.facet) != 0 || len(p.terms) > len(terms) {
			continue
		}
		for i := 0; i+len(p.terms) <= len(terms); i++ {
			if slices.Equal(terms[i:i+len(p.terms)], p.terms) {
				m |= 1 << p.facet
				break
			}
		}
	}
	return m
}

// itemFacets finds the facets an item names.
func (bd *builder) itemFacets(it *knowledge.Item) docFacets {
	var df docFacets
	if len(bd.facets.phrases) > 0 {
		match := func(texts ...string) uint64 {
			var m uint64
			for _, t := range texts {
				var terms []uint32
				for _, w := range bd.p.an.Words(t) {
					terms = append(terms, bd.term(w))
				}
				m |= bd.facets.match(terms)
			}
			return m
		}
		df.title = match(it.Title)
		df.themes = match(it.Themes...)
		df.situations = match(it.Situations...)
	}
	if bd.p.prior && len(it.Audience) > 0 && !slices.Contains(it.Audience, "particulier") {
		df.otherAudience = true
	}
	return df
}

// facetFactor is the ranking factor of document d for query q. It runs
// for every document a query touches, so it does not build facetParts;
// TestFactorsMakeTheScore checks that the two agree.
func (ix *Index) facetFactor(q *query, d uint32) float32 {
	df := &ix.docFacets[d]
	f := float32(1)
	if q.facets != 0 {
		switch {
		case df.title&q.facets != 0:
			f *= float32(1 + ix.p.facetTitleBoost)
		case (df.situations|df.themes)&q.facets != 0:
			f *= float32(1 + ix.p.facetContextBoost)
		}
	}
	if (df.title|df.themes)&ix.facets.specific&^q.facets != 0 {
		f *= float32(ix.p.facetDemote)
	}
	if df.otherAudience && !q.professional {
		f *= float32(ix.p.audienceDemote)
	}
	return f
}

// facetParts are the factors facetFactor multiplies, each 1 when it does
// not apply, and the facets behind them, for Why.
type facetParts struct {
	boost   float32 // the query names a facet the sheet names
	boosted uint64  // those facets
	inTitle bool    // named in the title (else in a situation or theme)
	demote  float32 // the sheet is for a public the query does not name
	demoted uint64  // those publics
	// audience: the sheet is only for professionals or associations and
	// the query does not speak as one.
	audience float32
}

func (ix *Index) facetParts(q *query, d uint32) facetParts {
	df := &ix.docFacets[d]
	fp := facetParts{boost: 1, demote: 1, audience: 1}
	if q.facets != 0 {
		switch {
		case df.title&q.facets != 0:
			fp.boost, fp.boosted, fp.inTitle = float32(1+ix.p.facetTitleBoost), df.title&q.facets, true
		case (df.situations|df.themes)&q.facets != 0:
			fp.boost, fp.boosted = float32(1+ix.p.facetContextBoost), (df.situations|df.themes)&q.facets
		}
	}
	if m := (df.title | df.themes) & ix.facets.specific &^ q.facets; m != 0 {
		fp.demote, fp.demoted = float32(ix.p.facetDemote), m
	}
	if df.otherAudience && !q.professional {
		fp.audience = float32(ix.p.audienceDemote)
	}
	return fp
}

// facetNames names the facets of a set, as the lexicon does.
func (ix *Index) facetNames(m uint64) string {
	var names []string
	if lex := ix.p.lexicon; lex != nil {
		for i, f := range lex.Facets {
			if i < 64 && m&(1<<uint(i)) != 0 {
				names = append(names, f.Name)
			}
		}
	}
	return strings.Join(names, ", ")
}

// queryFacets finds the facets the query names, from its words' terms.
func (ix *Index) queryFacets(q *query) uint64 {
	if len(ix.facets.phrases) == 0 {
		return 0
	}
	terms := make([]uint32, 0, len(q.words))
	for _, w := range q.words {
		stem := w.canon
		if stem == "" {
			// A word no document uses may still name a facet ("bébé").
			var ok bool
			if stem, ok = ix.vocab.stem[w.word]; !ok {
				stem = ix.p.an.Term(w.word)
			}
		}
		t, ok := ix.termID[stem]
		if !ok {
			t = noTerm
		}
		terms = append(terms, t)
	}
	return ix.facets.match(terms)
}

// professionalWord reports a folded query word of someone asking as a
// business, an employer or an association.
func professionalWord(w string) bool {
	switch w {
	case "entreprise", "entreprises", "societe", "societes",
		"professionnel", "professionnels", "association", "associations",
		"gerant", "embaucher", "recruter", "employeurs",
		"sarl", "sas", "eurl", "siret", "tva":
		return true
	}
	return false
}
