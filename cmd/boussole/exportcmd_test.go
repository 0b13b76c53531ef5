package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// boussole export writes the demo as a directory that validates and
// serves the same trees; it never writes into a directory with files.
func TestExportDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "k")
	db := filepath.Join(t.TempDir(), "b.db")
	code, out, errs := runCmd(t, "", "export", "--db", db, dir)
	if code != 0 || !strings.Contains(out, "files written to") {
		t.Fatalf("export: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "trees", "papiers-identite.yaml")); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, "", "validate", dir); code != 0 {
		t.Fatalf("the export does not validate: %s%s", out, errs)
	}
	code, out, _ = runCmd(t, "cni perdue\n", "chat", "--db", filepath.Join(t.TempDir(), "c.db"), "--knowledge", dir)
	if code != 0 || !strings.Contains(out, "Carte") {
		t.Errorf("chat on the export: exit %d\n%s", code, out)
	}
	if code, _, errs := runCmd(t, "", "export", "--db", db, dir); code == 0 || !strings.Contains(errs, "not empty") {
		t.Errorf("export into a full directory: exit %d %s", code, errs)
	}
}
