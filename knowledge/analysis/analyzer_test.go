package analysis_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge/analysis"
)

func TestWords(t *testing.T) {
	var a analysis.Analyzer
	tests := []struct {
		in   string
		want string // words joined by spaces
	}{
		{"Carte d'identité perdue", "carte identite perdue"},
		{"carte d’identité", "carte identite"}, // typographic apostrophe
		{"l'APL", "apl"},
		{"qu'est-ce que le RSA ?", "rsa"},
		{"rsa c koi", "rsa"},
		{"g pa recu mes apl ce mois ci", "recu apl mois"}, // phonetic chat spellings
		{"je sui perdu psk jsp ok", "perdu"},
		{"PA", "pa"}, // shouted, an acronym
		{"c'est quoi la prime d'activité", "prime activite"},
		{"Je n'arrive plus à payer mon loyer", "arrive payer loyer"},
		{"jusqu'à 25 ans", "25 ans"},
		{"aide au logement pour étudiant", "aide logement etudiant"},
		{"vol de carte", "vol carte"},
		{"perdu", "perdu"},
		{"bonjour, merci svp", ""},
		{"alloc logement", "allocation logement"}, // shorthand
		{"licencié à tord", "licencie tort"},      // a misspelling that is a word
		{"rdv en mairie", "rendez mairie"},        // "vous" is a stop word, in the index too
		{"ŒUVRE Æther", "oeuvre aether"},
		{"😀 👍", ""},
		{"", ""},
		{"entretien-prealable", "entretien prealable"},
		{"How do I renew my passport", "renew passport"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := strings.Join(a.Words(tc.in), " "); got != tc.want {
				t.Errorf("Words(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestTermsMeet checks that forms a citizen uses interchangeably get the
// same terms.
func TestTermsMeet(t *testing.T) {
	var a analysis.Analyzer
	groups := [][]string{
		{"renouveler", "renouvellement", "renouvelle", "Renouvelé"},
		{"perdu", "perdue", "perdus", "perdues", "perte", "pertes"},
		{"étudiant", "étudiante", "etudiants", "ÉTUDIANTES"},
		{"identité", "identite", "identités"},
		{"allocation", "allocations", "alloc"},
		{"logement", "logements"},
		{"payer", "payé", "paye", "payes"},
		{"loyer", "loyers"},
		{"volée", "volé", "voler", "vol", "vols"},
		{"revenu", "revenus"},
		{"personnalisée", "personnalisé", "personnaliser"},
		{"demande", "demander", "demandes", "demandée"},
		{"handicapé", "handicapée", "handicap"},
		{"inscription", "inscrire", "inscrit"},
		{"sociaux", "social", "sociale"},
		{"chômage", "chomeur", "chômeuse"},
		{"vente", "vendre", "vends", "vendu", "vendue", "ventes"},
		{"achat", "acheter", "achète", "achats"},
		{"naissance", "naître", "née", "naissances"},
		{"héritage", "hériter", "héritier", "héritière"},
		{"location", "louer", "loué", "locations"},
		{"modification", "modifier", "modifié"},
		{"fermeture", "fermer", "fermé"},
		{"signature", "signer", "signé", "signée"},
		{"reconnaissance", "reconnaître", "reconnu", "reconnue"},
		{"licenciement", "licencié", "licenciée", "licenciés", "licencier"},
		{"neuf", "neuve", "neufs", "neuves"},
		{"pacs", "pacser", "pacsé", "pacsée", "pacsés"},
		{"veuf", "veuve", "veuves"},
		{"nouveau", "nouvelle", "nouvel", "nouvelles", "nouveaux"},
		{"deux", "2"},
	}
	for _, g := range groups {
		want := a.Terms(g[0])
		if len(want) != 1 {
			t.Fatalf("Terms(%q) = %q, want one term", g[0], want)
		}
		for _, w := range g[1:] {
			if got := a.Terms(w); !slices.Equal(got, want) {
				t.Errorf("Terms(%q) = %q, want %q (as %q)", w, got, want, g[0])
			}
		}
	}
}

// TestTermsApart checks words that must not be confused.
func TestTermsApart(t *testing.T) {
	var a analysis.Analyzer
	pairs := [][2]string{
		{"loyer", "loi"},
		{"pays", "payer"},
		{"viré", "virement"},
		{"virer", "virement"},
		{"virée", "virements"},
		{"vol", "volontaire"},
		{"carte", "cartable"},
		{"apl", "aple"},
		{"licencié", "licence"},
		{"licenciée", "licences"},
		{"3", "trois"}, // "bulletin 3" is the bulletin n°3
		{"mère", "mer"},
		{"généraliste", "générale"},
		{"réversion", "reverser"},
		{"intéressement", "intéressé"},
		{"dépendance", "dépend"},
		{"procuration", "procurer"},
		{"colonie", "colonne"},
		{"avertissement", "avertir"},
	}
	for _, p := range pairs {
		if x, y := a.Terms(p[0]), a.Terms(p[1]); slices.Equal(x, y) {
			t.Errorf("%q and %q both give %q", p[0], p[1], x)
		}
	}
}

func TestStemKeepsShortWordsAndOtherScripts(t *testing.T) {
	for _, w := range []string{"apl", "ars", "aah", "cni", "rsa", "25", "b3", "f1234", "москва", "日本"} {
		if got := analysis.Stem(w); got != w {
			t.Errorf("Stem(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestAnalyzePositions(t *testing.T) {
	var a analysis.Analyzer
	toks := a.Analyze("la carte d'identité de mon fils")
	var got []string
	for i, tk := range toks {
		if tk.Pos != i {
			t.Errorf("token %d has Pos %d", i, tk.Pos)
		}
		got = append(got, tk.Word+"/"+tk.Term)
	}
	if want := "carte/cart identite/identit fils/fil"; strings.Join(got, " ") != want {
		t.Errorf("Analyze = %q, want %q", got, want)
	}
}

func TestAnalyzerOverrides(t *testing.T) {
	a := analysis.Analyzer{StopWords: map[string]bool{"carte": true}, Abbreviations: map[string]string{}, NoStem: true}
	if got := strings.Join(a.Terms("la carte alloc perdue"), " "); got != "la alloc perdue" {
		t.Errorf("Terms with overrides = %q", got)
	}
	var nilA *analysis.Analyzer
	if got := strings.Join(nilA.Terms("la carte perdue"), " "); got != "cart perdu" {
		t.Errorf("nil Analyzer Terms = %q", got)
	}
}

func TestStopWordsKeepMeaning(t *testing.T) {
	for _, w := range []string{"perdu", "vol", "carte", "aide", "droit", "demande", "sans", "moins", "non", "premiere", "fois", "logement", "papiers", "ans"} {
		if analysis.IsStopWord(w) {
			t.Errorf("%q is a stop word", w)
		}
	}
	for _, w := range []string{"le", "de", "koi", "quoi", "comment", "faire", "je", "j", "est", "c", "mon", "pour", "bonjour"} {
		if !analysis.IsStopWord(w) {
			t.Errorf("%q is not a stop word", w)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"alocation", "allocation", 2, 1},
		{"passport", "passeport", 2, 1},
		{"etudian", "etudiant", 1, 1},
		{"pemris", "permis", 1, 1}, // transposition
		{"permis", "permis", 1, 0},
		{"logement", "lodgment", 2, 2},
		{"azerty", "allocation", 2, 3},
		{"", "abc", 3, 3},
		{"abc", "", 1, 2},
		{"été", "ete", 2, 2},
		{strings.Repeat("a", 60), strings.Repeat("a", 60), 2, 0},
		{strings.Repeat("a", 60), strings.Repeat("a", 59), 2, 3},
	}
	for _, tc := range tests {
		if got := analysis.Distance(tc.a, tc.b, tc.max); got != tc.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
}

// TestDistanceAgreesWithFullTable checks the banded, early-exit Distance
// against the whole dynamic programme on random words (ASCII and accented,
// close and far apart).
func TestDistanceAgreesWithFullTable(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	letters := []rune("abcdeéè")
	word := func() []rune {
		w := make([]rune, r.IntN(9))
		for i := range w {
			w[i] = letters[r.IntN(len(letters))]
		}
		return w
	}
	for range 20000 {
		a := word()
		b := append([]rune(nil), a...)
		for range r.IntN(4) { // a few edits, so close pairs are common
			if len(b) > 0 {
				b[r.IntN(len(b))] = letters[r.IntN(len(letters))]
			}
			if r.IntN(2) == 0 {
				b = append(b, letters[r.IntN(len(letters))])
			}
		}
		if r.IntN(4) == 0 {
			b = word()
		}
		full := fullOSA(a, b)
		for max := range 4 {
			want := min(full, max+1)
			if got := analysis.Distance(string(a), string(b), max); got != want {
				t.Fatalf("Distance(%q, %q, %d) = %d, want %d", string(a), string(b), max, got, want)
			}
		}
	}
}

// fullOSA is the textbook optimal string alignment distance.
func fullOSA(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func TestAnalyzerAblations(t *testing.T) {
	tests := []struct {
		a    analysis.Analyzer
		in   string
		want []string
	}{
		{analysis.Analyzer{}, "Carte d'Identité", []string{"carte", "identite"}},
		{analysis.Analyzer{NoFold: true}, "Carte d'Identité", []string{"Carte", "Identité"}},
		{analysis.Analyzer{NoElision: true}, "Carte d'Identité", []string{"carte", "didentite"}},
		{analysis.Analyzer{NoFold: true, NoElision: true}, "Carte d’Identité", []string{"Carte", "dIdentité"}},
	}
	for _, tc := range tests {
		if got := tc.a.Words(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%+v Words(%q) = %q, want %q", tc.a, tc.in, got, tc.want)
		}
	}
}

func TestCapitalsAreAcronyms(t *testing.T) {
	var a analysis.Analyzer
	for _, c := range []struct {
		in   string
		want string
	}{
		{"démission ARE", "demission are"},
		{"ARE", "are"},
		{"un AT", "at"},
		{"chèques vacances et CE", "cheques vacances ce"},
		{"what are you", ""},             // small letters: stop words
		{"C'EST QUOI L'ARE", "are"},      // shouted: only English stop words are acronyms
		{"JE VEUX MON PERMIS", "permis"}, // shouted French stop words stay stop words
		{"Les DROITS", "droits"},         // long capital words are words
		{"CET ?", "cet"},                 // a lone capital word is an acronym, shouted or not
		{"CE", "ce"},
		{"cet", ""},
		{"LE CET", ""}, // shouted, two words: "le cet" in capitals says nothing
	} {
		if got := strings.Join(a.Words(c.in), " "); got != c.want {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := (&analysis.Analyzer{NoAcronyms: true}).Words("démission ARE"); strings.Join(got, " ") != "demission" {
		t.Errorf("NoAcronyms: %q", got)
	}
}
