// Package logcheck holds one test over the whole module: no log call at
// info level or above is given a citizen's words.
package logcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// leveled are the slog methods that write at info, warn or error: what
// an operator's logs keep. Debug may carry more (it is never on in
// production by default), but still no message text: see the engine.
var leveled = map[string]bool{
	"Info": true, "InfoContext": true, "Warn": true, "WarnContext": true, "Error": true, "ErrorContext": true,
}

// wordsLike are names of values that hold what a person wrote: message
// text, post bodies, payload words, rewrites, summaries.
var wordsLike = map[string]bool{
	"Text": true, "text": true, "Content": true, "content": true, "Message": true, "message": true,
	"Body": true, "body": true, "Words": true, "words": true, "raw": true, "Raw": true, "folded": true,
	"query": true, "Query": true, "LastWords": true, "Note": true, "note": true, "Label": true,
}

// Every log call at info level or above, in every package of the module
// (tests aside), is read: none of its arguments may name a value that
// holds a person's words (a field or variable called text, Content,
// Message…), so a new log line that would echo a citizen fails here with
// its file and line. The messages themselves are constant strings.
func TestNoMessageTextIsLoggedAtInfoOrAbove(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || name == "node_modules" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !leveled[sel.Sel.Name] || !looksLikeLogger(sel.X) || len(call.Args) == 0 {
				return true
			}
			calls++
			args := call.Args
			if strings.HasSuffix(sel.Sel.Name, "Context") {
				args = args[1:]
			}
			if len(args) > 0 {
				if _, ok := args[0].(*ast.BasicLit); !ok {
					t.Errorf("%s: the log message is not a constant string", fset.Position(call.Pos()))
				}
			}
			for _, a := range args[min(1, len(args)):] {
				if name := holdsWords(a); name != "" {
					t.Errorf("%s: %s logs %s, which may hold a person's words", fset.Position(a.Pos()), sel.Sel.Name, name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The walk found the module's logging: a broken walk must not pass.
	if calls < 100 {
		t.Fatalf("only %d log calls found under %s", calls, root)
	}
}

// looksLikeLogger is a receiver named like Boussole's loggers (log,
// logger, Log, a.log, d.log…).
func looksLikeLogger(x ast.Expr) bool {
	switch v := x.(type) {
	case *ast.Ident:
		return strings.Contains(strings.ToLower(v.Name), "log")
	case *ast.SelectorExpr:
		return strings.Contains(strings.ToLower(v.Sel.Name), "log")
	case *ast.CallExpr: // log.With(...).Info
		if s, ok := v.Fun.(*ast.SelectorExpr); ok {
			return s.Sel.Name == "With" || s.Sel.Name == "WithGroup"
		}
	}
	return false
}

// holdsWords returns the name in e that holds words, "" when none: an
// identifier or the last field of a selector, inside any expression
// (calls like len(text) count nothing: a length is no words).
func holdsWords(e ast.Expr) string {
	found := ""
	ast.Inspect(e, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		switch v := n.(type) {
		case *ast.CallExpr:
			if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "len" {
				return false
			}
		case *ast.BasicLit:
			return false
		case *ast.SelectorExpr:
			if wordsLike[v.Sel.Name] {
				found = exprString(v)
			}
			return false
		case *ast.Ident:
			if wordsLike[v.Name] {
				found = v.Name
			}
		}
		return true
	})
	return found
}

func exprString(s *ast.SelectorExpr) string {
	if id, ok := s.X.(*ast.Ident); ok {
		return id.Name + "." + s.Sel.Name
	}
	return "…." + s.Sel.Name
}

// The reading catches the forms a log line echoing words takes, and lets
// lengths and constants through.
func TestHoldsWords(t *testing.T) {
	for src, want := range map[string]string{
		`in.Text`: "in.Text", `t.text`: "t.text", `strings.ToLower(text)`: "text", `post.Message`: "post.Message",
		`len(text)`: "", `"text"`: "", `in.Address.Platform`: "", `err`: "", `r.Reply.To.Platform`: "",
	} {
		e, err := parser.ParseExpr(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := holdsWords(e); got != want {
			t.Errorf("holdsWords(%s) = %q, want %q", src, got, want)
		}
	}
}
