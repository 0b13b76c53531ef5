package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest knowledge file accepted. Real sheets and trees
// are a few kilobytes; anything near this size is a mistake (an export
// dropped in the wrong folder) or an attack, and parsing it would only waste
// memory.
const MaxFileSize = 2 << 20

// Field names accepted in each kind of mapping. Decoding is strict: any
// other key is a problem, because a misspelt optional field ("keyword:")
// would otherwise be silently ignored and the admin would never know why
// the bot does not find the sheet.
var (
	itemFields     = []string{"id", "kind", "title", "summary", "title_en", "summary_en", "steps_en", "danger", "audience", "jurisdiction", "lang", "steps", "documents", "where", "cost", "delay", "keywords", "synonyms", "sources", "reviewed", "replaces", "attribution", "body", "place", "review_every"}
	whereFields    = []string{"online", "office", "phone"}
	linkFields     = []string{"label", "url"}
	treeFields     = []string{"id", "title", "title_en", "lang", "jurisdiction", "triggers", "start", "nodes"}
	nodeFields     = []string{"ask", "ask_en", "choices", "route"}
	choiceFields   = []string{"label", "label_en", "keywords", "next", "answer", "escalate", "nearest"}
	nearestFields  = []string{"services", "labels"}
	synonymsFields = []string{"synonyms"}
)

// ParseItems decodes one items file: a single item mapping or a list of
// them. name is used as Pos.File. Every decoding problem of the file is
// returned at once as Problems; the items are not validated semantically.
func ParseItems(name string, data []byte) ([]*Item, error) {
	d := &decoder{file: name}
	root := d.document(data)
	if root == nil {
		return nil, d.probs.err()
	}
	var items []*Item
	switch root.Kind {
	case yaml.MappingNode:
		items = append(items, d.item(root))
	case yaml.SequenceNode:
		if len(root.Content) == 0 {
			d.errorf(root, "this items file holds an empty list: write at least one item (id:, title:, …) or delete the file")
		}
		for _, n := range root.Content {
			if n = d.deref(n); n == nil {
				continue
			}
			if n.Kind != yaml.MappingNode {
				d.errorf(n, "each entry of an items list must be an item (id:, title:, …), not %s", describe(n))
				continue
			}
			items = append(items, d.item(n))
		}
	default:
		d.errorf(root, "an items file must hold one item (id:, title:, …) or a list of items, not %s", describe(root))
	}
	if err := d.probs.err(); err != nil {
		return nil, err
	}
	return items, nil
}

// ParseTree decodes one orientation tree file. name is used as Pos.File.
// Every decoding problem of the file is returned at once as Problems; the
// tree is not validated semantically (see Validate).
func ParseTree(name string, data []byte) (*Tree, error) {
	d := &decoder{file: name}
	root := d.document(data)
	if root == nil {
		return nil, d.probs.err()
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "a tree file must hold one tree (id:, title:, start:, nodes:, …), not %s", describe(root))
		return nil, d.probs.err()
	}
	t := d.tree(root)
	if err := d.probs.err(); err != nil {
		return nil, err
	}
	return t, nil
}

// parseSynonyms decodes synonyms.yaml and returns the groups with the
// position of each group, kept so that Validate can point at the line.
func parseSynonyms(name string, data []byte) ([][]string, []Pos, error) {
	d := &decoder{file: name}
	root := d.document(data)
	if root == nil {
		return nil, nil, d.probs.err()
	}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "the synonyms file must start with \"synonyms:\" followed by a list of groups, not %s", describe(root))
		return nil, nil, d.probs.err()
	}
	var (
		groups [][]string
		pos    []Pos
	)
	d.fields(root, "synonyms file", synonymsFields, func(key string, v *yaml.Node) {
		v = d.list(key, v)
		if v == nil {
			return
		}
		for i, g := range v.Content {
			if g = d.deref(g); g == nil {
				continue
			}
			if g.Kind != yaml.SequenceNode {
				d.errorf(g, "synonyms group %d must be a list of equivalent phrases ([cni, \"carte nationale d'identité\"]), not %s", i+1, describe(g))
				continue
			}
			groups = append(groups, d.texts(fmt.Sprintf("synonyms group %d", i+1), g))
			pos = append(pos, d.pos(g))
		}
	})
	if err := d.probs.err(); err != nil {
		return nil, nil, err
	}
	return groups, pos, nil
}

// decoder walks yaml.Node trees by hand rather than with yaml.Unmarshal:
// that is what gives every problem a line, lets us report all of them
// instead of the first, and keeps aliases from ever being expanded.
type decoder struct {
	file  string
	probs Problems
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line} }

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.probs.add(Pos{File: d.file, Line: line}, format, args...)
}

