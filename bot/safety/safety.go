// Package safety recognises messages from people in danger (violence in
// the couple or family, sexual violence, a threat to a life, suicidal
// thoughts, a child in danger, nowhere to sleep tonight, a medical
// emergency, a deaf person needing emergency help), so that the engine
// answers them with emergency numbers before anything else.
//
// Recognition is by phrases, in French (France and Québec wording, SMS
// spellings) and English, read from a patterns file (danger.yaml, embedded;
// see docs/safety.md). Phrases are matched on the folded message (lower
// case, no accents, punctuation as spaces), word by word:
//
//	frapp*               a word starting with "frapp"
//	mari|conjoint|chum   one of these words
//	~3                   up to three other words
//	^ … $                the whole message (at the start / at the end)
//
// Vetoes are phrases that read like danger but are not (« mourir de
// rire », « je tue le temps », « ma batterie est morte », « rue de
// Rivoli »): their words are set aside before the categories are matched,
// so a message with a veto and a real danger elsewhere is still caught.
package safety

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

//go:embed danger.yaml
var defaultPatterns []byte

// Detector recognises danger in messages. It is safe for concurrent use.
type Detector struct {
	vetoes []pattern
	cats   []category
	// vetoIx and catIx index the patterns by their first word, so that a
	// message is read once instead of once per pattern.
	vetoIx, catIx index
	// places are the words that tell a jurisdiction (« chum », « à soir »,
	// « 3919 »), by jurisdiction code.
	places map[string][]pattern
}

type category struct {
	name string
	// only: the category counts only beside another one (a deaf person
	// is not in danger for being deaf; a deaf person in danger needs the
	// SMS number).
	only     bool
	patterns []pattern
}

// file is the patterns file's shape.
type file struct {
	Vetoes     []string            `yaml:"vetoes"`
	Categories map[string][]string `yaml:"categories"`
	// Modifiers are categories reported only beside another one.
	Modifiers []string `yaml:"modifiers"`
	// Jurisdictions are the words that tell where the person is.
	Jurisdictions map[string][]string `yaml:"jurisdictions"`
}

// New returns the detector of the embedded patterns.
func New() (*Detector, error) { return Parse(defaultPatterns) }

// Parse builds a detector from a patterns file; errors name the category
// and the phrase.
func Parse(src []byte) (*Detector, error) {
	var f file
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("read danger patterns: %w", err)
	}
	d := &Detector{places: map[string][]pattern{}}
	var errs []error
	for j, phrases := range f.Jurisdictions {
		for _, ph := range phrases {
			p, err := compile(ph)
			if err != nil {
				errs = append(errs, fmt.Errorf("jurisdiction %s: %q: %w", j, ph, err))
				continue
			}
			d.places[j] = append(d.places[j], p)
		}
	}
	for _, v := range f.Vetoes {
		p, err := compile(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("veto %q: %w", v, err))
			continue
		}
		d.vetoes = append(d.vetoes, p)
	}
	for _, m := range f.Modifiers {
		if _, ok := f.Categories[m]; !ok {
			errs = append(errs, fmt.Errorf("modifier %q is not a category", m))
		}
	}
	// Categories in the order of knowledge.DangerCategories (most urgent
	// first), so that Detect's result is ordered.
	for name := range f.Categories {
		if !slices.Contains(knowledge.DangerCategories, name) {
			errs = append(errs, fmt.Errorf("unknown category %q (have %s)", name, strings.Join(knowledge.DangerCategories, ", ")))
		}
	}
	for _, name := range knowledge.DangerCategories {
		phrases, ok := f.Categories[name]
		if !ok {
			continue
		}
		c := category{name: name, only: slices.Contains(f.Modifiers, name)}
		for _, ph := range phrases {
			p, err := compile(ph)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q: %w", name, ph, err))
				continue
			}
			c.patterns = append(c.patterns, p)
		}
		d.cats = append(d.cats, c)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("danger patterns: %w", err)
	}
	d.vetoIx = newIndex(d.vetoes, nil)
	var all []pattern
	var owner []int
	for ci, c := range d.cats {
		for _, p := range c.patterns {
			all = append(all, p)
			owner = append(owner, ci)
		}
	}
	d.catIx = newIndex(all, owner)
	return d, nil
}

// index finds the patterns that may start at a word: by the exact first
// words of their first step, and by its prefixes.
type index struct {
	pats  []pattern
	owner []int // category of each pattern (nil for vetoes)
	exact map[string][]int
	pre   []prefixRef
}

