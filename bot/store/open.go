package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// driverName is the database/sql driver registered by modernc.org/sqlite.
const driverName = "sqlite"

// Open opens (creating it if needed, unless opts.ReadOnly) the database at
// path, checks it and applies pending migrations. Errors name the path and
// say what is wrong: a missing directory, a file that is not a SQLite
// database (ErrNotDatabase), a file or directory that cannot be written
// (ErrNotWritable), a corrupt file (ErrCorrupt), a schema newer than this
// program (ErrSchemaTooNew).
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	s, err := open(ctx, path, opts)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	if opts.Clock == nil {
		return nil, errors.New("no clock (Options.Clock): the program passes its one clock")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, errors.New("want a file path (an in-memory database or a URI cannot be shared by the writer and the reader pool)")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := checkFile(path, abs, opts.ReadOnly); err != nil {
		return nil, err
	}

	s := &Store{path: path, log: opts.Logger, clock: opts.Clock, onError: opts.OnError}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	ok := false
	defer func() {
		if !ok {
			if s.wdb != nil {
				_ = s.wdb.Close()
			}
			if s.rdb != nil {
				_ = s.rdb.Close()
			}
		}
	}()

	migrations, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = defaultBusyTimeout
	}
	s.busy = busy
	readers := opts.MaxReaders
	if readers <= 0 {
		readers = defaultReaders()
	}

	if opts.ReadOnly {
		s.rdb, err = openPool(ctx, dsn(abs, roleReadOnly, busy), readers)
		if err != nil {
			return nil, err
		}
		if !opts.SkipIntegrityCheck {
			if err := quickCheck(ctx, s.rdb); err != nil {
				return nil, err
			}
		}
		if err := checkSchema(ctx, s.rdb, len(migrations)); err != nil {
			return nil, err
		}
		if err := s.stmts.prepare(ctx, s.rdb, nil); err != nil {
			return nil, err
		}
		ok = true
		return s, nil
	}

	s.wdb, err = openPool(ctx, dsn(abs, roleWriter, busy), 1)
	if err != nil {
		return nil, err
	}
	if !opts.SkipIntegrityCheck {
		if err := quickCheck(ctx, s.wdb); err != nil {
			return nil, err
		}
	}
	from, to, err := s.migrate(ctx, migrations)
	if err != nil {
		return nil, err
	}
	if from != to {
		s.log.InfoContext(ctx, "store: database migrated", "path", path, "from", from, "to", to)
	}
	s.rdb, err = openPool(ctx, dsn(abs, roleReader, busy), readers)
	if err != nil {
		return nil, err
	}
	if err := s.stmts.prepare(ctx, s.rdb, s.wdb); err != nil {
		return nil, err
	}
	cdb, err := openPool(ctx, dsn(abs, roleCheckpointer, busy), 1)
	if err != nil {
		return nil, err
	}
	s.ckpt = startCheckpointer(cdb, s.log)
	ok = true
	return s, nil
}

// checkFile looks at the path before SQLite does, so that common mistakes
// get a precise error. It creates a missing database file with mode 0600
// (unless readOnly).
//
// It never opens an existing database file: closing any descriptor of a
// file releases every POSIX lock this process holds on it, including
// SQLite's locks of another Store open on the same file. Permissions are
// checked with access(2) instead; a file that is not a database is
// recognised by SQLite, which reads its header before writing anything.
func checkFile(path, abs string, readOnly bool) error {
	dir := filepath.Dir(abs)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist (%w)", filepath.Dir(path), reason(err))
	case err != nil:
		return fmt.Errorf("directory %s cannot be read (%w)", filepath.Dir(path), reason(err))
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", filepath.Dir(path))
	}

	fi, err := os.Stat(abs)
	exists := err == nil
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if readOnly {
			return fmt.Errorf("file does not exist (%w)", reason(err))
		}
	case err != nil:
		return fmt.Errorf("file cannot be read (%w)", reason(err))
	case fi.IsDir():
		return errors.New("is a directory, want a database file")
	case !fi.Mode().IsRegular():
		return errors.New("is not a regular file")
	default:
		if err := access(abs, accessRead); err != nil {
			return fmt.Errorf("file cannot be read (%w)", err)
		}
	}
	if readOnly {
		return nil
	}

	if exists {
		if err := access(abs, accessWrite); err != nil {
			return fmt.Errorf("file %w (%w)", ErrNotWritable, err)
		}
	}
	// SQLite creates its -wal and -shm files next to the database, so the
	// directory must be writable too, even for an existing file.
	if err := access(dir, accessWrite|accessSearch); err != nil {
		return fmt.Errorf("directory %s %w (%w): SQLite creates its journal files next to the database",
			filepath.Dir(path), ErrNotWritable, err)
	}

	if !exists {
		// Nobody holds locks on a file that did not exist: it is safe to
		// open and close it here.
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case errors.Is(err, fs.ErrExist): // created meanwhile by someone else
		case err != nil:
			return fmt.Errorf("create file: %w", reason(err))
		default:
			_ = f.Close()
		}
	}
	return nil
}

