package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// The optional language model (bot/llm), and where a turn uses it: to
// read a message the search is unsure about, to write a grounded first
// answer, and to summarise a case for mediators. The bot never needs it:
// whatever the model does not give, in time and checked, the turn does
// without. It never sees a danger message (the danger layer answers
// those first, alone) and never runs inside the turn's transaction: see
// llm.Memo and Engine.Respond.

// Model is the language model's uses (llm.Assistant).
type Model interface {
	// On reports whether feature f is on for a person in jurisdiction j.
	On(f llm.Feature, j string) bool
	// OnQueue reports whether queue's mediators get a summary.
	OnQueue(queue string) bool
	// SendsDanger reports whether messages recognised as danger may be
	// summarised.
	SendsDanger() bool
	Rewrite(ctx context.Context, in llm.RewriteInput) (llm.Rewrite, error)
	Answer(ctx context.Context, in llm.AnswerInput) (llm.Answer, error)
	Summarize(ctx context.Context, in llm.SummaryInput) (llm.Summary, error)
}

// maxModelRounds bounds how many times a turn is run again with the
// model's results: a rewritten query can lead to an answer that is then
// written by the model, and no further.
const maxModelRounds = 3

// errModelPending rolls a turn back so that the model calls it recorded
// are made outside the transaction.
var errModelPending = errors.New("model calls pending")

// modelOn reports whether feature f is on for this turn's person.
func (t *turn) modelOn(f llm.Feature) bool {
	return t.e.model != nil && t.e.model.On(f, t.jurisdiction())
}

// modelFailed logs why the model's help was not used, at debug: the
// reason only (a rejected answer's rule), never the words.
func (t *turn) modelFailed(use string, err error) {
	if errors.Is(err, llm.ErrPending) {
		return
	}
	t.e.log.DebugContext(t.ctx, "language model not used", "use", use, "err", err)
}

// understand asks the model to read a typed question the search is not
// sure about (a long story, another language, a follow-up) as a short
// French query, and searches that instead when it finds better. The
// person's words stay what is stored and shown to mediators; the model's
// reading is kept beside them (Topic.Understood).
func (t *turn) understand(hits []knowledge.Hit) ([]knowledge.Hit, error) {
	if t.in.Payload != "" || !t.modelOn(llm.FeatureRewrite) {
		return hits, nil
	}
	if !t.e.policy.Unsure(hits) {
		return hits, nil
	}
	q := strings.TrimSpace(t.asked())
	in := llm.RewriteInput{Text: q, Lang: t.lang(), Topic: t.topicTitle()}
	key := strings.Join([]string{"rewrite", in.Lang, in.Topic, in.Text}, "\x1f")
	rw, err := llm.Do(t.ctx, key, func(ctx context.Context) (llm.Rewrite, error) { return t.e.model.Rewrite(ctx, in) })
	if err != nil {
		// While the reading is on its way, the answer is not written
		// for the word search's guess: it may not be the one shown.
		t.reading = errors.Is(err, llm.ErrPending)
		t.modelFailed("rewrite", err)
		return hits, nil
	}
	if analysis.Fold(rw.Query) == analysis.Fold(q) {
		return hits, nil
	}
	saved, elsewhere := t.query, t.elsewhere
	t.query = &rw.Query
	again, err := t.search()
	t.query = saved
	if err != nil {
		return nil, err
	}
	if !answer.MoreCertain(again, hits) {
		t.elsewhere = elsewhere
		return hits, nil
	}
	t.understood = rw.Query
	return again, nil
}

// topicTitle is the title of the sheet under discussion, if any: what a
// follow-up is read against.
func (t *turn) topicTitle() string {
	if t.conv.Topic.IsZero() {
		return ""
	}
	if it, ok := t.snap.base.Item(t.conv.Topic.Items[0]); ok {
		return it.Title
	}
	return ""
}

