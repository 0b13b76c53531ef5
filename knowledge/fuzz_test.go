package knowledge

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are hand-written edge cases added to every YAML file of
// testdata: shapes the parsers must refuse cleanly.
var fuzzSeeds = []string{
	"",
	"~",
	"---\n---\n",
	"a: &a [*a]\n",
	"- &x {id: a}\n- *x\n- <<: *x\n",
	"a0: &a0 [x, x]\na1: &a1 [*a0, *a0]\nid: *a1\n",
	strings.Repeat("[", 300) + strings.Repeat("]", 300),
	strings.Repeat("- ", 200) + "x\n",
	"id: a\nid: a\n",
	"? [a]\n: b\n",
	"id: !!binary aGVsbG8=\nreviewed: !!timestamp 2026-01-01\n",
	"nodes:\n  a:\n    choices:\n      - {label: L, answer: [x, [y]]}\n  a: {}\n",
	"nodes: {a: {choices: [{label: L, next: a}]}}\nstart: a\n",
	"where: {online: [{label: l, url: u}, x, [y]]}\n",
	"\xef\xbb\xbfid: bom\n",
	"id: \"\\u0000\"\n",
	"#\n-\n{",
	"a: |\n  b\n c: d\n",
}

// addSeeds adds every .yaml file of testdata and fuzzSeeds to the corpus.
func addSeeds(f *testing.F) {
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isYAML(p) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f.Add(data)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
}

// checkResult checks the contract shared by the parsers: either a value or
// a non-empty Problems error, never both, every problem naming the file.
func checkResult(t *testing.T, ok bool, err error) {
	t.Helper()
	if err == nil {
		if !ok {
			t.Fatal("no error and no result")
		}
		return
	}
	if ok {
		t.Fatal("a result and an error")
	}
	var ps Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("error %T %v is not a non-empty Problems", err, err)
	}
	for _, p := range ps {
		if p.Pos.File != "f.yaml" || p.Msg == "" {
			t.Fatalf("problem without file or message: %#v", p)
		}
	}
}

func FuzzParseTree(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ParseTree("f.yaml", data)
		checkResult(t, tr != nil, err)
		if tr == nil {
			return
		}
		for id, n := range tr.Nodes {
			if n == nil || n.ID != id {
				t.Fatalf("node %q = %+v", id, n)
			}
		}
		// Whatever decodes must validate without panicking.
		_ = Validate(NewBase(nil, []*Tree{tr}, nil))
	})
}

func FuzzParseItems(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ParseItems("f.yaml", data)
		checkResult(t, len(items) > 0, err)
		_ = Validate(NewBase(items, nil, nil))
	})
}
