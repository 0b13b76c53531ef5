package servicepublic_test

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

// TestReadAll reads the three real zips: every sheet is imported, each
// item is complete, and sheets published for several audiences are merged.
func TestReadAll(t *testing.T) {
	paths := zipPaths(t)
	var calls, last atomic.Int64
	res, err := servicepublic.Read(context.Background(), paths, func(done, total int) {
		calls.Add(1)
		if int64(done) <= last.Load() || total != 7591 {
			t.Errorf("progress(%d, %d) after %d", done, total, last.Load())
		}
		last.Store(int64(done))
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sheets != 7591 || calls.Load() != 7591 || last.Load() != 7591 {
		t.Errorf("read %d sheets with %d progress calls up to %d, want 7591", res.Sheets, calls.Load(), last.Load())
	}
	for _, s := range res.Skipped {
		t.Errorf("skipped %s: %s", s.Name, s.Reason)
	}
	// 7,591 files hold 7,180 distinct sheets: 401 are in two zips, 5 in
	// all three.
	if len(res.Items) != 7180 {
		t.Errorf("%d items, want 7180", len(res.Items))
	}
	types := map[string]int{}
	ids := map[string]*knowledge.Item{}
	for _, it := range res.Items {
		checkItem(t, it)
		types[it.SheetType]++
		if ids[it.ID] != nil {
			t.Errorf("duplicate id %s", it.ID)
		}
		ids[it.ID] = it
	}
	want := map[string]int{
		"Fiche d'information": 1691, "Fiche d'information conditionnée": 168,
		"Fiche Question-réponse": 1579, "Fiche Question-réponse conditionnée": 75,
		"Fiche avec liens externes": 65, "Fiche Comment faire si": 21, "Fiche Comment faire si - simulateur": 4,
		"Recherche guidée": 54, "Dossier": 307, "Theme": 20,
		"Formulaire": 1963, "Téléservice": 791, "Téléservice personnalisé sur SP": 1,
		"Modèle de document": 301, "Simulateur": 108, "Outil de recherche": 32,
	}
	for typ, n := range types {
		if want[typ] != n {
			t.Errorf("%d items of type %q, want %d", n, typ, want[typ])
		}
	}
	logCounts(t, types)
	if problems := knowledge.Validate(knowledge.NewBase(res.Items, nil, nil)); len(problems) > 0 {
		for i, p := range problems {
			if i < 20 {
				t.Errorf("knowledge.Validate: %s", p)
			}
		}
		t.Errorf("%d problems", len(problems))
	}

	// F10403 is in the particuliers and professionnels zips, each with its
	// own breadcrumb and parent dossier.
	if it := ids["F10403"]; it == nil {
		t.Error("F10403 missing")
	} else {
		if !slices.Equal(it.Audience, []string{"particulier", "professionnel"}) {
			t.Errorf("F10403 audience %q", it.Audience)
		}
		for _, want := range []string{"Travail", "Ressources humaines"} {
			if !slices.Contains(it.Themes, want) {
				t.Errorf("F10403 themes %q lack %q", it.Themes, want)
			}
		}
		for _, want := range []string{"N449", "N22781"} {
			if !slices.Contains(it.Related, want) {
				t.Errorf("F10403 related %q lack parent %s", it.Related, want)
			}
		}
	}
	checkIndex(t, ids)
}

// checkIndex compares with the index published with the data: every sheet
// it lists is imported, with the same title and date.
func checkIndex(t *testing.T, ids map[string]*knowledge.Item) {
	f, err := os.Open(filepath.Join(dataDir(), "index-2020.csv"))
	if err != nil {
		t.Logf("no index to compare with: %v", err)
		return
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		it := ids[r[0]]
		if it == nil {
			t.Errorf("index lists %s (%s), not imported", r[0], r[3])
			continue
		}
		if want := strings.TrimLeft(strings.Join(strings.Fields(r[3]), " "), "*"); want != it.Title {
			t.Errorf("%s: title %q, index says %q", r[0], it.Title, want)
		}
		if r[6] != it.Reviewed.String() {
			t.Errorf("%s: reviewed %s, index says %s", r[0], it.Reviewed, r[6])
		}
	}
	t.Logf("index: %d sheets, all imported with the same title and date", len(rows)-1)
}

func logCounts(t *testing.T, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%5d %s", m[k], k)
	}
}

// TestReadMixed reads a directory and a zip mixing real sheets with
// malformed files: the bad ones are skipped with their reason and the good
// ones imported.
func TestReadMixed(t *testing.T) {
	good := map[string][]byte{}
	fixture, err := os.ReadFile(filepath.Join("testdata", "sheets", "F99001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	good["F99001.xml"] = fixture
	real := false
	if _, err := os.Stat(dataDir()); err == nil {
		real = true
		for _, id := range []string{"F1344", "N358", "R13630"} {
			good[id+".xml"] = realSheet(t, id)
		}
	} else {
		t.Log("service-public data absent: mixing the hand-written sheet only")
	}
	bad := map[string]string{ // file → expected reason
		"empty.xml":      "empty file",
		"truncated.xml":  "is not closed",
		"garbage.xml":    "invalid XML",
		"wrong-root.xml": "unsupported sheet: root element <html>",
		"missing-id.xml": "missing ID attribute",
		"no-date.xml":    "no review date",
		"mismatched.xml": "closed by",
		"huge.xml":       "sheet too large",
	}
	badData := map[string][]byte{"huge.xml": hugeSheet()}
	for name := range bad {
		if badData[name] != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", "malformed", name))
		if err != nil {
			t.Fatal(err)
		}
		badData[name] = b
	}

	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for n, b := range good {
		write(n, b)
	}
	for n, b := range badData {
		write(n, b)
	}
	write("README.txt", []byte("not a sheet, ignored"))
	if err := os.Mkdir(filepath.Join(dir, "sub.xml"), 0o755); err != nil {
		t.Fatal(err)
	}

	zpath := filepath.Join(t.TempDir(), "mixed.zip")
	zf, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	add := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	for n, b := range good {
		add(n, b)
	}
	for n, b := range badData {
		add(n, b)
	}
	add("notes/readme.md", []byte("ignored"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zf.Close(); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name  string
		paths []string
		dup   int
	}{
		{"dir", []string{dir}, 1},
		{"zip", []string{zpath}, 1},
		{"both", []string{dir, zpath}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := servicepublic.Read(context.Background(), c.paths, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) != len(good) {
				t.Errorf("%d items, want %d", len(res.Items), len(good))
			}
			for _, it := range res.Items {
				checkItem(t, it)
				if good[it.ID+".xml"] == nil {
					t.Errorf("unexpected item %s", it.ID)
				}
			}
			if len(res.Skipped) != c.dup*len(bad) {
				t.Errorf("%d skipped, want %d: %+v", len(res.Skipped), c.dup*len(bad), res.Skipped)
			}
			for _, s := range res.Skipped {
				base := s.Name[strings.LastIndexAny(s.Name, "/:\\")+1:]
				if want, ok := bad[base]; !ok || !strings.Contains(s.Reason, want) {
					t.Errorf("skipped %s: %q, want a reason with %q", s.Name, s.Reason, want)
				}
			}
			if res.Sheets != c.dup*(len(good)+len(bad)) {
				t.Errorf("%d sheets read, want %d", res.Sheets, c.dup*(len(good)+len(bad)))
			}
		})
	}
	if real {
		t.Log("mixed real sheets F1344, N358, R13630 with", len(bad), "malformed files")
	}
}

// TestReadDuplicates checks that the newest copy of a sheet wins, whatever
// the order of the sources, and that audiences are merged.
func TestReadDuplicates(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "sheets", "F99001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	older := t.TempDir()
	newer := t.TempDir()
	old := strings.Replace(string(fixture), "<Audience>Associations</Audience>", "<Audience>Professionnels</Audience>", 1)
	if err := os.WriteFile(filepath.Join(older, "F99001.xml"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	recent := strings.Replace(string(fixture), "<dc:description></dc:description>", "<dc:description>Version récente.</dc:description><dc:date>modified 2021-03-04</dc:date>", 1)
	if err := os.WriteFile(filepath.Join(newer, "F99001.xml"), []byte(recent), 0o644); err != nil {
		t.Fatal(err)
	}
	var hashes []string
	for _, paths := range [][]string{{older, newer}, {newer, older}} {
		res, err := servicepublic.Read(context.Background(), paths, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 1 || res.Sheets != 2 {
			t.Fatalf("%d items from %d sheets, want 1 from 2", len(res.Items), res.Sheets)
		}
		it := res.Items[0]
		if it.Summary != "Version récente." || it.Reviewed.String() != "2021-03-04" {
			t.Errorf("kept %q of %s, want the newest copy", it.Summary, it.Reviewed)
		}
		if want := []string{"particulier", "professionnel", "association"}; !slices.Equal(it.Audience, want) {
			t.Errorf("audience %q, want %q", it.Audience, want)
		}
		hashes = append(hashes, servicepublic.Hash(it))
	}
	if hashes[0] != hashes[1] {
		t.Error("the merged item depends on the order of the sources")
	}
}

func TestReadErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := servicepublic.Read(ctx, []string{filepath.Join(t.TempDir(), "absent.zip")}, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent path: %v, want fs.ErrNotExist", err)
	}
	notZip := filepath.Join(t.TempDir(), "x.zip")
	if err := os.WriteFile(notZip, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := servicepublic.Read(ctx, []string{notZip}, nil); err == nil || !strings.Contains(err.Error(), "x.zip") {
		t.Errorf("not a zip: %v", err)
	}
	if _, err := servicepublic.Read(ctx, []string{t.TempDir()}, nil); !errors.Is(err, servicepublic.ErrNoSheets) {
		t.Errorf("empty dir: %v, want ErrNoSheets", err)
	}

	// A cancelled context stops the reading.
	dir := t.TempDir()
	fixture, err := os.ReadFile(filepath.Join("testdata", "sheets", "F99001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		id := fmt.Sprintf("F9%03d", i)
		s := strings.Replace(string(fixture), `ID="F99001"`, `ID="`+id+`"`, 1)
		if err := os.WriteFile(filepath.Join(dir, id+".xml"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := servicepublic.Read(cctx, []string{dir}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	cctx, cancel = context.WithCancel(ctx)
	defer cancel()
	_, err = servicepublic.Read(cctx, []string{dir}, func(done, total int) {
		if done == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while reading: %v, want context.Canceled", err)
	}
	res, err := servicepublic.Read(ctx, []string{dir}, nil)
	if err != nil || len(res.Items) != 50 {
		t.Errorf("%d items, %v; want 50", len(res.Items), err)
	}
}
