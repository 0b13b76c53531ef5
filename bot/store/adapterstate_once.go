package store

import (
	"context"
	"database/sql"
	"fmt"
)

// InitAdapterState stores value under key unless a value is there
// already, and returns the value now under key: value when this call
// stored it, the other one otherwise. Replicas sharing the database use it
// to agree on one value (one private thread per person) when several
// create one at the same moment: the first to record wins, the others
// adopt its value.
func (s *Store) InitAdapterState(ctx context.Context, key, value string) (string, error) {
	now := millis(s.now())
	var cur string
	err := s.write(ctx, func(tx *sql.Tx) error {
		// On PostgreSQL a concurrent insert of the same key makes this
		// one wait for it and then do nothing; the SELECT, a new
		// statement, sees the committed winner.
		if _, err := tx.ExecContext(ctx, `INSERT INTO adapter_state (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO NOTHING`, key, value, now); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM adapter_state WHERE key = ?`, key).Scan(&cur)
	})
	if err != nil {
		return "", fmt.Errorf("initialise adapter state %s: %w", key, err)
	}
	return cur, nil
}
