package places

import (
	"sync"
	"testing"

	"github.com/boussole/boussole/bot/catalog"
)

// sharedGazetteer is built once for all the tests, which only read it,
// with the catalogue's words.
var sharedGazetteer = sync.OnceValues(func() (*Gazetteer, error) { return New(testWords()) })

func catalogWords() Words {
	cat, err := catalog.New()
	if err != nil {
		panic(err)
	}
	return WordsFrom(cat.AllWords)
}

// testWords are the catalogue's words, with the words Find reads that
// the catalogue may not have yet (words_place_search, _search_near,
// _ordinal, _district, French and English), so that the tests read what
// the catalogue is to hold.
func testWords() Words {
	w := catalogWords()
	or := func(have []string, want ...string) []string {
		if len(have) > 0 {
			return have
		}
		return want
	}
	w.Search = or(w.Search, "vers", "sur", "around")
	w.SearchNear = or(w.SearchNear, "autour", "alentours", "environs", "proximité")
	w.Ordinal = or(w.Ordinal, "e", "ème", "eme", "er", "ère", "re", "st", "nd", "rd", "th")
	w.District = or(w.District, "arrondissement", "arr", "arrdt", "district")
	return w
}

func gazetteer(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := sharedGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestJurisdiction(t *testing.T) {
	g := gazetteer(t)
	for _, c := range []struct{ text, want string }{
		{"j'habite à Aubagne et je cherche la caf", FR},
		{"je vis a aubagne", FR},
		{"France Services près de Manosque ?", FR},
		{"je suis à Rimouski, il me faut un médecin", QC},
		{"I live in Sherbrooke", QC},
		{"je suis à Saint-Jean-sur-Richelieu", QC},
		{"mon code postal est H2X 1Y4", QC},
		{"cp: j8y3e2", QC},
		{"cp 13001", FR},
		{"j'habite au 75011", FR},
		{"une aide à Montréal", ""},        // says what is asked, not where one is
		{"je suis à Laval", ""},            // Mayenne and Québec
		{"j'ai 13000 euros de dettes", ""}, // an amount, not Marseille
		{"je suis à la rue", ""},
		{"je dors à rue", ""}, // Rue (Somme) only when written so
		{"je suis à Rue, dans la Somme", FR},
		{"je mange une orange", ""},
		{"je travaille à Orange", FR},
		{"à Aubagne puis à Rimouski", ""}, // both sides: no answer
		{"bonjour", ""},
		{"", ""},
	} {
		if got := g.Jurisdiction(c.text); got != c.want {
			t.Errorf("Jurisdiction(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestLocateRest(t *testing.T) {
	g := gazetteer(t)
	for _, c := range []struct{ text, j, rest string }{
		{"j'habite à Rimouski, comment renouveler mon permis", QC, "comment renouveler mon permis"},
		{"je suis à Laval", "", ""}, // the place is said, its side is not
		{"mon code postal est H2X 1Y4", QC, ""},
		{"je suis à Rimouski et je cherche un médecin", QC, "et je cherche un medecin"},
		{"carte grise cp 13001", FR, "carte grise"},
		{"H2X 1Y4 loyer", QC, "loyer"},
		{"je mange une orange", "", "je mange une orange"},
	} {
		j, rest, err := g.Locate(t.Context(), c.text)
		if err != nil || j != c.j || rest != c.rest {
			t.Errorf("Locate(%q) = %q, %q; want %q, %q", c.text, j, rest, c.j, c.rest)
		}
	}
}

func TestLookups(t *testing.T) {
	g := gazetteer(t)
	m := g.Postal("13005")
	if len(m) != 1 || m[0].Name != "Marseille" || m[0].Lat == 0 {
		t.Fatalf("Postal(13005) = %+v", m)
	}
	if got := side(g.Towns("trois-rivieres")); got != "" {
		t.Fatalf("Trois-Rivières: %q, want none (Guadeloupe has one of 7,000 people)", got)
	}
	if got := side(g.Towns("montreal")); got != QC {
		t.Fatalf("Montréal: %q, want QC (the Aude's is small)", got)
	}
	if n := len(g.Towns("Saint-Martin")); n < 2 {
		t.Fatalf("Saint-Martin: %d towns, want several", n)
	}
}

func BenchmarkJurisdiction(b *testing.B) {
	g := gazetteer(b)
	msg := "bonjour j'habite à Aubagne depuis deux ans et je voudrais savoir comment faire une demande d'aide au logement, mon code postal est 13400"
	for b.Loop() {
		g.Jurisdiction(msg)
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(catalogWords()); err != nil {
			b.Fatal(err)
		}
	}
}
