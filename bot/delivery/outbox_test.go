package delivery_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestOutboxRetriesUntilThePlatformRecoversKeepingOrder(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "b.db"), c.now)
	p := &deliverytest.Platform{Failures: 4}
	d := deliverytest.Dispatcher(t, st, c.now)
	d.Register(p)
	if err := st.Enqueue(ctx, []bot.Reply{deliverytest.To("alice", "1"), deliverytest.To("alice", "2"), deliverytest.To("bob", "b1")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20 && len(p.Texts()) < 3; i++ {
		next, err := d.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !next.IsZero() {
			c.t = next // the platform is down: time passes until the retry
		}
	}
	got := p.Texts()
	if len(got) != 3 {
		t.Fatalf("delivered %v after %d calls", got, p.Calls())
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
	if next, _ := d.Flush(ctx); !next.IsZero() || len(p.Texts()) != 3 {
		t.Fatalf("a delivered message was sent again: %v", p.Texts())
	}
	for _, r := range p.Delivered() {
		if r.Key == "" {
			t.Fatalf("no idempotency key on %+v", r)
		}
	}
}

func TestOutboxGivesUpOnlyOnRefusal(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "b.db"), c.now)
	p := &deliverytest.Platform{Refuse: map[string]bool{"gone": true}}
	d := deliverytest.Dispatcher(t, st, c.now)
	d.Register(p)
	if err := st.Enqueue(ctx, []bot.Reply{deliverytest.To("gone", "x"), deliverytest.To("gone", "y"), deliverytest.To("bob", "z")}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := p.Texts(); len(got) != 1 || got[0] != "bob:z" {
		t.Fatalf("delivered %v", got)
	}
	calls := p.Calls()
	d.Flush(ctx)
	if p.Calls() != calls {
		t.Fatal("refused messages are retried")
	}
	if pending, _ := st.PendingOutgoing(ctx, 10); len(pending) != 0 {
		t.Fatalf("pending = %+v", pending)
	}
}
