// Package store is Boussole's SQLite storage: it implements the engine's
// storage interfaces (engine.Store: conversation state and turns,
// escalation cases, published tree versions, the mediators' workflow on
// cases), the delivery outbox and the adapters' small state, on one database
// file through modernc.org/sqlite, a pure-Go driver.
//
// The database is opened in one place, Open:
//
//   - pragmas are in the DSN so that every pooled connection gets them
//     (busy_timeout first, then journal_mode(WAL), foreign_keys(ON),
//     synchronous(NORMAL)), with _txlock=immediate so that a write
//     transaction takes the write lock when it begins rather than failing
//     with SQLITE_BUSY half-way;
//   - one writer *sql.DB holding a single connection, so writes are
//     serialised in the process, and a pool of query_only readers, which
//     WAL lets run alongside the writer;
//   - SQLITE_BUSY that outlives busy_timeout is retried with a bounded
//     backoff that honours the context, and a write whose context has a
//     deadline waits for another process's lock no longer than that
//     deadline (SQLite's busy handler cannot be interrupted, so
//     busy_timeout is lowered for that transaction);
//   - embedded, numbered migrations (migrations/NNNN_name.sql) applied in
//     one transaction and tracked in PRAGMA user_version; a database whose
//     schema is newer than this code is refused.
//
// Open checks the path before SQLite sees it (missing directory, a file or
// directory that cannot be written) so that each case gets a clear error;
// a file that is not a SQLite database is reported as such (SQLite reads
// the header before it writes anything, so such a file is left intact).
// Open never opens an existing database file itself: closing a descriptor
// would release the POSIX locks SQLite holds on it in this process. A new
// database file is created with mode 0600: it holds what citizens wrote.
//
// Times are stored as UTC Unix milliseconds; they come back in UTC with
// millisecond precision. The zero time is stored as 0 and comes back as
// the zero time.
//
// Published tree versions are stored without file positions (knowledge.Pos):
// a version is the content of a tree, and its hash (sha256 of the stored
// JSON) decides whether publishing creates a new version, so moving a tree
// in its YAML file does not publish a new one.
//
// The engine sees this package only through its interfaces, and a
// future PostgreSQL store implements the same ones (the contract suite in
// storetest says what they promise); only the app wiring builds it.
// Extras beyond engine.Store (LatestTreeVersion,
// TreeHistory) serve the admin tools.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/boussole/boussole/knowledge"
)

// Errors returned by the store. Check them with errors.Is.
var (
	// ErrNotFound is returned when a case or a tree version does not
	// exist. It is knowledge.ErrNotFound, so packages that cannot import
	// the store (the engine) can test for it too.
	ErrNotFound = knowledge.ErrNotFound
	// ErrReadOnly is returned by write methods of a store opened with
	// Options.ReadOnly.
	ErrReadOnly = errors.New("store opened read-only")
	// ErrNotDatabase is returned by Open for a file that is not a SQLite
	// database.
	ErrNotDatabase = errors.New("file is not a SQLite database")
	// ErrCorrupt is returned by Open when the integrity check fails.
	ErrCorrupt = errors.New("database file is corrupt")
	// ErrNotWritable is returned by Open when the database file or its
	// directory cannot be written.
	ErrNotWritable = errors.New("cannot be written")
	// ErrSchemaTooNew is returned by Open for a database migrated by a
	// newer version of Boussole.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
)

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Logger receives debug records (migrations, retries). Nil discards.
	// Message text is never logged.
	Logger *slog.Logger
	// ReadOnly opens the database for reading only (admin tools, a
	// backup being inspected): the file must exist with an up-to-date
	// schema, and write methods return ErrReadOnly.
	ReadOnly bool
	// Clock returns the current time, used when a record carries no time.
	// Required: the program builds one clock and gives it to every part,
	// so that a test clock reaches the rows the store stamps too.
	Clock func() time.Time
	// SkipIntegrityCheck skips PRAGMA quick_check at Open. The check reads
	// the whole file: cheap for a town's database, worth skipping for a
	// very large one.
	SkipIntegrityCheck bool
	// BusyTimeout is how long SQLite waits for a lock before reporting
	// the database busy (PRAGMA busy_timeout); zero means 5 s. Writes
	// still busy after it are retried a few times with a backoff.
	BusyTimeout time.Duration
	// MaxReaders is the size of the reader pool; zero means
	// max(4, runtime.NumCPU()).
	MaxReaders int
	// OnError, when set, is told each time the database fails an
	// operation: op is "read", "write" or "commit" (the metrics). It must
	// not block.
	OnError func(op string)
}

