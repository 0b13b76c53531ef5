package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/knowledge"
)

const chatItemsYAML = `
- id: cni-perte
  kind: procedure
  title: Carte d'identité perdue
  summary: Déclarer la perte et refaire sa carte. La nouvelle carte coûte 25 €.
  steps: [Achetez un timbre fiscal., Faites une pré-demande en ligne., Prenez rendez-vous en mairie.]
  documents: [Photo d'identité, Justificatif de domicile]
  where:
    online:
      - {label: Pré-demande en ligne (ANTS), url: "https://passeport.ants.gouv.fr/"}
      - {label: Timbre fiscal, url: "https://timbres.impots.gouv.fr/"}
    office: mairie équipée d'un dispositif de recueil
  cost: 25 € en timbre fiscal
  delay: Quelques semaines
  keywords: [cni, perdu, perte]
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1344"]
  reviewed: 2026-10-02
- id: cni-vol
  kind: procedure
  title: Carte d'identité volée
  summary: Déclarer le vol à la police, puis refaire sa carte.
  documents: [Récépissé de déclaration de vol]
  where:
    office: commissariat ou gendarmerie, puis mairie
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1759"]
  reviewed: 2026-10-02
- id: carte-grise
  kind: procedure
  title: Carte grise d'un véhicule d'occasion
  summary: Immatriculer à son nom un véhicule acheté d'occasion.
  documents: [Justificatif de domicile]
  steps:
%s
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F1050"]
  reviewed: 2026-10-02
`

const chatTreeYAML = `
id: papiers
title: Papiers d'identité
triggers: [papiers]
start: quel-document
nodes:
  quel-document:
    ask: Quel document vous faut-il ?
    choices:
      - {label: Carte d'identité, next: situation}
      - {label: Je ne sais pas, escalate: papiers}
  situation:
    ask: Quelle est votre situation ?
    choices:
      - {label: Perdue ou volée, answer: [cni-perte, cni-vol]}
      - {label: Perdue, answer: cni-perte}
`

func chatFixture(t *testing.T) *knowledge.Base {
	t.Helper()
	var steps strings.Builder
	for i := range 12 {
		fmt.Fprintf(&steps, "    - \"Étape %d : remplissez la partie %d du formulaire en ligne sur le site de l'ANTS, joignez les justificatifs demandés et gardez le récépissé.\"\n", i+1, i+1)
	}
	items, err := knowledge.ParseItems("items.yaml", fmt.Appendf(nil, chatItemsYAML, steps.String()))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := knowledge.ParseTree("tree.yaml", []byte(chatTreeYAML))
	if err != nil {
		t.Fatal(err)
	}
	b := knowledge.NewBase(items, []*knowledge.Tree{tr}, nil)
	if p := knowledge.Validate(b); len(p) > 0 {
		t.Fatal(p)
	}
	return b
}

func labels(rs []bot.Reply) []string {
	var out []string
	for _, c := range choices(rs) {
		out = append(out, c.Label)
	}
	return out
}

// The answer is its first message; each part the item has is a button
// and a typed word, shown on its own, chat-sized, then no longer offered;
// the choices after the answer stay.
func TestAnswerPartsOnDemand(t *testing.T) {
	h := newHarness(t, "", chatFixture(t))
	h.say(alice, "papiers")
	h.say(alice, "1")
	rs := h.say(alice, "2")
	if len(rs) != 2 || !answer.Fits(rs[0].Text) || strings.Contains(rs[0].Text, "Photo d'identité") || strings.Contains(rs[0].Text, "timbres.impots") {
		t.Fatalf("first message:\n%s", text(rs))
	}
	// The bot's own links reach the platform as markdown.
	mustContain(t, rs, "En ligne : [Pré-demande en ligne (ANTS)](https://passeport.ants.gouv.fr/)", "[service-public.fr](https://www.service-public.fr/particuliers/vosdroits/F1344)")
	want := "Oui, merci|Les étapes|Les documents|Combien ça coûte ?|Plus de liens|Retour|Autre question|Parler à un médiateur"
	if got := strings.Join(labels(rs), "|"); got != want {
		t.Fatalf("choices %s, want %s", got, want)
	}
	rs = h.say(alice, "étapes")
	mustContain(t, rs, "Les étapes — Carte d'identité perdue :\n1. Achetez un timbre fiscal.\n2.")
	if got := strings.Join(labels(rs), "|"); got != "Oui, merci|Les documents|Combien ça coûte ?|Plus de liens|Retour|Autre question|Parler à un médiateur" {
		t.Fatalf("choices after the steps: %s", got)
	}
	rs = h.click(alice, payloadOf(t, rs, "Les documents"))
	mustContain(t, rs, "• Photo d'identité\n• Justificatif de domicile")
	mustContain(t, h.say(alice, "c'est combien ?"), "Coût : 25 € en timbre fiscal\nDélai : Quelques semaines")
	rs = h.say(alice, "liens")
	mustContain(t, rs, "• [Timbre fiscal](https://timbres.impots.gouv.fr/)")
	if got := strings.Join(labels(rs), "|"); got != "Oui, merci|Retour|Autre question|Parler à un médiateur" {
		t.Fatalf("choices after every part: %s", got)
	}
	if c := h.conv(alice); c.State != bot.StateAnswered || len(c.Shown) != 1 {
		t.Fatalf("state = %+v", c)
	}
	// « Retour » still goes back to the tree's question.
	mustContain(t, h.click(alice, payloadOf(t, rs, "Retour")), "Quelle est votre situation ?")
}

