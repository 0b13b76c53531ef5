package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Handled reports whether the message id of platform was already handled
// (MarkHandled), by this process or an earlier one.
func (s *Store) Handled(ctx context.Context, platform, id string) (bool, error) {
	s.marks.mu.Lock()
	_, pending := s.marks.pending[markKey{platform, id}]
	s.marks.mu.Unlock()
	if pending {
		return true, nil
	}
	var one int
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT 1 FROM handled WHERE platform = ? AND id = ?`, platform, id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look up handled message: %w", err)
	}
	return true, nil
}

// ClaimHandled marks the message id of platform handled and reports
// whether this call did (false: it was handled already, or is being
// handled by another transaction that then committed). Within a turn's
// transaction the mark commits or rolls back with the turn: on
// PostgreSQL, a second process inserting the same key waits for the
// first's transaction, and claims the message if that one rolled back.
func (s *Store) ClaimHandled(ctx context.Context, platform, id string) (bool, error) {
	if st := txFrom(ctx); st == nil {
		// Outside a turn: the batched mark (MarkHandled) is the claim.
		done, err := s.Handled(ctx, platform, id)
		if err != nil || done {
			return false, err
		}
		return true, s.MarkHandled(ctx, platform, id)
	}
	var claimed bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO handled (platform, id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, platform, id, millis(s.now()))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim handled message: %w", err)
	}
	return claimed, nil
}

// markDelay is how long a handled-message mark may wait to be written
// with others: one transaction for all the messages of that time, rather
// than one more write per message on the single writer. A crash loses the
// marks of that last moment; those messages, if a platform delivers them
// again, are answered again (never lost).
const markDelay = 500 * time.Millisecond

type markKey struct{ platform, id string }

// markBatch holds the marks not written yet.
type markBatch struct {
	mu      sync.Mutex
	pending map[markKey]int64 // → when handled (ms)
	timer   *time.Timer
}

// MarkHandled records that the message id of platform was handled. The
// mark is written within markDelay, with the others of that moment, and at
// Close; Handled sees it at once.
func (s *Store) MarkHandled(ctx context.Context, platform, id string) error {
	now := millis(s.now())
	if st := txFrom(ctx); st != nil {
		// Part of the turn: written with it, not later.
		_, err := st.tx.ExecContext(ctx, `INSERT INTO handled (platform, id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, platform, id, now)
		if err != nil {
			return fmt.Errorf("mark message handled: %w", err)
		}
		return nil
	}
	b := &s.marks
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == nil {
		b.pending = map[markKey]int64{}
	}
	b.pending[markKey{platform, id}] = now
	if b.timer == nil {
		b.timer = time.AfterFunc(markDelay, func() {
			if err := s.flushMarks(context.Background()); err != nil {
				s.log.Warn("store: handled messages not saved", "err", err)
			}
		})
	}
	return nil
}

// flushMarks writes the pending marks in one transaction.
func (s *Store) flushMarks(ctx context.Context) error {
	b := &s.marks
	b.mu.Lock()
	marks := b.pending
	b.pending, b.timer = nil, nil
	b.mu.Unlock()
	if len(marks) == 0 || s.wdb == nil {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO handled (platform, id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for k, at := range marks {
			if _, err := ins.ExecContext(ctx, k.platform, k.id, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark messages handled: %w", err)
	}
	return nil
}

// AdapterState returns the value an adapter stored under key, and whether
// there is one.
func (s *Store) AdapterState(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT value FROM adapter_state WHERE key = ?`, key).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read adapter state %s: %w", key, err)
	}
	return v, true, nil
}

// SetAdapterState stores value under key for the next run.
func (s *Store) SetAdapterState(ctx context.Context, key, value string) error {
	now := millis(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO adapter_state (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("save adapter state %s: %w", key, err)
	}
	return nil
}
