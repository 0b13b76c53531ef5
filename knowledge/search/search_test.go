package search_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

// testBase is a small hand-made base: identity papers, benefits and
// housing, with near neighbours (lost vs stolen card, lost driving
// licence, a housing tree) so that ranking has something to decide.
func testBase() *knowledge.Base {
	src := []string{"https://www.service-public.fr/"}
	items := []*knowledge.Item{
		{ID: "cni-perte", Kind: knowledge.KindProcedure, Title: "Carte d'identité perdue",
			Summary:   "Que faire en cas de perte de votre carte nationale d'identité : déclaration de perte et nouvelle demande.",
			Keywords:  []string{"perte", "cni"},
			Steps:     []string{"Déclarez la perte en ligne ou en mairie.", "Faites une pré-demande en ligne."},
			Documents: []string{"Photo d'identité", "Justificatif de domicile", "Timbre fiscal de 25 €"},
			Where:     knowledge.Where{Office: "mairie"}, Sources: src},
		{ID: "cni-vol", Kind: knowledge.KindProcedure, Title: "Carte d'identité volée",
			Summary:  "En cas de vol, déclarez-le au commissariat ou à la gendarmerie, puis refaites votre carte.",
			Keywords: []string{"vol", "cni"},
			Where:    knowledge.Where{Office: "commissariat"}, Sources: src},
		{ID: "cni-demande", Kind: knowledge.KindProcedure, Title: "Carte d'identité : première demande ou renouvellement",
			Summary:   "Demander ou renouveler une carte d'identité en mairie, après une pré-demande en ligne.",
			Keywords:  []string{"renouveler", "première demande"},
			Documents: []string{"Photo d'identité", "Justificatif de domicile"},
			Where:     knowledge.Where{Office: "mairie"}, Sources: src},
		{ID: "passeport", Kind: knowledge.KindProcedure, Title: "Passeport : demande et renouvellement",
			Summary:  "Obtenir ou renouveler un passeport biométrique en mairie.",
			Keywords: []string{"passeport"}, Where: knowledge.Where{Office: "mairie"}, Sources: src},
		{ID: "permis-perte", Kind: knowledge.KindProcedure, Title: "Permis de conduire perdu ou volé",
			Summary:  "Déclarer la perte ou le vol du permis de conduire et demander un nouveau titre.",
			Keywords: []string{"permis", "perte", "vol"}, Sources: src},
		{ID: "apl", Kind: knowledge.KindProgram, Title: "Aides au logement (APL)",
			Summary:  "L'aide personnalisée au logement aide à payer le loyer, y compris pour les étudiants.",
			Keywords: []string{"loyer", "logement étudiant", "allocation logement"},
			Synonyms: []string{"APL", "aide personnalisée au logement"},
			Where:    knowledge.Where{Office: "CAF"}, Sources: src},
		{ID: "rsa", Kind: knowledge.KindProgram, Title: "Revenu de solidarité active (RSA)",
			Summary:  "Un revenu minimum pour les personnes sans ressources ou à faibles ressources, à partir de 25 ans.",
			Keywords: []string{"minima sociaux"}, Where: knowledge.Where{Office: "CAF"}, Sources: src},
		{ID: "prime-activite", Kind: knowledge.KindProgram, Title: "Prime d'activité",
			Summary:  "Complément de revenus pour les travailleurs aux revenus modestes, versé par la CAF.",
			Keywords: []string{"complément de revenus"}, Where: knowledge.Where{Office: "CAF"}, Sources: src},
		{ID: "cheque-energie", Kind: knowledge.KindProgram, Title: "Chèque énergie",
			Summary: "Aide pour payer les factures d'énergie (électricité, gaz) des ménages modestes.",
			Sources: src},
		{ID: "impayes-loyer", Kind: knowledge.KindProcedure, Title: "Loyers impayés : que faire ?",
			Summary:  "Si vous n'arrivez plus à payer votre loyer, contactez votre bailleur ; le fonds de solidarité pour le logement (FSL) peut aider.",
			Keywords: []string{"impayé", "dette de loyer", "expulsion"}, Sources: src},
	}
	trees := []*knowledge.Tree{
		{ID: "papiers-identite", Title: "Papiers d'identité",
			Triggers: []string{"carte d'identité", "cni", "passeport", "papiers perdus"}},
		{ID: "logement", Title: "Se loger", Triggers: []string{"logement", "trouver un logement", "hébergement"}},
	}
	synonyms := [][]string{
		{"cni", "carte nationale d'identité", "carte d'identité"},
		{"apl", "aide personnalisée au logement", "allocation logement"},
	}
	return knowledge.NewBase(items, trees, synonyms)
}

