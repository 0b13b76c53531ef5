package app

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
)

// A small knowledge directory: one tree, one item.
const (
	libTree = `id: carte
title: Carte
triggers: [carte]
start: q
nodes:
  q:
    ask: Quelle carte ?
    choices:
      - {label: "Carte d'identité", answer: cni}
      - {label: "Autre", escalate: general}
`
	libItem = `id: cni
kind: procedure
title: Carte d'identité
summary: Demander une carte nationale d'identité en mairie.
sources: [https://www.service-public.fr/particuliers/vosdroits/N358]
reviewed: 2026-01-10
`
)

func writeKnowledge(t *testing.T, dir, tree string) {
	t.Helper()
	for name, body := range map[string]string{"trees/carte.yaml": tree, "items/cni.yaml": libItem} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func openLib(t *testing.T, db, dir string) (*Core, *strings.Builder) {
	t.Helper()
	var logs strings.Builder
	c, err := OpenCore(context.Background(), CoreConfig{Database: db, KnowledgeDir: dir}, slog.New(slog.NewTextHandler(&logs, nil)), testClock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, &logs
}

// ask sends text as a new conversation of user and returns the bot's
// first reply.
func ask(t *testing.T, c *Core, user, text string) string {
	t.Helper()
	rs, err := c.Engine.Respond(context.Background(), bot.Incoming{Address: bot.Address{Platform: "console", Channel: user, User: user}, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

func editedTree(t *testing.T, c *Core, question string) *knowledge.Tree {
	t.Helper()
	cur, ok := c.Library.Base().Tree("carte")
	if !ok {
		t.Fatal("no tree carte")
	}
	cp := *cur
	cp.Nodes = map[string]*knowledge.Node{}
	for id, n := range cur.Nodes {
		nc := *n
		cp.Nodes[id] = &nc
	}
	cp.Nodes["q"].Ask = question
	return &cp
}

// A tree published on the web is served at once to new conversations of
// this process and, after its watch, of another process on the same
// database, while a conversation under way keeps its version.
func TestPublishedTreeServedEverywhere(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	a, _ := openLib(t, db, dir)
	b, _ := openLib(t, db, dir)
	ctx := context.Background()

	if got := ask(t, a, "early", "carte"); !strings.Contains(got, "Quelle carte ?") {
		t.Fatalf("before: %s", got)
	}
	v, err := a.Library.PublishTree(ctx, editedTree(t, a, "Quel document ?"), store.Publication{Author: "camille", Message: "plus clair"})
	if err != nil || v != 2 {
		t.Fatalf("PublishTree = %d, %v; want version 2", v, err)
	}
	if got := ask(t, a, "new", "carte"); !strings.Contains(got, "Quel document ?") {
		t.Errorf("a new conversation in the publishing process: %s", got)
	}
	if got := ask(t, b, "other", "carte"); !strings.Contains(got, "Quelle carte ?") {
		t.Errorf("the other process before its watch: %s", got)
	}
	if err := b.Library.Reload(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := ask(t, b, "other2", "carte"); !strings.Contains(got, "Quel document ?") {
		t.Errorf("the other process after its watch: %s", got)
	}
	// The early conversation keeps version 1: its choice still answers.
	rs, err := a.Engine.Respond(ctx, bot.Incoming{Address: bot.Address{Platform: "console", Channel: "early", User: "early"}, Text: "1"})
	if err != nil || len(rs) == 0 || !strings.Contains(rs[0].Text+rs[len(rs)-1].Text, "identité") {
		t.Errorf("the conversation under way: %v %v", rs, err)
	}
	hist, err := a.Library.TreeVersions(ctx, "carte")
	if err != nil || len(hist) != 2 || hist[0].Author != "camille" || hist[0].Source != store.SourceWeb || hist[1].Source != store.SourceFile {
		t.Errorf("history: %+v %v", hist, err)
	}
}

// An invalid tree is refused with its problems and nothing is published.
func TestPublishInvalidTreeRefused(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	c, _ := openLib(t, db, dir)
	tr := editedTree(t, c, "Quel document ?")
	tr.Nodes["q"].Choices = append([]knowledge.Choice(nil), tr.Nodes["q"].Choices...)
	tr.Nodes["q"].Choices[0].Answer = nil
	tr.Nodes["q"].Choices[0].Next = "nowhere"
	_, err := c.Library.PublishTree(context.Background(), tr, store.Publication{Author: "camille"})
	if !errors.Is(err, knowledge.ErrInvalid) || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("PublishTree = %v, want the dangling node named", err)
	}
	if hist, _ := c.Library.TreeVersions(context.Background(), "carte"); len(hist) != 1 {
		t.Errorf("%d versions, want 1", len(hist))
	}
}

// At start, a changed file is published when the database's latest
// version came from files, and kept aside (a conflict) when it came from
// the web.
func TestFilesAtStart(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	c, _ := openLib(t, db, dir)
	c.Close()

	writeKnowledge(t, dir, strings.Replace(libTree, "Quelle carte ?", "Quelle carte voulez-vous ?", 1))
	c, _ = openLib(t, db, dir)
	if got := ask(t, c, "u1", "carte"); !strings.Contains(got, "Quelle carte voulez-vous ?") {
		t.Fatalf("the changed file is not served: %s", got)
	}
	if len(c.Library.Conflicts()) != 0 {
		t.Errorf("conflicts: %v", c.Library.Conflicts())
	}
	if _, err := c.Library.PublishTree(context.Background(), editedTree(t, c, "Question du web ?"), store.Publication{Author: "camille"}); err != nil {
		t.Fatal(err)
	}
	c.Close()

	writeKnowledge(t, dir, strings.Replace(libTree, "Quelle carte ?", "Question du fichier ?", 1))
	c, logs := openLib(t, db, dir)
	if got := ask(t, c, "u2", "carte"); !strings.Contains(got, "Question du web ?") {
		t.Errorf("the web version is not kept: %s", got)
	}
	if cf := c.Library.Conflicts(); len(cf) != 1 || !strings.HasSuffix(cf[0], "carte.yaml") {
		t.Errorf("conflicts = %v, want the tree's file", cf)
	}
	if !strings.Contains(logs.String(), "carte.yaml") {
		t.Errorf("the start does not say which file conflicts:\n%s", logs)
	}
}

// Hand-written items are published like trees; imported sheets are not.
func TestPublishItem(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	c, _ := openLib(t, db, dir)
	ctx := context.Background()
	it, _ := c.Library.Base().Item("cni")
	cp := *it
	cp.Summary = "Demander une carte d'identité à la mairie de son choix."
	if v, err := c.Library.PublishItem(ctx, &cp, store.Publication{Author: "camille"}); err != nil || v != 2 {
		t.Fatalf("PublishItem = %d, %v", v, err)
	}
	if got, _ := c.Library.Base().Item("cni"); got.Summary != cp.Summary {
		t.Errorf("served summary %q", got.Summary)
	}
	cp.Sources = nil
	if _, err := c.Library.PublishItem(ctx, &cp, store.Publication{Author: "camille"}); !errors.Is(err, knowledge.ErrInvalid) {
		t.Errorf("an item without source: %v", err)
	}
	imp := cp
	imp.ID, imp.Origin, imp.Sources = "F1234", "service-public", []string{"https://www.service-public.fr/particuliers/vosdroits/F1234"}
	if _, err := c.Store.ImportCatalogues(ctx, "service-public", []*knowledge.Item{&imp}, []store.Catalogue{{Name: "particuliers", Read: []string{"F1234"}}}, store.ImportOptions{MaxRetire: 1}); err != nil {
		t.Fatal(err)
	}
	if err := c.Library.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Library.PublishItem(ctx, &imp, store.Publication{Author: "camille"}); !errors.Is(err, ErrImported) {
		t.Errorf("publishing over an imported sheet: %v", err)
	}
}

// The export reads back as a knowledge directory equal to what is served,
// web versions included; importing it changed publishes only what
// changed, and a broken import changes nothing.
func TestExportImport(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "b.db")
	writeKnowledge(t, dir, libTree)
	c, _ := openLib(t, db, dir)
	ctx := context.Background()
	if _, err := c.Library.PublishTree(ctx, editedTree(t, c, "Question du web ?"), store.Publication{Author: "camille"}); err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{}
	if err := c.Library.Export(func(name string, data []byte) error {
		files[name] = &fstest.MapFile{Data: data}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := files["trees/carte.yaml"]; !ok || files["items/cni.yaml"] == nil {
		t.Fatalf("exported %v", slices.Collect(maps.Keys(files)))
	}
	back, err := knowledge.LoadFS(files)
	if err != nil {
		t.Fatal(err)
	}
	if tr, _ := back.Tree("carte"); tr.Nodes["q"].Ask != "Question du web ?" {
		t.Errorf("exported tree asks %q", tr.Nodes["q"].Ask)
	}
	res, err := c.Library.Import(ctx, back, store.Publication{Author: "camille", Message: "same"})
	if err != nil || res.Trees+res.Items != 0 || res.Unchanged != 2 {
		t.Errorf("re-import of the export = %+v, %v; want nothing changed", res, err)
	}
	bt, _ := back.Tree("carte")
	bt.Nodes["q"].Ask = "Question importée ?"
	broken := *back.Items[0]
	broken.Sources = nil
	bad := knowledge.NewBase([]*knowledge.Item{&broken}, back.Trees, nil)
	if _, err := c.Library.Import(ctx, bad, store.Publication{Author: "camille"}); !errors.Is(err, knowledge.ErrInvalid) {
		t.Fatalf("a broken import = %v", err)
	}
	if got := ask(t, c, "u1", "carte"); !strings.Contains(got, "Question du web ?") {
		t.Errorf("a broken import changed the tree: %s", got)
	}
	res, err = c.Library.Import(ctx, knowledge.NewBase(back.Items, back.Trees, nil), store.Publication{Author: "camille"})
	if err != nil || res.Trees != 1 || res.Items != 0 {
		t.Errorf("import = %+v, %v; want one tree", res, err)
	}
	if got := ask(t, c, "u2", "carte"); !strings.Contains(got, "Question importée ?") {
		t.Errorf("the imported tree is not served: %s", got)
	}
}
