package dockerlint

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// contextMatcher reads the repository's .dockerignore.
func contextMatcher(t *testing.T) *patternmatcher.PatternMatcher {
	t.Helper()
	f, err := os.Open(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return pm
}

// goSourceDirs are the top folders of the Go packages the binary is built
// from; every file under them (but tests and test data) may be compiled
// or embedded.
var goSourceDirs = []string{"adapters", "admin", "app", "bot", "cmd", "internal", "knowledge"}

// TestBuildContextKeepsWhatTheBuildNeeds: every source and embedded file
// reaches the build, and what must not (the repository's history,
// databases, local builds) does not.
func TestBuildContextKeepsWhatTheBuildNeeds(t *testing.T) {
	pm := contextMatcher(t)
	excluded := func(p string) bool {
		t.Helper()
		ex, err := pm.MatchesOrParentMatches(p)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	needed := []string{"go.mod", "go.sum", "scripts/build.sh", "config.example.yaml"}
	for _, dir := range goSourceDirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, ".db") || strings.Contains(p, ".db-") {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			needed = append(needed, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(needed) < 100 {
		t.Fatalf("only %d files found under %v: wrong root?", len(needed), goSourceDirs)
	}
	for _, p := range needed {
		if excluded(p) {
			t.Errorf(".dockerignore leaves out %s, which the build needs", p)
		}
	}
	for _, p := range []string{".git/config", "boussole.db", "bot/store/x.db-wal", "dist/boussole-linux-amd64", "boussole", ".env", "docs/deploy.md"} {
		if !excluded(p) {
			t.Errorf(".dockerignore lets %s into the build context", p)
		}
	}
}
