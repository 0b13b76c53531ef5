package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// Backups of a SQLite database (boussole backup / restore).
//
// A backup is VACUUM INTO run on a connection of its own: one read
// transaction, so the copy is the database as it was at one instant
// while the writer carries on (WAL), compacted, without the free pages
// where erased text could linger. The copy is written under a temporary
// name beside the destination, synced, then linked to its name, so a
// crash never leaves a half backup under the name given.
//
// A restore checks the backup on a private copy beside the database
// (SQLite integrity check, Boussole's tables for its schema version, a
// version this program knows; an older one is migrated as Open does),
// then swaps it in while holding an exclusive lock on the current
// database, which SQLite only grants when no connection of any process
// has it open.

// Errors of Backup and Restore. Check them with errors.Is.
var (
	// ErrInUse is returned by Restore when another connection has the
	// database open: a running boussole serve (or any other command).
	ErrInUse = errors.New("the database is in use")
	// ErrNotBoussole is returned by Restore and CheckBackup for a SQLite
	// file whose tables are not Boussole's.
	ErrNotBoussole = errors.New("not a Boussole database")
	// ErrUnreadable is returned by Restore when the current database
	// cannot be opened to be set aside cleanly (not a database, corrupt);
	// RestoreOptions.Force replaces it anyway.
	ErrUnreadable = errors.New("the current database cannot be opened")
)

// Backup writes a consistent copy of the database to dest, a file that
// must not exist (an error wrapping fs.ErrExist otherwise: a backup is
// never overwritten without a word). The copy is taken while the store
// keeps writing; it gets mode 0600, as it holds what citizens wrote. A
// PostgreSQL store is refused: pg_dump backs it up.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if err := s.backup(ctx, dest); err != nil {
		return fmt.Errorf("back up %s to %s: %w", s.path, dest, err)
	}
	return nil
}

func (s *Store) backup(ctx context.Context, dest string) (err error) {
	switch {
	case s.pg:
		return errors.New("the database is PostgreSQL: back it up with pg_dump -Fc (see docs/backup.md)")
	case s.closed.Load():
		return errors.New("store closed")
	case dest == "":
		return errors.New("empty destination")
	}
	// Handled marks waiting in memory belong in the copy.
	if err := s.flushMarks(ctx); err != nil {
		return err
	}
	src, err := filepath.Abs(s.path)
	if err != nil {
		return err
	}
	dst, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	if dst == src {
		return errors.New("the destination is the database itself")
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s already exists (%w)", dest, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return reason(err)
	}
	// An empty file is what VACUUM INTO accepts besides none: creating
	// it first gives it mode 0600 from the start.
	tmp, err := createTemp(dst, ".backup-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			removeDB(tmp)
		}
	}()
	// Not the reader pool: its connections are query_only, which forbids
	// writing the copy. Closing this handle leaves the store's locks
	// alone (SQLite shares them between the connections of a process).
	db, err := sql.Open(driverName, "file:"+escapePath(src)+"?_pragma=busy_timeout("+strconv.FormatInt(s.busy.Milliseconds(), 10)+")")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return classify(err)
	}
	if err := db.Close(); err != nil {
		return err
	}
	// SQLite does not sync what VACUUM INTO writes.
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return reason(err)
	}
	return publish(tmp, dst)
}

// publish gives tmp the name dst, which must not exist, and syncs the
// directory. A hard link refuses an existing name atomically; where
// links are not supported, a rename after a last look.
func publish(tmp, dst string) error {
	err := os.Link(tmp, dst)
	switch {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s already exists (%w)", dst, fs.ErrExist)
	case err != nil:
		if _, err := os.Lstat(dst); err == nil {
			return fmt.Errorf("%s already exists (%w)", dst, fs.ErrExist)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return reason(err)
		}
	default:
		if err := os.Remove(tmp); err != nil {
			return reason(err)
		}
	}
	return syncDir(filepath.Dir(dst))
}

