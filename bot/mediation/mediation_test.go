package mediation_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/mediation"
)

func TestGrammar(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	g, err := mediation.NewGrammar(cat)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]bool{
		"prendre 3": true, "/boussole fermer 3 résolu": true, "demandes": true, "fiche F1344": true,
		"bonjour": false, "prendre rendez-vous": false, "carte grise": false, "": false,
		"claim 3": true, "!voir 2": true, "fermer n°4 résolu": true, "fermer 0": false, "note": false,
		"fiche caution": true, "envoyer dépôt de garantie": true, "fiche": false,
	} {
		if got := g.IsCommand(text); got != want {
			t.Errorf("IsCommand(%q) = %v, want %v", text, got, want)
		}
	}
	c, ok := g.Parse("/boussole Fermer #3 résolu, merci")
	if !ok || c.Verb != mediation.Close || c.Case != 3 || c.Rest != "résolu, merci" || !g.Strict(c) {
		t.Errorf("Parse = %+v, %v", c, ok)
	}
	if c, ok := g.Parse("!fiche  dépôt de   garantie"); !ok || c.Verb != mediation.Send || c.Rest != "dépôt de garantie" {
		t.Errorf("Parse of a sheet search = %+v, %v", c, ok)
	}
	if c, _ := g.Parse("dossier 123456"); g.Strict(c) {
		t.Error("« dossier 123456 » is a citizen's words, not a strict verb")
	}
}

// A catalogue missing a command's words is refused with the key to add.
func TestGrammarNeedsEveryVerb(t *testing.T) {
	cat, err := catalog.Load(fstest.MapFS{"m/fr.yaml": {Data: []byte("words_mediator_list: dossiers\n")}}, "m")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mediation.NewGrammar(cat); err == nil || !strings.Contains(err.Error(), "words_mediator_show") {
		t.Fatalf("NewGrammar = %v, want the missing key named", err)
	}
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{
		"@everyone regardez": "@\u200beveryone regardez",
		"salut @marie":       "salut @\u200bmarie",
		"écrivez à zorglub.martinez@example.org": "écrivez à zorglub.martinez@example.org",
		"(@here)": "(@\u200bhere)",
		"[impots.gouv.fr](http://ailleurs.example/x)": "impots.gouv.fr (http://ailleurs.example/x)",
		"voir [ici](<https://a.example> \"titre\")":   "voir ici (https://a.example)",
		"un [crochet] seul":                           "un [crochet] seul",
	} {
		if got := mediation.Defuse(in); got != want {
			t.Errorf("Defuse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestForPlace(t *testing.T) {
	m := mediation.Config{Queues: map[string]mediation.Queue{
		"default": {}, "default/QC": {}, "default/04": {}, "logement": {}, "logement/13": {}, "logement/QC": {},
	}}
	for _, c := range []struct{ q, j, dept, want string }{
		{"logement", "FR", "13", "logement/13"}, // the Bouches-du-Rhône's housing mediators
		{"logement", "FR", "05", "logement"},
		{"logement", "QC", "", "logement/QC"},
		{"papiers", "FR", "04", "default/04"}, // no papiers queue: the département's default
		{"papiers", "QC", "", "default/QC"},
		{"papiers", "FR", "", "papiers"}, // falls back to the default queue when read
		{"default", "FR", "04", "default/04"},
		{"default", "", "", "default"},
	} {
		if got := m.ForPlace(c.q, c.j, c.dept); got != c.want {
			t.Errorf("ForPlace(%q, %q, %q) = %q, want %q", c.q, c.j, c.dept, got, c.want)
		}
	}
}
