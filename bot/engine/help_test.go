package engine_test

import (
	"strings"
	"testing"
)

// « aide » inside a tree shows the help and asks the question again with
// its choices (and the mediator's button it had): a number then picks the
// tree's choice, and « retour » goes back one step.
func TestHelpInATreeKeepsTheQuestion(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers")
	h.say(alice, "1")
	h.say(alice, "xqzw")
	h.say(alice, "vbnk") // two misses: a mediator is offered
	rs := h.say(alice, "aide")
	mustContain(t, rs, "Je suis Boussole", "Quelle est votre situation ?", "  - Première demande ou renouvellement\n  - Perte ou vol\n  - Parler à un médiateur\n")
	if c := h.conv(alice); c.Node != "situation-cni" || len(c.Path) != 1 {
		t.Fatalf("the help moved the conversation: %+v", c)
	}
	rs = h.say(alice, "2")
	mustContain(t, rs, "Carte d'identité perdue")

	h.say(alice, "recommencer")
	h.say(alice, "papiers")
	h.say(alice, "1")
	h.say(alice, "aide")
	rs = h.say(alice, "retour")
	mustContain(t, rs, "Quel document vous faut-il ?")
	if strings.Contains(text(rs), "première question") {
		t.Fatalf("went back past the question: %s", text(rs))
	}
}

// « aide » in the topics menu keeps the topics; after an answer,
// « retour » after it goes back to the question that gave the answer.
func TestHelpOutsideATree(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	rs := h.say(alice, "aide")
	mustContain(t, rs, "Je suis Boussole", "  - Papiers d'identité\n")
	rs = h.say(alice, "aide")
	mustContain(t, rs, "  - Papiers d'identité\n")
	h.say(alice, "papiers")
	h.say(alice, "1")
	h.say(alice, "1")
	h.say(alice, "aide")
	rs = h.say(alice, "retour")
	mustContain(t, rs, "Quelle est votre situation ?")
}
