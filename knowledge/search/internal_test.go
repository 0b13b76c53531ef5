package search

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
)

// TestExplainMatchesAccumulate checks that the per-document path used for
// Why and Confidence (matchUnit) computes the same scores and qualities as
// the term-at-a-time path used for ranking (accumulate), for every
// document, so explanations never describe a different match.
func TestExplainMatchesAccumulate(t *testing.T) {
	items := []*knowledge.Item{
		{ID: "cni-perte", Title: "Carte d'identité perdue", Summary: "Perte de la carte nationale d'identité.", Keywords: []string{"perte", "cni"}},
		{ID: "cni-demande", Title: "Carte d'identité : demande", Steps: []string{"Pré-demande en ligne", "Rendez-vous en mairie"}},
		{ID: "vitale", Title: "Carte Vitale perdue", Steps: []string{"Munissez-vous d'une pièce d'identité."}},
		{ID: "apl", Title: "Aides au logement (APL)", Synonyms: []string{"APL", "aide personnalisée au logement"}, Body: "loyer logement étudiant allocation"},
		{ID: "loyer", Title: "Loyer impayé", Summary: "Vous n'arrivez plus à payer votre loyer.", Documents: []string{"bail"}},
	}
	trees := []*knowledge.Tree{{ID: "papiers", Title: "Papiers d'identité", Triggers: []string{"cni", "carte d'identité", "papiers perdus"}}}
	syn := [][]string{{"cni", "carte nationale d'identité", "carte d'identité"}, {"apl", "allocation logement"}}
	ix := New(knowledge.NewBase(items, trees, syn), Options{})
	for _, text := range []string{
		"cni perdu", "carte didentite perdue", "carte nationale d'identite", "alocation logement etudian",
		"apl", "payer loyer", "carte", "renouv carte", "papiers perdus identite", "azerty",
	} {
		sc := ix.scratch.Get().(*scratch)
		q := ix.parse(text, sc)
		ix.accumulate(&q, sc)
		for d := range uint32(len(ix.docs)) {
			var score, qual float32
			for i := range q.units {
				m := ix.matchUnit(&q.units[i], d)
				score += m.score
				qual += q.units[i].importance * m.quality
			}
			if !near(score, sc.total.s[d]) || !near(qual, sc.total.q[d]) {
				t.Errorf("%q, %s: explained score %v quality %v, accumulated %v %v",
					text, ix.docs[d].id, score, qual, sc.total.s[d], sc.total.q[d])
			}
		}
		sc.total.reset()
		ix.scratch.Put(sc)
	}
}

// searchHits searches with the test's context and fails the test on an
// error.
func searchHits(t testing.TB, ix *Index, q string, k int) []knowledge.Hit {
	t.Helper()
	hits, err := ix.Search(t.Context(), q, k)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	return hits
}

func near(a, b float32) bool {
	return math.Abs(float64(a-b)) <= 1e-4*math.Max(1, math.Abs(float64(b)))
}

func TestTitleAcronyms(t *testing.T) {
	tests := []struct{ in, name, acr string }{
		{"Revenu de solidarité active (RSA)", "Revenu de solidarité active", "RSA"},
		{"Aide au logement (APL, ALF, ALS)", "Aide au logement", "APL ALF ALS"},
		{"Allocation (Aspa, minimum vieillesse)", "", ""},
		{"Chèque énergie", "", ""},
		{"(RSA)", "", ""},
		{"Titre ()", "", ""},
		{"Allocation aux adultes handicapés (AAH)", "Allocation aux adultes handicapés", "AAH"},
	}
	for _, tc := range tests {
		name, acr := titleAcronyms(tc.in)
		if name != tc.name || strings.Join(acr, " ") != tc.acr {
			t.Errorf("titleAcronyms(%q) = %q, %q", tc.in, name, acr)
		}
	}
}

