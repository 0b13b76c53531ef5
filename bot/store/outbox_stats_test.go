package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/pgtest"
)

// statsClock is a clock the stats tests move.
type statsClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *statsClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *statsClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// The outbox and case figures the metrics read at scrape time, the same
// on SQLite and PostgreSQL.
func TestStats(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testStats(t, func(now func() time.Time) *store.Store {
			return openAt(t, filepath.Join(t.TempDir(), "b.db"), store.Options{Clock: now})
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		testStats(t, func(now func() time.Time) *store.Store { return openPGAt(t, dsn, now) })
	})
}

func testStats(t *testing.T, open func(now func() time.Time) *store.Store) {
	ctx := context.Background()
	clk := &statsClock{t: t0}
	s := open(clk.now)

	if got, err := s.OutboxStats(ctx); err != nil || len(got) != 0 {
		t.Fatalf("OutboxStats of an empty outbox = %v, %v", got, err)
	}
	if got, err := s.OpenCaseStats(ctx); err != nil || len(got) != 0 {
		t.Fatalf("OpenCaseStats without cases = %v, %v", got, err)
	}

	to := func(p, u string) bot.Reply {
		return bot.Reply{To: bot.Address{Platform: p, Channel: "c", User: u}, Text: "x"}
	}
	if err := s.Enqueue(ctx, []bot.Reply{to("discord", "u1"), to("discord", "u2")}); err != nil {
		t.Fatal(err)
	}
	clk.add(90 * time.Second)
	if err := s.Enqueue(ctx, []bot.Reply{to("mattermost", "u3"), to("discord", "u4"), to("mattermost", "u5")}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingOutgoing(ctx, 10)
	if err != nil || len(pending) != 5 {
		t.Fatalf("PendingOutgoing = %d, %v", len(pending), err)
	}
	// One sent and one refused for good are no longer pending; the
	// discord one sent is its oldest, so the oldest moves on.
	if err := s.MarkSent(ctx, pending[0].ID, clk.now()); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDead(ctx, pending[2].ID, "refused"); err != nil {
		t.Fatal(err)
	}
	// A failed attempt keeps a message pending.
	if err := s.MarkFailed(ctx, pending[1].ID, clk.now().Add(time.Minute), "down"); err != nil {
		t.Fatal(err)
	}
	got, err := s.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.OutboxStat{
		{Platform: "discord", Pending: 2, Oldest: t0},
		{Platform: "mattermost", Pending: 1, Oldest: t0.Add(90 * time.Second)},
	}
	if !slices.EqualFunc(got, want, func(a, b store.OutboxStat) bool {
		return a.Platform == b.Platform && a.Pending == b.Pending && a.Oldest.Equal(b.Oldest)
	}) {
		t.Errorf("OutboxStats = %+v, want %+v", got, want)
	}

	open1 := func(u, queue string, st bot.CaseStatus) int64 {
		t.Helper()
		id, err := s.OpenCase(ctx, bot.Case{Address: bot.Address{Platform: "discord", Channel: "dm", User: u}, Queue: queue, Status: st})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	open1("a", "social", bot.CaseOpen)
	open1("b", "social", bot.CaseOpen)
	open1("c", "social", bot.CaseClaimed)
	open1("d", "", bot.CaseOpen)
	closed := open1("e", "social", bot.CaseClaimed)
	if _, err := s.UpdateCase(ctx, closed, nil, bot.CaseChange{Status: bot.CaseClosed, Outcome: bot.OutcomeResolved}, nil); err != nil {
		t.Fatal(err)
	}
	cases, err := s.OpenCaseStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCases := []store.CaseStat{{Queue: "", Status: "open", Cases: 1}, {Queue: "social", Status: "claimed", Cases: 1}, {Queue: "social", Status: "open", Cases: 2}}
	if !slices.Equal(cases, wantCases) {
		t.Errorf("OpenCaseStats = %+v, want %+v", cases, wantCases)
	}
}

// The OnError hook hears a database that fails (here: closed), and not a
// case that does not exist.
func TestOnError(t *testing.T) {
	var mu sync.Mutex
	var ops []string
	path := filepath.Join(t.TempDir(), "b.db")
	s, err := store.Open(context.Background(), path, store.Options{Clock: clock0, OnError: func(op string) {
		mu.Lock()
		defer mu.Unlock()
		ops = append(ops, op)
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.UpdateCase(ctx, 404, nil, bot.CaseChange{Status: bot.CaseClosed}, nil); err == nil {
		t.Fatal("UpdateCase of a missing case succeeded")
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(ops) != 0 {
		t.Errorf("hook told %v for no database failure", ops)
	}
	mu.Unlock()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping of a closed store succeeded")
	}
	if _, err := s.OutboxStats(ctx); err == nil {
		t.Fatal("OutboxStats of a closed store succeeded")
	}
	if err := s.Enqueue(ctx, []bot.Reply{{To: bot.Address{Platform: "discord", Channel: "c", User: "u"}, Text: "x"}}); err == nil {
		t.Fatal("Enqueue on a closed store succeeded")
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"read", "read", "write"}; !slices.Equal(ops, want) {
		t.Errorf("hook told %v, want %v", ops, want)
	}
}
