package knowledge

import (
	"strings"
	"testing"
)

func TestWithItemReplacesAndLeavesTheBaseAlone(t *testing.T) {
	items, err := ParseItems("items.yaml", []byte(`
- {id: a, kind: procedure, title: A, summary: Sa, sources: ["https://example.org/a"], reviewed: 2026-01-01}
- {id: b, kind: procedure, title: B, summary: Sb, sources: ["https://example.org/b"], reviewed: 2026-01-01}
`))
	if err != nil {
		t.Fatal(err)
	}
	b := NewBase(items, nil, nil)
	draft := *items[0]
	draft.Title = "A edited"
	draft.Sources = nil
	nb := b.WithItem(&draft)
	if got, _ := nb.Item("a"); got.Title != "A edited" {
		t.Errorf("the new base has %q, want the draft", got.Title)
	}
	if got, _ := b.Item("a"); got.Title != "A" {
		t.Errorf("the old base changed: %q", got.Title)
	}
	if len(nb.Items) != 2 || nb.Items[0] != &draft {
		t.Errorf("the draft does not take the place of the published item: %v", nb.Items)
	}
	if p := Validate(nb); len(p) != 1 || !strings.Contains(p[0].Msg, "no official source") {
		t.Errorf("problems of the new base: %v", p)
	}
	if p := Validate(b); p != nil {
		t.Errorf("the old base got problems: %v", p)
	}

	added := b.WithItem(&Item{ID: "c", Kind: KindProgram, Title: "C", Summary: "Sc", Sources: []string{"https://example.org/c"}, Reviewed: Date{}})
	if len(added.Items) != 3 || added.Items[2].ID != "c" {
		t.Errorf("a new item is not appended: %v", added.Items)
	}
	if _, ok := b.Item("c"); ok {
		t.Error("the old base got the new item")
	}
}

func TestAudiencesAndKinds(t *testing.T) {
	if a := Audiences(); len(a) != 3 || a[0] != "particulier" {
		t.Errorf("Audiences() = %v", a)
	}
	a := Audiences()
	a[0] = "x"
	if Audiences()[0] != "particulier" {
		t.Error("Audiences gives its own slice away")
	}
	if k := Kinds(); len(k) != 4 || k[0] != KindProcedure || k[3] != KindEmergency {
		t.Errorf("Kinds() = %v", k)
	}
}
