// Package apptest runs Boussole as `boussole serve` does (package app:
// SQLite store, engine on the demo knowledge, outbox dispatcher, runner)
// for the adapters' end-to-end tests, which only add their adapter and
// the platform it talks to.
package apptest

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/mediation"
)

// Stack is one Boussole process: build the adapter under test from its
// Store and Catalog, then Run it.
type Stack struct {
	*app.Core
	*app.Process

	t      testing.TB
	ctx    context.Context
	cancel context.CancelFunc
	runErr chan error
	ran    bool // Run was called: Stop waits for its result
	once   sync.Once
}

// New opens the database file db and builds the engine, in French, with
// med, every part reading the time from now (the test's one clock).
func New(t testing.TB, db string, med mediation.Config, now func() time.Time) *Stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, err := app.OpenCore(ctx, app.CoreConfig{Database: db, Engine: engine.Config{Lang: "fr", Mediation: med}}, nil, now)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	p, err := c.NewProcess()
	if err != nil {
		cancel()
		c.Close()
		t.Fatal(err)
	}
	return &Stack{Core: c, Process: p, t: t, ctx: ctx, cancel: cancel, runErr: make(chan error, 1)}
}

// Run runs the adapters as `boussole serve` does, in the background; the
// result (the first adapter error) is reported by Stop, and readable from
// Err.
func (s *Stack) Run(main bot.Adapter, extra ...bot.Adapter) {
	s.ran = true
	go func() { s.runErr <- s.Process.Run(s.ctx, append([]bot.Adapter{main}, extra...)...) }()
}

// Err yields Run's result once it returns; a caller that reads it early
// must put it back for Stop.
func (s *Stack) Err() chan error { return s.runErr }

// Stop ends the process as a SIGTERM ends `boussole serve`: adapters
// stop, turns in flight finish, the store closes. Stopping twice is
// harmless.
func (s *Stack) Stop() {
	s.once.Do(func() {
		s.cancel()
		var err error
		if s.ran {
			err = <-s.runErr
		}
		s.Core.Close()
		if err != nil {
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
