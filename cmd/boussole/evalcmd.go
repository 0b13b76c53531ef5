package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/safety"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/evalset"
	"github.com/boussole/boussole/knowledge/search"
	"github.com/boussole/boussole/knowledge/vector"
)

// runEval measures orientation quality on question sets, all on one index.
func runEval(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	var (
		questions, sheets []string
		safetySets        []string
		minSafety, maxFA  float64
		dir               string
		k                 int
		asJSON, fails     bool
		minR1, minR3      float64
		minShown          float64
		cfgPath, lang     string
		useLLM            bool
		minAccepted       float64
	)
	fs.StringVar(&cfgPath, "config", "", "configuration file (its llm section, with --llm)")
	fs.BoolVar(&useLLM, "llm", false, "also measure with the language model of the configuration's llm section: recall with its reading of unsure questions, and the share of grounded answers the post-check accepts")
	fs.StringVar(&lang, "lang", "fr", "the people's language, for the model's prompts (fr, en)")
	fs.Float64Var(&minAccepted, "min-grounded-accepted", 0, "with --llm, exit 1 when the share of grounded answers accepted is below this")
	fs.Func("questions", "question set, JSON lines {\"q\": …, \"expected\": [ids]} (required, repeatable)", func(s string) error {
		questions = append(questions, s)
		return nil
	})
	fs.Func("sheets", "service-public .zip or directory to import into a temporary store first (repeatable)", func(s string) error {
		sheets = append(sheets, s)
		return nil
	})
	fs.Func("safety", "safety set, JSON lines {\"text\": …, \"danger\": category or \"\"}: measures the danger layer (repeatable)", func(s string) error {
		safetySets = append(safetySets, s)
		return nil
	})
	fs.Float64Var(&minSafety, "min-safety-recall", 0, "exit 1 when the share of danger messages recognised is below this")
	fs.Float64Var(&maxFA, "max-false-alarms", 1, "exit 1 when the share of other messages taken for danger is above this")
	fs.StringVar(&dir, "knowledge", "", "knowledge directory (default: the embedded demo when no --sheets)")
	fs.IntVar(&k, "k", 5, "results read per question")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per question set")
	fs.BoolVar(&fails, "failures", false, "list the missed questions with what came first")
	fs.Float64Var(&minR1, "min-recall-at-1", 0, "exit 1 when recall@1 of a set is below this")
	fs.Float64Var(&minR3, "min-recall-at-3", 0, "exit 1 when recall@3 of a set is below this")
	fs.Float64Var(&minShown, "min-shown", 0, "exit 1 when the share of questions whose answer or offered hits hold an expected item is below this")
	if err := parseFlags(fs, e, args); err != nil {
		return err
	}
	if (len(questions) == 0 && len(safetySets) == 0) || k < 1 || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "usage: boussole eval --questions FILE.jsonl [--questions FILE…] [--sheets PATH…] [--knowledge DIR] [--k 5] [--json] [--failures] [--config FILE --llm [--lang fr|en]]")
		fmt.Fprintln(e.stderr, "       boussole eval --safety FILE.jsonl [--safety FILE…] [--min-safety-recall 0.98] [--max-false-alarms 0.02] [--json] [--failures]")
		return errUsage
	}
	var errs []error
	if len(safetySets) > 0 {
		errs = append(errs, evalSafety(e, safetySets, minSafety, maxFA, asJSON, fails))
	}
	if len(questions) == 0 {
		return errors.Join(errs...)
	}
	sets := make([][]evalset.Question, len(questions))
	for i, path := range questions {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open questions: %w", err)
		}
		sets[i], err = evalset.Read(path, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	base, err := evalBase(ctx, dir, sheets, e.now)
	if err != nil {
		return err
	}
	cat, err := catalog.New()
	if err != nil {
		return err
	}
	start := e.now()
	ix := search.New(base, search.Options{})
	build := e.now().Sub(start)
	var (
		model  *app.Model
		hybrid *llm.Hybrid
	)
	if useLLM {
		if model, err = askModel(e, cfgPath); err != nil {
			return err
		}
		if hybrid, err = evalHybrid(ctx, model, base, ix); err != nil {
			return err
		}
	}
	for i, qs := range sets {
		name := filepath.Base(questions[i])
		first := firstMessages{base: base, w: answer.NewWriter(cat, catalog.Default)}
		shows := func(hits []knowledge.Hit) []knowledge.Hit {
			first.add(hits)
			return shownByTheBot(hits)
		}
		rep, err := evalset.Run(ctx, ix, qs, k, shows, e.now)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rep.BuildMs = float64(build.Microseconds()) / 1000
		if err := printReport(e, base, name, evalReport{Report: rep, firstSize: first.measure()}, asJSON, fails); err != nil {
			return err
		}
		var below []string
		if rep.RecallAt1 < minR1 {
			below = append(below, fmt.Sprintf("recall@1 %.3f < %.3f", rep.RecallAt1, minR1))
		}
		if rep.RecallAt3 < minR3 {
			below = append(below, fmt.Sprintf("recall@3 %.3f < %.3f", rep.RecallAt3, minR3))
		}
		if rep.Shown < minShown {
			below = append(below, fmt.Sprintf("shown %.3f < %.3f", rep.Shown, minShown))
		}
		if model != nil {
			lr, err := evalWithModel(ctx, e, model, base, ix, qs, k, lang)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if err := printModelEval(e, name, lr, asJSON); err != nil {
				return err
			}
			if hybrid != nil {
				hr, err := evalset.Run(ctx, hybrid, qs, k, shownByTheBot, nil)
				if err != nil {
					return fmt.Errorf("%s: with embeddings: %w", name, err)
				}
				if err := printReport(e, base, name+" with embeddings", evalReport{Report: hr}, asJSON, fails); err != nil {
					return err
				}
			}
			if lr.Answered > 0 && lr.AcceptedShare < minAccepted {
				below = append(below, fmt.Sprintf("grounded answers accepted %.3f < %.3f", lr.AcceptedShare, minAccepted))
			}
		}
		if len(below) > 0 {
			errs = append(errs, fmt.Errorf("%s: below target: %s", name, strings.Join(below, ", ")))
		}
	}
	return errors.Join(errs...)
}

