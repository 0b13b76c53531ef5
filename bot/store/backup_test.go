package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/pgtest"
	"github.com/boussole/boussole/bot/store/storetest"
)

var backupT0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func backupClock() time.Time { return backupT0 }

func openBackupTest(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), path, store.Options{Clock: backupClock})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// commitOne commits a conversation with two turns and one reply, the
// unit a snapshot must see whole or not at all.
func commitOne(ctx context.Context, s *store.Store, a bot.Address) error {
	c := bot.Conversation{Address: a, State: bot.StateIdle, Lang: "fr", CreatedAt: backupT0, UpdatedAt: backupT0}
	turns := []bot.Turn{{Address: a, Text: "bonjour", At: backupT0}, {Address: a, Text: "encore", At: backupT0}}
	return s.Commit(ctx, c, turns, []bot.Reply{{To: a, Text: "réponse"}})
}

// query runs a one-row, one-column query on a database file opened
// read-only, outside the store.
func query[T any](t *testing.T, path, q string) T {
	t.Helper()
	db, err := sql.Open("sqlite", roDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v T
	if err := db.QueryRowContext(t.Context(), q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// roDSN opens path read-only, whatever characters its name holds.
func roDSN(path string) string {
	return "file:" + (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath() + "?mode=ro"
}

func turnIDs(t *testing.T, path string, users []string) []int64 {
	t.Helper()
	db, err := sql.Open("sqlite", roDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []int64
	for _, u := range users {
		rows, err := db.QueryContext(t.Context(), "SELECT id FROM turns WHERE user_id = ? ORDER BY id", u)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	slices.Sort(ids)
	return ids
}

// TestBackupUnderLoad backs up a database while four goroutines keep
// committing through the same store, restores the backup elsewhere, and
// checks that every commit made before the backup began is there, with
// the same ids, and that no commit is there in part.
func TestBackupUnderLoad(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	live := filepath.Join(dir, "boussole.db")
	s := openBackupTest(t, live)

	var (
		mu        sync.Mutex
		committed []string // users, in commit order
		wg        sync.WaitGroup
		stop      = make(chan struct{})
		warm      = make(chan struct{})
		warmOnce  sync.Once
		errs      = make(chan error, 4)
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				u := fmt.Sprintf("w%d-%d", w, i)
				if err := commitOne(ctx, s, bot.Address{Platform: "test", Channel: "c", User: u}); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				committed = append(committed, u)
				if len(committed) == 200 {
					warmOnce.Do(func() { close(warm) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-warm:
	case err := <-errs:
		t.Fatalf("Commit: %v", err)
	}
	mu.Lock()
	before := slices.Clone(committed)
	mu.Unlock()
	bak := filepath.Join(dir, "backups", "boussole-1.db")
	if err := os.Mkdir(filepath.Dir(bak), 0o700); err != nil {
		t.Fatal(err)
	}
	berr := s.Backup(ctx, bak)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Commit: %v", err)
	}
	if berr != nil {
		t.Fatalf("Backup: %v", berr)
	}
	mu.Lock()
	after := slices.Clone(committed)
	mu.Unlock()

	fi, err := os.Stat(bak)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(filepath.Dir(bak)); len(ents) != 1 {
		t.Errorf("backup directory holds %d files, want the backup alone", len(ents))
	}
	// A commit is whole or absent in the snapshot.
	if n := query[int](t, bak, `SELECT COUNT(*) FROM conversations c WHERE
		(SELECT COUNT(*) FROM turns t WHERE t.user_id = c.user_id) != 2 OR
		(SELECT COUNT(*) FROM outbox o WHERE o.user_id = c.user_id) != 1`); n != 0 {
		t.Errorf("%d conversations of the backup lack turns or replies of their commit", n)
	}

	target := filepath.Join(dir, "restored", "boussole.db")
	if err := os.Mkdir(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	res, err := store.Restore(ctx, bak, target, store.RestoreOptions{Clock: backupClock})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if res.Kept != "" || res.From != store.SchemaVersion() || res.To != store.SchemaVersion() {
		t.Errorf("Restore = %+v, want nothing kept and version %d", res, store.SchemaVersion())
	}
	n := query[int](t, target, "SELECT COUNT(*) FROM conversations")
	if n < len(before) || n > len(after) {
		t.Errorf("restored %d conversations, want between %d (before the backup) and %d (in all)", n, len(before), len(after))
	}
	if got := query[int](t, target, "SELECT COUNT(*) FROM turns"); got != 2*n {
		t.Errorf("restored %d turns for %d conversations, want %d", got, n, 2*n)
	}
	if got := query[int](t, target, "SELECT COUNT(*) FROM outbox"); got != n {
		t.Errorf("restored %d replies for %d conversations, want %d", got, n, n)
	}
	if got, want := turnIDs(t, target, before), turnIDs(t, live, before); !slices.Equal(got, want) {
		t.Errorf("turn ids of the commits before the backup: restored %d ids, live %d, differing", len(got), len(want))
	}

	r := openBackupTest(t, target)
	for _, u := range before {
		a := bot.Address{Platform: "test", Channel: "c", User: u}
		if _, err := r.Conversation(ctx, a); err != nil {
			t.Fatalf("restored Conversation %s: %v", u, err)
		}
		ts, err := r.RecentTurns(ctx, a, 10)
		if err != nil || len(ts) != 2 {
			t.Fatalf("restored RecentTurns %s = %d turns, %v; want 2", u, len(ts), err)
		}
	}
	// The restored database takes new writes.
	if err := commitOne(ctx, r, bot.Address{Platform: "test", Channel: "c", User: "after-restore"}); err != nil {
		t.Fatalf("Commit on the restored database: %v", err)
	}
}

// TestRestoredContract runs the storage contract on databases that went
// through a backup and a restore.
func TestRestoredContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) func() storetest.Store {
		dir := t.TempDir()
		orig := filepath.Join(dir, "orig.db")
		s, err := store.Open(t.Context(), orig, store.Options{Clock: now, SkipIntegrityCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		bak := filepath.Join(dir, "orig.backup")
		if err := s.Backup(t.Context(), bak); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "boussole.db")
		if _, err := store.Restore(t.Context(), bak, path, store.RestoreOptions{Clock: now}); err != nil {
			t.Fatal(err)
		}
		return func() storetest.Store {
			s, err := store.Open(t.Context(), path, store.Options{Clock: now, SkipIntegrityCheck: true})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}
	})
}

func TestBackupRefusesAnExistingFile(t *testing.T) {
	dir := t.TempDir()
	s := openBackupTest(t, filepath.Join(dir, "boussole.db"))
	bak := filepath.Join(dir, "old.backup")
	if err := os.WriteFile(bak, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := s.Backup(t.Context(), bak)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Backup over an existing file = %v, want fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(bak); string(b) != "an older backup" {
		t.Errorf("the existing file was changed")
	}
	if err := s.Backup(t.Context(), s.Path()); err == nil {
		t.Error("Backup onto the database itself succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 4 { // db, -wal, -shm, old.backup
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files left: %v", names)
	}
}

func TestBackupRefusesPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := store.OpenPostgres(t.Context(), dsn, store.PostgresOptions{Clock: backupClock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bak := filepath.Join(t.TempDir(), "pg.backup")
	err = s.Backup(t.Context(), bak)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("Backup of PostgreSQL = %v, want a refusal naming pg_dump", err)
	}
	if _, err := os.Stat(bak); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file was written: %v", err)
	}
}

// dirState is every file of dir with a hash of its content.
func dirState(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][32]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = sha256.Sum256(b)
	}
	return m
}

// liveDatabase is a closed database with one conversation in dir, and a
// good backup of it in its own directory.
func liveDatabase(t *testing.T) (target, good string) {
	t.Helper()
	// A directory name that is not a plain URI path.
	dir := filepath.Join(t.TempDir(), "données ?#%20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	target = filepath.Join(dir, "boussole.db")
	s, err := store.Open(t.Context(), target, store.Options{Clock: backupClock})
	if err != nil {
		t.Fatal(err)
	}
	if err := commitOne(t.Context(), s, bot.Address{Platform: "test", Channel: "c", User: "current"}); err != nil {
		t.Fatal(err)
	}
	good = filepath.Join(t.TempDir(), "good.backup")
	if err := s.Backup(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	if err := commitOne(t.Context(), s, bot.Address{Platform: "test", Channel: "c", User: "after-backup"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A read-only handle (boussole backup's) leaves a -shm file behind:
	// it may not remove it.
	ro, err := store.Open(t.Context(), target, store.Options{Clock: backupClock, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	return target, good
}

// TestRestoreRefusesBrokenBackups: a backup that fails a check changes
// nothing beside the database.
func TestRestoreRefusesBrokenBackups(t *testing.T) {
	target, good := liveDatabase(t)
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bdir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(bdir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sqliteFile := func(name string, stmts ...string) string {
		p := filepath.Join(bdir, name)
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range stmts {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		return p
	}
	newer := write("newer.db", goodBytes)
	func() {
		db, err := sql.Open("sqlite", newer)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion()+1)); err != nil {
			t.Fatal(err)
		}
	}()
	// Every page past the first is zeroes: the header is intact, the
	// content is not.
	zeroed := slices.Clone(goodBytes)
	clear(zeroed[4096:])

	cases := []struct {
		name, path string
		want       error
		says       string
	}{
		{"truncated", write("truncated.db", goodBytes[:len(goodBytes)/2]), nil, ""},
		{"zeroed pages", write("zeroed.db", zeroed), nil, ""},
		{"random bytes", write("random.db", []byte(strings.Repeat("not a database, random bytes ", 300))), store.ErrNotDatabase, ""},
		{"empty", write("empty.db", nil), store.ErrNotBoussole, "empty"},
		{"another program's", sqliteFile("other.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", "PRAGMA user_version = 3"), store.ErrNotBoussole, "table"},
		{"no version", sqliteFile("plain.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"), store.ErrNotBoussole, "user_version"},
		{"newer schema", newer, store.ErrSchemaTooNew, fmt.Sprintf("%d, this program knows up to %d", store.SchemaVersion()+1, store.SchemaVersion())},
		{"missing", filepath.Join(bdir, "absent.db"), fs.ErrNotExist, ""},
	}
	before := dirState(t, filepath.Dir(target))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.Restore(t.Context(), c.path, target, store.RestoreOptions{Clock: backupClock})
			if err == nil {
				t.Fatal("Restore succeeded")
			}
			t.Log(err)
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Restore = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("Restore = %v, want it to say %q", err, c.says)
			}
			if after := dirState(t, filepath.Dir(target)); !equalState(before, after) {
				t.Errorf("the database's directory changed: %v, was %v", keys(after), keys(before))
			}
		})
	}
	// The good one is restored after all that.
	res, err := store.Restore(t.Context(), good, target, store.RestoreOptions{Clock: backupClock})
	if err != nil {
		t.Fatalf("Restore of the good backup: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(target + suffix); err == nil {
			t.Errorf("%s left beside the restored database", suffix)
		}
	}
	if want := target + ".before-restore-20260314T092653Z"; res.Kept != want {
		t.Errorf("Kept = %q, want %q", res.Kept, want)
	}
	if got := query[int](t, target, "SELECT COUNT(*) FROM conversations WHERE user_id = 'after-backup'"); got != 0 {
		t.Error("the restored database has what was written after the backup")
	}
	if got := query[int](t, res.Kept, "SELECT COUNT(*) FROM conversations"); got != 2 {
		t.Errorf("the kept database has %d conversations, want 2", got)
	}
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored database: %v, %v; want mode 0600", fi.Mode(), err)
	}
	// Twice in the same second: the kept name is taken, nothing changes.
	before = dirState(t, filepath.Dir(target))
	if _, err := store.Restore(t.Context(), good, target, store.RestoreOptions{Clock: backupClock}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second Restore = %v, want the kept name refused", err)
	}
	if after := dirState(t, filepath.Dir(target)); !equalState(before, after) {
		t.Errorf("the database's directory changed: %v, was %v", keys(after), keys(before))
	}
}

func equalState(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys(m map[string][32]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestRestoreRefusesADatabaseInUse: a store open on the database (as
// boussole serve keeps one) holds SQLite's shared lock; the restore
// sees it and changes nothing.
func TestRestoreRefusesADatabaseInUse(t *testing.T) {
	target, good := liveDatabase(t)
	s := openBackupTest(t, target)
	if err := commitOne(t.Context(), s, bot.Address{Platform: "test", Channel: "c", User: "serving"}); err != nil {
		t.Fatal(err)
	}
	_, err := store.Restore(t.Context(), good, target, store.RestoreOptions{Clock: backupClock})
	if !errors.Is(err, store.ErrInUse) || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("Restore while in use = %v, want ErrInUse saying to stop it", err)
	}
	// The store carries on, unaware.
	if err := commitOne(t.Context(), s, bot.Address{Platform: "test", Channel: "c", User: "still-serving"}); err != nil {
		t.Fatalf("Commit after the refused restore: %v", err)
	}
	if _, err := s.Conversation(t.Context(), bot.Address{Platform: "test", Channel: "c", User: "serving"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := query[int](t, target, "SELECT COUNT(*) FROM conversations"); n != 4 {
		t.Errorf("the database has %d conversations, want 4", n)
	}
	ents, _ := os.ReadDir(filepath.Dir(target))
	for _, e := range ents {
		if strings.Contains(e.Name(), "restore") {
			t.Errorf("%s left beside the database", e.Name())
		}
	}
}

// TestRestoreForcedOverAnUnreadableDatabase: a database SQLite cannot
// open is replaced only with Force, and kept aside as it was.
func TestRestoreForcedOverAnUnreadableDatabase(t *testing.T) {
	_, good := liveDatabase(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "boussole.db")
	junk := []byte(strings.Repeat("this is not SQLite ", 400))
	if err := os.WriteFile(target, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := store.Restore(t.Context(), good, target, store.RestoreOptions{Clock: backupClock})
	if !errors.Is(err, store.ErrUnreadable) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Restore over junk = %v, want ErrUnreadable pointing to --force", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory, want the database alone", len(ents))
	}
	res, err := store.Restore(t.Context(), good, target, store.RestoreOptions{Clock: backupClock, Force: true})
	if err != nil {
		t.Fatalf("forced Restore: %v", err)
	}
	if b, err := os.ReadFile(res.Kept); err != nil || string(b) != string(junk) {
		t.Errorf("kept file %s: %v, want the junk as it was", res.Kept, err)
	}
	if n := query[int](t, target, "SELECT COUNT(*) FROM conversations"); n != 1 {
		t.Errorf("restored %d conversations, want 1", n)
	}
}
