package app

// wire.go is where Boussole's parts are built and connected: every call
// to bot's constructors is here, so that a change of theirs is made in one
// place.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/boussole/boussole/app/metrics"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/hours"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/internal/periodic"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/places"
	"github.com/boussole/boussole/knowledge/search"
)

// Core is Boussole without its chat adapters: one store, one catalogue,
// one knowledge base and one engine, all reading one clock.
type Core struct {
	Log     *slog.Logger
	Now     func() time.Time
	Store   *store.Store
	Catalog *catalog.Catalog
	// Knowledge is the knowledge served when the Core opened; Library
	// has the one in force since.
	Knowledge *knowledge.Base
	Engine    *engine.Engine
	Library   *Library
	// Model is the language model, nil without one.
	Model *Model
	// Metrics are the process's Prometheus metrics (served on /metrics).
	Metrics *metrics.Metrics
	emb     *embeddings

	// What previews of a draft share with the Core.
	engineCfg   engine.Config
	staleMonths int
	danger      engine.Danger
	gaz         *places.Gazetteer
	nearby      engine.Nearby

	// failover bounds how long what a dead process held waits for
	// another (database.failover_after); owner names this process's
	// leases.
	failover time.Duration
	owner    string
	// tallies passes the engine's counted events to their watchers.
	tallies *tallyHub
}

// CoreConfig is what a Core is built from.
type CoreConfig struct {
	// Database is the SQLite file, created if missing, unless DB says
	// otherwise.
	Database string
	// DB, when its driver is set, is the database to open instead
	// (PostgreSQL: its DSN read through Getenv).
	DB DatabaseConfig
	// KnowledgeDir is a knowledge directory; "" means the embedded demo.
	KnowledgeDir string
	// StaleAfterMonths is the age from which an imported sheet says it
	// may be out of date; 0 means the default (Default).
	StaleAfterMonths int
	// Engine is the engine's configuration: language, jurisdictions,
	// thresholds, mediation.
	Engine engine.Config
	// LLM is the optional language model; nil: none.
	LLM *LLMConfig
	// Getenv reads the model's API key (nil: os.Getenv); HTTP is the
	// client its calls go through (nil: http.DefaultClient).
	Getenv func(string) string
	HTTP   *http.Client
	// Version is the build's version, shown by /metrics ("": the
	// module's).
	Version string
}

// OpenCore opens the store, loads the knowledge (with the items imported
// into the store) and builds the engine. log may be nil (nothing is
// logged); now is the program's one clock, given to every part.
func OpenCore(ctx context.Context, cc CoreConfig, log *slog.Logger, now func() time.Time) (*Core, error) {
	return openCore(ctx, cc, log, now, nil)
}

