package bot_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
)

// flaky is a platform that refuses the first failures sends, then works;
// it records what it delivered.
type flaky struct {
	mu        sync.Mutex
	failures  int
	refuse    map[string]bool // users the platform refuses for good
	delivered []bot.Reply
	calls     int
}

func (f *flaky) Name() string                                 { return "test" }
func (f *flaky) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }
func (f *flaky) Send(_ context.Context, r bot.Reply) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.refuse[r.To.User] {
		return fmt.Errorf("unknown user: %w", bot.ErrUndeliverable)
	}
	if f.failures > 0 {
		f.failures--
		return errors.New("503 service unavailable")
	}
	f.delivered = append(f.delivered, r)
	return nil
}

func (f *flaky) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.delivered {
		out = append(out, r.To.User+":"+r.Text)
	}
	return out
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openStore(t *testing.T, path string, c *clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{Clock: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func to(u, text string) bot.Reply {
	return bot.Reply{To: bot.Address{Platform: "test", Channel: "dm", User: u}, Text: text}
}

func TestOutboxRetriesUntilThePlatformRecoversKeepingOrder(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := openStore(t, filepath.Join(t.TempDir(), "b.db"), c)
	p := &flaky{failures: 4}
	d := dispatcher(t, st, c.now)
	d.Register(p)
	if err := st.Enqueue(ctx, []bot.Reply{to("alice", "1"), to("alice", "2"), to("bob", "b1")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20 && len(p.texts()) < 3; i++ {
		next, err := d.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !next.IsZero() {
			c.t = next // the platform is down: time passes until the retry
		}
	}
	got := p.texts()
	if len(got) != 3 {
		t.Fatalf("delivered %v after %d calls", got, p.calls)
	}
	// alice's messages keep their order although the first one failed.
	ia, ib := -1, -1
	for i, s := range got {
		switch s {
		case "alice:1":
			ia = i
		case "alice:2":
			ib = i
		}
	}
	if ia < 0 || ib < ia {
		t.Fatalf("order lost: %v", got)
	}
	if next, _ := d.Flush(ctx); !next.IsZero() || len(p.texts()) != 3 {
		t.Fatalf("a delivered message was sent again: %v", p.texts())
	}
	for _, r := range p.delivered {
		if r.Key == "" {
			t.Fatalf("no idempotency key on %+v", r)
		}
	}
}

func TestOutboxSurvivesARestartBeforeSending(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	h := newHarness(t, path, fixture(t, treeYAML))
	// The turn is stored with its replies queued; the process stops
	// before anything is sent.
	rs := h.say(alice, "papiers")
	h.store.Close()

	c := &clock{fixedNow()}
	st := openStore(t, path, c)
	p := &flaky{}
	d := dispatcher(t, st, c.now)
	d.Register(p)
	if _, err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := p.texts(); len(got) != len(rs) || got[0] != "alice:"+rs[0].Text {
		t.Fatalf("after restart delivered %v, want the %d queued replies", got, len(rs))
	}
	if len(p.delivered[len(p.delivered)-1].Choices) == 0 {
		t.Fatal("choices lost in the outbox")
	}
	d.Flush(ctx)
	if len(p.texts()) != len(rs) {
		t.Fatalf("sent twice: %v", p.texts())
	}
}

func TestOutboxGivesUpOnlyOnRefusal(t *testing.T) {
	ctx := context.Background()
	c := &clock{fixedNow()}
	st := openStore(t, filepath.Join(t.TempDir(), "b.db"), c)
	p := &flaky{refuse: map[string]bool{"gone": true}}
	d := dispatcher(t, st, c.now)
	d.Register(p)
	if err := st.Enqueue(ctx, []bot.Reply{to("gone", "x"), to("gone", "y"), to("bob", "z")}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := p.texts(); len(got) != 1 || got[0] != "bob:z" {
		t.Fatalf("delivered %v", got)
	}
	calls := p.calls
	d.Flush(ctx)
	if p.calls != calls {
		t.Fatal("refused messages are retried")
	}
	if pending, _ := st.PendingOutgoing(ctx, 10); len(pending) != 0 {
		t.Fatalf("pending = %+v", pending)
	}
}

func TestForgetMeRemovesQueuedMessagesButConfirms(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, "", fixture(t, treeYAML))
	h.say(alice, "papiers") // queued, never sent
	rs := h.say(alice, "oublie-moi")
	pending, err := h.store.PendingOutgoing(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != len(rs) || pending[0].Reply.Text != rs[0].Text {
		t.Fatalf("pending after forget = %+v", pending)
	}
}

// TestRunnerRetriesAFailedSendSoon: a send that fails during a turn is
// retried by the dispatcher's loop after its backoff, not after the
// loop's idle timer.
func TestRunnerRetriesAFailedSendSoon(t *testing.T) {
	h := newHarness(t, "", fixture(t, treeYAML))
	p := &flaky{failures: 1}
	// The backoff must elapse: this dispatcher's clock runs, from the
	// harness's instant on.
	start := time.Now()
	running := func() time.Time { return h.now.Add(time.Since(start)) }
	out := dispatcher(t, h.store, running)
	r := bot.NewRunner(h.engine, out, nil)
	r.Register(p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go out.Run(ctx)
	if err := r.Handle(ctx, bot.Incoming{Address: bot.Address{Platform: "test", Channel: "dm", User: "alice"}, Text: "aide"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(p.texts()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the failed send was not retried within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
