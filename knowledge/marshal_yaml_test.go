package knowledge_test

import (
	"encoding/json"
	"testing"
	"testing/fstest"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
)

// Every demo tree and item written back as YAML reads back to the same
// content (positions aside): an export loses nothing.
func TestMarshalRoundTrip(t *testing.T) {
	b, err := knowledge.LoadFS(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b any) bool {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		return string(ja) == string(jb)
	}
	for _, tr := range b.Trees {
		data, err := knowledge.MarshalTreeYAML(tr)
		if err != nil {
			t.Fatal(err)
		}
		back, err := knowledge.ParseTree("x.yaml", data)
		if err != nil {
			t.Fatalf("tree %s does not read back: %v\n%s", tr.ID, err, data)
		}
		if !same(clearTree(tr), clearTree(back)) {
			t.Errorf("tree %s changed through YAML:\n%s", tr.ID, data)
		}
	}
	for _, it := range b.Items {
		data, err := knowledge.MarshalItemYAML(it)
		if err != nil {
			t.Fatal(err)
		}
		back, err := knowledge.ParseItems("x.yaml", data)
		if err != nil || len(back) != 1 {
			t.Fatalf("item %s does not read back: %v\n%s", it.ID, err, data)
		}
		a, c := *it, *back[0]
		a.Pos, c.Pos = knowledge.Pos{}, knowledge.Pos{}
		if !same(a, c) || a.Reviewed != c.Reviewed {
			t.Errorf("item %s changed through YAML:\n%s", it.ID, data)
		}
	}
	syn, err := knowledge.MarshalSynonymsYAML(b.Synonyms)
	if err != nil {
		t.Fatal(err)
	}
	if !same(b.Synonyms, mustSynonyms(t, syn)) {
		t.Errorf("synonyms changed through YAML")
	}
}

func clearTree(t *knowledge.Tree) *knowledge.Tree {
	c := *t
	c.Pos = knowledge.Pos{}
	c.Nodes = map[string]*knowledge.Node{}
	for id, n := range t.Nodes {
		nc := *n
		nc.Pos = knowledge.Pos{}
		nc.Choices = nil
		for _, ch := range n.Choices {
			ch.Pos = knowledge.Pos{}
			nc.Choices = append(nc.Choices, ch)
		}
		c.Nodes[id] = &nc
	}
	return &c
}

func mustSynonyms(t *testing.T, data []byte) [][]string {
	t.Helper()
	b, err := knowledge.LoadFS(fstest.MapFS{"synonyms.yaml": {Data: data}})
	if err != nil {
		t.Fatalf("synonyms do not read back: %v\n%s", err, data)
	}
	return b.Synonyms
}
