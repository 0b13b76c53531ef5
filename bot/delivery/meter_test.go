package delivery_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
)

// tally is a Meter that writes down what it is told.
type tally struct {
	mu     sync.Mutex
	events []string
	turns  []time.Duration
}

func (m *tally) add(e string)      { m.mu.Lock(); defer m.mu.Unlock(); m.events = append(m.events, e) }
func (m *tally) Received(p string) { m.add("received " + p) }
func (m *tally) Sent(p string)     { m.add("sent " + p) }
func (m *tally) Failed(p string)   { m.add("failed " + p) }
func (m *tally) Retried(p string)  { m.add("retried " + p) }
func (m *tally) Turned(p string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, "turned "+p)
	m.turns = append(m.turns, d)
}

func (m *tally) count(e string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, x := range m.events {
		if x == e {
			n++
		}
	}
	return n
}

// The dispatcher tells its meter each send accepted, each failure
// (outage or refusal) and each attempt after a failure.
func TestDispatcherMeter(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "b.db"), c.now)
	p := &deliverytest.Platform{Failures: 2, Refuse: map[string]bool{"gone": true}}
	d := deliverytest.Dispatcher(t, st, c.now)
	m := &tally{}
	d.SetMeter(m)
	d.Register(p)
	if err := st.Enqueue(ctx, []bot.Reply{deliverytest.To("alice", "1"), deliverytest.To("gone", "x")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10 && len(p.Texts()) < 1; i++ {
		next, err := d.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !next.IsZero() {
			c.t = next
		}
	}
	// alice: failed, failed, sent on its third attempt (two retries);
	// gone: refused for good once, never retried.
	if got := p.Texts(); !slices.Equal(got, []string{"alice:1"}) {
		t.Fatalf("delivered %v", got)
	}
	for e, want := range map[string]int{"sent test": 1, "failed test": 3, "retried test": 2} {
		if got := m.count(e); got != want {
			t.Errorf("%q told %d times, want %d (%v)", e, got, want, m.events)
		}
	}
	// Without a meter (or with nil) nothing breaks.
	d.SetMeter(nil)
	if err := st.Enqueue(ctx, []bot.Reply{deliverytest.To("bob", "2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if m.count("sent test") != 1 {
		t.Error("a meter removed is still told")
	}
}

// echo answers every message with one reply queued in its outbox, as
// the engine does, taking a tick of the test clock.
type echo struct {
	c   *stepClock
	box delivery.Outbox
}

func (e echo) Respond(ctx context.Context, in bot.Incoming) ([]bot.Reply, error) {
	e.c.add(1500 * time.Millisecond)
	out := []bot.Reply{{To: in.Address, Text: "ok"}}
	return out, e.box.Enqueue(ctx, out)
}
func (echo) Sorry(a bot.Address) bot.Reply { return bot.Reply{To: a, Text: "désolé"} }

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// The runner tells its meter each message received and how long its
// turn took on the injected clock.
func TestRunnerMeter(t *testing.T) {
	c := &stepClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "r.db"), c.now)
	out := deliverytest.Dispatcher(t, st, c.now)
	m := &tally{}
	out.SetMeter(m)
	r := delivery.NewRunner(echo{c, st}, out, nil)
	r.SetMeter(m, c.now)
	p := &deliverytest.Platform{}
	r.Register(p)
	for _, u := range []string{"a", "b"} {
		if err := r.Handle(context.Background(), bot.Incoming{Address: bot.Address{Platform: "test", Channel: "dm", User: u}, Text: "bonjour"}); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	if m.count("received test") != 2 || m.count("turned test") != 2 || m.count("sent test") != 2 {
		t.Errorf("events %v", m.events)
	}
	for _, d := range m.turns {
		if d != 1500*time.Millisecond {
			t.Errorf("turn took %v on the test clock, want 1.5s", d)
		}
	}
}
