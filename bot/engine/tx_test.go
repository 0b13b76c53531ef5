package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/catalog"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
	"github.com/boussole/boussole/bot/engine"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/knowledge/search"
)

// commitFails is the real store whose final write of a turn fails (a full
// disk, a lost lock): everything the turn did before must roll back.
type commitFails struct {
	*store.Store
	fail bool
}

var errDiskFull = errors.New("disk full")

func (s *commitFails) Commit(ctx context.Context, c bot.Conversation, turns []bot.Turn, out []bot.Reply) error {
	if s.fail {
		return errDiskFull
	}
	return s.Store.Commit(ctx, c, turns, out)
}

// One turn, one transaction: a claim whose turn fails to commit leaves
// the case open, with nothing queued for the citizen or the queue, and the
// claim can be made again.
func TestTurnIsOneTransaction(t *testing.T) {
	d := newDesk(t, nil)
	ctx := context.Background()
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))

	cs := &commitFails{Store: d.st, fail: true}
	cat, _ := catalog.New()
	eng, err := engine.New(ctx, engine.Config{Mediation: d.med}, engine.Deps{Store: cs, Catalog: cat, Knowledge: d.base, Searcher: search.New(d.base, search.Options{}), Danger: mustDanger(t), Now: d.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := d.st.PendingOutgoing(ctx, 100)
	if _, err := eng.Respond(ctx, bot.Incoming{Address: marie, Text: "prendre 1", Name: "marie"}); !errors.Is(err, errDiskFull) {
		t.Fatalf("Respond = %v, want the commit's error", err)
	}
	c, err := d.st.Case(ctx, 1)
	if err != nil || c.Status != bot.CaseOpen || c.Mediator != nil {
		t.Fatalf("after a failed turn the case is %+v (%v), want open and unclaimed", c, err)
	}
	after, _ := d.st.PendingOutgoing(ctx, 100)
	if len(after) != len(before) {
		t.Fatalf("the failed turn queued %d messages", len(after)-len(before))
	}
	cs.fail = false
	if _, err := eng.Respond(ctx, bot.Incoming{Address: marie, Text: "prendre 1", Name: "marie"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := d.st.Case(ctx, 1); c.Status != bot.CaseClaimed {
		t.Fatalf("claim again: %+v", c)
	}
	if conv, _ := d.st.Conversation(ctx, marie); conv.CaseID != 1 {
		t.Fatalf("the mediator's conversation points to case %d", conv.CaseID)
	}
}

// A message is answered once even when it comes again (a catch-up after a
// crash that happened after the commit, or a second process given it):
// the mark is written in the turn's transaction.
func TestMessageAnsweredOnceAcrossDeliveries(t *testing.T) {
	d := newDesk(t, nil)
	ctx := context.Background()
	in := bot.Incoming{Address: citizen, Text: "carte d'identité perdue", ID: "m-1"}
	first, err := d.eng.Respond(ctx, in)
	if err != nil || len(first) == 0 {
		t.Fatalf("first = %v, %v", first, err)
	}
	d.reopen() // the process dies right after the commit
	before, _ := d.st.PendingOutgoing(ctx, 100)
	in.Replayed = true
	again, err := d.eng.Respond(ctx, in)
	if err != nil || len(again) != 0 {
		t.Fatalf("the same message answered again: %v, %v", again, err)
	}
	after, _ := d.st.PendingOutgoing(ctx, 100)
	if len(after) != len(before) {
		t.Fatalf("%d more messages queued", len(after)-len(before))
	}
}

// Inside a turn's transaction, a store call that fails undoes its own
// writes: a caller that carries on after the error commits no half
// change.
func TestFailedCallInsideATurnLeavesNothing(t *testing.T) {
	d := newDesk(t, nil)
	ctx := context.Background()
	err := d.st.InTx(ctx, func(ctx context.Context) error {
		bad := []bot.Reply{deliverytest.To("alice", "première moitié"), {Text: "sans destination"}}
		if err := d.st.Enqueue(ctx, bad); err == nil {
			t.Error("a reply without a destination was queued")
		}
		return d.st.Enqueue(ctx, []bot.Reply{deliverytest.To("bob", "suite")})
	})
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := d.st.PendingOutgoing(ctx, 10)
	if len(pending) != 1 || pending[0].Reply.Text != "suite" {
		t.Fatalf("pending = %+v", pending)
	}
}
