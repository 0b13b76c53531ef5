// Package catalog is Boussole's message catalogue: every sentence the bot
// says to a citizen or a mediator comes from here, in French (France),
// French (Québec) and English. Translators edit the embedded YAML files;
// code refers to messages by key.
package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed messages/*.yaml
var files embed.FS

// Default is the language used when none is known.
const Default = "fr"

// Catalog maps language → key → message. Messages use {name} placeholders.
type Catalog struct {
	msgs map[string]map[string]string
}

// New loads the embedded catalogue. It fails when a file is malformed.
func New() (*Catalog, error) {
	return Load(files, "messages")
}

// Load reads every <lang>.yaml file of dir in fsys.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".yaml" {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", e.Name(), err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("parse catalogue %s: %w", e.Name(), err)
		}
		c.msgs[strings.TrimSuffix(e.Name(), ".yaml")] = m
	}
	if _, ok := c.msgs[Default]; !ok {
		return nil, fmt.Errorf("load catalogue: no %s.yaml", Default)
	}
	return c, nil
}

// Langs lists the languages the catalogue has, sorted.
func (c *Catalog) Langs() []string {
	out := make([]string, 0, len(c.msgs))
	for l := range c.msgs {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Keys lists the keys of one language, sorted.
func (c *Catalog) Keys(lang string) []string {
	out := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Supported reports whether lang has its own messages.
func (c *Catalog) Supported(lang string) bool {
	_, ok := c.msgs[lang]
	return ok
}

// T returns the message key in lang, with {name} placeholders replaced by
// the pairs in kv ("name", value, …). A regional language falls back to its
// base ("fr-CA" → "fr"), then to French. An unknown key returns the key
// itself so a missing message shows up in tests instead of vanishing.
func (c *Catalog) T(lang, key string, kv ...string) string {
	msg, ok := c.lookup(lang, key)
	if !ok {
		return key
	}
	if len(kv) == 0 {
		return msg
	}
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// Words returns the list of words or phrases key holds in lang's own
// file (« aide | au secours | menu »), without falling back to another
// language: what the bot recognises in one language is not assumed in
// another. Keys of word lists start with "words_".
func (c *Catalog) Words(lang, key string) []string {
	var out []string
	for _, w := range strings.Split(c.msgs[lang][key], "|") {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// AllWords returns the words key lists in every language of the
// catalogue, each once: what the bot recognises whatever the language.
func (c *Catalog) AllWords(key string) []string {
	var out []string
	for _, lang := range c.Langs() {
		for _, w := range c.Words(lang, key) {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// Has reports whether key has a message in lang (or its fallbacks).
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.lookup(lang, key)
	return ok
}

func (c *Catalog) lookup(lang, key string) (string, bool) {
	for _, l := range []string{lang, baseLang(lang), Default} {
		if m, ok := c.msgs[l][key]; ok {
			return m, true
		}
	}
	return "", false
}

// Regional is the catalogue's language of base spoken in jurisdiction j
// (fr in QC: fr-CA, from each file's lang_jurisdiction), or base itself
// when it has none: the language the bot speaks to a person there.
func (c *Catalog) Regional(base, j string) string {
	if j == "" {
		return base
	}
	for _, l := range c.Langs() {
		if l != base && baseLang(l) == base && c.T(l, "lang_jurisdiction") == j {
			return l
		}
	}
	return base
}

func baseLang(l string) string {
	if i := strings.IndexAny(l, "-_"); i > 0 {
		return l[:i]
	}
	return l
}

// EmbeddedLangs lists the languages of the embedded catalogue (what New
// loads), sorted, without parsing it: the configuration's language is
// checked before the catalogue is loaded.
func EmbeddedLangs() []string {
	entries, _ := fs.ReadDir(files, "messages") // embedded: cannot fail
	var out []string
	for _, e := range entries {
		if !e.IsDir() && path.Ext(e.Name()) == ".yaml" {
			out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(out)
	return out
}
