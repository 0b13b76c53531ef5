package engine_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/hours"
	"github.com/boussole/boussole/knowledge"
)

// housingTree escalates to the logement queue and gives the apl sheet.
const housingTree = `
id: logement
title: Logement
triggers: [logement]
start: besoin
nodes:
  besoin:
    ask: De quoi avez-vous besoin ?
    choices:
      - {label: Payer le loyer, answer: apl}
      - {label: Autre, escalate: logement}
`

// housingDesk is a desk whose knowledge has the papiers and the logement
// trees.
func housingDesk(t *testing.T) *desk {
	d := newDesk(t, nil)
	papiers, housing := fixture(t, treeYAML), fixture(t, housingTree)
	d.base = knowledge.NewBase(papiers.Items, append(papiers.Trees, housing.Trees...), papiers.Synonyms)
	d.reopen()
	return d
}

// openCaseAfter says each of steps as the citizen, then « humain », and
// agrees to share; it returns the case opened.
func openCaseAfter(t *testing.T, d *desk, steps ...string) (bot.Case, []bot.Reply) {
	t.Helper()
	for _, s := range steps {
		d.say(citizen, s)
	}
	rs := d.say(citizen, "humain")
	rs = d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	cs, err := d.st.Cases(context.Background(), "", bot.CaseOpen)
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases = %+v, %v", cs, err)
	}
	return cs[0], rs
}

// A case opened inside a tree, after its answer, after a sheet found by
// free text, or after offers that all belong to one topic, has that topic
// and goes to its queue; a case with no topic is a general request in the
// default queue.
func TestCaseTopicAndQueue(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string
		queue string
		topic string
		to    bot.Address
	}{
		{"inside the tree", []string{"logement"}, "logement", "Logement", logeCh},
		{"after the tree's answer", []string{"logement", "1"}, "logement", "Logement", logeCh},
		{"after a sheet found by free text", []string{"aides au logement apl"}, "logement", "Logement", logeCh},
		{"after the other tree", []string{"papiers", "2"}, "papiers", "Papiers d'identité", queueCh},
		{"no topic", []string{"bonjour"}, "default", "Demande générale", queueCh},
		{"after « autre question »", []string{"aides au logement apl", "autre question"}, "default", "Demande générale", queueCh},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := housingDesk(t)
			c, rs := openCaseAfter(t, d, tc.steps...)
			if c.Queue != tc.queue || c.Summary.Topic != tc.topic {
				t.Fatalf("case in queue %q about %q, want %q about %q", c.Queue, c.Summary.Topic, tc.queue, tc.topic)
			}
			expect(t, rs, tc.to, "Nouvelle demande n° 1 (file "+tc.queue+")", tc.topic)
		})
	}
}

// Offers of sheets and a topic that all belong to one tree make the case
// that tree's.
func TestCaseTopicFromOffers(t *testing.T) {
	d := housingDesk(t)
	ctx := context.Background()
	conv, err := d.st.Conversation(ctx, citizen)
	if err == nil {
		t.Fatalf("a conversation already: %+v", conv)
	}
	// The state after « je ne suis pas sûr »: the sheet and its tree offered.
	conv = bot.Conversation{Address: citizen, State: bot.StateIdle, Lang: "fr", Seq: 1, Offered: []bot.Offer{
		{Label: "Aides au logement (APL)", Action: "item", Arg: "apl"},
		{Label: "Logement", Action: "tree", Arg: "logement"},
		{Label: "Parler à un médiateur", Action: "escalate", Arg: "default"},
	}}
	if err := d.st.Commit(ctx, conv, nil, nil); err != nil {
		t.Fatal(err)
	}
	rs := d.click(citizen, "b:1:2")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	if c, _ := d.st.Case(ctx, 1); c.Queue != "logement" || c.Summary.Topic != "Logement" {
		t.Fatalf("case = %+v", c)
	}

	// Offers of two topics say nothing of the topic.
	d = housingDesk(t)
	conv.Offered = []bot.Offer{{Label: "Papiers", Action: "tree", Arg: "papiers"}, conv.Offered[1], conv.Offered[2]}
	if err := d.st.Commit(ctx, conv, nil, nil); err != nil {
		t.Fatal(err)
	}
	rs = d.click(citizen, "b:1:2")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	if c, _ := d.st.Case(ctx, 1); c.Queue != "default" || c.Summary.Topic != "Demande générale" {
		t.Fatalf("case = %+v", c)
	}
}

