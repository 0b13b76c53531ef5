package catalog

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// Every French message has an English translation with the same
// placeholders, and regional files only override existing keys.
func TestCatalogueIsComplete(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	fr := c.Keys("fr")
	if len(fr) < 30 {
		t.Fatalf("only %d French messages", len(fr))
	}
	for _, lang := range c.Langs() {
		for _, k := range c.Keys(lang) {
			if !slices.Contains(fr, k) {
				t.Errorf("%s.yaml: key %q has no French original", lang, k)
			}
		}
	}
	for _, k := range fr {
		if !slices.Contains(c.Keys("en"), k) {
			t.Errorf("en.yaml: missing %q", k)
		}
		want := placeholder.FindAllString(c.T("fr", k), -1)
		slices.Sort(want)
		for _, lang := range c.Langs() {
			if !slices.Contains(c.Keys(lang), k) {
				continue
			}
			got := placeholder.FindAllString(c.T(lang, k), -1)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s.yaml %q: placeholders %v, French has %v", lang, k, got, want)
			}
		}
	}
}

func TestLookupFallsBack(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("fr-CA", "btn_mediator"); got != "Parler à un intervenant" {
		t.Errorf("fr-CA override: %q", got)
	}
	if got, want := c.T("fr-CA", "help"), c.T("fr", "help"); got != want {
		t.Errorf("fr-CA falls back to fr: %q", got)
	}
	if got, want := c.T("de", "help"), c.T("fr", "help"); got != want {
		t.Errorf("unknown language falls back to French: %q", got)
	}
	if got := c.T("fr", "no_such_key"); got != "no_such_key" {
		t.Errorf("missing key: %q", got)
	}
	if got := c.T("en", "escalated", "case", "42"); !regexp.MustCompile(`#42\b`).MatchString(got) {
		t.Errorf("placeholder: %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(fstest.MapFS{"m/en.yaml": {Data: []byte("a: b\n")}}, "m"); err == nil {
		t.Error("a catalogue without French loaded")
	}
	if _, err := Load(fstest.MapFS{"m/fr.yaml": {Data: []byte("a: [b\n")}}, "m"); err == nil {
		t.Error("malformed YAML loaded")
	}
}

// Every list of words the bot recognises is in French and English (an
// English list may be "" where English has no such word: « à » before a
// town), with no empty entry: a language missing « aide » would leave
// its speakers without help. The engine, the mediators' grammar and the
// gazetteer refuse to start without the lists they need; this says
// which is missing first.
func TestWordListsAreComplete(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range c.Keys("fr") {
		if !strings.HasPrefix(k, "words_") {
			continue
		}
		n++
		for _, lang := range c.Langs() {
			raw, own := c.msgs[lang][k]
			if !own && lang != "fr-CA" {
				t.Errorf("%s.yaml: no %s", lang, k)
				continue
			}
			for _, w := range strings.Split(raw, "|") {
				if own && raw != "" && strings.TrimSpace(w) == "" {
					t.Errorf("%s.yaml %s: an empty entry in %q", lang, k, raw)
				}
			}
		}
		if len(c.Words("fr", k)) == 0 && len(c.Words("en", k)) == 0 {
			t.Errorf("%s: no words in French nor English", k)
		}
	}
	if n < 20 {
		t.Errorf("only %d word lists: the recognised words are not all in the catalogue", n)
	}
}
