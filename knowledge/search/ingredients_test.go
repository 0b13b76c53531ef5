package search_test

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/lexicon"
	"github.com/boussole/boussole/knowledge/search"
)

func sheet(id, title, typ string, related ...string) *knowledge.Item {
	return &knowledge.Item{ID: id, Kind: knowledge.KindProcedure, Title: title, SheetType: typ,
		Related: related, Sources: []string{"https://example.org/" + id}}
}

func first(t *testing.T, ix *search.Index, q string) knowledge.Hit {
	t.Helper()
	hits := hitsFor(t, ix, q, 3)
	if len(hits) == 0 {
		t.Fatalf("%q: no hits", q)
	}
	return hits[0]
}

// TestPrior: a form titled like a sheet ranks below the sheet unless the
// query asks for a form; a sheet linked from others beats an equal one.
func TestPrior(t *testing.T) {
	items := []*knowledge.Item{
		sheet("R1", "Demande de congé parental", "Formulaire"),
		sheet("F1", "Demande de congé parental", "Fiche d'information"),
		sheet("F2", "Prime de fin d'année", "Fiche d'information"),
		sheet("F3", "Prime de fin d'année", "Fiche d'information"),
		sheet("F4", "Autre sujet", "Fiche d'information", "F3"),
		sheet("F5", "Encore un sujet", "Fiche d'information", "F3"),
	}
	ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	if h := first(t, ix, "demande congé parental"); h.ID != "F1" {
		t.Errorf("question: first %s, want the sheet F1", h.ID)
	}
	if h := first(t, ix, "formulaire demande congé parental"); h.ID != "R1" {
		t.Errorf("asking for the form: first %s, want R1", h.ID)
	}
	if h := first(t, ix, "prime fin d'année"); h.ID != "F3" {
		t.Errorf("linked sheet: first %s, want F3", h.ID)
	}
	ix = search.New(knowledge.NewBase(items, nil, nil), search.Options{NoPrior: true})
	if h := first(t, ix, "demande congé parental"); h.ID != "R1" {
		t.Errorf("NoPrior: first %s, want R1 (index order on a tie)", h.ID)
	}
}

// TestFacets: a sheet specific to the civil service ranks below the
// general one unless the query names the civil service; a query naming a
// minor prefers the sheet whose title does.
func TestFacets(t *testing.T) {
	items := []*knowledge.Item{
		sheet("F1", "Congé parental dans la fonction publique", "Fiche d'information"),
		sheet("F2", "Congé parental d'éducation à temps plein", "Fiche d'information"),
		sheet("F3", "Passeport d'un majeur", "Fiche d'information"),
		sheet("F4", "Passeport d'un mineur", "Fiche d'information"),
		sheet("F5", "Inscription sur la liste électorale : en cas de déménagement", "Fiche d'information"),
		sheet("F6", "Listes électorales : nouvelle inscription", "Fiche d'information"),
		// More links to the moving case, as in the catalogue.
		sheet("F7", "Voter par procuration", "Fiche d'information", "F5"),
		sheet("F8", "Carte d'électeur", "Fiche d'information", "F5"),
	}
	ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	// Moving is a situation of its own: its sheets wait until it is named.
	if h := first(t, ix, "inscription liste electorale"); h.ID != "F6" {
		t.Errorf("no move named: first %s, want F6", h.ID)
	}
	if h := first(t, ix, "inscription liste electorale j'ai déménagé"); h.ID != "F5" {
		t.Errorf("moved: first %s, want F5", h.ID)
	}
	if h := first(t, ix, "congé parental"); h.ID != "F2" {
		t.Errorf("general question: first %s, want F2", h.ID)
	}
	if h := first(t, ix, "congé parental fonctionnaire"); h.ID != "F1" {
		t.Errorf("civil servant: first %s, want F1", h.ID)
	}
	if h := first(t, ix, "passeport pour mon bébé"); h.ID != "F4" {
		t.Errorf("minor: first %s, want F4", h.ID)
	}
	// Without facets, "bébé" says nothing and the tie goes to index order.
	ix = search.New(knowledge.NewBase(items, nil, nil), search.Options{NoFacets: true})
	if h := first(t, ix, "passeport pour mon bébé"); h.ID != "F3" {
		t.Errorf("NoFacets: first %s, want F3", h.ID)
	}
}

