package servicepublic_test

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// fixtureAs returns the hand-written sheet with another id and the
// breadcrumb starting from root ("Associations").
func fixtureAs(t *testing.T, id, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sheets", "F99001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), `"F99001"`, `"`+id+`"`)
	return strings.Replace(s, `<Niveau ID="Particuliers">`, `<Niveau ID="`+root+`">`, 1)
}

// TestReadSources: Read says what each path held: its catalogue (the
// audience its breadcrumbs start from), the ids read, and for each broken
// file the sheet it is, as far as the file tells.
func TestReadSources(t *testing.T) {
	zpath := filepath.Join(t.TempDir(), "assoc.zip")
	f, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	entries := []struct{ name, data string }{
		{"F1.xml", fixtureAs(t, "F1", "Associations")},
		{"F2.xml", fixtureAs(t, "F2", "Associations")},
		{"old/F2.xml", fixtureAs(t, "F2", "Associations")}, // a second copy: one id
		{"F3.xml", fixtureAs(t, "F3", "Particuliers")},
		{"F4.xml", fixtureAs(t, "F4", "Associations")[:600]}, // cut: the root says F4
		{"F5.xml", ""}, // empty: the name says F5
		{"copie.xml", "<Publication><dc:title>sans id"},               // neither
		{"F6.xml", `<Publication ID="R77"><dc:title>x</Publication>`}, // the root wins
	}
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// A directory whose sheets start from two audiences equally: no
	// catalogue.
	dir := t.TempDir()
	for id, root := range map[string]string{"F10": "Particuliers", "F11": "Professionnels"} {
		if err := os.WriteFile(filepath.Join(dir, id+".xml"), []byte(fixtureAs(t, id, root)), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	res, err := servicepublic.Read(context.Background(), []string{zpath, dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sources) != 2 {
		t.Fatalf("%d sources, want 2", len(res.Sources))
	}
	z, d := res.Sources[0], res.Sources[1]
	if z.Path != zpath || z.Catalogue != "associations" || z.Sheets != len(entries) || !slices.Equal(z.IDs, []string{"F1", "F2", "F3"}) {
		t.Errorf("zip source: %+v", z)
	}
	var got []string
	for _, s := range z.Skipped {
		got = append(got, s.ID)
	}
	if want := []string{"F4", "F5", "", "R77"}; !slices.Equal(got, want) {
		t.Errorf("ids of the broken files %q, want %q (%+v)", got, want, z.Skipped)
	}
	if d.Path != dir || d.Catalogue != "" || d.Sheets != 2 || len(d.IDs) != 2 || len(d.Skipped) != 0 {
		t.Errorf("directory source: %+v", d)
	}
	if len(res.Skipped) != 4 || res.Skipped[0].ID != "F4" {
		t.Errorf("skipped: %+v", res.Skipped)
	}
}

// TestReadSourcesReal: each of DILA's zips is the catalogue of its audience.
func TestReadSourcesReal(t *testing.T) {
	paths := zipPaths(t)
	res, err := servicepublic.Read(context.Background(), paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := 0
	for i, src := range res.Sources {
		if src.Catalogue != audiences[i] || src.Path != paths[i] || len(src.Skipped) != 0 {
			t.Errorf("%s: catalogue %q, %d skipped", src.Path, src.Catalogue, len(src.Skipped))
		}
		ids += len(src.IDs)
	}
	if ids != 7591 {
		t.Errorf("%d ids over the sources, want 7591", ids)
	}
	if !slices.Equal(servicepublic.Catalogues, audiences) {
		t.Errorf("Catalogues = %q", servicepublic.Catalogues)
	}
}

// TestMerge: merging a copy into the stored version is what Read does with
// two copies, the stored one winning a tie, and merging again changes
// nothing.
func TestMerge(t *testing.T) {
	d := func(s string) knowledge.Date {
		v, err := knowledge.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	stored := &knowledge.Item{ID: "F1", Title: "stockée", Reviewed: d("2020-01-01"), Audience: []string{"particulier", "association"},
		Themes: []string{"Papiers", "Associations"}, Related: []string{"N1", "N2"}}
	read := &knowledge.Item{ID: "F1", Title: "lue", Reviewed: d("2020-01-01"), Audience: []string{"association"},
		Themes: []string{"Associations", "Vie associative"}, Related: []string{"N2", "N3", "F1"}}
	m := servicepublic.Merge(stored, read)
	if m.Title != "stockée" || !slices.Equal(m.Audience, []string{"particulier", "association"}) ||
		!slices.Equal(m.Themes, []string{"Papiers", "Associations", "Vie associative"}) || !slices.Equal(m.Related, []string{"N1", "N2", "N3"}) {
		t.Errorf("tie: %+v", m)
	}
	if again := servicepublic.Merge(m, read); servicepublic.Hash(again) != servicepublic.Hash(m) {
		t.Errorf("merging again changed %+v into %+v", m, again)
	}
	read.Reviewed = d("2021-05-05")
	if m := servicepublic.Merge(stored, read); m.Title != "lue" || !slices.Equal(m.Audience, []string{"particulier", "association"}) {
		t.Errorf("newer copy: %+v", m)
	}
	if stored.Title != "stockée" || len(stored.Themes) != 2 {
		t.Errorf("Merge changed its argument: %+v", stored)
	}
}

func TestAudienceCatalogues(t *testing.T) {
	it := &knowledge.Item{Audience: []string{"association", "particulier"}}
	if got := servicepublic.AudienceCatalogues(it); !slices.Equal(got, []string{"particuliers", "associations"}) {
		t.Errorf("got %q", got)
	}
	if got := servicepublic.AudienceCatalogues(&knowledge.Item{}); got != nil {
		t.Errorf("no audience: %q", got)
	}
}
