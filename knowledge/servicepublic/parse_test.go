package servicepublic_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/servicepublic"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// checkGolden compares an item with testdata/golden/<name>.json.
func checkGolden(t *testing.T, name string, it *knowledge.Item) {
	t.Helper()
	got := goldenJSON(t, it)
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", name, path, got)
	}
}

// TestGoldenReal maps one real sheet of each type, and one resource of
// each kind, and compares with the golden files.
func TestGoldenReal(t *testing.T) {
	zipPaths(t)
	cases := []struct{ id, typ string }{
		{"F1344", "Fiche d'information conditionnée"}, // carte d'identité perdue: situations, offices, forms
		{"F1342", "Fiche d'information conditionnée"},
		{"F1367", "Fiche d'information conditionnée"}, // situations "Liste électorale d'une mairie" / "Liste consulaire"
		{"F358", "Fiche d'information"},               // situations "Déclaration en ligne" / "Sur formulaire papier"
		{"F10619", "Fiche Question-réponse"},
		{"F12567", "Fiche Question-réponse conditionnée"}, // one office per region: capped
		{"F31682", "Fiche avec liens externes"},
		{"F31613", "Fiche Comment faire si"},
		{"F14128", "Fiche Comment faire si - simulateur"},
		{"F34487", "Recherche guidée"}, // "**" title
		{"N358", "Dossier"},
		{"N19810", "Theme"},
		{"R13630", "Formulaire"},
		{"R45668", "Téléservice"},
		{"R46162", "Téléservice personnalisé sur SP"},
		{"R38960", "Modèle de document"},
		{"R56822", "Simulateur"},
		{"R57009", "Outil de recherche"},
		{"F153", "Fiche d'information"}, // no spUrl: the source URL is built
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			it, err := servicepublic.ParseSheet(c.id+".xml", realSheet(t, c.id))
			if err != nil {
				t.Fatal(err)
			}
			if it.SheetType != c.typ {
				t.Errorf("SheetType = %q, want %q", it.SheetType, c.typ)
			}
			checkItem(t, it)
			checkGolden(t, c.id, it)
		})
	}
}

// checkItem checks what every imported item must have.
func checkItem(t *testing.T, it *knowledge.Item) {
	t.Helper()
	switch {
	case it.ID == "", it.Title == "", it.Summary == "":
		t.Errorf("%s: empty id, title or summary: %+v", it.ID, it)
	case it.Kind != knowledge.KindProcedure:
		t.Errorf("%s: kind %q", it.ID, it.Kind)
	case len(it.Sources) != 1 || !strings.HasPrefix(it.Sources[0], "https://www.service-public.fr/"):
		t.Errorf("%s: sources %q", it.ID, it.Sources)
	case it.Reviewed.IsZero():
		t.Errorf("%s: no review date", it.ID)
	case len(it.Audience) == 0:
		t.Errorf("%s: no audience", it.ID)
	case it.Jurisdiction != "FR" || it.Lang != "fr" || it.Origin != servicepublic.Origin || it.Attribution != servicepublic.Attribution:
		t.Errorf("%s: jurisdiction %q lang %q origin %q attribution %q", it.ID, it.Jurisdiction, it.Lang, it.Origin, it.Attribution)
	case len(it.Body) > servicepublic.MaxBody:
		t.Errorf("%s: body of %d bytes", it.ID, len(it.Body))
	case slices.Contains(it.Related, it.ID):
		t.Errorf("%s: related to itself", it.ID)
	case strings.HasPrefix(it.Title, "*"):
		t.Errorf("%s: title %q keeps the editors' asterisks", it.ID, it.Title)
	}
	for _, l := range it.Where.Online {
		if l.Label == "" || !(strings.HasPrefix(l.URL, "https://") || strings.HasPrefix(l.URL, "http://")) {
			t.Errorf("%s: online link %+v", it.ID, l)
		}
	}
	if c := slices.Compact(slices.Sorted(slices.Values(it.Related))); len(c) != len(it.Related) {
		t.Errorf("%s: duplicate related ids %q", it.ID, it.Related)
	}
}

