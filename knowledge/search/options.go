package search

import (
	"math"

	"github.com/boussole/boussole/knowledge/analysis"
	"github.com/boussole/boussole/knowledge/lexicon"
)

// Field is a searchable part of an item or tree. Each field has its own
// BM25F weight and length normalisation, and a label shown in Hit.Why.
type Field uint8

// Fields, from the most to the least telling.
const (
	FieldTitle      Field = iota // item or tree title
	FieldSynonyms                // item synonyms (other names of the item)
	FieldKeywords                // item keywords
	FieldTriggers                // tree triggers
	FieldSummary                 // item summary
	FieldSteps                   // item steps
	FieldDocuments               // documents to bring
	FieldDetails                 // office type, online service labels, cost, delay
	FieldBody                    // imported free text
	FieldSituations              // cases a sheet distinguishes ("En ligne", "Salarié protégé")
	FieldThemes                  // breadcrumb: the themes an item is filed under
	FieldGlossary                // words an item defines (its glossary entries)
	numFields
)

// String returns the French label used in Hit.Why.
func (f Field) String() string {
	switch f {
	case FieldTitle:
		return "titre"
	case FieldSynonyms:
		return "synonyme"
	case FieldKeywords:
		return "mot-clé"
	case FieldTriggers:
		return "déclencheur"
	case FieldSummary:
		return "résumé"
	case FieldSteps:
		return "étapes"
	case FieldDocuments:
		return "documents"
	case FieldDetails:
		return "détails"
	case FieldBody:
		return "texte"
	case FieldSituations:
		return "situation"
	case FieldThemes:
		return "thème"
	case FieldGlossary:
		return "glossaire"
	}
	return "champ"
}

// fieldDefaults holds per-field parameters.
//   - weight: BM25F boost of one occurrence; titles and the names people
//     use (synonyms, keywords, triggers) dominate, long text only tips the
//     balance.
//   - b: length normalisation; low for lists of short names, where a long
//     list does not make one name less true.
//   - strength: how much a match in this field alone says the item is the
//     answer, for Confidence (a word found only in the body is weak
//     evidence).
//   - positions: whether positions are kept for the proximity bonus; only
//     short fields, where adjacency means a phrase, and to keep the index
//     small when bodies are long.
type fieldParams struct {
	weight    float64
	b         float64
	strength  float64
	positions bool
}

var fieldDefaults = [numFields]fieldParams{
	FieldTitle:     {weight: 5, b: 0.5, strength: 1, positions: true},
	FieldSynonyms:  {weight: 4.5, b: 0.3, strength: 1, positions: true},
	FieldKeywords:  {weight: 3.5, b: 0.3, strength: 1, positions: true},
	FieldTriggers:  {weight: 5, b: 0.3, strength: 1, positions: true},
	FieldSummary:   {weight: 2, b: 0.6, strength: 0.85, positions: true},
	FieldSteps:     {weight: 0.8, b: 0.75, strength: 0.6},
	FieldDocuments: {weight: 0.8, b: 0.75, strength: 0.6},
	FieldDetails:   {weight: 0.8, b: 0.5, strength: 0.6},
	FieldBody:      {weight: 0.4, b: 0.75, strength: 0.5},
	// Situations name the cases a sheet tells apart: a query naming one
	// ("salarié protégé", "en ligne") is about this sheet more than about
	// one merely mentioning the words.
	FieldSituations: {weight: 1.5, b: 0.3, strength: 0.7, positions: true},
	// The breadcrumb is shared by all the sheets of a theme: it says which
	// part of the catalogue a question belongs to (private sector or civil
	// service, employee or employer), not which sheet.
	FieldThemes: {weight: 0.8, b: 0.2, strength: 0.5},
	// Glossary terms: words the sheet defines for its readers.
	FieldGlossary: {weight: 0.8, b: 0.3, strength: 0.5},
}

