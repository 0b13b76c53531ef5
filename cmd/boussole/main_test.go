package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/knowledge"
)

// testClock is the tests' one clock: the instant `boussole test` runs at
// by default. Nothing in a test reads the wall clock.
func testClock() time.Time {
	t, err := time.Parse(time.RFC3339, testInstant)
	if err != nil {
		panic(err)
	}
	return t
}

// clocks are the instants every conversation file runs at: the default
// one, one six years before the demo's review dates and one eight years after.
// A file whose expectations hold on some days only (opening hours) names
// its instant with a clock instruction and runs at that one only.
var clocks = []string{testInstant, "2020-03-02T10:00:00Z", "2035-01-08T10:00:00Z"}

// runFiles runs each conversation file under each of clocks, with args
// before the file.
func runFiles(t *testing.T, files []string, args ...string) {
	for _, f := range files {
		for _, at := range clocks {
			t.Run(filepath.Base(f)+"@"+at[:4], func(t *testing.T) {
				t.Parallel()
				code, out, errs := runCmd(t, "", append(append([]string{"test", "-v", "--now", at}, args...), f)...)
				if code != 0 {
					t.Fatalf("exit %d\n%s%s", code, out, errs)
				}
				if !strings.HasPrefix(out, "ok ") {
					t.Fatalf("no result line:\n%s", out)
				}
			})
		}
	}
}

// parts are shared by every command the tests run, as by the commands
// of one process: the gazetteer and the demo's index are built once.
var parts = &app.Parts{}

