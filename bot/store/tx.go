package store

import (
	"context"
	"database/sql"
)

// A turn runs in one transaction (docs/architecture.md): the engine calls InTx, and
// every store call made with the context InTx gives reads and writes
// through that transaction, so the conversation, its turns, case changes,
// erasures and outgoing messages commit together or not at all.

type txKey struct{}

// txState is the transaction a context carries.
type txState struct {
	tx *sql.Tx
	// scrub asks for the WAL to be emptied once the transaction commits
	// (an erasure happened in it).
	scrub bool
}

func txFrom(ctx context.Context) *txState {
	st, _ := ctx.Value(txKey{}).(*txState)
	return st
}

// InTx runs fn in one write transaction: store calls made with the
// context fn is given see fn's own writes, and all of them commit when fn
// returns nil, or none when it returns an error. On a busy database the
// whole of fn may run again, so fn must not act outside the store. Calls
// nest: inside a transaction, InTx runs fn in it.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if txFrom(ctx) != nil {
		return fn(ctx)
	}
	var st *txState
	err := s.write(ctx, func(tx *sql.Tx) error {
		st = &txState{tx: tx}
		return fn(context.WithValue(ctx, txKey{}, st))
	})
	if err == nil && st != nil && st.scrub && s.ckpt != nil {
		if err := s.ckpt.scrub(ctx); err != nil {
			s.log.WarnContext(ctx, "store: WAL not emptied after an erasure", "err", err)
		}
	}
	return err
}

// queryer is what a read needs: the reader pool, or the transaction of
// the context.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader returns the transaction ctx carries, else the reader pool.
func (s *Store) reader(ctx context.Context) queryer {
	if st := txFrom(ctx); st != nil {
		return st.tx
	}
	return s.rdb
}

// queryRow runs a reader query: the statement prepared on the reader
// pool, or its text in ctx's transaction (which lives on the writer
// connection, where the reader's statement cannot be used).
func (s *Store) queryRow(ctx context.Context, st *sql.Stmt, query string, args ...any) *sql.Row {
	if t := txFrom(ctx); t != nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