func TestCloseness(t *testing.T) {
	tests := []struct {
		a, b    []uint32
		v       float32
		ordered bool
	}{
		{[]uint32{0}, []uint32{1}, 1, true},
		{[]uint32{1}, []uint32{0}, 0.5, false},
		{[]uint32{0}, []uint32{2}, 0.5, false},
		{[]uint32{0}, []uint32{3}, 0, false},
		{[]uint32{0, 10}, []uint32{5, 11}, 1, true},
		{nil, []uint32{1}, 0, false},
	}
	for _, tc := range tests {
		if v, o := closeness(tc.a, tc.b); v != tc.v || o != tc.ordered {
			t.Errorf("closeness(%v, %v) = %v, %v", tc.a, tc.b, v, o)
		}
	}
}

// TestScratchLeftClean checks that a search leaves its pooled buffers as it
// found them: a leftover score would leak into the next query.
func TestScratchLeftClean(t *testing.T) {
	items := []*knowledge.Item{
		{ID: "a", Title: "Carte d'identité perdue", Keywords: []string{"cni"}},
		{ID: "b", Title: "Allocation logement", Body: "aide au logement étudiant"},
	}
	ix := New(knowledge.NewBase(items, nil, [][]string{{"cni", "carte d'identité"}}), Options{})
	for _, q := range []string{"cni perdu", "alocation logemnt", "carte didentite", "azerty", "renouv", ""} {
		searchHits(t, ix, q, 3)
	}
	sc := ix.scratch.Get().(*scratch)
	for name, a := range map[string]*accum{"slot": &sc.slot, "alt": &sc.alt, "unit": &sc.unit, "total": &sc.total} {
		if len(a.list) != 0 {
			t.Errorf("%s: %d documents still listed", name, len(a.list))
		}
		for d := range a.s {
			if a.s[d] != 0 || a.q[d] != 0 || a.in[d] || (a.n != nil && (a.n[d] != 0 || a.minS[d] != 0 || a.minQ[d] != 0)) {
				t.Errorf("%s: document %d not reset", name, d)
			}
		}
	}
	for i, c := range sc.counts {
		if c != 0 {
			t.Errorf("trigram count of word %d not reset", i)
		}
	}
}

// TestOptionsSanitised checks that nonsensical options fall back to
// defaults instead of producing NaN scores.
func TestOptionsSanitised(t *testing.T) {
	items := []*knowledge.Item{{ID: "a", Title: "Carte d'identité perdue"}, {ID: "b", Title: "Passeport"}}
	b := knowledge.NewBase(items, nil, nil)
	for _, o := range []Options{
		{K1: math.NaN(), SynonymWeight: math.Inf(1), TreeBoost: -1, ProximityBoost: math.NaN()},
		{LinkWeight: math.Inf(1), HubPrior: math.NaN(), ResourcePrior: -1, GuidedPrior: math.Inf(-1),
			NeighbourWeight: math.NaN(), ExactBoost: math.Inf(1), KeywordFocus: math.NaN(),
			FacetTitleBoost: math.Inf(1), FacetContextBoost: math.NaN(), FacetDemote: -2, AudienceDemote: math.Inf(1),
			MentionBoost: math.NaN(), PartialPhrase: math.Inf(1), MatchCap: math.NaN(), ContextWeight: math.Inf(1),
			CandidatePool: -3},
		{Weights: map[Field]float64{FieldTitle: math.Inf(1), FieldBody: math.NaN(), Field(200): 3}},
		{Weights: map[Field]float64{FieldTitle: 0, FieldSynonyms: 0, FieldKeywords: 0, FieldTriggers: 0, FieldSummary: 0,
			FieldSteps: 0, FieldDocuments: 0, FieldDetails: 0, FieldBody: 0}},
	} {
		for _, h := range searchHits(t, New(b, o), "carte identite perdue", 3) {
			if math.IsNaN(h.Score) || math.IsNaN(h.Confidence) || h.Confidence < 0 || h.Confidence > 1 {
				t.Errorf("options %+v: hit %+v", o, h)
			}
		}
	}
}

