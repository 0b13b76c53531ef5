package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge/search"
)

// fakeModel is a language model scripted by a test. Its methods run
// outside the turn's transaction (Respond resolves model calls between
// attempts): during calls it may run turns of its own (during).
type fakeModel struct {
	mu       sync.Mutex
	features map[llm.Feature]bool
	rewrite  func(llm.RewriteInput) (llm.Rewrite, error)
	answer   func(llm.AnswerInput) (llm.Answer, error)
	summary  func(llm.SummaryInput) (llm.Summary, error)
	during   func(ctx context.Context) error
	calls    []string // use and the words the model was given
	hang     bool     // block until the context ends
}

func (m *fakeModel) On(f llm.Feature, _ string) bool { return m.features[f] }
func (m *fakeModel) OnQueue(string) bool             { return true }
func (m *fakeModel) SendsDanger() bool               { return false }

func (m *fakeModel) call(ctx context.Context, use, words string) error {
	m.mu.Lock()
	m.calls = append(m.calls, use+": "+words)
	m.mu.Unlock()
	if m.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if m.during != nil {
		return m.during(ctx)
	}
	return nil
}

func (m *fakeModel) Rewrite(ctx context.Context, in llm.RewriteInput) (llm.Rewrite, error) {
	if err := m.call(ctx, "rewrite", in.Text); err != nil {
		return llm.Rewrite{}, err
	}
	if m.rewrite == nil {
		return llm.Rewrite{}, llm.ErrUnavailable
	}
	return m.rewrite(in)
}

func (m *fakeModel) Answer(ctx context.Context, in llm.AnswerInput) (llm.Answer, error) {
	if err := m.call(ctx, "answer", in.Question); err != nil {
		return llm.Answer{}, err
	}
	if m.answer == nil {
		return llm.Answer{}, llm.ErrUnavailable
	}
	return m.answer(in)
}

func (m *fakeModel) Summarize(ctx context.Context, in llm.SummaryInput) (llm.Summary, error) {
	if err := m.call(ctx, "summary", strings.Join(in.Turns, " | ")); err != nil {
		return llm.Summary{}, err
	}
	if m.summary == nil {
		return llm.Summary{}, llm.ErrUnavailable
	}
	return m.summary(in)
}

func (m *fakeModel) used() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.calls...)
}

// modelHarness is an engine with a model and a mediators' queue, on a
// real SQLite file.
type modelHarness struct {
	t     testing.TB
	st    *store.Store
	eng   *engine.Engine
	model *fakeModel
}

func newModelHarness(t testing.TB, m *fakeModel, budget time.Duration) *modelHarness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"), store.Options{Clock: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	b := fixture(t, treeYAML)
	med := mediation.Config{Mediators: map[string][]string{"test": {"marie"}},
		Queues: map[string]mediation.Queue{mediation.DefaultQueue: {Channel: bot.Address{Platform: "test", Channel: "mediateurs"}}}}
	deps := engine.Deps{Store: st, Catalog: cat, Knowledge: b, Searcher: search.New(b, search.Options{}), Danger: mustDanger(t), Now: fixedNow}
	if m != nil {
		deps.Model = m
	}
	eng, err := engine.New(ctx, engine.Config{Mediation: med, ModelBudget: budget}, deps)
	if err != nil {
		t.Fatal(err)
	}
	return &modelHarness{t: t, st: st, eng: eng, model: m}
}

func (h *modelHarness) say(a bot.Address, text string) []bot.Reply {
	h.t.Helper()
	rs, err := h.eng.Respond(context.Background(), bot.Incoming{Address: a, Text: text})
	if err != nil {
		h.t.Fatalf("say %q: %v", text, err)
	}
	return rs
}

