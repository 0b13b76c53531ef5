package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	sqlite3 "modernc.org/sqlite/lib"
)

// PostgreSQL: the same Store, on a database several Boussole processes
// share (docs/scale.md). One SQL text serves both databases (pgdriver.go
// rebinds it); what differs is here and in a few marked places:
//
//   - SQLite serialises every write in one file lock; PostgreSQL runs
//     transactions side by side. What the single writer gave for free is
//     asked for explicitly: a conversation's turns take a transaction-level
//     advisory lock on the conversation (lockKey), as do publications of
//     one tree or item and claims of one destination's outgoing messages;
//   - a transaction that meets a deadlock or a serialisation failure runs
//     again, as SQLite's runs again when the database is busy;
//   - migrations are numbered in migrations_pg/ and tracked in the
//     schema_version table, applied under an advisory lock so that
//     replicas starting together migrate once.

// PostgresOptions configure OpenPostgres.
type PostgresOptions struct {
	// Logger receives debug records. Nil discards.
	Logger *slog.Logger
	// Clock returns the current time. Required.
	Clock func() time.Time
	// ReadOnly refuses writes (ErrReadOnly) and checks that the schema
	// needs no migration.
	ReadOnly bool
	// MaxConns bounds the connection pool; zero means 16. Each turn
	// holds one connection for its transaction.
	MaxConns int
	// OnError is Options.OnError.
	OnError func(op string)
}

// OpenPostgres connects to the PostgreSQL database of dsn (a URL or
// key=value string as libpq reads it), checks it and applies pending
// migrations. Errors never repeat the password.
func OpenPostgres(ctx context.Context, dsn string, opts PostgresOptions) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's error hides the password but may repeat the rest.
		return nil, errors.New("open PostgreSQL: the DSN cannot be read (want postgres://user@host:port/database?sslmode=… or key=value pairs)")
	}
	where := "PostgreSQL " + net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database
	s, err := openPostgres(ctx, cfg, where, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", where, err)
	}
	return s, nil
}

func openPostgres(ctx context.Context, cfg *pgx.ConnConfig, where string, opts PostgresOptions) (*Store, error) {
	if opts.Clock == nil {
		return nil, errors.New("no clock (PostgresOptions.Clock): the program passes its one clock")
	}
	s := &Store{path: where, log: opts.Logger, clock: opts.Clock, pg: true, onError: opts.OnError}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	db := sql.OpenDB(pgConnector{inner: stdlib.GetConnector(*cfg), binds: &bindCache{}})
	n := opts.MaxConns
	if n <= 0 {
		n = 16
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	s.rdb = db
	ms, err := loadMigrations(migrationFS, "migrations_pg")
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if opts.ReadOnly {
		v, err := pgSchemaVersion(ctx, db)
		if err == nil {
			err = compareSchema(v, len(ms))
		}
		if err == nil {
			err = s.stmts.prepare(ctx, s.rdb, nil)
		}
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		return s, nil
	}
	s.wdb = db
	from, to, err := s.migratePostgres(ctx, ms)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if from != to {
		s.log.InfoContext(ctx, "store: database migrated", "database", where, "from", from, "to", to)
	}
	if err := s.stmts.prepare(ctx, s.rdb, s.wdb); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// migrationLock is the advisory lock key under which migrations run.
const migrationLock = 0x426f7573736f6c65 // "Boussole"

func (s *Store) migratePostgres(ctx context.Context, ms []migration) (from, to int, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(migrationLock)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&from); err != nil {
			return err
		}
		to = from
		if from >= len(ms) {
			return compareSchema(from, len(ms))
		}
		for _, m := range ms[from:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, len(ms)); err != nil {
			return fmt.Errorf("set schema version: %w", err)
		}
		to = len(ms)
		return nil
	})
	return from, to, err
}

func pgSchemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version (has the database been opened read-write once?): %w", err)
	}
	return v, nil
}

// PostgresSchemaVersion is the PostgreSQL schema version this code
// migrates to.
func PostgresSchemaVersion() int {
	ms, err := loadMigrations(migrationFS, "migrations_pg")
	if err != nil {
		return 0
	}
	return len(ms)
}

// Postgres says whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.pg }

// lockKey serialises, across processes, the transactions that touch one
// thing (a conversation, a tree's versions, a destination's messages): on
// PostgreSQL it takes a transaction-level advisory lock on key, released
// at commit or rollback (or when a dead process's connection closes); on
// SQLite the single writer already does. Outside a transaction it does
// nothing: the caller's single statement is atomic on its own.
func (s *Store) lockKey(ctx context.Context, tx *sql.Tx, key string) error {
	if !s.pg {
		return nil
	}
	if tx == nil {
		st := txFrom(ctx)
		if st == nil {
			return nil
		}
		tx = st.tx
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, lockID(key)); err != nil {
		return fmt.Errorf("lock %s: %w", strings.SplitN(key, "\x00", 2)[0], err)
	}
	return nil
}

// tryLockKey is lockKey without waiting: false when another transaction
// holds the lock (SQLite: always true).
func (s *Store) tryLockKey(ctx context.Context, tx *sql.Tx, key string) (bool, error) {
	if !s.pg {
		return true, nil
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(?)`, lockID(key)).Scan(&ok); err != nil {
		return false, err
	}
	return ok, nil
}

// lockID maps a key to PostgreSQL's 64-bit advisory lock space. Two keys
// sharing an id only wait for each other, never mix their data.
func lockID(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return int64(h.Sum64())
}

// Lock keys. The parts are joined with NUL, which no id contains.
func conversationLock(platform, channel, user string) string {
	return "conversation\x00" + platform + "\x00" + channel + "\x00" + user
}

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable reports whether running the whole transaction again may
// succeed: SQLite busy or locked; PostgreSQL serialisation failure or
// deadlock (PostgreSQL aborts one of the transactions; the other goes on).
func (s *Store) retryable(err error) bool {
	if s.pg {
		c := pgCode(err)
		return c == "40001" || c == "40P01"
	}
	return isBusy(err)
}

// isUnique reports a unique-constraint violation on either database.
func isUnique(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT || pgCode(err) == "23505"
}

// jsonText is the SQL expression reading key (a plain name) of the JSON
// text in col as text, NULL when absent.
func (s *Store) jsonText(col, key string) string {
	if s.pg {
		return "(" + col + "::jsonb ->> '" + key + "')"
	}
	return "json_extract(" + col + ", '$." + key + "')"
}
