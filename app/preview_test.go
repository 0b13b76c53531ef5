package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// A preview talks to the draft with the real engine on its own scratch
// database: the draft's question is asked, the production database gets
// no conversation, and closing it removes its files.
func TestPreviewTalksToTheDraft(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	c, _ := openLib(t, db, dir)
	ctx := context.Background()
	draft := c.Library.Base().WithTree(editedTree(t, c, "Quelle carte <b>cherchez</b>-vous ?"))
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

// A draft that changes what the index reads of trees (a trigger) is
// indexed again: the new trigger starts the tree in the preview, while
// the engine in force does not know it.
func TestPreviewIndexesANewTrigger(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	c, _ := openLib(t, db, dir)
	ctx := context.Background()
	tr := editedTree(t, c, "Quelle carte, pour la mutuelle ?")
	tr.Triggers = []string{"carte", "mutuelle"}
	draft := c.Library.Base().WithTree(tr)
	if c.Library.indexFor(draft, draft) == c.Library.index {
		t.Fatal("a draft with a new trigger keeps the index in force")
	}
	p, err := c.Preview(ctx, draft, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rs, err := p.Respond(ctx, bot.Incoming{Address: bot.Address{Platform: "preview", Channel: "c", User: "c"}, Text: "mutuelle"})
	if err != nil || len(rs) == 0 || !strings.Contains(rs[len(rs)-1].Text, "pour la mutuelle") {
		t.Fatalf("the draft's trigger does not start its tree: %+v %v", rs, err)
	}
	if got := ask(t, c, "citizen", "mutuelle"); strings.Contains(got, "Quelle carte") {
		t.Errorf("the engine in force learnt the draft's trigger: %s", got)
	}
}

// BenchmarkPreview measures what opening a preview costs on the database
// BOUSSOLE_BENCH_DB (e.g. the whole imported catalogue): a tree draft
// (the index in force reused) and an item draft (re-indexed).
func BenchmarkPreview(b *testing.B) {
	db := os.Getenv("BOUSSOLE_BENCH_DB")
	if db == "" {
		b.Skip("BOUSSOLE_BENCH_DB names a database copy")
	}
	ctx := context.Background()
	c, err := OpenCore(ctx, CoreConfig{Database: db}, nil, testClock)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	base := c.Library.Base()
	tr, _ := base.Tree("papiers-identite")
	it := *base.Items[0]
	it.Summary += " (brouillon)"
	for _, bc := range []struct {
		name  string
		draft *knowledge.Base
	}{{"tree", base.WithTree(tr)}, {"item", base.WithItem(&it)}} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				p, err := c.Preview(ctx, bc.draft, b.TempDir(), nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Respond(ctx, bot.Incoming{Address: bot.Address{Platform: "preview", Channel: "b", User: "b"}, Text: "passeport"}); err != nil {
					b.Fatal(err)
				}
				_ = p.Close()
			}
		})
	}
}
