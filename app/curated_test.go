package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/bottest"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// curated is the admins' knowledge and the sheets of app/testdata/curated.
var curated = filepath.Join("testdata", "curated")

// importSheets imports the sheets of dir into the database db as
// `boussole import service-public --source particuliers dir` does.
func importSheets(t *testing.T, db, dir string, now func() time.Time) {
	t.Helper()
	ctx := context.Background()
	res, err := servicepublic.Read(ctx, []string{dir}, nil)
	if err != nil || len(res.Skipped) > 0 {
		t.Fatalf("read sheets: %v %v", err, res.Skipped)
	}
	st, err := store.Open(ctx, db, store.Options{Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat := store.Catalogue{Name: "particuliers", Read: res.Sources[0].IDs}
	if _, err := st.ImportCatalogues(ctx, servicepublic.Origin, res.Items, []store.Catalogue{cat},
		store.ImportOptions{MaxRetire: 1, Membership: servicepublic.AudienceCatalogues, Merge: servicepublic.Merge}); err != nil {
		t.Fatal(err)
	}
}

// The admins' items are shown instead of the sheets they stand for, by
// search and by a tree naming the sheets' ids; the sheets left say their
// publisher's date, and that they are old when they are.
func TestCuratedBeatsImported(t *testing.T) {
	ctx := context.Background()
	f, err := os.Open(filepath.Join(curated, "conversation.txt"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := bottest.Parse(f.Name(), f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return script.Clock }
	cfg := Default()
	cfg.Database.Path = filepath.Join(t.TempDir(), "b.db")
	cfg.Knowledge.Dir = filepath.Join(curated, "knowledge")
	importSheets(t, cfg.Database.Path, filepath.Join(curated, "sheets"), now)
	var logs bytes.Buffer
	a, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)), now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	addr := func(user string) bot.Address { return bot.Address{Platform: "console", Channel: "local", User: user} }
	fails, err := script.Run(ctx, bottest.Direct{R: a.Engine}, addr, "vous")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fails {
		t.Error(f)
	}
	// Counts at info, no text: F1344 and F1759 replaced; of the sheets
	// left, F1153 is old.
	for _, want := range []string{`msg="imported sheets replaced by hand-written items" sheets=2`,
		`msg="imported sheets older than knowledge.stale_after_months: their answers say so" sheets=1 months=18`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	for _, it := range a.Knowledge.Items {
		if it.ID == "F1344" || it.ID == "F1759" {
			t.Errorf("%s is served beside the item that stands for it", it.ID)
		}
	}
	it, ok := a.Knowledge.Item("F1153")
	if !ok {
		t.Fatal("F1153 is not served")
	}
	en := answer.NewWriter(a.Catalog, "en").Short(it)
	for _, want := range []string{"(updated on 2019-10-02)", "This sheet is more than 18 months old: check the official website."} {
		if !strings.Contains(en, want) {
			t.Errorf("English answer lacks %q:\n%s", want, en)
		}
	}
}

// LoadKnowledge, which `boussole eval` and `ask` use, keeps every sheet,
// those the admins' items stand for too: the search is measured on the
// whole catalogue whatever the knowledge directory beside it.
func TestLoadKnowledgeKeepsEverySheet(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "b.db")
	importSheets(t, db, filepath.Join(curated, "sheets"), testClock)
	items, err := ImportedItems(ctx, db, testClock)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadKnowledge(ctx, filepath.Join(curated, "knowledge"), items)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"F1344", "F1759", "F1153", "F99010", "cni-perte"} {
		if it, ok := b.Item(id); !ok || it.ID != id {
			t.Errorf("LoadKnowledge: Item(%s) = %v", id, it)
		}
	}
	if len(b.Items) != 7 {
		t.Errorf("LoadKnowledge: %d items, want 7", len(b.Items))
	}
}

func TestStaleAfterMonthsValidated(t *testing.T) {
	cfg := Default()
	if cfg.Knowledge.StaleAfterMonths != 18 {
		t.Errorf("default knowledge.stale_after_months = %d, want 18", cfg.Knowledge.StaleAfterMonths)
	}
	cfg.Knowledge.StaleAfterMonths = 0
	if err := cfg.Validate(nil); err == nil || !strings.Contains(err.Error(), "knowledge.stale_after_months: 0 must be at least 1") {
		t.Errorf("Validate = %v", err)
	}
}
