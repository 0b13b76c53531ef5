package answer_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/knowledge"
)

func newCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// A link counts as its label plus 23, whatever the length of its address;
// a bare address as 23.
func TestSize(t *testing.T) {
	long := "https://www.service-public.fr/particuliers/vosdroits/F1344?with=a&very=long&query=string"
	for _, tc := range []struct {
		text         string
		chars, links int
	}{
		{"abc", 3, 0},
		{"[ANTS](" + long + ")", 4 + 23, 1},
		{"voir " + long + " ici", 5 + 23 + 4, 1},
		{"é [a](https://a.fr/) et [b](https://b.fr/) " + long, 2 + 24 + 4 + 24 + 1 + 23, 3},
	} {
		chars, links := answer.Size(tc.text)
		if chars != tc.chars || links != tc.links {
			t.Errorf("Size(%q) = %d, %d; want %d, %d", tc.text, chars, links, tc.chars, tc.links)
		}
	}
}

// bigItem is an imported sheet at its worst: a long title, a summary of
// several long sentences, a dozen links, five offices, two sources.
func bigItem() *knowledge.Item {
	it := &knowledge.Item{
		ID:    "R1",
		Title: "Formulaire 15468*01 : Demande de paiement de la dotation jeune agriculteur (dernier acompte) relative aux activités équines avec élevage minoritaire, à l'aquaculture (marine, continentale, en eau douce) et à la saliculture",
		Summary: strings.Repeat("Le revenu de solidarité active assure aux personnes sans ressources un niveau minimum de revenu qui varie selon la composition du foyer. ", 4) +
			"Ce dossier ne détaille pas les règles spécifiques prévues pour Mayotte.",
		Where: knowledge.Where{
			Office: "Direction départementale en charge des territoires (DDT ou DDTM); Délégation à la mer et au littoral (ancienne direction des affaires maritimes); Direction interrégionale de la mer - Manche-Est Mer-du-Nord (DIRM); Direction interrégionale de la mer - Nord-Atlantique Manche-Ouest (DIRM); Direction interrégionale de la mer - Méditerranée (DIRM)",
			Phone:  "3939 (service gratuit + prix d'un appel), du lundi au vendredi de 8 h 30 à 18 h, sauf jours fériés",
		},
		Sources:     []string{"https://www.service-public.fr/particuliers/vosdroits/N19775", "https://www.caf.fr/"},
		Reviewed:    knowledge.Date{},
		Attribution: "Direction de l'information légale et administrative (DILA), service-public.fr — Licence Ouverte 2.0",
	}
	it.Reviewed, _ = knowledge.ParseDate("2020-04-28")
	for i := range 12 {
		it.Where.Online = append(it.Where.Online, knowledge.Link{
			Label: fmt.Sprintf("Compte rendu type pour un bilan ophtalmologique à joindre au certificat médical (volet %d) (formulaire cerfa n°15695*01)", i),
			URL:   fmt.Sprintf("https://www.formulaires.service-public.fr/gf/getAnnexe.do?cerfaAnnexe=15695-%d&cerfaFormulaire=15695", i),
		})
	}
	return it
}

// The first message of the biggest sheet fits a phone: its title, the
// start of its summary cut after a sentence, the main link only, the
// source with its date and the attribution the licence requires.
func TestShortFits(t *testing.T) {
	cat := newCatalog(t)
	it := bigItem()
	for _, lang := range []string{"fr", "fr-CA", "en"} {
		got := answer.NewWriter(cat, lang).Short(it)
		if !answer.Fits(got) {
			n, l := answer.Size(got)
			t.Errorf("%s: %d characters, %d links:\n%s", lang, n, l, got)
		}
		for _, want := range []string{"Formulaire 15468*01", "https://www.formulaires.service-public.fr/gf/getAnnexe.do?cerfaAnnexe=15695-0&", "[service-public.fr](https://www.service-public.fr/particuliers/vosdroits/N19775)", "Licence Ouverte 2.0", "Le revenu de solidarité active assure"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: no %q in\n%s", lang, want, got)
			}
		}
		if strings.Contains(got, "15695-1&") || strings.Contains(got, "caf.fr") {
			t.Errorf("%s: more than the main link and the first source:\n%s", lang, got)
		}
		if strings.Contains(got, "Mayotte") {
			t.Errorf("%s: the whole summary:\n%s", lang, got)
		}
	}
	fr := answer.NewWriter(cat, "fr").Short(it)
	if !strings.Contains(fr, "(vérifiée le 28/04/2020)") || !strings.Contains(fr, "composition du foyer.\n") {
		t.Errorf("French: the date, the summary cut after a sentence:\n%s", fr)
	}
	if en := answer.NewWriter(cat, "en").Short(it); !strings.HasPrefix(en, cat.T("en", "item_in_french")+"\n") {
		t.Errorf("an item without English is not said to be in French:\n%s", en)
	}
}