// TestLexicon: one-way expansions find the official words and say so in
// Why, but the official word does not expand to the slang; glossary
// abbreviations are synonyms.
func TestLexicon(t *testing.T) {
	items := []*knowledge.Item{
		sheet("F1", "Licenciement pour motif personnel", "Fiche d'information"),
		sheet("F2", "Virement bancaire", "Fiche d'information"),
		{ID: "F3", Title: "Contrat unique d'insertion", Sources: []string{"x"},
			Glossary: []knowledge.Term{{Term: "PEC", Expansion: "parcours emploi compétences"}}, Body: "parcours emploi compétences"},
		sheet("F4", "Parcours emploi compétences", "Fiche d'information"),
	}
	ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	h := first(t, ix, "je me suis fait virer")
	if h.ID != "F1" || !strings.Contains(strings.Join(h.Why, "|"), "licenciement") {
		t.Errorf("virer: first %s %q, want F1 through licenciement", h.ID, h.Why)
	}
	for _, h := range hitsFor(t, ix, "licenciement", 3) {
		if h.ID == "F2" {
			t.Errorf("licenciement expanded to virement: %q", h.Why)
		}
	}
	if hits := hitsFor(t, search.New(knowledge.NewBase(items, nil, nil), search.Options{NoLexicon: true}), "virer", 3); len(hits) != 0 && hits[0].ID == "F1" {
		t.Errorf("NoLexicon still expands: %q", hits[0].Why)
	}
	if hits := hitsFor(t, ix, "pec", 3); len(hits) == 0 || hits[0].ID != "F4" {
		t.Errorf("glossary abbreviation: %v", hits)
	}
	// A custom lexicon replaces the default.
	lex, err := lexicon.Parse([]byte("expand:\n  - from: [renvoyé]\n    to: [virement]\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix = search.New(knowledge.NewBase(items, nil, nil), search.Options{Lexicon: lex})
	if h := first(t, ix, "renvoyé"); h.ID != "F2" {
		t.Errorf("custom lexicon: first %s", h.ID)
	}
}

// TestMentions: the sheet other sheets link to with the query's words wins
// over a sheet naming them just as well, and Why says so; a mention that is
// only part of a longer query does not override the rest of it.
func TestMentions(t *testing.T) {
	items := []*knowledge.Item{
		sheet("F1", "Indemnité du CDI", "Fiche d'information"),
		sheet("F2", "Conclusion du CDI", "Fiche d'information"),
		sheet("F3", "Démission", "Fiche d'information"),
		sheet("F4", "Période d'essai", "Fiche d'information"),
		sheet("F5", "Préavis", "Fiche d'information"),
	}
	items[2].Mentions = []knowledge.Mention{{To: "F2", Text: "CDI"}, {To: "F3", Text: "démission"}}
	items[3].Mentions = []knowledge.Mention{{To: "F2", Text: "contrat à durée indéterminée (CDI)"}}
	items[4].Mentions = []knowledge.Mention{{To: "F2", Text: "CDI"}, {To: "F1", Text: "indemnité"}}
	base := knowledge.NewBase(items, nil, nil)
	ix := search.New(base, search.Options{})
	h := first(t, ix, "cdi")
	if h.ID != "F2" || !strings.Contains(strings.Join(h.Why, "|"), "lien: 2 renvoi") {
		t.Errorf("cdi: first %s %q, want F2 named so by two links", h.ID, h.Why)
	}
	if h := first(t, ix, "montant de l'indemnité du cdi"); h.ID != "F1" {
		t.Errorf("longer query: first %s, want F1", h.ID)
	}
	if h := first(t, search.New(base, search.Options{NoMentions: true}), "cdi"); h.ID != "F1" {
		t.Errorf("NoMentions: first %s, want F1 (index order on a tie)", h.ID)
	}
}

// TestTypoOverElision: a misspelt word that also reads as a glued elision
// ("naisance": "n'aisance") is taken as the likelier word, the one more
// sheets use; a real glued elision is still split.
func TestTypoOverElision(t *testing.T) {
	items := []*knowledge.Item{
		sheet("F1", "Déclaration de naissance", "Fiche d'information"),
		sheet("F2", "Congé de naissance", "Fiche d'information"),
		sheet("F3", "Aisance financière", "Fiche d'information"),
		sheet("F4", "Carte d'identité", "Fiche d'information"),
	}
	ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	h := first(t, ix, "declarer la naisance")
	if h.ID != "F1" || !strings.Contains(strings.Join(h.Why, "|"), "naisance → naissance") {
		t.Errorf("naisance: first %s %q, want F1 through the correction", h.ID, h.Why)
	}
	if h := first(t, ix, "carte didentite"); h.ID != "F4" {
		t.Errorf("didentite: first %s %q, want F4", h.ID, h.Why)
	}
}

// TestPartialPhrase: a document with only some words of a known phrase
// ("carte" of "carte grise") is not about that notion; it ranks below one
// holding the whole phrase, even in a weaker field.
func TestPartialPhrase(t *testing.T) {
	items := []*knowledge.Item{
		{ID: "F1", Title: "Carte de stationnement", Keywords: []string{"carte"}, Summary: "La carte de stationnement pour personnes handicapées.", Sources: []string{"x"}},
		{ID: "F2", Title: "Vendre son véhicule", Body: "Remettre la carte grise barrée à l'acheteur.", Sources: []string{"x"}},
	}
	base := knowledge.NewBase(items, nil, nil)
	if h := first(t, search.New(base, search.Options{}), "carte grise"); h.ID != "F2" {
		t.Errorf("carte grise: first %s %q, want F2", h.ID, h.Why)
	}
	if h := first(t, search.New(base, search.Options{PartialPhrase: -1}), "carte grise"); h.ID != "F1" {
		t.Errorf("without the partial-phrase rule: first %s, want F1 (the test shows nothing)", h.ID)
	}
}

// TestTypoOfKnownStem: a misspelling no sheet uses but whose stem is known
// ("assocation" stems like "associé") is also read as its correction.
func TestTypoOfKnownStem(t *testing.T) {
	items := []*knowledge.Item{
		sheet("F1", "Statut d'associé d'une société", "Fiche d'information"),
		sheet("F2", "Déclaration d'une association", "Fiche d'information"),
	}
	ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	h := first(t, ix, "declarer une assocation")
	if h.ID != "F2" || !strings.Contains(strings.Join(h.Why, "|"), "assocation → association") {
		t.Errorf("assocation: first %s %q, want F2 through the correction", h.ID, h.Why)
	}
}

// TestWhyNamesEachFactor: Why shows, with its value, each factor that
// moved a sheet once its words matched: its page type, how many sheets
// link to it, a facet the question names in its title, a public the
// question does not name, an audience of professionals, the other
// candidates linking to it; and not a factor that did not apply (a form
// asked for is not demoted).
func TestWhyNamesEachFactor(t *testing.T) {
	items := []*knowledge.Item{
		sheet("F1", "Congé parental d'éducation", "Fiche d'information"),
		sheet("F2", "Congé parental dans la fonction publique", "Fiche d'information", "F1"),
		sheet("N1", "Congé parental et autres congés", "Dossier", "F1", "F2"),
		sheet("R1", "Demande de congé parental", "Formulaire", "F1"),
		sheet("G1", "Congé parental : quelles démarches ?", "Recherche guidée", "F1"),
		sheet("F5", "Congé parental : obligations de l'employeur", "Fiche d'information", "F1"),
		sheet("F3", "Passeport d'un mineur", "Fiche d'information"),
		sheet("F4", "Passeport d'un majeur", "Fiche d'information"),
	}
	items[5].Audience = []string{"professionnel"}
	ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	why := func(q, id string) string {
		for _, h := range hitsFor(t, ix, q, 10) {
			if h.ID == id {
				return strings.Join(h.Why, " | ")
			}
		}
		t.Fatalf("%q: no hit %s", q, id)
		return ""
	}
	for _, tc := range []struct{ q, id, want string }{
		{"congé parental", "F1", "centralité: 5 fiche(s) y renvoient ×1.18"},
		{"congé parental", "F1", "voisinage: 5 renvoi(s) des autres candidats ×1.15"},
		{"congé parental", "N1", "type: dossier ×0.70"},
		{"congé parental", "R1", "type: formulaire, modèle ou service en ligne ×0.60"},
		{"congé parental", "G1", "type: recherche guidée ×0.70"},
		{"congé parental", "F2", "public: fonction publique, que la question ne nomme pas ×0.75"},
		{"congé parental", "F5", "public: professionnels ou associations ×0.85"},
		{"congé parental fonctionnaire", "F2", "précision: fonction publique (titre) ×1.20"},
		{"passeport pour mon bébé", "F3", "précision: mineur (titre) ×1.20"},
	} {
		if got := why(tc.q, tc.id); !strings.Contains(got, tc.want) {
			t.Errorf("%q, %s: why %q, want %q", tc.q, tc.id, got, tc.want)
		}
	}
	for _, tc := range []struct{ q, id, not string }{
		{"formulaire congé parental", "R1", "type:"},                           // asked for: not demoted
		{"congé parental fonctionnaire", "F2", "que la question ne nomme pas"}, // named
		{"congé parental entreprise", "F5", "professionnels"},                  // speaks as one
		{"passeport", "F4", "voisinage"},                                       // nothing links to it
	} {
		if got := why(tc.q, tc.id); strings.Contains(got, tc.not) {
			t.Errorf("%q, %s: why %q names %q", tc.q, tc.id, got, tc.not)
		}
	}
	// Without the prior, neither the page type nor the links count.
	ix = search.New(knowledge.NewBase(items, nil, nil), search.Options{NoPrior: true})
	for _, id := range []string{"F1", "N1", "R1"} {
		if got := why("congé parental", id); strings.Contains(got, "centralité") || strings.Contains(got, "type:") || strings.Contains(got, "voisinage") {
			t.Errorf("NoPrior, %s: why %q", id, got)
		}
	}
}
