package knowledge

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSourceKey(t *testing.T) {
	const f1344 = "service-public:F1344"
	for _, tt := range []struct{ in, want string }{
		{"https://www.service-public.fr/particuliers/vosdroits/F1344", f1344},
		{"http://service-public.fr/particuliers/vosdroits/F1344/", f1344},
		{"https://WWW.Service-Public.fr/particuliers/vosdroits/F1344#cas-1", f1344},
		{"https://www.service-public.fr/professionnels-entreprises/vosdroits/F1344", f1344},
		{"https://www.service-public.gouv.fr/particuliers/vosdroits/F1344", f1344},
		{" https://www.service-public.fr/particuliers/vosdroits/f1344 ", f1344},
		{"https://www.service-public.fr/particuliers/vosdroits/F1341", "service-public:F1341"},
		{"https://www.service-public.gouv.fr/simulateur/calcul/14011", "service-public.fr/simulateur/calcul/14011"},
		{"https://www.caf.fr/", "caf.fr"},
		{"http://caf.fr", "caf.fr"},
		{"https://example.org/page?id=3#top", "example.org/page?id=3"},
		{"https://example.org/a/b/", "example.org/a/b"},
		{"F1344", ""},
		{"", ""},
	} {
		if got := sourceKey(tt.in); got != tt.want {
			t.Errorf("sourceKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// sheet is an imported item as the service-public importer makes it.
func sheet(id, date string, related ...string) *Item {
	d, err := ParseDate(date)
	if err != nil {
		panic(err)
	}
	return &Item{ID: id, Kind: KindProcedure, Title: "Fiche " + id, Summary: "S", Jurisdiction: "FR", Origin: "service-public",
		Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/" + id}, Reviewed: d, Related: related}
}

// curatedBase is hand-written items (written as an admin would, through
// the YAML decoder) and imported sheets.
func curatedBase(t *testing.T, yaml string, sheets ...*Item) *Base {
	t.Helper()
	items, err := ParseItems("items/a.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return NewBase(items, nil, nil).WithItems(sheets)
}

func ids(items []*Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

const curatedItems = `
- id: cni-perte
  kind: procedure
  title: Carte d'identité perdue
  summary: Refaire sa carte. 25 € en timbre fiscal.
  jurisdiction: FR
  sources: ["http://service-public.fr/particuliers/vosdroits/F1344/", "https://www.service-public.gouv.fr/particuliers/vosdroits/F33805"]
  reviewed: 2026-10-01
- id: cni-vol
  kind: procedure
  title: Carte d'identité volée
  summary: Déclarer le vol.
  sources: ["https://ants.gouv.fr/"]
  reviewed: 2026-10-01
  replaces: F1759
- id: qc-carte
  kind: procedure
  title: Carte au Québec
  summary: Pour comparer.
  jurisdiction: QC
  sources: ["https://www.quebec.ca/", "https://www.service-public.fr/particuliers/vosdroits/F1153"]
  reviewed: 2026-10-01
`

// A hand-written item stands for the sheet of its first source and those
// of its replaces:, compared normalised; other sheets stay, a sheet it
// only borrows from (a later source) too. The base given is
// left whole: that is what `boussole eval` measures.
func TestPreferCurated(t *testing.T) {
	b := curatedBase(t, curatedItems,
		sheet("F1344", "2020-01-02", "F1759"), sheet("F33805", "2020-01-02"), sheet("F1759", "2020-01-02"),
		sheet("F1153", "2019-10-02", "F1344", "F1759", "F1344"), sheet("F99", "2020-01-02"))
	b.items["F1153"].Mentions = []Mention{{To: "F1344", Text: "en cas de perte"}, {To: "F99", Text: "autre"}}

	served, n := b.PreferCurated()
	if n != 2 {
		t.Errorf("replaced %d sheets, want 2 (F1344 by the first source, F1759 by replaces:)", n)
	}
	if got, want := ids(served.Items), []string{"cni-perte", "cni-vol", "qc-carte", "F33805", "F1153", "F99"}; !slices.Equal(got, want) {
		t.Errorf("served items = %v, want %v (a Québec item stands for no French sheet)", got, want)
	}
	if got := ids(b.Items); len(got) != 8 {
		t.Errorf("the base given lost items: %v", got)
	}
	for id, want := range map[string]string{"F1344": "cni-perte", "F33805": "F33805", "F1759": "cni-vol", "F1153": "F1153", "cni-perte": "cni-perte"} {
		if it, ok := served.Item(id); !ok || it.ID != want {
			t.Errorf("Item(%s) = %v, %v; want %s", id, it, ok, want)
		}
	}
	if _, ok := served.Item("F404"); ok {
		t.Error("Item of an unknown id")
	}
	// Links to replaced sheets lead to the item shown instead, once;
	// the sheet in the base given keeps its own.
	f1153, _ := served.Item("F1153")
	if want := []string{"cni-perte", "cni-vol"}; !slices.Equal(f1153.Related, want) {
		t.Errorf("Related = %v, want %v", f1153.Related, want)
	}
	if f1153.Mentions[0].To != "cni-perte" || f1153.Mentions[1].To != "F99" {
		t.Errorf("Mentions = %v", f1153.Mentions)
	}
	if orig := b.items["F1153"]; orig.Related[0] != "F1344" || orig.Mentions[0].To != "F1344" {
		t.Errorf("the base given was changed: %v %v", orig.Related, orig.Mentions)
	}
	// Once is enough: nothing more to replace, and the ids still lead on.
	again, n := served.PreferCurated()
	if it, ok := again.Item("F1344"); n != 0 || !ok || it.ID != "cni-perte" {
		t.Errorf("PreferCurated twice: %d replaced, Item(F1344) = %v", n, it)
	}
	// Nothing hand-written stands for a sheet: the same base.
	plain := NewBase([]*Item{sheet("F1", "2020-01-02")}, nil, nil)
	if got, n := plain.PreferCurated(); got != plain || n != 0 {
		t.Errorf("PreferCurated without hand-written items = %p, %d", got, n)
	}
}

// When several items stand for one sheet, its id leads to the one naming
// it in replaces:, then to one whose first source it is, then to the
// first.
func TestPreferCuratedWhoseID(t *testing.T) {
	item := func(id, extra string) string {
		return "- id: " + id + "\n  kind: procedure\n  title: T\n  summary: S\n  reviewed: 2026-10-01\n" + extra
	}
	const (
		f1 = "https://www.service-public.fr/particuliers/vosdroits/F1"
		f2 = "https://www.service-public.fr/particuliers/vosdroits/F2"
	)
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"first in file order", item("a", "  sources: [\""+f1+"\"]\n") + item("b", "  sources: [\""+f1+"\"]\n"), "a"},
		{"first source", item("a", "  sources: [\""+f2+"\", \""+f1+"\"]\n") + item("b", "  sources: [\""+f1+"\"]\n"), "b"},
		{"replaces", item("a", "  sources: [\""+f1+"\"]\n") + item("b", "  sources: [\"https://ants.gouv.fr/\"]\n  replaces: [F1]\n"), "b"},
	} {
		served, n := curatedBase(t, tt.yaml, sheet("F1", "2020-01-02"), sheet("F2", "2020-01-02")).PreferCurated()
		if it, ok := served.Item("F1"); n == 0 || !ok || it.ID != tt.want {
			t.Errorf("%s: Item(F1) = %v (%d replaced), want %s", tt.name, it, n, tt.want)
		}
	}
}

// A tree written with a replaced sheet's id stays valid on the base the
// bot serves, and leads to the hand-written item.
func TestPreferCuratedTrees(t *testing.T) {
	b := curatedBase(t, curatedItems, sheet("F1344", "2020-01-02"))
	b = NewBase(b.Items, []*Tree{{ID: "t", Title: "T", Jurisdiction: "FR", Triggers: []string{"cni"}, Start: "s", Pos: Pos{File: "trees/t.yaml", Line: 1},
		Nodes: map[string]*Node{"s": {ID: "s", Ask: "Q", Choices: []Choice{{Label: "Perdue", Answer: []string{"F1344"}}}}}}}, nil)
	served, _ := b.PreferCurated()
	// (The emergency numbers these few items lack are not the point.)
	for _, p := range Validate(served) {
		if strings.Contains(p.Msg, "tree") || strings.Contains(p.Msg, "F1344") {
			t.Errorf("tree naming a replaced sheet: %s", p)
		}
	}
	if it, ok := served.Item(served.Trees[0].Nodes["s"].Choices[0].Answer[0]); !ok || it.ID != "cni-perte" {
		t.Errorf("the tree's answer leads to %v", it)
	}
}

// An unknown replaces: id is to review, not a problem: the next import may
// retire the sheet, and that must not stop the bot. It can only be told
// when imported sheets are there.
func TestReviewReplaces(t *testing.T) {
	const yaml = "id: a\nkind: procedure\ntitle: T\nsummary: S\nsources: [\"https://ants.gouv.fr/\"]\nreviewed: 2026-11-01\nreplaces: [F1344, F404]\n"
	with := curatedBase(t, yaml, sheet("F1344", "2020-01-02"))
	got := Review(with, testToday)
	if len(got) != 1 || !strings.Contains(got[0].String(), "items/a.yaml:1: item \"a\" replaces F404, which is not among the imported sheets") {
		t.Errorf("Review = %v", got)
	}
	if served, _ := with.PreferCurated(); len(Review(served, testToday)) != 1 {
		t.Errorf("Review of the served base = %v, want the same one note", Review(served, testToday))
	}
	if got := Review(curatedBase(t, yaml), testToday); got != nil {
		t.Errorf("Review without imported sheets = %v", got)
	}
}

// An imported sheet says it is old once its date is more than the months
// given before the day; hand-written items never do. The base given keeps
// its items unmarked.
func TestMarkStale(t *testing.T) {
	b := curatedBase(t, curatedItems, sheet("F1153", "2019-10-02"), sheet("F1344", "2019-10-03"), sheet("F99", "2021-01-01"))
	b.items["cni-perte"].Reviewed, _ = ParseDate("2015-01-01")
	today := time.Date(2021, 4, 3, 23, 0, 0, 0, time.FixedZone("Québec", -4*3600))
	marked, n := b.MarkStale(today, 18)
	if n != 1 {
		t.Errorf("%d stale, want 1", n)
	}
	for id, want := range map[string]int{"F1153": 18, "F1344": 0, "F99": 0, "cni-perte": 0} {
		if it, _ := marked.Item(id); it.StaleMonths != want {
			t.Errorf("%s: StaleMonths = %d, want %d", id, it.StaleMonths, want)
		}
	}
	if it, _ := b.Item("F1153"); it.StaleMonths != 0 {
		t.Error("MarkStale changed the base given")
	}
	if got, n := b.MarkStale(today, 0); got != b || n != 0 {
		t.Error("MarkStale with 0 months")
	}
	// The replaced sheets' ids still lead on after marking.
	served, _ := b.PreferCurated()
	served, _ = served.MarkStale(today, 18)
	if it, ok := served.Item("F1344"); !ok || it.ID != "cni-perte" {
		t.Errorf("Item(F1344) after MarkStale = %v", it)
	}
}
