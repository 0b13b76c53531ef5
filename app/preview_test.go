package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// withTree is b with t in place of its tree of that id.
func withTree(b *knowledge.Base, t *knowledge.Tree) *knowledge.Base {
	trees := slices.Clone(b.Trees)
	for i, o := range trees {
		if o.ID == t.ID {
			trees[i] = t
		}
	}
	return knowledge.NewBase(b.Items, trees, b.Synonyms)
}

// A preview talks to the draft with the real engine on its own scratch
// database: the draft's question is asked, the production database gets
// no conversation, and closing it removes its files.
func TestPreviewTalksToTheDraft(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	c, _ := openLib(t, db, dir)
	ctx := context.Background()
	draft := withTree(c.Library.Base(), editedTree(t, c, "Quelle carte <b>cherchez</b>-vous ?"))
	if c.Library.indexFor(draft, draft) != c.Library.index {
		t.Error("a draft with the same items and tree heads is re-indexed")
	}
	tmp := t.TempDir()
	p, err := c.Preview(ctx, draft, tmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	who := bot.Address{Platform: "preview", Channel: "camille", User: "camille"}
	rs, err := p.Respond(ctx, bot.Incoming{Address: who, Text: "carte"})
	if err != nil || len(rs) == 0 {
		t.Fatalf("preview: %+v %v", rs, err)
	}
	last := rs[len(rs)-1]
	if !strings.Contains(last.Text, "Quelle carte <b>cherchez</b>-vous ?") || len(last.Choices) == 0 {
		t.Fatalf("the draft's question is not asked: %+v", rs)
	}
	rs, err = p.Respond(ctx, bot.Incoming{Address: who, Payload: last.Choices[0].Payload})
	if err != nil || len(rs) == 0 || !strings.Contains(rs[0].Text, "identité") {
		t.Errorf("a click in the preview: %+v %v", rs, err)
	}
	if _, err := c.Store.Conversation(ctx, who); !errors.Is(err, bot.ErrNoConversation) {
		t.Errorf("the preview wrote its conversation into the production database: %v", err)
	}
	if got := ask(t, c, "citizen", "carte"); !strings.Contains(got, "Quelle carte ?") {
		t.Errorf("the draft leaked into the served knowledge: %s", got)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the preview left %d files", len(left))
	}
}
