// Package lexicon holds Boussole's curated, reviewable lexicon of French
// administrative and labour-law vocabulary for search: groups of
// equivalent names ("CDI" and "contrat à durée indéterminée"), one-way
// expansions of everyday words to the words of official texts ("viré" →
// "licenciement"), facets, situations a sheet may be specific to (the
// civil service, a lost document, a minor), and context words, the people
// a question is about ("ma fille"). It is written as general
// knowledge of the domain, in lexicon.yaml, embedded in the binary.
package lexicon

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Lexicon is a parsed lexicon.
type Lexicon struct {
	// Synonyms are groups of equivalent phrases.
	Synonyms [][]string `yaml:"synonyms"`
	// Expand are one-way expansions.
	Expand []Expansion `yaml:"expand"`
	// Facets are situations a sheet may be specific to.
	Facets []Facet `yaml:"facets"`
	// Context are single words that say whom a question is about ("ma
	// fille", "mon mari"), not what it asks: they weigh less when the
	// question names something else.
	Context []string `yaml:"context"`
}

// Expansion says that a query naming one of From means (also) To.
type Expansion struct {
	From []string `yaml:"from"`
	To   []string `yaml:"to"`
}

// Facet is a situation a sheet may be specific to, recognised by any of
// its Terms in a query and in a sheet's title, breadcrumb or situations.
type Facet struct {
	Name string `yaml:"name"`
	// Specific marks a public served by sheets of its own (the civil
	// service): such sheets rank lower when the query does not name it.
	Specific bool     `yaml:"specific"`
	Terms    []string `yaml:"terms"`
}

// files are the lexicon's parts: lexicon.yaml (French) and english.yaml
// (English words of questions → the French words of the sheets).
//
//go:embed *.yaml
var files embed.FS

// Default returns the embedded lexicon. It is parsed once; the result is
// shared and must not be modified.
func Default() *Lexicon { return parsedDefault() }

// parsedDefault parses the embedded lexicon on first use, once: it never
// changes, and parsing costs about 20 ms, too much for every index built.
var parsedDefault = sync.OnceValue(func() *Lexicon {
	l, err := parseFiles(files, "lexicon.yaml", "english.yaml", "english-context.yaml")
	if err != nil {
		panic("lexicon: embedded lexicon: " + err.Error()) // caught by TestDefault
	}
	return l
})

// parseFiles parses each named file of fsys (a missing one is skipped)
// and joins them into one lexicon, checked as a whole.
func parseFiles(fsys fs.FS, names ...string) (*Lexicon, error) {
	var all Lexicon
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		l, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		all.Synonyms = append(all.Synonyms, l.Synonyms...)
		all.Expand = append(all.Expand, l.Expand...)
		all.Facets = append(all.Facets, l.Facets...)
		all.Context = append(all.Context, l.Context...)
	}
	if len(all.Facets) > MaxFacets {
		return nil, fmt.Errorf("%d facets, at most %d", len(all.Facets), MaxFacets)
	}
	return &all, nil
}

// MaxFacets bounds the facets of a lexicon (search keeps them in a bit set).
const MaxFacets = 64

// Parse reads a lexicon, strictly: unknown keys, empty phrases, groups of
// fewer than two phrases, expansions without both sides and facets
// without a name or terms are errors, all reported at once.
func Parse(data []byte) (*Lexicon, error) {
	var l Lexicon
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("parse lexicon: %w", err)
	}
	var errs []error
	blank := func(ps []string) bool {
		for _, p := range ps {
			if strings.TrimSpace(p) == "" {
				return true
			}
		}
		return false
	}
	for i, g := range l.Synonyms {
		if len(g) < 2 || blank(g) {
			errs = append(errs, fmt.Errorf("synonyms[%d] %q: want at least two non-empty phrases", i, g))
		}
	}
	for i, e := range l.Expand {
		if len(e.From) == 0 || len(e.To) == 0 || blank(e.From) || blank(e.To) {
			errs = append(errs, fmt.Errorf("expand[%d] %q → %q: want non-empty from and to", i, e.From, e.To))
		}
	}
	names := map[string]bool{}
	for i, f := range l.Facets {
		if strings.TrimSpace(f.Name) == "" || len(f.Terms) == 0 || blank(f.Terms) {
			errs = append(errs, fmt.Errorf("facets[%d] %q: want a name and non-empty terms", i, f.Name))
		}
		if names[f.Name] {
			errs = append(errs, fmt.Errorf("facets[%d]: duplicate name %q", i, f.Name))
		}
		names[f.Name] = true
	}
	for i, w := range l.Context {
		if w = strings.TrimSpace(w); w == "" || strings.ContainsAny(w, " -'’") {
			errs = append(errs, fmt.Errorf("context[%d] %q: want one word", i, w))
		}
	}
	if len(l.Facets) > MaxFacets {
		errs = append(errs, fmt.Errorf("%d facets, at most %d", len(l.Facets), MaxFacets))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("parse lexicon: %w", err)
	}
	return &l, nil
}
