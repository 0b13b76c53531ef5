package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

func testRetention(t *testing.T, open Opener) {
	cut := T0.Add(-30 * 24 * time.Hour)
	old, recent := cut.Add(-time.Hour), cut.Add(time.Hour)

	t.Run("PurgeBefore keeps what a mediator still needs", func(t *testing.T) {
		e := setup(t, open)
		save := func(a bot.Address, updated time.Time, turnTimes ...time.Time) {
			t.Helper()
			c := simpleConversation(a, updated)
			c.CreatedAt = old.Add(-time.Hour)
			var turns []bot.Turn
			for _, at := range turnTimes {
				turns = append(turns, in(a, at.Format(time.RFC3339), at))
			}
			e.save(e.s, c, turns...)
		}
		stale := addr("discord", "c", "stale")             // deleted with its turns
		active := addr("discord", "c", "active")           // kept, its old turn deleted
		waiting := addr("discord", "c", "waiting")         // stale, but its case is open: kept
		held := addr("discord", "c", "held")               // stale, but its case is claimed: kept
		closedOld := addr("discord", "c", "closed-old")    // stale, its case closed long ago: all deleted
		closedRecent := addr("discord", "c", "closed-new") // recent, its case closed recently: kept
		save(stale, old, old, old.Add(time.Second))
		save(active, recent, old, recent)
		save(waiting, old, old)
		save(held, old, old)
		save(closedOld, old, old)
		save(closedRecent, recent)

		waitingCase := e.openCase(e.s, bot.Case{Address: waiting, Queue: "q", Status: bot.CaseOpen, CreatedAt: old.Add(-time.Hour)})
		e.update(e.s, waitingCase.ID, nil, bot.CaseChange{Note: "en attente", At: old})
		heldCase := e.openCase(e.s, bot.Case{Address: held, Queue: "q", Status: bot.CaseClaimed, Mediator: mediator("Awa"),
			CreatedAt: old.Add(-time.Hour), UpdatedAt: old})
		oldCase := e.openCase(e.s, bot.Case{Address: closedOld, Queue: "q", Status: bot.CaseOpen, CreatedAt: old.Add(-time.Hour)})
		e.update(e.s, oldCase.ID, nil, bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", Note: "fini", At: old})
		recentCase := e.openCase(e.s, bot.Case{Address: closedRecent, Queue: "q", Status: bot.CaseOpen, CreatedAt: old.Add(-time.Hour)})
		e.update(e.s, recentCase.ID, nil, bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", Note: "fini", At: recent})

		n, err := e.s.PurgeBefore(e.ctx, cut)
		if err != nil {
			t.Fatalf("PurgeBefore: %v", err)
		}
		if n <= 0 {
			t.Errorf("PurgeBefore = %d, want the number of rows deleted", n)
		}
		for h, s := range []Store{e.s, e.reopen()} {
			for _, tt := range []struct {
				a     bot.Address
				kept  bool
				turns []string
			}{
				{stale, false, nil},
				{active, true, []string{recent.Format(time.RFC3339)}},
				{waiting, true, nil},
				{held, true, nil},
				{closedOld, false, nil},
				{closedRecent, true, nil},
			} {
				if _, err := s.Conversation(e.ctx, tt.a); tt.kept != (err == nil) || (err != nil && !errors.Is(err, bot.ErrNoConversation)) {
					t.Errorf("handle %d: %s: conversation kept = %v (err %v), want %v", h+1, tt.a.User, err == nil, err, tt.kept)
				}
				if got := texts(e.turns(s, tt.a, 10)); !slices.Equal(got, tt.turns) {
					t.Errorf("handle %d: %s: turns %q left, want %q", h+1, tt.a.User, got, tt.turns)
				}
			}
			if _, err := s.Case(e.ctx, oldCase.ID); !errors.Is(err, knowledge.ErrNotFound) {
				t.Errorf("handle %d: the case closed long ago: err = %v, want ErrNotFound", h+1, err)
			}
			if _, err := s.CaseNotes(e.ctx, oldCase.ID); !errors.Is(err, knowledge.ErrNotFound) {
				t.Errorf("handle %d: notes of the case closed long ago: err = %v, want ErrNotFound", h+1, err)
			}
			want := []int64{waitingCase.ID, heldCase.ID, recentCase.ID}
			if got := caseIDs(e.cases(s, "", bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed)); !slices.Equal(got, want) {
				t.Errorf("handle %d: cases %v left, want %v", h+1, got, want)
			}
			if got := e.notes(s, waitingCase.ID); len(got) != 1 {
				t.Errorf("handle %d: notes of the waiting case: %+v, want 1", h+1, got)
			}
			if got := e.notes(s, recentCase.ID); len(got) != 1 {
				t.Errorf("handle %d: notes of the recently closed case: %+v, want 1", h+1, got)
			}
		}
		if n, err := e.s.PurgeBefore(e.ctx, cut); err != nil || n != 0 {
			t.Errorf("PurgeBefore again = %d, %v; want 0, nil", n, err)
		}
	})

	t.Run("PurgeBefore deletes old sent and dead messages only", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		e.clock.set(old)
		e.enqueue(e.s, reply(a, "sent"), reply(a, "dead"), reply(a, "failed"), reply(a, "pending"))
		ms := e.pending(e.s)
		e.clock.set(recent)
		e.enqueue(e.s, reply(a, "sent recently"))
		recentMs := e.pending(e.s)
		e.clock.set(T0)
		for _, err := range []error{
			e.s.MarkSent(e.ctx, ms[0].ID, old),
			e.s.MarkDead(e.ctx, ms[1].ID, "refused"),
			e.s.MarkFailed(e.ctx, ms[2].ID, T0.Add(time.Minute), "down"),
			e.s.MarkSent(e.ctx, recentMs[len(recentMs)-1].ID, recent),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := e.s.PurgeBefore(e.ctx, cut)
		if err != nil {
			t.Fatalf("PurgeBefore: %v", err)
		}
		if n != 2 {
			t.Errorf("PurgeBefore = %d, want 2 (the old sent and dead messages)", n)
		}
		if got := replyTexts(e.pending(e.s)); !slices.Equal(got, []string{"failed", "pending"}) {
			t.Errorf("pending %q after the purge, want failed and pending", got)
		}
	})
}