// grounded asks the model for the first message of an answer to a typed
// question, written from item (and the next sheet on offer) only. It
// returns the message with Boussole's own source lines, or false: the
// template answer is used.
func (t *turn) grounded(item *knowledge.Item, also []knowledge.Hit) (string, bool) {
	if t.in.Payload != "" || t.reading || !t.modelOn(llm.FeatureAnswer) {
		return "", false
	}
	items := []*knowledge.Item{item}
	for _, h := range also {
		if it, ok := t.snap.base.Item(h.ID); ok && h.Kind == knowledge.HitItem && it.ID != item.ID {
			items = append(items, it)
			break
		}
	}
	in := llm.AnswerInput{Question: strings.TrimSpace(t.asked()), Lang: t.lang(), Items: items}
	ids := make([]string, len(items))
	for i, it := range items {
		// The item's identity, not only its id: knowledge published
		// between two attempts of the turn is not answered from the
		// text checked against the old one.
		ids[i] = fmt.Sprintf("%s@%p", it.ID, it)
	}
	key := strings.Join([]string{"answer", in.Lang, strings.Join(ids, ","), in.Question}, "\x1f")
	a, err := llm.Do(t.ctx, key, func(ctx context.Context) (llm.Answer, error) { return t.e.model.Answer(ctx, in) })
	if err != nil {
		t.modelFailed("answer", err)
		return "", false
	}
	return t.w().Grounded(a.Text, items, a.Cited)
}

// machineSummary asks the model for a case's three lines, from the
// person's words (without those the danger layer recognised, unless the
// operator allowed them). nil when the model gives none.
func (t *turn) machineSummary(queue, topic string, words []string, shown []string) *bot.MachineSummary {
	m := t.e.model
	if m == nil || !t.summaryOn(queue) {
		return nil
	}
	var turns []string
	for _, w := range words {
		if !m.SendsDanger() {
			if cats, _, err := t.e.danger.Read(t.ctx, w); err != nil || len(cats) > 0 {
				continue
			}
		}
		turns = append(turns, w)
	}
	if len(turns) == 0 {
		return nil
	}
	var titles []string
	for _, id := range shown {
		if it, ok := t.snap.base.Item(id); ok {
			titles = append(titles, it.Title)
		}
	}
	in := llm.SummaryInput{Lang: t.e.cfg.Lang, Topic: topic, Shown: titles, Turns: turns}
	key := strings.Join(append([]string{"summary", in.Lang, in.Topic, strings.Join(titles, ";")}, turns...), "\x1f")
	s, err := llm.Do(t.ctx, key, func(ctx context.Context) (llm.Summary, error) { return m.Summarize(ctx, in) })
	if err != nil {
		t.modelFailed("summary", err)
		return nil
	}
	return &bot.MachineSummary{Situation: s.Situation, Tried: s.Tried, Asks: s.Asks}
}

// summaryOn reports whether a case for queue gets a machine summary
// when the person consents: the consent question then says so.
func (t *turn) summaryOn(queue string) bool {
	if !t.modelOn(llm.FeatureSummary) {
		return false
	}
	// A queue by place (« logement/13 ») follows its own setting, else
	// its topic's (« logement »).
	base, _, _ := strings.Cut(queue, "/")
	return t.e.model.OnQueue(queue) && t.e.model.OnQueue(base)
}

// respondWithModel runs a turn under a memo of model calls: when the
// turn recorded calls, it is rolled back (fn returns errModelPending),
// the calls are made outside the transaction within the budget, and the
// turn runs again; after maxModelRounds it keeps its fallbacks.
func (e *Engine) respondWithModel(ctx context.Context, run func(ctx context.Context, last bool) error, memo *llm.Memo) error {
	var budget context.Context
	for round := 0; ; round++ {
		err := run(llm.WithMemo(ctx, memo), round == maxModelRounds)
		if !errors.Is(err, errModelPending) {
			return err
		}
		if budget == nil {
			var cancel context.CancelFunc
			// The budget is the person's wait, not a date: real time.
			budget, cancel = context.WithTimeout(ctx, e.cfg.ModelBudget)
			defer cancel()
		}
		memo.Resolve(budget)
	}
}
