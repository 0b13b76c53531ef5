package engine_test

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// emergencyFixture is a base whose only number is France's general one:
// every danger there gets it, and Québec none.
func emergencyFixture(t *testing.T) *knowledge.Base {
	t.Helper()
	items, err := knowledge.ParseItems("urgences.yaml", []byte(`
- id: urgence-fr-112
  kind: emergency
  title: "112 — Numéro d'urgence européen"
  summary: "Toute urgence."
  jurisdiction: FR
  where: {phone: "112"}
  danger: [urgence, menace-vie]
  sources: ["https://www.service-public.fr/particuliers/vosdroits/F33954"]
  reviewed: 2026-12-06
`))
	if err != nil {
		t.Fatal(err)
	}
	b := knowledge.NewBase(items, nil, nil)
	if p := knowledge.Validate(b); len(p) > 0 {
		t.Fatal(p)
	}
	return b
}

// A category without a number of its own gets the general emergency
// number; with no number at all the answer still comes first, without
// any, and never « je n'ai pas compris ».
func TestDangerFallsBackToTheGeneralNumber(t *testing.T) {
	h := newHarness(t, "", emergencyFixture(t))
	rs := h.say(alice, "je veux mourir")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "📞 112") || !strings.Contains(rs[0].Text, "en danger") {
		t.Fatalf("replies = %+v", rs)
	}
	if len(rs[0].Choices) == 0 || !strings.Contains(rs[0].Choices[len(rs[0].Choices)-1].Label, "médiateur") {
		t.Errorf("no mediator offered: %+v", rs[0].Choices)
	}
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	rs = h.say(bob, "mon chum me frappe") // Québec: no number in this base
	if len(rs) != 1 || strings.Contains(rs[0].Text, "📞") || !strings.Contains(rs[0].Text, "appelez tout de suite les secours") || strings.Contains(rs[0].Text, "pas compris") {
		t.Fatalf("replies = %+v", rs)
	}
}

// A number typed alone is explained, not read as a choice, and a number
// nobody knows is left to the usual rules.
func TestNumberAloneIsExplained(t *testing.T) {
	h := newHarness(t, "", emergencyFixture(t))
	rs := h.say(alice, "112")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "112 — Numéro d'urgence européen") {
		t.Fatalf("replies = %+v", rs)
	}
	rs = h.say(alice, "4242")
	if strings.Contains(rs[0].Text, "📞") {
		t.Fatalf("an unknown number was explained: %+v", rs)
	}
}