// TestFixtureSheet maps a hand-written sheet, so that the mapping is
// tested even without the shared data.
func TestFixtureSheet(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sheets", "F99001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	it, err := servicepublic.ParseSheet("F99001.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	checkItem(t, it)
	checkGolden(t, "F99001", it)

	// The points of the mapping, spelled out.
	if it.Title != "Carte de bibliothèque : première demande" {
		t.Errorf("title %q: whitespace not collapsed", it.Title)
	}
	if it.Summary != "La carte est gratuite pour les moins de 18 ans." {
		t.Errorf("summary %q: want the introduction's first sentence", it.Summary)
	}
	if it.Reviewed.String() != "2019-05-02" {
		t.Errorf("reviewed %s: want dateDerniereModificationImportante without dc:date", it.Reviewed)
	}
	if want := []string{"particulier", "association"}; !slices.Equal(it.Audience, want) {
		t.Errorf("audience %q, want %q", it.Audience, want)
	}
	if want := "https://www.service-public.fr/particuliers/vosdroits/F99001"; it.Sources[0] != want {
		t.Errorf("source %q, want %q", it.Sources[0], want)
	}
	if want := []string{"Loisirs", "Culture", "Bibliothèques"}; !slices.Equal(it.Themes, want) {
		t.Errorf("themes %q, want %q", it.Themes, want)
	}
	if want := []string{"En ligne", "Sur place", "Vous avez moins de 18 ans", "Vous êtes majeur"}; !slices.Equal(it.Situations, want) {
		t.Errorf("situations %q, want %q (nested cases left out)", it.Situations, want)
	}
	if want := "Mairie; commissariat de police ou gendarmerie"; it.Where.Office != want {
		t.Errorf("office %q, want %q (no contact centre)", it.Where.Office, want)
	}
	wantOnline := []knowledge.Link{
		{Label: "Demande de carte (formulaire cerfa n°99999*01)", URL: "https://biblio.example.gouv.fr/cerfa.pdf"},
		{Label: "Inscription en ligne", URL: "https://biblio.example.gouv.fr/inscription"},
		{Label: "Mairie", URL: "https://lannuaire.example.gouv.fr/mairie"},
	}
	if !slices.Equal(it.Where.Online, wantOnline) {
		t.Errorf("online %+v, want %+v (sheet's list first, javascript: refused)", it.Where.Online, wantOnline)
	}
	if want := []string{"N99000", "F99900", "F99003", "N99300", "R99010", "R99011", "R99012"}; !slices.Equal(it.Related, want) {
		t.Errorf("related %q, want %q", it.Related, want)
	}
	wantGlossary := []knowledge.Term{
		{Term: "Lecteur", Definition: "Personne inscrite à la bibliothèque"},
		{Term: "BM", Expansion: "Bibliothèque municipale"},
	}
	if !slices.Equal(it.Glossary, wantGlossary) {
		t.Errorf("glossary %+v, want %+v", it.Glossary, wantGlossary)
	}
	if want := []string{"Lecteur", "Étudiant", "Carte biblio", "BM"}; !slices.Equal(it.Keywords, want) {
		t.Errorf("keywords %q, want %q", it.Keywords, want)
	}
	for _, s := range []string{"formulaire en ligne avec votre numéro de lecteur.", "Le 1er jour.", "Tarif : 0 €", "39 99", "valable 1 an"} {
		if !strings.Contains(it.Body, s) {
			t.Errorf("body lacks %q: %s", s, it.Body)
		}
	}
	if n := strings.Count(it.Body, "Autorisation parentale"); n != 1 {
		t.Errorf("body has %d copies of a repeated block, want 1", n)
	}
	if strings.Contains(it.Body, "commissariat_police") || strings.Contains(it.Body, "Peut-on prêter") {
		t.Errorf("body has codes or neighbours' titles: %s", it.Body)
	}
}

// TestParseMalformed checks that bad files fail with a reason, never a
// panic.
func TestParseMalformed(t *testing.T) {
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "malformed", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", fixture("empty.xml"), servicepublic.ErrMalformed, "empty file"},
		{"blank", []byte(" \n\t "), servicepublic.ErrMalformed, "empty file"},
		{"truncated", fixture("truncated.xml"), servicepublic.ErrMalformed, "<Paragraphe> is not closed"},
		{"garbage", fixture("garbage.xml"), servicepublic.ErrMalformed, "invalid XML"},
		{"wrong root", fixture("wrong-root.xml"), servicepublic.ErrUnsupported, "root element <html>"},
		{"missing id", fixture("missing-id.xml"), servicepublic.ErrMalformed, "missing ID attribute"},
		{"no date", fixture("no-date.xml"), servicepublic.ErrMalformed, "no review date"},
		{"mismatched", fixture("mismatched.xml"), servicepublic.ErrMalformed, "<Paragraphe> closed by </Texte>"},
		{"bad id", []byte(`<Publication ID="../../etc"><dc:title>x</dc:title></Publication>`), servicepublic.ErrMalformed, "invalid ID"},
		{"no title", []byte(`<Publication ID="F1"><dc:date>modified 2020-01-01</dc:date></Publication>`), servicepublic.ErrMalformed, "no title"},
		{"two roots", []byte(`<Publication ID="F1"/><Publication ID="F2"/>`), servicepublic.ErrMalformed, "second root"},
		{"text outside", []byte(`<Publication ID="F1"/>junk`), servicepublic.ErrMalformed, "text outside"},
		{"stray end", []byte(`</Publication>`), servicepublic.ErrMalformed, "unexpected </Publication>"},
		{"deep", []byte(strings.Repeat("<a>", 1000) + strings.Repeat("</a>", 1000)), servicepublic.ErrMalformed, "nested deeper"},
		{"unknown entity", []byte(`<Publication ID="F1">&nbsp;</Publication>`), servicepublic.ErrMalformed, "invalid XML"},
		{"latin-1", []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Publication ID=\"F1\"/>"), servicepublic.ErrMalformed, "ISO-8859-1"},
		{"invalid utf-8", []byte("<Publication ID=\"F1\"><dc:title>\xff\xfe</dc:title></Publication>"), servicepublic.ErrMalformed, "invalid UTF-8"},
		{"huge", hugeSheet(), servicepublic.ErrTooLarge, "over the 5.0 MiB limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			it, err := servicepublic.ParseSheet("bad.xml", c.data)
			if err == nil {
				t.Fatalf("no error, item %+v", it)
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "bad.xml") {
				t.Errorf("error %q, want %v mentioning %q and the file name", err, c.want, c.msg)
			}
		})
	}
}