// Store is the SQLite implementation of engine.Store and delivery.Outbox. It is safe for
// concurrent use.
type Store struct {
	path  string
	log   *slog.Logger
	clock func() time.Time

	// wdb is the writer: one connection, immediate transactions. It is nil
	// for a read-only store.
	wdb *sql.DB
	// rdb is the reader pool (query_only connections).
	rdb *sql.DB

	stmts statements

	// ckpt checkpoints the WAL in the background; nil when read-only.
	ckpt *checkpointer

	// busy is the connections' busy_timeout.
	busy time.Duration

	trees  treeCache
	closed atomic.Bool

	// marks are handled-message marks waiting to be written together
	// (handled.go).
	marks markBatch

	// pg is set for a PostgreSQL store (postgres.go).
	pg bool

	// onError is Options.OnError (errhook.go).
	onError func(op string)
}

// Close closes the database. Pending writes have been committed by then:
// every write method commits before it returns. Closing twice is harmless.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	errs := []error{s.flushMarks(context.Background()), s.stmts.close()}
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.stop())
	}
	switch {
	case s.pg:
		// One pool serves reads and writes.
		errs = append(errs, s.rdb.Close())
	default:
		if s.wdb != nil {
			// Keep query planner statistics fresh (cheap; see SQLite docs).
			if _, err := s.wdb.Exec("PRAGMA optimize"); err != nil {
				s.log.Debug("store: optimize failed", "err", err)
			}
			errs = append(errs, s.wdb.Close())
		}
		errs = append(errs, s.rdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// Path returns the database file path given to Open.
func (s *Store) Path() string { return s.path }

func (s *Store) now() time.Time { return s.clock() }

// write runs fn in an immediate transaction on the writer connection,
// retrying the whole transaction while the database is busy.
//
// Waiting for the writer connection honours ctx (database/sql's pool).
// Waiting for another process's write lock happens inside SQLite's busy
// handler, which a cancelled context cannot interrupt; so when ctx has a
// deadline sooner than the busy timeout, the connection's busy_timeout is
// lowered to it for this transaction and restored afterwards.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.wdb == nil {
		return ErrReadOnly
	}
	if st := txFrom(ctx); st != nil {
		// Part of the turn's transaction (InTx), and still atomic on its
		// own: a savepoint undoes this call's writes if it fails, so a
		// caller that carries on after an error commits no half change.
		if _, err := st.tx.ExecContext(ctx, "SAVEPOINT store_write"); err != nil {
			return err
		}
		if err := fn(st.tx); err != nil {
			if _, rerr := st.tx.ExecContext(ctx, "ROLLBACK TO store_write"); rerr != nil {
				return errors.Join(err, rerr)
			}
			_, rerr := st.tx.ExecContext(ctx, "RELEASE store_write")
			return errors.Join(err, rerr)
		}
		_, err := st.tx.ExecContext(ctx, "RELEASE store_write")
		return err
	}
	op := opWrite
	err := s.writeOnce(ctx, fn, &op)
	s.failed(op, err)
	return err
}

// writeOnce is write outside a turn's transaction; op is set to the
// stage that failed (write, or commit).
func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error, op *string) error {
	commit := func(tx *sql.Tx) error {
		if err := tx.Commit(); err != nil {
			*op = opCommit
			return err
		}
		return nil
	}
	if s.pg {
		return s.retry(ctx, func() error {
			*op = opWrite
			tx, err := s.wdb.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if err := fn(tx); err != nil {
				_ = tx.Rollback()
				return err
			}
			return commit(tx)
		})
	}
	return s.retry(ctx, func() error {
		*op = opWrite
		conn, err := s.wdb.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if d, ok := ctx.Deadline(); ok {
			if wait := time.Until(d); wait < s.busy {
				if err := setBusyTimeout(ctx, conn, max(wait, time.Millisecond)); err != nil {
					return err
				}
				defer func() {
					// A connection left with a short timeout would make
					// later writes give up early: discard it if need be.
					if err := setBusyTimeout(context.Background(), conn, s.busy); err != nil {
						_ = conn.Raw(func(any) error { return driver.ErrBadConn })
					}
				}()
			}
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return commit(tx)
	})
}

func setBusyTimeout(ctx context.Context, conn *sql.Conn, d time.Duration) error {
	// PRAGMA takes no parameters; the value is an integer we computed.
	_, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+strconv.FormatInt(d.Milliseconds(), 10))
	return err
}

