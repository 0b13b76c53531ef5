package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

// lease is how long the tests' claims hold a destination.
const lease = time.Minute

func testOutbox(t *testing.T, open Opener) {
	all := []string{"discord", "mattermost"}
	x, y, z := addr("discord", "dm", "x"), addr("discord", "dm", "y"), addr("mattermost", "dm", "z")
	only := func(as ...bot.Address) func(bot.Address) bool {
		return func(a bot.Address) bool { return slices.Contains(as, a) }
	}

	t.Run("messages keep their order and get a key", func(t *testing.T) {
		e := setup(t, open)
		forged := reply(x, "x3")
		forged.Key = "forged"
		e.enqueue(e.s, reply(x, "x1"), bot.Reply{To: y, Text: "y1", Choices: []bot.Choice{{Label: "Oui", Payload: "1:0"}}})
		e.clock.advance(time.Second)
		e.commit(e.s, simpleConversation(x, T0), []bot.Turn{in(x, "bonjour", T0)}, reply(x, "x2"))
		e.clock.advance(time.Second)
		e.enqueue(e.s, forged, bot.Reply{To: addr("discord", "mediators", "awa"), About: y, Text: "about y"})
		want := []struct {
			reply   bot.Reply
			created time.Time
		}{
			{reply(x, "x1"), T0},
			{bot.Reply{To: y, Text: "y1", Choices: []bot.Choice{{Label: "Oui", Payload: "1:0"}}}, T0},
			{reply(x, "x2"), T0.Add(time.Second)},
			{reply(x, "x3"), T0.Add(2 * time.Second)},
			{bot.Reply{To: addr("discord", "mediators", "awa"), About: y, Text: "about y"}, T0.Add(2 * time.Second)},
		}
		pending := e.pending(e.reopen())
		if len(pending) != len(want) {
			t.Fatalf("pending %q, want %d messages", replyTexts(pending), len(want))
		}
		for i, o := range pending {
			r := o.Reply
			r.Key = ""
			if !equal(r, want[i].reply) {
				t.Errorf("message %d: %+v, want %+v", i, r, want[i].reply)
			}
			if i > 0 && o.ID <= pending[i-1].ID {
				t.Errorf("message %d: id %d after id %d, want increasing ids", i, o.ID, pending[i-1].ID)
			}
			if o.Reply.Key != bot.OutboxKey(o.ID) {
				t.Errorf("message %d: key %q, want %q", i, o.Reply.Key, bot.OutboxKey(o.ID))
			}
			if o.Attempts != 0 || !o.CreatedAt.Equal(want[i].created) || o.NextAt.After(o.CreatedAt) {
				t.Errorf("message %d: attempts %d, created %v, next %v; want 0, %v, due at once", i, o.Attempts, o.CreatedAt, o.NextAt, want[i].created)
			}
		}
		claimed := e.claim(e.s, "a", all, e.clock.now().Add(lease), 100, nil)
		if !equal(claimed, pending) {
			t.Errorf("claimed\n got %+v\nwant %+v", claimed, pending)
		}
	})

	t.Run("ClaimOutgoing takes the given platforms only", func(t *testing.T) {
		e := setup(t, open)
		e.enqueue(e.s, reply(x, "x1"), reply(z, "z1"), reply(y, "y1"))
		if got := e.claim(e.s, "a", nil, T0.Add(lease), 100, nil); len(got) != 0 {
			t.Errorf("claim of no platform = %q, want nothing", replyTexts(got))
		}
		if got := replyTexts(e.claim(e.s, "a", []string{"discord"}, T0.Add(lease), 100, nil)); !slices.Equal(got, []string{"x1", "y1"}) {
			t.Errorf("claim of discord = %q, want x1 y1", got)
		}
		if got := replyTexts(e.claim(e.reopen(), "b", []string{"mattermost", "console"}, T0.Add(lease), 100, nil)); !slices.Equal(got, []string{"z1"}) {
			t.Errorf("claim of mattermost = %q, want z1", got)
		}
	})

	t.Run("a leased destination is skipped by other owners until the lease expires", func(t *testing.T) {
		e := setup(t, open)
		s2 := e.reopen()
		e.enqueue(e.s, reply(x, "x1"), reply(y, "y1"), reply(x, "x2"))
		if got := replyTexts(e.claim(e.s, "a", all, T0.Add(lease), 100, only(x))); !slices.Equal(got, []string{"x1", "x2"}) {
			t.Fatalf("a claims %q, want x1 x2", got)
		}
		if got := replyTexts(e.claim(s2, "b", all, T0.Add(lease), 100, nil)); !slices.Equal(got, []string{"y1"}) {
			t.Errorf("b claims %q, want y1 (x is a's)", got)
		}
		// A message queued later to a leased destination waits for the
		// lease's owner too, or it could overtake the earlier ones.
		e.enqueue(e.s, reply(x, "x3"))
		if got := replyTexts(e.claim(s2, "b", all, T0.Add(lease), 100, nil)); !slices.Equal(got, []string{"y1"}) {
			t.Errorf("b claims %q, want y1 only (x is a's)", got)
		}
		if got := replyTexts(e.claim(e.s, "a", all, T0.Add(lease), 100, only(x))); !slices.Equal(got, []string{"x1", "x2", "x3"}) {
			t.Errorf("a claims again %q, want x1 x2 x3", got)
		}
		e.clock.set(T0.Add(lease - time.Second))
		if got := replyTexts(e.claim(s2, "c", all, e.clock.now().Add(lease), 100, nil)); len(got) != 0 {
			t.Errorf("c claims %q before the leases expire, want nothing", got)
		}
		e.clock.set(T0.Add(lease + time.Second))
		if got := replyTexts(e.claim(s2, "c", all, e.clock.now().Add(lease), 100, nil)); !slices.Equal(got, []string{"x1", "y1", "x2", "x3"}) {
			t.Errorf("c claims %q once the leases expired, want x1 y1 x2 x3", got)
		}
		if got := replyTexts(e.claim(e.s, "a", all, e.clock.now().Add(lease), 100, nil)); len(got) != 0 {
			t.Errorf("a claims %q while c holds the leases, want nothing", got)
		}
	})

	t.Run("owns leaves the other destinations unleased", func(t *testing.T) {
		e := setup(t, open)
		e.enqueue(e.s, reply(x, "x1"), reply(y, "y1"), reply(z, "z1"))
		if got := replyTexts(e.claim(e.s, "a", all, T0.Add(lease), 100, only(y))); !slices.Equal(got, []string{"y1"}) {
			t.Errorf("a claims %q, want y1", got)
		}
		if got := replyTexts(e.claim(e.reopen(), "b", all, T0.Add(lease), 100, only(x, z))); !slices.Equal(got, []string{"x1", "z1"}) {
			t.Errorf("b claims %q, want x1 z1", got)
		}
	})

	t.Run("limit counts the messages claimed", func(t *testing.T) {
		// Messages an owner cannot take (another's lease, a destination
		// it does not own) do not use up its limit: it would otherwise
		// stop short of its own while they wait.
		e := setup(t, open)
		e.enqueue(e.s, reply(x, "x1"), reply(x, "x2"), reply(x, "x3"), reply(y, "y1"), reply(z, "z1"))
		if got := replyTexts(e.claim(e.s, "a", all, T0.Add(lease), 2, nil)); !slices.Equal(got, []string{"x1", "x2"}) {
			t.Fatalf("a claims %q with limit 2, want x1 x2", got)
		}
		if got := replyTexts(e.claim(e.s, "b", all, T0.Add(lease), 2, nil)); !slices.Equal(got, []string{"y1", "z1"}) {
			t.Errorf("b claims %q with limit 2 while a holds x, want y1 z1", got)
		}
		if got := replyTexts(e.claim(e.s, "c", all, T0.Add(lease), 1, only(y, z))); len(got) != 0 {
			t.Errorf("c claims %q while b holds y and z, want nothing", got)
		}
		e.enqueue(e.s, reply(addr("mattermost", "dm", "w"), "w1"))
		if got := replyTexts(e.claim(e.s, "c", all, T0.Add(lease), 1, only(addr("mattermost", "dm", "w")))); !slices.Equal(got, []string{"w1"}) {
			t.Errorf("c claims %q with limit 1, owning w only, want w1", got)
		}
	})

	t.Run("MarkSent, MarkFailed and MarkDead", func(t *testing.T) {
		e := setup(t, open)
		e.enqueue(e.s, reply(x, "sent"), reply(y, "failed"), reply(z, "dead"), reply(x, "waiting"))
		ms := e.claim(e.s, "a", all, T0.Add(lease), 100, nil)
		if len(ms) != 4 {
			t.Fatalf("claimed %q, want 4 messages", replyTexts(ms))
		}
		next := T0.Add(5 * time.Minute)
		for _, err := range []error{
			e.s.MarkSent(e.ctx, ms[0].ID, T0),
			e.s.MarkFailed(e.ctx, ms[1].ID, T0.Add(time.Minute), "timeout"),
			e.s.MarkFailed(e.ctx, ms[1].ID, next, "timeout again"),
			e.s.MarkDead(e.ctx, ms[2].ID, "unknown channel"),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		pending := e.pending(e.reopen())
		if got := replyTexts(pending); !slices.Equal(got, []string{"failed", "waiting"}) {
			t.Fatalf("pending %q, want failed and waiting", got)
		}
		if f := pending[0]; f.ID != ms[1].ID || f.Attempts != 2 || !f.NextAt.Equal(next) {
			t.Errorf("failed message: id %d, attempts %d, next %v; want %d, 2, %v", f.ID, f.Attempts, f.NextAt, ms[1].ID, next)
		}
		if w := pending[1]; w.Attempts != 0 || w.NextAt.After(T0) {
			t.Errorf("untouched message: attempts %d, next %v; want 0, due", w.Attempts, w.NextAt)
		}
		// Due or not, a message waiting for its retry is claimed in its
		// place (the dispatcher learns when it is due); its destination's
		// later messages wait behind it, unclaimed, so that they do not
		// use up the claim's limit.
		e.enqueue(e.s, reply(y, "after failed"))
		got := e.claim(e.s, "a", all, T0.Add(lease), 100, nil)
		if !slices.Equal(replyTexts(got), []string{"failed", "waiting"}) {
			t.Fatalf("claimed %q, want failed, waiting (not « after failed », behind failed)", replyTexts(got))
		}
		if got[0].Attempts != 2 || !got[0].NextAt.Equal(next) || got[0].Reply.Key != bot.OutboxKey(ms[1].ID) {
			t.Errorf("claimed failed message: %+v", got[0])
		}
	})

	t.Run("two owners on two handles never claim one message", func(t *testing.T) {
		e := setup(t, open)
		ss := []Store{e.s, e.reopen()}
		var batch []bot.Reply
		for i := range 20 {
			for u := range 10 {
				batch = append(batch, reply(addr("discord", "dm", fmt.Sprint("u", u)), fmt.Sprintf("u%d-%02d", u, i)))
			}
		}
		e.enqueue(e.s, batch...)
		got := make([][]bot.Outgoing, 2)
		errs := make([]error, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				<-start
				for range 5 {
					ms, err := ss[i].ClaimOutgoing(e.ctx, fmt.Sprint("owner", i), all, T0.Add(lease), 30, nil)
					if err != nil {
						errs[i] = err
						return
					}
					for _, m := range ms {
						if !slices.ContainsFunc(got[i], func(o bot.Outgoing) bool { return o.ID == m.ID }) {
							got[i] = append(got[i], m)
						}
					}
				}
			})
		}
		close(start)
		wg.Wait()
		owner := map[bot.Address]int{}
		seen := map[int64]int{}
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("owner%d: %v", i, errs[i])
			}
			for _, m := range got[i] {
				if o, ok := seen[m.ID]; ok {
					t.Fatalf("message %d claimed by owner%d and owner%d", m.ID, o, i)
				}
				seen[m.ID] = i
				if o, ok := owner[m.Reply.To]; ok && o != i {
					t.Fatalf("destination %v claimed by owner%d and owner%d", m.Reply.To, o, i)
				}
				owner[m.Reply.To] = i
			}
		}
		if len(seen) == 0 {
			t.Fatal("nothing claimed")
		}
	})
}
