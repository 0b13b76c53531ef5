package places

import (
	"context"
	"testing"
)

// names returns the towns' names and départements (« Ruffec 16 »).
func names(towns []*Town) []string {
	out := make([]string, len(towns))
	for i, t := range towns {
		out[i] = t.Name + " " + t.Dept + t.Jurisdiction
	}
	return out
}

func TestFind(t *testing.T) {
	g := gazetteer(t)
	indre := Context{Dept: "36", Jurisdiction: FR}
	for _, c := range []struct {
		text   string
		prefer Context
		// first is the first candidate (« Name DeptJurisdiction »), ""
		// for none; n how many candidates (0: any).
		first     string
		n         int
		postal, j string
		rest      string
		ambiguous bool
	}{
		// No town: the engine asks which.
		{text: "près de chez moi", rest: "pres de chez moi"},
		{text: "un fab lab près de chez moi", rest: "un fab lab pres de chez moi"},
		{text: "à Aubagne", first: "Aubagne 13FR", n: 1, j: FR},
		{text: "13011", first: "Marseille 13FR", n: 1, postal: "13011", j: FR},
		{text: "cp 04000", first: "Digne-les-Bains 04FR", postal: "04000", j: FR}, // and its neighbours, not ambiguous
		{text: "mon code postal est 04000", first: "Digne-les-Bains 04FR", postal: "04000", j: FR},
		{text: "13011 Marseille", first: "Marseille 13FR", n: 1, postal: "13011", j: FR},
		{text: "autour de Gap", first: "Gap 05FR", n: 1, j: FR},
		{text: "un fab lab vers Gap", first: "Gap 05FR", n: 1, j: FR, rest: "un fab lab"},
		{text: "France Services sur Marseille", first: "Marseille 13FR", n: 1, j: FR, rest: "france services"},
		// « Digne » is the head of Digne-les-Bains (shortnames.go).
		{text: "France Services à Digne", first: "Digne-les-Bains 04FR", n: 1, j: FR, rest: "france services"},
		{text: "france services a digne", first: "Digne-les-Bains 04FR", n: 1, j: FR, rest: "france services"},
		{text: "un fab lab à Lyon", first: "Lyon 69FR", n: 1, j: FR, rest: "un fab lab"},
		{text: "je cherche un fab lab à Marseille 11e", first: "Marseille 13FR", n: 1, postal: "13011", j: FR, rest: "je cherche un fab lab"},
		{text: "France Services à Paris 15e", first: "Paris 75FR", n: 1, postal: "75015", j: FR, rest: "france services"},
		{text: "à Paris 16e arrondissement", first: "Paris 75FR", postal: "75016", j: FR},
		{text: "un EPN à Lyon 3e svp", first: "Lyon 69FR", postal: "69003", j: FR, rest: "un epn svp"},
		{text: "à Paris 1er", first: "Paris 75FR", postal: "75001", j: FR},
		{text: "Marseille 11ème", first: "Marseille 13FR", postal: "13011", j: FR},
		{text: "à Paris 2 jours par semaine", first: "Paris 75FR", j: FR, rest: "2 jours par semaine"},
		// Homonyms: ask, unless the context or a postal code settles it.
		{text: "vers Ruffec", first: "Ruffec 16FR", n: 2, j: FR, ambiguous: true},
		{text: "vers Ruffec", prefer: indre, first: "Ruffec 36FR", n: 2, j: FR},
		{text: "à Ruffec, 36300", first: "Ruffec 36FR", n: 1, postal: "36300", j: FR},
		{text: "Ruffec", first: "Ruffec 16FR", n: 2, j: FR, ambiguous: true},
		{text: "à Saint-Denis", first: "Saint-Denis 974FR", j: FR, ambiguous: true},
		{text: "une aide à Montréal", first: "Montréal QC", j: QC, rest: "une aide"},
		{text: "sur Laval", first: "Laval 53FR", n: 2, ambiguous: true},
		{text: "sur Laval", prefer: Context{Jurisdiction: QC}, first: "Laval QC", n: 2, j: QC},
		{text: "à Trois-Rivières", first: "Trois-Rivières QC", ambiguous: true},
		{text: "in Sherbrooke", first: "Sherbrooke QC", n: 1, j: QC},
		{text: "à st jérôme", first: "Saint-Jérôme QC", n: 1, j: QC},
		{text: "H2X 1Y4", postal: "H2X 1Y4", j: QC},
		// A message that is only a place.
		{text: "Aubagne", first: "Aubagne 13FR", n: 1, j: FR},
		{text: "st tropez", first: "Saint-Tropez 83FR", n: 1, j: FR},
		// Typos are Lookup's.
		{text: "marseile", rest: "marseile"},
		// Not places.
		{text: "je mange une orange", rest: "je mange une orange"},
		{text: "je suis à la queue", rest: "je suis a la queue"},
		{text: "un rendez-vous à domicile", rest: "un rendez vous a domicile"},
		{text: "une permanence à la mairie", rest: "une permanence a la mairie"},
		{text: "faire ma demande sur internet", rest: "faire ma demande sur internet"},
		{text: "un atelier vers 14h", rest: "un atelier vers 14h"},
		{text: "je dors à rue", rest: "je dors a rue"},
		{text: "", rest: ""},
	} {
		f, err := g.Find(t.Context(), c.text, c.prefer)
		if err != nil {
			t.Fatalf("Find(%q): %v", c.text, err)
		}
		got := names(f.Towns)
		first := ""
		if len(got) > 0 {
			first = got[0]
		}
		if first != c.first || c.n > 0 && len(got) != c.n || f.Postal != c.postal || f.Jurisdiction != c.j ||
			f.Ambiguous != c.ambiguous || f.Rest != c.rest {
			t.Errorf("Find(%q, %+v) = %q postal %q j %q ambiguous %v rest %q\nwant first %q (of %d) postal %q j %q ambiguous %v rest %q",
				c.text, c.prefer, got, f.Postal, f.Jurisdiction, f.Ambiguous, f.Rest, c.first, c.n, c.postal, c.j, c.ambiguous, c.rest)
		}
	}
}

func TestFindDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := gazetteer(t).Find(ctx, "à Aubagne", Context{}); err == nil {
		t.Fatal("Find with a done context: no error")
	}
}

// The catalogue may not hold Find's own words yet: New works without
// them and Find reads what the others allow.
func TestFindWithoutSearchWords(t *testing.T) {
	w := testWords()
	w.Search, w.SearchNear, w.Ordinal, w.District = nil, nil, nil, nil
	g, err := New(w)
	if err != nil {
		t.Fatal(err)
	}
	f, err := g.Find(t.Context(), "un fab lab à Marseille 11e", Context{})
	if err != nil || len(f.Towns) != 1 || f.Towns[0].Name != "Marseille" || f.Postal != "" {
		t.Fatalf("Find without search words = %q postal %q, %v", names(f.Towns), f.Postal, err)
	}
	if f, _ := g.Find(t.Context(), "autour de Gap", Context{}); len(f.Towns) != 0 {
		t.Fatalf("autour de Gap without words_place_search_near: %q", names(f.Towns))
	}
}

func TestAmbiguous(t *testing.T) {
	big := &Town{Name: "A", Jurisdiction: FR, Dept: "16", Population: 3449}
	small := &Town{Name: "A", Jurisdiction: FR, Dept: "36", Population: 562}
	tiny := &Town{Name: "A", Jurisdiction: FR, Dept: "36", Population: 300}
	qc := &Town{Name: "A", Jurisdiction: QC}
	city := &Town{Name: "A", Jurisdiction: FR, Dept: "53", Population: 49400}
	for _, c := range []struct {
		towns  []*Town
		prefer Context
		want   bool
	}{
		{nil, Context{}, false},
		{[]*Town{big}, Context{}, false},
		{[]*Town{big, small}, Context{}, true}, // 562 ≥ 3449 / 10
		{[]*Town{big, tiny}, Context{}, false}, // 300 < 3449 / 10
		{[]*Town{small, big}, Context{Dept: "36"}, false},
		{[]*Town{big, small}, Context{Jurisdiction: FR}, true},
		{[]*Town{qc, big}, Context{}, false}, // on both sides, the French one under 10,000: Québec's (side)
		{[]*Town{qc, city}, Context{}, true}, // Laval
		{[]*Town{qc, city}, Context{Jurisdiction: QC}, false},
	} {
		if got := Ambiguous(rank(c.towns, c.prefer), c.prefer); got != c.want {
			t.Errorf("Ambiguous(%v, %+v) = %v, want %v", names(c.towns), c.prefer, got, c.want)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	g := gazetteer(b)
	msgs := []string{
		"bonjour je cherche une France Services à Digne pour faire ma carte grise",
		"un fab lab à Marseille 11e ?",
		"est-ce qu'il y a un conseiller numérique autour de Gap",
		"13011",
		"je cherche un endroit pour imprimer près de chez moi",
	}
	for b.Loop() {
		for _, m := range msgs {
			if _, err := g.Find(b.Context(), m, Context{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/find")
}

// The readings take any text: none panics, and what they return holds
// together.
func FuzzReadings(f *testing.F) {
	for _, s := range []string{"à Aubagne", "Marseille 11 ème arrondissement", "13011 Marseille", "H2X 1Y4", "cp 04000",
		"st ste sts", "à Paris 99e", "1er 2e", "autour de de de", "Москва", "à 😀", "j8y3e2", "marseile 11e", "à Ruffec 36300 16700"} {
		f.Add(s)
	}
	g := gazetteer(f)
	f.Fuzz(func(t *testing.T, s string) {
		found, err := g.Find(t.Context(), s, Context{Dept: "13"})
		if err != nil {
			t.Fatal(err)
		}
		if found.Ambiguous && len(found.Towns) < 2 {
			t.Fatalf("Find(%q): ambiguous with %d towns", s, len(found.Towns))
		}
		if _, err := g.Lookup(t.Context(), s, Context{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := g.Locate(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		g.Commune(s, s, s)
	})
}