// modelEval is what a question set measures with the language model.
type modelEval struct {
	Set string `json:"set"`
	evalset.Report
	// Asked is how many questions the bot was unsure of (the model was
	// asked for its reading), Used how many got better hits from it.
	Asked int64 `json:"rewrites_asked"`
	Used  int64 `json:"rewrites_used"`
	// Answered is how many questions the bot answers with a sheet (a
	// grounded answer asked for); Accepted, Rejected (post-check) and
	// Failed (server) split them.
	Answered      int     `json:"grounded_asked"`
	Accepted      int     `json:"grounded_accepted"`
	Rejected      int     `json:"grounded_rejected"`
	Failed        int     `json:"grounded_failed"`
	AcceptedShare float64 `json:"grounded_accepted_share"`
	// Tokens and the mean latency of the calls that reached the server.
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	MeanCallMs       float64 `json:"mean_call_ms"`
}

// remembered is a searcher that keeps what ModelSearch found for each
// question, so the grounded answer is asked of the same hits.
type remembered struct {
	ms   *app.ModelSearch
	seen map[string]app.Understood
}

func (r *remembered) Search(ctx context.Context, q string, k int) ([]knowledge.Hit, error) {
	u, err := r.ms.Understand(ctx, q, k)
	r.seen[q] = u
	return u.Hits, err
}

// evalWithModel runs a question set with the model: recall with its
// reading, then a grounded answer for each question the bot answers.
func evalWithModel(ctx context.Context, e env, m *app.Model, base *knowledge.Base, ix *search.Index, qs []evalset.Question, k int, lang string) (modelEval, error) {
	before := m.Guard.Stats().Chat
	ms := &app.ModelSearch{Model: m, Index: ix, Policy: answer.DefaultPolicy(), Lang: lang}
	r := &remembered{ms: ms, seen: map[string]app.Understood{}}
	rep, err := evalset.Run(ctx, r, qs, k, shownByTheBot, nil)
	if err != nil {
		return modelEval{}, err
	}
	out := modelEval{Report: rep}
	out.Asked, out.Used = ms.Rewrites()
	if m.Assistant.On(llm.FeatureAnswer, "") {
		for _, q := range qs {
			_, ok, err := m.Ground(ctx, base, ms.Policy, q.Q, lang, r.seen[q.Q].Hits)
			switch {
			case !ok:
				continue
			case err == nil:
				out.Accepted++
			case errors.Is(err, llm.ErrRejected):
				out.Rejected++
			default:
				out.Failed++
			}
			out.Answered++
		}
	}
	if out.Answered > 0 {
		out.AcceptedShare = float64(out.Accepted) / float64(out.Answered)
	}
	after := m.Guard.Stats().Chat
	out.PromptTokens = after.PromptTokens - before.PromptTokens
	out.CompletionTokens = after.CompletionTokens - before.CompletionTokens
	if n := after.Timed - before.Timed; n > 0 {
		out.MeanCallMs = float64((after.Latency - before.Latency).Microseconds()) / 1000 / float64(n)
	}
	return out, nil
}