// Options tunes an Index. The zero value gives good defaults; a zero field
// means "default", and a negative number turns a boost off where noted.
type Options struct {
	// Analyzer turns text into terms for both the index and the queries;
	// nil uses the built-in French analyzer.
	Analyzer *analysis.Analyzer
	// Weights overrides the BM25F weight of some fields; a weight of 0
	// leaves the field out of scoring.
	Weights map[Field]float64
	// K1 is the BM25 term-frequency saturation (default 2; higher than the
	// usual 1.2 so that field weights still tell a title match from an
	// incidental mention once saturated).
	K1 float64
	// NoTypos turns off typo tolerance, prefix completion and glued elision
	// splitting ("didentite").
	NoTypos bool
	// NoSynonyms turns off synonym expansion.
	NoSynonyms bool
	// Synonyms are extra groups of equivalent phrases, added to the base's
	// (for example a glossary imported from official sheets).
	Synonyms [][]string
	// SynonymWeight scales a match through a synonym (default 0.9).
	SynonymWeight float64
	// TreeBoost multiplies the score of trees against items (default 1).
	TreeBoost float64
	// ProximityBoost scales the bonus for query words found next to each
	// other in a title, name or summary (default 0.35; negative: off).
	ProximityBoost float64
	// Lexicon is the curated vocabulary (synonyms, expansions, facets);
	// nil uses lexicon.Default(). NoLexicon turns it off.
	Lexicon   *lexicon.Lexicon
	NoLexicon bool
	// NoGlossarySynonyms: item glossary abbreviations are not synonyms.
	NoGlossarySynonyms bool
	// NoMentions: the words other items' links use for an item do not lift
	// it (mentions.go).
	NoMentions bool
	// NoFacets turns off facet matching (facets.go).
	NoFacets bool
	// NoPrior turns off the query-independent prior (centrality and page
	// type, see prior.go).
	NoPrior bool
	// NoHeadNotion: a short "X et Y" query does not give third place to
	// the best sheet for X alone (head.go).
	NoHeadNotion bool
	// MaxQueryBytes and MaxQueryTokens bound the analysed part of a query
	// (defaults 1000 and 64): a chat message can be a pasted page, and
	// only its beginning says what it is about.
	MaxQueryBytes  int
	MaxQueryTokens int
}

// params are Options resolved to concrete values.
type params struct {
	an             *analysis.Analyzer
	fields         [numFields]fieldParams
	maxWeight      float64
	k1             float64
	typos          bool
	synonyms       bool
	synonymWeight  float64
	treeBoost      float64
	proximity      float64
	maxQueryBytes  int
	maxQueryTokens int
	prior          bool
	lexicon        *lexicon.Lexicon
	facets         bool
	glossarySyn    bool
	mentions       bool
	headNotion     bool
}

// Match weights of the ways a query word can meet an index word: an exact
// term is full evidence, a guessed correction less so.
const (
	weightExact     = 1.0
	weightElision   = 0.95 // "didentite" → "identite"
	weightTypo1     = 0.8  // one edit
	weightTypo2     = 0.65 // two edits
	weightPrefix    = 0.7  // "renouv" → "renouvellement"
	maxTypoOptions  = 3    // corrections kept per query word
	maxPrefixOption = 3
)

func resolve(o Options) params {
	p := params{
		an:             o.Analyzer,
		fields:         fieldDefaults,
		k1:             orDefault(o.K1, 2),
		typos:          !o.NoTypos,
		synonyms:       !o.NoSynonyms,
		synonymWeight:  orDefault(o.SynonymWeight, 0.9),
		treeBoost:      orDefault(o.TreeBoost, 1),
		proximity:      orDefault(o.ProximityBoost, 0.35),
		maxQueryBytes:  o.MaxQueryBytes,
		maxQueryTokens: o.MaxQueryTokens,
		prior:          !o.NoPrior,
		lexicon:        o.Lexicon,
		facets:         !o.NoFacets,
		glossarySyn:    !o.NoGlossarySynonyms,
		mentions:       !o.NoMentions,
		headNotion:     !o.NoHeadNotion,
	}
	if p.lexicon == nil {
		p.lexicon = lexicon.Default()
	}
	if o.NoLexicon {
		p.lexicon = nil
	}
	if p.an == nil {
		p.an = &analysis.Analyzer{}
	}
	for f, w := range o.Weights {
		if f < numFields && w >= 0 && !math.IsInf(w, 0) {
			p.fields[f].weight = w
		}
	}
	p.maxWeight = 1 // never 0: it divides
	for _, fp := range p.fields {
		p.maxWeight = max(p.maxWeight, fp.weight)
	}
	if o.ProximityBoost < 0 {
		p.proximity = 0
	}
	if p.maxQueryBytes <= 0 {
		p.maxQueryBytes = 1000
	}
	if p.maxQueryTokens <= 0 {
		p.maxQueryTokens = 64
	}
	return p
}

// orDefault returns x if it is a usable positive number, else def.
func orDefault(x, def float64) float64 {
	if x > 0 && !math.IsInf(x, 0) {
		return x
	}
	return def
}