// document parses data as exactly one YAML document and returns its root
// node, or nil after recording a problem.
func (d *decoder) document(data []byte) *yaml.Node {
	if len(data) > MaxFileSize {
		d.probs.add(Pos{File: d.file}, "file is too large (over %d MiB): a knowledge file should hold a few sheets or one tree", MaxFileSize>>20)
		return nil
	}
	if !utf8.Valid(data) {
		// yaml.v3 reports this without a line, and editors that saved in
		// Latin-1 or Windows-1252 are common: say where and what to do.
		line, col := 1, 1
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				d.probs.add(Pos{File: d.file, Line: line}, "byte 0x%02X at column %d is not UTF-8 text: save the file as UTF-8 (in most editors: « Save with encoding » → UTF-8)", data[i], col)
				return nil
			}
			if r == '\n' {
				line, col = line+1, 0
			}
			i += n
			col++
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := safeDecode(dec, &doc); {
	case errors.Is(err, io.EOF):
		d.probs.add(Pos{File: d.file}, "file is empty: write the content or delete the file")
		return nil
	case err != nil:
		d.syntaxError(err)
		return nil
	}
	// A second document is almost always two files pasted together; a
	// trailing "---" with nothing after it is harmless.
	var extra yaml.Node
	switch err := safeDecode(dec, &extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		d.syntaxError(err)
		return nil
	default:
		if len(extra.Content) > 0 && !isNull(extra.Content[0]) {
			d.errorf(&extra, "file holds more than one YAML document (separated by ---): put each one in its own file")
			return nil
		}
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		d.errorf(&doc, "file is empty: write the content or delete the file")
		return nil
	}
	return d.deref(doc.Content[0])
}

// safeDecode calls dec.Decode and turns a panic of the YAML library into an
// error. yaml.v3's parser panics with "internal error" on some malformed
// input (fuzzers keep finding such inputs, see go-yaml/yaml#666 and its
// successors), and a bad file uploaded by an admin must not bring the bot
// down.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the file could not be read as YAML (%v)", r)
		}
	}()
	return dec.Decode(n)
}

// syntaxError records a parser error, moving yaml.v3's "line N:" prefix
// into the position.
func (d *decoder) syntaxError(err error) {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, after
			}
		}
	}
	d.probs.add(Pos{File: d.file, Line: line}, "YAML syntax error: %s (check the indentation, the colons and the quotes around text that contains \": \" or starts with a special character)", msg)
}

// deref refuses aliases. Anchors and aliases (&x, *x) are a programmer's
// shortcut admins do not need, and expanding them is how small files become
// memory bombs; refusing them removes the risk entirely.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		d.errorf(n, "aliases (*%s) are not supported in knowledge files: write the value out in full", n.Value)
		return nil
	}
	return n
}

// fields checks that n is a mapping whose keys are all in valid, each once,
// and calls fn for each key with its value. what names the mapping in
// messages ("item", "choice").
func (d *decoder) fields(n *yaml.Node, what string, valid []string, fn func(key string, v *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a set of fields (name: value), not %s", what, describe(n))
		return
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k = d.deref(k); k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "field names in %s must be plain words, not %s", what, describe(k))
			continue
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			d.errorf(k, "field %q is written twice in %s (first at line %d): keep only one", key, what, first)
			continue
		}
		seen[key] = k.Line
		switch {
		case key == "<<":
			d.errorf(k, "merge keys (<<) are not supported in knowledge files: write the fields out in full")
			continue
		case !slices.Contains(valid, key):
			d.errorf(k, "unknown field %q in %s%s", key, what, didYouMean(key, valid))
			continue
		}
		if v = d.deref(v); v == nil {
			continue
		}
		fn(key, v)
	}
}

// text decodes a scalar as trimmed text. Block scalars (">" and "|") end
// with a newline and stray spaces around ids would make references fail
// invisibly, so surrounding white space is never meaningful here. Null
// ("field:" with nothing) is the empty text; Validate reports it when the
// field is required.
func (d *decoder) text(field string, v *yaml.Node) string {
	if isNull(v) {
		return ""
	}
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, "field %q must be text, not %s", field, describe(v))
		return ""
	}
	return strings.TrimSpace(v.Value)
}

// list checks that v is a sequence (or null) and returns it, or nil.
func (d *decoder) list(field string, v *yaml.Node) *yaml.Node {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		d.errorf(v, "field %q must be a list (written [a, b] or one \"- a\" per line), not %s", field, describe(v))
		return nil
	}
	return v
}

// texts decodes a list of texts.
func (d *decoder) texts(field string, v *yaml.Node) []string {
	v = d.list(field, v)
	if v == nil {
		return nil
	}
	out := make([]string, 0, len(v.Content))
	for i, e := range v.Content {
		if e = d.deref(e); e == nil {
			continue
		}
		if e.Kind != yaml.ScalarNode {
			d.errorf(e, "entry %d of %q must be text, not %s", i+1, field, describe(e))
			continue
		}
		out = append(out, d.text(field, e))
	}
	return out
}

