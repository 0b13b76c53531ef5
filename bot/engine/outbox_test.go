package engine_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
)

// The outbox through whole turns: what a turn queued survives a restart,
// « oublie-moi » keeps only its confirmation, a failed send is retried.

func TestOutboxSurvivesARestartBeforeSending(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	h := newHarness(t, path, fixture(t, treeYAML))
	// The turn is stored with its replies queued; the process stops
	// before anything is sent.
	rs := h.say(alice, "papiers")
	h.store.Close()

	c := &clock{fixedNow()}
	st := deliverytest.OpenStore(t, path, c.now)
	p := &deliverytest.Platform{}
	d := deliverytest.Dispatcher(t, st, c.now)
	d.Register(p)
	if _, err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := p.Texts(); len(got) != len(rs) || got[0] != "alice:"+rs[0].Text {
		t.Fatalf("after restart delivered %v, want the %d queued replies", got, len(rs))
	}
	if len(p.Delivered()[len(p.Delivered())-1].Choices) == 0 {
		t.Fatal("choices lost in the outbox")
	}
	d.Flush(ctx)
	if len(p.Texts()) != len(rs) {
		t.Fatalf("sent twice: %v", p.Texts())
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
	p := &deliverytest.Platform{Failures: 1}
	// The backoff must elapse: this dispatcher's clock runs, from the
	// harness's instant on.
	start := time.Now()
	running := func() time.Time { return h.now.Add(time.Since(start)) }
	out := deliverytest.Dispatcher(t, h.store, running)
	r := delivery.NewRunner(h.engine, out, nil)
	r.Register(p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go out.Run(ctx)
	if err := r.Handle(ctx, bot.Incoming{Address: bot.Address{Platform: "test", Channel: "dm", User: "alice"}, Text: "aide"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(p.Texts()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the failed send was not retried within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
