package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/safety"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/places"
	"github.com/boussole/boussole/knowledge/search"
)

// app is Boussole wired together: one store, one knowledge base, one engine.
type app struct {
	cfg    Config
	log    *slog.Logger
	store  *store.Store
	cat    *catalog.Catalog
	base   *knowledge.Base
	engine *engine.Engine
	now    func() time.Time
}

// loadKnowledge loads and validates dir, or the embedded demo when dir is
// empty, together with imported items (trees may answer with them).
func loadKnowledge(_ context.Context, dir string, imported []*knowledge.Item) (*knowledge.Base, error) {
	var (
		b    *knowledge.Base
		err  error
		name = dir
	)
	if dir == "" {
		name = "demo knowledge"
		b, err = knowledge.LoadFS(demo.FS())
	} else {
		b, err = knowledge.LoadDir(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s:\n%w", name, err)
	}
	b = b.WithItems(imported)
	if probs := knowledge.Validate(b); len(probs) > 0 {
		return nil, fmt.Errorf("%s has %d problem(s):\n%w", name, len(probs), probs)
	}
	return b, nil
}

// importedItems reads the items imported into the database at path, if
// path is set; the database must exist (a typo must not create an empty
// one).
func importedItems(ctx context.Context, path string, now func() time.Time) ([]*knowledge.Item, error) {
	if path == "" {
		return nil, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	st, err := store.Open(ctx, path, store.Options{ReadOnly: true, Clock: now})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Items(ctx)
}

func newLogger(w io.Writer, c LogConfig) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level)) // validated with the config
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openApp opens the store, loads the knowledge and builds the engine, all
// reading the time from now.
func openApp(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time) (*app, error) {
	cat, err := catalog.New()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Database.Path, store.Options{Logger: log, Clock: now})
	if err != nil {
		return nil, err
	}
	imported, err := st.Items(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	base, err := loadKnowledge(ctx, cfg.Knowledge.Dir, imported)
	if err != nil {
		st.Close()
		return nil, err
	}
	// Review dates never stop the bot (a stale sheet is still answered
	// with, its date shown); the admin is told where to look.
	if notes := knowledge.Review(base, now()); len(notes) > 0 {
		log.Warn("knowledge items to review: run boussole validate to list them", "items", len(notes))
	}
	med, err := cfg.Mediation.build()
	if err != nil {
		st.Close()
		return nil, err
	}
	danger, err := safety.New()
	if err != nil {
		st.Close()
		return nil, err
	}
	gaz, err := places.New()
	if err != nil {
		st.Close()
		return nil, err
	}
	eng, err := engine.New(ctx, engine.Config{
		Lang:            cfg.Lang,
		Jurisdiction:    cfg.Jurisdiction,
		Jurisdictions:   cfg.Jurisdictions,
		AnswerThreshold: cfg.Search.AnswerThreshold,
		UnsureThreshold: cfg.Search.UnsureThreshold,
		Mediation:       med,
	}, engine.Deps{Store: st, Catalog: cat, Logger: log, Now: now, Knowledge: base, Searcher: search.New(base, search.Options{}), Danger: danger, Places: gaz})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &app{cfg: cfg, log: log, store: st, cat: cat, base: base, engine: eng, now: now}, nil
}

func (a *app) Close() error { return a.store.Close() }

// purge deletes data older than the retention period.
func (a *app) purge(ctx context.Context) {
	cut := a.now().Add(-time.Duration(a.cfg.Retention.Days) * 24 * time.Hour)
	n, err := a.store.PurgeBefore(ctx, cut)
	if err != nil {
		a.log.Error("retention purge failed", "err", err)
		return
	}
	if n > 0 {
		a.log.Info("retention purge", "rows", n, "older_than_days", a.cfg.Retention.Days)
	}
}

// commonFlags are the flags shared by commands that run the bot.
type commonFlags struct {
	config, db, knowledge, lang string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "configuration file (default: built-in defaults, see config.example.yaml)")
	fs.StringVar(&c.db, "db", "", "SQLite database file (default ./boussole.db, or $BOUSSOLE_DB)")
	fs.StringVar(&c.knowledge, "knowledge", "", "knowledge directory (default: the embedded demo)")
	fs.StringVar(&c.lang, "lang", "", "language: fr, fr-CA or en (default fr)")
}

// resolve builds the configuration: file, then environment, then flags.
func (c *commonFlags) resolve(e env) (Config, error) {
	cfg, err := loadConfig(c.config)
	if err != nil {
		return cfg, err
	}
	if v := e.getenv("BOUSSOLE_DB"); v != "" {
		cfg.Database.Path = v
	}
	if c.db != "" {
		cfg.Database.Path = c.db
	}
	if c.knowledge != "" {
		cfg.Knowledge.Dir = c.knowledge
	}
	if c.lang != "" {
		cfg.Lang = c.lang
	}
	return cfg, cfg.validate()
}

// parseFlags parses args, printing errors and usage to stderr.
func parseFlags(fs *flag.FlagSet, e env, args []string) error {
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errUsage
		}
		return errUsage
	}
	return nil
}