func (d *decoder) item(n *yaml.Node) *Item {
	it := &Item{Pos: d.pos(n)}
	d.fields(n, "item", itemFields, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			it.ID = d.text(key, v)
		case "kind":
			it.Kind = Kind(d.text(key, v))
		case "title":
			it.Title = d.text(key, v)
		case "summary":
			it.Summary = d.text(key, v)
		case "title_en":
			it.TitleEN = d.text(key, v)
		case "summary_en":
			it.SummaryEN = d.text(key, v)
		case "steps_en":
			it.StepsEN = d.texts(key, v)
		case "danger":
			it.Danger = d.texts(key, v)
		case "audience":
			it.Audience = d.texts(key, v)
		case "jurisdiction":
			it.Jurisdiction = d.text(key, v)
		case "lang":
			it.Lang = d.text(key, v)
		case "steps":
			it.Steps = d.texts(key, v)
		case "documents":
			it.Documents = d.texts(key, v)
		case "where":
			it.Where = d.where(v)
		case "cost":
			it.Cost = d.text(key, v)
		case "delay":
			it.Delay = d.text(key, v)
		case "keywords":
			it.Keywords = d.texts(key, v)
		case "synonyms":
			it.Synonyms = d.texts(key, v)
		case "sources":
			it.Sources = d.texts(key, v)
		case "reviewed":
			it.Reviewed = d.date(key, v)
		case "replaces":
			it.Replaces = d.ids(key, v)
		case "attribution":
			it.Attribution = d.text(key, v)
		case "body":
			it.Body = d.text(key, v)
		case "place":
			it.Place = d.place(it, v)
		case "review_every":
			it.ReviewEvery = d.months(key, v)
		}
	})
	return it
}

// date decodes a YYYY-MM-DD day. yaml.v3 tags such values !!timestamp but
// the text is what the admin wrote, so it is parsed from there.
func (d *decoder) date(field string, v *yaml.Node) Date {
	s := d.text(field, v)
	if s == "" {
		return Date{}
	}
	dt, err := ParseDate(s)
	if err != nil {
		d.errorf(v, "field %q: %q is not a valid date; write it as YYYY-MM-DD, for example 2026-10-01", field, s)
		return Date{}
	}
	return dt
}

func (d *decoder) where(n *yaml.Node) Where {
	var w Where
	if n.Kind != yaml.MappingNode && !isNull(n) {
		d.errorf(n, "field \"where\" must list online:, office: and/or phone: on the lines below it, not %s", describe(n))
		return w
	}
	d.fields(n, `"where"`, whereFields, func(key string, v *yaml.Node) {
		switch key {
		case "online":
			l := d.list("where.online", v)
			if l == nil {
				return
			}
			for _, e := range l.Content {
				if e = d.deref(e); e == nil {
					continue
				}
				if e.Kind != yaml.MappingNode {
					d.errorf(e, "each link of \"where.online\" must be written {label: …, url: …}, not %s", describe(e))
					continue
				}
				var link Link
				d.fields(e, "link", linkFields, func(key string, v *yaml.Node) {
					switch key {
					case "label":
						link.Label = d.text(key, v)
					case "url":
						link.URL = d.text(key, v)
					}
				})
				w.Online = append(w.Online, link)
			}
		case "office":
			w.Office = d.text("where.office", v)
		case "phone":
			w.Phone = d.text("where.phone", v)
		}
	})
	return w
}

func (d *decoder) tree(n *yaml.Node) *Tree {
	t := &Tree{Pos: d.pos(n)}
	d.fields(n, "tree", treeFields, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			t.ID = d.text(key, v)
		case "title":
			t.Title = d.text(key, v)
		case "title_en":
			t.TitleEN = d.text(key, v)
		case "lang":
			t.Lang = d.text(key, v)
		case "jurisdiction":
			t.Jurisdiction = d.text(key, v)
		case "triggers":
			t.Triggers = d.texts(key, v)
		case "start":
			t.Start = d.text(key, v)
		case "nodes":
			t.Nodes = d.nodes(v)
		}
	})
	return t
}