// « détails » asks for the first part; a part too long for one message
// comes in pages, « la suite » giving the next, every page chat-sized;
// another part asked for in between offers the first from its start.
func TestLongPartInPages(t *testing.T) {
	h := newHarness(t, "", chatFixture(t))
	rs := h.say(alice, "carte grise véhicule d'occasion")
	mustContain(t, rs, "Carte grise d'un véhicule d'occasion", "Les étapes")
	h.say(alice, "details")
	rs = h.say(alice, "documents")
	if got := strings.Join(labels(rs), "|"); !strings.Contains(got, "Oui, merci|Les étapes|Autre question") {
		t.Fatalf("choices after the documents: %s", got)
	}
	rs = h.say(alice, "details")
	if !answer.Fits(rs[0].Text) || !strings.Contains(rs[0].Text, "1. Étape 1 ") || strings.Contains(rs[0].Text, "12. Étape 12 ") {
		t.Fatalf("first page:\n%s", text(rs))
	}
	seen := strings.Count(rs[0].Text, "\n") - 1 // heading and « Et N de plus »
	mustContain(t, rs, fmt.Sprintf("Et %d de plus : « La suite ».", 12-seen), "La suite")
	for range 12 {
		if !strings.Contains(text(rs), "La suite") {
			break
		}
		rs = h.say(alice, "la suite")
		if !answer.Fits(rs[0].Text) {
			t.Fatalf("page does not fit:\n%s", rs[0].Text)
		}
	}
	mustContain(t, rs, "12. Étape 12 ")
	if strings.Contains(text(rs), "La suite") {
		t.Fatalf("the last page offers more:\n%s", text(rs))
	}
}

// A tree's leaf with two items names them and lets the person pick; the
// other stays a click away.
func TestTwoItemLeafLetsThePersonChoose(t *testing.T) {
	h := newHarness(t, "", chatFixture(t))
	h.say(alice, "papiers")
	h.say(alice, "1")
	rs := h.say(alice, "1")
	if len(rs) != 1 || strings.Contains(rs[0].Text, "Déclarer") {
		t.Fatalf("two sheets in one message:\n%s", text(rs))
	}
	mustContain(t, rs, "2 fiches correspondent à votre situation")
	if got := strings.Join(labels(rs), "|"); got != "Carte d'identité perdue|Carte d'identité volée|Retour|Parler à un médiateur" {
		t.Fatalf("choices: %s", got)
	}
	if c := h.conv(alice); len(c.Shown) != 0 {
		t.Fatalf("shown before a choice: %v", c.Shown)
	}
	rs = h.say(alice, "volée")
	mustContain(t, rs, "Carte d'identité volée\nDéclarer le vol", "Voir aussi : Carte d'identité perdue", "Les documents")
	if strings.Contains(text(rs), "Déclarer la perte") {
		t.Fatalf("both sheets:\n%s", text(rs))
	}
	rs = h.click(alice, payloadOf(t, rs, "Voir aussi : Carte d'identité perdue"))
	mustContain(t, rs, "Carte d'identité perdue\nDéclarer la perte", "Voir aussi : Carte d'identité volée", "Les étapes")
	if c := h.conv(alice); strings.Join(c.Shown, ",") != "cni-vol,cni-perte" {
		t.Fatalf("shown: %v", c.Shown)
	}
}

// The bot's own markdown links are sent as they are; a link a citizen
// writes to a mediator shows its real address.
func TestBotLinksAreNotDefused(t *testing.T) {
	d := newDesk(t, nil)
	d.say(citizen, "papiers")
	d.say(citizen, "1")
	rs := d.say(citizen, "1")
	expect(t, rs, citizen, "[Pré-demande ANTS](https://ants.gouv.fr/)")
	rs = d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:1")
	rs = d.say(citizen, "voir [impots.gouv.fr](http://ailleurs.example/x)")
	expect(t, rs, marie, "voir impots.gouv.fr (http://ailleurs.example/x)")
}
