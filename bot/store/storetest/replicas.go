package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

// Several processes on one database behave as one bot (docs/scale.md):
// each handle here stands for a replica.

// Leaser is the periodic jobs' lease (retention, re-announcements,
// catch-up): a store offering it passes testLeases.
type Leaser interface {
	TryLease(ctx context.Context, name, owner string, until time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error
}

// replicas is how many handles the concurrent tests open.
const replicas = 4

func (e *env) handles(n int) []Store {
	hs := []Store{e.s}
	for len(hs) < n {
		hs = append(hs, e.reopen())
	}
	return hs
}

func testReplicas(t *testing.T, open Opener) {
	t.Run("a message every replica receives is handled once", func(t *testing.T) {
		e := setup(t, open)
		hs := e.handles(replicas)
		for msg := range 20 {
			id := fmt.Sprintf("post-%d", msg)
			var (
				mu      sync.Mutex
				claimed int
				wg      sync.WaitGroup
			)
			for _, h := range hs {
				wg.Go(func() {
					err := h.InTx(e.ctx, func(ctx context.Context) error {
						ok, err := h.ClaimHandled(ctx, "mattermost", id)
						if ok {
							mu.Lock()
							claimed++
							mu.Unlock()
						}
						return err
					})
					if err != nil {
						t.Errorf("ClaimHandled %s: %v", id, err)
					}
				})
			}
			wg.Wait()
			if claimed != 1 {
				t.Fatalf("message %s claimed %d times by %d replicas, want once", id, claimed, len(hs))
			}
		}
	})

	t.Run("a claim whose turn rolled back is claimed again", func(t *testing.T) {
		e := setup(t, open)
		other := e.reopen()
		err := e.s.InTx(e.ctx, func(ctx context.Context) error {
			if ok, err := e.s.ClaimHandled(ctx, "mattermost", "p1"); err != nil || !ok {
				return fmt.Errorf("first claim = %v, %v; want true", ok, err)
			}
			return errBoom // the process died mid-turn
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		err = other.InTx(e.ctx, func(ctx context.Context) error {
			ok, err := other.ClaimHandled(ctx, "mattermost", "p1")
			if err == nil && !ok {
				err = errors.New("not claimed after the first turn rolled back")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := e.s.Handled(e.ctx, "mattermost", "p1"); err != nil || !ok {
			t.Errorf("Handled after the claim committed = %v, %v; want true", ok, err)
		}
	})

	t.Run("turns of one conversation on several replicas never lose an update", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "alice")
		e.save(e.s, simpleConversation(a, T0))
		hs := e.handles(replicas)
		const each = 10
		var wg sync.WaitGroup
		for _, h := range hs {
			wg.Go(func() {
				for range each {
					err := h.InTx(e.ctx, func(ctx context.Context) error {
						c, err := h.Conversation(ctx, a)
						if err != nil {
							return err
						}
						c.Seq++
						c.UpdatedAt = T0
						return h.Commit(ctx, c, []bot.Turn{in(a, fmt.Sprint(c.Seq), T0)}, nil)
					})
					if err != nil {
						t.Errorf("turn: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := e.conversation(e.s, a).Seq; got != len(hs)*each {
			t.Errorf("seq %d after %d turns, want %d (an update was lost)", got, len(hs)*each, len(hs)*each)
		}
	})

	t.Run("dispatchers on several replicas send each message once, in order", func(t *testing.T) {
		e := setup(t, open)
		var want []bot.Reply
		for i := range 60 {
			to := addr("discord", "dm", fmt.Sprintf("u%d", i%7))
			want = append(want, reply(to, fmt.Sprintf("m%02d", i)))
		}
		e.enqueue(e.s, want...)
		hs := e.handles(replicas)
		var (
			mu   sync.Mutex
			sent = map[bot.Address][]string{}
			wg   sync.WaitGroup
		)
		for i, h := range hs {
			owner := fmt.Sprintf("replica-%d", i)
			wg.Go(func() {
				for {
					ms, err := h.ClaimOutgoing(e.ctx, owner, []string{"discord"}, T0.Add(time.Minute), 5, nil)
					if err != nil {
						t.Errorf("%s: claim: %v", owner, err)
						return
					}
					if len(ms) == 0 {
						pending, err := h.PendingOutgoing(e.ctx, 1)
						if err != nil || len(pending) == 0 {
							return
						}
						continue // another replica holds what is left
					}
					for _, m := range ms {
						mu.Lock()
						sent[m.Reply.To] = append(sent[m.Reply.To], m.Reply.Text)
						mu.Unlock()
						if err := h.MarkSent(e.ctx, m.ID, T0); err != nil {
							t.Errorf("%s: mark sent: %v", owner, err)
							return
						}
					}
				}
			})
		}
		wg.Wait()
		wantBy := map[bot.Address][]string{}
		for _, r := range want {
			wantBy[r.To] = append(wantBy[r.To], r.Text)
		}
		for to, w := range wantBy {
			if !slices.Equal(sent[to], w) {
				t.Errorf("%s received %q, want %q once each, in order", to.User, sent[to], w)
			}
		}
	})

	t.Run("concurrent publications of one tree make one version", func(t *testing.T) {
		e := setup(t, open)
		hs := e.handles(replicas)
		versions := make([]int, len(hs))
		var wg sync.WaitGroup
		for i, h := range hs {
			wg.Go(func() {
				v, err := h.PublishTree(e.ctx, sampleTree())
				if err != nil {
					t.Errorf("PublishTree: %v", err)
				}
				versions[i] = v
			})
		}
		wg.Wait()
		for i, v := range versions {
			if v != 1 {
				t.Errorf("replica %d got version %d, want 1 for all", i, v)
			}
		}
	})

	t.Run("periodic jobs: one lease holder, taken over when it expires", func(t *testing.T) {
		e := setup(t, open)
		a, ok1 := e.s.(Leaser)
		b, ok2 := e.reopen().(Leaser)
		if !ok1 || !ok2 {
			t.Skip("the store has no leases")
		}
		take := func(l Leaser, owner string, until time.Time) bool {
			t.Helper()
			ok, err := l.TryLease(e.ctx, "retention", owner, until)
			if err != nil {
				t.Fatalf("TryLease %s: %v", owner, err)
			}
			return ok
		}
		if !take(a, "a", T0.Add(15*time.Second)) {
			t.Fatal("a did not get a free lease")
		}
		if take(b, "b", T0.Add(15*time.Second)) {
			t.Fatal("b took a's live lease")
		}
		if !take(a, "a", T0.Add(30*time.Second)) {
			t.Fatal("a could not renew its lease")
		}
		e.clock.advance(20 * time.Second)
		if take(b, "b", T0.Add(35*time.Second)) {
			t.Fatal("b took a's renewed lease before it expired")
		}
		e.clock.advance(11 * time.Second) // a died: its lease ran out
		if !take(b, "b", T0.Add(46*time.Second)) {
			t.Fatal("b did not take over an expired lease")
		}
		if err := b.ReleaseLease(e.ctx, "retention", "b"); err != nil {
			t.Fatal(err)
		}
		if !take(a, "a", T0.Add(60*time.Second)) {
			t.Fatal("a did not get a released lease")
		}
		// Concurrent takers of a free lease: exactly one wins.
		c := e.reopen().(Leaser)
		var wins int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, l := range []Leaser{a, b, c} {
			wg.Go(func() {
				ok, err := l.TryLease(e.ctx, "reannounce", fmt.Sprint(i), T0.Add(time.Hour))
				if err != nil {
					t.Errorf("TryLease: %v", err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d replicas hold one lease, want 1", wins)
		}
	})
}
