package llm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/llm/llmtest"
	"github.com/boussole/boussole/bot/llm/openai"
	"github.com/boussole/boussole/knowledge"
)

func newAssistant(t *testing.T, srv *llmtest.Server, o llm.Options) *llm.Assistant {
	t.Helper()
	c, err := openai.New(openai.Config{BaseURL: srv.BaseURL(), Model: "m"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	a, err := llm.NewAssistant(c, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Features are on by configuration, and off for the jurisdictions and
// queues an operator lists as false.
func TestAssistantOn(t *testing.T) {
	a := newAssistant(t, llmtest.New(t), llm.Options{
		Features:      map[llm.Feature]bool{llm.FeatureRewrite: true, llm.FeatureSummary: true},
		Jurisdictions: map[string]bool{"QC": false, "FR": true},
		Queues:        map[string]bool{"logement": false},
	})
	for _, c := range []struct {
		f    llm.Feature
		j    string
		want bool
	}{
		{llm.FeatureRewrite, "FR", true}, {llm.FeatureRewrite, "QC", false}, {llm.FeatureRewrite, "", false}, {llm.FeatureRewrite, "BE", true},
		{llm.FeatureAnswer, "FR", false}, {llm.FeatureSummary, "FR", true},
	} {
		if got := a.On(c.f, c.j); got != c.want {
			t.Errorf("On(%s, %q) = %v, want %v", c.f, c.j, got, c.want)
		}
	}
	if a.OnQueue("logement") || !a.OnQueue("default") {
		t.Error("queues")
	}
}

// The prompts state the rules, in the person's language, and carry the
// person's words masked; the model's JSON is read even when a server
// wraps it in prose or a code fence, and a bad reading is an error.
func TestAssistantPromptsAndReadings(t *testing.T) {
	var last llmtest.ChatRequest
	reply := llmtest.Text("```json\n{\"query\": \"« demande RSA »\", \"topic\": \"argent\", \"lang\": \"en\"}\n```", 10, 5)
	srv := llmtest.New(t, llmtest.WithChat(func(r llmtest.ChatRequest) llmtest.Reply { last = r; return reply }))
	a := newAssistant(t, srv, llm.Options{Features: map[llm.Feature]bool{llm.FeatureRewrite: true}})
	rw, err := a.Rewrite(context.Background(), llm.RewriteInput{Text: "I'm out of work, my number is 06 12 34 56 78, can I get RSA", Lang: "en", Topic: "Prime d'activité"})
	if err != nil || rw.Query != "demande RSA" || rw.Topic != "argent" {
		t.Fatalf("rewrite = %+v, %v", rw, err)
	}
	if !last.JSON() || last.Messages[0].Role != "system" || !strings.Contains(last.Messages[0].Content, "IN FRENCH") ||
		!strings.Contains(last.Messages[0].Content, "Invent no procedure") || !strings.Contains(last.Messages[1].Content, "Previous topic: Prime d'activité") {
		t.Fatalf("request = %+v", last)
	}
	if srv.Sent("06 12 34 56 78") || !srv.Sent("[tel]") {
		t.Fatal("the phone number was not masked")
	}
	for name, bad := range map[string]string{
		"prose":       "La requête serait : demande RSA",
		"empty query": `{"query": "", "topic": ""}`,
		"an answer":   `{"query": "` + strings.Repeat("il faut aller à la CAF ", 10) + `"}`,
		"broken JSON": `{"query": "demande RSA"`,
	} {
		reply = llmtest.Text(bad, 1, 1)
		if _, err := a.Rewrite(context.Background(), llm.RewriteInput{Text: "rsa", Lang: "fr"}); !errors.Is(err, llm.ErrNoResponse) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if s := a.Stats(); s.Rewrites != 5 || s.RewritesFailed != 4 {
		t.Errorf("stats = %+v", s)
	}
}

// A grounded answer is asked with the item's facts and no link; a
// summary's lines are masked again and bounded.
func TestAssistantAnswerAndSummary(t *testing.T) {
	var last llmtest.ChatRequest
	reply := llmtest.Text("La demande se fait en mairie ; elle coûte 86 € [1].", 10, 5)
	srv := llmtest.New(t, llmtest.WithChat(func(r llmtest.ChatRequest) llmtest.Reply { last = r; return reply }))
	a := newAssistant(t, srv, llm.Options{Features: map[llm.Feature]bool{llm.FeatureAnswer: true, llm.FeatureSummary: true}})
	it := &knowledge.Item{ID: "passeport", Title: "Passeport", Summary: "Demander un passeport.", Cost: "86 €",
		Where: knowledge.Where{Office: "mairie", Online: []knowledge.Link{{Label: "Pré-demande", URL: "https://passeport.ants.gouv.fr/"}}}}
	ans, err := a.Answer(context.Background(), llm.AnswerInput{Question: "passeport pour Jeanne, tel 0612345678", Lang: "fr", Items: []*knowledge.Item{it}})
	if err != nil || len(ans.Cited) != 1 || ans.Cited[0] != 1 {
		t.Fatalf("answer = %+v, %v", ans, err)
	}
	user := last.Messages[1].Content
	if !strings.Contains(user, "Fiche [1]") || !strings.Contains(user, "Coût : 86 €") || strings.Contains(user, "https://") || strings.Contains(user, "0612345678") {
		t.Fatalf("answer prompt:\n%s", user)
	}
	if !strings.Contains(last.Messages[0].Content, "UNIQUEMENT") {
		t.Fatal("the answer prompt does not state its rule")
	}
	reply = llmtest.Text(`{"situation": "Elle s'appelle Jeanne, tel 06 12 34 56 78.", "tried": "`+strings.Repeat("x", 400)+`", "asks": "Un passeport."}`, 1, 1)
	s, err := a.Summarize(context.Background(), llm.SummaryInput{Lang: "fr", Turns: []string{"passeport"}})
	if err != nil || strings.Contains(s.Situation, "06 12") || len([]rune(s.Tried)) > 240 || s.Asks != "Un passeport." {
		t.Fatalf("summary = %+v, %v", s, err)
	}
	reply = llmtest.Text(`{"situation": "", "tried": "x", "asks": "y"}`, 1, 1)
	if _, err := a.Summarize(context.Background(), llm.SummaryInput{Lang: "fr", Turns: []string{"passeport"}}); !errors.Is(err, llm.ErrNoResponse) {
		t.Fatalf("empty line: %v", err)
	}
}
