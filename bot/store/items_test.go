package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

// whole imports items as the whole of one catalogue, "c".
func whole(ctx context.Context, s *Store, items ...*knowledge.Item) (ImportStats, error) {
	return s.ImportCatalogues(ctx, "service-public", items, []Catalogue{{Name: "c", Read: ids(items)}}, ImportOptions{MaxRetire: 1})
}

func ids(items []*knowledge.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// tally is an ImportStats without its catalogues, to compare.
type tally struct{ Imported, Updated, Unchanged, Retired, Kept int }

func counts(st ImportStats) tally {
	return tally{st.Imported, st.Updated, st.Unchanged, st.Retired, st.Kept}
}

func TestImportCataloguesIsIdempotentAndRetires(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	s, err := Open(ctx, path, Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	st, err := whole(ctx, s, sheet("F1", "Un"), sheet("F2", "Deux"), sheet("F3", "Trois"))
	if err != nil || counts(st) != (tally{Imported: 3}) || st.Catalogues[0] != (CatalogueStats{Name: "c", After: 3}) {
		t.Fatalf("first import: %+v %v", st, err)
	}
	// Same content (even from another file position): nothing changes.
	again := sheet("F1", "Un")
	again.Pos.File = "elsewhere.xml"
	st, err = whole(ctx, s, again, sheet("F2", "Deux"), sheet("F3", "Trois"))
	if err != nil || counts(st) != (tally{Unchanged: 3}) {
		t.Fatalf("re-import: %+v %v", st, err)
	}
	// F2 changed, F3 removed, F4 new.
	st, err = whole(ctx, s, sheet("F1", "Un"), sheet("F2", "Deux bis"), sheet("F4", "Quatre"))
	if err != nil || counts(st) != (tally{Imported: 1, Updated: 1, Unchanged: 1, Retired: 1}) ||
		st.Catalogues[0] != (CatalogueStats{Name: "c", Before: 3, After: 3, Retired: 1}) {
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
	st, err = whole(ctx, s, sheet("F1", "Un"), sheet("F2", "Deux bis"), sheet("F3", "Trois"), sheet("F4", "Quatre"))
	if err != nil || counts(st) != (tally{Updated: 1, Unchanged: 3}) {
		t.Fatalf("restore: %+v %v", st, err)
	}
}

// origins returns the origin column of every row, retired ones too.
func origins(t *testing.T, s *Store) map[string]string {
	t.Helper()
	rows, err := s.rdb.Query(`SELECT id, origin || CASE WHEN retired_at IS NULL THEN '' ELSE ' retired' END FROM items`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, o string
		if err := rows.Scan(&id, &o); err != nil {
			t.Fatal(err)
		}
		out[id] = o
	}
	return out
}

// An item leaves a catalogue only when a whole import of that catalogue
// lacks it, and is retired only when it belongs to no catalogue; an item
// still in a catalogue not read this time is merged with its stored
// version.
func TestImportCataloguesKeepsOtherCatalogues(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var merged []string
	opts := ImportOptions{MaxRetire: 1, Merge: func(stored, read *knowledge.Item) *knowledge.Item {
		merged = append(merged, read.ID)
		m := *read
		m.Themes = append(slices.Clone(stored.Themes), read.Themes...)
		return &m
	}}
	both := sheet("F9", "Partagée")
	both.Themes = []string{"Particuliers", "Associations"}
	_, err = s.ImportCatalogues(ctx, "service-public", []*knowledge.Item{sheet("F1", "Un"), sheet("F2", "Deux"), sheet("F3", "Trois"), both},
		[]Catalogue{{Name: "part", Read: []string{"F1", "F2", "F9"}}, {Name: "assoc", Read: []string{"F3", "F9"}}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"F1": "service-public:part", "F2": "service-public:part", "F3": "service-public:assoc", "F9": "service-public:assoc,part"}
	if got := origins(t, s); !maps.Equal(got, want) {
		t.Fatalf("origins %v, want %v", got, want)
	}
	// The associations catalogue alone, with F9 only: F3 is retired, F9
	// stays (and keeps the themes the particuliers copy gave it), F1 and
	// F2 are not touched.
	assocCopy := sheet("F9", "Partagée")
	assocCopy.Themes = []string{"Associations"}
	st, err := s.ImportCatalogues(ctx, "service-public", []*knowledge.Item{assocCopy}, []Catalogue{{Name: "assoc", Read: []string{"F9"}}}, opts)
	if err != nil || counts(st) != (tally{Updated: 1, Retired: 1}) || st.Catalogues[0] != (CatalogueStats{Name: "assoc", Before: 2, After: 1, Retired: 1}) {
		t.Fatalf("associations alone: %+v %v", st, err)
	}
	if !slices.Equal(merged, []string{"F9"}) {
		t.Errorf("merged %v, want F9", merged)
	}
	items, _ := s.Items(ctx)
	if len(items) != 3 || items[2].ID != "F9" || !slices.Equal(items[2].Themes, []string{"Particuliers", "Associations", "Associations"}) {
		t.Fatalf("items after associations alone: %+v", items)
	}
	want = map[string]string{"F1": "service-public:part", "F2": "service-public:part", "F3": "service-public: retired", "F9": "service-public:assoc,part"}
	if got := origins(t, s); !maps.Equal(got, want) {
		t.Fatalf("origins %v, want %v", got, want)
	}
	// The associations catalogue without F9: it leaves it, but the
	// particuliers catalogue still has it.
	st, err = s.ImportCatalogues(ctx, "service-public", []*knowledge.Item{sheet("F5", "Cinq")}, []Catalogue{{Name: "assoc", Read: []string{"F5"}}}, opts)
	if err != nil || counts(st) != (tally{Imported: 1}) {
		t.Fatalf("associations without F9: %+v %v", st, err)
	}
	if got := origins(t, s)["F9"]; got != "service-public:part" {
		t.Fatalf("F9: %s", got)
	}
}

// Broken sheets stay in their catalogue with their stored version; an
// unidentified one keeps the catalogue from losing anything.
func TestImportCataloguesBrokenAndPartial(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := whole(ctx, s, sheet("F1", "Un"), sheet("F2", "Deux"), sheet("F3", "Trois")); err != nil {
		t.Fatal(err)
	}
	st, err := s.ImportCatalogues(ctx, "service-public", []*knowledge.Item{sheet("F1", "Un")},
		[]Catalogue{{Name: "c", Read: []string{"F1"}, Broken: []string{"F2", "F7"}, Partial: true}}, ImportOptions{MaxRetire: 1})
	if err != nil || counts(st) != (tally{Unchanged: 1, Kept: 1}) || !st.Catalogues[0].Partial || st.Catalogues[0].After != 3 {
		t.Fatalf("partial: %+v %v", st, err)
	}
	st, err = s.ImportCatalogues(ctx, "service-public", []*knowledge.Item{sheet("F1", "Un")},
		[]Catalogue{{Name: "c", Read: []string{"F1"}, Broken: []string{"F2"}}}, ImportOptions{MaxRetire: 1})
	if err != nil || counts(st) != (tally{Unchanged: 1, Kept: 1, Retired: 1}) {
		t.Fatalf("broken F2: %+v %v", st, err)
	}
	items, _ := s.Items(ctx)
	if len(items) != 2 || items[1].Title != "Deux" {
		t.Fatalf("items: %+v", items)
	}
}

// An import retiring more than MaxRetire of a catalogue fails and changes
// nothing.
func TestImportCataloguesRetireLimit(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ten []*knowledge.Item
	for i := range 10 {
		ten = append(ten, sheet(fmt.Sprintf("F%d", i), "x"))
	}
	if _, err := whole(ctx, s, ten...); err != nil {
		t.Fatal(err)
	}
	before := origins(t, s)
	changed := sheet("F0", "changé")
	_, err = s.ImportCatalogues(ctx, "service-public", []*knowledge.Item{changed, ten[1], ten[2]},
		[]Catalogue{{Name: "c", Read: []string{"F0", "F1", "F2"}}}, ImportOptions{MaxRetire: 0.1})
	var re *RetireError
	if !errors.As(err, &re) || len(re.Over) != 1 || re.Over[0].Retired != 7 || re.Over[0].Before != 10 ||
		err.Error() != "would retire 7 of the 10 items of catalogue c (70 %), more than 10 %" {
		t.Fatalf("err = %v", err)
	}
	if items, _ := s.Items(ctx); len(items) != 10 || items[0].Title != "x" || !maps.Equal(origins(t, s), before) {
		t.Fatalf("a refused import changed items: %+v", items)
	}
	// One of ten is within 10 %; MaxRetire 0 refuses even that.
	if _, err := s.ImportCatalogues(ctx, "service-public", ten[1:], []Catalogue{{Name: "c", Read: ids(ten[1:])}}, ImportOptions{}); !errors.As(err, &re) {
		t.Fatalf("MaxRetire 0: %v", err)
	}
	if st, err := s.ImportCatalogues(ctx, "service-public", ten[1:], []Catalogue{{Name: "c", Read: ids(ten[1:])}}, ImportOptions{MaxRetire: 0.1}); err != nil || st.Retired != 1 {
		t.Fatalf("one of ten: %+v %v", st, err)
	}
}

// Items stored before catalogues were recorded get theirs from
// Membership; without it they are never retired.
func TestImportCataloguesLegacyItems(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	legacy := func(id string, audience ...string) {
		it := sheet(id, "ancien "+id)
		it.Audience = audience
		body, hash, err := encodeItem(it)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.wdb.Exec(`INSERT INTO items (id, origin, hash, body_json, imported_at, updated_at) VALUES (?, 'service-public', ?, ?, 1, 1)`, id, hash, string(body)); err != nil {
			t.Fatal(err)
		}
	}
	legacy("F1", "association")
	legacy("F2", "particulier", "association")
	legacy("F3")
	legacy("F4", "association")
	guess := func(it *knowledge.Item) []string {
		var out []string
		for _, a := range it.Audience {
			out = append(out, a+"s")
		}
		return out
	}
	st, err := s.ImportCatalogues(ctx, "service-public", []*knowledge.Item{sheet("F4", "nouveau")}, []Catalogue{{Name: "associations", Read: []string{"F4"}}},
		ImportOptions{MaxRetire: 1, Membership: guess})
	if err != nil || counts(st) != (tally{Updated: 1, Retired: 1}) || st.Catalogues[0].Before != 3 {
		t.Fatalf("import: %+v %v", st, err)
	}
	want := map[string]string{"F1": "service-public: retired", "F2": "service-public:particuliers", "F3": "service-public", "F4": "service-public:associations"}
	if got := origins(t, s); !maps.Equal(got, want) {
		t.Fatalf("origins %v, want %v", got, want)
	}
}

func TestImportCataloguesRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"), Options{Clock: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	one := []Catalogue{{Name: "c", Read: []string{"F1"}}}
	for _, c := range []struct {
		name   string
		origin string
		items  []*knowledge.Item
		cats   []Catalogue
	}{
		{"duplicate ids", "service-public", []*knowledge.Item{sheet("F1", "a"), sheet("F1", "b")}, one},
		{"empty origin", "", []*knowledge.Item{sheet("F1", "a")}, one},
		{"origin with a colon", "a:b", []*knowledge.Item{sheet("F1", "a")}, one},
		{"no catalogue", "service-public", []*knowledge.Item{sheet("F1", "a")}, nil},
		{"bad catalogue name", "service-public", []*knowledge.Item{sheet("F1", "a")}, []Catalogue{{Name: "a,b", Read: []string{"F1"}}}},
		{"catalogue twice", "service-public", []*knowledge.Item{sheet("F1", "a")}, []Catalogue{one[0], one[0]}},
		{"item in no catalogue", "service-public", []*knowledge.Item{sheet("F1", "a"), sheet("F2", "b")}, one},
		{"read but not imported", "service-public", nil, one},
	} {
		if _, err := s.ImportCatalogues(ctx, c.origin, c.items, c.cats, ImportOptions{MaxRetire: 1}); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
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
	if _, err := whole(ctx, s, big...); err != nil {
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
