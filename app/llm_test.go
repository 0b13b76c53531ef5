package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/llm/llmtest"
	"github.com/boussole/boussole/bot/mediation"
)

// model is a scripted language model behind the fake server: it tells
// the three uses apart by their prompt, as a real server would not need
// to.
type model struct {
	mu      sync.Mutex
	rewrite llmtest.Reply
	answer  llmtest.Reply
	summary llmtest.Reply
}

func (m *model) chat(r llmtest.ChatRequest) llmtest.Reply {
	m.mu.Lock()
	defer m.mu.Unlock()
	sys := r.Messages[0].Content
	switch {
	case strings.Contains(sys, "requête de recherche") || strings.Contains(sys, "search query"):
		return m.rewrite
	case strings.Contains(sys, "premier message") || strings.Contains(sys, "first message"):
		return m.answer
	default:
		return m.summary
	}
}

func llmNow() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

// desk is a mediators' queue for the tests' cases.
var desk = mediation.Config{Mediators: map[string][]string{"test": {"marie"}},
	Queues: map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: "test", Channel: "mediateurs"}}}}

// openLLM opens a Core on the demo knowledge, in French, with the
// language model lc behind srv (its base URL and client filled in); the
// key of ALBERT_KEY is « sk-secret-key ». With embeddings, every item is
// embedded first, as serve's start does.
func openLLM(t *testing.T, srv *llmtest.Server, e engine.Config, lc app.LLMConfig) *app.Core {
	t.Helper()
	e.Lang = "fr"
	lc.BaseURL = srv.BaseURL()
	cc := app.CoreConfig{Database: filepath.Join(t.TempDir(), "b.db"), Engine: e, LLM: &lc,
		Getenv: func(n string) string { return map[string]string{"ALBERT_KEY": "sk-secret-key"}[n] },
		HTTP:   srv.Client()}
	c, err := app.OpenCore(context.Background(), cc, nil, llmNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if lc.EmbeddingsModel != "" {
		if err := c.RefreshEmbeddings(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// openWithModel opens a Core with a mediators' queue and the language
// model behind srv, features on as listed.
func openWithModel(t *testing.T, srv *llmtest.Server, timeout string, features ...string) *app.Core {
	t.Helper()
	return openLLM(t, srv, engine.Config{Mediation: desk}, app.LLMConfig{Model: "albert-large", APIKeyEnv: "ALBERT_KEY", Timeout: timeout, Features: features})
}

var person = bot.Address{Platform: "test", Channel: "dm", User: "jeanne"}

func say(t *testing.T, c *app.Core, text string) string {
	t.Helper()
	rs, err := c.Engine.Respond(context.Background(), bot.Incoming{Address: person, Text: text})
	if err != nil {
		t.Fatalf("say %q: %v", text, err)
	}
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
		for _, ch := range r.Choices {
			b.WriteString("  - " + ch.Label + "\n")
		}
	}
	return b.String()
}

// A long story the words alone do not find: the model reads it as a
// short query, Boussole's search finds the sheet, the grounded first
// message is shown with Boussole's source line, and the mediator reads
// « Compris par le modèle : » and the machine summary. Nothing personal left in any
// request, nor the API key in a body.
func TestModelThroughAnOpenAICompatibleServer(t *testing.T) {
	m := &model{
		rewrite: llmtest.Text(`{"query": "dossier MDPH enfant autiste", "topic": "handicap", "lang": "fr"}`, 310, 22),
		answer:  llmtest.Text("Pour votre enfant, vous pouvez demander l'AEEH et d'autres aides par un dossier à la MDPH de votre département [1].", 900, 40),
		summary: llmtest.Text(`{"situation": "Parent d'un enfant autiste, perdu dans les démarches.", "tried": "Fiche AEEH montrée.", "asks": "Aide pour monter le dossier MDPH."}`, 400, 30),
	}
	srv := llmtest.New(t, llmtest.WithKey("sk-secret-key"), llmtest.WithChat(m.chat))
	c := openWithModel(t, srv, "", "rewrite", "answer", "summary")
	story := "Je m'appelle Jeanne Martin, 06 12 34 56 78, notre petit garcon a des troubles du spectre, l'ecole nous dit de monter un dossier, on est perdus"
	got := say(t, c, story)
	for _, want := range []string{"résumé automatiquement", "Enfant handicapé", "à la MDPH de votre département [1]", "[1] Source officielle : ", "F14809"} {
		if !strings.Contains(got, want) {
			t.Fatalf("reply lacks %q:\n%s", want, got)
		}
	}
	say(t, c, "je veux parler à quelqu'un")
	say(t, c, "oui")
	cases, err := c.Store.Cases(context.Background(), "")
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases: %v, %v", cases, err)
	}
	s := cases[0].Summary
	if s.Understood != "dossier MDPH enfant autiste" || s.Machine == nil || s.Machine.Asks != "Aide pour monter le dossier MDPH." {
		t.Fatalf("case summary = %+v (machine %+v)", s, s.Machine)
	}
	for _, secret := range []string{"Jeanne", "Martin", "06 12 34 56 78", "0612345678", "sk-secret-key"} {
		if srv.Sent(secret) {
			t.Errorf("%q reached the model", secret)
		}
	}
	if n := srv.Calls(llmtest.ChatPath); n != 3 {
		t.Errorf("%d chat calls, want 3 (rewrite, answer, summary)", n)
	}
	st := c.Model.Assistant.Stats()
	if st.AnswersAccepted != 1 || st.Rewrites != 1 || st.Summaries != 1 {
		t.Errorf("stats = %+v", st)
	}
	if g := c.Model.Guard.Stats(); g.Chat.PromptTokens != 310+900+400 || g.Chat.CompletionTokens != 22+40+30 {
		t.Errorf("tokens = %+v", g.Chat)
	}
}

// The server hangs: the bot answers within its budget, as it would
// without a model; after a few such turns the breaker opens and turns
// stop waiting for the server at all.
func TestModelHangingServerAndBreaker(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithChat(llmtest.Always(llmtest.Hang())))
	c := openWithModel(t, srv, "150ms", "rewrite", "answer")
	without := openWithModel(t, llmtest.New(t), "150ms")
	story := "notre petit garcon a des troubles du spectre, l'ecole nous dit de monter un dossier, on est perdus"
	want := say(t, without, story)
	for i := range 4 {
		if got := say(t, c, story); got != want {
			t.Fatalf("turn %d with a hanging server:\n%s\nwithout a model:\n%s", i, got, want)
		}
	}
	calls := srv.Calls(llmtest.ChatPath)
	if calls == 0 || c.Model.Guard.Stats().Chat.State != "open" {
		t.Fatalf("%d calls, breaker %q", calls, c.Model.Guard.Stats().Chat.State)
	}
	say(t, c, story)
	if n := srv.Calls(llmtest.ChatPath); n != calls {
		t.Fatalf("the open breaker let %d more calls through", n-calls)
	}
}

// Errors of every kind leave the answer Boussole gives without a model.
func TestModelErrorsFallBack(t *testing.T) {
	story := "notre petit garcon a des troubles du spectre, l'ecole nous dit de monter un dossier, on est perdus"
	want := say(t, openWithModel(t, llmtest.New(t), "1s"), story)
	for name, r := range map[string]llmtest.Reply{
		"401":        llmtest.Error(401, "invalid api key"),
		"429":        llmtest.RateLimited("30"),
		"500":        llmtest.ServerError(),
		"malformed":  llmtest.Malformed(),
		"no choices": llmtest.NoChoices(),
		"prose":      llmtest.Text("Bien sûr ! Voici la requête : dossier MDPH", 10, 10),
		"long query": llmtest.Text(`{"query": "`+strings.Repeat("mot ", 40)+`"}`, 10, 10),
	} {
		t.Run(name, func(t *testing.T) {
			srv := llmtest.New(t, llmtest.WithChat(llmtest.Always(r)))
			c := openWithModel(t, srv, "1s", "rewrite")
			if got := say(t, c, story); got != want {
				t.Fatalf("with %s:\n%s\nwithout a model:\n%s", name, got, want)
			}
			if srv.Calls(llmtest.ChatPath) == 0 {
				t.Fatal("the model was not asked")
			}
		})
	}
}

// With an embeddings model, serve's start embeds every item in force and
// the engine fuses them with the word search: a question's embedding is
// asked for during the turn (through its memo, outside the transaction),
// masked, and the answer stays the word search's when both agree.
func TestModelEmbeddingsInTheCore(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithEmbed(llmtest.EmbedWith(llmtest.HashEmbed(256))))
	c := openLLM(t, srv, engine.Config{}, app.LLMConfig{Model: "m", EmbeddingsModel: "bge-m3", Features: []string{"embeddings"}})
	stored, err := c.Store.Embeddings(context.Background(), "bge-m3")
	if err != nil || len(stored) != len(c.Library.Base().Items) {
		t.Fatalf("%d embeddings stored for %d items: %v", len(stored), len(c.Library.Base().Items), err)
	}
	before := srv.Calls(llmtest.EmbeddingsPath)
	got := say(t, c, "j'ai perdu ma carte grise, mon numéro 06 12 34 56 78")
	if srv.Calls(llmtest.EmbeddingsPath) != before+1 {
		t.Fatalf("the question was embedded %d times", srv.Calls(llmtest.EmbeddingsPath)-before)
	}
	if srv.Sent("06 12 34 56 78") {
		t.Fatal("the phone number reached the model")
	}
	if !strings.Contains(got, "Carte grise perdue") {
		t.Fatalf("reply:\n%s", got)
	}
	// A second start reads the vectors stored: nothing is embedded again.
	before = srv.Calls(llmtest.EmbeddingsPath)
	if err := c.RefreshEmbeddings(context.Background()); err != nil || srv.Calls(llmtest.EmbeddingsPath) != before {
		t.Fatalf("refresh again: %v, %d calls", err, srv.Calls(llmtest.EmbeddingsPath)-before)
	}
}

