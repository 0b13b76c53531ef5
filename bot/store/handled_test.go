package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/bot/store"
)

// Handled messages and adapter states outlive the process; handled marks
// go with the retention purge.
func TestHandledAndAdapterStateSurviveARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	s := openAt(t, path, store.Options{})
	if ok, err := s.Handled(ctx, "mattermost", "p1"); ok || err != nil {
		t.Fatalf("Handled before = %v, %v", ok, err)
	}
	for range 2 { // marking twice is harmless
		if err := s.MarkHandled(ctx, "mattermost", "p1"); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := s.Handled(ctx, "mattermost", "p1"); !ok || err != nil {
		t.Errorf("Handled right after the mark = %v, %v", ok, err)
	}
	// Marks are written together shortly after, without waiting for Close.
	db := rawDB(t, path)
	deadline := time.Now().Add(10 * time.Second)
	for count(t, db, "handled") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the mark was not written")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.SetAdapterState(ctx, "mattermost.alive", "100"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAdapterState(ctx, "mattermost.alive", "200"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	later := t0.Add(48 * time.Hour)
	s = openAt(t, path, store.Options{Clock: func() time.Time { return later }})
	if ok, err := s.Handled(ctx, "mattermost", "p1"); !ok || err != nil {
		t.Errorf("Handled after restart = %v, %v", ok, err)
	}
	if ok, _ := s.Handled(ctx, "discord", "p1"); ok {
		t.Error("an id is handled per platform")
	}
	if v, ok, err := s.AdapterState(ctx, "mattermost.alive"); v != "200" || !ok || err != nil {
		t.Errorf("AdapterState = %q, %v, %v", v, ok, err)
	}
	if _, ok, err := s.AdapterState(ctx, "other"); ok || err != nil {
		t.Errorf("missing state = %v, %v", ok, err)
	}
	if err := s.MarkHandled(ctx, "mattermost", "p2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PurgeBefore(ctx, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Handled(ctx, "mattermost", "p1"); ok {
		t.Error("p1 (marked before the cut) survived the purge")
	}
	if ok, _ := s.Handled(ctx, "mattermost", "p2"); !ok {
		t.Error("p2 (marked after the cut) was purged")
	}
}

// A mark made just before Close is written by Close.
func TestCloseWritesPendingMarks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "boussole.db")
	s := openAt(t, path, store.Options{})
	if err := s.MarkHandled(ctx, "discord", "m9"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path, store.Options{})
	if ok, err := s.Handled(ctx, "discord", "m9"); !ok || err != nil {
		t.Errorf("mark made before Close: %v, %v", ok, err)
	}
}