// A consent button stored before the topic was carried in it still opens
// the case.
func TestConsentOfferWithoutTopic(t *testing.T) {
	d := housingDesk(t)
	ctx := context.Background()
	conv := bot.Conversation{Address: citizen, State: bot.StateIdle, Lang: "fr", Seq: 4, Offered: []bot.Offer{
		{Label: "Oui, partager", Action: "consent", Arg: "y|papiers|asked"},
	}}
	if err := d.st.Commit(ctx, conv, nil, nil); err != nil {
		t.Fatal(err)
	}
	rs := d.click(citizen, "b:4:0")
	expect(t, rs, queueCh, "Nouvelle demande n° 1 (file papiers)", "Demande générale")
	if strings.Contains(textTo(rs, citizen), "problème technique") {
		t.Fatal(textTo(rs, citizen))
	}
}

// A case's summary says why it opened and how it ended in the mediators'
// words, never the codes the bot records.
func TestSummaryWordsReasonAndOutcome(t *testing.T) {
	d := housingDesk(t)
	_, rs := openCaseAfter(t, d, "logement")
	expect(t, rs, logeCh, "motif : demandé par la personne")
	d.click(marie, "m:claim:1")
	d.say(marie, "rendre 1")
	rs = d.say(marie, "voir 1")
	expect(t, rs, marie, "close (rendue au robot)", "motif : demandé par la personne")
	for _, code := range []string{"asked", "handed back"} {
		if strings.Contains(textTo(rs, marie), code) {
			t.Errorf("the summary shows the code %q:\n%s", code, textTo(rs, marie))
		}
	}

	d = housingDesk(t)
	d.say(citizen, "logement")
	rs = d.say(citizen, "Autre")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.say(citizen, "annuler")
	rs = d.say(marie, "voir 1")
	expect(t, rs, marie, "close (annulée par le citoyen)", "motif : choix « autre » ou « je ne sais pas » d'un parcours")
}

// A mediator given a case by a transfer reads the talk so far: what the
// citizen left while waiting and the messages relayed both ways, not the
// mediators' commands nor their private notes; then writes to the citizen
// without « prendre N ».
func TestTransferShowsTheTalkSoFar(t *testing.T) {
	d := housingDesk(t)
	openCaseAfter(t, d, "logement")
	d.say(citizen, "je suis là")
	d.click(marie, "m:claim:1")
	d.say(citizen, "mon bail se termine")
	d.say(marie, "Avez-vous une attestation de loyer ?")
	d.say(marie, "!note 1 appeler la CAF")
	rs := d.say(marie, "note 1 documents à fournir")
	d.click(marie, payloadFor(t, rs, marie, "L'envoyer à la personne"))
	rs = d.say(marie, "!transferer 1 @paul")
	expect(t, rs, paul, "vous est transférée par marie", "prise par paul", "Messages de la demande :",
		"  Citoyen : je suis là\n  Citoyen : mon bail se termine\n  Médiation : Avez-vous une attestation de loyer ?\n  Médiation : note 1 documents à fournir\n")
	for _, not := range []string{"appeler la CAF", "L'envoyer", "prise par marie"} {
		if strings.Contains(textTo(rs, paul), not) {
			t.Errorf("the new mediator reads %q:\n%s", not, textTo(rs, paul))
		}
	}
	rs = d.say(paul, "Bonjour, je prends la suite.")
	if got := textTo(rs, citizen); got != "paul (médiation) : Bonjour, je prends la suite.\n" {
		t.Fatalf("the new mediator's words reached the citizen as %q (all: %+v)", got, rs)
	}
	// Handed on to a queue: its channel reads the talk too, the case
	// waiting again.
	rs = d.say(paul, "!transferer 1 logement")
	expect(t, rs, logeCh, "en attente depuis", "Médiation : Bonjour, je prends la suite.", "Citoyen : je suis là")
	if strings.Contains(textTo(rs, logeCh), "prise par") {
		t.Errorf("the queue is told the case is held:\n%s", textTo(rs, logeCh))
	}
}

