package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge"
)

func testCases(t *testing.T, open Opener) {
	t.Run("round trip of every field", func(t *testing.T) {
		e := setup(t, open)
		for i, c := range []bot.Case{
			{Queue: "papiers", Status: bot.CaseOpen, Lang: "fr", Summary: bot.CaseSummary{Topic: "papiers", Reason: "asked"},
				CreatedAt: T0, UpdatedAt: T0},
			{Queue: "impots", Status: bot.CaseClaimed, Lang: "en",
				Summary: bot.CaseSummary{
					Topic: "Impôts", TreeID: "impots", Path: []bot.Step{{Node: "q1", Choice: "Oui"}},
					Shown: []string{"f1", "f2"}, LastWords: []string{"je comprends rien", "humain"},
					Reason: "danger", Jurisdiction: "QC",
				},
				Consent: true, Mediator: mediator("Awa"), Outcome: "en cours", Satisfaction: 4,
				AnnouncedAt: T0.Add(-time.Minute), CreatedAt: T0.Add(-time.Hour), UpdatedAt: T0.Add(-time.Second),
				Urgent: []string{"violence", "suicide"}},
		} {
			c.Address = addr("discord", "dm", fmt.Sprint("u", i))
			id, err := e.s.OpenCase(e.ctx, c)
			if err != nil {
				t.Fatalf("OpenCase: %v", err)
			}
			want := c
			want.ID = id
			for h, s := range []Store{e.s, e.reopen()} {
				if got := e.caseOf(s, id); !equal(got, want) {
					t.Errorf("case %d, handle %d:\n got %+v\nwant %+v", i, h+1, got, want)
				}
			}
		}
	})

	t.Run("one active case per address", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		first := e.openCase(e.s, bot.Case{Address: a, Queue: "papiers", Status: bot.CaseOpen, CreatedAt: T0})
		again := func(what string, want int64) {
			t.Helper()
			if id, err := e.s.OpenCase(e.ctx, bot.Case{Address: a, Queue: "autre", Status: bot.CaseOpen, CreatedAt: T0}); err != nil || id != want {
				t.Errorf("OpenCase %s = %d, %v; want %d", what, id, err, want)
			}
		}
		again("while open", first.ID)
		e.update(e.s, first.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: mediator("Awa"), At: T0})
		again("while claimed", first.ID)
		if got := e.caseOf(e.s, first.ID); got.Queue != "papiers" {
			t.Errorf("opening again changed the case's queue to %q", got.Queue)
		}
		other, err := e.s.OpenCase(e.ctx, bot.Case{Address: addr("discord", "general", "u"), Status: bot.CaseOpen, CreatedAt: T0})
		if err != nil || other == first.ID {
			t.Errorf("OpenCase in another channel = %d, %v; want a case of its own", other, err)
		}
		e.update(e.s, first.ID, []bot.CaseStatus{bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", At: T0})
		next, err := e.s.OpenCase(e.ctx, bot.Case{Address: a, Status: bot.CaseOpen, CreatedAt: T0})
		if err != nil || next == first.ID || next == other {
			t.Errorf("OpenCase after the close = %d, %v; want a new case", next, err)
		}
		if got := e.caseOf(e.s, first.ID); got.Status != bot.CaseClosed {
			t.Errorf("the closed case is now %s", got.Status)
		}
	})

	t.Run("concurrent OpenCase of one address open one case", func(t *testing.T) {
		e := setup(t, open)
		ss := []Store{e.s, e.reopen()}
		a := addr("mattermost", "town", "u")
		const n = 10
		ids := make([]int64, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				ids[i], errs[i] = ss[i%2].OpenCase(e.ctx, bot.Case{Address: a, Queue: "q", Status: bot.CaseOpen, CreatedAt: T0,
					Summary: bot.CaseSummary{Topic: fmt.Sprint(i)}})
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("goroutine %d: case %d, %v; goroutine 0 got case %d", i, ids[i], errs[i], ids[0])
			}
		}
		if got := e.cases(e.s, "", bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed); len(got) != 1 {
			t.Errorf("%d cases stored, want 1", len(got))
		}
	})

	t.Run("unknown case is not found", func(t *testing.T) {
		e := setup(t, open)
		e.openCase(e.s, bot.Case{Address: addr("discord", "dm", "u"), Status: bot.CaseOpen, CreatedAt: T0})
		const unknown = 424242
		if _, err := e.s.Case(e.ctx, unknown); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("Case: err = %v, want ErrNotFound", err)
		}
		if _, err := e.s.CaseNotes(e.ctx, unknown); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("CaseNotes: err = %v, want ErrNotFound", err)
		}
		_, err := e.s.UpdateCase(e.ctx, unknown, []bot.CaseStatus{bot.CaseOpen},
			bot.CaseChange{Status: bot.CaseClaimed, Mediator: mediator("Awa"), At: T0}, []bot.Reply{reply(mediator("Awa").Address, "Cas pris.")})
		if !errors.Is(err, knowledge.ErrNotFound) || errors.Is(err, bot.ErrCaseConflict) {
			t.Errorf("UpdateCase: err = %v, want ErrNotFound and no conflict", err)
		}
		if got := e.pending(e.s); len(got) != 0 {
			t.Errorf("UpdateCase of an unknown case queued %q", replyTexts(got))
		}
	})

	t.Run("UpdateCase applies the change and queues its messages", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "u")
		awa := mediator("Awa")
		want := e.openCase(e.s, bot.Case{Address: a, Queue: "papiers", Status: bot.CaseOpen, Lang: "fr",
			Summary: bot.CaseSummary{Topic: "t", Reason: "asked"}, CreatedAt: T0.Add(-time.Hour), UpdatedAt: T0.Add(-time.Hour)})
		var queued []bot.Reply
		steps := []struct {
			name string
			from []bot.CaseStatus
			ch   bot.CaseChange
			out  []bot.Reply
			want func(c *bot.Case, at time.Time)
		}{
			{"announce", []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Announced: true},
				[]bot.Reply{{To: addr("discord", "queue-papiers", ""), About: a, Text: "Nouvelle demande"}},
				func(c *bot.Case, at time.Time) { c.AnnouncedAt = at }},
			{"claim", []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: awa},
				[]bot.Reply{reply(a, "Awa arrive."), {To: awa.Address, About: a, Text: "Cas pris."}},
				func(c *bot.Case, at time.Time) { c.Status, c.Mediator, c.ClaimedAt = bot.CaseClaimed, awa, at }},
			{"hand back to another queue", []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed},
				bot.CaseChange{Status: bot.CaseOpen, ClearMediator: true, Queue: "impots", Announced: true}, nil,
				func(c *bot.Case, at time.Time) {
					c.Status, c.Mediator, c.Queue, c.AnnouncedAt = bot.CaseOpen, nil, "impots", at
				}},
			// The first claim's time is kept: the report counts one claim
			// per case.
			{"claim again", []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: awa}, nil,
				func(c *bot.Case, _ time.Time) { c.Status, c.Mediator = bot.CaseClaimed, awa }},
			{"touch", []bot.CaseStatus{bot.CaseClaimed}, bot.CaseChange{}, []bot.Reply{{To: a, Text: "relais"}},
				func(*bot.Case, time.Time) {}},
			{"close", []bot.CaseStatus{bot.CaseClaimed}, bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved"},
				[]bot.Reply{reply(a, "Notez l'aide reçue")},
				func(c *bot.Case, _ time.Time) { c.Status, c.Outcome = bot.CaseClosed, "resolved" }},
			{"rate", []bot.CaseStatus{bot.CaseClosed}, bot.CaseChange{Satisfaction: 5}, nil,
				func(c *bot.Case, _ time.Time) { c.Satisfaction = 5 }},
		}
		for i, st := range steps {
			at := T0.Add(time.Duration(i+1) * time.Minute)
			st.ch.At = at
			st.want(&want, at)
			want.UpdatedAt = at
			got := e.update(e.s, want.ID, st.from, st.ch, st.out...)
			if !equal(got, want) {
				t.Errorf("%s returned\n got %+v\nwant %+v", st.name, got, want)
			}
			if stored := e.caseOf(e.reopen(), want.ID); !equal(stored, want) {
				t.Errorf("%s stored\n got %+v\nwant %+v", st.name, stored, want)
			}
			queued = append(queued, st.out...)
			if got := e.pendingReplies(e.s); !equal(got, queued) {
				t.Errorf("%s queued\n got %+v\nwant %+v", st.name, got, queued)
			}
		}
	})

	t.Run("a conflict changes nothing", func(t *testing.T) {
		e := setup(t, open)
		awa, bob := mediator("Awa"), mediator("Bob")
		claimed := e.openCase(e.s, bot.Case{Address: addr("discord", "dm", "u"), Queue: "papiers", Status: bot.CaseClaimed, Mediator: awa,
			CreatedAt: T0.Add(-time.Hour), UpdatedAt: T0.Add(-time.Hour)})
		closed := e.openCase(e.s, bot.Case{Address: addr("discord", "dm", "v"), Queue: "papiers", Status: bot.CaseClaimed, Mediator: awa,
			CreatedAt: T0.Add(-time.Hour)})
		closed = e.update(e.s, closed.ID, nil, bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", At: T0.Add(-time.Minute)})
		for _, tt := range []struct {
			name string
			c    bot.Case
			from []bot.CaseStatus
			ch   bot.CaseChange
		}{
			{"claim of a claimed case", claimed, []bot.CaseStatus{bot.CaseOpen},
				bot.CaseChange{Status: bot.CaseClaimed, Mediator: bob, Note: "à moi", Urgent: []string{"x"}, Announced: true}},
			{"close of a closed case", closed, []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed},
				bot.CaseChange{Status: bot.CaseClosed, Outcome: "handed back", Note: "fini", Queue: "impots"}},
			{"rating of an open case", claimed, []bot.CaseStatus{bot.CaseClosed}, bot.CaseChange{Satisfaction: 2}},
		} {
			tt.ch.At = T0
			got, err := e.s.UpdateCase(e.ctx, tt.c.ID, tt.from, tt.ch, []bot.Reply{reply(bob.Address, "Cas pris.")})
			if !errors.Is(err, bot.ErrCaseConflict) {
				t.Errorf("%s: err = %v, want ErrCaseConflict", tt.name, err)
			}
			if !equal(got, tt.c) {
				t.Errorf("%s returned\n got %+v\nwant the case as it is %+v", tt.name, got, tt.c)
			}
			if stored := e.caseOf(e.s, tt.c.ID); !equal(stored, tt.c) {
				t.Errorf("%s changed the case:\n got %+v\nwant %+v", tt.name, stored, tt.c)
			}
			if ns := e.notes(e.s, tt.c.ID); len(ns) != 0 {
				t.Errorf("%s wrote notes %+v", tt.name, ns)
			}
		}
		if got := e.pending(e.s); len(got) != 0 {
			t.Errorf("conflicts queued %q", replyTexts(got))
		}
	})

	t.Run("claim race has exactly one winner", func(t *testing.T) {
		e := setup(t, open)
		ss := []Store{e.s, e.reopen()}
		c := e.openCase(e.s, bot.Case{Address: addr("mattermost", "town", "u"), Queue: "papiers", Status: bot.CaseOpen, CreatedAt: T0})
		const n = 10
		got := make([]bot.Case, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				m := mediator(fmt.Sprint("M", i))
				<-start
				got[i], errs[i] = ss[i%2].UpdateCase(e.ctx, c.ID, []bot.CaseStatus{bot.CaseOpen},
					bot.CaseChange{Status: bot.CaseClaimed, Mediator: m, Note: "pris", At: T0},
					[]bot.Reply{reply(m.Address, "Cas pris.")})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i := range n {
			switch {
			case errs[i] == nil && winner >= 0:
				t.Fatalf("goroutines %d and %d both claimed the case", winner, i)
			case errs[i] == nil:
				winner = i
			case !errors.Is(errs[i], bot.ErrCaseConflict):
				t.Fatalf("goroutine %d: %v", i, errs[i])
			}
		}
		if winner < 0 {
			t.Fatal("nobody claimed the case")
		}
		w := mediator(fmt.Sprint("M", winner))
		for i := range n {
			if got[i].Status != bot.CaseClaimed || !equal(got[i].Mediator, w) {
				t.Errorf("goroutine %d sees %s, want claimed by %s", i, describe(got[i]), w.Name)
			}
		}
		for h, s := range ss {
			if p := e.pendingReplies(s); !equal(p, []bot.Reply{reply(w.Address, "Cas pris.")}) {
				t.Errorf("handle %d: queued %+v, want the winner's notice only", h+1, p)
			}
			if ns := e.notes(s, c.ID); len(ns) != 1 || ns[0].Author != w.Name {
				t.Errorf("handle %d: notes %+v, want the winner's only", h+1, ns)
			}
		}
	})

	t.Run("notes accumulate, oldest first", func(t *testing.T) {
		e := setup(t, open)
		awa, bob := mediator("Awa"), mediator("Bob")
		c := e.openCase(e.s, bot.Case{Address: addr("discord", "dm", "u"), Status: bot.CaseClaimed, Mediator: awa, CreatedAt: T0})
		other := e.openCase(e.s, bot.Case{Address: addr("discord", "dm", "v"), Status: bot.CaseOpen, CreatedAt: T0})
		for _, n := range []struct {
			id   int64
			ch   bot.CaseChange
			from []bot.CaseStatus
		}{
			{c.ID, bot.CaseChange{Note: "trois", At: T0.Add(2 * time.Minute)}, nil},
			{c.ID, bot.CaseChange{Note: "un", At: T0.Add(time.Minute)}, []bot.CaseStatus{bot.CaseClaimed}},
			{other.ID, bot.CaseChange{Note: "ailleurs", At: T0}, nil},
			{c.ID, bot.CaseChange{Note: "deux", Mediator: bob, At: T0.Add(time.Minute)}, nil}, // same time: written order
			{other.ID, bot.CaseChange{Note: "personne", At: T0.Add(time.Minute)}, nil},
		} {
			e.update(e.s, n.id, n.from, n.ch)
		}
		// A note's author is the change's mediator, else the case's, else
		// nobody.
		want := []bot.CaseNote{
			{Author: "Awa", Text: "un", At: T0.Add(time.Minute)},
			{Author: "Bob", Text: "deux", At: T0.Add(time.Minute)},
			{Author: "Awa", Text: "trois", At: T0.Add(2 * time.Minute)},
		}
		wantOther := []bot.CaseNote{{Author: "", Text: "ailleurs", At: T0}, {Author: "", Text: "personne", At: T0.Add(time.Minute)}}
		for h, s := range []Store{e.s, e.reopen()} {
			if got := e.notes(s, c.ID); !equal(got, want) {
				t.Errorf("handle %d: notes\n got %+v\nwant %+v", h+1, got, want)
			}
			if got := e.notes(s, other.ID); !equal(got, wantOther) {
				t.Errorf("handle %d: notes of the other case\n got %+v\nwant %+v", h+1, got, wantOther)
			}
		}
		empty := e.openCase(e.s, bot.Case{Address: addr("discord", "dm", "w"), Status: bot.CaseOpen, CreatedAt: T0})
		if got := e.notes(e.s, empty.ID); len(got) != 0 {
			t.Errorf("notes of a case without any: %+v", got)
		}
	})

	t.Run("case messages are its relayed turns, both sides, the latest n, oldest first", func(t *testing.T) {
		e := setup(t, open)
		awa := mediator("Awa")
		u, v := addr("discord", "dm", "u"), addr("discord", "dm", "v")
		c := e.openCase(e.s, bot.Case{Address: u, Status: bot.CaseClaimed, Mediator: awa, CreatedAt: T0})
		other := e.openCase(e.s, bot.Case{Address: v, Status: bot.CaseOpen, CreatedAt: T0})
		relayed := func(a bot.Address, text string, sec int, id int64) bot.Turn {
			return bot.Turn{Address: a, Text: text, At: T0.Add(time.Duration(sec) * time.Second), CaseID: id, Relayed: true}
		}
		e.save(e.s, simpleConversation(u, T0),
			in(u, "avant la demande", T0),
			relayed(u, "bonjour", 1, c.ID),
			bot.Turn{Address: u, Text: "Oui, partager", At: T0.Add(time.Second), CaseID: c.ID}, // not relayed
			relayed(u, "même seconde, écrit après", 1, c.ID),
		)
		e.save(e.s, simpleConversation(awa.Address, T0),
			relayed(awa.Address, "bonjour, ici Awa", 2, c.ID),
			bot.Turn{Address: awa.Address, Text: "!note 1 rappeler", At: T0.Add(3 * time.Second), CaseID: c.ID},
			relayed(awa.Address, "à bientôt", 4, c.ID),
		)
		e.save(e.s, simpleConversation(v, T0), relayed(v, "ailleurs", 2, other.ID))
		want := []bot.Turn{
			relayed(u, "bonjour", 1, c.ID), relayed(u, "même seconde, écrit après", 1, c.ID),
			relayed(awa.Address, "bonjour, ici Awa", 2, c.ID), relayed(awa.Address, "à bientôt", 4, c.ID),
		}
		for h, s := range []Store{e.s, e.reopen()} {
			got, err := s.CaseMessages(e.ctx, c.ID, 10)
			if err != nil || !equal(got, want) {
				t.Errorf("handle %d: CaseMessages = %v\n got %+v\nwant %+v", h+1, err, got, want)
			}
			if got, err := s.CaseMessages(e.ctx, c.ID, 2); err != nil || !equal(got, want[2:]) {
				t.Errorf("handle %d: the latest 2 = %v %q, want %q", h+1, err, texts(got), texts(want[2:]))
			}
			if got, err := s.CaseMessages(e.ctx, other.ID+100, 10); err != nil || len(got) != 0 {
				t.Errorf("handle %d: messages of an unknown case = %q, %v; want none", h+1, texts(got), err)
			}
		}
	})

	t.Run("urgent kinds accumulate", func(t *testing.T) {
		e := setup(t, open)
		c := e.openCase(e.s, bot.Case{Address: addr("discord", "dm", "u"), Status: bot.CaseOpen, CreatedAt: T0, Urgent: []string{"violence"}})
		for _, st := range []struct {
			add  []string
			want []string
		}{
			{[]string{"suicide", "violence"}, []string{"suicide", "violence"}},
			{nil, []string{"suicide", "violence"}},
			{[]string{"detresse"}, []string{"detresse", "suicide", "violence"}},
			{[]string{"violence"}, []string{"detresse", "suicide", "violence"}},
		} {
			got := e.update(e.s, c.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Urgent: st.add, At: T0})
			if !slices.Equal(sorted(got.Urgent), st.want) {
				t.Errorf("after adding %q: returned %q, want %q", st.add, got.Urgent, st.want)
			}
		}
		// A claim or a note says nothing of danger: the kinds stay.
		e.update(e.s, c.ID, []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: mediator("Awa"), Note: "vu", At: T0})
		want := []string{"detresse", "suicide", "violence"}
		if got := e.caseOf(e.reopen(), c.ID); !slices.Equal(sorted(got.Urgent), want) {
			t.Errorf("read again: %q, want %q", got.Urgent, want)
		}
		if got := e.cases(e.reopen(), "", bot.CaseClaimed); len(got) != 1 || !slices.Equal(sorted(got[0].Urgent), want) {
			t.Errorf("listed: %+v, want the case with %q", got, want)
		}
	})

	t.Run("Cases filters by queue and status, oldest first", func(t *testing.T) {
		e := setup(t, open)
		ids := map[int64]string{}
		for i, c := range []struct {
			name, queue string
			status      bot.CaseStatus
			age         time.Duration
		}{
			{"p-open-new", "papiers", bot.CaseOpen, 1 * time.Minute},
			{"p-open-old", "papiers", bot.CaseOpen, 3 * time.Minute},
			{"p-claimed", "papiers", bot.CaseClaimed, 2 * time.Minute},
			{"p-closed", "papiers", bot.CaseClosed, 4 * time.Minute},
			{"i-open", "impots", bot.CaseOpen, 2 * time.Minute}, // as old as p-claimed, opened after it
			{"n-open", "", bot.CaseOpen, 5 * time.Minute},
		} {
			st := c.status
			if st == bot.CaseClosed {
				st = bot.CaseClaimed
			}
			k := e.openCase(e.s, bot.Case{Address: addr("discord", "dm", fmt.Sprint("u", i)), Queue: c.queue, Status: st,
				CreatedAt: T0.Add(-c.age), UpdatedAt: T0.Add(-c.age)})
			if c.status == bot.CaseClosed {
				e.update(e.s, k.ID, nil, bot.CaseChange{Status: bot.CaseClosed, At: T0})
			}
			ids[k.ID] = c.name
		}
		for _, tt := range []struct {
			queue    string
			statuses []bot.CaseStatus
			want     []string
		}{
			{"papiers", []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed}, []string{"p-open-old", "p-claimed", "p-open-new"}},
			{"papiers", []bot.CaseStatus{bot.CaseOpen}, []string{"p-open-old", "p-open-new"}},
			{"papiers", []bot.CaseStatus{bot.CaseClosed}, []string{"p-closed"}},
			{"papiers", []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed},
				[]string{"p-closed", "p-open-old", "p-claimed", "p-open-new"}},
			{"", []bot.CaseStatus{bot.CaseOpen, bot.CaseClaimed}, []string{"n-open", "p-open-old", "p-claimed", "i-open", "p-open-new"}},
			{"", []bot.CaseStatus{bot.CaseOpen}, []string{"n-open", "p-open-old", "i-open", "p-open-new"}},
			{"impots", []bot.CaseStatus{bot.CaseClaimed}, nil},
			{"nowhere", []bot.CaseStatus{bot.CaseOpen}, nil},
		} {
			cs := e.cases(e.s, tt.queue, tt.statuses...)
			var got []string
			for _, c := range cs {
				got = append(got, ids[c.ID])
				if !slices.Contains(tt.statuses, c.Status) || (tt.queue != "" && c.Queue != tt.queue) {
					t.Errorf("Cases(%q, %v) lists %s of queue %q", tt.queue, tt.statuses, describe(c), c.Queue)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Cases(%q, %v) = %v, want %v", tt.queue, tt.statuses, got, tt.want)
			}
		}
	})
}