func TestSearchRanking(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	tests := []struct {
		query   string
		want    string   // id of the first hit
		why     []string // substrings each expected in one of its Why lines
		minConf float64
	}{
		{"cni perdu", "cni-perte", []string{"mot-clé: cni", "titre: perdu"}, 0.6},
		{"carte didentite perdue", "cni-perte", []string{"correction: didentite → identite"}, 0.6},
		{"carte d'identité perdue", "cni-perte", []string{"titre: carte, identite, perdue", "expression: carte identite"}, 0.8},
		{"CARTE D’IDENTITÉ PERDUE", "cni-perte", nil, 0.8},
		{"perte carte identite", "cni-perte", nil, 0.6},
		{"carte identite volee", "cni-vol", nil, 0.6},
		{"cni renouvellement", "cni-demande", []string{"synonyme: cni → carte identite"}, 0.5},
		{"renouveler ma carte d'identité", "cni-demande", nil, 0.5},
		{"paseport", "passeport", []string{"correction: paseport → passeport"}, 0.5},
		// English finds the French sheet through the English lexicon.
		{"passport", "passeport", []string{"synonyme: passport → passeport"}, 0.5},
		{"renouvellement passeport", "passeport", nil, 0.6},
		{"apl etudiant", "apl", []string{"apl"}, 0.5},
		{"l'APL", "apl", nil, 0.5},
		{"alocation logement", "apl", []string{"correction: alocation → allocation"}, 0.5},
		{"alocation logement etudian", "apl", nil, 0.5},
		{"aide personnalisee au logement", "apl", nil, 0.6},
		{"rsa c koi", "rsa", []string{"rsa"}, 0.6},
		{"revenu de solidarite active", "rsa", nil, 0.6},
		{"prime d'activité", "prime-activite", []string{"titre: prime, activite"}, 0.8},
		{"prime dactivite", "prime-activite", nil, 0.6},
		{"cheque energie", "cheque-energie", nil, 0.6},
		{"je n'arrive plus a payer mon loyer", "impayes-loyer", nil, 0.5},
		{"papiers d'identité", "papiers-identite", nil, 0.5},
		{"logement", "logement", []string{"titre: logement"}, 0.8}, // the tree named so, not the item mentioning it
		{"bonjour, cni perdu svp", "cni-perte", nil, 0.6},
		{"permis perdu", "permis-perte", nil, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			hits := hitsFor(t, ix, tc.query, 5)
			if len(hits) == 0 {
				t.Fatalf("no hits, want %s", tc.want)
			}
			if hits[0].ID != tc.want {
				t.Fatalf("first hit %s, want %s; hits:\n%s", hits[0].ID, tc.want, dump(hits))
			}
			for _, w := range tc.why {
				if !slices.ContainsFunc(hits[0].Why, func(s string) bool { return strings.Contains(s, w) }) {
					t.Errorf("Why %q lacks %q", hits[0].Why, w)
				}
			}
			if hits[0].Confidence < tc.minConf {
				t.Errorf("confidence %.2f < %.2f; hits:\n%s", hits[0].Confidence, tc.minConf, dump(hits))
			}
		})
	}
}

