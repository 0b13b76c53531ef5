package app

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

// testClock is the tests' one clock.
func testClock() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

// failing is an adapter whose connection fails; waiting runs until it is
// stopped.
type failing struct{ name string }

func (f failing) Name() string                         { return f.name }
func (failing) Send(context.Context, bot.Reply) error  { return nil }
func (failing) Run(context.Context, bot.Handler) error { return errors.New("401 unauthorized") }

type waiting struct{ stopped chan struct{} }

func (waiting) Name() string                          { return "waiting" }
func (waiting) Send(context.Context, bot.Reply) error { return nil }
func (w waiting) Run(ctx context.Context, _ bot.Handler) error {
	<-ctx.Done()
	close(w.stopped)
	return nil
}

func openTest(t *testing.T, cfg Config) *App {
	t.Helper()
	cfg.Database.Path = filepath.Join(t.TempDir(), "b.db")
	a, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler), testClock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// One adapter failing stops the others and the process reports it,
// instead of running half connected.
func TestOneAdapterFailingStopsTheOthers(t *testing.T) {
	a := openTest(t, Default())
	w := waiting{stopped: make(chan struct{})}
	err := a.Run(context.Background(), w, failing{name: "discord"})
	if err == nil || !strings.Contains(err.Error(), "discord: 401 unauthorized") {
		t.Fatalf("Run = %v", err)
	}
	<-w.stopped
}

// Cores opened with one Parts share the gazetteer and the knowledge's
// index, never the store: each keeps its own conversations.
func TestPartsAreSharedButNotTheStore(t *testing.T) {
	ctx := context.Background()
	p := &Parts{}
	open := func(name string) *App {
		cfg := Default()
		cfg.Database.Path = filepath.Join(t.TempDir(), name)
		a, err := p.Open(ctx, cfg, nil, testClock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	a, b := open("a.db"), open("b.db")
	if a.Knowledge != b.Knowledge || a.Catalog != b.Catalog {
		t.Fatal("the knowledge and catalogue are built twice")
	}
	if a.Store == b.Store {
		t.Fatal("two Cores share a store")
	}
	alice := bot.Address{Platform: "console", Channel: "console", User: "alice"}
	if _, err := a.Engine.Respond(ctx, bot.Incoming{Address: alice, Text: "logement"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.Conversation(ctx, alice); !errors.Is(err, bot.ErrNoConversation) {
		t.Fatalf("b sees a's conversation: %v", err)
	}
}