// nodes decodes the "nodes:" mapping; each key is a node id. Duplicate ids
// are caught here because a Go map would silently keep only the last one.
func (d *decoder) nodes(v *yaml.Node) map[string]*Node {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, "field \"nodes\" must map each node name to its question (name: {ask: …, choices: …}), not %s", describe(v))
		return nil
	}
	nodes := make(map[string]*Node, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, nv := d.deref(v.Content[i]), v.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "node names must be plain words, not %s", describe(k))
			continue
		}
		id := strings.TrimSpace(k.Value)
		if prev, dup := nodes[id]; dup {
			d.errorf(k, "node %q is defined twice (first at line %d): rename one of them", id, prev.Pos.Line)
			continue
		}
		// The key line is where the admin reads the node's name, so that is
		// where its problems point.
		node := &Node{ID: id, Pos: d.pos(k)}
		nodes[id] = node
		if nv = d.deref(nv); nv == nil {
			continue
		}
		what := fmt.Sprintf("node %q", id)
		d.fields(nv, what, nodeFields, func(key string, v *yaml.Node) {
			switch key {
			case "ask":
				node.Ask = d.text(key, v)
			case "ask_en":
				node.AskEN = d.text(key, v)
			case "route":
				node.Route = d.route(what, v)
			case "choices":
				l := d.list(key, v)
				if l == nil {
					return
				}
				for _, c := range l.Content {
					if c = d.deref(c); c == nil {
						continue
					}
					if c.Kind != yaml.MappingNode {
						d.errorf(c, "each choice of %s must be written {label: …, next: …} (or answer: / escalate:), not %s", what, describe(c))
						continue
					}
					node.Choices = append(node.Choices, d.choice(c))
				}
			}
		})
	}
	return nodes
}

// route decodes a node's "route:" mapping, jurisdiction → node.
func (d *decoder) route(what string, v *yaml.Node) map[string]string {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, "field \"route\" of %s must map each jurisdiction to a node (route: {FR: node-france, QC: node-quebec}), not %s", what, describe(v))
		return nil
	}
	r := make(map[string]string, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, nv := d.deref(v.Content[i]), d.deref(v.Content[i+1])
		if k == nil || nv == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "route keys of %s must be jurisdiction codes (FR, QC), not %s", what, describe(k))
			continue
		}
		if _, dup := r[k.Value]; dup {
			d.errorf(k, "route of %s names %s twice", what, k.Value)
			continue
		}
		r[k.Value] = d.text("route", nv)
	}
	return r
}

func (d *decoder) choice(n *yaml.Node) Choice {
	c := Choice{Pos: d.pos(n)}
	d.fields(n, "choice", choiceFields, func(key string, v *yaml.Node) {
		switch key {
		case "label":
			c.Label = d.text(key, v)
		case "label_en":
			c.LabelEN = d.text(key, v)
		case "keywords":
			c.Keywords = d.texts(key, v)
		case "next":
			c.Next = d.text(key, v)
		case "answer":
			c.Answer = d.ids(key, v)
		case "escalate":
			c.Escalate = d.text(key, v)
		case "nearest":
			c.Nearest = d.nearest(v)
		}
	})
	return c
}

// nearest decodes a choice's nearest: action, {services: […], labels: […]}.
func (d *decoder) nearest(n *yaml.Node) *Filter {
	f := &Filter{}
	if n.Kind != yaml.MappingNode && !isNull(n) {
		d.errorf(n, "field \"nearest\" must list services: and/or labels: on the lines below it (nearest: {services: [demarches]}), not %s", describe(n))
		return f
	}
	d.fields(n, `"nearest"`, nearestFields, func(key string, v *yaml.Node) {
		switch key {
		case "services":
			f.Services = codes(d.texts("nearest.services", v))
		case "labels":
			f.Labels = codes(d.texts("nearest.labels", v))
		}
	})
	return f
}

// codes reads service and label codes as an admin may write them: « France
// Services » and « Démarches » are france-services and demarches.
func codes(ws []string) []string {
	for i, w := range ws {
		ws[i] = strings.ReplaceAll(foldText(w), " ", "-")
	}
	return ws
}

// ids decodes one id or a list of them: a single id is the common case,
// and "answer: cni-perte" or "replaces: F1344" reads better than a
// one-entry list.
func (d *decoder) ids(field string, v *yaml.Node) []string {
	if v.Kind == yaml.ScalarNode && !isNull(v) {
		return []string{d.text(field, v)}
	}
	return d.texts(field, v)
}

// isNull reports whether n is YAML null ("~", "null" or nothing).
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names a node's shape in plain words for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("the text %q", shorten(n.Value, 40))
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a set of fields (name: value)"
	case yaml.AliasNode:
		return "an alias"
	}
	return "an empty value"
}

// shorten cuts s to n runes for quoting in a message.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// months decodes a review period: « 6m » (months) or « 1y » (years).
func (d *decoder) months(field string, v *yaml.Node) int {
	t := strings.TrimSpace(d.text(field, v))
	if t == "" {
		return 0
	}
	unit, mult := t[len(t)-1], 0
	switch unit {
	case 'm':
		mult = 1
	case 'y':
		mult = 12
	}
	n, err := strconv.Atoi(t[:len(t)-1])
	if mult == 0 || err != nil || n <= 0 || n*mult > 120 {
		d.errorf(v, "field %q must be a period such as 6m (months) or 1y (years), at most 10y, not %q", field, t)
		return 0
	}
	return n * mult
}
