package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/llm/llmtest"
)

// storyModel is a scripted model: it reads the one story it knows, and
// writes grounded answers from the sheet's summary, inventing a phone
// number for questions about passports (the post-check rejects those).
func storyModel(r llmtest.ChatRequest) llmtest.Reply {
	sys, user := r.Messages[0].Content, r.Messages[len(r.Messages)-1].Content
	switch {
	case strings.Contains(sys, "requête de recherche") || strings.Contains(sys, "search query"):
		if strings.Contains(user, "spectre") {
			return llmtest.Text(`{"query": "dossier MDPH enfant autiste", "topic": "handicap", "lang": "fr"}`, 100, 10)
		}
		return llmtest.Text(`{"query": "", "topic": "", "lang": "fr"}`, 100, 5)
	case strings.Contains(user, "Passeport"):
		return llmtest.Text("Demandez votre passeport en mairie, renseignements au 01 99 88 77 66 [1].", 500, 20)
	default:
		return llmtest.Text("Vous trouverez la démarche dans la fiche officielle [1].", 500, 12)
	}
}

func llmConfig(t *testing.T, srv *llmtest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "llm.yaml")
	must(t, os.WriteFile(p, []byte("llm:\n  base_url: "+srv.BaseURL()+"\n  model: albert-large\n  features: [rewrite, answer]\n"), 0o600))
	return p
}

// ask --llm shows the model's reading and the grounded first message, or
// why it was refused.
func TestAskWithTheModel(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithChat(storyModel))
	cfg := llmConfig(t, srv)
	code, out, errs := runCmd(t, "", "ask", "--config", cfg, "--llm", "--json", "notre petit garcon a des troubles du spectre, l'ecole nous dit de monter un dossier, on est perdus")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	var rep struct {
		Hits []struct {
			ID string `json:"id"`
		} `json:"hits"`
		Understood struct {
			Query string `json:"query"`
		} `json:"understood"`
		Used     bool   `json:"rewrite_used"`
		Answer   string `json:"answer"`
		Accepted bool   `json:"answer_accepted"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Understood.Query != "dossier MDPH enfant autiste" || !rep.Used || len(rep.Hits) == 0 || rep.Hits[0].ID != "aeeh-enfant-handicape" || !rep.Accepted {
		t.Fatalf("report:\n%s", out)
	}
	code, out, errs = runCmd(t, "", "ask", "--config", cfg, "--llm", "passeport")
	if code != 0 || !strings.Contains(out, "la réponse habituelle de Boussole") || !strings.Contains(out, "number") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = runCmd(t, "", "ask", "--llm", "passeport")
	if code != 1 || !strings.Contains(errs, "no llm section") {
		t.Fatalf("without a configuration: exit %d %s", code, errs)
	}
}

// eval --llm measures recall with the model's reading and the share of
// grounded answers the post-check accepts; a floor fails the run.
func TestEvalWithTheModel(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithChat(storyModel))
	cfg := llmConfig(t, srv)
	q := filepath.Join(t.TempDir(), "q.jsonl")
	must(t, os.WriteFile(q, []byte(`{"q": "notre petit garcon a des troubles du spectre, l'ecole nous dit de monter un dossier, on est perdus", "expected": ["aeeh-enfant-handicape", "mdph-demande"]}
{"q": "passeport", "expected": ["passeport-demande"]}
{"q": "prime d'activité", "expected": ["prime-activite"]}
`), 0o600))
	code, out, errs := runCmd(t, "", "eval", "--config", cfg, "--llm", "--questions", q, "--json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two JSON lines:\n%s", out)
	}
	var base, with map[string]any
	must(t, json.Unmarshal([]byte(lines[0]), &base))
	must(t, json.Unmarshal([]byte(lines[1]), &with))
	if with["recall_at_1"].(float64) <= base["recall_at_1"].(float64) || with["rewrites_used"].(float64) != 1 {
		t.Fatalf("the model's reading did not help:\n%s", out)
	}
	if with["grounded_asked"].(float64) != 3 || with["grounded_rejected"].(float64) != 1 || with["grounded_accepted"].(float64) != 2 {
		t.Fatalf("grounded answers:\n%s", out)
	}
	code, _, errs = runCmd(t, "", "eval", "--config", cfg, "--llm", "--questions", q, "--min-grounded-accepted", "0.9")
	if code != 1 || !strings.Contains(errs, "grounded answers accepted 0.667 < 0.900") {
		t.Fatalf("floor: exit %d %s", code, errs)
	}
}

// With an embeddings model, the import embeds the new or changed items
// (the demo's and the sheets imported) and stores them; importing the
// same sheets again embeds nothing; a server down leaves the sheets
// imported and says the next import resumes.
func TestImportComputesEmbeddings(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithEmbed(llmtest.EmbedWith(llmtest.HashEmbed(64))))
	cfg := filepath.Join(t.TempDir(), "llm.yaml")
	must(t, os.WriteFile(cfg, []byte("llm:\n  base_url: "+srv.BaseURL()+"\n  model: m\n  embeddings_model: bge-m3\n  features: [embeddings]\n"), 0o600))
	dir := t.TempDir()
	for _, id := range []string{"F901", "F902"} {
		must(t, os.WriteFile(filepath.Join(dir, id+".xml"), []byte(sheetXML(id, "Particuliers", "Fiche "+id)), 0o600))
	}
	db := filepath.Join(t.TempDir(), "b.db")
	code, out, errs := runCmd(t, "", "import", "service-public", "--config", cfg, "--db", db, dir)
	if code != 0 || !strings.Contains(out, "embeddings (bge-m3): computed ") || strings.Contains(out, "computed 0,") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCmd(t, "", "import", "service-public", "--config", cfg, "--db", db, dir)
	if code != 0 || !strings.Contains(out, "embeddings (bge-m3): computed 0, unchanged ") {
		t.Fatalf("again: exit %d\n%s\n%s", code, out, errs)
	}
	srv.SetEmbed(func(llmtest.EmbedRequest) llmtest.Reply { return llmtest.ServerError() })
	must(t, os.WriteFile(filepath.Join(dir, "F903.xml"), []byte(sheetXML("F903", "Particuliers", "Fiche F903")), 0o600))
	code, out, errs = runCmd(t, "", "import", "service-public", "--config", cfg, "--db", db, dir)
	if code != 0 || !strings.Contains(out, "imported 1") || !strings.Contains(errs, "the next import resumes") {
		t.Fatalf("server down: exit %d\n%s\n%s", code, out, errs)
	}
}