// TestDefaultOptions checks that DefaultOptions spells out what a zero
// Options means, every numeric field included, so that a sweep starting
// from it varies one parameter only.
func TestDefaultOptions(t *testing.T) {
	d := DefaultOptions()
	v := reflect.ValueOf(d)
	for i := range v.NumField() {
		f := v.Field(i)
		if (f.Kind() == reflect.Float64 || f.Kind() == reflect.Int) && f.IsZero() {
			t.Errorf("DefaultOptions leaves %s at zero", v.Type().Field(i).Name)
		}
	}
	if len(d.Weights) != int(numFields) {
		t.Errorf("DefaultOptions has %d field weights, want %d", len(d.Weights), numFields)
	}
	if got, want := resolve(d), resolve(Options{}); !reflect.DeepEqual(got, want) {
		t.Errorf("resolve(DefaultOptions()) = %+v\nresolve(Options{}) = %+v", got, want)
	}
}

// TestOptionsCopied checks that an index keeps its own copy of its
// options: changing them after New changes nothing.
func TestOptionsCopied(t *testing.T) {
	items := []*knowledge.Item{
		{ID: "a", Title: "Carte d'identité perdue"},
		{ID: "b", Title: "Passeport", Body: "carte identité perdue"},
	}
	o := DefaultOptions()
	ix := New(knowledge.NewBase(items, nil, nil), o)
	before := searchHits(t, ix, "carte identite perdue", 2)
	o.Weights[FieldTitle], o.Weights[FieldBody] = 0, 5
	o.ExactBoost = 3
	if after := searchHits(t, ix, "carte identite perdue", 2); !reflect.DeepEqual(before, after) {
		t.Errorf("options changed after New changed the hits: %v, then %v", before, after)
	}
}

// TestFactorsMakeTheScore checks that the factors Why shows are the ones
// the ranking applied: for every candidate of the pool, the score its
// words give times every factor listed is its score. Each kind of factor
// is met with a value other than 1, so none is left unchecked.
func TestFactorsMakeTheScore(t *testing.T) {
	sheet := func(id, title, typ string, related ...string) *knowledge.Item {
		return &knowledge.Item{ID: id, Title: title, SheetType: typ, Related: related, Sources: []string{"x"}}
	}
	items := []*knowledge.Item{
		sheet("F1", "Congé parental d'éducation", "Fiche d'information"),
		sheet("F2", "Congé parental dans la fonction publique", "Fiche d'information", "F1"),
		sheet("N1", "Congés du salarié", "Dossier", "F1", "F2"),
		sheet("R1", "Demande de congé parental", "Formulaire", "F1"),
		sheet("G1", "Congé parental : quelles démarches ?", "Recherche guidée", "F1"),
		sheet("F3", "Passeport d'un mineur", "Fiche d'information"),
		sheet("F4", "Passeport d'un majeur", "Fiche d'information", "F3"),
		sheet("F5", "Congé parental : obligations de l'employeur", "Fiche d'information", "F1"),
		sheet("F6", "Passeport : pièces à fournir", "Fiche d'information"),
	}
	items[8].Situations = []string{"Pour un mineur"}
	items[4].Mentions = []knowledge.Mention{{To: "F1", Text: "congé parental"}}
	items[7].Audience = []string{"professionnel"}
	trees := []*knowledge.Tree{{ID: "t", Title: "Congés", Triggers: []string{"congé parental"}}}
	ix := New(knowledge.NewBase(items, trees, nil), Options{TreeBoost: 1.3})
	met := map[factorKind]bool{}
	for _, text := range []string{
		"congé parental", "formulaire congé parental", "congé parental fonctionnaire",
		"passeport pour mon bébé", "passeport", "demarches conge parental employeur",
	} {
		sc := ix.scratch.Get().(*scratch)
		q, cands := ix.rank(text, sc)
		if len(cands) == 0 {
			t.Errorf("%q: no candidates", text)
		}
		for _, c := range cands {
			want := wordScore(c)
			ix.scoreFactors(&q, c, func(f factor) {
				want *= f.f
				if f.f != 1 {
					met[f.kind] = true
				}
			})
			if !near(want, c.score) {
				t.Errorf("%q, %s: words × factors = %v, score %v", text, ix.docs[c.doc].id, want, c.score)
			}
		}
		ix.scratch.Put(sc)
	}
	for k := factorTree; k <= factorNeighbours; k++ {
		if !met[k] {
			t.Errorf("factor %q never met: the test does not check it", ix.label(factor{kind: k}))
		}
	}
}