// A summary of one long sentence is cut at a word, never inside one; a
// link whose label repeats the title is named by what it does.
func TestShortCutsAtAWord(t *testing.T) {
	cat := newCatalog(t)
	it := &knowledge.Item{ID: "R2", Title: "Téléservice : Déclarer un chantier",
		Summary: strings.Repeat("permet de déclarer en ligne ", 30) + "fin",
		Where:   knowledge.Where{Online: []knowledge.Link{{Label: "Téléservice : Déclarer un chantier", URL: "https://example.gouv.fr/chantier"}}},
		Sources: []string{"https://www.service-public.fr/professionnels-entreprises/vosdroits/R2"}}
	got := answer.NewWriter(cat, "fr").Short(it)
	lines := strings.Split(got, "\n")
	if len(lines) < 2 || !strings.HasSuffix(lines[1], "en ligne…") && !strings.HasSuffix(lines[1], "déclarer…") && !strings.HasSuffix(lines[1], "permet…") {
		t.Errorf("summary not cut after a whole word:\n%s", got)
	}
	if !strings.Contains(got, "En ligne : [accéder au service](https://example.gouv.fr/chantier)") {
		t.Errorf("the link repeating the title:\n%s", got)
	}
	if !answer.Fits(got) {
		t.Errorf("does not fit:\n%s", got)
	}
}

// Only the parts an item has are offered, in order; a sheet with one
// link and one source has no « more links ».
func TestDetails(t *testing.T) {
	it := &knowledge.Item{Steps: []string{"a"}, Cost: "25 €", Where: knowledge.Where{Online: []knowledge.Link{{Label: "x", URL: "https://x.fr"}}}, Sources: []string{"https://s.fr"}}
	if got := answer.Details(it); !slices.Equal(got, []answer.Detail{answer.DetailSteps, answer.DetailCost}) {
		t.Errorf("Details = %v", got)
	}
	it = &knowledge.Item{Documents: []string{"a"}, Delay: "2 jours", Sources: []string{"https://s.fr", "https://t.fr"}}
	if got := answer.Details(it); !slices.Equal(got, []answer.Detail{answer.DetailDocuments, answer.DetailCost, answer.DetailLinks}) {
		t.Errorf("Details = %v", got)
	}
	w := answer.NewWriter(newCatalog(t), "fr")
	if got := w.DetailLabel(it, answer.DetailCost); got != "Combien de temps ?" {
		t.Errorf("a delay without a cost is offered as %q", got)
	}
	if got := answer.Details(bigItem()); !slices.Equal(got, []answer.Detail{answer.DetailLinks}) {
		t.Errorf("Details of an imported sheet = %v", got)
	}
}

// A long list of steps comes in pages that each fit a message, every
// step once, in order, each page saying how many are left.
func TestDetailPages(t *testing.T) {
	cat := newCatalog(t)
	it := &knowledge.Item{ID: "x", Title: "Carte grise", Sources: []string{"https://s.fr"}}
	for i := range 14 {
		it.Steps = append(it.Steps, fmt.Sprintf("Étape numéro %d : remplissez le formulaire en ligne, joignez les pièces justificatives et gardez le récépissé.", i+1))
	}
	w := answer.NewWriter(cat, "fr")
	var seen []string
	from, pages := 0, 0
	for {
		text, next := w.Detail(it, answer.DetailSteps, from)
		pages++
		if !answer.Fits(text) {
			t.Errorf("page from %d does not fit:\n%s", from, text)
		}
		if !strings.HasPrefix(text, "Les étapes — Carte grise :\n") {
			t.Errorf("page heading:\n%s", text)
		}
		for _, l := range strings.Split(text, "\n")[1:] {
			if strings.HasPrefix(l, "Étape") || !strings.Contains(l, ". Étape numéro") {
				continue
			}
			seen = append(seen, l)
		}
		if next == 0 {
			if strings.Contains(text, "de plus") {
				t.Errorf("the last page says more are left:\n%s", text)
			}
			break
		}
		if !strings.Contains(text, fmt.Sprintf("Et %d de plus : « La suite ».", len(it.Steps)-next)) {
			t.Errorf("page from %d does not say what is left:\n%s", from, text)
		}
		if next <= from || pages > len(it.Steps) {
			t.Fatalf("pages do not move on: %d → %d", from, next)
		}
		from = next
	}
	if pages < 2 || len(seen) != len(it.Steps) {
		t.Fatalf("%d pages, %d steps seen of %d", pages, len(seen), len(it.Steps))
	}
	for i, l := range seen {
		if !strings.HasPrefix(l, fmt.Sprintf("%d. Étape numéro %d ", i+1, i+1)) {
			t.Errorf("step %d: %q", i+1, l)
		}
	}
}

