package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

// errBoom is the error the tests' transactions fail with.
var errBoom = errors.New("boom")

// Inside a transaction the tests never call t.Fatal (it would leave the
// transaction open): they return an error, and report mismatches with
// t.Errorf.

func testTx(t *testing.T, open Opener) {
	t.Run("writes are visible inside", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "alice")
		awa := mediator("Awa")
		conv := FullConversation(a, 0)
		var id int64
		err := e.s.InTx(e.ctx, func(ctx context.Context) error {
			if err := e.s.Commit(ctx, conv, []bot.Turn{in(a, "humain", T0)}, []bot.Reply{reply(a, "Un instant.")}); err != nil {
				return fmt.Errorf("commit: %w", err)
			}
			var err error
			if id, err = e.s.OpenCase(ctx, bot.Case{Address: a, Queue: "papiers"}); err != nil {
				return fmt.Errorf("openCase: %w", err)
			}
			if _, err := e.s.UpdateCase(ctx, id, []bot.CaseStatus{bot.CaseOpen},
				bot.CaseChange{Status: bot.CaseClaimed, Mediator: awa, Note: "pris", At: T0},
				[]bot.Reply{reply(awa.Address, "Cas pris.")}); err != nil {
				return fmt.Errorf("updateCase: %w", err)
			}
			if err := e.s.Enqueue(ctx, []bot.Reply{reply(a, "Awa arrive.")}); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}

			if got, err := e.s.Conversation(ctx, a); err != nil || !equal(got, conv) {
				t.Errorf("Conversation inside = %+v, %v; want %+v", got, err, conv)
			}
			if got, err := e.s.RecentTurns(ctx, a, 5); err != nil || len(got) != 1 {
				t.Errorf("RecentTurns inside = %q, %v; want 1 turn", texts(got), err)
			}
			if got, err := e.s.Case(ctx, id); err != nil || got.Status != bot.CaseClaimed {
				t.Errorf("Case inside = %+v, %v; want claimed", got, err)
			}
			if again, err := e.s.OpenCase(ctx, bot.Case{Address: a}); err != nil || again != id {
				t.Errorf("OpenCase again inside = %d, %v; want %d", again, err, id)
			}
			if got, err := e.s.Cases(ctx, "papiers", bot.CaseClaimed); err != nil || !slices.Equal(caseIDs(got), []int64{id}) {
				t.Errorf("Cases inside = %v, %v; want [%d]", caseIDs(got), err, id)
			}
			if got, err := e.s.CaseNotes(ctx, id); err != nil || len(got) != 1 {
				t.Errorf("CaseNotes inside = %+v, %v; want 1 note", got, err)
			}
			if got, err := e.s.PendingOutgoing(ctx, 10); err != nil || len(got) != 3 {
				t.Errorf("PendingOutgoing inside = %q, %v; want 3 messages", replyTexts(got), err)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		s2 := e.reopen()
		if got := e.conversation(s2, a); !equal(got, conv) {
			t.Errorf("after commit: conversation %+v, want %+v", got, conv)
		}
		if got := e.caseOf(s2, id); got.Status != bot.CaseClaimed {
			t.Errorf("after commit: %s", describe(got))
		}
		if got := replyTexts(e.pending(s2)); !slices.Equal(got, []string{"Un instant.", "Cas pris.", "Awa arrive."}) {
			t.Errorf("after commit: queued %q", got)
		}
	})

	t.Run("writes are invisible outside until commit", func(t *testing.T) {
		e := setup(t, open)
		s2 := e.reopen()
		a := addr("discord", "dm", "alice")
		err := e.s.InTx(e.ctx, func(ctx context.Context) error {
			if err := e.s.Commit(ctx, simpleConversation(a, T0), []bot.Turn{in(a, "x", T0)}, []bot.Reply{reply(a, "y")}); err != nil {
				return fmt.Errorf("commit: %w", err)
			}
			// Outside: the first handle without the transaction, and
			// another process.
			for i, s := range []Store{e.s, s2} {
				if _, err := s.Conversation(e.ctx, a); !errors.Is(err, bot.ErrNoConversation) {
					t.Errorf("handle %d sees the conversation before the commit (err %v)", i+1, err)
				}
				if got, err := s.PendingOutgoing(e.ctx, 10); err != nil || len(got) != 0 {
					t.Errorf("handle %d sees %q, %v queued before the commit", i+1, replyTexts(got), err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		e.conversation(s2, a)
		if got := e.pending(s2); len(got) != 1 {
			t.Errorf("after commit: %d queued, want 1", len(got))
		}
	})

	t.Run("an error rolls back everything", func(t *testing.T) {
		e := setup(t, open)
		alice, bob, carol := addr("discord", "dm", "alice"), addr("discord", "dm", "bob"), addr("discord", "dm", "carol")
		// What exists before: bob in a case with a note, carol, a message.
		e.commit(e.s, simpleConversation(bob, T0), []bot.Turn{in(bob, "aide", T0)}, reply(bob, "Un instant."))
		bobCase := e.openCase(e.s, bot.Case{Address: bob, Queue: "papiers"})
		e.update(e.s, bobCase.ID, nil, bot.CaseChange{Note: "première note", At: T0})
		bobCase = e.caseOf(e.s, bobCase.ID)
		e.save(e.s, simpleConversation(carol, T0), in(carol, "bonjour", T0))
		queued := e.pendingReplies(e.s)

		awa := mediator("Awa")
		err := e.s.InTx(e.ctx, func(ctx context.Context) error {
			if err := e.s.Commit(ctx, FullConversation(alice, 0), []bot.Turn{in(alice, "humain", T0)}, []bot.Reply{reply(alice, "Un instant.")}); err != nil {
				return fmt.Errorf("commit: %w", err)
			}
			if _, err := e.s.OpenCase(ctx, bot.Case{Address: alice, Queue: "papiers"}); err != nil {
				return fmt.Errorf("openCase: %w", err)
			}
			if _, err := e.s.UpdateCase(ctx, bobCase.ID, []bot.CaseStatus{bot.CaseOpen},
				bot.CaseChange{Status: bot.CaseClaimed, Mediator: awa, Note: "pris", At: T0},
				[]bot.Reply{reply(awa.Address, "Cas pris.")}); err != nil {
				return fmt.Errorf("updateCase: %w", err)
			}
			if err := e.s.Enqueue(ctx, []bot.Reply{reply(bob, "Awa arrive.")}); err != nil {
				return fmt.Errorf("enqueue: %w", err)
			}
			if _, err := e.s.ForgetUser(ctx, "discord", "carol"); err != nil {
				return fmt.Errorf("forgetUser: %w", err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx err = %v, want fn's error", err)
		}
		for i, s := range []Store{e.s, e.reopen()} {
			if _, err := s.Conversation(e.ctx, alice); !errors.Is(err, bot.ErrNoConversation) {
				t.Errorf("handle %d: the conversation survived the rollback (err %v)", i+1, err)
			}
			if got := e.turns(s, alice, 10); len(got) != 0 {
				t.Errorf("handle %d: turns survived the rollback: %q", i+1, texts(got))
			}
			if got := e.cases(s, "", bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed); !slices.Equal(caseIDs(got), []int64{bobCase.ID}) {
				t.Errorf("handle %d: cases %v after the rollback, want bob's only", i+1, caseIDs(got))
			}
			if got := e.caseOf(s, bobCase.ID); !equal(got, bobCase) {
				t.Errorf("handle %d: bob's case changed by the rollback:\n got %+v\nwant %+v", i+1, got, bobCase)
			}
			if got := e.notes(s, bobCase.ID); len(got) != 1 {
				t.Errorf("handle %d: bob's notes %+v after the rollback, want the first only", i+1, got)
			}
			if got := e.pendingReplies(s); !equal(got, queued) {
				t.Errorf("handle %d: queued %+v after the rollback, want %+v", i+1, got, queued)
			}
			if got := e.turns(s, carol, 10); len(got) != 1 {
				t.Errorf("handle %d: carol's erasure survived the rollback: turns %q", i+1, texts(got))
			}
		}
	})

	t.Run("nested InTx joins the outer transaction", func(t *testing.T) {
		e := setup(t, open)
		a, b := addr("discord", "dm", "alice"), addr("discord", "dm", "bob")

		// The inner call commits nothing of its own: the outer error
		// rolls back what it wrote.
		err := e.s.InTx(e.ctx, func(ctx context.Context) error {
			if err := e.s.InTx(ctx, func(ctx context.Context) error {
				return e.s.Commit(ctx, simpleConversation(a, T0), []bot.Turn{in(a, "x", T0)}, []bot.Reply{reply(a, "y")})
			}); err != nil {
				return fmt.Errorf("inner InTx: %w", err)
			}
			if _, err := e.s.Conversation(ctx, a); err != nil {
				t.Errorf("the outer transaction does not see the inner one's write: %v", err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx err = %v, want the outer fn's error", err)
		}
		if _, err := e.s.Conversation(e.ctx, a); !errors.Is(err, bot.ErrNoConversation) {
			t.Errorf("the inner write survived the outer rollback (err %v)", err)
		}

		// An inner error, passed on, rolls back the outer writes too.
		err = e.s.InTx(e.ctx, func(ctx context.Context) error {
			if err := e.s.Commit(ctx, simpleConversation(b, T0), nil, nil); err != nil {
				return fmt.Errorf("saveTurn: %w", err)
			}
			return e.s.InTx(ctx, func(ctx context.Context) error {
				if err := e.s.Enqueue(ctx, []bot.Reply{reply(b, "y")}); err != nil {
					return fmt.Errorf("enqueue: %w", err)
				}
				return errBoom
			})
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx err = %v, want the inner fn's error", err)
		}
		if _, err := e.s.Conversation(e.ctx, b); !errors.Is(err, bot.ErrNoConversation) {
			t.Errorf("the outer write survived the inner error (err %v)", err)
		}
		if got := e.pending(e.s); len(got) != 0 {
			t.Errorf("queued %q after the rollback", replyTexts(got))
		}

		// Both succeed: everything commits.
		err = e.s.InTx(e.ctx, func(ctx context.Context) error {
			if err := e.s.Commit(ctx, simpleConversation(a, T0), nil, nil); err != nil {
				return err
			}
			return e.s.InTx(ctx, func(ctx context.Context) error {
				return e.s.Commit(ctx, simpleConversation(b, T0), nil, nil)
			})
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		e.conversation(e.s, a)
		e.conversation(e.s, b)
	})

	t.Run("a tree published in a rolled-back transaction is gone", func(t *testing.T) {
		e := setup(t, open)
		rolledBack, kept := sampleTree(), sampleTree()
		rolledBack.Title = "rolled back"
		err := e.s.InTx(e.ctx, func(ctx context.Context) error {
			v, err := e.s.PublishTree(ctx, rolledBack)
			if err != nil {
				return fmt.Errorf("publishTree: %w", err)
			}
			if got, err := e.s.TreeVersion(ctx, rolledBack.ID, v); err != nil || got.Title != rolledBack.Title {
				t.Errorf("TreeVersion inside = %v, %v", got, err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx err = %v, want fn's error", err)
		}
		if _, err := e.s.TreeVersion(e.ctx, rolledBack.ID, 1); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("TreeVersion of the rolled-back version: err = %v, want ErrNotFound", err)
		}
		v := e.publish(e.s, kept)
		for i, s := range []Store{e.s, e.reopen()} {
			got, err := s.TreeVersion(e.ctx, kept.ID, v)
			switch {
			case err != nil:
				t.Errorf("handle %d: version %d: %v", i+1, v, err)
			case !equal(got, kept):
				t.Errorf("handle %d: version %d is titled %q, want the tree published after the rollback (%q)", i+1, v, got.Title, kept.Title)
			}
		}
	})
}
