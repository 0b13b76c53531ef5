package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TryLease takes or renews the lease name for owner until the given time,
// and reports whether owner holds it: of several processes on one
// database, the one holding a periodic job's lease runs it. A lease whose
// owner stopped renewing it is free once its time has passed (a process
// that died), so another process takes the job over.
func (s *Store) TryLease(ctx context.Context, name, owner string, until time.Time) (bool, error) {
	var held bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE leases.owner = excluded.owner OR leases.until <= ?`,
			name, owner, millis(until), millis(s.now()))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("take lease %s: %w", name, err)
	}
	return held, nil
}

// ReleaseLease gives up owner's lease name, so another process may take
// it at once (a clean stop).
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET until = 0 WHERE name = ? AND owner = ?`, name, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
