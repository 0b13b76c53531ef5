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

// fieldParams are the parameters of one field.
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

// fieldDefaults returns the per-field parameters; Options.Weights
// overrides the weights.
func fieldDefaults() [numFields]fieldParams {
	return [numFields]fieldParams{
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
}

// Options tunes an Index. New reads them once and the index keeps its own
// resolved copy, so changing an Options (or its Weights map) afterwards
// changes nothing: indexes built with different Options (the tuning
// harness's sweeps) live side by side. The zero value gives the defaults,
// which DefaultOptions spells out; a zero field means "default", and where
// noted a negative number means zero (that boost or rule off).
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
	// type, see prior.go) and the neighbourhood bonus.
	NoPrior bool
	// MaxQueryBytes and MaxQueryTokens bound the analysed part of a query
	// (defaults 1000 and 64): a chat message can be a pasted page, and
	// only its beginning says what it is about.
	MaxQueryBytes  int
	MaxQueryTokens int

	// The ranking parameters below were measured on the evaluation sets
	// (docs/search.md); the file named with each says what it does.

	// LinkWeight scales centrality in the prior, 1 + LinkWeight·ln(1 +
	// links from other items) (prior.go; default 0.1; negative: off).
	LinkWeight float64
	// HubPrior, ResourcePrior and GuidedPrior multiply the prior of a
	// dossier or thème, of a form, model letter, simulator or online
	// service (unless the query asks for one), and of a recherche guidée
	// (prior.go; defaults 0.7, 0.6 and 0.7; 1: no demotion).
	HubPrior      float64
	ResourcePrior float64
	GuidedPrior   float64
	// NeighbourWeight is the most a candidate linked from the other strong
	// candidates gains, as a share of its score (prior.go; default 0.15;
	// negative: off).
	NeighbourWeight float64
	// ExactBoost rewards the share of the query's words found as typed
	// (folded, not only stemmed) among a document's names: score × (1 +
	// ExactBoost·share) (search.go; default 0.05; negative: off).
	ExactBoost float64
	// KeywordFocus scales the focus a keyword shared by several documents
	// gives, against 1 for a name (search.go; default 0.7; negative: 0).
	KeywordFocus float64
	// FacetTitleBoost and FacetContextBoost lift, for a query naming a
	// facet, the sheets naming it in their title, or only in a situation
	// or their breadcrumb (facets.go; defaults 0.2 and 0.08, for ×1.2 and
	// ×1.08; negative: off).
	FacetTitleBoost   float64
	FacetContextBoost float64
	// FacetDemote multiplies the score of sheets specific to a public the
	// query does not name; AudienceDemote that of sheets only for
	// professionals or associations when the query does not speak as one
	// (facets.go; defaults 0.75 and 0.85; 1: no demotion).
	FacetDemote    float64
	AudienceDemote float64
	// MentionBoost scales the lift of a sheet other sheets link to with
	// words of the query: score × (1 + MentionBoost·ln(1 + m)) (mentions.go;
	// default 0.2; negative: off).
	MentionBoost float64
	// PartialPhrase is the exponent of the share of a known phrase's words
	// a document holds, which scales its score when it holds only some
	// (query.go; default 1; negative: off, no scaling).
	PartialPhrase float64
	// MatchCap is the importance, about that many telling words, a long
	// question's Match is measured against (explain.go; default 3).
	MatchCap float64
	// ContextWeight scales the weight and importance of a word saying whom
	// the question is about ("ma fille") when the question names something
	// else (query.go; default 0.5; 1: not lowered).
	ContextWeight float64
	// CandidatePool is how many documents, the best by their words, are
	// ranked with every factor (proximity, focus, verbatim, mentions, the
	// neighbourhood bonus) and compared with each other for confidence
	// (search.go). Search returns at most that many hits, and the order
	// and confidences of the first ones do not depend on how many are
	// asked for (default 64: the bot's deepest request, 40 hits, and the
	// 24 candidates that request re-scored beyond them).
	CandidatePool int
}

