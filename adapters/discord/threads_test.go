package discord

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
	"github.com/boussole/boussole/adapters/internal/catchup"
	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/store"
)

// dbFile is the path of a new database file; openStore opens a handle on
// it, closed when the test ends, as one replica (or one run) opens it.
func dbFile(t *testing.T) string { return filepath.Join(t.TempDir(), "boussole.db") }

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{Clock: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// replica is an adapter on f and the shared state db, with the mediators'
// channel 300 (Send needs no gateway connection).
func replica(t *testing.T, f *discordtest.Server, db catchup.StateStore) *Adapter {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{MediatorChannels: []string{"300"}}, Deps{Catalog: cat, Now: time.Now, HTTPClient: f.Client(), State: db, Getenv: func(string) string { return "test-token" }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// toMediator is a message for mediator med in the mediators' channel 300:
// Send relays it in their private thread there.
func toMediator(med, text string) bot.Reply {
	return bot.Reply{To: bot.Address{Platform: Platform, Channel: "300", User: med}, Text: text}
}

// threadsOf returns the threads of parent, sorted.
func threadsOf(f *discordtest.Server, parent string) []string {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	var out []string
	for th, p := range f.Threads {
		if p == parent {
			out = append(out, th)
		}
	}
	slices.Sort(out)
	return out
}

// postChannel is the channel of the post containing text.
func postChannel(t *testing.T, f *discordtest.Server, text string) string {
	t.Helper()
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, p := range f.Posts {
		if strings.Contains(p.Content, text) {
			return p.Channel
		}
	}
	t.Fatalf("no post says %q; posts: %+v", text, f.Posts)
	return ""
}

// The outbox may hand a mediator's messages to any replica: replica A
// sends the first, replica B (another process on the same database) the
// second, and both land in the one private thread A opened.
func TestMediatorThreadIsOneAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := discordtest.Start(t, time.Now)
	path := dbFile(t)
	a, b := replica(t, f, openStore(t, path)), replica(t, f, openStore(t, path))
	if err := a.Send(ctx, toMediator("77", "premier message")); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(ctx, toMediator("77", "second message")); err != nil {
		t.Fatal(err)
	}
	if err := a.Send(ctx, toMediator("77", "troisième message")); err != nil {
		t.Fatal(err)
	}
	threads := threadsOf(f, "300")
	if len(threads) != 1 {
		t.Fatalf("threads of the mediators' channel: %v, want one", threads)
	}
	for _, text := range []string{"premier", "second", "troisième"} {
		if ch := postChannel(t, f, text); ch != threads[0] {
			t.Errorf("%q posted in %s, want the mediator's thread %s", text, ch, threads[0])
		}
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if m := f.Members[threads[0]]; !slices.Equal(m, []string{"77"}) {
		t.Errorf("thread members %v, want the mediator", m)
	}
}

// After a restart (a new process, a new handle on the database), the
// mediator's messages go on in the thread opened before.
func TestMediatorThreadSurvivesARestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := discordtest.Start(t, time.Now)
	path := dbFile(t)
	first := openStore(t, path)
	if err := replica(t, f, first).Send(ctx, toMediator("77", "avant l'arrêt")); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := replica(t, f, openStore(t, path)).Send(ctx, toMediator("77", "après le redémarrage")); err != nil {
		t.Fatal(err)
	}
	if threads := threadsOf(f, "300"); len(threads) != 1 {
		t.Fatalf("threads of the mediators' channel: %v, want one", threads)
	}
	if before, after := postChannel(t, f, "avant"), postChannel(t, f, "après"); before != after {
		t.Errorf("posted in %s before the restart and %s after, want one thread", before, after)
	}
}

// staleReads is the shared state as a replica sees it when it read the
// record just before another replica wrote it: the read finds no thread.
type staleReads struct{ *store.Store }

func (staleReads) AdapterState(context.Context, string) (string, bool, error) { return "", false, nil }

// Two replicas opening the person's thread at the same moment: the one
// whose record comes second deletes its thread and uses the first.
func TestThreadOpenedAtOnceByTwoReplicasIsOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := discordtest.Start(t, time.Now)
	path := dbFile(t)
	a, b := replica(t, f, openStore(t, path)), replica(t, f, staleReads{openStore(t, path)})
	first, err := a.mediatorThread(ctx, "300", "77")
	if err != nil {
		t.Fatal(err)
	}
	second, err := b.mediatorThread(ctx, "300", "77")
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Fatalf("replica B uses thread %s, replica A %s: want one", second, first)
	}
	if threads := threadsOf(f, "300"); !slices.Equal(threads, []string{first}) {
		t.Errorf("threads left %v, want only %s", threads, first)
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if len(f.Deleted) != 1 || f.Deleted[0] == first {
		t.Errorf("deleted %v, want B's own thread", f.Deleted)
	}
	if m := f.Members[first]; !slices.Equal(m, []string{"77"}) {
		t.Errorf("members %v", m)
	}
}

// With one shard and two replicas, both receive a citizen's mention and
// both look for their private thread before the engine lets one of them
// handle it: they find the same one.
func TestMentionWithOneShardAndTwoReplicasOpensOneThread(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	path := dbFile(t)
	var recs [2]*recorder
	for i := range recs {
		recs[i] = &recorder{}
		runReplica(t, f, openStore(t, path), recs[i])
		f.WaitConnected(t, "READY")
	}
	f.Say("200", "2", "<@"+discordtest.BotID+"> bonjour")
	f.WaitFor(t, "the mention handed over by both replicas", func() bool {
		for _, r := range recs {
			r.mu.Lock()
			n := len(r.got)
			r.mu.Unlock()
			if n != 1 {
				return false
			}
		}
		return true
	})
	threads := threadsOf(f, "200")
	if len(threads) != 1 {
		t.Fatalf("threads of the public channel: %v, want the citizen's one", threads)
	}
	for i, r := range recs {
		r.mu.Lock()
		got := r.got[0].Address.Channel
		r.mu.Unlock()
		if got != threads[0] {
			t.Errorf("replica %d continues in %s, want the thread %s", i, got, threads[0])
		}
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if m := f.Members[threads[0]]; !slices.Equal(m, []string{"2"}) {
		t.Errorf("members %v", m)
	}
}

// runReplica runs an unsharded adapter on f and db until the test ends.
func runReplica(t *testing.T, f *discordtest.Server, db catchup.StateStore, h bot.Handler) {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{}, Deps{Logger: slog.New(slog.DiscardHandler), Catalog: cat, Now: time.Now, HTTPClient: f.Client(), State: db, Getenv: func(string) string { return "test-token" }})
	if err != nil {
		t.Fatal(err)
	}
	runUntilEnd(t, a, h)
}

// runUntilEnd runs a with h until the test ends, then checks Run's error.
func runUntilEnd(t *testing.T, a *Adapter, h bot.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// « Oublie-moi »: the record of the person's thread goes with the rest,
// and a new conversation opens a new thread.
func TestForgottenCitizenLeavesNoThreadRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := discordtest.Start(t, time.Now)
	db := openStore(t, dbFile(t))
	a := replica(t, f, db)
	a.cfg.PrivateMode = PrivateThread
	place, _, err := a.citizenPlace(ctx, "200", "2", "")
	if err != nil {
		t.Fatal(err)
	}
	if th, ok, _ := db.AdapterState(ctx, threadKey("200", "2")); !ok || th != place {
		t.Fatalf("record %q, %v; want the thread %s", th, ok, place)
	}
	if _, err := db.ForgetUser(ctx, Platform, "2"); err != nil {
		t.Fatal(err)
	}
	if th, ok, err := db.AdapterState(ctx, threadKey("200", "2")); ok || err != nil {
		t.Fatalf("after ForgetUser the record is %q, %v, %v", th, ok, err)
	}
	// Another replica (no cache) opens a new thread.
	again, _, err := replica(t, f, db).citizenPlace(ctx, "200", "2", "")
	if err != nil || again == place {
		t.Errorf("after erasure the citizen continues in %s (%v), want a new thread", again, err)
	}
}

// A mediator's thread deleted on Discord is forgotten by every replica:
// the send fails for a retry (not undeliverable), which opens a new one.
func TestDeletedMediatorThreadIsReplaced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := discordtest.Start(t, time.Now)
	path := dbFile(t)
	a, b := replica(t, f, openStore(t, path)), replica(t, f, openStore(t, path))
	if err := a.Send(ctx, toMediator("77", "un")); err != nil {
		t.Fatal(err)
	}
	old := postChannel(t, f, "un")
	if err := a.deleteThread(ctx, old); err != nil {
		t.Fatal(err)
	}
	err := a.Send(ctx, toMediator("77", "deux"))
	if err == nil || errors.Is(err, bot.ErrUndeliverable) {
		t.Fatalf("send to a deleted thread: %v, want an error to retry", err)
	}
	if err := a.Send(ctx, toMediator("77", "deux")); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(ctx, toMediator("77", "trois")); err != nil {
		t.Fatal(err)
	}
	threads := threadsOf(f, "300")
	if len(threads) != 1 || threads[0] == old {
		t.Fatalf("threads %v, want one new thread", threads)
	}
	for _, text := range []string{"deux", "trois"} {
		if ch := postChannel(t, f, text); ch != threads[0] {
			t.Errorf("%q posted in %s, want %s", text, ch, threads[0])
		}
	}
}