// hugeSheet is a well-formed sheet just over MaxSheetSize.
func hugeSheet() []byte {
	var b bytes.Buffer
	b.WriteString(`<Publication ID="F99999"><dc:title>Énorme</dc:title><dc:date>modified 2020-01-01</dc:date><Texte>`)
	for b.Len() <= servicepublic.MaxSheetSize {
		b.WriteString("<Paragraphe>Une phrase qui se répète pour grossir le fichier.</Paragraphe>\n")
	}
	b.WriteString(`</Texte></Publication>`)
	return b.Bytes()
}

// TestHash checks that the hash depends on the content only.
func TestHash(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sheets", "F99001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := servicepublic.ParseSheet("a", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := servicepublic.ParseSheet("b", data)
	if err != nil {
		t.Fatal(err)
	}
	h := servicepublic.Hash(a)
	if len(h) != 64 || h != servicepublic.Hash(b) || h != servicepublic.Hash(a) {
		t.Fatalf("same sheet, hashes %q and %q", h, servicepublic.Hash(b))
	}
	b.Pos = knowledge.Pos{File: "elsewhere.xml", Line: 3}
	if servicepublic.Hash(b) != h {
		t.Error("hash depends on Pos")
	}
	b.Reviewed, _ = knowledge.ParseDate("2021-01-01")
	if servicepublic.Hash(b) == h {
		t.Error("hash ignores Reviewed")
	}
	c := *a
	c.Glossary = slices.Clone(a.Glossary)
	c.Glossary[0].Definition += "."
	if servicepublic.Hash(&c) == h {
		t.Error("hash ignores the glossary")
	}
	if servicepublic.Hash(nil) != "" {
		t.Error("hash of nil")
	}
}

// TestHashReal checks hashes on real sheets: stable across parses,
// distinct across sheets.
func TestHashReal(t *testing.T) {
	zipPaths(t)
	seen := map[string]string{}
	for _, id := range []string{"F1344", "F1342", "F1153", "N358", "R13630"} {
		data := realSheet(t, id)
		a, err := servicepublic.ParseSheet(id, data)
		if err != nil {
			t.Fatal(err)
		}
		b, err := servicepublic.ParseSheet(id, bytes.Clone(data))
		if err != nil {
			t.Fatal(err)
		}
		h := servicepublic.Hash(a)
		if h != servicepublic.Hash(b) {
			t.Errorf("%s: two parses hash differently", id)
		}
		if other, dup := seen[h]; dup {
			t.Errorf("%s and %s have the same hash", id, other)
		}
		seen[h] = id
	}
}
