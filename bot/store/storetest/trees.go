package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

func sampleTree() *knowledge.Tree {
	return &knowledge.Tree{
		ID: "papiers-identite", Title: "Papiers d'identité", TitleEN: "Identity papers", Lang: "fr", Jurisdiction: "FR",
		Triggers: []string{"carte d'identité", "cni", "passeport"},
		Start:    "quel-document",
		Nodes: map[string]*knowledge.Node{
			"quel-document": {ID: "quel-document", Ask: "Quel document vous faut-il ?", AskEN: "Which document?", Choices: []knowledge.Choice{
				{Label: "Carte d'identité", LabelEN: "Identity card", Next: "situation-cni", Keywords: []string{"cni"}},
				{Label: "Passeport", Answer: []string{"passeport-demande"}},
				{Label: "Je ne sais pas", Escalate: "papiers"},
			}},
			"situation-cni": {ID: "situation-cni", Ask: "Quelle est votre situation ?", Choices: []knowledge.Choice{
				{Label: "Première demande ou renouvellement", Answer: []string{"cni-demande"}},
				{Label: "Perte ou vol", Answer: []string{"cni-perte", "declaration-perte"}},
			}},
			"ou": {ID: "ou", Route: map[string]string{"FR": "quel-document", "QC": "situation-cni"}},
		},
	}
}

// relabel returns sampleTree with the label of the loss choice changed.
func relabel(label string) *knowledge.Tree {
	t := sampleTree()
	t.Nodes["situation-cni"].Choices[1].Label = label
	return t
}

func testTrees(t *testing.T, open Opener) {
	t.Run("identical content keeps its version, changed content makes a new one", func(t *testing.T) {
		e := setup(t, open)
		moved := sampleTree()
		moved.Pos = knowledge.Pos{File: "trees/papiers.yaml", Line: 3}
		moved.Nodes["quel-document"].Pos = knowledge.Pos{File: "trees/papiers.yaml", Line: 9}
		moved.Nodes["quel-document"].Choices[0].Pos = knowledge.Pos{File: "trees/papiers.yaml", Line: 12}
		for _, st := range []struct {
			name string
			tree *knowledge.Tree
			want int
		}{
			{"first publish", sampleTree(), 1},
			{"same content", sampleTree(), 1},
			{"same content, moved in its file", moved, 1},
			{"changed label", relabel("Perte, vol"), 2},
			{"same as version 2", relabel("Perte, vol"), 2},
			{"back to the first content", sampleTree(), 3},
		} {
			if v := e.publish(e.s, st.tree); v != st.want {
				t.Errorf("%s: PublishTree = %d, want %d", st.name, v, st.want)
			}
		}
		// Another process publishing the same content agrees.
		if v := e.publish(e.reopen(), sampleTree()); v != 3 {
			t.Errorf("PublishTree from another handle = %d, want 3", v)
		}
	})

	t.Run("each version reads back intact", func(t *testing.T) {
		e := setup(t, open)
		versions := []*knowledge.Tree{sampleTree(), relabel("Perte, vol"), relabel("Vol")}
		for i, tree := range versions {
			if v := e.publish(e.s, tree); v != i+1 {
				t.Fatalf("PublishTree = %d, want %d", v, i+1)
			}
		}
		for h, s := range []Store{e.s, e.reopen()} {
			for i, want := range versions {
				got, err := s.TreeVersion(e.ctx, want.ID, i+1)
				if err != nil || !equal(got, want) {
					t.Errorf("handle %d: version %d = %+v, %v\nwant %+v", h+1, i+1, got, err, want)
				}
			}
		}
	})

	t.Run("versions are per tree", func(t *testing.T) {
		e := setup(t, open)
		e.publish(e.s, sampleTree())
		e.publish(e.s, relabel("Vol"))
		other := sampleTree()
		other.ID, other.Title = "impots", "Impôts"
		if v := e.publish(e.s, other); v != 1 {
			t.Errorf("first version of another tree = %d, want 1", v)
		}
		if got, err := e.s.TreeVersion(e.ctx, "impots", 1); err != nil || got.Title != "Impôts" {
			t.Errorf("TreeVersion(impots, 1) = %v, %v", got, err)
		}
	})

	t.Run("unknown version is not found", func(t *testing.T) {
		e := setup(t, open)
		e.publish(e.s, sampleTree())
		for _, tt := range []struct {
			id string
			v  int
		}{{"papiers-identite", 2}, {"papiers-identite", 0}, {"unknown", 1}} {
			if _, err := e.s.TreeVersion(e.ctx, tt.id, tt.v); !errors.Is(err, knowledge.ErrNotFound) {
				t.Errorf("TreeVersion(%s, %d): err = %v, want ErrNotFound", tt.id, tt.v, err)
			}
		}
	})

	t.Run("two processes publishing at once agree", func(t *testing.T) {
		e := setup(t, open)
		ss := []Store{e.s, e.reopen(), e.reopen()}
		vs := make([]int, len(ss))
		errs := make([]error, len(ss))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range ss {
			wg.Go(func() {
				<-start
				vs[i], errs[i] = ss[i].PublishTree(e.ctx, sampleTree())
			})
		}
		close(start)
		wg.Wait()
		for i := range ss {
			if errs[i] != nil || vs[i] != 1 {
				t.Errorf("handle %d: PublishTree = %d, %v; want 1", i+1, vs[i], errs[i])
			}
		}
	})
}

func testRestart(t *testing.T, open Opener) {
	t.Run("everything survives a restart", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		k := e.openCase(e.s, bot.Case{Address: a, Queue: "papiers", Status: bot.CaseOpen, CreatedAt: T0, Urgent: []string{"violence"}})
		k = e.update(e.s, k.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: mediator("Awa"), Note: "vu", At: T0})
		conv := FullConversation(a, k.ID)
		turns := []bot.Turn{in(a, "bonjour", T0)}
		e.commit(e.s, conv, turns, reply(a, "Bonjour !"))
		e.publish(e.s, sampleTree())
		queued := e.pending(e.s)
		if err := e.s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		s := e.reopen()
		if got := e.conversation(s, a); !equal(got, conv) {
			t.Errorf("conversation\n got %+v\nwant %+v", got, conv)
		}
		if got := e.turns(s, a, 10); !equal(withoutCaseIDs(got), turns) {
			t.Errorf("turns %+v, want %+v", got, turns)
		}
		if got := e.caseOf(s, k.ID); !equal(got, k) {
			t.Errorf("case\n got %+v\nwant %+v", got, k)
		}
		if got := e.notes(s, k.ID); len(got) != 1 {
			t.Errorf("notes %+v, want 1", got)
		}
		if got := e.pending(s); !equal(got, queued) {
			t.Errorf("queued\n got %+v\nwant %+v", got, queued)
		}
		if got, err := s.TreeVersion(e.ctx, "papiers-identite", 1); err != nil || !equal(got, sampleTree()) {
			t.Errorf("tree version 1 = %+v, %v", got, err)
		}
		if v := e.publish(s, sampleTree()); v != 1 {
			t.Errorf("publishing the same tree after the restart = %d, want 1", v)
		}
		if id, err := s.OpenCase(e.ctx, bot.Case{Address: a, Status: bot.CaseOpen, CreatedAt: T0}); err != nil || id != k.ID {
			t.Errorf("OpenCase after the restart = %d, %v; want the claimed case %d", id, err, k.ID)
		}
		if got := caseIDs(e.cases(s, "papiers", bot.CaseClaimed)); !slices.Equal(got, []int64{k.ID}) {
			t.Errorf("claimed cases %v, want [%d]", got, k.ID)
		}
	})
}