// A mediator's /boussole in their private thread reaches a replica that
// did not open the thread (another process, or this one restarted): it
// belongs to the mediators' channel's conversation, not to a citizen
// writing in a public channel (which would open yet another thread).
func TestCommandInAThreadAnotherReplicaOpened(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := discordtest.Start(t, time.Now)
	path := dbFile(t)
	a := replica(t, f, openStore(t, path))
	if err := a.Send(ctx, toMediator("77", "Nouvelle demande n° 4")); err != nil {
		t.Fatal(err)
	}
	threads := threadsOf(f, "300")
	if len(threads) != 1 {
		t.Fatalf("threads of the mediators' channel: %v, want one", threads)
	}
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{MediatorChannels: []string{"300"}}, Deps{Logger: slog.New(slog.DiscardHandler), Catalog: cat, Now: time.Now,
		HTTPClient: f.Client(), State: openStore(t, path), Getenv: func(string) string { return "test-token" }})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	runUntilEnd(t, b, rec)
	f.WaitConnected(t, "READY")
	f.Slash(threads[0], "77", "fermer", nil)
	f.WaitFor(t, "the command handed over", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.got) == 1
	})
	rec.mu.Lock()
	got := rec.got[0].Address
	rec.mu.Unlock()
	if want := (bot.Address{Platform: Platform, Channel: "300", User: "77"}); got != want {
		t.Errorf("command at %+v, want the mediator's conversation %+v", got, want)
	}
	if th := threadsOf(f, "300"); len(th) != 1 {
		t.Errorf("threads of the mediators' channel after the command: %v, want still one", th)
	}
}