// reason strips the operation and path from a *fs.PathError (the path is
// already in the message), keeping the errno for errors.Is.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type role int

const (
	roleWriter role = iota
	roleReader
	roleReadOnly
	roleCheckpointer
)

// dsn builds the modernc.org/sqlite DSN for a connection role. Pragmas go in
// the DSN so every connection of a pool gets them; busy_timeout comes first
// so that journal_mode(WAL) waits for a lock instead of failing.
func dsn(abs string, r role, busy time.Duration) string {
	var q []string
	if r == roleReadOnly {
		q = append(q, "mode=ro")
	}
	q = append(q, "_pragma=busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	if r != roleReadOnly {
		// WAL is persistent in the file; a read-only opener cannot set it
		// and does not need to.
		q = append(q, "_pragma=journal_mode(WAL)")
	}
	q = append(q, "_pragma=foreign_keys(ON)", "_pragma=synchronous(NORMAL)")
	if r == roleWriter || r == roleCheckpointer {
		// Deleted content is overwritten, not left in free pages: an
		// erased person's words cannot be read back from the file.
		q = append(q, "_pragma=secure_delete(ON)")
	}
	switch r {
	case roleWriter:
		// Checkpoints run in the background (checkpointer.go), not inside
		// the commit that happens to cross the threshold: that commit was
		// a citizen's turn waiting for a reply.
		q = append(q, "_txlock=immediate", "_pragma=wal_autocheckpoint(0)")
	case roleCheckpointer:
		q = append(q, "_pragma=wal_autocheckpoint(0)")
	default:
		q = append(q, "_pragma=query_only(1)")
	}
	return "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?" + strings.Join(q, "&")
}

// openPool opens a *sql.DB of n connections and makes sure the first one
// works (pragmas run when a connection opens).
func openPool(ctx context.Context, dsn string, n int) (*sql.DB, error) {
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, classify(err)
	}
	return db, nil
}

// classify turns SQLite errors met while opening into the package's
// sentinels, keeping the driver's error as the cause.
func classify(err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w (%w)", ErrNotDatabase, err)
	case sqlite3.SQLITE_CORRUPT:
		return fmt.Errorf("%w (%w)", ErrCorrupt, err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("file or directory %w (%w)", ErrNotWritable, err)
	case sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("cannot open the file or create its journal files next to it (%w)", err)
	}
	return err
}

// quickCheck runs PRAGMA quick_check and reports ErrCorrupt with the first
// problems found.
func quickCheck(ctx context.Context, db *sql.DB) error { return pragmaCheck(ctx, db, "quick_check") }

// pragmaCheck runs PRAGMA check(5) (quick_check or integrity_check) and
// reports ErrCorrupt with the first problems found.
func pragmaCheck(ctx context.Context, db *sql.DB, check string) error {
	rows, err := db.QueryContext(ctx, "PRAGMA "+check+"(5)")
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return classify(err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	if len(lines) == 1 && lines[0] == "ok" {
		return nil
	}
	return fmt.Errorf("%w: %s: %s", ErrCorrupt, check, strings.ReplaceAll(strings.Join(lines, "\n"), "\n", "; "))
}
