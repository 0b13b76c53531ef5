package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditEntry is one change made by someone: who, when, what, why.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // account login, "cli" or "start"
	Action string // e.g. tree.publish, account.create
	Object string // e.g. the tree id
	Detail string // e.g. "version 4"
	Reason string // the message the person gave
}

// Audit appends an entry to the audit log (the store's clock when At is
// zero). Inside a transaction (InTx) it is part of it.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, object, detail, reason) VALUES (?, ?, ?, ?, ?, ?)`,
			millis(at), e.Actor, e.Action, e.Object, e.Detail, e.Reason)
		return err
	})
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditLog returns up to limit entries, newest first, older than before
// when before > 0 (the id of the last entry of the previous page).
func (s *Store) AuditLog(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.retry(ctx, func() error {
		out = nil
		rows, err := s.reader(ctx).QueryContext(ctx, `SELECT id, at, actor, action, object, detail, reason FROM audit_log
			WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?`, before, before, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e  AuditEntry
				at int64
			)
			if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.Reason); err != nil {
				return err
			}
			e.At = fromMillis(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