// Without the citizen's consent, a transfer shows only the topic.
func TestTransferWithoutConsentShowsOnlyTheTopic(t *testing.T) {
	d := housingDesk(t)
	d.say(citizen, "logement")
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Non, seulement le sujet"))
	d.say(citizen, "mon secret est 1234")
	d.click(marie, "m:claim:1")
	d.say(citizen, "et mon adresse 3 rue des Lilas")
	d.say(marie, "Bien noté, rue des Lilas")
	rs = d.say(marie, "!transferer 1 @paul")
	expect(t, rs, paul, "Logement", "n'a pas accepté de partager")
	for _, not := range []string{"1234", "Lilas", "Messages de la demande"} {
		if strings.Contains(textTo(rs, paul), not) {
			t.Errorf("shared without consent: %q in\n%s", not, textTo(rs, paul))
		}
	}
}

// The talk a summary quotes is bounded: the latest messages, each cut.
func TestSummaryQuotesALimitedTalk(t *testing.T) {
	d := housingDesk(t)
	openCaseAfter(t, d, "logement")
	d.click(marie, "m:claim:1")
	for i := 1; i <= 14; i++ {
		d.say(citizen, "message "+strings.Repeat("x", i))
	}
	d.say(citizen, "long "+strings.Repeat("mot ", 200)+"FIN")
	rs := d.say(marie, "voir 1")
	got := textTo(rs, marie)
	if n := strings.Count(got, "  Citoyen : "); n != 10 {
		t.Errorf("%d messages quoted, want the latest 10:\n%s", n, got)
	}
	if strings.Contains(got, "message xxxxx\n") || !strings.Contains(got, "message "+strings.Repeat("x", 14)) {
		t.Errorf("not the latest messages:\n%s", got)
	}
	if strings.Contains(got, "FIN") || !strings.Contains(got, "mot…") {
		t.Errorf("a long message is not cut:\n%s", got)
	}
}

// A mediator holding several cases chooses with « prendre N » whose
// citizen their words go to; nothing is relayed while they have not.
func TestMediatorHoldingSeveralCases(t *testing.T) {
	d := housingDesk(t)
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	openCaseAfter(t, d, "logement")
	rs := d.say(bob, "humain")
	d.click(bob, payloadFor(t, rs, bob, "Oui, partager"))
	d.click(marie, "m:claim:1")
	d.click(marie, "m:claim:2")
	rs = d.say(marie, "bonjour bob")
	expect(t, rs, bob, "marie (médiation) : bonjour bob")
	rs = d.say(marie, "prendre 1")
	expect(t, rs, marie, "Vous tenez la demande n° 1 : vos messages vont maintenant à sa personne")
	rs = d.say(marie, "bonjour alice")
	expect(t, rs, citizen, "marie (médiation) : bonjour alice")
	d.say(marie, "fermer 1")
	// Back to the one case she holds: her words go there.
	rs = d.say(marie, "re-bonjour bob")
	expect(t, rs, bob, "marie (médiation) : re-bonjour bob")
	// Two cases held, the current one closed: she is asked which.
	carla := bot.Address{Platform: "test", Channel: "dm", User: "carla"}
	rs = d.say(carla, "humain")
	d.click(carla, payloadFor(t, rs, carla, "Oui, partager"))
	d.click(marie, "m:claim:3")
	rs = d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:4")
	d.say(marie, "fermer 4")
	rs = d.say(marie, "bonjour ?")
	expect(t, rs, marie, "Vous tenez les demandes n° 2, 3", "« prendre N »", "n'a pas été transmis")
	if len(rs) != 1 {
		t.Fatalf("relayed while she holds two cases: %+v", rs)
	}
}

