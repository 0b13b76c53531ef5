package main

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/knowledge"
)

func TestFTSQuery(t *testing.T) {
	for q, want := range map[string]string{
		"Carte d'identité volée":     `"carte" OR "d" OR "identité" OR "volée"`,
		"rsa OR NOT rsa -- * \"x\"?": `"rsa" OR "or" OR "not" OR "x"`,
		"  ?! ":                      "",
		"":                           "",
		"cerfa 15481*01":             `"cerfa" OR "15481" OR "01"`,
	} {
		if got := ftsQuery(q); got != want {
			t.Errorf("ftsQuery(%q) = %s, want %s", q, got, want)
		}
	}
}

func TestDocOf(t *testing.T) {
	it := &knowledge.Item{ID: "F1", Title: "T", Summary: "S", Keywords: []string{"k1", " "}, Body: "b",
		Where:      knowledge.Where{Office: "Mairie", Online: []knowledge.Link{{Label: "Téléservice", URL: "https://x"}}},
		Situations: []string{"En ligne"}, Themes: []string{"Papiers"},
		Glossary: []knowledge.Term{{Term: "CNI", Expansion: "carte nationale d'identité"}}}
	other := &knowledge.Item{ID: "F2", Mentions: []knowledge.Mention{{To: "F1", Text: "la carte"}, {To: "F3", Text: "x"}}}
	d := docsOf([]*knowledge.Item{it, other})[0]
	if d.ID != "F1" || d.Title != "T" || d.Summary != "S" || d.Body != "k1\nMairie\nTéléservice\nEn ligne\nPapiers\nCNI\ncarte nationale d'identité\nla carte\nb" {
		t.Errorf("docOf = %+v", d)
	}
}

func TestReplaceBlock(t *testing.T) {
	in := "# B\n\n" + beginMarker + "\nold\n" + endMarker + "\n\nreading\n"
	got, err := replaceBlock(in, "new\n")
	if err != nil || got != "# B\n\n"+beginMarker+"\nnew\n"+endMarker+"\n\nreading\n" {
		t.Errorf("replaceBlock = %q, %v", got, err)
	}
	if _, err := replaceBlock("no markers", "x"); err == nil {
		t.Error("replaceBlock without markers: no error")
	}
}

func TestMarkdown(t *testing.T) {
	r := Results{Meta: Meta{Items: 7180, Files: 7591, CPUs: 2}, Rows: []Row{
		{Set: "citizens-dev", Engine: "A"},
		{Set: "citizens-dev", Engine: "B"},
	}}
	r.Rows[0].N, r.Rows[1].N = 30, 30
	r.Rows[0].RecallAt1, r.Rows[1].RecallAt1 = 0.9, 0.5
	r.Rows[0].P50ms, r.Rows[1].P50ms = 2, 1
	md := r.Markdown()
	for _, want := range []string{"7,180 items", "| citizens-dev (30 q.) | A | **0.900** |", "| **1.000** |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if thousands(1020) != "1,020" || thousands(999) != "999" || thousands(1234567) != "1,234,567" {
		t.Error("thousands")
	}
}