// openCore is OpenCore with the parts p keeps (nil: all built here).
func openCore(ctx context.Context, cc CoreConfig, log *slog.Logger, now func() time.Time, p *Parts) (*Core, error) {
	if now == nil {
		return nil, errors.New("open boussole: a clock is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cat, danger, gaz, err := p.fixed()
	if err != nil {
		return nil, err
	}
	// A model badly configured (its key's variable unset) stops the start
	// before the database is touched.
	getenv := cc.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	model, err := NewModel(cc.LLM, ModelDeps{Catalog: cat, HTTP: cc.HTTP, Getenv: getenv, Now: now, Log: log})
	if err != nil {
		return nil, err
	}
	db := cc.DB
	if db.Driver == "" {
		db = DatabaseConfig{Path: cc.Database}
	}
	met := newMetrics(cc, now, log)
	st, err := openStore(ctx, db, getenv, log, now, met.StoreError)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Core, error) {
		st.Close()
		return nil, err
	}
	imported, err := st.Items(ctx)
	if err != nil {
		return fail(err)
	}
	// The index is built on the knowledge as served (hand-written items
	// standing for imported sheets), so a replaced sheet is never found.
	serve := func(b *knowledge.Base) *knowledge.Base {
		// Review dates never stop the bot (a stale sheet is still answered
		// with, its date shown); the admin is told where to look.
		if notes := knowledge.Review(b, now()); len(notes) > 0 {
			log.Warn("knowledge items to review: run boussole validate to list them", "items", len(notes))
		}
		return ServedKnowledge(b, now(), cmp.Or(cc.StaleAfterMonths, Default().Knowledge.StaleAfterMonths), log)
	}
	files, err := p.files(cc.KnowledgeDir)
	if err != nil {
		return fail(err)
	}
	lib, base, index, err := openLibrary(ctx, st, cc.KnowledgeDir, files, imported, serve, p, log)
	if err != nil {
		return fail(err)
	}
	nearby, err := placesIndex(ctx, st, base, gaz, log)
	if err != nil {
		return fail(err)
	}
	emb := &embeddings{model: model, st: st, log: log}
	if err := emb.load(ctx); err != nil {
		// The word search alone answers: embeddings only add to it.
		log.Warn("item embeddings not loaded: the search is the word search alone", "err", err)
	}
	met.WatchStore(st)
	if model != nil {
		met.WatchModel(model.Guard)
	}
	tallies := &tallyHub{}
	// What each committed turn counted goes to the metrics too.
	tallies.add(met.Tallied)
	deps := engine.Deps{Store: st, Catalog: cat, Logger: log, Now: now, Knowledge: base, Tallied: tallies.tallied,
		Searcher: met.TimeSearch(emb.searcher(base, index)), Danger: danger, Places: gaz, Towns: gaz, Nearby: nearby}
	if model != nil {
		deps.Model = model.Assistant
		cc.Engine.ModelBudget = model.Budget
		log.Info("language model configured", "features", cc.LLM.Features, "model", cc.LLM.Model)
	}
	eng, err := engine.New(ctx, cc.Engine, deps)
	if err != nil {
		return fail(err)
	}
	lib.apply = func(ctx context.Context, served *knowledge.Base, ix *search.Index) error {
		return eng.SetKnowledge(ctx, served, met.TimeSearch(emb.searcher(served, ix)))
	}
	owner, err := leaseOwner()
	if err != nil {
		return fail(err)
	}
	return &Core{Log: log, Now: now, Store: st, Catalog: cat, Knowledge: base, Engine: eng, Library: lib, Model: model, Metrics: met, emb: emb,
		engineCfg: cc.Engine, staleMonths: cmp.Or(cc.StaleAfterMonths, Default().Knowledge.StaleAfterMonths), danger: danger, gaz: gaz, nearby: nearby,
		failover: db.Failover(), owner: owner, tallies: tallies}, nil
}

// Close closes the store.
func (c *Core) Close() error { return c.Store.Close() }

// placesIndex indexes the places imported into the store (boussole
// import places) and those the knowledge's place items describe, one
// record per place.
func placesIndex(ctx context.Context, st *store.Store, base *knowledge.Base, gaz *places.Gazetteer, log *slog.Logger) (*places.Index, error) {
	imported, err := st.Places(ctx)
	if err != nil {
		return nil, err
	}
	// A place item written with its commune only is placed there.
	locate := func(insee, postal, commune string) (float64, float64, bool) {
		t, ok := gaz.Commune(insee, postal, commune)
		if !ok {
			return 0, 0, false
		}
		return t.Lat, t.Lon, true
	}
	all := places.Dedupe(append(places.FromItems(base.Items, locate), imported...))
	for _, p := range all {
		knowledge.ImplyServices(p)
	}
	x := places.NewIndex(all)
	if x.Len() < len(all) {
		log.Warn("places without coordinates are left out of nearest-place answers", "places", len(all)-x.Len())
	}
	return x, nil
}

// Process is one run of chat adapters on a Core: the runner hands their
// messages to the engine, one conversation at a time, and the dispatcher
// sends what the turns put in the outbox.
type Process struct {
	Out    *delivery.Dispatcher
	Runner *delivery.Runner
}

// NewDispatcher returns a dispatcher of c's outbox, on c's clock.
func (c *Core) NewDispatcher() (*delivery.Dispatcher, error) {
	d, err := delivery.NewDispatcher(c.Store, c.Log, c.Now)
	if err != nil {
		return nil, err
	}
	d.SetFailover(c.failover)
	d.SetMeter(c.Metrics)
	return d, nil
}

// NewProcess builds the dispatcher and the runner over c's store and
// engine.
func (c *Core) NewProcess() (*Process, error) {
	out, err := c.NewDispatcher()
	if err != nil {
		return nil, err
	}
	r := delivery.NewRunner(c.Engine, out, c.Log)
	r.SetMeter(c.Metrics, c.Now)
	return &Process{Out: out, Runner: r}, nil
}

// Run runs a new Process's adapters until ctx is done or all of them
// return.
func (c *Core) Run(ctx context.Context, adapters ...bot.Adapter) error {
	p, err := c.NewProcess()
	if err != nil {
		return err
	}
	return p.Run(ctx, adapters...)
}

// Run registers adapters and runs them with the dispatcher until ctx is
// done or all of them return, then waits for the turns in flight; a
// Process runs once. The first adapter error is returned, prefixed with
// its platform.
func (p *Process) Run(ctx context.Context, adapters ...bot.Adapter) error {
	for _, ad := range adapters {
		p.Runner.Register(ad)
	}
	// Messages a previous process queued but did not send go out now;
	// failed sends are retried until the platform accepts them. The
	// dispatcher outlives the adapters' context, so that the replies of
	// turns finishing during shutdown are sent.
	dctx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispatched := make(chan struct{})
	go func() { p.Out.Run(dctx); close(dispatched) }()
	defer func() {
		stopDispatch()
		<-dispatched
	}()
	// One adapter failing stops the others: a process half connected
	// would look alive while a platform's people get no answer.
	actx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	errc := make(chan error, len(adapters))
	for _, ad := range adapters {
		go func() {
			err := ad.Run(actx, p.Runner)
			if err != nil {
				err = fmt.Errorf("%s: %w", ad.Name(), err)
				stopAll()
			}
			errc <- err
		}()
	}
	var first error
	for range adapters {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	p.Runner.Close()
	return first
}

// every runs fn now and then every interval until ctx is done.
func every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	periodic.Tick(ctx, interval, fn)
}

// reannounce re-posts the cases nobody claimed within after.
func (c *Core) reannounce(ctx context.Context, after time.Duration) {
	if _, err := c.Engine.Reannounce(ctx, after); err != nil {
		c.Log.Error("re-announcing cases failed", "err", err)
	}
}

// engine is the engine's configuration c describes.
func (c Config) engine() (engine.Config, error) {
	med, err := c.Mediation.build()
	if err != nil {
		return engine.Config{}, err
	}
	return engine.Config{
		Lang:            c.Lang,
		Jurisdiction:    c.Jurisdiction,
		Jurisdictions:   c.Jurisdictions,
		AnswerThreshold: c.Search.AnswerThreshold,
		UnsureThreshold: c.Search.UnsureThreshold,
		Mediation:       med,
	}, nil
}

// build turns the mediation section into the engine's configuration,
// reporting every problem with the key it is at (Config.Validate checks
// the platform names).
func (m MediationConfig) build() (mediation.Config, error) {
	out := mediation.Config{SkipConsent: !m.Consent, Mediators: m.Mediators, Roles: m.Roles, Queues: map[string]mediation.Queue{}}
	var errs []error
	if m.ReannounceMinutes < 0 {
		errs = append(errs, fmt.Errorf("mediation.reannounce_minutes: %d must be 0 (never) or more", m.ReannounceMinutes))
	}
	for p, users := range m.Mediators {
		if len(users) == 0 {
			errs = append(errs, fmt.Errorf("mediation.mediators.%s: list at least one user", p))
		}
	}
	for name, q := range m.Queues {
		key := "mediation.queues." + name
		if strings.TrimSpace(q.Channel) == "" {
			errs = append(errs, fmt.Errorf("%s.channel: the mediators' channel is required", key))
		}
		h, err := hours.Parse(q.Hours)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.hours: %w", key, err))
		}
		if err := q.validFallback(key + ".fallback"); err != nil {
			errs = append(errs, err)
		}
		out.Queues[name] = mediation.Queue{Channel: bot.Address{Platform: q.Platform, Channel: q.Channel}, Hours: h, Fallback: strings.TrimSpace(q.Fallback)}
	}
	if len(m.Queues) > 0 && len(m.Mediators) == 0 && len(m.Roles) == 0 {
		errs = append(errs, errors.New("mediation.mediators: queues are configured but nobody may claim their cases"))
	}
	return out, errors.Join(errs...)
}