// A grounded answer with an invented phone number, amount, link or
// organisation is rejected by the post-check: the person reads the
// template answer, and the rejection is counted.
func TestModelInventedFactsAreRejected(t *testing.T) {
	q := "notre petit garcon a des troubles du spectre, l'ecole nous dit de monter un dossier, on est perdus"
	rewrite := llmtest.Text(`{"query": "dossier MDPH enfant autiste", "topic": "handicap", "lang": "fr"}`, 10, 10)
	template := func() string {
		m := &model{rewrite: rewrite, answer: llmtest.ServerError()}
		return say(t, openWithModel(t, llmtest.New(t, llmtest.WithChat(m.chat)), "", "rewrite", "answer"), q)
	}()
	if strings.Contains(template, "automatiquement") {
		t.Fatalf("template answer:\n%s", template)
	}
	for name, text := range map[string]string{
		"phone":        "Appelez la MDPH au 01 23 45 67 89 pour monter le dossier [1].",
		"amount":       "L'AEEH est de 149,26 € par mois, à demander à la MDPH [1].",
		"link":         "Faites la demande sur www.mdph-aide.fr [1].",
		"organisation": "Demandez l'AEEH à la CPAM de votre département [1].",
		"no citation":  "Vous pouvez demander l'AEEH par un dossier à la MDPH.",
		"wrong sheet":  "Vous pouvez demander l'AEEH par un dossier à la MDPH [4].",
	} {
		t.Run(name, func(t *testing.T) {
			m := &model{rewrite: rewrite, answer: llmtest.Text(text, 10, 10)}
			c := openWithModel(t, llmtest.New(t, llmtest.WithChat(m.chat)), "", "rewrite", "answer")
			if got := say(t, c, q); got != template {
				t.Fatalf("with %q:\n%s\nwant the template:\n%s", text, got, template)
			}
			if s := c.Model.Assistant.Stats(); s.AnswersRejected != 1 || s.AnswersAccepted != 0 {
				t.Fatalf("stats = %+v", s)
			}
		})
	}
}

