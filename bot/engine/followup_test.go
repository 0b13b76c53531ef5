package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/places"
	"github.com/boussole/boussole/knowledge/search"
)

// demoHarness runs the engine as a deployment does by default (people in
// France unless they say otherwise, towns read) on the embedded demo
// knowledge and the SQLite store at path ("": a new one). Opening it
// again on the same path is a restart.
func demoHarness(t testing.TB, path string) *harness {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "demo.db")
	}
	b, err := knowledge.Load(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	gaz, err := places.New(places.WordsFrom(cat.AllWords))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, path: path, now: fixedNow()}
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	h.engine, err = engine.New(ctx, engine.Config{Jurisdiction: "FR"}, engine.Deps{Store: st, Catalog: cat, Knowledge: b,
		Searcher: search.New(b, search.Options{}), Danger: mustDanger(t), Places: gaz, Now: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustNotContain(t testing.TB, rs []bot.Reply, subs ...string) {
	t.Helper()
	got := text(rs)
	for _, s := range subs {
		if strings.Contains(got, s) {
			t.Errorf("reply has %q:\n%s", s, got)
		}
	}
}

// The case: « rsa c koi » then « comment je fais la demande » is
// the RSA's how-to, not the retirement, the ID card or social housing;
// then its cost and where to go, each alone.
func TestFollowUpsAreAboutTheSheetUnderDiscussion(t *testing.T) {
	h := demoHarness(t, "")
	mustContain(t, h.say(alice, "rsa c koi"), "Revenu de solidarité active (RSA)")

	rs := h.say(alice, "comment je fais la demande")
	mustContain(t, rs, "À propos de « Revenu de solidarité active (RSA) »",
		"Où faire la démarche", "Simuler et demander le RSA (CAF)",
		"Les étapes — ", "1. Faites une simulation",
		"Source officielle : [service-public.fr](https://www.service-public.fr/particuliers/vosdroits/F19778)",
		"Cela répond-il à votre question ?", "Oui, merci")
	mustNotContain(t, rs, "Demander sa retraite", "carte d'identité", "logement social", "Coût", "Documents à prévoir")

	rs = h.say(alice, "et ça coûte combien ?")
	mustContain(t, rs, "À propos de « Revenu de solidarité active (RSA) »", "Coût : Gratuit")
	mustNotContain(t, rs, "Étapes", "Où faire la démarche")

	rs = h.say(alice, "c'est où ?")
	mustContain(t, rs, "Où faire la démarche", "Sur place : CAF, MSA, CCAS")
	mustNotContain(t, rs, "Étapes", "Coût")

	rs = h.say(alice, "il faut quels papiers ?")
	mustContain(t, rs, "Documents à prévoir", "Relevé d'identité bancaire (RIB)")

	rs = h.say(alice, "ça prend combien de temps ?")
	mustContain(t, rs, "Délai : En général 1 à 2 mois")
	mustNotContain(t, rs, "Coût")

	// Another person: no sheet more specific than the RSA.
	rs = h.say(alice, "et pour mon fils ?")
	mustContain(t, rs, "Je n'ai pas de fiche plus précise pour cette situation : « Revenu de solidarité active (RSA) »",
		"Parler à un médiateur")
	if c := h.conv(alice); c.Topic.Items[0] != "rsa" || c.Topic.Idle != 0 {
		t.Errorf("topic %+v, want the RSA, just used", c.Topic)
	}
}

// « merci mais je suis étudiant » after the APL: the student's sheet, the
// other choice of the tree question that gives the APL; « Retour » goes
// back to that question.
func TestAFollowUpTakesTheNeighbouringChoice(t *testing.T) {
	h := demoHarness(t, "")
	mustContain(t, h.say(alice, "apl"), "Aide au logement (APL, ALF, ALS)")
	rs := h.say(alice, "merci mais je suis étudiant")
	mustContain(t, rs, "Dans votre situation, voici ce qui s'applique", "Aide au logement pour les étudiants", "Retour")
	mustNotContain(t, rs, "Avec plaisir")
	mustContain(t, h.click(alice, payloadOf(t, rs, "Retour")), "Êtes-vous étudiant ?")

	// The same through the tree: the step is replaced, not added.
	h.say(alice, "recommencer")
	h.say(alice, "logement")
	h.say(alice, "Une aide pour payer le loyer (APL)")
	mustContain(t, h.say(alice, "non"), "Aide au logement (APL, ALF, ALS)")
	mustContain(t, h.say(alice, "mais en fait je suis étudiant"), "Aide au logement pour les étudiants")
	if p := h.conv(alice).Path; len(p) != 2 || p[1].Choice != "Oui, je suis étudiant" {
		t.Errorf("path %+v, want the tree's first question then « Oui, je suis étudiant »", p)
	}
}

// A situation the message names only with the topic: « et si on me l'a
// volée ? » after the lost ID card is the stolen one (searched alone, it
// could be any stolen paper); « je l'ai perdue » after the carte Vitale
// is the lost carte Vitale, the other sheet of the same tree answer.
func TestAFollowUpNamesASituationOfTheTopic(t *testing.T) {
	h := demoHarness(t, "")
	h.say(alice, "carte d'identité perdue")
	mustContain(t, h.say(alice, "et si on me l'a volée ?"), "Carte d'identité volée")

	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	mustContain(t, h.say(bob, "carte vitale"), "Demander sa carte Vitale")
	rs := h.say(bob, "je l'ai perdue")
	mustContain(t, rs, "Carte Vitale perdue, volée ou abîmée")
	mustNotContain(t, rs, "Permis de conduire")
}

// A clear new question starts over, and becomes the topic.
func TestANewQuestionStartsOver(t *testing.T) {
	h := demoHarness(t, "")
	h.say(alice, "rsa c koi")
	rs := h.say(alice, "j'ai perdu ma carte vitale")
	mustContain(t, rs, "Voici ce qui correspond le mieux", "Carte Vitale perdue, volée ou abîmée")
	mustNotContain(t, rs, "À propos de « Revenu")
	// « combien » picks the answer's « Combien ça coûte ? » part.
	rs = h.say(alice, "c'est combien ?")
	mustContain(t, rs, "Carte Vitale perdue, volée ou abîmée", "Coût : Gratuit")

	// A whole question with a follow-up word is still a new question.
	rs = h.say(alice, "comment renouveler mon passeport")
	mustContain(t, rs, "Passeport, première demande ou renouvellement", "Les étapes", "86 €")
	mustNotContain(t, rs, "À propos de")
}

// Sheets offered when the bot was not sure: a follow-up is about the
// first, and the others stay on offer.
func TestAFollowUpAfterAnOffer(t *testing.T) {
	h := demoHarness(t, "")
	mustContain(t, h.say(alice, "déclarer mes revenus"), "Je ne suis pas sûr", "Déclarer ses revenus (impôt sur le revenu)")
	rs := h.say(alice, "comment je fais")
	mustContain(t, rs, "À propos de « Déclarer ses revenus (impôt sur le revenu) »", "Les étapes", "Plutôt : ")
}

// The context is stored with the conversation: it survives a restart.
func TestTheTopicSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "restart.db")
	h := demoHarness(t, path)
	h.say(alice, "rsa c koi")
	if err := h.store.Close(); err != nil {
		t.Fatal(err)
	}
	h = demoHarness(t, path)
	mustContain(t, h.say(alice, "c'est où ?"), "À propos de « Revenu de solidarité active (RSA) »", "Sur place : CAF, MSA, CCAS")
}

