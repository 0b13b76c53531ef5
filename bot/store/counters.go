package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
)

// The report's counters (migration 0019): the engine's tallies summed by
// month and bounded fields, for `boussole report` and /admin/report. They
// hold nothing personal, so neither PurgeBefore nor ForgetUser touches
// them: a person counted in March stays counted after their
// conversation is purged or erased.

// counterKeys are the columns that identify a counter, in the primary
// key's order.
const counterKeys = "month, kind, platform, jurisdiction, lang, queue, topic, reason, outcome, category, confidence, value"

// waitColumns are the duration buckets' columns, in bot.WaitBounds order.
var waitColumns = [bot.NumWaitBuckets]string{"w_1m", "w_5m", "w_15m", "w_30m", "w_1h", "w_2h", "w_4h", "w_8h", "w_1d", "w_2d", "w_7d", "w_more"}

// upsertCounter adds a row's figures to its counter: the same text runs
// on SQLite and PostgreSQL.
func upsertCounter() string {
	var set []string
	set = append(set, "n = report_counters.n + excluded.n",
		"seconds = report_counters.seconds + excluded.seconds",
		"seconds_max = CASE WHEN excluded.seconds_max > report_counters.seconds_max THEN excluded.seconds_max ELSE report_counters.seconds_max END")
	for _, c := range waitColumns {
		set = append(set, c+" = report_counters."+c+" + excluded."+c)
	}
	cols := counterKeys + ", n, seconds, seconds_max, " + strings.Join(waitColumns[:], ", ")
	marks := strings.TrimSuffix(strings.Repeat("?, ", 15+bot.NumWaitBuckets), ", ")
	return `INSERT INTO report_counters (` + cols + `) VALUES (` + marks + `)
		ON CONFLICT (` + counterKeys + `) DO UPDATE SET ` + strings.Join(set, ", ")
}

// Count adds tallies to the report's counters; inside a turn's
// transaction (InTx) they commit with the turn. A zero At means now.
// Tallies of one month and fields are summed before they are written,
// and counters are written in a fixed order, so that two transactions
// counting the same events never wait on each other in a cycle.
func (s *Store) Count(ctx context.Context, tallies []bot.Tally) error {
	if len(tallies) == 0 {
		return nil
	}
	sums, err := sumTallies(tallies, s.now())
	if err != nil {
		return fmt.Errorf("count: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, upsertCounter())
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, c := range sums {
			k := c.Key
			args := []any{c.Month, string(k.Kind), k.Platform, k.Jurisdiction, k.Lang, k.Queue, k.Topic, k.Reason,
				k.Outcome, k.Category, k.Confidence, k.Value, c.N, c.Seconds, c.SecondsMax}
			for _, w := range c.Waits {
				args = append(args, w)
			}
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("count: %w", err)
	}
	return nil
}

// sumTallies groups tallies by month and fields, in key order.
func sumTallies(tallies []bot.Tally, now time.Time) ([]bot.TallySum, error) {
	byKey := map[bot.TallySum]*bot.TallySum{}
	var out []*bot.TallySum
	for _, t := range tallies {
		if t.Kind == "" {
			return nil, fmt.Errorf("a tally without a kind (%+v)", t)
		}
		at := t.At
		if at.IsZero() {
			at = now
		}
		secs := t.Seconds
		if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
			// Two replicas' clocks a little apart: a wait is never
			// negative.
			secs = 0
		}
		key := bot.TallySum{Month: at.UTC().Format("2006-01"), Key: t}
		key.Key.At, key.Key.Seconds = time.Time{}, 0
		sum, ok := byKey[key]
		if !ok {
			sum = &bot.TallySum{Month: key.Month, Key: key.Key}
			byKey[key] = sum
			out = append(out, sum)
		}
		sum.N++
		if bot.HasDuration(t.Kind) {
			sum.Seconds += secs
			sum.SecondsMax = max(sum.SecondsMax, secs)
			sum.Waits[bot.WaitBucket(secs)]++
		}
	}
	slices.SortFunc(out, func(a, b *bot.TallySum) int { return compareSums(*a, *b) })
	res := make([]bot.TallySum, len(out))
	for i, p := range out {
		res[i] = *p
	}
	return res, nil
}

// compareSums orders counters as the primary key does.
func compareSums(a, b bot.TallySum) int {
	x, y := a.Key, b.Key
	return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Platform, y.Platform),
		cmp.Compare(x.Jurisdiction, y.Jurisdiction), cmp.Compare(x.Lang, y.Lang), cmp.Compare(x.Queue, y.Queue),
		cmp.Compare(x.Topic, y.Topic), cmp.Compare(x.Reason, y.Reason), cmp.Compare(x.Outcome, y.Outcome),
		cmp.Compare(x.Category, y.Category), cmp.Compare(x.Confidence, y.Confidence), cmp.Compare(x.Value, y.Value))
}

// ReportCounters returns the counters of every month from from's month
// to to's month (UTC), both included, in key order (byte order of
// the text fields, whatever the database's collation). The counters are
// monthly: a day within a month stands for the whole month.
func (s *Store) ReportCounters(ctx context.Context, from, to time.Time) ([]bot.TallySum, error) {
	var out []bot.TallySum
	first, last := from.UTC().Format("2006-01"), to.UTC().Format("2006-01")
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT `+counterKeys+`, n, seconds, seconds_max, `+strings.Join(waitColumns[:], ", ")+`
			FROM report_counters WHERE month >= ? AND month <= ?`, first, last)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c    bot.TallySum
				k    = &c.Key
				kind string
			)
			dest := []any{&c.Month, &kind, &k.Platform, &k.Jurisdiction, &k.Lang, &k.Queue, &k.Topic, &k.Reason,
				&k.Outcome, &k.Category, &k.Confidence, &k.Value, &c.N, &c.Seconds, &c.SecondsMax}
			for i := range c.Waits {
				dest = append(dest, &c.Waits[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			k.Kind = bot.TallyKind(kind)
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the report's counters: %w", err)
	}
	// Sorted here: PostgreSQL's collation may order text otherwise.
	slices.SortFunc(out, compareSums)
	return out, nil
}