// runCmd runs the boussole command line with stdin and returns the exit
// code, stdout and stderr.
func runCmd(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }, now: testClock, parts: parts}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestChatPipedScript(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	code, out, errs := runCmd(t, "aide\nrecommencer\n", "chat", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantAll(t, out, "Je suis Boussole", "On recommence", "  1. ")
	if strings.Contains(out, "[vous]") {
		t.Errorf("single participant replies are prefixed:\n%s", out)
	}
	// The conversation is stored: a second run continues it.
	code, out, _ = runCmd(t, "retour\n", "chat", "--db", db)
	if code != 0 || !strings.Contains(out, "Il n'y a pas de question précédente") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestChatSeveralParticipants(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	code, out, errs := runCmd(t, "aide\n@marie help\n", "chat", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "[marie] I am Boussole") {
		t.Fatalf("marie's reply is not addressed to her:\n%s", out)
	}
}

func TestChatEnglishFlag(t *testing.T) {
	code, out, _ := runCmd(t, "xqzwv\n", "chat", "--db", filepath.Join(t.TempDir(), "b.db"), "--lang", "en")
	if code != 0 || !strings.Contains(out, "I did not understand") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestChatRefusesABadDatabase(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, []byte("this is not a database, but my notes"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCmd(t, "aide\n", "chat", "--db", bad)
	if code != 1 || !strings.Contains(errs, bad) || !strings.Contains(errs, "not a SQLite database") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, _ := os.ReadFile(bad)
	if string(data) != "this is not a database, but my notes" {
		t.Fatal("the file was changed")
	}
	code, _, errs = runCmd(t, "aide\n", "chat", "--db", filepath.Join(dir, "missing", "dir", "b.db"))
	if code != 1 || !strings.Contains(errs, "missing") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestValidate(t *testing.T) {
	code, out, _ := runCmd(t, "", "validate")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("demo: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "trees"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "trees", "t.yaml"), []byte("id: t\ntitle: T\ntriggers: [x]\nstart: a\nnodes:\n  a:\n    ask: Q ?\n    choices:\n      - {label: A, next: nowhere}\n"), 0o600))
	code, out, _ = runCmd(t, "", "validate", dir)
	if code != 1 || !strings.Contains(out, filepath.Join(dir, "trees", "t.yaml")+":9") || !strings.Contains(out, "nowhere") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestAskJSON(t *testing.T) {
	code, out, errs := runCmd(t, "", "ask", "carte d'identité perdue", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Hits []struct {
			ID         string   `json:"id"`
			Confidence float64  `json:"confidence"`
			Why        []string `json:"why"`
			Title      string   `json:"title"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.Hits) == 0 || res.Hits[0].Title == "" || len(res.Hits[0].Why) == 0 {
		t.Fatalf("hits = %+v", res.Hits)
	}
	code, out, _ = runCmd(t, "", "ask", "cni perdue")
	if code != 0 || !strings.Contains(out, "confiance") || !strings.Contains(out, "pourquoi") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, _ := runCmd(t, ""); code != 2 {
		t.Errorf("no command: exit %d", code)
	}
	if code, _, errs := runCmd(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: exit %d %s", code, errs)
	}
	if code, _, _ := runCmd(t, "", "ask"); code != 2 {
		t.Errorf("ask without question: exit %d", code)
	}
	if code, _, errs := runCmd(t, "", "chat", "--lang", "de", "--db", filepath.Join(t.TempDir(), "b.db")); code != 1 || !strings.Contains(errs, "de") {
		t.Errorf("bad lang: exit %d %s", code, errs)
	}
}

// TestConversationFiles runs every conversation test file shipped in
// testdata/, as `boussole test` does.
func TestConversationFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "conversations", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conversation files: %v", err)
	}
	runFiles(t, files)
}

// TestMediationConversationFiles runs the mediator flows with the
// mediation set-up they are written for.
func TestMediationConversationFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "mediation")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) < 7 {
		t.Fatalf("mediation conversation files: %v %v", files, err)
	}
	runFiles(t, files, "--config", filepath.Join(dir, "config.yaml"))
}

// TestJurisdictionConversationFiles runs the jurisdiction flows of a
// deployment that does not know where its citizens are.
func TestJurisdictionConversationFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "jurisdiction")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("jurisdiction conversation files: %v %v", files, err)
	}
	runFiles(t, files, "--config", filepath.Join(dir, "config.yaml"))
}

// TestPlacesConversationFiles runs the nearest-place flows on a database
// holding the PACA export of the national map of digital-mediation
// places, with a queue per département.
func TestPlacesConversationFiles(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "places")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) < 5 {
		t.Fatalf("places conversation files: %v %v", files, err)
	}
	paca := filepath.Join(sharedData(t), "places", "lieux-mediation-numerique-paca-2023-05-16.json")
	runFiles(t, files, "--config", filepath.Join(dir, "config.yaml"), "--places", paca)
}

// TestLocalChatWithMediators plays the README's mediators demo through the
// console adapter: a citizen and two mediators as local participants.
func TestLocalChatWithMediators(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	script := "humain\noui\n@marie prendre 1\n@paul prendre 1\nbonjour\n@marie bonjour, que puis-je faire ?\n@marie fermer 1\n5\n"
	code, out, errs := runCmd(t, script, "chat", "--db", db, "--config", filepath.Join("..", "..", "testdata", "mediation", "config.yaml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantAll(t, out, "[#mediateurs] Nouvelle demande n° 1", "[vous] marie, médiateur", "[paul] La demande n° 1 est déjà prise par marie",
		"[marie] [n° 1] Citoyen : bonjour", "[vous] marie (médiation) : bonjour, que puis-je faire ?", "[vous] Merci pour votre avis")
}

func TestTestCommandReportsFailures(t *testing.T) {
	f := filepath.Join(t.TempDir(), "fail.txt")
	must(t, os.WriteFile(f, []byte("> aide\n< je suis boussole\n< ceci n'apparaît pas\n<! boussole\n"), 0o600))
	code, out, _ := runCmd(t, "", "test", f)
	if code != 1 || !strings.Contains(out, f+":3: expected < ceci n'apparaît pas") || !strings.Contains(out, f+":4") ||
		!strings.Contains(out, "the bot said:") || !strings.Contains(out, "0 passed, 1 failed") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStartup measures `boussole chat` start-up to the first prompt:
// config, knowledge, index, database (fresh file) and engine.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		cfg := defaultConfig()
		cfg.Database.Path = filepath.Join(b.TempDir(), "b.db")
		a, err := app.Open(context.Background(), cfg.Config, app.NewLogger(io.Discard, cfg.Log), time.Now)
		if err != nil {
			b.Fatal(err)
		}
		_ = a.Engine.Welcome()
		a.Close()
	}
}

// TestTestCommandNow: `boussole test` runs at --now, and a file's clock
// instruction wins over it. The out-of-hours file's expected reopening
// date holds on 23 November 2026 only.
func TestTestCommandNow(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "mediation")
	src, err := os.ReadFile(filepath.Join(dir, "m06-hors-horaires.txt"))
	if err != nil {
		t.Fatal(err)
	}
	unpinned := filepath.Join(t.TempDir(), "unpinned.txt")
	must(t, os.WriteFile(unpinned, []byte(strings.Replace(string(src), "clock 2026-11-23T10:00:00Z\n", "", 1)), 0o600))
	conf := filepath.Join(dir, "config.yaml")
	if code, out, errs := runCmd(t, "", "test", "--config", conf, "--now", "2026-11-23T10:00:00Z", unpinned); code != 0 {
		t.Fatalf("at the file's day: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ := runCmd(t, "", "test", "--config", conf, "--now", "2035-01-08T10:00:00Z", unpinned)
	if code != 1 || !strings.Contains(out, "Prochaine ouverture : samedi 13 janvier") {
		t.Fatalf("--now 2035 not honoured: exit %d\n%s", code, out)
	}
	if code, out, errs := runCmd(t, "", "test", "--config", conf, "-v", "--now", "2035-01-08T10:00:00Z", filepath.Join(dir, "m06-hors-horaires.txt")); code != 0 || !strings.Contains(out, "(at 2026-11-23T10:00:00Z)") {
		t.Fatalf("the file's clock did not win: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := runCmd(t, "", "test", "--now", "demain", unpinned); code != 1 || !strings.Contains(errs, "--now") {
		t.Fatalf("bad --now: exit %d %s", code, errs)
	}
}

// TestChannelJurisdiction: a channel configured for Québec answers with
// Québec's content and numbers, and never with a France-only sheet; the
// person's own words still win.
func TestChannelJurisdiction(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "c.yaml")
	must(t, os.WriteFile(conf, []byte("jurisdictions:\n  console:\n    local: QC\n"), 0o600))
	code, out, errs := runCmd(t, "j'ai un problème avec mon loyer\ndemander un acte de naissance\nfaire une procuration pour voter\nmon mari me frappe\n", "chat", "--db", filepath.Join(dir, "b.db"), "--config", conf)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	wantAll(t, out, "Tribunal administratif du logement", "certificat de naissance du Québec", "pas de fiche pour le Québec", "9-1-1", "SOS violence conjugale")
	if strings.Contains(out, "APL") {
		t.Errorf("France's housing aid in a Québec channel:\n%s", out)
	}
	if strings.Contains(out, "3919") {
		t.Errorf("France's number in a Québec channel:\n%s", out)
	}
	must(t, os.WriteFile(conf, []byte("jurisdictions:\n  console:\n    local: quebec\n"), 0o600))
	if code, _, errs := runCmd(t, "", "chat", "--db", filepath.Join(dir, "b.db"), "--config", conf); code != 1 || !strings.Contains(errs, "jurisdictions.console.local") {
		t.Errorf("bad code: exit %d %s", code, errs)
	}
}

// wantAll reports each of wants that out lacks.
func wantAll(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestValidatePrintsCoverage(t *testing.T) {
	b := knowledge.NewBase([]*knowledge.Item{
		{ID: "a", Kind: knowledge.KindProcedure, Jurisdiction: "FR", Audience: []string{"particulier"}},
		{ID: "b", Kind: knowledge.KindProgram, Jurisdiction: "FR", Audience: []string{"association", "professionnel"}},
		{ID: "c", Kind: knowledge.KindProgram, Jurisdiction: "QC", Audience: []string{"association"}},
		{ID: "d", Kind: knowledge.KindEmergency, Jurisdiction: "QC"},
	}, []*knowledge.Tree{{ID: "t", Jurisdiction: "QC"}, {ID: "u"}}, nil)
	var out strings.Builder
	printCoverage(&out, b)
	want := "  *: 0 items, 0 emergency numbers, 1 trees\n" +
		"  FR: 2 items (particulier 1, professionnel 1, association 1), 0 emergency numbers, 0 trees\n" +
		"  QC: 1 items (association 1), 1 emergency numbers, 1 trees\n"
	if out.String() != want {
		t.Errorf("coverage:\n%s\nwant:\n%s", out.String(), want)
	}
}
