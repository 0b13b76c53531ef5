package places

import (
	"context"
	"slices"
	"testing"
)

func TestLookup(t *testing.T) {
	g := gazetteer(t)
	for _, c := range []struct {
		name   string
		prefer Context
		// want are the first candidates (« Name DeptJurisdiction »), in
		// order; nil for none. n is how many there are (0: any).
		want      []string
		n         int
		ambiguous bool
	}{
		{name: "Aubagne", want: []string{"Aubagne 13FR"}, n: 1},
		{name: "AUBAGNE", want: []string{"Aubagne 13FR"}, n: 1},
		{name: "à Aubagne", want: []string{"Aubagne 13FR"}, n: 1},
		{name: "04000", want: []string{"Digne-les-Bains 04FR"}},
		{name: "13400 Aubagne", want: []string{"Aubagne 13FR"}, n: 1},
		{name: "cp 13011", want: []string{"Marseille 13FR"}, n: 1},
		{name: "Aubagne 13499", want: []string{"Aubagne 13FR"}, n: 1}, // no such code: the name
		{name: "st tropez", want: []string{"Saint-Tropez 83FR"}, n: 1},
		{name: "St-Tropez", want: []string{"Saint-Tropez 83FR"}, n: 1},
		{name: "Saint Tropez", want: []string{"Saint-Tropez 83FR"}, n: 1},
		{name: "ste maxime", want: []string{"Sainte-Maxime 83FR"}, n: 1},
		{name: "l'isle sur la sorgue", want: []string{"L'Isle-sur-la-Sorgue 84FR"}, n: 1},
		{name: "Marseille 11e", want: []string{"Marseille 13FR"}, n: 1},
		{name: "marseille 11 ème arrondissement", want: []string{"Marseille 13FR"}, n: 1},
		{name: "Paris 15", want: []string{"Paris 75FR"}, n: 1},
		{name: "Lyon 3e", want: []string{"Lyon 69FR"}, n: 1},
		{name: "Digne", want: []string{"Digne-les-Bains 04FR"}, n: 1},
		{name: "Cherbourg", want: []string{"Cherbourg-en-Cotentin 50FR"}, n: 1},
		// A head larger than the hamlet of that name: both, the head's town
		// first.
		{name: "Aix", want: []string{"Aix-en-Provence 13FR", "Aix-les-Bains 73FR", "Aix 19FR"}, n: 3, ambiguous: true},
		{name: "Saint-Quentin", want: []string{"Saint-Quentin 02FR"}},
		// Homonyms.
		{name: "Ruffec", want: []string{"Ruffec 16FR", "Ruffec 36FR"}, n: 2, ambiguous: true},
		{name: "Ruffec", prefer: Context{Dept: "36"}, want: []string{"Ruffec 36FR", "Ruffec 16FR"}, n: 2},
		{name: "Ruffec (36)", want: []string{"Ruffec 36FR"}, n: 1},
		{name: "Laval", want: []string{"Laval 53FR", "Laval QC"}, n: 2, ambiguous: true},
		{name: "Montréal", want: []string{"Montréal QC"}},
		// Typos: one edit from five letters, two from nine.
		{name: "marseile", want: []string{"Marseille 13FR"}, n: 1},
		{name: "marsielle", want: []string{"Marseille 13FR"}, n: 1},
		{name: "aubanne", want: []string{"Aubagne 13FR"}, n: 1},
		{name: "Sherbroke", want: []string{"Sherbrooke QC"}, n: 1},
		{name: "strasbour", want: []string{"Strasbourg 67FR"}, n: 1},
		{name: "lisle sur la sorgue", want: []string{"L'Isle-sur-la-Sorgue 84FR"}, n: 1},
		{name: "marseile 11e", want: []string{"Marseille 13FR"}, n: 1},
		// Québec.
		{name: "st jerome", want: []string{"Saint-Jérôme QC"}, n: 1},
		{name: "Saint-Jérôme", want: []string{"Saint-Jérôme QC"}, n: 1},
		{name: "Trois-Rivieres", want: []string{"Trois-Rivières QC"}, ambiguous: true},
		{name: "Trois-Rivieres", prefer: Context{Jurisdiction: QC}, want: []string{"Trois-Rivières QC"}},
		{name: "saint jean port joli", want: []string{"St-Jean-Port-Joli QC"}, n: 1}, // as the data spells it
		// Not towns.
		{name: "bibliothèque"},
		{name: "je ne sais pas"},
		{name: "merci"}, // Mercy (Allier) has 244 inhabitants: no typo for it
		{name: "bonjour"},
		{name: "Gapp"}, // four letters: no typo allowed
		{name: "99999"},
		{name: "Москва-сити"}, // letters outside a-z and 0-9
		{name: "Zürich ß 😀 ok"},
		{name: ""},
	} {
		towns, err := g.Lookup(t.Context(), c.name, c.prefer)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", c.name, err)
		}
		got := names(towns)
		if len(got) < len(c.want) || !slices.Equal(got[:len(c.want)], c.want) || c.want == nil && len(got) > 0 ||
			c.n > 0 && len(got) != c.n || Ambiguous(towns, c.prefer) != c.ambiguous {
			t.Errorf("Lookup(%q, %+v) = %q ambiguous %v; want %q… (%d) ambiguous %v",
				c.name, c.prefer, got, Ambiguous(towns, c.prefer), c.want, c.n, c.ambiguous)
		}
	}
}

func TestLookupDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := gazetteer(t).Lookup(ctx, "Aubagne", Context{}); err == nil {
		t.Fatal("Lookup with a done context: no error")
	}
}

func TestCommune(t *testing.T) {
	g := gazetteer(t)
	for _, c := range []struct {
		insee, postal, name string
		want                string // « Name Dept », "" for none
	}{
		{"13055", "", "", "Marseille 13"},
		{"13055", "75001", "Paris", "Marseille 13"}, // the INSEE code first
		{"13211", "13011", "Marseille 11e Arrondissement", "Marseille 13"},
		{"", "04000", "DIGNE LES BAINS", "Digne-les-Bains 04"},
		{"", "04000", "La Robine sur Galabre", "La Robine-sur-Galabre 04"},
		{"", "04000", "Dgne-les-Bains", "Digne-les-Bains 04"},
		{"", "04000", "", "Digne-les-Bains 04"},
		{"", "16700", "Ruffec", "Ruffec 16"},
		{"", "36300", "RUFFEC", "Ruffec 36"},
		{"", "13299", "MARSEILLE CEDEX 20", "Marseille 13"}, // a CEDEX code: the name
		{"", "", "Aubagne", "Aubagne 13"},
		{"", "", "Ruffec", ""}, // which one?
		{"", "", "Sherbrooke", "Sherbrooke "},
		{"", "", "", ""},
		{"99999", "99999", "Nulle-Part", ""},
	} {
		town, ok := g.Commune(c.insee, c.postal, c.name)
		got := ""
		if ok {
			got = town.Name + " " + town.Dept
		}
		if got != c.want || ok != (town != nil) {
			t.Errorf("Commune(%q, %q, %q) = %q, %v; want %q", c.insee, c.postal, c.name, got, ok, c.want)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	g := gazetteer(b)
	for _, bb := range []struct{ name, reply string }{
		{"exact", "Aubagne"},
		{"saint", "st tropez"},
		{"postal", "04000"},
		{"arrondissement", "Marseille 11e"},
		{"typo", "marseile"},
		{"typo-long", "saint jean de luzz"},
		{"nothing", "je ne sais pas trop"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := g.Lookup(b.Context(), bb.reply, Context{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
