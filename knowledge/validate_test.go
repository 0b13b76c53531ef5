package knowledge

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Most rules are covered by the golden cases of testdata/invalid; these
// cover bases built in code (as the admin will), which may lack positions,
// node ids or even NewBase.

func validItem(id string) *Item {
	d, _ := ParseDate("2026-10-01")
	return &Item{ID: id, Kind: KindProcedure, Title: "T", Summary: "S",
		Sources: []string{"https://www.service-public.fr/F1"}, Reviewed: d}
}

func TestValidateBuiltInCode(t *testing.T) {
	tests := []struct {
		name string
		base *Base
		want []string // substrings, one per problem, in order
		// count, when set, is the number of problems expected instead.
		count int
	}{
		{name: "nil base", base: nil},
		{name: "empty base", base: &Base{}},
		{name: "nil entries ignored", base: &Base{Items: []*Item{nil, validItem("a")}, Trees: []*Tree{nil}}},
		{
			name: "without NewBase, answers still resolve",
			base: &Base{Items: []*Item{validItem("a")}, Trees: []*Tree{{
				ID: "t", Title: "T", Triggers: []string{"x"}, Start: "s",
				// Node.ID left empty: the map key is the name.
				Nodes: map[string]*Node{"s": {Ask: "Q", Choices: []Choice{{Label: "L", Answer: []string{"a"}}}}},
			}}},
		},
		{
			name: "nil node counts as missing",
			base: &Base{Trees: []*Tree{{
				ID: "t", Title: "T", Triggers: []string{"x"}, Start: "s",
				Nodes: map[string]*Node{"s": {Ask: "Q", Choices: []Choice{{Label: "L", Next: "n"}, {Label: "M", Escalate: "q"}}}, "n": nil},
			}}},
			want: []string{`choice "L" of node "s": next node "n" does not exist in tree "t"`},
		},
		{
			name: "nil start node",
			base: &Base{Trees: []*Tree{{
				ID: "t", Title: "T", Triggers: []string{"x"}, Start: "n",
				Nodes: map[string]*Node{"s": {Ask: "Q", Choices: []Choice{{Label: "M", Escalate: "q"}}}, "n": nil},
			}}},
			want: []string{`tree "t": start node "n" does not exist`},
		},
		{
			name: "self loop only",
			base: &Base{Trees: []*Tree{{
				ID: "t", Title: "T", Triggers: []string{"x"}, Start: "s",
				Nodes: map[string]*Node{"s": {Ask: "Q", Choices: []Choice{{Label: "Encore", Next: "s"}}}},
			}}},
			want: []string{`node "s": no sequence of choices from here ever ends`},
		},
		{
			name: "synonyms without positions",
			base: NewBase(nil, nil, [][]string{{"a", "b"}, {"c"}}),
			want: []string{`synonyms group 2 ["c"] has fewer than 2 phrases`},
		},
		{
			name: "many unreachable nodes stay linear",
			base: func() *Base {
				nodes := map[string]*Node{"s": {Ask: "Q", Choices: []Choice{{Label: "M", Escalate: "q"}}}}
				for i := range 20000 {
					id := "n" + strconv.Itoa(i)
					nodes[id] = &Node{ID: id, Ask: "Q", Choices: []Choice{{Label: "L", Next: id}}}
				}
				return &Base{Trees: []*Tree{{ID: "t", Title: "T", Triggers: []string{"x"}, Start: "s", Nodes: nodes}}}
			}(),
			count: 20000,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Validate(tt.base)
			if tt.count > 0 {
				if len(ps) != tt.count {
					t.Errorf("got %d problems, want %d", len(ps), tt.count)
				}
				return
			}
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(tt.want), ps)
			}
			for i, w := range tt.want {
				if !strings.Contains(ps[i].String(), w) {
					t.Errorf("problem %d = %q, want %q", i, ps[i], w)
				}
			}
		})
	}
}

func TestIsWebURL(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://www.service-public.fr/particuliers/vosdroits/F1341", true},
		{"http://example.org", true},
		{"HTTPS://EXAMPLE.ORG/", true},
		{"https://", false},
		{"https://:443/x", false},
		{"ftp://example.org", false},
		{"mailto:a@b.fr", false},
		{"javascript:alert(1)", false}, // an imported place's website field
		{"http://www.diniapolis.fr", true},
		{"/relative/path", false},
		{"www.example.org", false},
		{"https://exa mple.org", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsWebURL(tt.in); got != tt.want {
			t.Errorf("IsWebURL(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestReview: review dates never make a base invalid, whatever today is;
// a date more than a day ahead or more than a year old is flagged for
// admins, and imported items are left to their importer.
func TestReview(t *testing.T) {
	item := func(id, reviewed string) *Item {
		it := validItem(id)
		it.Reviewed, _ = ParseDate(reviewed)
		return it
	}
	imported := item("imported", "2019-01-01")
	imported.Origin = "service-public"
	// A programme checked every 6 months: due on the day its period ends.
	due, notYet := item("due", "2026-05-21"), item("notyet", "2026-05-22")
	due.ReviewEvery, notYet.ReviewEvery = 6, 6
	b := NewBase([]*Item{
		item("tomorrow", "2026-11-22"), item("ahead", "2026-11-23"),
		item("year", "2025-11-21"), item("stale", "2025-11-20"), imported, due, notYet,
	}, nil, nil)
	if ps := Validate(b); ps != nil {
		t.Fatalf("review dates made the base invalid: %v", ps)
	}
	tests := []struct {
		name  string
		today time.Time
		want  []string
	}{
		{"today", testToday, []string{
			`item "ahead" has a review date in the future (2026-11-23)`,
			`item "stale" was last checked against its source on 2025-11-20, over a year ago`,
			`item "due" is due for review: checked on 2026-05-21, to be checked every 6 months`,
		}},
		// A clock far behind or ahead (a machine whose clock was reset, a
		// test run in 2020 or 2035) flags every item, and drops none.
		{"2020", time.Date(2020, 3, 2, 10, 0, 0, 0, time.UTC), []string{"ahead", "tomorrow", "stale", "year", "due", "notyet"}},
		{"2035", time.Date(2035, 1, 8, 10, 0, 0, 0, time.UTC), []string{"ahead", "tomorrow", "stale", "year", "due", "notyet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Review(b, tt.today)
			if len(ps) != len(tt.want) {
				t.Fatalf("got %d notices, want %d:\n%v", len(ps), len(tt.want), ps)
			}
			for _, w := range tt.want {
				if !strings.Contains(ps.Error(), w) {
					t.Errorf("notices lack %q:\n%v", w, ps)
				}
			}
			if strings.Contains(ps.Error(), "imported") {
				t.Errorf("an imported item is flagged:\n%v", ps)
			}
		})
	}
}

// TestReviewNamesFileAndLine: review notices point at the item in its
// file, as problems do, and a base whose dates are in the future loads.
func TestReviewNamesFileAndLine(t *testing.T) {
	dir := filepath.Join("testdata", "review", "reviewed-future")
	if _, err := Load(os.DirFS(dir)); err != nil {
		t.Fatalf("future review dates stopped the load: %v", err)
	}
	b := mustLoadDir(t, dir)
	got := Review(b, testToday).Error()
	for _, want := range []string{
		filepath.Join(dir, "items", "a.yaml") + `:1: item "cni-perte" has a review date in the future (2062-10-01)`,
		filepath.Join(dir, "items", "b.yaml") + `:1: item "b" has a review date in the future (2027-11-21)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("notices lack %q:\n%s", want, got)
		}
	}
}
