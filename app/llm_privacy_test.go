package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/llm/llmtest"
)

// openEmbeddings opens a Core whose search fuses embeddings from srv,
// every item embedded.
func openEmbeddings(t *testing.T, srv *llmtest.Server, jurisdiction string, off map[string]bool, features ...string) *app.Core {
	t.Helper()
	return openLLM(t, srv, engine.Config{Jurisdiction: jurisdiction},
		app.LLMConfig{Model: "m", EmbeddingsModel: "bge-m3", Features: append([]string{"embeddings"}, features...), Jurisdictions: off})
}

// A message naming a town is searched without the town's words (folded
// by the gazetteer): what is embedded was masked before, as typed, so
// names and e-mails (read by their cues and their « @ ») never leave.
// Found by review: the folded text went out with the name in it.
func TestModelPrivacyOfEmbeddedQueries(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithEmbed(llmtest.EmbedWith(llmtest.HashEmbed(256))))
	c := openEmbeddings(t, srv, "", nil)
	items := len(srv.Requests()) // the items' own texts, embedded at start
	for _, msg := range []string{
		"Je m'appelle Jeanne Martin, j'habite 12 rue de la République à Lyon, mail jeanne.martin@example.org, tel 06.12.34.56.78, j'ai perdu ma carte grise",
		"je suis à Lyon, je m'appelle Jeanne Martin, j'ai perdu ma carte grise",
		"à Rimouski. Mon nom est Jeanne Martin. Mail jeanne.martin@example.org. Permis perdu",
	} {
		before := srv.Calls(llmtest.EmbeddingsPath)
		say(t, c, msg)
		if srv.Calls(llmtest.EmbeddingsPath) == before {
			t.Fatalf("%q was not embedded: the test proves nothing", msg)
		}
	}
	for _, r := range srv.Requests()[items:] {
		body := strings.ToLower(string(r.Body))
		for _, v := range []string{"jeanne", "martin", "example", "republique", "république", "06.12.34.56.78", "0612345678"} {
			if strings.Contains(body, v) {
				t.Errorf("%q reached the embeddings server: %s", v, r.Body)
			}
		}
	}
}

// An e-mail is masked before mentions are taken out: « @example.org »
// read as a mention would leave « jeanne.martin » to the model.
func TestModelPrivacyOfAnEmailsLocalPart(t *testing.T) {
	m := &model{rewrite: llmtest.Text(`{"query": "dossier MDPH", "topic": "handicap", "lang": "fr"}`, 10, 10),
		answer: llmtest.ServerError(), summary: llmtest.ServerError()}
	srv := llmtest.New(t, llmtest.WithChat(m.chat))
	c := openWithModel(t, srv, "", "rewrite", "answer", "summary")
	say(t, c, "mon mail jeanne.martin@example.org : notre petit garcon a des troubles du spectre, on est perdus")
	if srv.Calls(llmtest.ChatPath) == 0 {
		t.Fatal("the model was not asked: the test proves nothing")
	}
	if srv.Sent("jeanne.martin") || srv.Sent("example.org") {
		t.Error("the e-mail reached the model")
	}
}

// Turned off for Québec, nothing of a Québec person's words leaves:
// neither a reading nor an embedding.
func TestModelOffForAJurisdiction(t *testing.T) {
	m := &model{rewrite: llmtest.Text(`{"query": "permis de conduire perdu", "topic": "permis", "lang": "fr"}`, 10, 10)}
	srv := llmtest.New(t, llmtest.WithChat(m.chat), llmtest.WithEmbed(llmtest.EmbedWith(llmtest.HashEmbed(256))))
	c := openEmbeddings(t, srv, "QC", map[string]bool{"QC": false}, "rewrite")
	before := srv.Calls(llmtest.EmbeddingsPath)
	say(t, c, "j'ai échappé mes papiers de char dans le métro, je suis mal pris")
	if n := srv.Calls(llmtest.EmbeddingsPath) - before; n != 0 {
		t.Errorf("llm.jurisdictions QC: false, yet the question was embedded %d times", n)
	}
	if n := srv.Calls(llmtest.ChatPath); n != 0 {
		t.Errorf("llm.jurisdictions QC: false, yet the model was asked %d times", n)
	}
}

// Eight people at once, every feature on: each conversation gets its
// reading, its grounded answer and its summary, once each (run with
// -race).
func TestModelConcurrentConversations(t *testing.T) {
	m := &model{rewrite: llmtest.Text(`{"query": "dossier MDPH enfant autiste", "topic": "handicap", "lang": "fr"}`, 10, 10),
		answer:  llmtest.Text("Faites une demande à la MDPH de votre département [1].", 10, 10),
		summary: llmtest.Text(`{"situation":"Parent perdu.","tried":"Fiche AEEH.","asks":"Aide pour le dossier."}`, 1, 1)}
	srv := llmtest.New(t, llmtest.WithChat(m.chat), llmtest.WithEmbed(llmtest.EmbedWith(llmtest.HashEmbed(64))))
	c := openLLM(t, srv, engine.Config{Mediation: desk},
		app.LLMConfig{Model: "m", EmbeddingsModel: "e", Features: []string{"rewrite", "answer", "summary", "embeddings"}})
	const people = 8
	var wg sync.WaitGroup
	for i := range people {
		wg.Go(func() {
			a := bot.Address{Platform: "test", Channel: "dm", User: fmt.Sprint("u", i)}
			for j, text := range []string{"notre petit garcon a des troubles du spectre, l'ecole nous dit de monter un dossier, on est perdus", "je veux parler à quelqu'un", "oui"} {
				rs, err := c.Engine.Respond(context.Background(), bot.Incoming{Address: a, Text: text, ID: fmt.Sprint(i, "-", j)})
				if err != nil || len(rs) == 0 {
					t.Errorf("%d %q: %v, %d replies", i, text, err, len(rs))
				}
				if j == 0 && (len(rs) == 0 || !strings.Contains(rs[len(rs)-1].Text+rs[0].Text, "automatiquement")) {
					t.Errorf("%d: no grounded answer", i)
				}
			}
		})
	}
	wg.Wait()
	cases, err := c.Store.Cases(context.Background(), "")
	if err != nil || len(cases) != people {
		t.Fatalf("%d cases, %v", len(cases), err)
	}
	for _, cs := range cases {
		if cs.Summary.Machine == nil || cs.Summary.Understood == "" {
			t.Errorf("case %d: %+v", cs.ID, cs.Summary)
		}
	}
	if n := srv.Calls(llmtest.ChatPath); n != 3*people {
		t.Errorf("%d chat calls, want %d (a reading, an answer and a summary each)", n, 3*people)
	}
}