// The context is bounded: « recommencer » drops it, and so do a few turns
// about something else.
func TestTheTopicIsBounded(t *testing.T) {
	h := demoHarness(t, "")
	h.say(alice, "rsa c koi")
	h.say(alice, "merci")
	mustContain(t, h.say(alice, "c'est où ?"), "Sur place : CAF, MSA, CCAS") // still about the RSA
	h.say(alice, "recommencer")
	mustNotContain(t, h.say(alice, "c'est où ?"), "RSA", "CAF")

	h.say(alice, "rsa c koi")
	for _, s := range []string{"merci", "bonjour", "aide", "ok"} {
		h.say(alice, s)
	}
	if c := h.conv(alice); !c.Topic.IsZero() {
		t.Fatalf("topic %+v after four turns about something else, want none", c.Topic)
	}
	mustNotContain(t, h.say(alice, "c'est où ?"), "RSA", "CAF")
}

// Existing flows come first: commands, the buttons after an answer, a
// tree's question, and danger, which also drops the topic.
func TestFollowUpsLeaveOtherFlowsAlone(t *testing.T) {
	h := demoHarness(t, "")
	h.say(alice, "rsa c koi")
	mustContain(t, h.say(alice, "oui"), "Avec plaisir")
	mustContain(t, h.say(alice, "merci"), "Avec plaisir")

	// In a tree, « combien ? » is a misunderstood answer to its question.
	h.say(alice, "logement")
	rs := h.say(alice, "combien ?")
	mustContain(t, rs, "Je n'ai pas compris votre choix", "De quoi avez-vous besoin pour votre logement ?")

	h.say(alice, "recommencer")
	h.say(alice, "rsa c koi")
	rs = h.say(alice, "je veux mourir, c'est où ?")
	mustContain(t, rs, "3114")
	mustNotContain(t, rs, "À propos de")
	if c := h.conv(alice); !c.Topic.IsZero() {
		t.Errorf("topic %+v after a danger answer, want none", c.Topic)
	}
}

// English: the parts are written with the English catalogue.
func TestFollowUpInEnglish(t *testing.T) {
	h := demoHarness(t, "")
	h.say(alice, "renouveler mon passeport")
	rs := h.say(alice, "how much is it")
	mustContain(t, rs, "Passport: first application or renewal", "Cost: 86 €")
}
