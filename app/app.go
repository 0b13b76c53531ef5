// Package app wires Boussole together: the store, the catalogue, the
// knowledge, the engine, and the runner and dispatcher that connect chat
// adapters to them. cmd/boussole builds it from the configuration file and
// adds the adapters the file enables; the adapters' end-to-end tests build
// the same stack with apptest. It knows no adapter (their internal tests
// import it), and reads neither the wall clock nor a global logger: both
// are given.
package app

import (
	"context"
	"github.com/boussole/boussole/internal/logctx"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/boussole/boussole/bot"
)

// App is a Core built from Boussole's part of the configuration file,
// which also says how long data is kept and when unclaimed cases are
// re-announced.
type App struct {
	*Core
	Config Config
}

// Open opens the store, loads the knowledge and builds the engine cfg
// describes, every part logging to log and reading the time from now.
func Open(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time) (*App, error) {
	return open(ctx, cfg, log, now, nil)
}

func open(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time, p *Parts) (*App, error) {
	ecfg, err := cfg.engine()
	if err != nil {
		return nil, err
	}
	c, err := openCore(ctx, CoreConfig{Database: cfg.Database.Path, DB: cfg.Database, KnowledgeDir: cfg.Knowledge.Dir,
		StaleAfterMonths: cfg.Knowledge.StaleAfterMonths, Engine: ecfg, LLM: cfg.LLM, Version: cfg.Version}, log, now, p)
	if err != nil {
		return nil, err
	}
	return &App{Core: c, Config: cfg}, nil
}

// NewLogger is the logger the log section describes, writing to w.
func NewLogger(w io.Writer, c LogConfig) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level)) // validated with the config
	opts := &slog.HandlerOptions{Level: lvl}
	// Every record made with a turn's or a request's context carries its
	// id (internal/logctx).
	if c.Format == "json" {
		return slog.New(logctx.Wrap(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(logctx.Wrap(slog.NewTextHandler(w, opts)))
}

// Purge deletes data older than the retention period.
func (a *App) Purge(ctx context.Context) {
	days := a.Config.Retention.Days
	n, err := a.Store.PurgeBefore(ctx, a.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		a.Log.Error("retention purge failed", "err", err)
		return
	}
	if n > 0 {
		a.Log.Info("retention purge", "rows", n, "older_than_days", days)
	}
}

// Serve runs adapters until ctx is done (SIGINT/SIGTERM) or one fails,
// purging old data every hour and re-announcing unclaimed cases; then the
// turns in flight finish.
func (a *App) Serve(ctx context.Context, adapters ...bot.Adapter) error {
	// The periodic work stops before Serve returns: the store closes
	// after it.
	lctx, stop := context.WithCancel(ctx)
	var loops sync.WaitGroup
	// Leases go back once the jobs have stopped (defers run last first).
	defer a.releaseLeases(ctx, jobRetention, jobReannounce)
	defer loops.Wait()
	defer stop()
	// Periodic jobs run in one process at a time (a lease in the
	// database), whichever of several replicas holds it.
	loops.Go(func() { every(lctx, time.Hour, a.leased(jobRetention, time.Hour, a.Purge)) })
	// Knowledge published in the admin of any process reaches this one.
	loops.Go(func() { a.Library.Watch(lctx, reloadEvery) })
	// Items published on the web since the last import get their
	// embeddings; meanwhile the search is the word search with the
	// vectors already stored.
	loops.Go(func() {
		if err := a.RefreshEmbeddings(lctx); err != nil && lctx.Err() == nil {
			a.Log.Warn("item embeddings not refreshed: the search uses those stored", "err", err)
		}
	})
	if m := a.Config.Mediation.ReannounceMinutes; m > 0 {
		loops.Go(func() { a.reannounceEvery(lctx, time.Duration(m)*time.Minute) })
	}
	a.Log.Info("boussole serving", "adapters", len(adapters), "items", len(a.Knowledge.Items), "trees", len(a.Knowledge.Trees))
	err := a.Run(ctx, adapters...)
	if m := a.Model; m != nil {
		// Counts only: what the model cost and how often it helped.
		g, s := m.Guard.Stats(), m.Assistant.Stats()
		a.Log.Info("language model use", "chat_calls", g.Chat.Calls, "chat_failures", g.Chat.Failures, "chat_refused_by_breaker", g.Chat.Rejected,
			"prompt_tokens", g.Chat.PromptTokens, "completion_tokens", g.Chat.CompletionTokens, "chat_latency", g.Chat.Latency,
			"embed_calls", g.Embed.Calls, "rewrites", s.Rewrites, "rewrites_failed", s.RewritesFailed,
			"answers_accepted", s.AnswersAccepted, "answers_rejected", s.AnswersRejected, "answers_failed", s.AnswersFailed,
			"summaries", s.Summaries, "summaries_failed", s.SummariesFailed)
	}
	a.Log.Info("boussole stopped")
	return err
}

// reloadEvery is how often a serve process looks for knowledge another
// process published: one indexed read of one row.
const reloadEvery = 2 * time.Second

// reannounceEvery re-posts cases nobody claimed within after, checking
// every minute (or every after, if shorter), the first time one interval
// after the start: a restart does not re-post at once while its outbox is
// still delivering what was pending.
func (a *App) reannounceEvery(ctx context.Context, after time.Duration) {
	d := min(after, time.Minute)
	select {
	case <-ctx.Done():
		return
	case <-time.After(d):
	}
	every(ctx, d, a.leased(jobReannounce, d, func(ctx context.Context) { a.reannounce(ctx, after) }))
}
