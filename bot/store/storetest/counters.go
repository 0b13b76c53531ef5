package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
)

// Counter is the report's counters (bot.Tally summed by month), which an
// implementation of the contract must keep: the engine counts in the
// turn's transaction, the report reads.
type Counter interface {
	Count(ctx context.Context, tallies []bot.Tally) error
	ReportCounters(ctx context.Context, from, to time.Time) ([]bot.TallySum, error)
}

func counter(t *testing.T, s Store) Counter {
	t.Helper()
	c, ok := s.(Counter)
	if !ok {
		t.Fatalf("%T does not keep the report's counters (Count, ReportCounters)", s)
	}
	return c
}

// sumKey names a counter in the tests' expectations.
func sumKey(c bot.TallySum) string {
	k := c.Key
	return fmt.Sprintf("%s %s %s/%s/%s q=%s t=%s r=%s o=%s c=%s conf=%s v=%d", c.Month, k.Kind, k.Platform, k.Jurisdiction, k.Lang,
		k.Queue, k.Topic, k.Reason, k.Outcome, k.Category, k.Confidence, k.Value)
}

// figures are a counter's numbers as the tests write them by hand.
type figures struct {
	n         int64
	secs, max float64
	waits     map[int]int64 // bucket index → count
}

func (e *env) counters(s Store, from, to time.Time) map[string]figures {
	e.t.Helper()
	cs, err := counter(e.t, s).ReportCounters(e.ctx, from, to)
	if err != nil {
		e.t.Fatalf("ReportCounters: %v", err)
	}
	out := map[string]figures{}
	for i, c := range cs {
		if i > 0 {
			p := cs[i-1]
			if p.Month > c.Month || p.Month == c.Month && p.Key.Kind > c.Key.Kind {
				e.t.Errorf("counters out of order: %s before %s", sumKey(p), sumKey(c))
			}
		}
		f := figures{n: c.N, secs: c.Seconds, max: c.SecondsMax}
		for b, w := range c.Waits {
			if w != 0 {
				if f.waits == nil {
					f.waits = map[int]int64{}
				}
				f.waits[b] = w
			}
		}
		out[sumKey(c)] = f
	}
	return out
}

func (e *env) count(s Store, ctx context.Context, ts ...bot.Tally) {
	e.t.Helper()
	if err := counter(e.t, s).Count(ctx, ts); err != nil {
		e.t.Fatalf("Count: %v", err)
	}
}

