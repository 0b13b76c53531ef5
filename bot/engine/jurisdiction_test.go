package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/places"
	"github.com/boussole/boussole/knowledge/search"
)

// A shared tree whose first node routes each side to its own question:
// the Québec wording never shows the CAF's « APL ».
const sharedTreeYAML = `
id: logement
title: Logement
title_en: Housing
triggers: [hebergement]
start: ou
nodes:
  ou:
    route: {FR: fr, QC: qc}
  fr:
    ask: Une aide pour le loyer ?
    ask_en: Help with the rent?
    choices:
      - {label: "Les APL", label_en: "Housing benefit (APL)", answer: apl}
      - {label: "Autre", escalate: logement}
  qc:
    ask: Un problème de logement au Québec ?
    choices:
      - {label: "Un problème avec le propriétaire", answer: tal}
      - {label: "Autre", escalate: logement}
`

const sharedItemsYAML = `
- id: apl
  kind: procedure
  title: Aide personnalisée au logement (APL)
  summary: Une aide de la CAF pour payer le loyer.
  title_en: Housing benefit (APL)
  summary_en: Help from the CAF to pay the rent.
  steps: [Faites une simulation., Déposez la demande en ligne.]
  steps_en: [Run a simulation., Apply online.]
  jurisdiction: FR
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F12006"]
  reviewed: 2026-12-01
- id: tal
  kind: procedure
  title: Tribunal administratif du logement
  summary: Pour un différend avec le propriétaire au Québec.
  jurisdiction: QC
  sources: ["https://www.tal.gouv.qc.ca/"]
  reviewed: 2026-12-01
- {id: urgence-fr, kind: emergency, title: "112", summary: Urgence., jurisdiction: FR, danger: [urgence], where: {phone: "112"}, sources: ["https://www.service-public.fr/particuliers/vosdroits/F33954"], reviewed: 2026-12-01}
- {id: urgence-qc, kind: emergency, title: "911", summary: Urgence., jurisdiction: QC, danger: [urgence], where: {phone: "911"}, sources: ["https://www.quebec.ca/"], reviewed: 2026-12-01}
`

func sharedEngine(t *testing.T, cfg engine.Config) *harness {
	t.Helper()
	items, err := knowledge.ParseItems("items.yaml", []byte(sharedItemsYAML))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := knowledge.ParseTree("logement.yaml", []byte(sharedTreeYAML))
	if err != nil {
		t.Fatal(err)
	}
	b := knowledge.NewBase(items, []*knowledge.Tree{tr}, nil)
	if p := knowledge.Validate(b); len(p) > 0 {
		t.Fatal(p)
	}
	h := newHarness(t, filepath.Join(t.TempDir(), "j.db"), b)
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), h.path, store.Options{Clock: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	gaz, err := places.New(places.WordsFrom(cat.AllWords))
	if err != nil {
		t.Fatal(err)
	}
	if h.engine, err = engine.New(context.Background(), cfg, engine.Deps{Store: st, Catalog: cat, Knowledge: b, Searcher: search.New(b, search.Options{}), Danger: mustDanger(t), Places: gaz, Now: h.clock}); err != nil {
		t.Fatal(err)
	}
	return h
}

func texts(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
		for _, c := range r.Choices {
			b.WriteString("[" + c.Label + "]\n")
		}
	}
	return b.String()
}

// A route node follows the conversation's jurisdiction without asking.
func TestRouteFollowsTheJurisdiction(t *testing.T) {
	h := sharedEngine(t, engine.Config{Jurisdiction: "FR"})
	if got := texts(h.say(alice, "hebergement")); !strings.Contains(got, "Une aide pour le loyer") || !strings.Contains(got, "[Les APL]") {
		t.Fatalf("France:\n%s", got)
	}
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	h.say(bob, "je suis au Québec")
	got := texts(h.say(bob, "hebergement"))
	if !strings.Contains(got, "Un problème de logement au Québec") || strings.Contains(got, "APL") {
		t.Fatalf("Québec:\n%s", got)
	}
	// « retour » at the first real question does not land on the route.
	if got := texts(h.say(bob, "retour")); !strings.Contains(got, "Un problème de logement au Québec") {
		t.Fatalf("back:\n%s", got)
	}
}

// Unknown jurisdiction: the route asks once, with a button per side, and
// the answer is remembered.
func TestRouteAsksWhenUnknown(t *testing.T) {
	h := sharedEngine(t, engine.Config{Jurisdiction: ""})
	rs := h.say(alice, "hebergement")
	got := texts(rs)
	if !strings.Contains(got, "Où êtes-vous") || !strings.Contains(got, "[En France]") || !strings.Contains(got, "[Au Québec]") {
		t.Fatalf("ask:\n%s", got)
	}
	if got := texts(h.say(alice, "au quebec")); !strings.Contains(got, "Un problème de logement au Québec") {
		t.Fatalf("after choosing:\n%s", got)
	}
	if c := h.conv(alice); c.Jurisdiction != "QC" {
		t.Fatalf("jurisdiction = %q", c.Jurisdiction)
	}
}

