package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Handled reports whether the message id of platform was already handled
// (MarkHandled), by this process or an earlier one.
func (s *Store) Handled(ctx context.Context, platform, id string) (bool, error) {
	var one int
	err := s.rdb.QueryRowContext(ctx, `SELECT 1 FROM handled WHERE platform = ? AND id = ?`, platform, id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look up handled message: %w", err)
	}
	return true, nil
}

// MarkHandled records that the message id of platform was handled.
func (s *Store) MarkHandled(ctx context.Context, platform, id string) error {
	now := millis(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO handled (platform, id, at) VALUES (?, ?, ?)`, platform, id, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark message handled: %w", err)
	}
	return nil
}

// AdapterState returns the value an adapter stored under key, and whether
// there is one.
func (s *Store) AdapterState(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.rdb.QueryRowContext(ctx, `SELECT value FROM adapter_state WHERE key = ?`, key).Scan(&v)
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
