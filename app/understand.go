package app

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Searcher finds items and trees for free text (knowledge/search's
// Index, or the embeddings' hybrid).
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]knowledge.Hit, error)
}

// ModelSearch is a search helped by the model's reading of unsure
// questions, by the engine's rule (answer.Policy.Unsure, then
// answer.MoreCertain), outside a conversation: `boussole ask --llm` and
// `boussole eval --llm` measure with it what the bot does.
type ModelSearch struct {
	Model  *Model
	Index  Searcher
	Policy answer.Policy
	// Lang is the people's language (the prompts').
	Lang string

	rewrites, used atomic.Int64
}

// Understood is what ModelSearch found for a question.
type Understood struct {
	Hits []knowledge.Hit
	// Rewrite is the model's reading, when it was asked and answered.
	Rewrite *llm.Rewrite
	// Used says the hits are the rewrite's (they were more certain).
	Used bool
	// Err is why the model's reading is missing, if it was asked.
	Err error
}

// Understand searches q, and the model's reading of it when the bot is
// not sure.
func (s *ModelSearch) Understand(ctx context.Context, q string, k int) (Understood, error) {
	hits, err := s.Index.Search(ctx, q, k)
	if err != nil {
		return Understood{}, err
	}
	u := Understood{Hits: hits}
	if s.Model == nil || !s.Model.Assistant.On(llm.FeatureRewrite, "") || !s.Policy.Unsure(hits) {
		return u, nil
	}
	s.rewrites.Add(1)
	rw, err := s.Model.Assistant.Rewrite(ctx, llm.RewriteInput{Text: q, Lang: s.Lang})
	if err != nil {
		u.Err = err
		return u, nil
	}
	u.Rewrite = &rw
	if analysis.Fold(rw.Query) == analysis.Fold(q) {
		return u, nil
	}
	again, err := s.Index.Search(ctx, rw.Query, k)
	if err != nil {
		return Understood{}, err
	}
	if answer.MoreCertain(again, hits) {
		s.used.Add(1)
		u.Hits, u.Used = again, true
	}
	return u, nil
}

// Search is Understand's hits: ModelSearch measures as a Searcher.
func (s *ModelSearch) Search(ctx context.Context, q string, k int) ([]knowledge.Hit, error) {
	u, err := s.Understand(ctx, q, k)
	return u.Hits, err
}

// Rewrites counts the questions read by the model, and those whose
// reading was used.
func (s *ModelSearch) Rewrites() (asked, used int64) { return s.rewrites.Load(), s.used.Load() }

// Ground asks the model for the grounded first message the bot would
// show for q with hits: when the policy answers with an item, from that
// item and the next one found. ok is false when the bot would not answer
// with an item (nothing to ground).
func (m *Model) Ground(ctx context.Context, base *knowledge.Base, p answer.Policy, q, lang string, hits []knowledge.Hit) (a llm.Answer, ok bool, err error) {
	sure, _ := p.Decide(hits)
	if !sure || hits[0].Kind != knowledge.HitItem {
		return llm.Answer{}, false, nil
	}
	var items []*knowledge.Item
	for _, h := range hits {
		if it, found := base.Item(h.ID); found && h.Kind == knowledge.HitItem {
			items = append(items, it)
			if len(items) == 2 {
				break
			}
		}
	}
	if len(items) == 0 {
		return llm.Answer{}, false, nil
	}
	a, err = m.Assistant.Answer(ctx, llm.AnswerInput{Question: strings.TrimSpace(q), Lang: lang, Items: items})
	return a, true, err
}