// createTemp creates an empty file with mode 0600 beside path, named
// after it, and returns its name.
func createTemp(path, kind string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+kind+"*.tmp")
	if err != nil {
		return "", fmt.Errorf("create a temporary file: %w", err)
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

// removeDB removes a database file this package created and no
// connection has open any more, with its journal files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(path + suffix)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return reason(err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return reason(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		// Some file systems cannot sync a directory; the rename is
		// done all the same.
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// escapePath makes an absolute path the path of a file: URI, as dsn
// does (a ? or # in a directory name is not a query or a fragment).
func escapePath(abs string) string {
	return (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath()
}

// BackupInfo describes a backup CheckBackup found sound.
type BackupInfo struct {
	// Version is the backup's schema version; Known this program's.
	Version, Known int
}

// CheckBackup checks the SQLite database file at path as a backup to
// restore, without writing it: SQLite's integrity check passes, its
// tables are Boussole's at its schema version, and that version is not
// newer than this program's (ErrSchemaTooNew, naming both). It opens the
// file read-only; a backup in WAL mode may get -shm and -wal files
// beside it, so Restore checks a private copy instead.
func CheckBackup(ctx context.Context, path string) (BackupInfo, error) {
	info, err := checkBackup(ctx, path, true)
	if err != nil {
		return info, fmt.Errorf("check backup %s: %w", path, err)
	}
	return info, nil
}

func checkBackup(ctx context.Context, path string, readOnly bool) (BackupInfo, error) {
	ms, err := loadMigrations(migrationFS, "migrations")
	if err != nil {
		return BackupInfo{}, err
	}
	info := BackupInfo{Known: len(ms)}
	abs, err := filepath.Abs(path)
	if err != nil {
		return info, err
	}
	fi, err := os.Stat(abs)
	switch {
	case err != nil:
		return info, reason(err)
	case !fi.Mode().IsRegular():
		return info, errors.New("not a regular file")
	case fi.Size() == 0:
		return info, fmt.Errorf("%w: the file is empty", ErrNotBoussole)
	}
	q := "?_pragma=busy_timeout(0)"
	if readOnly {
		q = "?mode=ro&_pragma=busy_timeout(0)"
	}
	db, err := sql.Open(driverName, "file:"+escapePath(abs)+q)
	if err != nil {
		return info, err
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	if err := integrityCheck(ctx, db); err != nil {
		return info, err
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&info.Version); err != nil {
		return info, classify(err)
	}
	if info.Version <= 0 {
		return info, fmt.Errorf("%w: no schema version (PRAGMA user_version is %d)", ErrNotBoussole, info.Version)
	}
	if info.Version > info.Known {
		return info, fmt.Errorf("%w: the backup's schema version is %d, this program knows up to %d: restore it with the Boussole version that made it, or a newer one",
			ErrSchemaTooNew, info.Version, info.Known)
	}
	want, err := referenceSchema(ctx, ms[:info.Version])
	if err != nil {
		return info, err
	}
	have, err := tableColumns(ctx, db)
	if err != nil {
		return info, classify(err)
	}
	if err := sameSchema(want, have, info.Version); err != nil {
		return info, fmt.Errorf("%w: %w", ErrNotBoussole, err)
	}
	return info, nil
}

// integrityCheck runs PRAGMA integrity_check (the full check, indexes
// included: a backup is read once, so the cost is worth it).
func integrityCheck(ctx context.Context, db *sql.DB) error {
	return pragmaCheck(ctx, db, "integrity_check")
}

// referenceSchema is the tables and columns the migrations ms make, on a
// database in memory.
func referenceSchema(ctx context.Context, ms []migration) (map[string][]string, error) {
	db, err := sql.Open(driverName, ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	for _, m := range ms {
		if _, err := db.ExecContext(ctx, m.sql); err != nil {
			return nil, fmt.Errorf("reference schema: %s: %w", m.name, err)
		}
	}
	return tableColumns(ctx, db)
}

func tableColumns(ctx context.Context, db *sql.DB) (map[string][]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tables := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		tables[t] = append(tables[t], c)
	}
	return tables, rows.Err()
}

// sameSchema names the first difference between Boussole's tables at
// version v and a file's.
func sameSchema(want, have map[string][]string, v int) error {
	names := make([]string, 0, len(want))
	for t := range want {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, t := range names {
		cols, ok := have[t]
		switch {
		case !ok:
			return fmt.Errorf("table %s of schema version %d is missing", t, v)
		case !slices.Equal(cols, want[t]):
			return fmt.Errorf("table %s has columns (%s), schema version %d has (%s)", t, strings.Join(cols, ", "), v, strings.Join(want[t], ", "))
		}
	}
	for t := range have {
		if _, ok := want[t]; !ok {
			return fmt.Errorf("table %s is not part of schema version %d", t, v)
		}
	}
	return nil
}

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// Clock names the previous database's copy
	// (FILE.before-restore-20060102T150405Z). Required.
	Clock func() time.Time
	// Logger receives the migration of an older backup. Nil discards.
	Logger *slog.Logger
	// Force replaces a current database that cannot be opened (not a
	// database, corrupt): it is set aside as it is, with its -wal and
	// -shm files. A database in use is never replaced.
	Force bool
}

// Restored is what Restore did.
type Restored struct {
	// From is the backup's schema version, To the restored database's
	// (higher when the backup was migrated).
	From, To int
	// Kept is where the previous database now is, "" when there was
	// none.
	Kept string
}

// Restore replaces the SQLite database at target with the backup at
// backup, after checking it (see CheckBackup): an older schema is
// migrated, a newer one refused. Nothing is changed unless every check
// passes. The previous database, if any, is kept beside it as
// target.before-restore-<time>, with its WAL folded in. A database that
// another connection has open (boussole serve) is refused with ErrInUse:
// stop the service first. The backup file itself is only read.
func Restore(ctx context.Context, backup, target string, opts RestoreOptions) (Restored, error) {
	r, err := restore(ctx, backup, target, opts)
	if err != nil {
		return r, fmt.Errorf("restore %s to %s: %w", backup, target, err)
	}
	return r, nil
}

func restore(ctx context.Context, backup, target string, opts RestoreOptions) (res Restored, err error) {
	if opts.Clock == nil {
		return res, errors.New("no clock (RestoreOptions.Clock)")
	}
	if backup == "" || target == "" {
		return res, errors.New("empty path")
	}
	src, err := filepath.Abs(backup)
	if err != nil {
		return res, err
	}
	dst, err := filepath.Abs(target)
	if err != nil {
		return res, err
	}
	if src == dst {
		return res, errors.New("the backup is the database itself")
	}
	if st, err := os.Stat(filepath.Dir(dst)); err != nil || !st.IsDir() {
		return res, fmt.Errorf("directory %s does not exist", filepath.Dir(target))
	}
	// Whether the database is in use is known only when its lock is
	// taken, for the swap: a check now would have to fold its WAL, and
	// the database is not touched before the backup has passed.
	tmp, err := createTemp(dst, ".restore-")
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			removeDB(tmp)
		}
	}()
	if err := copyFile(ctx, src, tmp); err != nil {
		return res, err
	}
	info, err := checkBackup(ctx, tmp, false)
	res.From = info.Version
	if err != nil {
		return res, fmt.Errorf("the backup is refused, nothing was changed: %w", err)
	}
	// Open migrates an older schema and checks what a store needs;
	// closing the last connection folds the WAL into the file.
	st, err := Open(ctx, tmp, Options{Clock: opts.Clock, Logger: opts.Logger, SkipIntegrityCheck: true})
	if err != nil {
		return res, fmt.Errorf("the backup is refused, nothing was changed: %w", err)
	}
	if err := st.Close(); err != nil {
		return res, err
	}
	res.To = SchemaVersion()
	for _, suffix := range []string{"-wal", "-journal"} {
		if _, err := os.Lstat(tmp + suffix); err == nil {
			return res, fmt.Errorf("the checked copy %s still has a %s file", tmp, suffix)
		}
	}
	_ = os.Remove(tmp + "-shm")
	if err := os.Chmod(tmp, 0o600); err != nil {
		return res, reason(err)
	}
	if err := sameOwner(tmp, dst); err != nil {
		return res, err
	}
	if err := syncFile(tmp); err != nil {
		return res, err
	}
	suffix := ".before-restore-" + opts.Clock().UTC().Format("20060102T150405Z")
	kept, err := swap(ctx, tmp, dst, dst+suffix, opts.Force)
	if kept != "" {
		res.Kept = target + suffix // as the caller named the database
	}
	return res, err
}

// swap puts tmp in place of dst, keeping dst (if it exists) as kept.
func swap(ctx context.Context, tmp, dst, kept string, force bool) (string, error) {
	if _, err := os.Lstat(kept); err == nil {
		return "", fmt.Errorf("%s already exists", kept)
	}
	lk, err := lockDatabase(ctx, dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No database: WAL or shared-memory files left without one would
		// be read as the new database's.
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", reason(err)
			}
		}
		return "", publish(tmp, dst)
	case err != nil && (errors.Is(err, ErrInUse) || !force):
		return "", err
	case err != nil:
		// Forced over a database SQLite cannot open: set it aside as it
		// is, its journal files with it, so nothing of it is lost.
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if err := os.Rename(dst+suffix, kept+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", reason(err)
			}
		}
		if err := os.Rename(dst, kept); err != nil {
			return "", reason(err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return kept, reason(err)
		}
		return kept, syncDir(filepath.Dir(dst))
	}
	// The lock is held until the new file has the name. It does not make
	// a serve started meanwhile safe: SQLite opens the file before it
	// waits for the lock, so that process would wait on the file set
	// aside. The service must be stopped during a restore (the command
	// and docs/backup.md say so).
	defer lk.Close()
	// Leaving WAL mode removed the -wal file; a -shm file left by a
	// read-only connection (which cannot remove it) would be taken for
	// the new database's. Under the exclusive lock nobody has it open.
	if _, err := os.Lstat(dst + "-wal"); err == nil {
		return "", fmt.Errorf("%s-wal is still there after the WAL was folded into the database", dst)
	}
	if err := os.Remove(dst + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", reason(err)
	}
	// The kept name is a second link to the current file (its WAL was
	// folded in by lockDatabase), so the database's name never
	// disappears; the rename then points it at the new file.
	if err := os.Link(dst, kept); err != nil {
		if err := os.Rename(dst, kept); err != nil {
			return "", reason(err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return kept, reason(err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return kept, err
	}
	return kept, nil
}

// lockDatabase opens path in exclusive locking mode, which SQLite grants
// only when no connection of any process has the database open (in WAL
// mode every connection keeps a shared lock while open), switches it out
// of WAL mode, which folds the WAL into the file and removes the -wal and
// -shm files, and keeps the lock until the handle is closed. A missing
// file is fs.ErrNotExist; one SQLite cannot read is ErrUnreadable.
func lockDatabase(ctx context.Context, path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, reason(err)
	}
	db, err := sql.Open(driverName, "file:"+escapePath(path)+"?_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		_ = db.Close()
		switch sqliteCode(err) {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return nil, fmt.Errorf("%w: %s is open in another process (boussole serve?): stop it first (%w)", ErrInUse, path, err)
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return nil, fmt.Errorf("%w: %s (%w); --force replaces it, keeping it aside", ErrUnreadable, path, classify(err))
		}
		return nil, err
	}
	// Write the header once, so that the lock held is exclusive even for
	// a database that was not in WAL mode.
	if _, err := db.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%w: %s is open in another process (boussole serve?): stop it first (%w)", ErrInUse, path, err)
	}
	if _, err := db.ExecContext(ctx, "COMMIT"); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// copyFile copies src into dst (which exists) and syncs it.
func copyFile(ctx context.Context, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("read the backup: %w", reason(err))
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil {
		return err
	} else if !st.Mode().IsRegular() {
		return errors.New("the backup is not a regular file")
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return reason(err)
	}
	_, err = io.Copy(out, readerCtx{ctx, in})
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy the backup: %w", err)
	}
	return nil
}

// readerCtx stops a long copy when ctx ends.
type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