// statements are the queries run for every message, prepared once per
// connection instead of parsed at every call.
type statements struct {
	loadConversation *sql.Stmt // reader
	saveConversation *sql.Stmt // writer; nil when read-only
	insertTurn       *sql.Stmt // writer; nil when read-only
	insertOutbox     *sql.Stmt // writer; nil when read-only
}

func (st *statements) prepare(ctx context.Context, rdb, wdb *sql.DB) error {
	var err error
	prep := func(db *sql.DB, query string) *sql.Stmt {
		if err != nil || db == nil {
			return nil
		}
		var stmt *sql.Stmt
		stmt, err = db.PrepareContext(ctx, query)
		return stmt
	}
	st.loadConversation = prep(rdb, loadConversationSQL)
	st.saveConversation = prep(wdb, saveConversationSQL)
	st.insertTurn = prep(wdb, insertTurnSQL)
	st.insertOutbox = prep(wdb, insertOutboxSQL)
	if err != nil {
		return fmt.Errorf("prepare statements: %w", errors.Join(err, st.close()))
	}
	return nil
}

func (st *statements) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{st.loadConversation, st.saveConversation, st.insertTurn, st.insertOutbox} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// defaultBusyTimeout is PRAGMA busy_timeout unless Options say otherwise.
const defaultBusyTimeout = 5 * time.Second

// Retry schedule for SQLITE_BUSY that outlives busy_timeout: rare
// (WAL recovery, another process holding a long write), so a few attempts
// with a growing, jittered pause are enough.
const (
	retryAttempts = 6
	retryFirst    = 20 * time.Millisecond
	retryMax      = 1 * time.Second
)

// retry calls fn until it succeeds, fails with an error other than busy,
// the attempts run out or ctx is done.
func (s *Store) retry(ctx context.Context, fn func() error) error {
	if txFrom(ctx) != nil {
		return fn() // InTx retries the whole transaction
	}
	pause := retryFirst
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !s.retryable(err) || attempt == retryAttempts {
			return err
		}
		s.log.DebugContext(ctx, "store: database busy or transaction aborted, retrying", "attempt", attempt, "pause", pause)
		t := time.NewTimer(pause/2 + rand.N(pause/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up waiting: %w)", err, context.Cause(ctx))
		case <-t.C:
		}
		pause = min(2*pause, retryMax)
	}
}

// sqliteCode returns the primary SQLite result code of err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isBusy(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// millis converts t to UTC Unix milliseconds; the zero time is 0.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis is the inverse of millis.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func defaultReaders() int { return max(4, runtime.NumCPU()) }

// treeCacheMax bounds the decoded-tree cache; versions in use at any time
// are few (conversations pin the version they started with).
const treeCacheMax = 256

type treeKey struct {
	id      string
	version int
}

// treeCache keeps decoded tree versions, which are immutable.
type treeCache struct {
	mu sync.Mutex
	m  map[treeKey]*knowledge.Tree
}

func (c *treeCache) get(k treeKey) (*knowledge.Tree, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[k]
	return t, ok
}

func (c *treeCache) put(k treeKey, t *knowledge.Tree) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[treeKey]*knowledge.Tree)
	}
	if len(c.m) >= treeCacheMax {
		for old := range c.m { // drop an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[k] = t
}

// Ping checks that the database answers a read (readiness).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.rdb.QueryRowContext(ctx, `SELECT 1 FROM knowledge_revision WHERE id = 1`).Scan(&one); err != nil {
		s.failed(opRead, err)
		return fmt.Errorf("database: %w", err)
	}
	return nil
}
