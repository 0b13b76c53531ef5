// Package servetest wires Boussole as `boussole serve` does (SQLite store,
// engine on the demo knowledge, outbox dispatcher, runner remembering the
// messages it handled) for the adapters' end-to-end tests, which only add
// their adapter and the platform it talks to.
package servetest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/mediation"
	"github.com/boussole/boussole/bot/safety"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/demo"
	"github.com/boussole/boussole/knowledge/places"
	"github.com/boussole/boussole/knowledge/search"
)

// Stack is one Boussole process: build the adapter under test from its
// Store and Catalog, then Run it.
type Stack struct {
	Store   *store.Store
	Catalog *catalog.Catalog
	Engine  *engine.Engine
	Out     *delivery.Dispatcher
	Runner  *delivery.Runner

	t      testing.TB
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	runErr chan error
	ran    bool // Run was called: Stop waits for its result
	once   sync.Once
}

// New opens the database file db and builds the engine with med, every
// part reading the time from now (the test's one clock).
func New(t testing.TB, db string, med mediation.Config, now func() time.Time) *Stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Stack{t: t, ctx: ctx, cancel: cancel, runErr: make(chan error, 1)}
	var err error
	if s.Catalog, err = catalog.New(); err != nil {
		t.Fatal(err)
	}
	base, err := knowledge.LoadFS(demo.FS())
	if err != nil {
		t.Fatal(err)
	}
	danger, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	gaz, err := places.New()
	if err != nil {
		t.Fatal(err)
	}
	if s.Store, err = store.Open(ctx, db, store.Options{Clock: now}); err != nil {
		t.Fatal(err)
	}
	s.Engine, err = engine.New(ctx, engine.Config{Lang: "fr", Mediation: med},
		engine.Deps{Store: s.Store, Catalog: s.Catalog, Now: now, Knowledge: base, Searcher: search.New(base, search.Options{}), Danger: danger, Places: gaz})
	if err != nil {
		s.Store.Close()
		t.Fatal(err)
	}
	if s.Out, err = delivery.NewDispatcher(s.Store, nil, now); err != nil {
		s.Store.Close()
		t.Fatal(err)
	}
	s.Runner = delivery.NewRunner(s.Engine, s.Out, nil)
	return s
}

// Run registers the adapters and runs them, with the dispatcher; the
// first one's Run result is reported by Stop (and readable from Err).
func (s *Stack) Run(main bot.Adapter, extra ...bot.Adapter) {
	s.ran = true
	s.Runner.Register(main)
	for _, a := range extra {
		s.Runner.Register(a)
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = a.Run(s.ctx, s.Runner) }()
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.Out.Run(s.ctx) }()
	go func() { defer s.wg.Done(); s.runErr <- main.Run(s.ctx, s.Runner) }()
}

// Err yields the main adapter's Run result once it returns; a caller that
// reads it early must put it back for Stop.
func (s *Stack) Err() chan error { return s.runErr }

// Stop ends the process as a SIGTERM ends `boussole serve`: adapters
// stop, turns in flight finish, the store closes. Stopping twice is
// harmless.
func (s *Stack) Stop() {
	s.once.Do(func() {
		s.cancel()
		s.wg.Wait()
		s.Runner.Close()
		s.Store.Close()
		if !s.ran {
			return
		}
		if err := <-s.runErr; err != nil {
			s.t.Errorf("Run: %v", err)
		}
	})
}

// SyncBuffer is an io.Writer safe for a console adapter and the test
// reading what it printed.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