// A story the search is unsure about is read by the model as a short
// query; the bot answers with what that query finds, and the model's
// reading reaches the mediator as « Compris par le modèle : ». The model is called
// while no transaction is open: another person's turn goes through
// during the call.
func TestModelRewriteFindsTheSheetOutsideTheTransaction(t *testing.T) {
	bob := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	m := &fakeModel{features: map[llm.Feature]bool{llm.FeatureRewrite: true}}
	h := newModelHarness(t, m, 0)
	m.rewrite = func(in llm.RewriteInput) (llm.Rewrite, error) {
		return llm.Rewrite{Query: "passeport", Topic: "papiers"}, nil
	}
	m.during = func(ctx context.Context) error {
		// Holding SQLite's one writer here would make this wait and fail.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_, err := h.eng.Respond(ctx, bot.Incoming{Address: bob, Text: "bonjour"})
		return err
	}
	rs := h.say(alice, "ma fille part en voyage scolaire a l'etranger l'an prochain, quel document doit elle avoir")
	mustContain(t, rs, "Passeport", "F1343")
	if got := m.used(); len(got) != 1 || !strings.HasPrefix(got[0], "rewrite: ma fille") {
		t.Fatalf("model calls = %q", got)
	}
	mustContain(t, h.say(alice, "je veux parler à quelqu'un"), "")
	h.say(alice, "oui")
	cs, err := h.st.Cases(context.Background(), "")
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases = %v, %v", cs, err)
	}
	if cs[0].Summary.Understood != "passeport" {
		t.Fatalf("summary = %+v", cs[0].Summary)
	}
	out, err := h.st.PendingOutgoing(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range out {
		if strings.Contains(o.Reply.Text, "Compris par le modèle : passeport") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no « Compris par le modèle : passeport » in the announcement: %+v", out)
	}
}

// Without the model, or with it down or hanging past the budget, the
// replies are the ones Boussole writes without a model.
func TestModelDownOrHangingFallsBack(t *testing.T) {
	story := "ma fille part en voyage scolaire a l'etranger l'an prochain, quel document doit elle avoir"
	want := text(newModelHarness(t, nil, 0).say(alice, story))
	for name, m := range map[string]*fakeModel{
		"down":    {features: map[llm.Feature]bool{llm.FeatureRewrite: true, llm.FeatureAnswer: true}},
		"hanging": {features: map[llm.Feature]bool{llm.FeatureRewrite: true, llm.FeatureAnswer: true}, hang: true},
		"nonsense": {features: map[llm.Feature]bool{llm.FeatureRewrite: true}, rewrite: func(llm.RewriteInput) (llm.Rewrite, error) {
			return llm.Rewrite{}, llm.ErrNoResponse
		}},
	} {
		t.Run(name, func(t *testing.T) {
			h := newModelHarness(t, m, 50*time.Millisecond)
			if got := text(h.say(alice, story)); got != want {
				t.Fatalf("with the model %s:\n%s\nwithout a model:\n%s", name, got, want)
			}
			if len(m.used()) == 0 {
				t.Fatal("the model was not asked")
			}
		})
	}
}

// A grounded answer the model wrote is shown with Boussole's own source
// line; one the post-check rejected leaves the template answer.
func TestModelGroundedAnswer(t *testing.T) {
	m := &fakeModel{features: map[llm.Feature]bool{llm.FeatureAnswer: true}}
	m.answer = func(in llm.AnswerInput) (llm.Answer, error) {
		if in.Items[0].ID != "passeport" {
			t.Errorf("grounded on %s", in.Items[0].ID)
		}
		return llm.Answer{Text: "Vous demandez le passeport en mairie équipée d'un dispositif de recueil ; il coûte 86 € [1].", Cited: []int{1}}, nil
	}
	h := newModelHarness(t, m, 0)
	rs := h.say(alice, "passeport")
	mustContain(t, rs, "résumé automatiquement", "il coûte 86 € [1]", "[1] Source officielle : ", "F1343")

	rejected := &fakeModel{features: map[llm.Feature]bool{llm.FeatureAnswer: true}, answer: func(llm.AnswerInput) (llm.Answer, error) {
		return llm.Answer{}, llm.ErrRejected
	}}
	got := text(newModelHarness(t, rejected, 0).say(alice, "passeport"))
	if want := text(newModelHarness(t, nil, 0).say(alice, "passeport")); got != want {
		t.Fatalf("rejected answer:\n%s\nwant the template:\n%s", got, want)
	}
}

