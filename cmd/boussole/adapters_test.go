package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boussole/boussole/bot"
)

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

// One adapter failing stops the others and the process reports it,
// instead of running half connected.
func TestOneAdapterFailingStopsTheOthers(t *testing.T) {
	cfg := defaultConfig()
	cfg.Database.Path = filepath.Join(t.TempDir(), "b.db")
	log := slog.New(slog.DiscardHandler)
	a, err := openApp(context.Background(), cfg, log, testClock)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	w := waiting{stopped: make(chan struct{})}
	err = runAdapters(context.Background(), a, log, w, failing{name: "discord"})
	if err == nil || !strings.Contains(err.Error(), "discord: 401 unauthorized") {
		t.Fatalf("runAdapters = %v", err)
	}
	<-w.stopped
}

// A knowledge directory with nothing in it is an error, for validate and
// for a bot that would otherwise know nothing.
func TestEmptyKnowledgeDirectoryIsAnError(t *testing.T) {
	dir := t.TempDir()
	if code, out, _ := runCmd(t, "", "validate", dir); code != 1 || !strings.Contains(out, "no items and no trees found") {
		t.Fatalf("validate: exit %d\n%s", code, out)
	}
	if code, _, errs := runCmd(t, "bonjour\n", "chat", "--knowledge", dir, "--db", filepath.Join(t.TempDir(), "b.db")); code != 1 || !strings.Contains(errs, "no items and no trees found") {
		t.Fatalf("chat: exit %d\n%s", code, errs)
	}
}
