package store

import (
	"context"
	"fmt"
	"time"
)

// OutboxStat is one platform's share of the outbox: what waits to be
// sent (neither sent nor refused for good) and since when.
type OutboxStat struct {
	Platform string
	Pending  int
	// Oldest is when the oldest pending message was queued.
	Oldest time.Time
}

// OutboxStats lists, per destination platform with messages pending,
// how many wait and since when (metrics, readiness). One indexed read:
// the pending rows are few unless a platform is down.
func (s *Store) OutboxStats(ctx context.Context) ([]OutboxStat, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, `SELECT platform, COUNT(*), MIN(created_at) FROM outbox
		WHERE sent_at IS NULL AND dead = 0 GROUP BY platform ORDER BY platform`)
	if err != nil {
		s.failed(opRead, err)
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	defer rows.Close()
	var out []OutboxStat
	for rows.Next() {
		var (
			o      OutboxStat
			oldest int64
		)
		if err := rows.Scan(&o.Platform, &o.Pending, &oldest); err != nil {
			s.failed(opRead, err)
			return nil, fmt.Errorf("outbox stats: %w", err)
		}
		o.Oldest = fromMillis(oldest)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		s.failed(opRead, err)
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	return out, nil
}

// CaseStat is how many cases of a queue are in one active status (open:
// waiting for a mediator; claimed: a mediator holds it).
type CaseStat struct {
	Queue  string
	Status string
	Cases  int
}

// OpenCaseStats counts the active cases (open or claimed) per queue and
// status (metrics). Closed cases are left out: the cases_queue index
// serves it.
func (s *Store) OpenCaseStats(ctx context.Context) ([]CaseStat, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, `SELECT queue, status, COUNT(*) FROM cases
		WHERE status IN ('open', 'claimed') GROUP BY queue, status ORDER BY queue, status`)
	if err != nil {
		s.failed(opRead, err)
		return nil, fmt.Errorf("case stats: %w", err)
	}
	defer rows.Close()
	var out []CaseStat
	for rows.Next() {
		var c CaseStat
		if err := rows.Scan(&c.Queue, &c.Status, &c.Cases); err != nil {
			s.failed(opRead, err)
			return nil, fmt.Errorf("case stats: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		s.failed(opRead, err)
		return nil, fmt.Errorf("case stats: %w", err)
	}
	return out, nil
}