// DefaultOptions returns the options New uses for a zero Options, every
// field spelled out: a starting point for varying one of them.
func DefaultOptions() Options {
	fields := fieldDefaults()
	weights := make(map[Field]float64, len(fields))
	for f, fp := range fields {
		weights[Field(f)] = fp.weight
	}
	return Options{
		Weights:           weights,
		K1:                2,
		SynonymWeight:     0.9,
		TreeBoost:         1,
		ProximityBoost:    0.35,
		MaxQueryBytes:     1000,
		MaxQueryTokens:    64,
		LinkWeight:        0.1,
		HubPrior:          0.7,
		ResourcePrior:     0.6,
		GuidedPrior:       0.7,
		NeighbourWeight:   0.15,
		ExactBoost:        0.05,
		KeywordFocus:      0.7,
		FacetTitleBoost:   0.2,
		FacetContextBoost: 0.08,
		FacetDemote:       0.75,
		AudienceDemote:    0.85,
		MentionBoost:      0.2,
		PartialPhrase:     1,
		MatchCap:          3,
		ContextWeight:     0.5,
		CandidatePool:     64,
	}
}

// params are Options resolved to concrete values: the index's own copy.
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

	linkWeight        float64
	hubPrior          float64
	resourcePrior     float64
	guidedPrior       float64
	neighbourWeight   float64
	exactBoost        float64
	keywordFocus      float64
	facetTitleBoost   float64
	facetContextBoost float64
	facetDemote       float64
	audienceDemote    float64
	mentionBoost      float64
	partialPhrase     float64
	matchCap          float64
	contextWeight     float64
	pool              int
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
	d := DefaultOptions()
	p := params{
		an:             o.Analyzer,
		fields:         fieldDefaults(),
		k1:             orDefault(o.K1, d.K1),
		typos:          !o.NoTypos,
		synonyms:       !o.NoSynonyms,
		synonymWeight:  orDefault(o.SynonymWeight, d.SynonymWeight),
		treeBoost:      orDefault(o.TreeBoost, d.TreeBoost),
		proximity:      orOff(o.ProximityBoost, d.ProximityBoost),
		maxQueryBytes:  o.MaxQueryBytes,
		maxQueryTokens: o.MaxQueryTokens,
		prior:          !o.NoPrior,
		lexicon:        o.Lexicon,
		facets:         !o.NoFacets,
		glossarySyn:    !o.NoGlossarySynonyms,
		mentions:       !o.NoMentions,

		linkWeight:        orOff(o.LinkWeight, d.LinkWeight),
		hubPrior:          orDefault(o.HubPrior, d.HubPrior),
		resourcePrior:     orDefault(o.ResourcePrior, d.ResourcePrior),
		guidedPrior:       orDefault(o.GuidedPrior, d.GuidedPrior),
		neighbourWeight:   orOff(o.NeighbourWeight, d.NeighbourWeight),
		exactBoost:        orOff(o.ExactBoost, d.ExactBoost),
		keywordFocus:      orOff(o.KeywordFocus, d.KeywordFocus),
		facetTitleBoost:   orOff(o.FacetTitleBoost, d.FacetTitleBoost),
		facetContextBoost: orOff(o.FacetContextBoost, d.FacetContextBoost),
		facetDemote:       orDefault(o.FacetDemote, d.FacetDemote),
		audienceDemote:    orDefault(o.AudienceDemote, d.AudienceDemote),
		mentionBoost:      orOff(o.MentionBoost, d.MentionBoost),
		partialPhrase:     orOff(o.PartialPhrase, d.PartialPhrase),
		matchCap:          orDefault(o.MatchCap, d.MatchCap),
		contextWeight:     orDefault(o.ContextWeight, d.ContextWeight),
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
	if p.maxQueryBytes <= 0 {
		p.maxQueryBytes = d.MaxQueryBytes
	}
	if p.maxQueryTokens <= 0 {
		p.maxQueryTokens = d.MaxQueryTokens
	}
	p.pool = o.CandidatePool
	if p.pool <= 0 {
		p.pool = d.CandidatePool
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

// orOff is orDefault for a parameter where zero means something (a boost
// off): a negative x gives 0.
func orOff(x, def float64) float64 {
	if x < 0 {
		return 0
	}
	return orDefault(x, def)
}
