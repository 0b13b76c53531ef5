package search_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

// headBase has, like the labour sheets, several narrow sheets on the pair
// "congé parental" that mention seniority in passing, and the general
// sheet on seniority that says how such leave counts.
func headBase(extra int) *knowledge.Base {
	leave := func(id, title string) *knowledge.Item {
		return &knowledge.Item{ID: id, Kind: knowledge.KindProcedure, Title: title,
			Summary: "Le salarié en congé parental garde son ancienneté pour moitié.",
			Body:    "Congé parental d'éducation : durée, ancienneté, retour dans l'entreprise."}
	}
	items := []*knowledge.Item{
		leave("parental-plein", "Congé parental d'éducation à temps plein"),
		leave("parental-partiel", "Congé parental d'éducation à temps partiel"),
		leave("parental-public", "Congé parental dans la fonction publique"),
		leave("parental-successifs", "Peut-on prendre plusieurs congés parentaux ?"),
		{ID: "anciennete", Kind: knowledge.KindProcedure, Title: "Comment calculer l'ancienneté du salarié ?",
			Summary: "Les périodes prises en compte dans l'ancienneté.",
			Body:    "Certaines absences comptent pour moitié."},
		{ID: "conges-payes", Kind: knowledge.KindProcedure, Title: "Congés payés",
			Summary: "Le droit aux congés payés du salarié."},
	}
	// extra narrow sheets push the general one out of the candidate pool.
	for i := range extra {
		items = append(items, leave(fmt.Sprintf("parental-%d", i), fmt.Sprintf("Congé parental : cas %d", i)))
	}
	return knowledge.NewBase(items, nil, nil)
}

func TestHeadNotionThird(t *testing.T) {
	for _, extra := range []int{0, 40} {
		t.Run(fmt.Sprint(extra), func(t *testing.T) { testHeadNotionThird(t, extra) })
	}
}

func testHeadNotionThird(t *testing.T, extra int) {
	ix := search.New(headBase(extra), search.Options{})
	rank := func(text, id string) int {
		for i, h := range ix.Search(text, 5) {
			if h.ID == id {
				return i + 1
			}
		}
		return 0
	}
	// Without "et" the words are one question: the narrow sheets win
	// (with the extra sheets, the general one is not among the 5+24
	// candidates re-scored: it is then scored on its own).
	if extra > 0 {
		all := ix.Search("ancienneté congé parental", 100)
		if i := slices.IndexFunc(all, func(h knowledge.Hit) bool { return h.ID == "anciennete" }); i < 5+24 {
			t.Fatalf("seniority sheet at %d of all: the test base no longer leaves it out of the pool", i+1)
		}
	}
	if r := rank("ancienneté congé parental", "anciennete"); r >= 1 && r <= 3 {
		t.Fatalf("no join: seniority sheet at %d, want below the pair's sheets (the test base no longer shows the case)", r)
	}
	if r := rank("ancienneté et congé parental", "anciennete"); r != 3 {
		t.Errorf("ancienneté et congé parental: seniority sheet at %d, want 3", r)
	}
	hits := ix.Search("ancienneté et congé parental", 5)
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("scores not decreasing at %d: %v > %v (the bot re-sorts by score)", i+1, hits[i].Score, hits[i-1].Score)
		}
	}
	if c := hits[2].Confidence; c >= hits[0].Confidence {
		t.Errorf("promoted sheet confidence %.2f, want below the first hit's %.2f", c, hits[0].Confidence)
	}
	// Asked for fewer than three hits, nothing is promoted.
	for _, h := range ix.Search("ancienneté et congé parental", 2) {
		if h.ID == "anciennete" {
			t.Errorf("k=2: seniority sheet promoted into %v", h)
		}
	}
	// A long message's "et" joins clauses, not notions.
	long := "bonjour je suis en congé parental depuis un an et je voudrais savoir ce qui se passe pour mon ancienneté"
	if r := rank(long, "anciennete"); r == 3 {
		t.Errorf("long message: seniority sheet promoted to 3")
	}
}

func TestHeadOfJoin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ancienneté et congé parental", "ancienneté"},
		{"calcul congé payé ET maladie", "calcul congé payé"},
		{"et maladie", ""},
		{"congés payés et", ""},
		{"congés payés", ""},
		{"rsa et prime d'activité et apl", "rsa"},
		{"je suis en congé parental depuis un an et je voudrais savoir ce qui se passe", ""},
	} {
		if got := search.HeadOf(tc.in); got != tc.want {
			t.Errorf("headOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