// The other links: all when they fit MaxLinks, else the first ones and
// the official page, which lists them all; never a list of ten.
func TestDetailLinks(t *testing.T) {
	cat := newCatalog(t)
	w := answer.NewWriter(cat, "fr")
	text, _ := w.Detail(bigItem(), answer.DetailLinks, 0)
	if _, links := answer.Size(text); links != answer.MaxLinks || !answer.Fits(text) {
		t.Errorf("%d links:\n%s", links, text)
	}
	if !strings.Contains(text, "Et 10 autres liens sur la page officielle : [service-public.fr](https://www.service-public.fr/particuliers/vosdroits/N19775)") ||
		!strings.Contains(text, "15695-1&") || !strings.Contains(text, "15695-2&") || strings.Contains(text, "15695-0&") {
		t.Errorf("links:\n%s", text)
	}
	it := &knowledge.Item{ID: "x", Title: "Carte d'identité perdue",
		Where:   knowledge.Where{Online: []knowledge.Link{{Label: "ANTS", URL: "https://ants.gouv.fr/"}, {Label: "Timbre", URL: "https://timbres.impots.gouv.fr/"}}},
		Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/F1344", "https://www.service-public.fr/particuliers/vosdroits/F33805"}}
	text, _ = w.Detail(it, answer.DetailLinks, 0)
	want := "Liens utiles — Carte d'identité perdue :\n• [Timbre](https://timbres.impots.gouv.fr/)\nAutre source officielle : [service-public.fr](https://www.service-public.fr/particuliers/vosdroits/F33805)"
	if text != want {
		t.Errorf("links:\n%s\nwant:\n%s", text, want)
	}
}

// Cost and delay come together; an entry too long for a message is cut at
// a sentence.
func TestDetailCost(t *testing.T) {
	cat := newCatalog(t)
	it := &knowledge.Item{ID: "x", Title: "Passeport", Cost: "86 € pour un adulte. " + strings.Repeat("Des frais peuvent s'ajouter selon les cas. ", 20), Delay: "Quelques semaines"}
	text, next := answer.NewWriter(cat, "fr").Detail(it, answer.DetailCost, 0)
	if next != 0 || !answer.Fits(text) || !strings.HasPrefix(text, "Coût et délai — Passeport :\nCoût : 86 € pour un adulte.") || !strings.HasSuffix(text, "\nDélai : Quelques semaines") {
		t.Errorf("cost:\n%s", text)
	}
	en, _ := answer.NewWriter(cat, "en").Detail(&knowledge.Item{Title: "APL", Steps: []string{"Faites une simulation."}}, answer.DetailSteps, 0)
	if en != "Steps (in French) — APL:\n1. Faites une simulation." {
		t.Errorf("English steps of a French sheet: %q", en)
	}
}

// A label holding brackets, an address holding parentheses or spaces
// still make one link.
func TestLinkEscapes(t *testing.T) {
	cat := newCatalog(t)
	it := &knowledge.Item{ID: "x", Title: "T", Summary: "S.",
		Where:   knowledge.Where{Online: []knowledge.Link{{Label: "Formulaire [cerfa]", URL: "https://x.fr/a (b).pdf"}}},
		Sources: []string{"https://s.fr/"}}
	got := answer.NewWriter(cat, "fr").Short(it)
	if !strings.Contains(got, "[Formulaire (cerfa)](https://x.fr/a%20%28b%29.pdf)") {
		t.Errorf("escaped link:\n%s", got)
	}
	if _, links := answer.Size(got); links != 2 {
		t.Errorf("%d links in\n%s", links, got)
	}
	if n := utf8.RuneCountInString(got); n == 0 {
		t.Error("empty")
	}
}