func printModelEval(e env, name string, r modelEval, asJSON bool) error {
	r.Set = name
	if asJSON {
		if err := json.NewEncoder(e.stdout).Encode(r); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "%s with the model: recall@1=%.3f  recall@3=%.3f  shown=%.3f  readings asked %d, used %d  grounded answers: %d asked, %d accepted (%.3f), %d rejected, %d failed  tokens %d+%d  mean call %.0fms\n",
		name, r.RecallAt1, r.RecallAt3, r.Shown, r.Asked, r.Used, r.Answered, r.Accepted, r.AcceptedShare, r.Rejected, r.Failed, r.PromptTokens, r.CompletionTokens, r.MeanCallMs)
	return nil
}

// evalReport is a set's measures: the search's, and the size of the
// bot's first message.
type evalReport struct {
	evalset.Report
	firstSize
}

// firstSize is the size of the first message of the bot's answer to each
// question that found an item, counted as a chat shows it (answer.Size:
// a link as its label plus 23 characters). Its JSON keys sit beside the
// search's, one flat object a set.
type firstSize struct {
	// Answers is how many questions found an item.
	Answers int `json:"first_n"`
	// P50 and Max are characters; MaxLinks the most links one held.
	P50      int `json:"first_p50_chars"`
	Max      int `json:"first_max_chars"`
	MaxLinks int `json:"first_max_links"`
}

// firstMessages collects the first message of the answer to each
// question: the chat-sized rendering (answer.Writer.Short) of its first
// item hit, the one the bot answers with.
type firstMessages struct {
	base  *knowledge.Base
	w     answer.Writer
	chars []int
	links int
}

func (f *firstMessages) add(hits []knowledge.Hit) {
	for _, h := range hits {
		if h.Kind != knowledge.HitItem {
			continue
		}
		if it, ok := f.base.Item(h.ID); ok {
			n, l := answer.Size(f.w.Short(it))
			f.chars = append(f.chars, n)
			f.links = max(f.links, l)
		}
		return
	}
}

func (f *firstMessages) measure() firstSize {
	if len(f.chars) == 0 {
		return firstSize{}
	}
	slices.Sort(f.chars)
	return firstSize{Answers: len(f.chars), P50: f.chars[(len(f.chars)-1)/2], Max: f.chars[len(f.chars)-1], MaxLinks: f.links}
}

// printReport writes one set's measures, and its misses with --failures.
func printReport(e env, base *knowledge.Base, name string, rep evalReport, asJSON, fails bool) error {
	if asJSON {
		if err := json.NewEncoder(e.stdout).Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else {
		fmt.Fprintf(e.stdout, "%s: n=%d  recall@1=%.3f  recall@3=%.3f  recall@5=%.3f  MRR=%.3f  shown=%.3f  p50=%.3fms  p99=%.3fms  build=%.0fms (%d items)  first message: p50=%d max=%d chars, max %d links\n",
			name, rep.N, rep.RecallAt1, rep.RecallAt3, rep.RecallAt5, rep.MRR, rep.Shown, rep.P50ms, rep.P99ms, rep.BuildMs, len(base.Items), rep.P50, rep.Max, rep.MaxLinks)
	}
	if !fails {
		return nil
	}
	for _, m := range rep.Misses {
		first := "(nothing)"
		if len(m.Got) > 0 {
			first = strings.Join(titled(base, m.Got), " | ")
		}
		rank := "not in top"
		if m.Rank > 0 {
			rank = fmt.Sprintf("rank %d", m.Rank)
		}
		fmt.Fprintf(e.stderr, "miss %s:%d %q want %s (%s); first: %s\n", name, m.Line, m.Q, strings.Join(m.Expected, ","), rank, first)
	}
	return nil
}

func titled(b *knowledge.Base, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if it, ok := b.Item(id); ok {
			out[i] = id + " " + it.Title
		}
	}
	return out
}

