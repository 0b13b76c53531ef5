// Package reporttest holds the tallies the report's tests seed a database
// with: two months, two jurisdictions, two queues each, and a month on
// either side that the period leaves out. The tests of app/report, the
// admin page and `boussole report` check the figures against numbers
// counted by hand from this list (the comments give the sums).
package reporttest

import (
	"time"

	"github.com/boussole/boussole/bot"
)

// Period is the period the tests ask for: November and December 2026
// (days within them, which stand for their months).
func Period() (from, to time.Time) {
	return time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC)
}

// Tallies are the events counted. By hand, for the period:
//
//	FR: people 4, messages 14, answers 9 (tree 6, search 2, picked 1),
//	    not understood 2, danger 1 (violence-couple), cases 5.
//	    papiers: 4 opened (asked 3, tree 1), claimed 4 after 30 s, 90 s,
//	    10 min, 2 h (mean 1980 s, median estimate 300 s), closed 4
//	    (resolved 2, handed back 1, other 1), ratings 5, 4, 2, 5, 5 (4.2).
//	    impots: 1 opened (misunderstood), claimed after 4000 s.
//	QC: people 3, messages 7, answers 1 (search), not understood 1,
//	    danger 1 (suicide), cases 2: aines 1 (danger), claimed after
//	    45 s, cancelled after 100 s; papiers 1 (asked).
//	unknown jurisdiction: people 1, messages 1 (December).
func Tallies() []bot.Tally {
	nov := time.Date(2026, 11, 10, 14, 0, 0, 0, time.UTC)
	dec := time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)
	var ts []bot.Tally
	add := func(n int, t bot.Tally) {
		for range n {
			ts = append(ts, t)
		}
	}
	fr := func(at time.Time, k bot.TallyKind) bot.Tally {
		return bot.Tally{Kind: k, At: at, Platform: "discord", Jurisdiction: "FR", Lang: "fr"}
	}
	qc := func(at time.Time, k bot.TallyKind) bot.Tally {
		return bot.Tally{Kind: k, At: at, Platform: "mattermost", Jurisdiction: "QC", Lang: "fr"}
	}
	with := func(t bot.Tally, f func(*bot.Tally)) bot.Tally { f(&t); return t }

	// November, France.
	add(3, fr(nov, bot.TallyPerson))
	add(10, fr(nov, bot.TallyMessage))
	add(3, with(fr(nov, bot.TallyAnswered), func(t *bot.Tally) { t.Confidence, t.Topic = bot.ConfidenceTree, "papiers-identite" }))
	add(1, with(fr(nov, bot.TallyAnswered), func(t *bot.Tally) { t.Confidence, t.Topic = bot.ConfidenceTree, "impots" }))
	add(2, with(fr(nov, bot.TallyAnswered), func(t *bot.Tally) { t.Confidence, t.Topic = bot.ConfidenceSure, "papiers-identite" }))
	add(1, with(fr(nov, bot.TallyAnswered), func(t *bot.Tally) { t.Confidence = bot.ConfidenceUnsure }))
	add(2, fr(nov, bot.TallyNotUnderstood))
	add(1, with(fr(nov, bot.TallyDanger), func(t *bot.Tally) { t.Category = "violence-couple" }))
	add(2, with(fr(nov, bot.TallyEscalated), func(t *bot.Tally) { t.Queue, t.Reason, t.Topic = "papiers", "asked", "papiers-identite" }))
	add(1, with(fr(nov, bot.TallyEscalated), func(t *bot.Tally) { t.Queue, t.Reason, t.Topic = "papiers", "tree", "papiers-identite" }))
	add(1, with(fr(nov, bot.TallyEscalated), func(t *bot.Tally) { t.Queue, t.Reason = "impots", "misunderstood" }))
	for _, s := range []float64{30, 90, 600} {
		add(1, with(fr(nov, bot.TallyClaimed), func(t *bot.Tally) { t.Queue, t.Seconds = "papiers", s }))
	}
	add(1, with(fr(nov, bot.TallyClaimed), func(t *bot.Tally) { t.Queue, t.Seconds = "impots", 4000 }))
	add(1, with(fr(nov, bot.TallyClosed), func(t *bot.Tally) { t.Queue, t.Outcome, t.Seconds = "papiers", bot.OutcomeResolved, 1200 }))
	add(1, with(fr(nov, bot.TallyClosed), func(t *bot.Tally) { t.Queue, t.Outcome, t.Seconds = "papiers", bot.OutcomeResolved, 3000 }))
	add(1, with(fr(nov, bot.TallyClosed), func(t *bot.Tally) { t.Queue, t.Outcome, t.Seconds = "papiers", bot.OutcomeHandedBack, 700 }))
	for _, v := range []int{5, 4, 2} {
		add(1, with(fr(nov, bot.TallyRating), func(t *bot.Tally) { t.Queue, t.Value = "papiers", v }))
	}

	// November, Québec.
	add(2, qc(nov, bot.TallyPerson))
	add(5, qc(nov, bot.TallyMessage))
	add(1, with(qc(nov, bot.TallyAnswered), func(t *bot.Tally) { t.Confidence, t.Topic = bot.ConfidenceSure, "aines-soutien" }))
	add(1, qc(nov, bot.TallyNotUnderstood))
	add(1, with(qc(nov, bot.TallyDanger), func(t *bot.Tally) { t.Category = "suicide" }))
	add(1, with(qc(nov, bot.TallyEscalated), func(t *bot.Tally) { t.Queue, t.Reason = "aines", "danger" }))
	add(1, with(qc(nov, bot.TallyClaimed), func(t *bot.Tally) { t.Queue, t.Seconds = "aines", 45 }))
	add(1, with(qc(nov, bot.TallyClosed), func(t *bot.Tally) { t.Queue, t.Outcome, t.Seconds = "aines", bot.OutcomeCancelled, 100 }))

	// December, France, and someone whose jurisdiction was not known.
	add(1, fr(dec, bot.TallyPerson))
	add(4, fr(dec, bot.TallyMessage))
	add(2, with(fr(dec, bot.TallyAnswered), func(t *bot.Tally) { t.Confidence, t.Topic = bot.ConfidenceTree, "papiers-identite" }))
	add(1, with(fr(dec, bot.TallyEscalated), func(t *bot.Tally) { t.Queue, t.Reason, t.Topic = "papiers", "asked", "papiers-identite" }))
	add(1, with(fr(dec, bot.TallyClaimed), func(t *bot.Tally) { t.Queue, t.Seconds = "papiers", 7200 }))
	add(1, with(fr(dec, bot.TallyClosed), func(t *bot.Tally) { t.Queue, t.Outcome, t.Seconds = "papiers", "transferred", 90000 }))
	add(2, with(fr(dec, bot.TallyRating), func(t *bot.Tally) { t.Queue, t.Value = "papiers", 5 }))
	add(1, bot.Tally{Kind: bot.TallyPerson, At: dec, Platform: "console"})
	add(1, bot.Tally{Kind: bot.TallyMessage, At: dec, Platform: "console"})

	// December, Québec.
	add(1, qc(dec, bot.TallyPerson))
	add(2, qc(dec, bot.TallyMessage))
	add(1, with(qc(dec, bot.TallyEscalated), func(t *bot.Tally) { t.Queue, t.Reason = "papiers", "asked" }))

	// Outside the period: October and January.
	add(7, fr(time.Date(2026, 10, 31, 23, 59, 0, 0, time.UTC), bot.TallyPerson))
	add(9, qc(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), bot.TallyPerson))
	return ts
}