// « fiche TEXTE » where TEXTE is no sheet's id searches the sheets and
// offers the best as buttons that send one to the citizen; without « ! »
// a button sends the words to the citizen instead.
func TestSheetSearch(t *testing.T) {
	d := housingDesk(t)
	openCaseAfter(t, d, "logement")
	d.click(marie, "m:claim:1")

	rs := d.say(marie, "fiche loyer")
	expect(t, rs, marie, "Fiches pour « loyer »", "Aides au logement (APL)", "L'envoyer à la personne")
	if textTo(rs, citizen) != "" || strings.Contains(textTo(rs, marie), "Fiche inconnue") {
		t.Fatalf("a search: %+v", rs)
	}
	rs = d.click(marie, payloadFor(t, rs, marie, "Aides au logement (APL)"))
	expect(t, rs, citizen, "Aides au logement (APL)", "caf.fr")
	expect(t, rs, marie, "envoyée au citoyen de la demande n° 1")

	// Typed: the button's number picks it; a number beyond them is not
	// sent to the citizen.
	rs = d.say(marie, "fiche loyer")
	relay := 0
	for _, r := range rs {
		for i, c := range r.Choices {
			if r.To == marie && c.Label == "L'envoyer à la personne" {
				relay = i + 1
			}
		}
	}
	rs = d.say(marie, "9")
	expect(t, rs, marie, "pas de choix n° 9")
	rs = d.say(marie, strconv.Itoa(relay))
	if got := textTo(rs, citizen); got != "marie (médiation) : fiche loyer\n" {
		t.Fatalf("the relay button: citizen got %q", got)
	}

	rs = d.say(marie, "!fiche loyer")
	expect(t, rs, marie, "Aides au logement (APL)")
	if strings.Contains(textTo(rs, marie), "L'envoyer à la personne") {
		t.Error("« ! » is a command: no relay button")
	}
	rs = d.say(marie, "!fiche zzqxw")
	expect(t, rs, marie, "Aucune fiche ne correspond à « zzqxw »")
	rs = d.say(marie, "fiche cni-perte")
	expect(t, rs, citizen, "Carte d'identité perdue")
	// The sheets sent are among the messages of the case.
	rs = d.say(marie, "voir 1")
	expect(t, rs, marie, "  Médiation : [fiche apl] Aides au logement (APL)\n", "  Médiation : [fiche cni-perte] Carte d'identité perdue\n")
}

// « aide » or « help » alone from a mediator is the mediators' help, in a
// case or not, never relayed; with more words it is a message.
func TestMediatorHelpIsNotRelayed(t *testing.T) {
	d := housingDesk(t)
	rs := d.say(marie, "aide")
	expect(t, rs, marie, "Commandes médiateur", "« fiche mots »")
	openCaseAfter(t, d, "logement")
	d.click(marie, "m:claim:1")
	for _, text := range []string{"aide", "help", "Aide !", "!aide", "aide-mediateur"} {
		rs = d.say(marie, text)
		expect(t, rs, marie, "Commandes médiateur")
		if got := textTo(rs, citizen); got != "" {
			t.Errorf("%q reached the citizen: %q", text, got)
		}
	}
	rs = d.say(marie, "aide pour le loyer : la CAF")
	if got := textTo(rs, citizen); got != "marie (médiation) : aide pour le loyer : la CAF\n" {
		t.Errorf("words for the citizen: %q", got)
	}
	// A citizen's « aide » in a case is still theirs.
	rs = d.say(citizen, "aide")
	expect(t, rs, citizen, "Je suis Boussole")
}

// Outside its opening hours a queue tells the citizen, besides the next
// opening, where to find help meanwhile: its fallback contact.
func TestOutsideHoursFallback(t *testing.T) {
	h, err := hours.Parse(hours.Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "09:00-17:00"}})
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, h)
	q := d.med.Queues["papiers"]
	q.Fallback = "39 39 (Allô Service Public)"
	d.med.Queues["papiers"] = q
	d.reopen()
	d.clock.t = time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC) // Tuesday 19:30 in Paris
	d.say(citizen, "papiers")
	rs := d.say(citizen, "humain")
	rs = d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	expect(t, rs, citizen, "Prochaine ouverture : lundi 30 novembre à 9 h 00", "D'ici là, vous pouvez aussi joindre : 39 39 (Allô Service Public).")
	rs = d.say(citizen, "je rappellerai")
	expect(t, rs, citizen, "39 39 (Allô Service Public)")
	// Open: no fallback.
	d.clock.t = time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	rs = d.say(citizen, "vous êtes là ?")
	if strings.Contains(textTo(rs, citizen), "39 39") {
		t.Errorf("the fallback told while open:\n%s", textTo(rs, citizen))
	}
	// A queue without one says only when mediators come back.
	d.clock.t = time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC)
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	rs = d.say(bob, "humain")
	rs = d.click(bob, payloadFor(t, rs, bob, "Oui, partager"))
	expect(t, rs, bob, "Prochaine ouverture")
	if strings.Contains(textTo(rs, bob), "vous pouvez aussi joindre") {
		t.Errorf("a fallback for the default queue:\n%s", textTo(rs, bob))
	}
}
