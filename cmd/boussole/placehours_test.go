package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A place item whose hours the bot cannot read is a problem for
// validate, at the line of hours:.
func TestValidatePlaceHours(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "items"), 0o755))
	item := `- id: epn-exemple
  kind: place
  title: Espace public numérique
  summary: Un lieu pour apprendre à se servir d'un ordinateur.
  sources: ["https://www.example.org/epn"]
  reviewed: 2026-11-01
  place:
    commune: Aubagne
    hours: %s
`
	write := func(h string) {
		must(t, os.WriteFile(filepath.Join(dir, "items", "lieux.yaml"), []byte(strings.Replace(item, "%s", h, 1)), 0o600))
	}
	write(`"Mo-Fr 09:00-12:00; We off"`)
	if code, out, _ := runCmd(t, "", "validate", dir); code != 0 {
		t.Fatalf("readable hours: exit %d\n%s", code, out)
	}
	write(`"Mo-Fr 09:00-12:00; Tu 30-19"`)
	code, out, _ := runCmd(t, "", "validate", dir)
	want := filepath.Join(dir, "items", "lieux.yaml") + `:9: item "epn-exemple": place.hours cannot be read (rule "Tu 30-19": "30-19" is not a range HH:MM-HH:MM)`
	if code != 1 || !strings.Contains(out, want) {
		t.Fatalf("exit %d, want 1 and\n%s\n\ngot\n%s", code, want, out)
	}
}
