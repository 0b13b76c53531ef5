package knowledge

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/invalid/*/expect.txt with the problems found")

// testToday is the fixed "current day" of the tests, so that the review
// date checks do not depend on when the tests run.
var testToday = time.Date(2026, time.November, 21, 0, 0, 0, 0, time.UTC)

// problemsOf loads dir and returns every problem, of decoding or (when the
// files decode) of validation, as "file:line: msg" lines.
func problemsOf(t *testing.T, dir string) []string {
	t.Helper()
	var ps Problems
	b, err := LoadFS(os.DirFS(dir))
	switch {
	case errors.As(err, &ps):
	case err != nil:
		t.Fatalf("LoadFS: unexpected error type %T: %v", err, err)
	default:
		ps = Validate(b)
	}
	if len(ps) == 0 {
		return nil
	}
	return strings.Split(ps.Error(), "\n")
}

// TestInvalid runs every case of testdata/invalid: each folder is a
// knowledge directory with an expect.txt listing, one per line and in
// order, a substring of each problem reported. There must be exactly as
// many problems as lines. Run with -update to rewrite expect.txt from the
// actual problems (then read the diff before committing).
func TestInvalid(t *testing.T) {
	cases, err := os.ReadDir(filepath.Join("testdata", "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", "invalid", c.Name())
			got := problemsOf(t, dir)
			expectFile := filepath.Join(dir, "expect.txt")
			if *update {
				if err := os.WriteFile(expectFile, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(expectFile)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			var want []string
			for _, l := range strings.Split(string(data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					want = append(want, l)
				}
			}
			if len(want) == 0 {
				t.Fatal("expect.txt is empty: an invalid case must expect problems")
			}
			ok := len(got) == len(want)
			for i := 0; ok && i < len(want); i++ {
				ok = strings.Contains(got[i], want[i])
			}
			if !ok {
				t.Errorf("problems differ\n--- got\n%s\n--- want (substrings)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestLoadValid(t *testing.T) {
	dir := filepath.Join("testdata", "valid")
	b, err := LoadFS(os.DirFS(dir))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if ps := Validate(b); ps != nil {
		t.Fatalf("Validate: %v", ps)
	}

	var ids []string
	for _, it := range b.Items {
		ids = append(ids, it.ID)
	}
	// Files in lexical order (items/papiers/cni.yaml < items/passeport.yml),
	// items in file order; hidden and non-YAML files ignored.
	if want := []string{"cni-perte", "cni-vol", "cni-demande", "passeport-demande", "urgence-fr-112"}; !slices.Equal(ids, want) {
		t.Errorf("item ids = %v, want %v", ids, want)
	}

	it, ok := b.Item("cni-perte")
	if !ok {
		t.Fatal("cni-perte not indexed")
	}
	checks := []struct{ name, got, want string }{
		{"pos", it.Pos.String(), "items/papiers/cni.yaml:2"},
		{"kind", string(it.Kind), "procedure"},
		{"title", it.Title, "Carte d'identité perdue"},
		{"reviewed", it.Reviewed.String(), "2026-10-01"},
		{"phone (a YAML number)", it.Where.Phone, "3400"},
		{"office", it.Where.Office, "mairie équipée d'un dispositif de recueil"},
		{"online", it.Where.Online[0].Label + " " + it.Where.Online[0].URL, "Pré-demande en ligne (ANTS) https://ants.gouv.fr/"},
		{"steps", strings.Join(it.Steps, "|"), "Faites une pré-demande en ligne sur le site de l'ANTS.|Prenez rendez-vous en mairie."},
		{"body (folded, trimmed)", it.Body, "Texte long utilisé seulement pour la recherche."},
		{"attribution", it.Attribution, "Direction de l'information légale et administrative"},
		{"audience", strings.Join(it.Audience, ","), "particulier"},
		{"keywords", strings.Join(it.Keywords, ","), "cni,perdu,perte"},
		{"synonyms", strings.Join(it.Synonyms, ","), "carte nationale d'identité"},
		{"sources", strings.Join(it.Sources, ","), "https://www.service-public.fr/particuliers/vosdroits/F1341"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("cni-perte %s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if vol, _ := b.Item("cni-vol"); vol.Reviewed.String() != "2026-09-15" {
		t.Errorf("quoted reviewed date = %q", vol.Reviewed)
	}

	tr, ok := b.Tree("papiers-identite")
	if !ok {
		t.Fatal("tree not indexed")
	}
	if tr.Pos.String() != "trees/papiers-identite.yaml:1" || tr.Start != "quel-document" || len(tr.Nodes) != 2 || len(tr.Triggers) != 4 {
		t.Errorf("tree = %+v", tr)
	}
	n := tr.Nodes["situation-cni"]
	if n == nil || n.ID != "situation-cni" || n.Pos.Line != 14 || n.Ask != "Quelle est votre situation ?" {
		t.Fatalf("node situation-cni = %+v", n)
	}
	c := n.Choices[1]
	if c.Label != "Perte ou vol" || !slices.Equal(c.Answer, []string{"cni-perte", "cni-vol"}) || c.Pos.Line != 18 || c.Target() != TargetAnswer {
		t.Errorf("choice = %+v", c)
	}
	first := tr.Nodes["quel-document"].Choices
	if !slices.Equal(first[1].Answer, []string{"passeport-demande"}) {
		t.Errorf("single answer = %q, want a one-entry list", first[1].Answer)
	}
	if first[0].Next != "situation-cni" || !slices.Equal(first[0].Keywords, []string{"cni"}) || first[2].Escalate != "papiers" {
		t.Errorf("choices = %+v", first)
	}

	want := [][]string{{"cni", "carte nationale d'identité", "carte d'identité"}, {"apl", "aide personnalisée au logement"}}
	if !slices.EqualFunc(b.Synonyms, want, slices.Equal) {
		t.Errorf("synonyms = %q, want %q", b.Synonyms, want)
	}

	// Load is LoadFS + Validate; the valid fixture passes both (its review
	// dates are in the past whenever the tests run).
	if _, err := Load(os.DirFS(dir)); err != nil {
		t.Errorf("Load: %v", err)
	}
}

func TestLoadDirNamesRealFiles(t *testing.T) {
	dir := filepath.Join("testdata", "invalid", "decode-unknown-field")
	_, err := LoadDir(dir)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("LoadDir error = %v, want a Problems error", err)
	}
	want := filepath.Join(dir, "items", "cni.yaml") + `:4: unknown field "titel" in item (did you mean "title"?)`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("LoadDir error =\n%v\nwant a line %q", err, want)
	}

	b, err := LoadDir(filepath.Join("testdata", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Items[0].Pos.File, filepath.Join("testdata", "valid", "items", "papiers", "cni.yaml"); got != want {
		t.Errorf("Pos.File = %q, want %q", got, want)
	}
	if got, want := b.Trees[0].Nodes["quel-document"].Choices[0].Pos.File, filepath.Join("testdata", "valid", "trees", "papiers-identite.yaml"); got != want {
		t.Errorf("choice Pos.File = %q, want %q", got, want)
	}

	// Validation problems name the real file too.
	ps := Validate(mustLoadDir(t, filepath.Join("testdata", "invalid", "node-unreachable")))
	if len(ps) == 0 || !strings.HasPrefix(ps[0].String(), filepath.Join("testdata", "invalid", "node-unreachable", "trees", "t.yaml")+":") {
		t.Errorf("validation problems = %v", ps)
	}
}

func mustLoadDir(t *testing.T, dir string) *Base {
	t.Helper()
	b, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadDirErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		is   error
	}{
		{"missing directory", filepath.Join("testdata", "no-such-dir"), fs.ErrNotExist},
		{"file instead of directory", filepath.Join("testdata", "valid", "synonyms.yaml"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadDir(tt.dir)
			if err == nil || b != nil {
				t.Fatalf("LoadDir = %v, %v; want an error", b, err)
			}
			if errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is a Problems list; want an I/O error", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestLoadFS(t *testing.T) {
	big := "id: x\nbody: " + strings.Repeat("a", MaxFileSize) + "\n"
	tests := []struct {
		name string
		fsys fstest.MapFS
		// want is a substring of the error, "" for success.
		want  string
		items int
		trees int
	}{
		{name: "empty directory", fsys: fstest.MapFS{}},
		{name: "only other files", fsys: fstest.MapFS{"README.md": {Data: []byte("# hi")}, "items/x.json": {Data: []byte("{")}}},
		{name: "hidden folder skipped", fsys: fstest.MapFS{"trees/.git/x.yaml": {Data: []byte("[")}}},
		{name: "upper-case extension", fsys: fstest.MapFS{"items/A.YAML": {Data: []byte("id: a\n")}}, items: 1},
		{name: "too large", fsys: fstest.MapFS{"items/big.yaml": {Data: []byte(big)}}, want: "items/big.yaml: file is too large (over 2 MiB)"},
		{name: "two synonyms files", fsys: fstest.MapFS{
			"synonyms.yaml": {Data: []byte("synonyms: []\n")},
			"synonyms.yml":  {Data: []byte("synonyms: []\n")},
		}, want: "keep only one synonyms file"},
		{name: "named pipe refused", fsys: fstest.MapFS{"items/p.yaml": {Mode: fs.ModeNamedPipe}}, want: "items/p.yaml: not a regular file"},
		{name: "items and trees", fsys: fstest.MapFS{
			"items/a.yaml": {Data: []byte("- id: a\n- id: b\n")},
			"trees/t.yml":  {Data: []byte("id: t\n")},
		}, items: 2, trees: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := LoadFS(tt.fsys)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("LoadFS error = %v, want %q", err, tt.want)
				}
				if b != nil {
					t.Errorf("LoadFS returned a base with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFS: %v", err)
			}
			if len(b.Items) != tt.items || len(b.Trees) != tt.trees {
				t.Errorf("got %d items, %d trees; want %d, %d", len(b.Items), len(b.Trees), tt.items, tt.trees)
			}
		})
	}
}

func TestLoadFSReportsEveryFile(t *testing.T) {
	_, err := LoadFS(fstest.MapFS{
		"items/a.yaml":  {Data: []byte("id: [\n")},
		"trees/b.yaml":  {Data: []byte("idd: b\n")},
		"synonyms.yaml": {Data: []byte("synonyms: x\n")},
	})
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 3 {
		t.Fatalf("got %v, want 3 problems", err)
	}
	want := []string{"items/a.yaml:", "synonyms.yaml:1:", "trees/b.yaml:1:"}
	for i, p := range ps {
		if !strings.HasPrefix(p.String(), want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, p, want[i])
		}
	}
}

func TestLoadRejectsInvalid(t *testing.T) {
	b, err := Load(os.DirFS(filepath.Join("testdata", "invalid", "choice-unknown-answer")))
	if b != nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `answer item "cni-pert" does not exist (did you mean "cni-perte"?)`) {
		t.Errorf("Load = %v, %v", b, err)
	}
}
