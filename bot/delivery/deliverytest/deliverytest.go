// Package deliverytest is a test kit for what sends messages: a platform
// that fails or refuses on demand and records what it delivered, and a
// dispatcher and a SQLite store built for a test. The delivery, engine and adapter tests
// share it.
package deliverytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/store"
)

// Platform is a platform named "test" that refuses its first Failures
// sends (a platform outage), refuses for good the users in Refuse, and
// records what it delivered.
type Platform struct {
	mu        sync.Mutex
	Failures  int
	Refuse    map[string]bool // users the platform refuses for good
	delivered []bot.Reply
	calls     int
}

var _ bot.Adapter = (*Platform)(nil)

// Name implements bot.Adapter.
func (p *Platform) Name() string { return "test" }

// Run implements bot.Adapter: it receives nothing.
func (p *Platform) Run(ctx context.Context, _ bot.Handler) error { <-ctx.Done(); return nil }

// Send implements bot.Adapter.
func (p *Platform) Send(_ context.Context, r bot.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.Refuse[r.To.User] {
		return fmt.Errorf("unknown user: %w", bot.ErrUndeliverable)
	}
	if p.Failures > 0 {
		p.Failures--
		return errors.New("503 service unavailable")
	}
	p.delivered = append(p.delivered, r)
	return nil
}

// Delivered returns what was delivered, in order.
func (p *Platform) Delivered() []bot.Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bot.Reply(nil), p.delivered...)
}

// Texts returns "user:text" for each message delivered, in order.
func (p *Platform) Texts() []string {
	var out []string
	for _, r := range p.Delivered() {
		out = append(out, r.To.User+":"+r.Text)
	}
	return out
}

// Calls is how many sends were tried.
func (p *Platform) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// To is a message to user u in the direct messages of the test platform.
func To(u, text string) bot.Reply {
	return bot.Reply{To: bot.Address{Platform: "test", Channel: "dm", User: u}, Text: text}
}

// OpenStore opens the SQLite store at path for t, reading the time from
// now, and closes it when t ends.
func OpenStore(t testing.TB, path string, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Dispatcher returns a dispatcher over box reading the time from now.
func Dispatcher(t testing.TB, box delivery.Outbox, now func() time.Time) *delivery.Dispatcher {
	t.Helper()
	d, err := delivery.NewDispatcher(box, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