// LoadKnowledge loads and validates dir, or the embedded demo when dir is
// empty, together with imported items (trees may answer with them). Every
// imported item is kept, even those a hand-written item stands for:
// `boussole eval` (and `ask`) search the whole catalogue, so that its
// figures do not depend on the knowledge directory beside it.
// ServedKnowledge makes the base the bot answers from.
func LoadKnowledge(_ context.Context, dir string, imported []*knowledge.Item) (*knowledge.Base, error) {
	b, err := readKnowledge(dir)
	if err != nil {
		return nil, err
	}
	b = b.WithItems(imported)
	if probs := knowledge.Validate(b); len(probs) > 0 {
		return nil, fmt.Errorf("%s has %d problem(s):\n%w", knowledgeName(dir), len(probs), probs)
	}
	return b, nil
}

// readKnowledge reads dir, or the embedded demo when dir is empty,
// without validating it.
func readKnowledge(dir string) (*knowledge.Base, error) {
	var (
		b   *knowledge.Base
		err error
	)
	if dir == "" {
		b, err = knowledge.LoadFS(demo.FS())
	} else {
		b, err = knowledge.LoadDir(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s:\n%w", knowledgeName(dir), err)
	}
	return b, nil
}

// knowledgeName names dir in messages.
func knowledgeName(dir string) string {
	if dir == "" {
		return "demo knowledge"
	}
	return dir
}

// ServedKnowledge is the knowledge the bot answers from, made from a
// loaded base on the day today: the imported sheets that hand-written items
// stand for are left out (knowledge.Base.PreferCurated: the admins' item is
// shown instead, and the sheet's id leads to it), and the imported sheets
// dated more than staleAfterMonths months ago say so in their answers. log
// gets the counts, never text.
func ServedKnowledge(b *knowledge.Base, today time.Time, staleAfterMonths int, log *slog.Logger) *knowledge.Base {
	b, replaced := b.PreferCurated()
	if replaced > 0 {
		log.Info("imported sheets replaced by hand-written items", "sheets", replaced)
	}
	b, stale := b.MarkStale(today, staleAfterMonths)
	if stale > 0 {
		log.Info("imported sheets older than knowledge.stale_after_months: their answers say so", "sheets", stale, "months", staleAfterMonths)
	}
	return b
}

// ImportedItems reads the items imported into the database at path, if
// path is set; the database must exist (a typo must not create an empty
// one).
func ImportedItems(ctx context.Context, path string, now func() time.Time) ([]*knowledge.Item, error) {
	if path == "" {
		return nil, nil
	}
	st, err := OpenStoreReadOnly(ctx, DatabaseConfig{Path: path}, os.Getenv, nil, now)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Items(ctx)
}