// TestSearchNotConfident checks that nonsense and off-topic questions get
// no confident hit at all, and ambiguous ones ("vol": an identity card or
// a driving licence?) no confident first hit, so the bot asks instead of
// guessing (a tree further down may be confident: it asks too).
func TestSearchNotConfident(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	for _, q := range []string{"azerty qsdf", "mon chat est malade", "xkcd wxcv poiu", "ordinateur portable"} {
		for _, h := range hitsFor(t, ix, q, 5) {
			if h.Confidence >= 0.5 {
				t.Errorf("%q: confident hit %s (%.2f) %q", q, h.ID, h.Confidence, h.Why)
			}
		}
	}
	for _, q := range []string{"vol", "perte", "carte"} {
		if hits := hitsFor(t, ix, q, 5); len(hits) > 0 && hits[0].Confidence >= 0.5 {
			t.Errorf("%q: confident first hit\n%s", q, dump(hits))
		}
	}
}

func TestSearchNoHits(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	for _, q := range []string{"", "   ", "\n\t", "😀😀🎉", "bonjour", "c'est quoi ?", "!!!", "le la les de", "Bonjour, merci !", "\x00\xff\xfe"} {
		if hits := hitsFor(t, ix, q, 5); len(hits) != 0 {
			t.Errorf("Search(%q) = %s, want nothing", q, dump(hits))
		}
	}
}

func TestSearchLimits(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	if hits := hitsFor(t, ix, "carte", 0); hits != nil {
		t.Errorf("k=0 gave %d hits", len(hits))
	}
	if hits := hitsFor(t, ix, "carte", -3); hits != nil {
		t.Errorf("k<0 gave %d hits", len(hits))
	}
	if hits := hitsFor(t, ix, "carte identite", 2); len(hits) != 2 {
		t.Errorf("k=2 gave %d hits", len(hits))
	}
	// Only the beginning of a huge message is analysed: the words at the
	// end do not count, and it stays fast.
	long := "cni perdu " + strings.Repeat("blabla ", 20000) + "passeport"
	hits := hitsFor(t, ix, long, 3)
	if len(hits) == 0 || hits[0].ID != "cni-perte" {
		t.Errorf("long query: %s", dump(hits))
	}
	for _, h := range hits {
		for _, w := range h.Why {
			if strings.Contains(w, "passeport") {
				t.Errorf("word past the query bound matched: %q", w)
			}
		}
	}
	var nilIx *search.Index
	if hitsFor(t, nilIx, "cni", 3) != nil {
		t.Error("nil index gave hits")
	}
	if empty := search.New(nil, search.Options{}); hitsFor(t, empty, "cni", 3) != nil || empty.Len() != 0 {
		t.Error("empty index gave hits")
	}
	// A cancelled search says so, as a remote one would, and gives
	// nothing.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if hits, err := ix.Search(ctx, "carte identite", 2); !errors.Is(err, context.Canceled) || hits != nil {
		t.Errorf("cancelled context: %d hits, error %v", len(hits), err)
	}
}

func TestSearchConfidenceOrder(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	conf := func(q string) float64 {
		hits := hitsFor(t, ix, q, 1)
		if len(hits) == 0 {
			return 0
		}
		return hits[0].Confidence
	}
	// A full, precise question is surer than a fragment of it.
	if a, b := conf("carte d'identité perdue"), conf("carte"); a <= b {
		t.Errorf("conf(full title)=%.2f <= conf(carte)=%.2f", a, b)
	}
	if a, b := conf("cni perdu"), conf("cni perdu hier soir au marche"); a < b {
		t.Errorf("unknown words raised confidence: %.2f < %.2f", a, b)
	}
}

func TestSearchOptions(t *testing.T) {
	b := testBase()
	if hits := hitsFor(t, search.New(b, search.Options{NoTypos: true}), "paseport", 3); len(hits) != 0 {
		t.Errorf("NoTypos still corrected: %s", dump(hits))
	}
	hits := hitsFor(t, search.New(b, search.Options{NoSynonyms: true}), "cni renouvellement", 3)
	for _, h := range hits {
		for _, w := range h.Why {
			if strings.HasPrefix(w, "synonyme:") {
				t.Errorf("NoSynonyms still expanded: %q", h.Why)
			}
		}
	}
	// Extra synonym groups (a glossary) are used.
	hits = hitsFor(t, search.New(b, search.Options{Synonyms: [][]string{{"ae", "allocation energie", "cheque energie"}}}), "ae", 3)
	if len(hits) == 0 || hits[0].ID != "cheque-energie" {
		t.Errorf("extra synonyms: %s", dump(hits))
	}
	// A tree boost makes the tree win a query it shares with items.
	hits = hitsFor(t, search.New(b, search.Options{TreeBoost: 5}), "passeport", 3)
	if len(hits) == 0 || hits[0].ID != "papiers-identite" || hits[0].Kind != knowledge.HitTree {
		t.Errorf("tree boost: %s", dump(hits))
	}
	// A field weight of zero leaves the field out.
	hits = hitsFor(t, search.New(b, search.Options{Weights: map[search.Field]float64{search.FieldSummary: 0}}), "bailleur", 3)
	if len(hits) != 0 {
		t.Errorf("summary weight 0 still matched: %s", dump(hits))
	}
}