type prefixRef struct {
	prefix string
	pat    int
}

func newIndex(pats []pattern, owner []int) index {
	x := index{pats: pats, owner: owner, exact: map[string][]int{}}
	for i, p := range pats {
		for _, alt := range p.steps[0].alts {
			w := alt[0]
			if w.prefix {
				x.pre = append(x.pre, prefixRef{w.text, i})
			} else if !slices.Contains(x.exact[w.text], i) {
				x.exact[w.text] = append(x.exact[w.text], i)
			}
		}
	}
	return x
}

// each calls fn with every pattern matching at some position, and the
// number of words it covers; fn returns false to stop.
func (x *index) each(words []string, fn func(pat, start, n int) bool) {
	var cands []int
	for i, w := range words {
		if w == "" {
			continue
		}
		cands = append(cands[:0], x.exact[w]...)
		for _, pr := range x.pre {
			if strings.HasPrefix(w, pr.prefix) {
				cands = append(cands, pr.pat)
			}
		}
		for _, pi := range cands {
			p := x.pats[pi]
			if p.start && i != 0 {
				continue
			}
			if n, ok := p.matchAt(words, i); ok && !fn(pi, i, n) {
				return
			}
		}
	}
}

// Read returns the danger categories of text and the jurisdiction its
// words point to: the engine's Danger, read once per message. It is in
// memory and fails only when ctx is done; the context and error let a
// model-backed reader sit behind the same interface.
func (d *Detector) Read(ctx context.Context, text string) (cats []string, jurisdiction string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	return d.Detect(text), d.Jurisdiction(text), nil
}

// Detect returns the danger categories text reads as, most urgent first,
// or nil. text is the message as typed.
func (d *Detector) Detect(text string) []string {
	// Every word counts, elisions too: « m a frappe » is not « a frappe ».
	words := strings.Fields(analysis.Fold(text))
	if len(words) == 0 {
		return nil
	}
	// Set vetoed words aside; a blank never matches a word pattern but
	// still counts as a word for gaps and anchors. Every veto reads the
	// message as typed: one veto's blanks never hide another's words.
	vetoed := make([]bool, len(words))
	d.vetoIx.each(words, func(_, start, n int) bool {
		for j := start; j < start+n; j++ {
			vetoed[j] = true
		}
		return true
	})
	for i, v := range vetoed {
		if v {
			words[i] = ""
		}
	}
	hit := make([]bool, len(d.cats))
	d.catIx.each(words, func(pat, _, _ int) bool {
		hit[d.catIx.owner[pat]] = true
		return true
	})
	var found, modifiers []string
	for ci, c := range d.cats {
		if !hit[ci] {
			continue
		}
		if c.only {
			modifiers = append(modifiers, c.name)
		} else {
			found = append(found, c.name)
		}
	}
	if len(found) == 0 {
		return nil
	}
	// Keep the order of DangerCategories across both lists.
	found = append(found, modifiers...)
	slices.SortStableFunc(found, func(a, b string) int {
		return slices.Index(knowledge.DangerCategories, a) - slices.Index(knowledge.DangerCategories, b)
	})
	return found
}

// Jurisdiction returns the one jurisdiction whose words text uses, or ""
// when it names none or several.
func (d *Detector) Jurisdiction(text string) string {
	words := strings.Fields(analysis.Fold(text))
	found := ""
	for j, ps := range d.places {
		for _, p := range ps {
			if p.find(words) {
				if found != "" && found != j {
					return ""
				}
				found = j
				break
			}
		}
	}
	return found
}

// pattern is a compiled phrase.
type pattern struct {
	start, end bool // anchored to the message's first / last word
	steps      []step
}

// step is one position: a gap of up to gap words, or alternatives, each a
// sequence of words ("mari|chum", "(nulle part|pas d endroit)"), which
// may be absent when the group is written "(…)?".
type step struct {
	gap      int
	alts     [][]word
	optional bool
}

// word is an exact word, or a prefix (written with a final *).
type word struct {
	text   string
	prefix bool
}

