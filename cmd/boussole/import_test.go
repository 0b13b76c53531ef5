package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sharedData returns ../shared/data, or skips when this checkout has no
// shared folder beside it.
func sharedData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, "service-public")); err != nil {
		t.Skipf("skipping: the shared public data is not at %s (%v)", dir, err)
	}
	return dir
}

func TestImportServicePublicIsIdempotentAndServed(t *testing.T) {
	data := sharedData(t)
	db := filepath.Join(t.TempDir(), "b.db")
	assoc := filepath.Join(data, "service-public", "vosdroits-associations-2020.zip")
	part := filepath.Join(data, "service-public", "vosdroits-particuliers-2020.zip")

	code, out, errs := runCmd(t, "", "import", "service-public", "--db", db, part, assoc)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	counts := regexp.MustCompile(`imported (\d+), updated (\d+), unchanged (\d+), retired (\d+), skipped (\d+)`)
	m := counts.FindStringSubmatch(out)
	if m == nil || m[1] == "0" || m[2] != "0" || m[3] != "0" || m[4] != "0" {
		t.Fatalf("first import summary:\n%s", out)
	}
	if !strings.Contains(out, "Direction de l'information légale et administrative") {
		t.Errorf("the licence attribution is missing:\n%s", out)
	}
	first := m[1]

	// Re-importing the same sheets changes nothing.
	_, out, _ = runCmd(t, "", "import", "service-public", "--db", db, part, assoc)
	m = counts.FindStringSubmatch(out)
	if m == nil || m[1] != "0" || m[2] != "0" || m[3] != first || m[4] != "0" {
		t.Fatalf("re-import summary (want %s unchanged):\n%s", first, out)
	}
	// Importing only the associations catalogue retires the rest.
	_, out, _ = runCmd(t, "", "import", "service-public", "--db", db, assoc)
	m = counts.FindStringSubmatch(out)
	if m == nil || m[4] == "0" {
		t.Fatalf("partial import retired nothing:\n%s", out)
	}
	// Back to both: retired sheets are served again.
	runCmd(t, "", "import", "service-public", "--db", db, part, assoc)

	// Imported sheets are searchable...
	code, out, _ = runCmd(t, "", "ask", "--db", db, "--json", "carte d'identité perdue majeur")
	var res struct {
		Hits []struct{ ID, URL string } `json:"hits"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("ask: exit %d\n%s", code, out)
	}
	found := false
	for _, h := range res.Hits {
		found = found || (h.ID == "F1344" && strings.Contains(h.URL, "service-public.fr"))
	}
	if !found {
		t.Fatalf("F1344 not among %+v", res.Hits)
	}
	// ...and answered by the bot like hand-written items, with the
	// attribution the licence requires.
	code, out, errs = runCmd(t, "perte carte d'identité majeur commissariat mairie\n", "chat", "--db", db)
	if code != 0 || !strings.Contains(out, "service-public.fr") {
		t.Fatalf("chat: exit %d\n%s%s", code, out, errs)
	}
}

func TestImportErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	if code, _, _ := runCmd(t, "", "import", "--db", db); code != 2 {
		t.Errorf("no catalogue: exit %d", code)
	}
	if code, _, _ := runCmd(t, "", "import", "service-public", "--db", db); code != 2 {
		t.Errorf("no path: exit %d", code)
	}
	empty := t.TempDir()
	code, _, errs := runCmd(t, "", "import", "service-public", "--db", db, empty)
	if code != 1 || !strings.Contains(errs, "no sheet") {
		t.Errorf("empty directory: exit %d %s", code, errs)
	}
	code, _, errs = runCmd(t, "", "import", "service-public", "--db", db, filepath.Join(empty, "missing.zip"))
	if code != 1 || !strings.Contains(errs, "missing.zip") {
		t.Errorf("missing file: exit %d %s", code, errs)
	}
}

func TestEvalCommand(t *testing.T) {
	q := filepath.Join(t.TempDir(), "q.jsonl")
	must(t, os.WriteFile(q, []byte(`{"q": "carte d'identité perdue", "expected": ["cni-perte"]}
{"q": "prime d'activité", "expected": ["prime-activite"]}
{"q": "", "expected": ["apl"]}
`), 0o600))
	code, out, errs := runCmd(t, "", "eval", "--questions", q, "--json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	var rep map[string]float64
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, k := range []string{"recall_at_1", "recall_at_3", "recall_at_5", "mrr", "n", "p50_ms", "p99_ms", "build_ms"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("JSON lacks %s: %s", k, out)
		}
	}
	if rep["n"] != 3 || rep["recall_at_3"] < 0.66 {
		t.Errorf("report = %v", rep)
	}
	code, _, errs = runCmd(t, "", "eval", "--questions", q, "--failures", "--min-recall-at-1", "0.99")
	if code != 1 || !strings.Contains(errs, "below target") || !strings.Contains(errs, "miss ") {
		t.Errorf("threshold: exit %d\n%s", code, errs)
	}
	// Several sets on one index: one line each, and each gated.
	q2 := filepath.Join(t.TempDir(), "q2.jsonl")
	must(t, os.WriteFile(q2, []byte(`{"q": "carte d'identité perdue", "expected": ["cni-perte"]}
`), 0o600))
	code, out, errs = runCmd(t, "", "eval", "--questions", q, "--questions", q2, "--min-recall-at-1", "0.9")
	if code != 1 || !strings.Contains(out, "q.jsonl: n=3") || !strings.Contains(out, "q2.jsonl: n=1") ||
		!strings.Contains(errs, "q.jsonl: below target") || strings.Contains(errs, "q2.jsonl: below") {
		t.Errorf("two sets: exit %d\n%s\n%s", code, out, errs)
	}
}