func TestSearchTreeTriggers(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	hits := hitsFor(t, ix, "trouver un hebergement", 3)
	if len(hits) == 0 || hits[0].ID != "logement" || hits[0].Kind != knowledge.HitTree {
		t.Fatalf("got %s", dump(hits))
	}
	if !slices.ContainsFunc(hits[0].Why, func(s string) bool { return strings.HasPrefix(s, "déclencheur:") }) {
		t.Errorf("Why %q names no trigger", hits[0].Why)
	}
}

func TestSearchDuplicateAndNilEntries(t *testing.T) {
	items := []*knowledge.Item{
		{ID: "a", Title: "Chèque énergie"}, nil, {ID: "a", Title: "Passeport"},
	}
	b := &knowledge.Base{Items: items, Trees: []*knowledge.Tree{nil}, Synonyms: [][]string{nil, {}, {"x"}, {"", "  "}}}
	ix := search.New(b, search.Options{})
	if ix.Len() != 1 {
		t.Fatalf("Len = %d, want 1", ix.Len())
	}
	if hits := hitsFor(t, ix, "passeport", 3); len(hits) != 0 {
		t.Errorf("duplicate id indexed: %s", dump(hits))
	}
}

func TestSearchConcurrent(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	want := hitsFor(t, ix, "alocation logement etudian", 3)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				got, err := ix.Search(t.Context(), "alocation logement etudian", 3)
				if err != nil || len(got) != len(want) || got[0].ID != want[0].ID || got[0].Score != want[0].Score {
					t.Errorf("concurrent result differs: %s, %v", dump(got), err)
					return
				}
				if _, err := ix.Search(t.Context(), "cni perdu", 2); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// hitsFor searches with the test's context and fails the test on an
// error: an in-memory index has none unless the context ends.
func hitsFor(t testing.TB, ix *search.Index, q string, k int) []knowledge.Hit {
	t.Helper()
	hits, err := ix.Search(t.Context(), q, k)
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	return hits
}

func dump(hits []knowledge.Hit) string {
	var b strings.Builder
	for _, h := range hits {
		b.WriteString("  ")
		b.WriteString(string(h.Kind) + " " + h.ID)
		b.WriteString(" score=" + ftoa(h.Score) + " conf=" + ftoa(h.Confidence) + " ")
		b.WriteString(strings.Join(h.Why, " | "))
		b.WriteByte('\n')
	}
	return b.String()
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// Match is how well a hit matches on its own: never below its confidence
// (the competition lowers only the confidence), and two sheets matching
// the same words equally well both match well even though neither is a
// confident first.
func TestSearchMatchIsBeforeCompetition(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	for _, q := range []string{"carte", "carte d'identité perdue", "passeport", "cni perdu hier soir au marche", "logement"} {
		for _, h := range hitsFor(t, ix, q, 5) {
			if h.Match < h.Confidence || h.Match > 1 {
				t.Errorf("%q: %s match %.2f, confidence %.2f", q, h.ID, h.Match, h.Confidence)
			}
		}
	}
	hits := hitsFor(t, ix, "carte", 5)
	if len(hits) < 2 || hits[0].Confidence >= hits[0].Match {
		t.Fatalf("carte: want several hits, the first less confident than it matches:\n%s", dump(hits))
	}
}

// A long message telling a situation still matches its sheet well enough
// to be offered: it is measured against about three telling words, not
// every word of the story.
func TestSearchLongMessageStillMatches(t *testing.T) {
	ix := search.New(testBase(), search.Options{})
	short := hitsFor(t, ix, "carte d'identité perdue", 1)
	long := hitsFor(t, ix, "bonjour, j'ai perdu ma carte d'identité samedi au marché de la ville avec mon portefeuille, mes cartes bancaires et les clés de la voiture de mon frère", 3)
	if len(short) == 0 || len(long) == 0 || long[0].ID != "cni-perte" {
		t.Fatalf("short %v, long:\n%s", short, dump(long))
	}
	// 0.3: the bot offers hits matching that well (answer.DefaultPolicy).
	if long[0].Match < 0.4 {
		t.Errorf("long message match %.2f (short question %.2f), want ≥ 0.4", long[0].Match, short[0].Match)
	}
}

// A word that only stems like a title's acronym is not that acronym:
// "crêpes" is not the lead diagnostic "Crep", which "crep" still finds.
func TestSearchStemIsNotAnAcronym(t *testing.T) {
	b := knowledge.NewBase([]*knowledge.Item{
		{ID: "crep", Kind: knowledge.KindProcedure, Title: "Constat de risque d'exposition au plomb (Crep)", Summary: "Un diagnostic immobilier."},
		{ID: "apl", Kind: knowledge.KindProgram, Title: "Aides au logement (APL)", Summary: "Les APL aident à payer le loyer."},
	}, nil, nil)
	ix := search.New(b, search.Options{})
	if hits := hitsFor(t, ix, "recette des crêpes", 3); len(hits) > 0 && hits[0].ID == "crep" {
		t.Errorf("crêpes found the Crep:\n%s", dump(hits))
	}
	for _, q := range []string{"crep", "Crep plomb", "apl"} {
		if hits := hitsFor(t, ix, q, 1); len(hits) == 0 || hits[0].ID != strings.Fields(strings.ToLower(q))[0] {
			t.Errorf("%q: %s", q, dump(hits))
		}
	}
}

// TestSearchContextWordsSayWhomNotWhat: "ma fille" says whom the question
// is about. It must not outweigh what is asked (a passport) even though
// passports are named by many more sheets than daughters are; alone, it is
// still searched ("nom de jeune fille").
func TestSearchContextWordsSayWhomNotWhat(t *testing.T) {
	items := []*knowledge.Item{
		{ID: "nom", Kind: knowledge.KindProcedure, Title: "Garder son nom de jeune fille", Summary: "Le nom d'usage après le mariage."},
		{ID: "passeport", Kind: knowledge.KindProcedure, Title: "Passeport : première demande", Summary: "Faire établir un passeport."},
	}
	for i := range 20 { // passports are named by many sheets, daughters by one
		it := &knowledge.Item{ID: fmt.Sprintf("autre%d", i), Kind: knowledge.KindProcedure,
			Title: fmt.Sprintf("Démarche numéro %d", i), Summary: "Une démarche en mairie."}
		if i < 3 {
			it.Summary = "Présenter son passeport ou sa carte d'identité."
		}
		items = append(items, it)
	}
	ix := search.New(knowledge.NewBase(items, nil, nil), search.Options{})
	if hits := hitsFor(t, ix, "ma fille veut faire un passeport", 3); len(hits) == 0 || hits[0].ID != "passeport" {
		t.Errorf("ma fille veut faire un passeport:\n%s", dump(hits))
	}
	if hits := hitsFor(t, ix, "nom de jeune fille", 1); len(hits) == 0 || hits[0].ID != "nom" {
		t.Errorf("nom de jeune fille:\n%s", dump(hits))
	}
	// Without the lexicon's context words the daughter wins.
	bare := search.New(knowledge.NewBase(items, nil, nil), search.Options{NoLexicon: true})
	if hits := hitsFor(t, bare, "ma fille veut faire un passeport", 3); len(hits) == 0 || hits[0].ID != "nom" {
		t.Errorf("without context words, want the maiden name first (else this test measures nothing):\n%s", dump(hits))
	}
}
