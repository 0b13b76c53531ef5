package delivery_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
)

// Two processes on one database (two stores, two dispatchers, each with
// its own connection to the platform) flushing at the same time deliver
// every message exactly once, in order for each destination.
func TestTwoDispatchersDeliverEachMessageOnce(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "b.db")
	st1, st2 := deliverytest.OpenStore(t, path, c.now), deliverytest.OpenStore(t, path, c.now)
	p1, p2 := &deliverytest.Platform{}, &deliverytest.Platform{}
	d1, d2 := deliverytest.Dispatcher(t, st1, c.now), deliverytest.Dispatcher(t, st2, c.now)
	d1.Register(p1)
	d2.Register(p2)
	const users, each = 20, 30
	for round := range 3 {
		var batch []bot.Reply
		for i := range each {
			for u := range users {
				batch = append(batch, deliverytest.To(fmt.Sprintf("u%02d", u), fmt.Sprintf("%d-%02d", round, i)))
			}
		}
		if err := st1.Enqueue(ctx, batch); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, d := range []*delivery.Dispatcher{d1, d2} {
			wg.Go(func() {
				if _, err := d.Flush(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		// What one dispatcher left leased to it is its own to send.
		for _, d := range []*delivery.Dispatcher{d1, d2} {
			if _, err := d.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string][]string{}
	for _, p := range []*deliverytest.Platform{p1, p2} {
		for _, r := range p.Delivered() {
			got[r.To.User] = append(got[r.To.User], r.Text)
		}
	}
	total := len(p1.Delivered()) + len(p2.Delivered())
	if total != 3*users*each {
		t.Fatalf("delivered %d messages (%d + %d), want %d exactly once each", total, len(p1.Delivered()), len(p2.Delivered()), 3*users*each)
	}
	for u, texts := range got {
		seen := map[string]bool{}
		for _, x := range texts {
			if seen[x] {
				t.Fatalf("%s got %q twice", u, x)
			}
			seen[x] = true
		}
	}
	// Order holds within each dispatcher's share of a destination, and a
	// destination is never split while a lease is live: each user's
	// messages of a round come from one side, in order.
	for _, p := range []*deliverytest.Platform{p1, p2} {
		last := map[string]string{}
		for _, r := range p.Delivered() {
			if prev, ok := last[r.To.User]; ok && r.Text < prev {
				t.Fatalf("%s: %q after %q", r.To.User, r.Text, prev)
			}
			last[r.To.User] = r.Text
		}
	}
}

// A lease left by a process that died expires: another sends the message.
func TestLeaseOfADeadProcessExpires(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "b.db")
	st := deliverytest.OpenStore(t, path, c.now)
	if err := st.Enqueue(ctx, []bot.Reply{deliverytest.To("alice", "bonjour")}); err != nil {
		t.Fatal(err)
	}
	// The dead process claimed it and never sent it.
	if got, err := st.ClaimOutgoing(ctx, "dead", []string{"test"}, c.now().Add(time.Minute), 10, nil); err != nil || len(got) != 1 {
		t.Fatalf("claim = %v, %v", got, err)
	}
	p := &deliverytest.Platform{}
	d := deliverytest.Dispatcher(t, st, c.now)
	d.Register(p)
	if _, err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(p.Delivered()) != 0 {
		t.Fatal("sent while another process held the lease")
	}
	c.t = c.t.Add(61 * time.Second) // past any lease
	if _, err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(p.Delivered()) != 1 {
		t.Fatalf("after the lease expired: %d delivered", len(p.Delivered()))
	}
}

// slow is a platform whose sends wait until released.
type slow struct {
	deliverytest.Platform
	entered chan struct{}
	release chan struct{}
}

func (s *slow) Name() string { return "slow" }
func (s *slow) Send(ctx context.Context, r bot.Reply) error {
	s.entered <- struct{}{}
	<-s.release
	return s.Platform.Send(ctx, r)
}

// A slow or rate-limited platform delays only its own messages: while a
// send to it hangs, another platform's messages go out.
func TestSlowPlatformDelaysOnlyItself(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "b.db"), c.now)
	fast := &deliverytest.Platform{}
	sl := &slow{entered: make(chan struct{}), release: make(chan struct{})}
	d := deliverytest.Dispatcher(t, st, c.now)
	d.Register(fast)
	d.Register(sl)
	slowMsg := bot.Reply{To: bot.Address{Platform: "slow", Channel: "c", User: "bob"}, Text: "lent"}
	if err := st.Enqueue(ctx, []bot.Reply{slowMsg, deliverytest.To("alice", "rapide")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := d.Flush(ctx)
		done <- err
	}()
	<-sl.entered // the slow platform holds its send
	if _, err := d.FlushPlatforms(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if got := fast.Texts(); len(got) != 1 || got[0] != "alice:rapide" {
		t.Fatalf("fast platform got %v while the slow one hangs", got)
	}
	close(sl.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(sl.Delivered()) != 1 {
		t.Fatalf("slow platform got %v", sl.Delivered())
	}
}

// A dispatcher that stops gives its leases back: another process sends
// the messages at once instead of after the lease.
func TestStoppedDispatcherReleasesItsLeases(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "b.db"), c.now)
	if err := st.Enqueue(ctx, []bot.Reply{deliverytest.To("alice", "bonjour")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.ClaimOutgoing(ctx, "stopping", []string{"test"}, c.now().Add(time.Minute), 10, nil); len(got) != 1 {
		t.Fatalf("claimed %d", len(got))
	}
	if err := st.ReleaseOutgoing(ctx, "stopping"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.ClaimOutgoing(ctx, "other", []string{"test"}, c.now().Add(time.Minute), 10, nil); len(got) != 1 {
		t.Fatalf("after the release another process claims %d", len(got))
	}
}