// evalBase loads the knowledge to measure: the sheets (imported through a
// temporary store, as `boussole import` does), plus a knowledge directory;
// the embedded demo when neither is given.
func evalBase(ctx context.Context, dir string, sheets []string, now func() time.Time) (*knowledge.Base, error) {
	if len(sheets) == 0 {
		return app.LoadKnowledge(ctx, dir, nil)
	}
	tmp, err := os.MkdirTemp("", "boussole-eval-")
	if err != nil {
		return nil, fmt.Errorf("make temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	st, err := store.Open(ctx, filepath.Join(tmp, "eval.db"), store.Options{Clock: now})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, _, err := importServicePublic(ctx, st, sheets, nil); err != nil {
		return nil, err
	}
	items, err := st.Items(ctx)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return knowledge.NewBase(items, nil, nil), nil
	}
	b, err := app.LoadKnowledge(ctx, dir, items)
	if err != nil {
		return nil, errors.Join(err)
	}
	return b, nil
}

// shownByTheBot is what the bot, on its default thresholds, shows for the
// hits of a question: its answer or the hits it offers.
func shownByTheBot(hits []knowledge.Hit) []knowledge.Hit {
	ok, offered := answer.DefaultPolicy().Decide(hits)
	if ok {
		return append(hits[:1:1], offered...)
	}
	return offered
}

// evalSafety measures the danger layer on each safety set.
func evalSafety(e env, paths []string, minRecall, maxFA float64, asJSON, fails bool) error {
	d, err := safety.New()
	if err != nil {
		return err
	}
	var errs []error
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open safety set: %w", err)
		}
		set, err := safety.ReadSet(path, f)
		f.Close()
		if err != nil {
			return err
		}
		rep := safety.Measure(d, set)
		name := filepath.Base(path)
		if asJSON {
			if err := json.NewEncoder(e.stdout).Encode(struct {
				Set string `json:"set"`
				safety.Report
			}{name, rep}); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
		} else {
			fmt.Fprintf(e.stdout, "%s: danger=%d  recall=%.3f  category=%.3f  safe=%d  false_alarms=%.3f (%d)\n",
				name, rep.Danger, rep.Recall, rep.Category, rep.Safe, rep.FalseAlarms, len(rep.Alarms))
		}
		if fails {
			for _, m := range rep.Misses {
				fmt.Fprintf(e.stderr, "missed %s:%d [%s] %q\n", name, m.Line, m.Danger, m.Text)
			}
			for _, m := range rep.Alarms {
				fmt.Fprintf(e.stderr, "false alarm %s:%d %v %q\n", name, m.Line, m.Found, m.Text)
			}
		}
		var below []string
		if rep.Recall < minRecall {
			below = append(below, fmt.Sprintf("recall %.3f < %.3f", rep.Recall, minRecall))
		}
		if rep.FalseAlarms > maxFA {
			below = append(below, fmt.Sprintf("false alarms %.3f > %.3f", rep.FalseAlarms, maxFA))
		}
		if len(below) > 0 {
			errs = append(errs, fmt.Errorf("%s: below target: %s", name, strings.Join(below, ", ")))
		}
	}
	return errors.Join(errs...)
}

// evalHybrid embeds every item of base with the model's embeddings model
// (when it has one) and returns the word search ix fused with them: eval
// measures with and without. nil without an embeddings model.
func evalHybrid(ctx context.Context, m *app.Model, base *knowledge.Base, ix *search.Index) (*llm.Hybrid, error) {
	if m.EmbeddingsModel == "" {
		return nil, nil
	}
	vecs, _, err := llm.Refresh(ctx, m.Client, base.Items, nil, llm.DefaultBatch, nil)
	if err != nil {
		return nil, fmt.Errorf("embed the items: %w", err)
	}
	byID := make(map[string][]float32, len(vecs))
	for _, v := range vecs {
		byID[v.ItemID] = v.Vector
	}
	vx, err := vector.New(byID)
	if err != nil {
		return nil, err
	}
	return llm.NewHybrid(ix, vx, m.Guard, llm.HybridOptions{Keep: func(id string) bool { _, ok := base.Item(id); return ok }})
}
