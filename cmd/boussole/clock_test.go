package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// wallClockAllowed are the only reads of the wall clock outside tests,
// as "file:function" with why. Everything else is given the program's one
// clock (env.now), so that a test clock reaches every part.
var wallClockAllowed = map[string]string{
	// The one clock, built once for the whole program.
	"cmd/boussole/main.go:main": "the program's clock",
	// The search comparison is a program of its own (bench/compare has
	// its own go.mod): its main builds its clock once in the same way.
	"bench/compare/main.go:main": "the comparison's clock",
	// A context's deadline is a wall-clock instant (context.WithTimeout
	// reads the wall clock): what is left of it is measured against the
	// same clock, whatever the program's clock says.
	"bot/store/store.go:writeOnce": "time left before a context's deadline",
}

// TestOneClock fails on any new read of the wall clock (time.Now,
// time.Since, time.Until, called or passed as a value) in the module's
// non-test Go files.
func TestOneClock(t *testing.T) {
	root := filepath.Join("..", "..")
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		uses, err := wallClockReads(path)
		if err != nil {
			return err
		}
		for _, u := range uses {
			found = append(found, filepath.ToSlash(rel)+":"+u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range found {
		file, rest, _ := strings.Cut(f, ":") // file:line:function:call
		_, rest, _ = strings.Cut(rest, ":")
		fn, _, _ := strings.Cut(rest, ":")
		key := file + ":" + fn
		if _, ok := wallClockAllowed[key]; !ok {
			t.Errorf("%s reads the wall clock: take the time from the clock the program passes in (env.now in cmd/boussole)", f)
		}
		seen[key] = true
	}
	// This also guards the walk itself: a wrong root would find nothing.
	for key := range wallClockAllowed {
		if !seen[key] {
			t.Errorf("%s no longer reads the wall clock: remove it from wallClockAllowed", key)
		}
	}
}

// wallClockReads returns "line:function:time.X" for each use of time.Now,
// time.Since or time.Until in the Go file at path.
func wallClockReads(path string) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	name := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "time" {
			name = "time"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" || name == "_" {
		return nil, nil
	}
	var out []string
	for _, decl := range f.Decls {
		fn := "(top level)"
		if fd, ok := decl.(*ast.FuncDecl); ok {
			fn = fd.Name.Name
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && (id.Name == name || name == ".") && slices.Contains([]string{"Now", "Since", "Until"}, sel.Sel.Name) {
				out = append(out, strconv.Itoa(fset.Position(sel.Pos()).Line)+":"+fn+":time."+sel.Sel.Name)
			}
			return true
		})
	}
	return out, nil
}

// TestWallClockReadsFindsThem: the scan cannot pass by finding nothing.
func TestWallClockReadsFindsThem(t *testing.T) {
	dir := t.TempDir()
	src := `package x

import tm "time"

var start = tm.Now()

func f() tm.Duration { return tm.Since(start) }

func g() func() tm.Time { return tm.Now }

func h(d tm.Time) tm.Duration { return tm.Until(d) + tm.Second }
`
	path := filepath.Join(dir, "x.go")
	must(t, os.WriteFile(path, []byte(src), 0o600))
	got, err := wallClockReads(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"5:(top level):time.Now", "7:f:time.Since", "9:g:time.Now", "11:h:time.Until"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
