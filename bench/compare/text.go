package main

import (
	"strings"
	"unicode"

	"github.com/boussole/boussole/knowledge"
)

// doc is the text every baseline indexes for one item, in the three
// columns of the FTS5 table: the same words Boussole's index reads from the
// item (knowledge/search addItem), so the engines differ in analysis and
// ranking, not in what they can see.
type doc struct {
	ID      string `json:"-"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Body    string `json:"body"`
}

// docsOf flattens items with docOf, giving each the words other items'
// links use for it (Item.Mentions), which Boussole's index reads too.
func docsOf(items []*knowledge.Item) []doc {
	mentions := make(map[string][]string)
	for _, it := range items {
		for _, m := range it.Mentions {
			if m.To != it.ID {
				mentions[m.To] = append(mentions[m.To], m.Text)
			}
		}
	}
	out := make([]doc, len(items))
	for i, it := range items {
		out[i] = docOf(it, mentions[it.ID])
	}
	return out
}

// docOf flattens an item: title and summary as they are; everything else
// Boussole searches (synonyms, keywords, steps, documents, where to go,
// online service labels, cost, delay, situations, breadcrumb, glossary
// terms and expansions, the words of links to it from other items, then
// the sheet's text) as the body, one entry a line.
func docOf(it *knowledge.Item, mentions []string) doc {
	var parts []string
	add := func(s ...string) {
		for _, v := range s {
			if v = strings.TrimSpace(v); v != "" {
				parts = append(parts, v)
			}
		}
	}
	add(it.Synonyms...)
	add(it.Keywords...)
	add(it.Steps...)
	add(it.Documents...)
	add(it.Where.Office, it.Cost, it.Delay)
	for _, l := range it.Where.Online {
		add(l.Label)
	}
	add(it.Situations...)
	add(it.Themes...)
	for _, g := range it.Glossary {
		add(g.Term, g.Expansion)
	}
	add(mentions...)
	add(it.Body)
	return doc{ID: it.ID, Title: it.Title, Summary: it.Summary, Body: strings.Join(parts, "\n")}
}

// words splits a question into lower-case words (letters and digits), each
// once, in order. Accents are left for the engines' own folding (FTS5's
// remove_diacritics, bleve's French light stemmer).
func words(q string) []string {
	f := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	seen := make(map[string]bool, len(f))
	out := f[:0]
	for _, w := range f {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// ftsQuery is an FTS5 MATCH expression: every word of the question,
// quoted (so "et", "ou", "not", "*" or a lone "-" are never operators),
// OR-ed. It is empty when the question has no word.
func ftsQuery(q string) string {
	ws := words(q)
	for i, w := range ws {
		ws[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(ws, " OR ")
}
