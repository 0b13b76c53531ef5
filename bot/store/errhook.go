package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// The operations Options.OnError names: a bounded set, so that a
// metric labelled with them stays small.
const (
	opRead   = "read"
	opWrite  = "write"
	opCommit = "commit"
)

// failed tells the OnError hook that op failed in the database. Errors
// that are no fault of the database (a case not found, a write to a
// read-only store, a cancelled request, a refused value) are not told.
func (s *Store) failed(op string, err error) {
	if s.onError == nil || err == nil || !dbError(err) {
		return
	}
	s.onError(op)
}

// dbError reports whether err came from the database or the connection
// to it.
func dbError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	var ne net.Error
	switch {
	case sqliteCode(err) != 0, errors.As(err, &pe), errors.As(err, &ne),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, sql.ErrTxDone):
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	// database/sql does not export it.
	return strings.Contains(err.Error(), "sql: database is closed")
}
