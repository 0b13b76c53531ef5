package treegraph

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files")

var labels = Labels{Title: "Graphe", Answer: "Fiches", Escalate: "Médiateur", Nearest: "Lieux", Missing: "n'existe pas",
	Unreachable: "inaccessible", Problems: "{n} problème(s)", Start: "départ",
	Desc: "Chaque case est une question <et> mène à son formulaire."}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from its golden file (run with -update after checking it in a browser)", name)
	}
}

// A demo tree is drawn the same every time.
func TestDemoTreeGolden(t *testing.T) {
	b, err := knowledge.LoadFS(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := b.Tree("papiers-identite")
	got := SVG(tr, Options{Labels: labels, Link: func(id string) string { return "/admin/trees/papiers-identite/nodes/" + id }})
	golden(t, "papiers-identite.svg", got)
	for id := range tr.Nodes {
		if !strings.Contains(got, `href="/admin/trees/papiers-identite/nodes/`+id+`"`) {
			t.Errorf("node %s has no link to its form", id)
		}
	}
}

// A missing next node, an unreachable node and a node with problems are
// marked in words, and hostile labels stay text.
func TestMarksAndEscaping(t *testing.T) {
	tr := &knowledge.Tree{ID: "t", Start: "a", Nodes: map[string]*knowledge.Node{
		"a": {Ask: "Question <script>alert(1)</script> ?", Choices: []knowledge.Choice{
			{Label: `"><script>x</script>`, Next: "b"},
			{Label: "Vers nulle part", Next: "nowhere"},
			{Label: "Médiateur", Escalate: "general"},
		}},
		"b":      {Ask: "B ?", Choices: []knowledge.Choice{{Label: "Fiche", Answer: []string{"cni"}}}},
		"orphan": {Ask: "Seul ?", Choices: []knowledge.Choice{{Label: "Lieux", Nearest: &knowledge.Filter{Services: []string{"x"}}}}},
	}}
	got := SVG(tr, Options{Labels: labels, Link: func(id string) string { return "/n/" + id }, Problems: map[string]int{"a": 2}, Selected: "b"})
	for _, want := range []string{`<desc id="tree-graph-desc">Chaque case est une question &lt;et&gt; mène`, `aria-describedby="tree-graph-desc"`, "⚠ 2 problème(s)", "⚠ n&#39;existe pas", "inaccessible", "départ", "&lt;script&gt;"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(got, "<script>") {
		t.Error("a label's markup reached the SVG")
	}
	golden(t, "marks.svg", got)
}
