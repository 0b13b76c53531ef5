package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/answer"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/search"
)

type askHit struct {
	Rank int `json:"rank"`
	knowledge.Hit
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// runAsk answers one question with the search results, scores and why.
func runAsk(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	var (
		asJSON  bool
		k       int
		dirFlag string
		dbFlag  string
		cfgFlag string
		useLLM  bool
		lang    string
	)
	fs.StringVar(&cfgFlag, "config", "", "configuration file (its llm section, with --llm)")
	fs.BoolVar(&useLLM, "llm", false, "also ask the language model of the configuration's llm section: its reading of the question, and the grounded first message")
	fs.StringVar(&lang, "lang", "fr", "the person's language, for the model (fr, fr-CA, en)")
	fs.StringVar(&dbFlag, "db", "", "also search the items imported into this database")
	fs.StringVar(&dirFlag, "knowledge", "", "knowledge directory (default: the embedded demo)")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	fs.IntVar(&k, "k", 5, "number of results")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: boussole ask [--json] [--k N] [--knowledge DIR] [--db PATH] [--config FILE --llm [--lang fr|en]] \"question\"")
	}
	if err := parseFlags(fs, e, reorder(args, map[string]bool{"json": true, "llm": true})); err != nil {
		return err
	}
	q := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(q) == "" || k < 1 {
		fs.Usage()
		return errUsage
	}
	imported, err := app.ImportedItems(ctx, dbFlag, e.now)
	if err != nil {
		return err
	}
	base, err := app.LoadKnowledge(ctx, dirFlag, imported)
	if err != nil {
		return err
	}
	ix := search.New(base, search.Options{})
	ms := &app.ModelSearch{Index: ix, Policy: answer.DefaultPolicy(), Lang: lang}
	if useLLM {
		if ms.Model, err = askModel(e, cfgFlag); err != nil {
			return err
		}
	}
	u, err := ms.Understand(ctx, q, k)
	if err != nil {
		return err
	}
	hits := u.Hits
	model := modelReport(ctx, e, ms, base, q, u)
	out := make([]askHit, 0, len(hits))
	for i, h := range hits {
		ah := askHit{Rank: i + 1, Hit: h}
		ah.Title, _ = base.Describe(h)
		if it, ok := base.Item(h.ID); ok && h.Kind == knowledge.HitItem && len(it.Sources) > 0 {
			ah.URL = it.Sources[0]
		}
		out = append(out, ah)
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Query string   `json:"query"`
			Hits  []askHit `json:"hits"`
			*askModelReport
		}{q, out, model})
	}
	if model != nil {
		printModelReport(e, model)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "Aucun résultat. / No result.")
		return nil
	}
	for _, h := range out {
		fmt.Fprintf(e.stdout, "%d. [%s] %s — %s\n   confiance %.2f, correspondance %.2f, score %.2f\n", h.Rank, h.Kind, h.ID, h.Title, h.Confidence, h.Match, h.Score)
		if len(h.Why) > 0 {
			fmt.Fprintf(e.stdout, "   pourquoi : %s\n", strings.Join(h.Why, " ; "))
		}
		if h.URL != "" {
			fmt.Fprintf(e.stdout, "   %s\n", h.URL)
		}
	}
	return nil
}

// reorder moves flags after positional arguments to the front, so
// `ask "question" --json` works like `ask --json "question"`. boolFlags
// names the flags that take no value.
func reorder(args []string, boolFlags map[string]bool) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !boolFlags[name] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

// askModelReport is what the language model did for the question (ask
// --llm): its reading, and the grounded first message or why there is
// none. The API key and the prompts are never printed.
type askModelReport struct {
	Understood *llm.Rewrite `json:"understood,omitempty"`
	// RewriteUsed says the hits are those of the model's reading.
	RewriteUsed bool   `json:"rewrite_used,omitempty"`
	RewriteErr  string `json:"rewrite_error,omitempty"`
	Answer      string `json:"answer,omitempty"`
	// AnswerAccepted is false when the post-check rejected it (or the
	// server failed): the bot shows its template answer instead.
	AnswerAccepted bool   `json:"answer_accepted"`
	AnswerErr      string `json:"answer_error,omitempty"`
}

// askModel builds the model of the configuration's llm section.
func askModel(e env, cfgPath string) (*app.Model, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	if cfg.LLM == nil {
		return nil, errors.New("--llm: the configuration has no llm section (see config.example.yaml; give it with --config FILE)")
	}
	cat, err := catalog.New()
	if err != nil {
		return nil, err
	}
	return app.NewModel(cfg.LLM, app.ModelDeps{Catalog: cat, Getenv: e.getenv, Now: e.now, Log: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
}

// modelReport asks the model for the grounded first message, when there
// is a model; nil without one.
func modelReport(ctx context.Context, e env, ms *app.ModelSearch, base *knowledge.Base, q string, u app.Understood) *askModelReport {
	if ms.Model == nil {
		return nil
	}
	r := &askModelReport{Understood: u.Rewrite, RewriteUsed: u.Used}
	if u.Err != nil {
		r.RewriteErr = u.Err.Error()
	}
	if !ms.Model.Assistant.On(llm.FeatureAnswer, "") {
		return r
	}
	a, ok, err := ms.Model.Ground(ctx, base, ms.Policy, q, ms.Lang, u.Hits)
	switch {
	case !ok:
		r.AnswerErr = "the bot would not answer with a sheet: nothing to ground"
	case err != nil:
		r.AnswerErr = err.Error()
	default:
		r.Answer, r.AnswerAccepted = a.Text, true
	}
	return r
}

func printModelReport(e env, r *askModelReport) {
	switch {
	case r.Understood != nil && r.RewriteUsed:
		fmt.Fprintf(e.stdout, "compris : %s (sujet : %s) — résultats de cette lecture\n", r.Understood.Query, r.Understood.Topic)
	case r.Understood != nil:
		fmt.Fprintf(e.stdout, "compris : %s (sujet : %s) — pas mieux que la question telle quelle\n", r.Understood.Query, r.Understood.Topic)
	case r.RewriteErr != "":
		fmt.Fprintf(e.stdout, "modèle : pas de lecture (%s)\n", r.RewriteErr)
	}
	switch {
	case r.AnswerAccepted:
		fmt.Fprintf(e.stdout, "première réponse rédigée par le modèle (vérifiée) :\n   %s\n", r.Answer)
	case r.AnswerErr != "":
		fmt.Fprintf(e.stdout, "première réponse : la réponse habituelle de Boussole (%s)\n", r.AnswerErr)
	}
}
