package knowledge_test

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

// WithTree puts a draft in place of the published tree (same place in
// the list) or adds a new one, and leaves the base it starts from alone:
// the admin validates drafts against the knowledge in force with it.
func TestWithTree(t *testing.T) {
	b, err := knowledge.LoadFS(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := b.Tree("papiers-identite")
	at := -1
	for i, tr := range b.Trees {
		if tr == pub {
			at = i
		}
	}
	draft := *pub
	draft.Title = "Papiers (brouillon)"
	draft.Nodes = map[string]*knowledge.Node{}
	for id, n := range pub.Nodes {
		c := *n
		draft.Nodes[id] = &c
	}
	first := *draft.Nodes[draft.Start]
	first.Choices = append([]knowledge.Choice(nil), first.Choices...)
	first.Choices[0].Next = "nulle-part"
	draft.Nodes[draft.Start] = &first

	nb := b.WithTree(&draft)
	if got, _ := nb.Tree("papiers-identite"); got != &draft {
		t.Error("the new base does not serve the draft")
	}
	if len(nb.Trees) != len(b.Trees) || nb.Trees[at] != &draft {
		t.Errorf("the draft is not in the published tree's place (%d)", at)
	}
	if got, _ := b.Tree("papiers-identite"); got != pub || got.Title == "Papiers (brouillon)" {
		t.Error("the base changed")
	}
	if p := knowledge.Validate(b); len(p) != 0 {
		t.Fatalf("the demo has problems: %v", p)
	}
	p := knowledge.Validate(nb)
	if len(p) == 0 || !strings.Contains(p.Error(), `next node "nulle-part" does not exist`) {
		t.Errorf("the draft's problem is not found: %v", p)
	}

	added := &knowledge.Tree{ID: "nouveau", Title: "Nouveau", Triggers: []string{"nouveau"}, Start: "q", Nodes: map[string]*knowledge.Node{
		"q": {ID: "q", Ask: "Oui ?", Choices: []knowledge.Choice{{Label: "Oui", Escalate: "general"}}}}}
	nb = b.WithTree(added)
	if len(nb.Trees) != len(b.Trees)+1 || nb.Trees[len(nb.Trees)-1] != added {
		t.Error("a new tree is not added at the end")
	}
	if _, ok := b.Tree("nouveau"); ok {
		t.Error("the base gained the new tree")
	}
	if p := knowledge.Validate(nb); len(p) != 0 {
		t.Errorf("a valid new tree has problems: %v", p)
	}
	if len(nb.Items) != len(b.Items) {
		t.Error("the items are not shared")
	}
}
