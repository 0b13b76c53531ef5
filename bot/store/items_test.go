package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/knowledge"
)

func sheet(id, title string) *knowledge.Item {
	d, _ := knowledge.ParseDate("2020-08-26")
	return &knowledge.Item{ID: id, Kind: knowledge.KindProcedure, Title: title, Summary: "s",
		Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/" + id}, Reviewed: d,
		Origin: "service-public", Themes: []string{"Papiers"}, Glossary: []knowledge.Term{{Term: "CNI", Expansion: "carte nationale d'identité"}},
		Pos: knowledge.Pos{File: id + ".xml", Line: 1}}
}

func TestImportItemsIsIdempotentAndRetires(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	s, err := Open(ctx, path, Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.ImportItems(ctx, "service-public", []*knowledge.Item{sheet("F1", "Un"), sheet("F2", "Deux"), sheet("F3", "Trois")})
	if err != nil || st != (ImportStats{Imported: 3}) {
		t.Fatalf("first import: %+v %v", st, err)
	}
	// Same content (even from another file position): nothing changes.
	again := sheet("F1", "Un")
	again.Pos.File = "elsewhere.xml"
	st, err = s.ImportItems(ctx, "service-public", []*knowledge.Item{again, sheet("F2", "Deux"), sheet("F3", "Trois")})
	if err != nil || st != (ImportStats{Unchanged: 3}) {
		t.Fatalf("re-import: %+v %v", st, err)
	}
	// F2 changed, F3 removed, F4 new.
	st, err = s.ImportItems(ctx, "service-public", []*knowledge.Item{sheet("F1", "Un"), sheet("F2", "Deux bis"), sheet("F4", "Quatre")})
	if err != nil || st != (ImportStats{Imported: 1, Updated: 1, Unchanged: 1, Retired: 1}) {
		t.Fatalf("changed import: %+v %v", st, err)
	}
	s.Close()

	s, err = Open(ctx, path, Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.Items(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].ID != "F1" || items[1].Title != "Deux bis" || items[2].ID != "F4" {
		t.Fatalf("items = %+v", items)
	}
	it := items[0]
	if it.Reviewed.String() != "2020-08-26" || it.Origin != "service-public" || it.Glossary[0].Expansion != "carte nationale d'identité" || it.Pos != (knowledge.Pos{}) {
		t.Fatalf("round trip lost fields: %+v", it)
	}
	// A retired sheet that comes back is restored.
	st, err = s.ImportItems(ctx, "service-public", []*knowledge.Item{sheet("F1", "Un"), sheet("F2", "Deux bis"), sheet("F3", "Trois"), sheet("F4", "Quatre")})
	if err != nil || st != (ImportStats{Updated: 1, Unchanged: 3}) {
		t.Fatalf("restore: %+v %v", st, err)
	}
}

func TestImportItemsRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.ImportItems(ctx, "service-public", []*knowledge.Item{sheet("F1", "a"), sheet("F1", "b")}); err == nil {
		t.Error("duplicate ids imported")
	}
	if _, err := s.ImportItems(ctx, "", []*knowledge.Item{sheet("F1", "a")}); err == nil {
		t.Error("empty origin accepted")
	}
	if items, _ := s.Items(ctx); len(items) != 0 {
		t.Errorf("a failed import left %d items", len(items))
	}
}

// TestWALIsCheckpointedInTheBackground: with automatic checkpoints off on
// the writer, the background checkpointer keeps the WAL from growing, and
// Close leaves it empty.
func TestWALIsCheckpointedInTheBackground(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s, err := Open(ctx, path, Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	big := make([]*knowledge.Item, 0, 400)
	for i := range 400 {
		it := sheet(fmt.Sprintf("F%d", i), strings.Repeat("texte ", 400))
		big = append(big, it)
	}
	if _, err := s.ImportItems(ctx, "service-public", big); err != nil {
		t.Fatal(err)
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	var frames int
	deadline := time.Now().Add(5 * time.Second)
	for {
		var busy, done int
		if err := s.rdb.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err == nil && frames == done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("WAL never checkpointed (%d frames)", frames)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := walSize(); n != 0 {
		t.Fatalf("WAL left with %d bytes after Close", n)
	}
}

// fixedClock is the clock of this package's internal tests.
func fixedClock() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }
