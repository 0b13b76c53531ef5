package knowledge

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseItems(t *testing.T) {
	tests := []struct {
		name string
		data string
		// want is a substring of the error ("" for success); ids the ids.
		want string
		ids  []string
	}{
		{name: "one item", data: "id: a\n", ids: []string{"a"}},
		{name: "list of items", data: "- id: a\n- id: b\n", ids: []string{"a", "b"}},
		{name: "explicit document start", data: "---\nid: a\n", ids: []string{"a"}},
		{name: "trailing document end", data: "id: a\n...\n", ids: []string{"a"}},
		{name: "null fields are empty", data: "id: a\ntitle:\nsteps: ~\nwhere:\n", ids: []string{"a"}},
		{name: "numbers and booleans are text", data: "id: 2024\ntitle: yes\n", ids: []string{"2024"}},
		{name: "spaces around values trimmed", data: "id: \"  a  \"\n", ids: []string{"a"}},
		{name: "empty", data: "", want: "x.yaml: file is empty"},
		{name: "only comments", data: "# todo\n", want: "x.yaml: file is empty"},
		{name: "null document", data: "null\n", want: "x.yaml:1: file is empty"},
		{name: "two documents", data: "id: a\n---\nid: b\n", want: "x.yaml:2: file holds more than one YAML document"},
		{name: "syntax error in second document", data: "id: a\n---\n[\n", want: "x.yaml:3: YAML syntax error"},
		{name: "syntax error", data: "id: a\n  title: b\n", want: "x.yaml:2: YAML syntax error: mapping values are not allowed"},
		{name: "unknown anchor", data: "id: *nope\n", want: "x.yaml: YAML syntax error: unknown anchor 'nope' referenced"},
		{name: "control character", data: "id: \x01\n", want: "x.yaml: YAML syntax error: control characters are not allowed"},
		{name: "invalid UTF-8", data: "id: \xff\n", want: "x.yaml:1: byte 0xFF at column 5 is not UTF-8 text"},
		{name: "unknown field", data: "id: a\nsumary: b\n", want: `x.yaml:2: unknown field "sumary" in item (did you mean "summary"?)`},
		{name: "French field name", data: "id: a\ntitre: b\n", want: `x.yaml:2: unknown field "titre" in item (did you mean "title"?)`},
		{name: "case typo", data: "ID: a\n", want: `unknown field "ID" in item (did you mean "id"?)`},
		{name: "no suggestion when far", data: "id: a\nzzzzzz: b\n", want: `x.yaml:2: unknown field "zzzzzz" in item` + "\n"},
		{name: "non-scalar key", data: "? [a]\n: b\n", want: "x.yaml:1: field names in item must be plain words, not a list"},
		{name: "duplicate key", data: "id: a\nid: b\n", want: `x.yaml:2: field "id" is written twice in item (first at line 1)`},
		{name: "text where list expected", data: "id: a\nkeywords: cni\n", want: `x.yaml:2: field "keywords" must be a list`},
		{name: "list where text expected", data: "id: [a]\n", want: `x.yaml:1: field "id" must be text, not a list`},
		{name: "bad date", data: "id: a\nreviewed: 2026-02-30\n", want: `x.yaml:2: field "reviewed": "2026-02-30" is not a valid date`},
		{name: "timestamp is not a date", data: "id: a\nreviewed: 2026-02-03T10:00:00Z\n", want: `field "reviewed"`},
		{name: "link not a mapping", data: "id: a\nwhere: {online: [https://x.fr]}\n", want: `x.yaml:2: each link of "where.online" must be written {label: …, url: …}`},
		{name: "unknown link field", data: "id: a\nwhere: {online: [{label: a, href: b}]}\n", want: `unknown field "href" in link`},
		{name: "alias", data: "- &a {id: a}\n- *a\n", want: "x.yaml:2: aliases (*a) are not supported"},
		{name: "scalar root", data: "hello\n", want: `x.yaml:1: an items file must hold one item`},
		{name: "all problems of the file at once", data: "idd: a\ntitel: b\n", want: "x.yaml:1: unknown field \"idd\" in item (did you mean \"id\"?)\nx.yaml:2: unknown field \"titel\""},
		{name: "too large", data: strings.Repeat("#", MaxFileSize+1), want: "x.yaml: file is too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseItems("x.yaml", []byte(tt.data))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error()+"\n", tt.want) {
					t.Fatalf("error = %v, want %q", err, tt.want)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error is not ErrInvalid")
				}
				if items != nil {
					t.Errorf("items returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseItems: %v", err)
			}
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ID)
				if it.Pos.File != "x.yaml" || it.Pos.Line < 1 {
					t.Errorf("item %q Pos = %v", it.ID, it.Pos)
				}
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("ids = %q, want %q", ids, tt.ids)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	const head = "id: t\ntitle: T\ntriggers: [x]\nstart: a\n"
	tests := []struct {
		name string
		data string
		want string
		// check inspects a successfully decoded tree.
		check func(t *testing.T, tr *Tree)
	}{
		{name: "answer as one id", data: head + "nodes:\n  a:\n    ask: Q\n    choices:\n      - {label: L, answer: x}\n", check: func(t *testing.T, tr *Tree) {
			if got := tr.Nodes["a"].Choices[0].Answer; !slices.Equal(got, []string{"x"}) {
				t.Errorf("Answer = %q", got)
			}
		}},
		{name: "answer as a list", data: head + "nodes:\n  a:\n    ask: Q\n    choices:\n      - label: L\n        answer:\n          - x\n          - y\n", check: func(t *testing.T, tr *Tree) {
			c := tr.Nodes["a"].Choices[0]
			if !slices.Equal(c.Answer, []string{"x", "y"}) || c.Pos.Line != 9 {
				t.Errorf("choice = %+v", c)
			}
		}},
		{name: "node id and position", data: head + "nodes:\n\n  a:\n    ask: Q\n", check: func(t *testing.T, tr *Tree) {
			n := tr.Nodes["a"]
			if n.ID != "a" || n.Pos != (Pos{File: "t.yaml", Line: 7}) || tr.Pos.Line != 1 {
				t.Errorf("node = %+v, tree pos %v", n, tr.Pos)
			}
		}},
		{name: "null node", data: head + "nodes:\n  a:\n", check: func(t *testing.T, tr *Tree) {
			if n := tr.Nodes["a"]; n == nil || n.ID != "a" || len(n.Choices) != 0 {
				t.Errorf("node = %+v", n)
			}
		}},
		{name: "answer mapping", data: head + "nodes:\n  a:\n    choices: [{label: L, answer: {x: y}}]\n", want: `t.yaml:7: field "answer" must be a list`},
		{name: "duplicate node", data: head + "nodes:\n  a: {}\n  a: {}\n", want: `t.yaml:7: node "a" is defined twice (first at line 6)`},
		{name: "duplicate choice key", data: head + "nodes:\n  a:\n    choices:\n      - {label: L, next: a, next: b}\n", want: `t.yaml:8: field "next" is written twice in choice`},
		{name: "unknown choice field", data: head + "nodes:\n  a:\n    choices:\n      - {label: L, suivant: b}\n", want: `unknown field "suivant" in choice (did you mean "next"?)`},
		{name: "nodes as a list", data: head + "nodes: [a, b]\n", want: `t.yaml:5: field "nodes" must map each node name`},
		{name: "list root", data: "- id: t\n", want: "t.yaml:1: a tree file must hold one tree"},
		{name: "merge key", data: "base: &b {ask: Q}\n", want: `unknown field "base" in tree`},
		{name: "merge key use", data: head + "nodes:\n  a:\n    <<: {ask: Q}\n", want: "merge keys (<<) are not supported"},
		{name: "deep nesting", data: head + "nodes: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", want: "YAML syntax error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := ParseTree("t.yaml", []byte(tt.data))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error = %v, want %q", err, tt.want)
				}
				if tr != nil {
					t.Errorf("tree returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTree: %v", err)
			}
			tt.check(t, tr)
		})
	}
}

// TestAliasBomb checks that the classic "billion laughs" document is refused
// quickly instead of being expanded.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("id: *a9\n")
	_, err := ParseItems("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:11: aliases (*a9) are not supported") {
		t.Errorf("error = %v", err)
	}
}

func TestParseSynonyms(t *testing.T) {
	groups, pos, err := parseSynonyms("s.yaml", []byte("synonyms:\n  - [a, b]\n  -\n    - c\n    - d\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(groups, [][]string{{"a", "b"}, {"c", "d"}}, slices.Equal) || len(pos) != 2 || pos[0].Line != 2 || pos[1].Line != 4 {
		t.Errorf("groups = %q, pos = %v", groups, pos)
	}
	if _, _, err := parseSynonyms("s.yaml", []byte("- [a, b]\n")); err == nil || !strings.Contains(err.Error(), `s.yaml:1: the synonyms file must start with "synonyms:"`) {
		t.Errorf("list root: error = %v", err)
	}
}

func TestProblems(t *testing.T) {
	ps := Problems{
		{Pos{"b.yaml", 3}, "third"},
		{Pos{"a.yaml", 10}, "second"},
		{Pos{"a.yaml", 2}, "first"},
		{Pos{"", 0}, "no position"},
		{Pos{"c.yaml", 0}, "no line"},
	}
	want := "no position\na.yaml:2: first\na.yaml:10: second\nb.yaml:3: third\nc.yaml: no line"
	if got := ps.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if ps[0].Msg != "third" {
		t.Error("Error() sorted the receiver in place")
	}
	var err error = ps
	if !errors.Is(err, ErrInvalid) {
		t.Error("Problems is not ErrInvalid")
	}
	if (Problems)(nil).err() != nil {
		t.Error("empty Problems.err() is not nil")
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ word, want string }{
		{"titel", "title"},
		{"tilte", "title"},
		{"sumary", "summary"},
		{"source", "sources"},
		{"Title", "title"},
		{"id", ""}, // removed from the list below; nothing is one edit away
		{"x", ""},
		{"étapes", "steps"},
		{"mots-clés", "keywords"},
		{"réponse", "answer"},
		{"completely-unrelated", ""},
		{strings.Repeat("a", 100000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.word[:min(len(tt.word), 20)], func(t *testing.T) {
			valid := slices.DeleteFunc(slices.Clone(itemFields), func(s string) bool { return s == "id" })
			valid = append(valid, choiceFields...)
			if got := suggest(tt.word, valid); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func TestFoldText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Carte d'identité", "carte d identite"},
		{"CARTE D’IDENTITE !", "carte d identite"},
		{"  Œuvre   ÇA  ", "oeuvre ca"},
		{"e\u0301te\u0301", "ete"},
		{"!!!", ""},
	}
	for _, tt := range tests {
		if got := foldText(tt.in); got != tt.want {
			t.Errorf("foldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFieldTablesMatchStructs guards the hand-written decoder: a field
// added to a struct in knowledge.go must be added to its field table (and
// decoded), or admins could never set it.
func TestFieldTablesMatchStructs(t *testing.T) {
	tests := []struct {
		typ   reflect.Type
		table []string
		extra []string // fields decoded by hand (yaml:"-")
	}{
		{reflect.TypeFor[Item](), itemFields, []string{"reviewed"}},
		{reflect.TypeFor[Where](), whereFields, nil},
		{reflect.TypeFor[Link](), linkFields, nil},
		{reflect.TypeFor[Tree](), treeFields, nil},
		{reflect.TypeFor[Node](), nodeFields, nil},
		{reflect.TypeFor[Choice](), choiceFields, []string{"answer"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.Name(), func(t *testing.T) {
			want := slices.Clone(tt.extra)
			for f := range tt.typ.Fields() {
				name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				if name != "" && name != "-" {
					want = append(want, name)
				}
			}
			slices.Sort(want)
			got := slices.Sorted(slices.Values(tt.table))
			if !slices.Equal(got, want) {
				t.Errorf("field table = %q, struct tags say %q", got, want)
			}
		})
	}
}

// replaces: takes one id or a list, like answer:.
func TestParseReplaces(t *testing.T) {
	for in, want := range map[string][]string{
		"replaces: F1344":              {"F1344"},
		"replaces: [F1344, R42946]":    {"F1344", "R42946"},
		"replaces:\n  - F1344\n  - F2": {"F1344", "F2"},
	} {
		items, err := ParseItems("a.yaml", []byte("id: a\n"+in+"\n"))
		if err != nil {
			t.Errorf("%q: %v", in, err)
		} else if !slices.Equal(items[0].Replaces, want) {
			t.Errorf("%q: Replaces = %v, want %v", in, items[0].Replaces, want)
		}
	}
}