// fields splits a phrase on spaces, keeping "( … )" groups whole.
func fields(s string) ([]string, error) {
	var out []string
	depth, begin := 0, -1
	for i, r := range s {
		switch {
		case r == '(':
			if depth == 0 && begin < 0 {
				begin = i
			}
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return nil, errors.New("a ) without (")
			}
		case r == ' ' && depth == 0:
			if begin >= 0 {
				out = append(out, s[begin:i])
				begin = -1
			}
			continue
		}
		if begin < 0 {
			begin = i
		}
	}
	if depth != 0 {
		return nil, errors.New("a ( without )")
	}
	if begin >= 0 {
		out = append(out, s[begin:])
	}
	return out, nil
}

func compile(s string) (pattern, error) {
	var p pattern
	fs, err := fields(s)
	if err != nil {
		return p, err
	}
	if len(fs) > 0 && fs[0] == "^" {
		p.start = true
		fs = fs[1:]
	}
	if len(fs) > 0 && fs[len(fs)-1] == "$" {
		p.end = true
		fs = fs[:len(fs)-1]
	}
	for i, f := range fs {
		if rest, ok := strings.CutPrefix(f, "~"); ok {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 1 || n > 8 {
				return p, fmt.Errorf("gap %q: want ~1 to ~8", f)
			}
			if i == 0 || i == len(fs)-1 {
				return p, fmt.Errorf("a gap %q must stand between two words", f)
			}
			p.steps = append(p.steps, step{gap: n})
			continue
		}
		group, optional := f, false
		if g, ok := strings.CutSuffix(f, ")?"); ok && strings.HasPrefix(f, "(") {
			f, optional = g+")", true
			group = f
		}
		if inner, ok := strings.CutPrefix(f, "("); ok {
			inner, ok = strings.CutSuffix(inner, ")")
			if !ok || strings.ContainsAny(inner, "()") {
				return p, fmt.Errorf("group %q: write (a b|c d), without nested groups", f)
			}
			group = inner
		}
		st := step{optional: optional}
		for _, alt := range strings.Split(group, "|") {
			var seq []word
			for _, w := range strings.Fields(alt) {
				if pre, ok := strings.CutSuffix(w, "*"); ok {
					if len(pre) < 3 {
						return p, fmt.Errorf("prefix %q: at least three letters before *", w)
					}
					seq = append(seq, word{text: analysis.Fold(pre), prefix: true})
					continue
				}
				// Written folded; folding again keeps an accent typed by
				// mistake from never matching.
				fw := analysis.Fold(w)
				if fw == "" || strings.Contains(fw, " ") {
					return p, fmt.Errorf("word %q: letters and digits only (an apostrophe is a space: « j ai »)", w)
				}
				seq = append(seq, word{text: fw})
			}
			if len(seq) == 0 {
				return p, fmt.Errorf("empty alternative in %q", f)
			}
			st.alts = append(st.alts, seq)
		}
		p.steps = append(p.steps, st)
	}
	if len(p.steps) == 0 {
		return p, errors.New("empty phrase")
	}
	if p.steps[0].optional {
		return p, errors.New("a phrase cannot start with an optional group")
	}
	return p, nil
}

func (w word) accepts(s string) bool {
	if s == "" {
		return false
	}
	if w.prefix {
		return strings.HasPrefix(s, w.text)
	}
	return s == w.text
}

// find reports whether p matches words somewhere (or where anchored).
func (p pattern) find(words []string) bool {
	if p.start {
		_, ok := p.matchAt(words, 0)
		return ok
	}
	for i := range words {
		if _, ok := p.matchAt(words, i); ok {
			return true
		}
	}
	return false
}

// matchAt matches p from words[i] and returns how many words it covers.
func (p pattern) matchAt(words []string, i int) (int, bool) {
	end, ok := p.match(words, i, 0)
	if !ok {
		return 0, false
	}
	return end - i, true
}

func (p pattern) match(words []string, i, s int) (int, bool) {
	if s == len(p.steps) {
		if p.end && i != len(words) {
			return 0, false
		}
		return i, true
	}
	st := p.steps[s]
	if st.gap > 0 {
		for skip := 0; skip <= st.gap && i+skip <= len(words); skip++ {
			if end, ok := p.match(words, i+skip, s+1); ok {
				return end, true
			}
		}
		return 0, false
	}
	if st.optional {
		if end, ok := p.match(words, i, s+1); ok {
			return end, true
		}
	}
next:
	for _, alt := range st.alts {
		if i+len(alt) > len(words) {
			continue
		}
		for k, w := range alt {
			if !w.accepts(words[i+k]) {
				continue next
			}
		}
		if end, ok := p.match(words, i+len(alt), s+1); ok {
			return end, true
		}
	}
	return 0, false
}
