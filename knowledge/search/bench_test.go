package search_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

// adminWords are common words of French administrative sheets, so the
// synthetic base has a realistic mix of frequent and rare terms.
var adminWords = strings.Fields(`carte identité passeport permis conduire perte vol
renouvellement demande première mairie préfecture titre séjour logement aide
personnalisée allocation familiale revenu solidarité active prime activité
chèque énergie loyer impayé expulsion bailleur locataire propriétaire étudiant
bourse scolarité rentrée enfant naissance mariage divorce décès succession
retraite pension invalidité handicap adulte compensation chômage emploi
inscription travail salarié employeur contrat licenciement démission rupture
conventionnelle congé maternité paternité parental maladie arrêt indemnités
journalières sécurité sociale assurance complémentaire santé solidaire médecin
traitant remboursement vitale impôt revenu déclaration taxe habitation foncière
prélèvement source avis imposition véhicule immatriculation certificat cession
contrôle technique amende stationnement infraction points justificatif domicile
photo timbre fiscal acte état civil extrait copie intégrale livret famille
nationalité naturalisation visa long séjour étranger asile regroupement
casier judiciaire bulletin tribunal avocat aide juridictionnelle médiation
surendettement dossier commission banque compte crédit dette huissier
association statuts déclaration préfecture subvention bénévole entreprise
création micro entrepreneur urssaf cotisations facture tva comptabilité
électricité gaz eau internet téléphone transport abonnement train bus aide
mobilité jeune apprentissage formation diplôme examen université lycée collège
école cantine périscolaire crèche assistante maternelle garde vacances caf
msa cpam ants france services travail pôle numérique accompagnement démarche
ligne formulaire rendez-vous délai coût gratuit payant pièces fournir conditions
ressources plafond montant versement calcul simulateur droits obligations`)

// syntheticBase builds n items with titles, summaries, keywords, steps,
// documents and bodies drawn from adminWords and generated words, with a
// skewed (Zipf-like) frequency, plus a few trees and synonym groups.
func syntheticBase(n int) *knowledge.Base {
	r := rand.New(rand.NewPCG(1, 2))
	syll := strings.Fields("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge la le li lo lu ma me mi mo mu na ne ni no pa pe pi po ra re ri ro ru sa se si so ta te ti to va ve vi vo tion ment eur ance age ite")
	vocab := append([]string(nil), adminWords...)
	for len(vocab) < 6000 {
		w := ""
		for range 2 + r.IntN(3) {
			w += syll[r.IntN(len(syll))]
		}
		vocab = append(vocab, w)
	}
	word := func() string {
		x := r.Float64()
		return vocab[int(x*x*x*float64(len(vocab)))]
	}
	text := func(min, max int) string {
		ws := make([]string, min+r.IntN(max-min+1))
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ")
	}
	list := func(n, min, max int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = text(min, max)
		}
		return out
	}
	items := make([]*knowledge.Item, n)
	for i := range items {
		items[i] = &knowledge.Item{
			ID: fmt.Sprintf("F%d", i), Kind: knowledge.KindProcedure,
			Title: text(3, 7), Summary: text(12, 30),
			Keywords: list(2+r.IntN(4), 1, 2), Synonyms: list(r.IntN(2), 1, 3),
			Steps: list(2+r.IntN(4), 6, 14), Documents: list(r.IntN(4), 2, 4),
			Where: knowledge.Where{Office: word()}, Body: text(80, 400),
			Sources: []string{"https://example.org"},
		}
	}
	trees := make([]*knowledge.Tree, 20)
	for i := range trees {
		trees[i] = &knowledge.Tree{ID: fmt.Sprintf("t%d", i), Title: text(2, 4), Triggers: list(4, 1, 3)}
	}
	return knowledge.NewBase(items, trees, [][]string{
		{"cni", "carte nationale d'identité"},
		{"apl", "aide personnalisée au logement"},
		{"rsa", "revenu de solidarité active"},
	})
}

var benchQueries = []string{
	"cni perdu", "carte d'identité perdue", "apl etudiant", "alocation logement etudian",
	"rsa c koi", "passport", "je n'arrive plus a payer mon loyer", "renouvellement titre de sejour",
	"declaration impot revenu", "arret maladie indemnites journalieres", "inscription pole emploi",
	"prime d'activite", "azerty qsdf", "surendetement dossier banque", "aide juridictionelle avocat",
}

func BenchmarkBuild(b *testing.B) {
	base := syntheticBase(2000)
	b.ReportAllocs()
	for b.Loop() {
		search.New(base, search.Options{})
	}
}

func BenchmarkSearch(b *testing.B) {
	ix := search.New(syntheticBase(2000), search.Options{})
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, benchQueries[i%len(benchQueries)], 5); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearchDeep asks 40 hits, as the bot does when it knows the
// person's jurisdiction: every hit is explained.
func BenchmarkSearchDeep(b *testing.B) {
	ix := search.New(syntheticBase(2000), search.Options{})
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, benchQueries[i%len(benchQueries)], 40); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkSearchParallel(b *testing.B) {
	ix := search.New(syntheticBase(2000), search.Options{})
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := ix.Search(ctx, benchQueries[i%len(benchQueries)], 5); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// TestSyntheticBase checks the benchmark base is searchable, so the
// benchmarks measure real work.
func TestSyntheticBase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 2,000 items")
	}
	ix := search.New(syntheticBase(2000), search.Options{})
	if ix.Len() != 2020 {
		t.Fatalf("Len = %d", ix.Len())
	}
	for _, q := range benchQueries[:4] {
		if len(hitsFor(t, ix, q, 5)) == 0 {
			t.Errorf("%q: no hits", q)
		}
	}
}