// Every kind of personal data is masked before anything leaves.
func TestModelNeverReceivesPersonalData(t *testing.T) {
	m := &model{rewrite: llmtest.Text(`{"query": "dossier MDPH", "topic": "handicap", "lang": "fr"}`, 10, 10),
		answer: llmtest.ServerError(), summary: llmtest.ServerError()}
	srv := llmtest.New(t, llmtest.WithChat(m.chat))
	c := openWithModel(t, srv, "", "rewrite", "answer", "summary")
	personal := map[string]string{
		"phone":     "06 12 34 56 78",
		"e-mail":    "jeanne.martin@example.org",
		"NIR":       "2 85 05 78 006 084 36",
		"tax":       "30 12 345 678 901",
		"NAS":       "046 454 286",
		"IBAN":      "FR76 3000 6000 0112 3456 7890 189",
		"address":   "12 rue de la République",
		"name":      "Jeanne Martin",
		"card":      "4970 1012 3456 7890",
		"QC street": "1234 rue Sainte-Catherine Ouest",
	}
	msg := "Je m'appelle Jeanne Martin, j'habite 12 rue de la République, tel 06 12 34 56 78, mail jeanne.martin@example.org, secu 2 85 05 78 006 084 36, numero fiscal 30 12 345 678 901, NAS 046 454 286, IBAN FR76 3000 6000 0112 3456 7890 189, carte 4970 1012 3456 7890, avant 1234 rue Sainte-Catherine Ouest : notre petit garcon a des troubles du spectre, on est perdus"
	say(t, c, msg)
	say(t, c, "je veux parler à quelqu'un")
	say(t, c, "oui")
	if srv.Calls(llmtest.ChatPath) < 2 {
		t.Fatalf("only %d calls: the test proves nothing", srv.Calls(llmtest.ChatPath))
	}
	for kind, v := range personal {
		if srv.Sent(v) {
			t.Errorf("%s %q reached the model", kind, v)
		}
	}
}