// A person in danger gets the emergency numbers; nothing of it reaches
// the model, and a case opened then gets no machine summary.
func TestModelNeverSeesDanger(t *testing.T) {
	m := &fakeModel{features: map[llm.Feature]bool{llm.FeatureRewrite: true, llm.FeatureAnswer: true, llm.FeatureSummary: true}}
	m.summary = func(llm.SummaryInput) (llm.Summary, error) {
		return llm.Summary{Situation: "s", Tried: "t", Asks: "a"}, nil
	}
	h := newModelHarness(t, m, 0)
	mustContain(t, h.say(alice, "mon mari me frappe, j'ai peur"), "secours")
	if got := m.used(); len(got) != 0 {
		t.Fatalf("the model was given a danger message: %q", got)
	}
}

// With the person's consent (asked saying a summary is written), the
// case gets the model's three lines, marked as machine-written; the
// person's words went masked through the Assistant, and danger words
// never.
func TestModelSummaryWithConsent(t *testing.T) {
	m := &fakeModel{features: map[llm.Feature]bool{llm.FeatureSummary: true}}
	m.summary = func(in llm.SummaryInput) (llm.Summary, error) {
		return llm.Summary{Situation: "Carte d'identité perdue.", Tried: "Fiche cni-perte montrée.", Asks: "Aide pour refaire la carte."}, nil
	}
	h := newModelHarness(t, m, 0)
	h.say(alice, "j'ai perdu ma carte d'identité")
	mustContain(t, h.say(alice, "je veux parler à quelqu'un"), "écrit automatiquement par le modèle de langage")
	if len(m.used()) != 0 {
		t.Fatal("summarised before the person consented")
	}
	h.say(alice, "oui")
	cs, err := h.st.Cases(context.Background(), "")
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases = %v, %v", cs, err)
	}
	ms := cs[0].Summary.Machine
	if ms == nil || ms.Asks != "Aide pour refaire la carte." {
		t.Fatalf("machine summary = %+v", ms)
	}
	if got := m.used(); len(got) != 1 || !strings.Contains(got[0], "perdu ma carte") {
		t.Fatalf("model calls = %q", got)
	}
}

// Declining shares nothing, and nothing goes to the model.
func TestModelSummaryWithoutConsent(t *testing.T) {
	m := &fakeModel{features: map[llm.Feature]bool{llm.FeatureSummary: true}}
	m.summary = func(llm.SummaryInput) (llm.Summary, error) {
		return llm.Summary{Situation: "s", Tried: "t", Asks: "a"}, nil
	}
	h := newModelHarness(t, m, 0)
	h.say(alice, "j'ai perdu ma carte d'identité")
	h.say(alice, "je veux parler à quelqu'un")
	h.say(alice, "non")
	cs, err := h.st.Cases(context.Background(), "")
	if err != nil || len(cs) != 1 || cs[0].Summary.Machine != nil || len(m.used()) != 0 {
		t.Fatalf("cases = %+v, %v, calls %q", cs, err, m.used())
	}
}

// BenchmarkModelTurn measures what the model's rounds cost the turn
// itself (an instant model): the turn that needs a reading and a
// grounded answer runs three times (two roll-backs), against once
// without a model. The model's own time comes on top.
func BenchmarkModelTurn(b *testing.B) {
	story := "ma fille part en voyage scolaire a l'etranger l'an prochain, quel document doit elle avoir"
	instant := &fakeModel{features: map[llm.Feature]bool{llm.FeatureRewrite: true, llm.FeatureAnswer: true},
		rewrite: func(llm.RewriteInput) (llm.Rewrite, error) { return llm.Rewrite{Query: "passeport"}, nil },
		answer: func(llm.AnswerInput) (llm.Answer, error) {
			return llm.Answer{Text: "Vous demandez le passeport en mairie [1].", Cited: []int{1}}, nil
		}}
	for _, c := range []struct {
		name  string
		model *fakeModel
	}{{"without", nil}, {"instant-model", instant}} {
		b.Run(c.name, func(b *testing.B) {
			h := newModelHarness(b, c.model, 0)
			i := 0
			for b.Loop() {
				i++
				a := bot.Address{Platform: "test", Channel: "dm", User: fmt.Sprint("u", i)}
				if _, err := h.eng.Respond(context.Background(), bot.Incoming{Address: a, Text: story}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
