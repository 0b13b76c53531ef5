package answer_test

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/knowledge"
)

func hit(id string, confidence, match float64) knowledge.Hit {
	return knowledge.Hit{Kind: knowledge.HitItem, ID: id, Confidence: confidence, Match: match}
}

func TestDecide(t *testing.T) {
	p := answer.DefaultPolicy()
	for name, tc := range map[string]struct {
		hits    []knowledge.Hit
		answer  bool
		offered []string
	}{
		"sure":               {[]knowledge.Hit{hit("a", 0.9, 1), hit("b", 0.2, 0.5)}, true, nil},
		"close runner-up":    {[]knowledge.Hit{hit("a", 0.7, 1), hit("b", 0.6, 0.9)}, true, []string{"b"}},
		"unsure, offered":    {[]knowledge.Hit{hit("a", 0.3, 0.6), hit("b", 0.2, 0.5), hit("c", 0.1, 0.1)}, false, []string{"a", "b"}},
		"first kept first":   {[]knowledge.Hit{hit("a", 0.3, 0.2), hit("b", 0.2, 0.5)}, false, []string{"a", "b"}},
		"not understood":     {[]knowledge.Hit{hit("a", 0.2, 0.1)}, false, nil},
		"nothing":            {nil, false, nil},
		"at most MaxOffered": {[]knowledge.Hit{hit("a", 0.3, 0.6), hit("b", 0.3, 0.6), hit("c", 0.3, 0.6), hit("d", 0.3, 0.6)}, false, []string{"a", "b", "c"}},
	} {
		ans, offered := p.Decide(tc.hits)
		var ids []string
		for _, h := range offered {
			ids = append(ids, h.ID)
		}
		if ans != tc.answer || strings.Join(ids, ",") != strings.Join(tc.offered, ",") {
			t.Errorf("%s: Decide = %v %v, want %v %v", name, ans, ids, tc.answer, tc.offered)
		}
	}
	if !p.Certain(0.71) || p.Certain(0.69) || !p.Confident(0.5) {
		t.Error("Certain is 0.2 above the answer threshold, Confident at it")
	}
}

// whole is a sheet as a mediator sends it: all its messages.
func whole(w answer.Writer, it *knowledge.Item) string { return strings.Join(w.Messages(it), "\n") }

// A sheet without English text is said to be in French rather than
// passed off as English; English text is used where it is written.
func TestWriterItem(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	it := &knowledge.Item{ID: "x", Title: "Carte d'identité perdue", Summary: "Refaire sa carte.", Steps: []string{"Achetez un timbre."},
		Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/F1344"}}
	fr := whole(answer.NewWriter(cat, "fr"), it)
	if !strings.HasPrefix(fr, "Carte d'identité perdue\nRefaire sa carte.") || !strings.Contains(fr, "1. Achetez un timbre.") || !strings.Contains(fr, "F1344") {
		t.Errorf("French item:\n%s", fr)
	}
	en := whole(answer.NewWriter(cat, "en"), it)
	if !strings.HasPrefix(en, cat.T("en", "item_in_french")) {
		t.Errorf("an item without English is not said to be in French:\n%s", en)
	}
	it.TitleEN, it.SummaryEN = "Lost identity card", "Get a new card."
	w := answer.NewWriter(cat, "en")
	if got := whole(w, it); !strings.HasPrefix(got, "Lost identity card\nGet a new card.") || !strings.Contains(got, cat.T("en", "detail_steps_in_french", "title", "Lost identity card")) {
		t.Errorf("English item:\n%s", got)
	}
	if w.ItemTitle(it) != "Lost identity card" || answer.NewWriter(cat, "fr-CA").ItemTitle(it) != "Carte d'identité perdue" {
		t.Error("titles in the reader's language")
	}
}

// A sheet a mediator sends comes as messages that each fit a chat: the
// first message, then its parts.
func TestWriterMessagesFit(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	it := &knowledge.Item{ID: "x", Title: "Carte d'identité perdue", Summary: "Refaire sa carte.", Cost: "25 €",
		Steps:     []string{strings.Repeat("Une étape longue à lire. ", 12), "Deux.", "Trois.", "Quatre.", "Cinq.", "Six.", "Sept."},
		Documents: []string{"Photo", "Timbre"}, Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/F1344"}}
	ms := answer.NewWriter(cat, "fr").Messages(it)
	if len(ms) < 4 {
		t.Fatalf("%d messages, want the first, the steps, the documents and the cost", len(ms))
	}
	all := strings.Join(ms, "\n")
	for _, want := range []string{"Carte d'identité perdue", "7. Sept.", "• Timbre", "25 €"} {
		if !strings.Contains(all, want) {
			t.Errorf("the messages lack %q", want)
		}
	}
	for i, m := range ms {
		if !answer.Fits(m) {
			t.Errorf("message %d does not fit a chat: %d chars\n%s", i, len(m), m)
		}
	}
}