// English labels, questions, titles and steps are used for a person
// writing in English.
func TestEnglishWording(t *testing.T) {
	h := sharedEngine(t, engine.Config{Jurisdiction: "FR"})
	h.say(alice, "hello, can you help me please")
	got := texts(h.say(alice, "hebergement"))
	if !strings.Contains(got, "Help with the rent?") || !strings.Contains(got, "[Housing benefit (APL)]") {
		t.Fatalf("English tree:\n%s", got)
	}
	got = texts(h.say(alice, "1"))
	if !strings.Contains(got, "Housing benefit (APL)\nHelp from the CAF") || !strings.Contains(got, "[Steps]") {
		t.Fatalf("English answer:\n%s", got)
	}
	got = texts(h.say(alice, "steps"))
	if !strings.Contains(got, "1. Run a simulation.") || strings.Contains(got, "Faites une simulation") {
		t.Fatalf("English steps:\n%s", got)
	}
}

// A Discord server (or Mattermost team) can be Québec by default; one of
// its channels can still be France.
func TestJurisdictionByServer(t *testing.T) {
	h := sharedEngine(t, engine.Config{Jurisdiction: "FR", Jurisdictions: map[string]map[string]string{
		"discord": {"guild-qc": "QC", "chan-fr": "FR"},
	}})
	in := func(a bot.Address, space, text string) string {
		rs, err := h.engine.Respond(context.Background(), bot.Incoming{Address: a, Space: space, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return texts(rs)
	}
	qc := bot.Address{Platform: "discord", Channel: "thread-1", User: "u1"}
	if got := in(qc, "guild-qc", "hebergement"); !strings.Contains(got, "au Québec") {
		t.Fatalf("server QC:\n%s", got)
	}
	fr := bot.Address{Platform: "discord", Channel: "chan-fr", User: "u2"}
	if got := in(fr, "guild-qc", "hebergement"); !strings.Contains(got, "[Les APL]") {
		t.Fatalf("channel FR in a QC server:\n%s", got)
	}
	other := bot.Address{Platform: "discord", Channel: "thread-2", User: "u3"}
	if got := in(other, "guild-other", "hebergement"); !strings.Contains(got, "[Les APL]") {
		t.Fatalf("another server (default FR):\n%s", got)
	}
}

// Queues can be chosen by jurisdiction: a Québec person's case goes to
// the Québec mediators' channel, a French person's to the default one.
func TestQueueByJurisdiction(t *testing.T) {
	fr := bot.Address{Platform: "test", Channel: "mediateurs"}
	qc := bot.Address{Platform: "test", Channel: "intervenants-qc"}
	h := sharedEngine(t, engine.Config{Jurisdiction: "FR", Mediation: mediation.Config{SkipConsent: true, Queues: map[string]mediation.Queue{
		mediation.DefaultQueue: {Channel: fr}, mediation.DefaultQueue + "/QC": {Channel: qc},
	}}})
	// The announcement waits in the outbox, addressed to the queue's
	// channel.
	announced := func(id int64) bot.Address {
		t.Helper()
		out, err := h.store.PendingOutgoing(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		c, err := h.store.Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Reply.About == c.Address && o.Reply.To != c.Address {
				return o.Reply.To
			}
		}
		t.Fatalf("case %d was not announced", id)
		return bot.Address{}
	}
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	h.say(bob, "je suis au Québec")
	h.say(bob, "humain")
	if c, _ := h.store.Case(context.Background(), 1); c.Queue != "default/QC" || c.Summary.Jurisdiction != "QC" {
		t.Fatalf("Québec case: queue %q, jurisdiction %q", c.Queue, c.Summary.Jurisdiction)
	}
	if got := announced(1); got != qc {
		t.Fatalf("Québec case announced to %v", got)
	}
	h.say(alice, "humain")
	if got := announced(2); got != fr {
		t.Fatalf("French case announced to %v", got)
	}
}

// A town's name never replaces, in a danger answer, a side already known
// (it may be a first name or an old address): the known side's numbers
// come first, and one line gives the other side's emergency number.
func TestTownNameDoesNotMoveAPersonInDanger(t *testing.T) {
	h := sharedEngine(t, engine.Config{Jurisdiction: "FR"})
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	h.say(bob, "je suis au Québec")
	got := texts(h.say(bob, "I want to die"))
	if !strings.Contains(got, "911") || strings.Contains(got, "112") {
		t.Fatalf("danger answer in Québec:\n%s", got)
	}
	got = texts(h.say(bob, "je vis à Aubagne et je veux mourir"))
	if !strings.Contains(got, "📞 911") || !strings.Contains(got, "En France : composez le 112") {
		t.Fatalf("danger answer with a French town in Québec:\n%s", got)
	}
	if c := h.conv(bob); c.Jurisdiction != "QC" {
		t.Fatalf("jurisdiction moved to %q", c.Jurisdiction)
	}
}

// A shared tree with no branch for the person's side says so and offers a
// mediator, rather than a button that would move them to another country.
func TestRouteWithoutTheirSide(t *testing.T) {
	h := sharedEngine(t, engine.Config{Jurisdiction: "BE"})
	got := texts(h.say(alice, "hebergement"))
	if !strings.Contains(got, "ne concernent pas l'endroit où vous êtes") || strings.Contains(got, "[Au Québec]") {
		t.Fatalf("BE in a FR/QC tree:\n%s", got)
	}
	if c := h.conv(alice); c.Jurisdiction == "FR" || c.Jurisdiction == "QC" || c.State == bot.StateInTree {
		t.Fatalf("conversation = %+v", c)
	}
}