func sameFigures(t *testing.T, what string, got, want map[string]figures) {
	t.Helper()
	for k, w := range want {
		if !equal(got[k], w) {
			t.Errorf("%s: %s = %+v, want %+v", what, k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected counter %s = %+v", what, k, g)
		}
	}
}

func testCounters(t *testing.T, open Opener) {
	nov := time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)
	dec := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// Months are UTC: 2026-11-30 20:00 in Montréal is December 1st,
	// 01:00 UTC, counted in December.
	montreal := time.FixedZone("EST", -5*3600)
	lateNovInMontreal := time.Date(2026, 11, 30, 20, 0, 0, 0, montreal)

	t.Run("Count sums tallies by month and fields", func(t *testing.T) {
		e := setup(t, open)
		e.count(e.s, e.ctx,
			bot.Tally{Kind: bot.TallyPerson, At: nov, Platform: "discord", Jurisdiction: "FR", Lang: "fr"},
			bot.Tally{Kind: bot.TallyPerson, At: nov.Add(-time.Hour), Platform: "discord", Jurisdiction: "FR", Lang: "fr"},
			bot.Tally{Kind: bot.TallyPerson, At: dec, Platform: "discord", Jurisdiction: "FR", Lang: "fr"},
			bot.Tally{Kind: bot.TallyPerson, At: lateNovInMontreal, Platform: "mattermost", Jurisdiction: "QC", Lang: "fr"},
			bot.Tally{Kind: bot.TallyClaimed, At: nov, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Seconds: 30},
			bot.Tally{Kind: bot.TallyClaimed, At: nov, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Seconds: 600},
			bot.Tally{Kind: bot.TallyClaimed, At: nov, Platform: "discord", Jurisdiction: "FR", Queue: "impots", Seconds: 4000},
			bot.Tally{Kind: bot.TallyRating, At: dec, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Value: 4},
			bot.Tally{Kind: bot.TallyRating, At: dec, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Value: 5},
			bot.Tally{Kind: bot.TallyRating, At: dec, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Value: 5},
		)
		// A second batch adds to the counters the first made.
		e.count(e.s, e.ctx,
			bot.Tally{Kind: bot.TallyClaimed, At: nov, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Seconds: 90},
			bot.Tally{Kind: bot.TallyClosed, At: dec, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Outcome: bot.OutcomeResolved, Seconds: 200000},
			bot.Tally{Kind: bot.TallyAnswered, At: dec, Platform: "discord", Jurisdiction: "FR", Topic: "papiers-identite", Confidence: bot.ConfidenceTree},
			// A negative wait (two clocks apart) counts as none.
			bot.Tally{Kind: bot.TallyClaimed, At: dec, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Seconds: -3},
		)
		want := map[string]figures{
			"2026-11 person discord/FR/fr q= t= r= o= c= conf= v=0":                     {n: 2},
			"2026-12 person discord/FR/fr q= t= r= o= c= conf= v=0":                     {n: 1},
			"2026-12 person mattermost/QC/fr q= t= r= o= c= conf= v=0":                  {n: 1},
			"2026-11 claimed discord/FR/ q=papiers t= r= o= c= conf= v=0":               {n: 3, secs: 720, max: 600, waits: map[int]int64{0: 1, 1: 1, 2: 1}},
			"2026-11 claimed discord/FR/ q=impots t= r= o= c= conf= v=0":                {n: 1, secs: 4000, max: 4000, waits: map[int]int64{5: 1}},
			"2026-12 claimed discord/FR/ q=papiers t= r= o= c= conf= v=0":               {n: 1, waits: map[int]int64{0: 1}},
			"2026-12 rating discord/FR/ q=papiers t= r= o= c= conf= v=4":                {n: 1},
			"2026-12 rating discord/FR/ q=papiers t= r= o= c= conf= v=5":                {n: 2},
			"2026-12 closed discord/FR/ q=papiers t= r= o=resolved c= conf= v=0":        {n: 1, secs: 200000, max: 200000, waits: map[int]int64{10: 1}},
			"2026-12 answered discord/FR/ q= t=papiers-identite r= o= c= conf=tree v=0": {n: 1},
		}
		for h, s := range []Store{e.s, e.reopen()} {
			sameFigures(t, fmt.Sprintf("handle %d", h+1), e.counters(s, nov, dec), want)
		}
		// Months outside the range are left out; a day stands for its month.
		got := e.counters(e.s, dec.Add(14*24*time.Hour), dec.Add(20*24*time.Hour))
		if len(got) != 7 {
			t.Errorf("December only: %d counters, want 7: %v", len(got), got)
		}
		if got := e.counters(e.s, dec.AddDate(0, 1, 0), dec.AddDate(0, 2, 0)); len(got) != 0 {
			t.Errorf("January–February: %v, want none", got)
		}
	})

	t.Run("Count commits with the turn or not at all", func(t *testing.T) {
		e := setup(t, open)
		fail := errors.New("the turn failed")
		err := e.s.InTx(e.ctx, func(ctx context.Context) error {
			e.count(e.s, ctx, bot.Tally{Kind: bot.TallyMessage, Platform: "discord"})
			return fail
		})
		if !errors.Is(err, fail) {
			t.Fatalf("InTx = %v, want the turn's error", err)
		}
		if got := e.counters(e.s, T0, T0); len(got) != 0 {
			t.Errorf("after a rolled back turn: %v, want no counter", got)
		}
		err = e.s.InTx(e.ctx, func(ctx context.Context) error {
			// A zero time is the store's clock: T0, March 2026.
			e.count(e.s, ctx, bot.Tally{Kind: bot.TallyMessage, Platform: "discord"}, bot.Tally{Kind: bot.TallyMessage, Platform: "discord"})
			// A tally without a kind is refused, and the turn may go on.
			if err := counter(t, e.s).Count(ctx, []bot.Tally{{Platform: "discord"}}); err == nil {
				t.Error("Count accepted a tally without a kind")
			}
			return nil
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		sameFigures(t, "after the turn", e.counters(e.reopen(), T0, T0), map[string]figures{
			"2026-03 message discord// q= t= r= o= c= conf= v=0": {n: 2},
		})
	})

	t.Run("the retention purge and oublie-moi leave the counters", func(t *testing.T) {
		e := setup(t, open)
		a := addr("discord", "dm", "alice")
		old := T0.AddDate(0, -6, 0)
		e.save(e.s, simpleConversation(a, old), in(a, "bonjour", old))
		e.openCase(e.s, bot.Case{Address: a, Queue: "papiers", Status: bot.CaseOpen, CreatedAt: old})
		e.count(e.s, e.ctx,
			bot.Tally{Kind: bot.TallyPerson, At: old, Platform: "discord", Jurisdiction: "FR"},
			bot.Tally{Kind: bot.TallyEscalated, At: old, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Reason: "asked"},
			bot.Tally{Kind: bot.TallyPerson, At: T0, Platform: "discord", Jurisdiction: "FR"},
		)
		want := e.counters(e.s, old, T0)
		if len(want) != 3 {
			t.Fatalf("counters before: %v", want)
		}
		if _, err := e.s.PurgeBefore(e.ctx, T0.Add(time.Hour)); err != nil {
			t.Fatalf("PurgeBefore: %v", err)
		}
		if n, err := e.s.ForgetUser(e.ctx, "discord", "alice"); err != nil || n == 0 {
			t.Fatalf("ForgetUser = %d, %v; want her case and conversation deleted", n, err)
		}
		sameFigures(t, "after the purge and the erasure", e.counters(e.reopen(), old, T0), want)
	})

	t.Run("processes counting at once add up", func(t *testing.T) {
		e := setup(t, open)
		const handles, batches = 3, 20
		var wg sync.WaitGroup
		errs := make(chan error, handles*batches)
		for range handles {
			s := e.reopen()
			wg.Go(func() {
				for i := range batches {
					// The same counters, in the opposite order every other
					// batch.
					ts := []bot.Tally{
						{Kind: bot.TallyPerson, At: T0, Platform: "discord", Jurisdiction: "QC"},
						{Kind: bot.TallyClaimed, At: T0, Platform: "discord", Jurisdiction: "QC", Queue: "aines", Seconds: 120},
					}
					if i%2 == 1 {
						ts[0], ts[1] = ts[1], ts[0]
					}
					if err := counter(t, s).Count(e.ctx, ts); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Count: %v", err)
		}
		sameFigures(t, "after the replicas", e.counters(e.s, T0, T0), map[string]figures{
			"2026-03 person discord/QC/ q= t= r= o= c= conf= v=0":       {n: 60},
			"2026-03 claimed discord/QC/ q=aines t= r= o= c= conf= v=0": {n: 60, secs: 7200, max: 120, waits: map[int]int64{1: 60}},
		})
	})
}
